"""A day under way owes the breaks whose windows its whole day overlaps: leaving its
current place late in the rest of the day escapes none, and the validator says so, though
a day that has not begun may still leave after a window closes (audit finding A)."""

from __future__ import annotations

import dataclasses

from dispatch_opt.domain import Break
from dispatch_opt.domain.state import DayState, TechnicianState
from dispatch_opt.planner import solve_problem
from dispatch_opt.replan.residual import residual_problem
from dispatch_opt.routing import compile_problem
from dispatch_opt.routing.instance import NEVER_S
from dispatch_opt.validate import validate_plan
from tests.checks import served
from tests.factories import at, near, problem, tech, ticket, win
from tests.replan.helpers import replan_checked

SHORT_BREAK = Break(win("11:10", "11:20"), 30)


def _day(now: str, *, worked: bool):
    """T0 (08:00-17:00, a 30 min break in 11:10-11:20) and K2, 60 min at 11:30 sharp: it
    fits only a day leaving after 11:20. With `worked`, T0 did K1 in the morning."""
    t = tech("T0", shift=win("08:00", "17:00"), breaks=(SHORT_BREAK,))
    k1 = ticket("K1", near(1, 0), time_windows=(win("08:30", "09:00"),))
    k2 = ticket("K2", near(0.7, 0), time_windows=(win("11:30", "11:30"),))
    where = TechnicianState("T0", location=k1.location if worked else None, free_at=at(now))
    state = DayState(now=at(now), technicians=(where,), done=("K1",) if worked else ())
    return dataclasses.replace(problem([t], [k1, k2] if worked else [k2]), state=state)


def test_a_technician_who_worked_this_morning_cannot_leave_the_break_behind():
    day = _day("11:00", worked=True)
    rest = residual_problem(day).problem
    assert rest.technicians[0].under_way
    (brk,) = compile_problem(rest).instance.breaks[0]
    assert brk.closes_s == NEVER_S
    assert "K2" not in served(replan_checked(day))


def test_the_validator_rejects_a_re_plan_that_leaves_the_break_behind():
    """The plan a technician not under way could make (leave after 11:20, serve K2, no
    break) breaks the rule for one whose day began this morning."""
    day = _day("11:00", worked=True)
    rest = residual_problem(day).problem
    fresh = [dataclasses.replace(t, under_way=False) for t in rest.technicians]
    dodge = solve_problem(dataclasses.replace(rest, technicians=tuple(fresh)), deterministic=True)
    assert "K2" in served(dodge)
    report = validate_plan(day, dodge)
    assert not report.ok
    assert "break_missing" in report.codes


def test_a_technician_whose_shift_has_not_begun_may_still_leave_after_the_window():
    day = _day("07:30", worked=False)
    assert not residual_problem(day).problem.technicians[0].under_way
    assert served(replan_checked(day)) == {"K2": "T0"}
