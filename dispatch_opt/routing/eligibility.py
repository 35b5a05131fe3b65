"""Who may serve which ticket, and why nobody can: the pre-solve pass.

Each rule narrows the set of technicians per ticket in a fixed order (skills, pinned,
excluded, parts, max_jobs, time, driving limit). A ticket whose set becomes empty gets
the reason of the rule that emptied it, with a sentence a dispatcher can act on.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import numpy as np

from dispatch_opt.domain.plan import Reason, ReasonCode
from dispatch_opt.domain.problem import Problem, Ticket
from dispatch_opt.domain.stock import missing
from dispatch_opt.routing.instance import RoutingInstance


def _skill_mask(problem: Problem) -> np.ndarray:
    """(N, V) bool: technician holds every skill of the ticket at the level or above.
    One comparison per distinct (skill, level) asked for, shared by its tickets."""
    techs = problem.technicians
    mask = np.ones((len(problem.tickets), len(techs)), dtype=bool)
    asking: dict[tuple[str, int], list[int]] = {}
    for k, ticket in enumerate(problem.tickets):
        for need in ticket.skills.items():
            asking.setdefault(need, []).append(k)
    for (skill, level), ks in asking.items():
        held = np.array([t.skills.get(skill, 0) for t in techs], dtype=np.int64)
        mask[ks] &= held >= level
    return mask


def _skill_detail(problem: Problem, ticket: Ticket) -> str:
    """'needs ac>=4; best available is 3' for each skill nobody holds high enough."""
    parts = []
    for skill, level in ticket.skills.items():
        best = max((t.skills.get(skill, 0) for t in problem.technicians), default=0)
        if best < level:
            have = f"best available is {best}" if best else "no technician has it"
            parts.append(f"needs {skill}>={level}; {have}")
    if not parts:
        wanted = ", ".join(f"{s}>={lvl}" for s, lvl in ticket.skills.items())
        return f"needs {wanted}; no single technician holds all of them"
    return "; ".join(parts)


def _clock(problem: Problem, seconds: int) -> str:
    """HH:MM of a time given in seconds from the horizon start."""
    return (problem.horizon.start + timedelta(seconds=int(seconds))).strftime("%H:%M")


def _legs_s(inst: RoutingInstance) -> tuple[np.ndarray, np.ndarray]:
    """(N, V) integer driving seconds start -> ticket and ticket -> end, per vehicle,
    with the same rounding as the solver (`RoutingInstance.drive_s`); on a given matrix
    the shortest way through any places (`RoutingInstance.least_drive`), since a route
    may drive that way."""
    n_v = inst.n_vehicles
    tickets = inst.first_ticket_node + np.arange(inst.n_tickets)
    go = np.zeros((inst.n_tickets, n_v), dtype=np.int64)
    back = np.zeros((inst.n_tickets, n_v), dtype=np.int64)
    for factor, vs in inst.speed_groups:
        go[:, vs] = inst.least_drive(factor, *np.ix_(vs, tickets)).T
        back[:, vs] = inst.least_drive(factor, *np.ix_(tickets, n_v + vs))
    return go, back


def _time_feasible(
    inst: RoutingInstance, go: np.ndarray, back: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(N, V) feasibility of each ticket alone on each route, and the earliest start.

    Leaves at shift start, drives there (`go`, from `_legs_s`, plus the overhead),
    starts in the first reachable window, serves, drives to the end place (`back`)
    before the latest end."""
    n_v, n_t = inst.n_vehicles, inst.n_tickets
    tickets = inst.first_ticket_node + np.arange(n_t)
    same = inst.loc_id[np.arange(n_v)][None, :] == inst.loc_id[tickets][:, None]
    arrival = inst.shift_start_s[None, :] + go + np.where(same, 0, inst.overhead_s)
    service = inst.service_s[tickets][:, None]
    windows = padded_windows(inst, np.arange(n_t))
    return window_fit(arrival, windows, service, back, inst.latest_end_s[None, :])


def padded_windows(inst: RoutingInstance, tickets: np.ndarray) -> np.ndarray:
    """(T, W, 2) int: the service-start windows of `tickets`, each padded to the widest
    with [-1, -2], which no start fits."""
    width = max((len(inst.windows[k]) for k in tickets), default=0)
    out = np.empty((len(tickets), width, 2), dtype=np.int64)
    out[...] = (-1, -2)
    for i, k in enumerate(tickets):
        out[i, : len(inst.windows[k])] = inst.windows[k]
    return out


def window_fit(
    arrival: np.ndarray,
    windows: np.ndarray,
    service: np.ndarray,
    back: np.ndarray,
    latest: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per ticket (row) and technician (column): whether service can start in one of the
    ticket's `windows` ((T, W, 2), `padded_windows`) at or after `arrival` ((T, X)) and,
    after `service` and the drive `back`, end by `latest`; and the earliest such start
    (int64's largest where none). Shared by eligibility and the pickups' reachability."""
    ok = np.zeros(arrival.shape, dtype=bool)
    earliest = np.full(arrival.shape, np.iinfo(np.int64).max, dtype=np.int64)
    for col in range(windows.shape[1]):
        begin = np.maximum(arrival, windows[:, col, 0][:, None])
        fits = (begin <= windows[:, col, 1][:, None]) & (begin + service + back <= latest)
        ok |= fits
        earliest = np.where(fits, np.minimum(earliest, begin), earliest)
    return ok, earliest


def compute_eligibility(
    problem: Problem, inst: RoutingInstance
) -> tuple[np.ndarray, dict[int, tuple[Reason, ...]]]:
    """Allowed (N, V) matrix and the reasons of the tickets left with nobody.

    Every rule is a (N, V) mask, computed for all tickets at once; a ticket some
    technician passes every rule for is allowed where it does. Only the tickets left
    with nobody go through the rules one by one, in order, to be told which rule emptied
    their set (a rule never widens it, so their order does not change who is left)."""
    index = {t.id: v for v, t in enumerate(problem.technicians)}
    go, back = _legs_s(inst)  # once: on a given matrix they are shortest-way searches
    time_ok, _earliest = _time_feasible(inst, go, back)
    limit = inst.max_travel_s[None, :]
    masks = _RuleMasks(
        skilled=_skill_mask(problem),
        pins_and_exclusions=_pins_and_exclusions(problem, index),
        parts=_parts_mask(inst),
        capacity=np.broadcast_to(inst.max_jobs != 0, time_ok.shape),
        time=time_ok,
        travel=(limit < 0) | (go + back <= limit),
    )
    allowed = masks.passing()
    reasons: dict[int, tuple[Reason, ...]] = {}
    ids = np.array([t.id for t in problem.technicians], dtype=object)
    for k in np.flatnonzero(~allowed.any(axis=1)):
        reasons[int(k)] = _why_nobody(problem, inst, masks, index, ids, int(k))
    return allowed, reasons


@dataclasses.dataclass(frozen=True)
class _RuleMasks:
    """Per rule, (N, V) whether the technician passes it for the ticket."""

    skilled: np.ndarray  # every skill at the level or above
    pins_and_exclusions: np.ndarray  # the pinned technician if any, never an excluded one
    parts: np.ndarray  # the van, alone or with depot stock, covers the parts
    capacity: np.ndarray  # max_jobs is not 0
    time: np.ndarray  # the ticket alone fits a window and the shift
    travel: np.ndarray  # start -> ticket -> end within the driving limit

    def passing(self) -> np.ndarray:
        """(N, V) the technicians passing every rule."""
        named = self.skilled & self.pins_and_exclusions
        return named & self.parts & self.capacity & self.time & self.travel


def _pins_and_exclusions(problem: Problem, index: dict[str, int]) -> np.ndarray:
    """(N, V) bool: the pinned technician alone where a ticket is pinned, and never one it
    excludes (`index`: each technician's column)."""
    mask = np.ones((len(problem.tickets), len(index)), dtype=bool)
    for k, ticket in enumerate(problem.tickets):
        if ticket.pinned_technician is not None:
            mask[k] = False
            mask[k, index[ticket.pinned_technician]] = True
        for tid in ticket.excluded_technicians:
            mask[k, index[tid]] = False
    return mask


def _why_nobody(
    problem: Problem,
    inst: RoutingInstance,
    masks: _RuleMasks,
    index: dict[str, int],
    ids: np.ndarray,
    k: int,
) -> tuple[Reason, ...]:
    """The reasons of ticket k, whom no technician passes every rule for: the rules in
    order (skills, pinned, excluded, parts, capacity, time, driving limit), the one that
    empties the set first, then those that took out some of it before."""
    techs = problem.technicians
    ticket = problem.tickets[k]
    row = masks.skilled[k]
    if not row.any():
        return (Reason(ReasonCode.NO_SKILLED_TECHNICIAN, _skill_detail(problem, ticket)),)
    if ticket.pinned_technician is not None:
        v = index[ticket.pinned_technician]
        if ticket.pinned_technician in ticket.excluded_technicians:
            detail = f"pinned to {ticket.pinned_technician}, who is also excluded"
            return (Reason(ReasonCode.PINNED_CONFLICT, detail),)
        if not row[v]:
            detail = f"pinned to {ticket.pinned_technician}, who lacks " + ", ".join(
                f"{s}>={lvl} (has {techs[v].skills.get(s, 0)})"
                for s, lvl in ticket.skills.items()
                if techs[v].skills.get(s, 0) < lvl
            )
            return (Reason(ReasonCode.PINNED_CONFLICT, detail),)
        row = np.zeros_like(row)
        row[v] = True
    left = _Candidates(row, ids)
    if not left.keep(masks.pins_and_exclusions[k], ReasonCode.EXCLUDED):
        detail = f"every qualified technician is excluded ({_names(ids, row)})"
        return left.reasons(ReasonCode.EXCLUDED, detail)
    if not left.keep(masks.parts[k], ReasonCode.PARTS_UNAVAILABLE):
        return left.reasons(ReasonCode.PARTS_UNAVAILABLE, parts_detail(problem, ticket))
    if not left.keep(masks.capacity[k], ReasonCode.CAPACITY):
        detail = f"every qualified technician{left.others} has max_jobs 0"
        return left.reasons(ReasonCode.CAPACITY, detail)
    if not left.keep(masks.time[k], ReasonCode.OUTSIDE_SHIFTS):
        detail = _time_detail(problem, inst, k, left.row)
        return left.reasons(ReasonCode.OUTSIDE_SHIFTS, detail)
    if not left.keep(masks.travel[k], ReasonCode.MAX_TRAVEL):
        detail = f"too far for the driving limit of every qualified technician{left.others}"
        return left.reasons(ReasonCode.MAX_TRAVEL, detail)
    raise AssertionError(f"ticket {k} passes every rule for some technician")


RULE_NAMES = {
    ReasonCode.EXCLUDED: "excluded",
    ReasonCode.PARTS_UNAVAILABLE: "no van or depot stock for its parts",
    ReasonCode.CAPACITY: "max_jobs 0",
    ReasonCode.OUTSIDE_SHIFTS: "no window within their day",
    ReasonCode.MAX_TRAVEL: "driving limit",
}
"""How a partial reason names the rule that took some of the qualified technicians out."""


class _Candidates:
    """The technicians still able to serve a ticket as the rules are applied in turn,
    and which rule took out which of the others: a ticket nobody can serve is told the
    rule that took out the last of them, then those that took out the rest."""

    def __init__(self, row: np.ndarray, ids: np.ndarray) -> None:
        self.row = row.copy()
        self.ids = ids
        self.ruled_out: list[Reason] = []

    def keep(self, mask: np.ndarray, code: ReasonCode) -> bool:
        """Narrow to `mask`; False (nothing narrowed) when that would leave nobody."""
        if not (self.row & mask).any():
            return False
        gone = self.row & ~mask
        if gone.any():
            self.ruled_out.append(Reason(code, f"{RULE_NAMES[code]}: {_names(self.ids, gone)}"))
        self.row &= mask
        return True

    @property
    def others(self) -> str:
        """ " left" when a rule took out some qualified technicians before, else ""."""
        return " left" if self.ruled_out else ""

    def reasons(self, code: ReasonCode, detail: str) -> tuple[Reason, ...]:
        """The reasons of a ticket the rule `code` left with nobody."""
        return (Reason(code, detail), *self.ruled_out)


def _names(ids: np.ndarray, mask: np.ndarray, most: int = 6) -> str:
    """The ids where `mask` holds, at most `most` of them, then how many more."""
    names = [str(x) for x in ids[mask]]
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(names[:most]) + more


SPLIT_MOST = 3
"""Depots a load split over several may span (`routing.pickups`): parts spread wider are
not planned."""

SPLIT_SHELVES = 16
"""Depot shelves (on a ticket's SKUs) whose sets of three `_with_split_loads` tries: those
holding most of the need, with the fullest few of each SKU always among them; C(16 + a
few, 3) sets per ticket at most. Pairs are tried over every distinct shelf."""


def _parts_mask(inst: RoutingInstance) -> np.ndarray:
    """(N, V) bool: the van covers the ticket's parts, alone or with the shelves of one,
    two or three depots (a load split over several: `routing.pickups`); True for tickets
    needing none."""
    ok = parts_covered(inst.stock, inst.demand)
    for shelf in inst.depot_stock:
        ok |= parts_covered(inst.stock + shelf, inst.demand)
    if len(inst.depot_stock) >= 2:
        for k in np.flatnonzero(~ok.all(axis=1)):  # only tickets needing parts
            ok[k] = _with_split_loads(inst, int(k), ok[k])
    return ok


def parts_covered(stock: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """(N, V) bool: `stock` ((V, S)) holds every part of each row of `demand` ((N, S)),
    one SKU at a time over the tickets asking for it (a ticket asks for few)."""
    ok = np.ones((len(demand), len(stock)), dtype=bool)
    for sku in np.flatnonzero(demand.any(axis=0)):
        ks = np.flatnonzero(demand[:, sku])
        ok[ks] &= stock[None, :, sku] >= demand[ks, sku, None]
    return ok


def _with_split_loads(inst: RoutingInstance, k: int, ok: np.ndarray) -> np.ndarray:
    """(V,) bool: `ok` (the vans covering ticket k's parts alone or with one depot) and the
    vans covering them with the shelves of two or three depots."""
    need = inst.demand[k]
    ok = ok.copy()
    cols = np.flatnonzero(need)  # a ticket needs few SKUs: the sets on those columns only
    want = need[cols]
    capped = np.minimum(inst.depot_stock[:, cols], want)
    lacking = np.flatnonzero(~ok)
    vans, van_of = np.unique(
        np.minimum(inst.stock[lacking][:, cols], want), axis=0, return_inverse=True
    )
    distinct, counts = np.unique(capped, axis=0, return_counts=True)
    stocked = distinct.any(axis=1)
    distinct, counts = distinct[stocked], counts[stocked]
    covered = np.zeros(len(vans), dtype=bool)
    for size in range(2, SPLIT_MOST + 1):
        shelves = _split_shelves(distinct, counts, size)
        if not (vans[~covered] + shelves.sum(axis=0) >= want).all(axis=1).any():
            continue  # not even all these shelves together complete a van still lacking
        sets = np.array(list(itertools.combinations(range(len(shelves)), size)), dtype=np.int64)
        if not len(sets):
            continue
        loads = shelves[sets].sum(axis=1)  # (sets, cols)
        covered |= (vans[:, None, :] + loads[None, :, :] >= want).all(axis=2).any(axis=1)
        if covered.all():
            break
    ok[lacking] = covered[van_of.reshape(-1)]
    return ok


def _split_shelves(distinct: np.ndarray, counts: np.ndarray, size: int) -> np.ndarray:
    """The depot shelves worth combining `size` at a time, from the `distinct` non-empty
    ones (each depot's stock of the ticket's SKUs, capped at its need) held by `counts`
    depots: each as often as it occurs, up to `size` times (two depots with one pump each
    make two pumps). For sets of three, only the `SPLIT_SHELVES` holding most of the need
    and the three fullest of each SKU (a rare SKU's only shelf is never left out)."""
    shelves = np.repeat(distinct, np.minimum(counts, size), axis=0)
    if size < 3 or len(shelves) <= SPLIT_SHELVES:
        return shelves
    most = np.argsort(-shelves.sum(axis=1), kind="stable")[:SPLIT_SHELVES]
    fullest = np.argsort(-shelves, axis=0, kind="stable")[:SPLIT_MOST].reshape(-1)
    return shelves[np.unique(np.concatenate([most, fullest]))]


def parts_detail(problem: Problem, ticket: Ticket) -> str:
    """Which SKUs neither a qualified van nor a depot can supply."""
    lacking: dict[str, int] = {}
    for t in problem.technicians:
        for sku, qty in missing(t.stock, ticket.parts).items():
            lacking[sku] = max(lacking.get(sku, 0), qty)
    wanted = ", ".join(f"{sku} x{ticket.parts[sku]}" for sku in lacking) or "its parts"
    partial = [d.id for d in problem.depots if any(d.stock.get(s, 0) > 0 for s in lacking)]
    if partial:
        return (
            f"needs {wanted}; no qualified van carries it, and no one, two or three depots "
            f"complete it (some of it at {', '.join(partial[:4])})"
        )
    return f"needs {wanted}; no stock anywhere: no qualified van or depot has enough"


def _time_detail(problem: Problem, inst: RoutingInstance, k: int, row: np.ndarray) -> str:
    """Why no qualified technician can start the ticket inside a window and its shift."""
    windows = ", ".join(
        f"{_clock(problem, lo)}-{_clock(problem, hi)}" for lo, hi in inst.windows[k]
    )
    vs = np.flatnonzero(row)
    node = inst.ticket_node(k)
    best_v, best_arrival = None, None
    for v in vs:
        drive = int(inst.least_drive(float(inst.speed_factor[v]), v, node))
        arrival = int(inst.shift_start_s[v]) + drive + inst.overhead_s
        if best_arrival is None or arrival < best_arrival:
            best_v, best_arrival = v, arrival
    if best_v is None or best_arrival is None:
        return f"no qualified technician works during its windows ({windows})"
    ends = "every qualified shift ends"
    if (inst.latest_end_s[vs] >= inst.horizon_s).all():  # the horizon, not the shifts
        ends = f"the planning horizon ends at {_clock(problem, int(inst.horizon_s))},"
    return (
        f"window {windows}; the earliest a qualified technician can be there is "
        f"{_clock(problem, best_arrival)} ({inst.vehicle_ids[best_v]}), and {ends} "
        f"too early to serve it and get back"
    )
