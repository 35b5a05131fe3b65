"""The scenario file: a base problem and named variants, each a list of changes.

Pydantic checks the shape of the document here, at the edge; inside, a scenario is plain
dataclasses (`ScenarioSpec`, `Variant`, the changes of `changes`). Every variant's changes
are applied while parsing, so a change that does not fit the problem (an unknown
technician, more stock moved than there is) is an input error naming its field path,
`variants[1].changes[0].technicians[0]: unknown technician T99`, before anything is solved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from dispatch_opt.domain.problem import Break, Location, Priority, Problem, TimeWindow
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io.problem_io import (
    load_problem,
    location_from_doc,
    parse_problem,
    read_document_file,
    read_json_object,
    validation_issues,
    window_from_doc,
)
from dispatch_opt.io.schema import (
    BreakDoc,
    ContractModel,
    Id,
    LocationDoc,
    Name,
    NonNegative,
    PenaltyByPriorityDoc,
    Positive,
    Rfc3339,
    UnassignedPenalty,
    WindowDoc,
)
from dispatch_opt.whatif.changes import (
    AddTechnicians,
    AddTickets,
    Change,
    ChangeObjective,
    ChangeShifts,
    CloseDepot,
    Holder,
    MoveStock,
    NewTechnician,
    RemoveTechnicians,
    SetTimeLimit,
)

BASE_NAME = "base"
"""The name the base problem goes by in results; no variant may take it."""

Count = Annotated[int, Strict(), Field(ge=0)]
PositiveCount = Annotated[int, Strict(), Field(ge=1)]
MAX_ADDED_TICKETS = 5000


class _Doc(ContractModel):
    """Base of the scenario models: unknown fields are errors (a typo must not pass)."""


class _ChangeDoc(_Doc):
    """Base of the change documents: each makes its domain change."""

    def to_change(self) -> Change:
        """The domain change."""
        raise NotImplementedError


def _location(doc: LocationDoc | None) -> Location | None:
    """Domain location of an optional document."""
    return None if doc is None else location_from_doc(doc)


def _window(doc: WindowDoc | None) -> TimeWindow | None:
    """Domain window of an optional document."""
    return None if doc is None else window_from_doc(doc)


# --------------------------------------------------------------------------- change documents


class RemoveTechniciansDoc(_ChangeDoc):
    """`remove_technicians`: these technicians are out for the day."""

    kind: Literal["remove_technicians"]
    technicians: list[Id] = Field(min_length=1)

    def to_change(self) -> Change:
        """The domain change."""
        return RemoveTechnicians(tuple(self.technicians))


class NewTechnicianDoc(_Doc):
    """One added technician: a copy of `copy_of` with its own id and optional overrides."""

    id: Id
    copy_of: Id
    start: LocationDoc | None = None
    end: LocationDoc | None = None
    shift: WindowDoc | None = None
    overtime_max_min: NonNegative | None = None
    breaks: list[BreakDoc] | None = None


class AddTechniciansDoc(_ChangeDoc):
    """`add_technicians`: extra vans, each a copy of an existing technician."""

    kind: Literal["add_technicians"]
    technicians: list[NewTechnicianDoc] = Field(min_length=1)

    def to_change(self) -> Change:
        """The domain change."""
        return AddTechnicians(
            tuple(
                NewTechnician(
                    id=t.id,
                    copy_of=t.copy_of,
                    start=_location(t.start),
                    end=_location(t.end),
                    shift=_window(t.shift),
                    overtime_max_min=t.overtime_max_min,
                    breaks=None
                    if t.breaks is None
                    else tuple(Break(window_from_doc(b.window), b.duration_min) for b in t.breaks),
                )
                for t in self.technicians
            )
        )


def _at_least_one(doc: BaseModel, names: tuple[str, ...]) -> None:
    """Reject a change that changes nothing."""
    if not any(getattr(doc, n) is not None for n in names):
        raise PydanticCustomError("nothing_changed", f"give at least one of {', '.join(names)}")


class ChangeShiftsDoc(_ChangeDoc):
    """`change_shifts`: new shift start and/or end, or allowed overtime, for technicians."""

    kind: Literal["change_shifts"]
    technicians: list[Id] = Field(min_length=1)
    start: Rfc3339 | None = None
    end: Rfc3339 | None = None
    overtime_max_min: NonNegative | None = None

    @model_validator(mode="after")
    def _something(self) -> ChangeShiftsDoc:
        """At least one field must change."""
        _at_least_one(self, ("start", "end", "overtime_max_min"))
        return self

    def to_change(self) -> Change:
        """The domain change."""
        return ChangeShifts(tuple(self.technicians), self.start, self.end, self.overtime_max_min)


class CloseDepotDoc(_ChangeDoc):
    """`close_depot`: the depot is gone for the day, or closes at `from`."""

    kind: Literal["close_depot"]
    depot: Id
    from_: Rfc3339 | None = Field(default=None, alias="from")

    def to_change(self) -> Change:
        """The domain change."""
        return CloseDepot(self.depot, self.from_)


class HolderDoc(_Doc):
    """Who holds stock: exactly one of `depot` or `technician` (a van)."""

    depot: Id | None = None
    technician: Id | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> HolderDoc:
        """One holder, not both nor none."""
        if (self.depot is None) == (self.technician is None):
            raise PydanticCustomError("holder", "give exactly one of depot, technician")
        return self

    def to_holder(self) -> Holder:
        """The domain holder."""
        if self.depot is not None:
            return Holder("depot", self.depot)
        return Holder("technician", str(self.technician))


class MoveStockDoc(_ChangeDoc):
    """`move_stock`: parts moved from a depot or van to another before the day."""

    kind: Literal["move_stock"]
    from_: HolderDoc = Field(alias="from")
    to: HolderDoc
    parts: dict[Name, PositiveCount] = Field(min_length=1)

    def to_change(self) -> Change:
        """The domain change."""
        return MoveStock(self.from_.to_holder(), self.to.to_holder(), dict(self.parts))


class AddTicketsDoc(_ChangeDoc):
    """`add_tickets`: `count` seeded generator tickets near the problem's area."""

    kind: Literal["add_tickets"]
    count: Annotated[int, Strict(), Field(ge=1, le=MAX_ADDED_TICKETS)]
    seed: Count = 0
    id_prefix: Id = "NEW-"

    def to_change(self) -> Change:
        """The domain change."""
        return AddTickets(self.count, self.seed, self.id_prefix)


_WEIGHTS = (
    "sla_late_per_min",
    "travel_per_min",
    "travel_per_km",
    "overtime_per_min",
    "preference_bonus",
    "route_span_per_min",
)


class ChangeObjectiveDoc(_ChangeDoc):
    """`change_objective`: some weights changed, the others kept (contract names)."""

    kind: Literal["change_objective"]
    unassigned_penalty: UnassignedPenalty | None = None
    sla_late_per_min: NonNegative | None = None
    travel_per_min: NonNegative | None = None
    travel_per_km: NonNegative | None = None
    overtime_per_min: NonNegative | None = None
    preference_bonus: NonNegative | None = None
    route_span_per_min: NonNegative | None = None

    @model_validator(mode="after")
    def _something(self) -> ChangeObjectiveDoc:
        """At least one weight must change."""
        _at_least_one(self, ("unassigned_penalty", *_WEIGHTS))
        return self

    def to_change(self) -> Change:
        """The domain change."""
        weights = {n: getattr(self, n) for n in _WEIGHTS if getattr(self, n) is not None}
        penalty: float | dict[Priority, float] | None = None
        if isinstance(self.unassigned_penalty, PenaltyByPriorityDoc):
            given = {p: getattr(self.unassigned_penalty, p.value) for p in Priority}
            penalty = {p: v for p, v in given.items() if v is not None}
        elif self.unassigned_penalty is not None:
            penalty = float(self.unassigned_penalty)
        return ChangeObjective(weights, penalty)


class SetTimeLimitDoc(_ChangeDoc):
    """`set_time_limit`: this variant's own search time, seconds."""

    kind: Literal["set_time_limit"]
    time_limit_s: Positive

    def to_change(self) -> Change:
        """The domain change."""
        return SetTimeLimit(self.time_limit_s)


CHANGE_DOCS: dict[str, type[_ChangeDoc]] = {
    "remove_technicians": RemoveTechniciansDoc,
    "add_technicians": AddTechniciansDoc,
    "change_shifts": ChangeShiftsDoc,
    "close_depot": CloseDepotDoc,
    "move_stock": MoveStockDoc,
    "add_tickets": AddTicketsDoc,
    "change_objective": ChangeObjectiveDoc,
    "set_time_limit": SetTimeLimitDoc,
}
"""Change kinds and their models (the `kind` field picks one)."""


# --------------------------------------------------------------------------- scenario document


class VariantDoc(_Doc):
    """A named variant: the changes made to the base, in order."""

    name: Id
    description: str = ""
    changes: list[dict[str, Any]] = Field(default_factory=list)


class ScenarioDoc(_Doc):
    """A what-if scenario: a base problem (inline, or a path relative to this file)."""

    name: str = ""
    description: str = ""
    base: Annotated[str, Strict()] | dict[str, Any]
    time_limit_s: Positive | None = None
    variants: list[VariantDoc] = Field(min_length=1)


# --------------------------------------------------------------------------- domain


@dataclass(frozen=True, slots=True)
class Variant:
    """A variant: its changes and the problem they make of the base."""

    name: str
    changes: tuple[Change, ...]
    problem: Problem
    description: str = ""

    @property
    def own_time_limit_s(self) -> float | None:
        """The time limit a `set_time_limit` change gave this variant, if any."""
        limits = [c.time_limit_s for c in self.changes if isinstance(c, SetTimeLimit)]
        return limits[-1] if limits else None


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """A parsed scenario: the base problem and every variant, all changes applied."""

    base: Problem
    variants: tuple[Variant, ...]
    name: str = ""
    description: str = ""
    time_limit_s: float | None = None


def _prefixed(prefix: str, issues: list[Issue]) -> list[Issue]:
    """Issues moved under `prefix` (`variants[0].changes[1]` + `.technicians[0]`)."""
    return [issue.under(prefix) for issue in issues]


def _change_doc(raw: Mapping[str, Any], path: str) -> tuple[_ChangeDoc | None, list[Issue]]:
    """Validate one change document against the model its `kind` names."""
    kind = raw.get("kind")
    if kind is None:
        return None, [Issue(f"{path}.kind", f"is required: one of {', '.join(CHANGE_DOCS)}")]
    model = CHANGE_DOCS.get(kind) if isinstance(kind, str) else None
    if model is None:
        rule = f"unknown kind {kind!r}: must be one of {', '.join(CHANGE_DOCS)}"
        return None, [Issue(f"{path}.kind", rule)]
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        return None, _prefixed(path, validation_issues(exc, model))


def _variant(base: Problem, doc: VariantDoc, path: str) -> tuple[Variant | None, list[Issue]]:
    """Validate a variant's changes and apply them to the base, in order."""
    problem, changes, issues = base, [], []
    for j, raw in enumerate(doc.changes):
        where = f"{path}.changes[{j}]"
        change_doc, found = _change_doc(raw, where)
        issues += found
        if change_doc is None or issues:
            continue  # later changes could depend on this one: check their shape only
        change = change_doc.to_change()
        try:
            problem = change.apply(problem)
        except InputError as exc:
            issues += _prefixed(where, exc.issues)
            continue
        changes.append(change)
    if issues:
        return None, issues
    return Variant(doc.name, tuple(changes), problem, doc.description), []


def _base_problem(base: str | dict[str, Any], base_dir: Path | None) -> Problem:
    """The base problem, inline or read from a path relative to the scenario file."""
    if isinstance(base, dict):
        try:
            return parse_problem(base)
        except InputError as exc:
            raise InputError(_prefixed("base", exc.issues)) from None
    if base_dir is None:
        raise InputError(Issue("base", "a path needs a scenario file: give the problem inline"))
    try:
        return load_problem(base_dir / base)
    except InputError as exc:
        raise InputError([Issue("base", f"in {base}: {i}") for i in exc.issues]) from None


def _name_issues(docs: list[VariantDoc]) -> list[Issue]:
    """Variant names are unique and not the base's."""
    issues, seen = [], set[str]()
    for i, doc in enumerate(docs):
        if doc.name.strip().lower() == BASE_NAME:
            issues.append(Issue(f"variants[{i}].name", f"'{BASE_NAME}' is the base's name"))
        elif doc.name in seen:
            issues.append(Issue(f"variants[{i}].name", f"duplicate variant name '{doc.name}'"))
        seen.add(doc.name)
    return issues


def parse_scenario(
    data: Mapping[str, Any] | str | bytes, base_dir: Path | None = None
) -> ScenarioSpec:
    """Validate a scenario (object, JSON text or bytes) and apply every variant's changes.

    A base given as a path is read relative to `base_dir`; without one (an HTTP request)
    only an inline base is accepted, so a request cannot make the server read its files."""
    raw, issues = read_json_object(data)
    try:
        doc = ScenarioDoc.model_validate(raw)
    except ValidationError as exc:
        raise InputError(issues + validation_issues(exc, ScenarioDoc)) from None
    issues += _name_issues(doc.variants)
    base = _base_problem(doc.base, base_dir)
    variants = []
    for i, vdoc in enumerate(doc.variants):
        variant, found = _variant(base, vdoc, f"variants[{i}]")
        issues += found
        if variant is not None:
            variants.append(variant)
    if issues:
        raise InputError(issues)
    return ScenarioSpec(base, tuple(variants), doc.name, doc.description, doc.time_limit_s)


def load_scenario(path: str | Path) -> ScenarioSpec:
    """Read a scenario file; a base given as a path is relative to the file."""
    path = Path(path)
    return parse_scenario(read_document_file(path), base_dir=path.parent)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(name: str) -> str:
    """A file-name-safe form of a variant name (`T07 sick` -> `T07-sick`)."""
    return _UNSAFE.sub("-", name).strip("-.") or "variant"
