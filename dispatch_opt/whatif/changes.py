"""The changes a what-if variant makes to a problem, each a pure function Problem -> Problem.

Every change is a frozen dataclass whose `apply` returns a new Problem (the base is never
touched) or raises `InputError` whose issue paths are relative to the change (`technician`,
`parts.PCB-AC-INV`); the scenario layer prefixes them with `variants[i].changes[j]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from dispatch_opt.domain.problem import (
    PRIORITY_WEIGHT,
    Break,
    Location,
    Objective,
    Priority,
    Problem,
    Technician,
    Ticket,
    TimeWindow,
    TravelModel,
)
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io.problem_io import loc_to_path


def _fail(path: str, rule: str) -> InputError:
    """An input error with one issue, its path relative to the change."""
    return InputError(Issue(path, rule))


def _technician_ids(problem: Problem) -> set[str]:
    """Ids of the problem's technicians."""
    return {t.id for t in problem.technicians}


def _check_known(problem: Problem, tid: str, path: str) -> None:
    """Raise when `tid` names no technician of `problem`."""
    if tid not in _technician_ids(problem):
        raise _fail(path, f"unknown technician {tid}")


def _iso(moment: datetime) -> str:
    """A moment as RFC 3339, for error messages."""
    return moment.isoformat()


def _check_in_horizon(problem: Problem, window: TimeWindow, path: str) -> None:
    """Raise unless `window` is ordered and lies inside the horizon (contract rule)."""
    if window.end <= window.start:
        raise _fail(path, f"end {_iso(window.end)} must be after start {_iso(window.start)}")
    h = problem.horizon
    if window.start < h.start or window.end > h.end:
        raise _fail(path, f"must lie inside the horizon {_iso(h.start)} .. {_iso(h.end)}")


def _no_matrix(problem: Problem, what: str) -> None:
    """Raise for changes that need travel data a given matrix does not have."""
    if problem.travel.model is TravelModel.MATRIX:
        raise _fail("kind", f"{what} is not possible with travel.model 'matrix' (no matrix rows)")


# --------------------------------------------------------------------------- technicians


def _forget(ticket: Ticket, gone: set[str]) -> Ticket:
    """`ticket` without pins, preferences and exclusions naming a removed technician."""
    pinned = None if ticket.pinned_technician in gone else ticket.pinned_technician
    preferred = tuple(t for t in ticket.preferred_technicians if t not in gone)
    excluded = tuple(t for t in ticket.excluded_technicians if t not in gone)
    if (pinned, preferred, excluded) == (
        ticket.pinned_technician,
        ticket.preferred_technicians,
        ticket.excluded_technicians,
    ):
        return ticket
    return replace(
        ticket,
        pinned_technician=pinned,
        preferred_technicians=preferred,
        excluded_technicians=excluded,
    )


@dataclass(frozen=True, slots=True)
class RemoveTechnicians:
    """Take technicians out of the day (sick, van broken); their pinned tickets are
    unpinned and preferences/exclusions naming them dropped, so others may serve them."""

    technicians: tuple[str, ...]

    def apply(self, problem: Problem) -> Problem:
        """The problem without these technicians."""
        for k, tid in enumerate(self.technicians):
            _check_known(problem, tid, f"technicians[{k}]")
        gone = set(self.technicians)
        kept = tuple(t for t in problem.technicians if t.id not in gone)
        if not kept:
            raise _fail("technicians", "would leave no technician (at least one is needed)")
        tickets = tuple(_forget(t, gone) for t in problem.tickets)
        return replace(problem, technicians=kept, tickets=tickets)

    def describe(self) -> str:
        """One line for the comparison report."""
        return f"remove technicians {', '.join(self.technicians)}"


@dataclass(frozen=True, slots=True)
class NewTechnician:
    """One technician to add: a copy of `copy_of` (skills, van stock, breaks, limits) with
    its own id, and optionally another start, end, shift, overtime and breaks."""

    id: str
    copy_of: str
    start: Location | None = None
    end: Location | None = None
    shift: TimeWindow | None = None
    overtime_max_min: float | None = None
    breaks: tuple[Break, ...] | None = None


@dataclass(frozen=True, slots=True)
class AddTechnicians:
    """Add technicians (extra vans, contractors), each a copy of an existing one."""

    technicians: tuple[NewTechnician, ...]

    def apply(self, problem: Problem) -> Problem:
        """The problem with the copies appended."""
        _no_matrix(problem, "add_technicians")
        added: list[Technician] = []
        taken = _technician_ids(problem)
        for k, new in enumerate(self.technicians):
            path = f"technicians[{k}]"
            _check_known(problem, new.copy_of, f"{path}.copy_of")
            if new.id in taken:
                raise _fail(f"{path}.id", f"technician {new.id} already exists")
            taken.add(new.id)
            added.append(self._copy(problem, new, path))
        return replace(problem, technicians=problem.technicians + tuple(added))

    def describe(self) -> str:
        """One line for the comparison report."""
        parts = []
        for t in self.technicians:
            text = f"{t.id} (copy of {t.copy_of}"
            if t.shift is not None:
                text += f", shift {_span(t.shift)}"
            if t.start is not None:
                text += f", starts at {t.start.lat:.4f},{t.start.lon:.4f}"
            parts.append(text + ")")
        return f"add technicians {', '.join(parts)}"

    @staticmethod
    def _copy(problem: Problem, new: NewTechnician, path: str) -> Technician:
        """The copied technician with the overrides of `new`."""
        source = problem.technician(new.copy_of)
        start = new.start or source.start
        # a new start without an explicit end: the van goes back where it started
        end = new.end or (start if new.start is not None else source.end)
        shift = new.shift or source.shift
        if new.shift is not None:
            _check_in_horizon(problem, shift, f"{path}.shift")
        overtime = source.overtime_max_min if new.overtime_max_min is None else new.overtime_max_min
        breaks = source.breaks if new.breaks is None else new.breaks
        for k, b in enumerate(new.breaks or ()):
            _check_in_horizon(problem, b.window, f"{path}.breaks[{k}].window")
        return replace(
            source,
            breaks=breaks,
            id=new.id,
            start=start,
            end=end,
            shift=shift,
            stock=dict(source.stock),
            overtime_max_min=overtime,
        )


@dataclass(frozen=True, slots=True)
class ChangeShifts:
    """Move the start and/or end of some technicians' shifts, or their allowed overtime
    (leaves at noon, starts late, may work an hour longer)."""

    technicians: tuple[str, ...]
    start: datetime | None = None
    end: datetime | None = None
    overtime_max_min: float | None = None

    def apply(self, problem: Problem) -> Problem:
        """The problem with the new shifts."""
        for k, tid in enumerate(self.technicians):
            _check_known(problem, tid, f"technicians[{k}]")
        chosen = set(self.technicians)
        techs = []
        for tech in problem.technicians:
            if tech.id in chosen:
                tech = self._reshift(problem, tech)
            techs.append(tech)
        return replace(problem, technicians=tuple(techs))

    def describe(self) -> str:
        """One line for the comparison report."""
        what = []
        if self.start is not None:
            what.append(f"start {self.start:%H:%M}")
        if self.end is not None:
            what.append(f"end {self.end:%H:%M}")
        if self.overtime_max_min is not None:
            what.append(f"overtime up to {self.overtime_max_min:g} min")
        return f"shift of {', '.join(self.technicians)}: {', '.join(what)}"

    def _reshift(self, problem: Problem, tech: Technician) -> Technician:
        """One technician with this change's shift bounds and overtime."""
        shift = TimeWindow(self.start or tech.shift.start, self.end or tech.shift.end)
        field_name = "end" if self.end is not None and self.start is None else "start"
        try:
            _check_in_horizon(problem, shift, field_name)
        except InputError as exc:
            rule = exc.issues[0].rule
            raise _fail(field_name, f"{tech.id}'s shift would be {_span(shift)}: {rule}") from None
        overtime = tech.overtime_max_min if self.overtime_max_min is None else self.overtime_max_min
        return replace(tech, shift=shift, overtime_max_min=overtime)


def _span(window: TimeWindow) -> str:
    """`09:00-12:00` for messages."""
    return f"{window.start:%H:%M}-{window.end:%H:%M}"


# --------------------------------------------------------------------------- depots, stock


def _depot_index(problem: Problem, depot_id: str, path: str) -> int:
    """Index of a depot, or raise naming the field."""
    for k, d in enumerate(problem.depots):
        if d.id == depot_id:
            return k
    raise _fail(path, f"unknown depot {depot_id}")


@dataclass(frozen=True, slots=True)
class CloseDepot:
    """Close a depot: removed from the day (its stock no longer reachable), or, with
    `from_time`, open only until then (it still serves pickups before)."""

    depot: str
    from_time: datetime | None = None

    def apply(self, problem: Problem) -> Problem:
        """The problem with the depot gone or its hours cut."""
        k = _depot_index(problem, self.depot, "depot")
        depots = list(problem.depots)
        old = depots[k]
        cut = self.from_time
        if cut is not None and not problem.horizon.contains(cut):
            raise _fail("from", "must lie inside the horizon")
        if cut is None or cut <= old.open.start:
            del depots[k]
        elif cut < old.open.end:
            depots[k] = replace(old, open=TimeWindow(old.open.start, cut))
        return replace(problem, depots=tuple(depots))

    def describe(self) -> str:
        """One line for the comparison report."""
        if self.from_time is None:
            return f"close depot {self.depot}"
        return f"close depot {self.depot} from {self.from_time:%H:%M}"


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds stock: a depot or a technician's van."""

    kind: str  # "depot" or "technician"
    id: str


def _stock_of(problem: Problem, holder: Holder, path: str) -> Mapping[str, int]:
    """The stock a holder has, raising when it does not exist."""
    if holder.kind == "depot":
        return problem.depots[_depot_index(problem, holder.id, f"{path}.depot")].stock
    _check_known(problem, holder.id, f"{path}.technician")
    return problem.technician(holder.id).stock


def _with_stock(problem: Problem, holder: Holder, stock: dict[str, int]) -> Problem:
    """`problem` with the holder's stock replaced."""
    if holder.kind == "depot":
        depots = tuple(replace(d, stock=stock) if d.id == holder.id else d for d in problem.depots)
        return replace(problem, depots=depots)
    techs = tuple(replace(t, stock=stock) if t.id == holder.id else t for t in problem.technicians)
    return replace(problem, technicians=techs)


@dataclass(frozen=True, slots=True)
class MoveStock:
    """Move spare parts between depots and vans before the day starts."""

    source: Holder
    target: Holder
    parts: Mapping[str, int] = field(default_factory=dict)

    def apply(self, problem: Problem) -> Problem:
        """The problem with the parts taken from `source` and added to `target`."""
        have = dict(_stock_of(problem, self.source, "from"))
        get = dict(_stock_of(problem, self.target, "to"))
        if self.source == self.target:
            raise _fail("to", "is the same holder as from")
        for sku, qty in self.parts.items():
            held = have.get(sku, 0)
            if held < qty:
                who = f"{self.source.kind} {self.source.id}"
                raise _fail(loc_to_path(("parts", sku)), f"{who} holds {held}, cannot move {qty}")
            have[sku] -= qty
            get[sku] = get.get(sku, 0) + qty
        have = {sku: q for sku, q in have.items() if q > 0}
        return _with_stock(_with_stock(problem, self.source, have), self.target, get)

    def describe(self) -> str:
        """One line for the comparison report."""
        parts = ", ".join(f"{q} x {sku}" for sku, q in self.parts.items())
        src, dst = self.source, self.target
        return f"move {parts} from {src.kind} {src.id} to {dst.kind} {dst.id}"


# --------------------------------------------------------------------------- tickets


@dataclass(frozen=True, slots=True)
class AddTickets:
    """Add `count` generated tickets near the base problem's area (seeded, so repeatable);
    ids are `id_prefix` + a number and must not clash with existing tickets."""

    count: int
    seed: int = 0
    id_prefix: str = "NEW-"

    def apply(self, problem: Problem) -> Problem:
        """The problem with the generated tickets appended."""
        from dispatch_opt.whatif.newtickets import generated_tickets

        _no_matrix(problem, "add_tickets")
        new = generated_tickets(problem, self.count, self.seed, self.id_prefix)
        existing = {t.id for t in problem.tickets}
        clash = [t.id for t in new if t.id in existing]
        if clash:
            raise _fail("id_prefix", f"ticket {clash[0]} already exists: choose another prefix")
        return replace(problem, tickets=problem.tickets + new)

    def describe(self) -> str:
        """One line for the comparison report."""
        return f"add {self.count} generated tickets (seed {self.seed}, ids {self.id_prefix}...)"


# --------------------------------------------------------------------------- objective, solve


@dataclass(frozen=True, slots=True)
class ChangeObjective:
    """Change some objective weights; the others stay as in the problem. A number for
    `unassigned_penalty` scales with the ticket weight (x1/x2/x4/x8), as in the contract."""

    weights: Mapping[str, float] = field(default_factory=dict)
    unassigned_penalty: float | Mapping[Priority, float] | None = None

    def apply(self, problem: Problem) -> Problem:
        """The problem with the new weights."""
        objective: Objective = replace(problem.objective, **self.weights)
        penalty = self.unassigned_penalty
        if isinstance(penalty, int | float):
            table = {p: float(penalty) * PRIORITY_WEIGHT[p] for p in Priority}
            objective = replace(objective, unassigned_penalty=table)
        elif penalty is not None:
            table = {**objective.unassigned_penalty, **penalty}
            objective = replace(objective, unassigned_penalty=table)
        return replace(problem, objective=objective)

    def describe(self) -> str:
        """One line for the comparison report."""
        parts = [f"{k} {v:g}" for k, v in self.weights.items()]
        penalty = self.unassigned_penalty
        if isinstance(penalty, int | float):
            parts.append(f"unassigned_penalty {penalty:g} per weight unit")
        elif penalty is not None:
            parts += [f"unassigned_penalty.{p} {v:g}" for p, v in penalty.items()]
        return f"objective: {', '.join(parts)}"


@dataclass(frozen=True, slots=True)
class SetTimeLimit:
    """Give this variant its own search time limit (seconds for the whole answer)."""

    time_limit_s: float

    def apply(self, problem: Problem) -> Problem:
        """The problem with the new time limit."""
        return replace(problem, solve=replace(problem.solve, time_limit_s=self.time_limit_s))

    def describe(self) -> str:
        """One line for the comparison report."""
        return f"time limit {self.time_limit_s:g} s"


Change = (
    RemoveTechnicians
    | AddTechnicians
    | ChangeShifts
    | CloseDepot
    | MoveStock
    | AddTickets
    | ChangeObjective
    | SetTimeLimit
)
