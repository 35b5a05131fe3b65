"""Events of the day as small pure functions on a problem with a state; re-plan after.

Each takes a Problem whose `state` describes the day and returns a new Problem with the
event applied; nothing is solved here. `apply_event` dispatches an `Event` value (what
the CLI and the API receive). Unknown ids raise an InputError naming the field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta

from dispatch_opt.domain.problem import Priority, Problem, Ticket
from dispatch_opt.domain.state import DayState, TechnicianState
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.replan.residual import expected_end, residual_problem


def _state(problem: Problem) -> DayState:
    """The problem's state, or an input error."""
    if problem.state is None:
        raise InputError(Issue("state", "is required to apply an event"))
    return problem.state


def _with_tech_state(problem: Problem, ts: TechnicianState) -> Problem:
    """The problem with one technician's state replaced (or added)."""
    state = _state(problem)
    others = tuple(t for t in state.technicians if t.id != ts.id)
    return dataclasses.replace(problem, state=dataclasses.replace(state, technicians=(*others, ts)))


def _tech_state(problem: Problem, technician: str, field: str) -> TechnicianState:
    """A technician's current state; an unknown id is an input error on `field`."""
    if technician not in {t.id for t in problem.technicians}:
        raise InputError(Issue(field, f"technician '{technician}' is not defined"))
    return _state(problem).technician(technician)


def urgent_ticket(problem: Problem, ticket: Ticket, *, urgent: bool = True) -> Problem:
    """A new ticket arrives (as urgent unless told otherwise)."""
    _state(problem)
    if ticket.id in {t.id for t in problem.tickets}:
        raise InputError(Issue("ticket.id", f"ticket '{ticket.id}' already exists"))
    if urgent:
        ticket = dataclasses.replace(ticket, priority=Priority.URGENT)
    return dataclasses.replace(problem, tickets=(*problem.tickets, ticket))


def job_overran(problem: Problem, technician: str, minutes: float) -> Problem:
    """The technician's visit under way (or, with none, its free time) runs `minutes`
    longer than expected."""
    ts = _tech_state(problem, technician, "technician")
    delta = timedelta(minutes=minutes)
    state = _state(problem)
    if ts.in_progress is not None:
        ip = ts.in_progress
        end = expected_end(ip, problem.ticket(ip.ticket)) + delta
        ts = dataclasses.replace(ts, in_progress=dataclasses.replace(ip, expected_end=end))
    else:
        ts = dataclasses.replace(ts, free_at=max(ts.free_at or state.now, state.now) + delta)
    return _with_tech_state(problem, ts)


def technician_unavailable(problem: Problem, technician: str) -> Problem:
    """The technician takes no more work from now on (sick, van broken); a visit under
    way goes back to the pool, unfinished."""
    ts = _tech_state(problem, technician, "technician")
    here = ts.location
    if ts.in_progress is not None:
        here = problem.ticket(ts.in_progress.ticket).location
    ts = dataclasses.replace(ts, available=False, in_progress=None, location=here)
    return _with_tech_state(problem, ts)


def part_not_delivered(
    problem: Problem,
    sku: str,
    *,
    quantity: int | None = None,
    technician: str | None = None,
    depot: str | None = None,
) -> Problem:
    """`quantity` (default all) of a SKU expected on a van, or at a depot, is not there."""
    if (technician is None) == (depot is None):
        raise InputError(Issue("technician", "give exactly one of technician or depot"))
    if depot is not None:
        if depot not in {d.id for d in problem.depots}:
            raise InputError(Issue("depot", f"depot '{depot}' is not defined"))
        depots = tuple(
            dataclasses.replace(d, stock=_less(d.stock, sku, quantity)) if d.id == depot else d
            for d in problem.depots
        )
        return dataclasses.replace(problem, depots=depots)
    assert technician is not None
    ts = _tech_state(problem, technician, "technician")
    current = ts.stock
    if current is None:  # what the residual problem would load: start stock less done
        current = dict(residual_problem(problem).problem.technician(technician).stock)
    return _with_tech_state(problem, dataclasses.replace(ts, stock=_less(current, sku, quantity)))


def _less(stock: dict[str, int], sku: str, quantity: int | None) -> dict[str, int]:
    """Stock with `quantity` (default all) of a SKU removed."""
    out = dict(stock)
    out[sku] = 0 if quantity is None else max(0, out.get(sku, 0) - quantity)
    return out


@dataclass(frozen=True)
class UrgentTicket:
    """Event: a new ticket arrives."""

    ticket: Ticket
    urgent: bool = True


@dataclass(frozen=True)
class JobOverran:
    """Event: a technician's job runs `minutes` longer."""

    technician: str
    minutes: float


@dataclass(frozen=True)
class TechnicianUnavailable:
    """Event: a technician takes no more work today."""

    technician: str


@dataclass(frozen=True)
class PartNotDelivered:
    """Event: parts expected on a van or at a depot are not there."""

    sku: str
    quantity: int | None = None
    technician: str | None = None
    depot: str | None = None


Event = UrgentTicket | JobOverran | TechnicianUnavailable | PartNotDelivered


def apply_event(problem: Problem, event: Event) -> Problem:
    """The problem with one event applied (re-plan it with `replan`)."""
    if isinstance(event, UrgentTicket):
        return urgent_ticket(problem, event.ticket, urgent=event.urgent)
    if isinstance(event, JobOverran):
        return job_overran(problem, event.technician, event.minutes)
    if isinstance(event, TechnicianUnavailable):
        return technician_unavailable(problem, event.technician)
    return part_not_delivered(
        problem, event.sku, quantity=event.quantity, technician=event.technician,
        depot=event.depot,
    )  # fmt: skip
