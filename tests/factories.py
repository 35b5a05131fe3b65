"""Tiny named problems built straight from domain objects, shared by the tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from dispatch_opt.domain import (
    Break,
    Depot,
    Location,
    Objective,
    Priority,
    Problem,
    SolveOptions,
    Technician,
    Ticket,
    TimeWindow,
    TravelSpec,
)

TZ = timezone(timedelta(hours=8))
DAY = datetime(2026, 11, 23, tzinfo=TZ)
CENTRE = Location(22.54, 114.02)


def at(hhmm: str) -> datetime:
    """A time of the test day from 'HH:MM'."""
    h, m = hhmm.split(":")
    return DAY + timedelta(hours=int(h), minutes=int(m))


def win(a: str, b: str) -> TimeWindow:
    """A window of the test day."""
    return TimeWindow(at(a), at(b))


def near(dlat_km: float, dlon_km: float, base: Location = CENTRE) -> Location:
    """A point about dlat/dlon kilometres from `base`."""
    return Location(base.lat + dlat_km / 111.0, base.lon + dlon_km / 103.0)


def tech(tid: str, **kw) -> Technician:
    """A technician with sensible defaults (08:30-17:30, ac/fridge/washer at 3)."""
    defaults = dict(
        start=CENTRE,
        end=CENTRE,
        shift=win("08:30", "17:30"),
        skills={"ac": 3, "fridge": 3, "washer": 3},
        stock={},
        breaks=(),
    )
    defaults.update(kw)
    return Technician(id=tid, **defaults)


def ticket(tid: str, loc: Location, **kw) -> Ticket:
    """A ticket with sensible defaults (45 min, no window, ac>=1)."""
    defaults = dict(duration_min=45.0, skills={"ac": 1})
    defaults.update(kw)
    return Ticket(id=tid, location=loc, **defaults)


def problem(techs, tickets, depots=(), **kw) -> Problem:
    """A problem on the test day (07:00-21:00) with haversine travel."""
    return Problem(
        name=kw.pop("name", "test"),
        horizon=win("07:00", "21:00"),
        technicians=tuple(techs),
        tickets=tuple(tickets),
        depots=tuple(depots),
        travel=kw.pop("travel", TravelSpec()),
        objective=kw.pop("objective", Objective()),
        solve=kw.pop("solve", SolveOptions(time_limit_s=2.0, deterministic=True)),
    )


def lunch(duration: float = 45.0, a: str = "11:30", b: str = "13:30") -> Break:
    """A lunch break."""
    return Break(win(a, b), duration)


__all__ = [
    "CENTRE",
    "DAY",
    "TZ",
    "Depot",
    "Location",
    "Priority",
    "at",
    "lunch",
    "near",
    "problem",
    "tech",
    "ticket",
    "win",
]


def slot_day(
    n_tickets: int,
    n_techs: int,
    *,
    seed: int,
    spread_km: float,
    duration_min: float,
    high_every: int,
    **tech_kw,
) -> Problem:
    """A VRPTW-like day: all-round technicians, tickets scattered `spread_km` around the
    centre in three two-hour slots, every `high_every`-th one high priority."""
    rng = np.random.default_rng(seed)
    slots = [win("09:00", "11:00"), win("11:00", "13:00"), win("13:00", "15:00")]
    tickets = [
        ticket(
            f"T{i}",
            near(
                float(rng.uniform(-spread_km, spread_km)),
                float(rng.uniform(-spread_km, spread_km)),
            ),
            duration_min=duration_min,
            time_windows=(slots[i % 3],),
            priority=Priority.HIGH if i % high_every == 0 else Priority.NORMAL,
        )
        for i in range(n_tickets)
    ]
    return problem([tech(f"E{j}", **tech_kw) for j in range(n_techs)], tickets)
