"""Formatting of times, durations and quantities for the dispatcher views."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from dispatch_opt.domain.plan import Stop
from dispatch_opt.domain.problem import Problem, Ticket


def zone(problem: Problem) -> tzinfo | None:
    """The time zone the views show times in: the one of the horizon start."""
    return problem.horizon.start.tzinfo


def hm(moment: datetime | None, tz: tzinfo | None) -> str:
    """HH:MM of a moment in `tz`, or an empty string."""
    if moment is None:
        return ""
    return (moment.astimezone(tz) if tz is not None else moment).strftime("%H:%M")


def minutes(value: float) -> str:
    """Whole minutes, e.g. '12 min'."""
    return f"{value:.0f} min"


def is_late(stop: Stop) -> bool:
    """A visit the views flag as late: half a minute or more past its SLA (less is rounding)."""
    return stop.late_min >= 0.5


def percent(rate: float) -> str:
    """A 0..1 rate as a percentage with one decimal."""
    return f"{100 * rate:.1f}%"


def quantities(stock: Mapping[str, int]) -> str:
    """Parts as 'SKU x2, OTHER x1', or an empty string."""
    return ", ".join(f"{sku} x{qty}" for sku, qty in stock.items())


def slot(ticket: Ticket, tz: tzinfo | None) -> str:
    """The ticket's appointment slots as 'HH:MM-HH:MM', or 'any time'."""
    if not ticket.time_windows:
        return "any time"
    return ", ".join(f"{hm(w.start, tz)}-{hm(w.end, tz)}" for w in ticket.time_windows)


def priority(ticket: Ticket) -> str:
    """Priority with a VIP mark."""
    return ticket.priority.value + (" VIP" if ticket.vip else "")
