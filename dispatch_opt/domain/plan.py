"""The answer: routes with timed stops, unassigned tickets with reasons, KPIs, solver stats.

Times are aware datetimes, as in contract v1; the io layer writes them as RFC 3339.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class StopKind(StrEnum):
    """What happens at a stop of a route."""

    START = "start"
    DEPOT = "depot"
    TICKET = "ticket"
    BREAK = "break"
    END = "end"


@dataclass(frozen=True, slots=True)
class Stop:
    """One stop of a route; which fields are set depends on `kind` (see contract v1)."""

    kind: StopKind
    id: str | None = None
    at: datetime | None = None
    arrival: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None
    wait_min: float = 0.0
    late_min: float = 0.0
    parts: dict[str, int] = field(default_factory=dict)
    pickup: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PickLine:
    """What to load at one depot stop, when, and for which tickets of the route."""

    depot: str
    at: datetime
    parts: dict[str, int]
    tickets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PickList:
    """A van's parts for the day: stock loaded at the start, what the route's tickets
    take from it, and what to pick up where."""

    load_at_start: dict[str, int] = field(default_factory=dict)
    from_van: dict[str, int] = field(default_factory=dict)
    pickups: tuple[PickLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Route:
    """A technician's day: its stops in order and the totals over them."""

    technician: str
    stops: tuple[Stop, ...]
    travel_km: float = 0.0
    travel_min: float = 0.0
    work_min: float = 0.0
    overtime_min: float = 0.0
    pick_list: PickList | None = None

    @property
    def ticket_ids(self) -> list[str]:
        """Ids of the tickets served, in visiting order."""
        return [s.id for s in self.stops if s.kind is StopKind.TICKET and s.id is not None]


class ReasonCode(StrEnum):
    """Why a ticket is not in the plan."""

    NO_SKILLED_TECHNICIAN = "no_skilled_technician"
    PARTS_UNAVAILABLE = "parts_unavailable"
    OUTSIDE_SHIFTS = "outside_shifts"
    EXCLUDED = "excluded"
    CAPACITY = "capacity"
    PINNED_CONFLICT = "pinned_conflict"
    MAX_TRAVEL = "max_travel"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason, with a sentence a dispatcher can act on."""

    code: ReasonCode
    detail: str


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A ticket left out of the plan and why."""

    ticket: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Kpis:
    """Plan-wide figures, defined in contract v1."""

    tickets: int = 0
    assigned: int = 0
    assigned_by_priority: dict[str, int] = field(default_factory=dict)
    sla_met_rate: float = 0.0
    travel_km: float = 0.0
    travel_min: float = 0.0
    overtime_min: float = 0.0
    utilization: float = 0.0
    weighted_served: int = 0
    weighted_total: int = 0
    late_min: float = 0.0


@dataclass(frozen=True, slots=True)
class SolverStats:
    """What the engine did: its name, time, objective and seed."""

    engine: str = "dispatch-opt"
    time_s: float = 0.0
    objective: int = 0
    seed: int = 0
    first_solution_s: float | None = None
    compile_s: float | None = None
    status: str = ""


class PlanStatus(StrEnum):
    """solved: all served; partial: some not; infeasible: a required ticket is not."""

    SOLVED = "solved"
    PARTIAL = "partial"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True, slots=True)
class Reassigned:
    """A planned ticket that went to another technician (`to` None: no longer served)."""

    ticket: str
    previous: str
    to: str | None


@dataclass(frozen=True, slots=True)
class Moved:
    """A planned ticket whose start moved beyond the tolerance: call the customer."""

    ticket: str
    previous: datetime
    start: datetime

    @property
    def delta_min(self) -> float:
        """Minutes the start moved (positive = later)."""
        return (self.start - self.previous).total_seconds() / 60.0


@dataclass(frozen=True, slots=True)
class Churn:
    """What a re-plan changed against the previous plan."""

    reassigned: tuple[Reassigned, ...] = ()
    moved: tuple[Moved, ...] = ()
    tolerance_min: float = 0.0

    @property
    def calls(self) -> tuple[str, ...]:
        """Tickets whose customer must be called again (new technician or time)."""
        ids = [r.ticket for r in self.reassigned] + [m.ticket for m in self.moved]
        return tuple(dict.fromkeys(ids))


@dataclass(frozen=True, slots=True)
class Plan:
    """The whole answer to a Problem."""

    status: PlanStatus
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...] = ()
    kpis: Kpis = field(default_factory=Kpis)
    solver: SolverStats = field(default_factory=SolverStats)
    churn: Churn | None = None  # set by a re-plan (extra)
