"""The pure domain model of a dispatch problem: tickets, technicians, depots, travel, weights.

Everything here mirrors contract v1 in plain frozen dataclasses with real units (aware
datetimes, minutes, GPS degrees). Nothing here knows JSON, HTTP or OR-Tools; the io layer
builds these objects and the routing layer compiles them into integer arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from dispatch_opt.domain.stock import Stock

if TYPE_CHECKING:
    from dispatch_opt.domain.state import DayState


class Priority(StrEnum):
    """Business priority of a ticket; its weight doubles at each step."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_WEIGHT: dict[Priority, int] = {
    Priority.LOW: 1,
    Priority.NORMAL: 2,
    Priority.HIGH: 4,
    Priority.URGENT: 8,
}


@dataclass(frozen=True, slots=True)
class Location:
    """A WGS84 position in decimal degrees."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval of wall-clock time [start, end]."""

    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        """True when `moment` lies inside the window, bounds included."""
        return self.start <= moment <= self.end


@dataclass(frozen=True, slots=True)
class Break:
    """A break of `duration_min` that must start inside `window`."""

    window: TimeWindow
    duration_min: float


@dataclass(frozen=True, slots=True)
class Depot:
    """A forward parts depot: where vans can pick up spare parts while it is open."""

    id: str
    location: Location
    stock: Stock
    open: TimeWindow
    pickup_min: float = 10.0


@dataclass(frozen=True, slots=True)
class Technician:
    """A field engineer and the van: shift, skills with levels, van stock, places."""

    id: str
    start: Location
    end: Location
    shift: TimeWindow
    skills: Mapping[str, int] = field(default_factory=dict)
    stock: Stock = field(default_factory=dict)
    breaks: tuple[Break, ...] = ()
    speed_factor: float = 1.0
    max_jobs: int | None = None
    max_travel_min: float | None = None
    overtime_max_min: float = 0.0
    under_way: bool = False
    """Its day began before its shift start here (a re-plan's rest of the day): it has
    left its first start already, so it no longer escapes a break by leaving late."""


@dataclass(frozen=True, slots=True)
class Ticket:
    """A service request to place: where, how long, when, who may do it, what it needs."""

    id: str
    location: Location
    duration_min: float
    type: str = "repair"
    time_windows: tuple[TimeWindow, ...] = ()
    skills: Mapping[str, int] = field(default_factory=dict)
    parts: Stock = field(default_factory=dict)
    priority: Priority = Priority.NORMAL
    vip: bool = False
    sla_due: datetime | None = None
    required: bool = False
    pinned_technician: str | None = None
    preferred_technicians: tuple[str, ...] = ()
    excluded_technicians: tuple[str, ...] = ()

    @property
    def weight(self) -> int:
        """Contract weight: low 1, normal 2, high 4, urgent 8; VIP doubles it."""
        return PRIORITY_WEIGHT[self.priority] * (2 if self.vip else 1)


class TravelModel(StrEnum):
    """How travel times between two points are obtained."""

    HAVERSINE = "haversine"
    ROAD_GRAPH = "road_graph"
    MATRIX = "matrix"


@dataclass(frozen=True, slots=True)
class SpeedBand:
    """An hour band of the day (local time of the horizon's offset) for road_graph travel:
    free-flow speeds times a factor per road group (major, arterial, minor)."""

    name: str
    start_min: int
    end_min: int
    major: float = 1.0
    arterial: float = 1.0
    minor: float = 1.0


@dataclass(frozen=True, slots=True)
class TravelSpec:
    """Travel settings of a problem; `matrix` mode carries the full given matrices.

    road_graph only: `speed_bands` (None = the documented default day), `class_speeds_kmh`
    (overrides of the free-flow speed per road class), `max_snap_m` (farthest a point may
    lie from its road node), `solver_band` (`conservative` or a band name: the one matrix
    the solver sees) and `cache_dir` (None = the default on-disk matrix cache)."""

    model: TravelModel = TravelModel.HAVERSINE
    speed_kmh: float = 25.0
    circuity: float = 1.35
    stop_overhead_min: float = 5.0
    graph: str | None = None
    locations: tuple[str, ...] = ()
    durations_s: np.ndarray | None = None
    distances_m: np.ndarray | None = None
    speed_bands: tuple[SpeedBand, ...] | None = None
    class_speeds_kmh: Mapping[str, float] = field(default_factory=dict)
    max_snap_m: float = 300.0
    solver_band: str = "conservative"
    cache_dir: str | None = None


DEFAULT_UNASSIGNED_PENALTY: dict[Priority, float] = {
    Priority.LOW: 10_000.0,
    Priority.NORMAL: 20_000.0,
    Priority.HIGH: 40_000.0,
    Priority.URGENT: 80_000.0,
}


@dataclass(frozen=True, slots=True)
class Objective:
    """Weights of the objective, in cost units (one unit = one minute of driving).

    The defaults make the objective lexicographic in effect: weighted tickets served,
    then SLA lateness, then travel time, then overtime. A VIP ticket's penalty doubles.
    """

    unassigned_penalty: Mapping[Priority, float] = field(
        default_factory=lambda: dict(DEFAULT_UNASSIGNED_PENALTY)
    )
    sla_late_per_min: float = 10.0
    travel_per_min: float = 1.0
    travel_per_km: float = 0.0
    overtime_per_min: float = 0.5
    preference_bonus: float = 15.0
    route_span_per_min: float = 0.0

    def penalty_of(self, ticket: Ticket) -> float:
        """Cost of leaving `ticket` unserved (VIP doubles it)."""
        return self.unassigned_penalty[ticket.priority] * (2.0 if ticket.vip else 1.0)


SEED_LIMIT = 2**32
"""Seeds are integers from 0 below this (PyVRP's generator takes 32 bits)."""


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """How long and how to search; `deterministic` swaps the clock for an effort limit."""

    time_limit_s: float | None = None
    seed: int = 0
    workers: int | None = None
    deterministic: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """A whole dispatch problem: one batch of tickets and the technicians of the day."""

    name: str
    horizon: TimeWindow
    technicians: tuple[Technician, ...]
    tickets: tuple[Ticket, ...] = ()
    depots: tuple[Depot, ...] = ()
    travel: TravelSpec = field(default_factory=TravelSpec)
    objective: Objective = field(default_factory=Objective)
    solve: SolveOptions = field(default_factory=SolveOptions)
    state: DayState | None = None  # the day so far, for re-planning (extra)

    def ticket(self, ticket_id: str) -> Ticket:
        """The ticket with this id (KeyError when absent)."""
        for t in self.tickets:
            if t.id == ticket_id:
                return t
        raise KeyError(ticket_id)

    def place(self, place_id: str) -> Location:
        """Where the depot or ticket with this id is (KeyError when neither)."""
        for d in self.depots:
            if d.id == place_id:
                return d.location
        return self.ticket(place_id).location

    def places(self) -> dict[str, Location]:
        """Every ticket's and depot's place by id, as `place` finds them, for many
        look-ups (`place` scans the tickets each time)."""
        return {t.id: t.location for t in self.tickets} | {d.id: d.location for d in self.depots}

    def technician(self, technician_id: str) -> Technician:
        """The technician with this id (KeyError when absent)."""
        for t in self.technicians:
            if t.id == technician_id:
                return t
        raise KeyError(technician_id)

    def with_changes(self, **changes: object) -> Problem:
        """A copy with some fields replaced (what-if and re-planning build on this)."""
        return replace(self, **changes)  # type: ignore[arg-type]
