"""A day without tickets owes no break: a break that cannot fit cuts short only a day with
work, never the drive from start to end of an idle one."""

from __future__ import annotations

from dispatch_opt.domain.problem import Break
from dispatch_opt.replan.from_plan import state_from_plan
from dispatch_opt.routing.compile import compile_problem
from dispatch_opt.routing.timeline import route_feasible
from tests.checks import served, solve_checked
from tests.factories import at, near, problem, tech, ticket, win
from tests.replan.helpers import replan_checked

LUNCH = Break(win("11:30", "13:30"), 60.0)


def test_a_short_shift_whose_break_cannot_fit_is_an_idle_day_not_an_input_error():
    # the break cannot fit in 12:00-12:30, so a day with work would have to end before
    # 11:30; that cut also left the idle day no time to drive home, and the problem was
    # refused: "technicians[0].end cannot be reached ... 0 min available"
    short = tech("T1", shift=win("12:00", "12:30"), end=near(3, 0), breaks=(LUNCH,))
    p = problem([short, tech("T2")], [ticket("K1", near(1, 1))])
    inst = compile_problem(p).instance
    assert inst.latest_end_s[0] < inst.shift_start_s[0] + 600 <= inst.idle_end_s[0]
    assert route_feasible(inst, 0, [])
    assert not inst.allowed[:, 0].any()  # no work: it would owe the break
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T2"}
    idle = plan.routes[0]
    assert [s.kind.value for s in idle.stops] == ["start", "end"]
    assert idle.stops[-1].at > idle.stops[0].at  # it drives to its end place


def test_a_replan_after_the_shift_of_an_idle_technician_with_a_break_owed_is_valid():
    # found by a re-plan sweep: an unused technician re-planned at 12:36, after its
    # 08:00-12:00 shift, with its lunch window open: the cut left it no time to get home,
    # extra overtime never helped, and the plan builder raised "route of T1 is infeasible
    # after repair"
    early = tech(
        "T1", shift=win("08:00", "12:00"), end=near(1, 0), breaks=(LUNCH,),
        overtime_max_min=30.0, speed_factor=1.5,
    )  # fmt: skip
    p = problem([early, tech("T2")], [ticket("K1", near(1, 1)), ticket("K2", near(-1, 2))])
    plan = solve_checked(p)
    again = replan_checked(state_from_plan(p, plan, at("12:36")), time_limit_s=1)
    route = next(r for r in again.routes if r.technician == "T1")
    assert not route.ticket_ids
    assert route.stops[0].at >= at("12:36")
