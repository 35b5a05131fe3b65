"""A small day under way, and the checks every re-plan test makes."""

from __future__ import annotations

from datetime import datetime

from dispatch_opt.domain import Plan, Problem, StopKind
from dispatch_opt.replan import replan
from dispatch_opt.replan.from_plan import state_from_plan
from tests.checks import assert_valid, solve_checked
from tests.factories import Depot, at, lunch, near, problem, tech, ticket, win

NOW = "11:00"


def day() -> Problem:
    """Three technicians, fourteen tickets, one pinned (confirmed) and one with parts."""
    techs = [tech(f"T{i}", start=near(i, -i), breaks=(lunch(),), stock={}) for i in range(3)]
    tickets = [
        ticket(
            f"K{i}",
            near(i % 4 - 2, i // 4 - 2),
            time_windows=(win("09:00", "17:00"),) if i % 3 else (),
            pinned_technician="T1" if i == 6 else None,
            parts={"P1": 1} if i in (9, 10) else {},
        )
        for i in range(14)
    ]
    return problem(techs, tickets, [Depot("WH", near(0, 1), {"P1": 3}, win("07:00", "21:00"))])


def day_under_way(freeze_min: float = 60.0) -> tuple[Problem, Plan]:
    """The day's plan, and the problem with the state at NOW had it gone as planned."""
    base = day()
    plan = solve_checked(base)
    return state_from_plan(base, plan, at(NOW), freeze_min=freeze_min), plan


def visits(plan: Plan) -> dict[str, tuple[str, datetime]]:
    """ticket id -> (technician, start) of every served ticket."""
    return {
        s.id: (r.technician, s.start)
        for r in plan.routes
        for s in r.stops
        if s.kind is StopKind.TICKET and s.id is not None and s.start is not None
    }


def replan_checked(problem: Problem, **kw) -> Plan:
    """Re-plan (deterministic), validate, and check the state's rules hold: nothing before
    now moved, visits in progress and confirmed or frozen visits kept, done not planned."""
    kw.setdefault("deterministic", True)
    plan = assert_valid(problem, replan(problem, **kw))
    state = problem.state
    assert state is not None
    now = visits(plan)
    for ts in state.technicians:
        ip = ts.in_progress
        if ip is not None:
            assert now[ip.ticket] == (ts.id, ip.start), f"{ip.ticket} in progress moved"
    for tid, (_, start) in now.items():
        assert tid not in state.done
        anchored = any(t.in_progress and t.in_progress.ticket == tid for t in state.technicians)
        assert anchored or start >= state.now, f"{tid} starts before now"
    for a in state.previous:
        pinned = problem.ticket(a.ticket).pinned_technician == a.technician
        if (pinned or a.confirmed) and a.ticket in now:
            assert now[a.ticket][0] == a.technician, f"confirmed {a.ticket} changed technician"
    return plan


__all__ = ["NOW", "at", "day", "day_under_way", "near", "replan_checked", "ticket", "visits"]
