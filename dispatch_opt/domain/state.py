"""The state of the day, for re-planning: the moment, where everyone is, what is done, and
the plan the customers were told about.

Pure frozen dataclasses in real units, like the rest of the domain. `Problem.state` holds
one; `dispatch_opt.replan` turns it into the residual problem the engine solves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dispatch_opt.domain.problem import Location
from dispatch_opt.domain.stock import Stock


@dataclass(frozen=True, slots=True)
class InProgress:
    """A visit under way: it stays where it is; `expected_end` covers an overrun."""

    ticket: str
    start: datetime
    expected_end: datetime | None = None


@dataclass(frozen=True, slots=True)
class TechnicianState:
    """Where one technician is now and when it is free (or which visit it is doing)."""

    id: str
    location: Location | None = None
    free_at: datetime | None = None
    in_progress: InProgress | None = None
    available: bool = True
    breaks_taken: int = 0
    stock: Stock | None = None
    driven_min: float = 0.0  # driving done today so far, counted against max_travel_min
    place_id: str | None = None  # the ticket or depot it is at: with matrix travel its row
    # (two tickets of one building may have different rows); its location when none given


@dataclass(frozen=True, slots=True)
class Assignment:
    """One visit of the previous plan: who, when; `confirmed` visits never move."""

    ticket: str
    technician: str
    start: datetime
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class Stability:
    """What churn costs, in objective units (one unit = one minute of driving)."""

    reassign_cost: float = 30.0
    move_per_min: float = 1.0
    tolerance_min: float = 30.0


NO_STABILITY = Stability(reassign_cost=0.0, move_per_min=0.0)
"""Stability weights that make a re-plan ignore the previous plan's assignment."""


@dataclass(frozen=True, slots=True)
class DayState:
    """The day so far: `now`, technicians' positions, done tickets, the previous plan.

    Nothing before `now` is re-planned; visits of the previous plan starting before
    `now + freeze_min` keep their technician, order and time."""

    now: datetime
    technicians: tuple[TechnicianState, ...] = ()
    done: tuple[str, ...] = ()
    previous: tuple[Assignment, ...] = ()
    previous_unassigned: tuple[str, ...] = ()
    freeze_min: float = 0.0
    stability: Stability = field(default_factory=Stability)

    def technician(self, technician_id: str) -> TechnicianState:
        """The state of a technician (a default one when the state does not list it)."""
        for t in self.technicians:
            if t.id == technician_id:
                return t
        return TechnicianState(id=technician_id)
