"""Fixtures of the report tests: a small hand-made plan with every stop kind and hostile
ids, and the default scenario planned once with a short time limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispatch_opt.domain import (
    Depot,
    Kpis,
    Plan,
    PlanStatus,
    Priority,
    Problem,
    Reason,
    ReasonCode,
    Route,
    Stop,
    StopKind,
    Unassigned,
)
from dispatch_opt.io import load_problem
from dispatch_opt.planner import solve_problem
from tests.checks import assert_valid
from tests.factories import at, lunch, near, problem, tech, ticket, win

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = ROOT / "scenarios" / "default.json"

NASTY_TICKET = "<script>alert(1)</script>"
NASTY_TECH = 'T"><img src=x onerror="window.__xss=1">'
NASTY_DETAIL = "</script><b>bold</b> & more"
DEPOT_ID = "WH&1"


@pytest.fixture
def small_problem() -> Problem:
    """Two technicians (one idle), a depot, three tickets (one nasty id, one unserved)."""
    return problem(
        [
            tech(NASTY_TECH, breaks=(lunch(30.0),), overtime_max_min=60.0, end=near(1, 1)),
            tech("T2"),
        ],
        [
            ticket(
                NASTY_TICKET, near(3, 0), parts={"SKU-1": 1}, time_windows=(win("09:00", "10:00"),)
            ),
            ticket(
                "SR-2",
                near(3, 3),
                duration_min=310.0,
                priority=Priority.URGENT,
                sla_due=at("12:00"),
            ),
            ticket("SR-3", near(-2, -2), vip=True),
        ],
        [Depot(DEPOT_ID, near(1, 0), {"SKU-1": 5}, win("07:00", "21:00"))],
    )


@pytest.fixture
def small_plan() -> Plan:
    """A hand-timed plan: depot, wait, service, break, a late visit, overtime; T2 idle."""
    stops = (
        Stop(StopKind.START, at=at("08:30")),
        Stop(
            StopKind.DEPOT,
            id=DEPOT_ID,
            arrival=at("08:40"),
            start=at("08:40"),
            end=at("08:50"),
            pickup={"SKU-1": 1},
        ),
        Stop(
            StopKind.TICKET,
            id=NASTY_TICKET,
            arrival=at("09:00"),
            start=at("09:05"),
            end=at("09:50"),
            wait_min=5.0,
            parts={"SKU-1": 1},
        ),
        Stop(StopKind.BREAK, start=at("11:30"), end=at("12:00")),
        Stop(
            StopKind.TICKET,
            id="SR-2",
            arrival=at("12:20"),
            start=at("12:20"),
            end=at("17:30"),
            late_min=20.0,
        ),
        Stop(StopKind.END, at=at("17:45")),
    )
    idle = (Stop(StopKind.START, at=at("08:30")), Stop(StopKind.END, at=at("08:30")))
    return Plan(
        status=PlanStatus.PARTIAL,
        routes=(
            Route(
                NASTY_TECH,
                stops,
                travel_km=12.5,
                travel_min=45.0,
                work_min=370.0,
                overtime_min=15.0,
            ),
            Route("T2", idle),
        ),
        unassigned=(Unassigned("SR-3", (Reason(ReasonCode.CAPACITY, NASTY_DETAIL),)),),
        kpis=Kpis(
            tickets=3,
            assigned=2,
            assigned_by_priority={"urgent": 1, "normal": 1},
            sla_met_rate=0.0,
            travel_km=12.5,
            travel_min=45.0,
            overtime_min=15.0,
            utilization=0.3,
            weighted_served=10,
            weighted_total=14,
            late_min=20.0,
        ),
    )


@pytest.fixture(scope="session")
def default_problem() -> Problem:
    """The default scenario (150 tickets, 20 technicians)."""
    return load_problem(DEFAULT_SCENARIO)


@pytest.fixture(scope="session")
def default_plan(default_problem: Problem) -> Plan:
    """The default scenario planned once, with a short time limit, and validated."""
    return assert_valid(default_problem, solve_problem(default_problem, time_limit_s=3.0, seed=0))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the report tests keep their outputs (gitignored)."""
    folder = ROOT / "artifacts" / "report"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
