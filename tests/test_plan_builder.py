"""Reasons for unserved tickets, read off the final routes by `build_plan`."""

from dispatch_opt.domain.plan import ReasonCode, SolverStats
from dispatch_opt.io.problem_io import load_problem
from dispatch_opt.plan_builder import NAMED_ALONE, TIME_RAN_OUT, build_plan
from dispatch_opt.routing import compile_problem
from dispatch_opt.validate import validate_plan
from tests.factories import near, problem, tech, ticket


def _empty_plan(p, unreached=()):
    """The plan of `p` in which nobody goes anywhere, checked by the validator."""
    compiled = compile_problem(p)
    inst = compiled.instance
    routes = [[] for _ in range(inst.n_vehicles)]
    plan = build_plan(p, inst, routes, compiled.reasons, SolverStats(engine="test"), unreached)
    assert validate_plan(p, plan).ok
    return plan


def test_the_reason_names_the_nearest_technicians_who_could_serve_it_alone():
    """Seven qualified technicians, the farther the higher their number: the reason
    names the nearest NAMED_ALONE, nearest first, and says there may be others."""
    techs = [tech(f"T{i}", start=near(i, 0), end=near(i, 0)) for i in range(7, 0, -1)]
    p = problem(techs, [ticket("K", near(0, 0))])
    (left,) = _empty_plan(p).unassigned
    (reason,) = left.reasons
    assert reason.code is ReasonCode.CAPACITY
    named = ", ".join(f"T{i}" for i in range(1, NAMED_ALONE + 1))
    assert reason.detail.startswith(f"{named} (the nearest such; there may be others)")


def test_with_every_qualified_technician_named_there_is_no_talk_of_others():
    p = problem([tech("A"), tech("B", start=near(1, 0))], [ticket("K", near(0.5, 0))])
    (left,) = _empty_plan(p).unassigned
    assert left.reasons[0].detail.startswith("A, B could serve it alone, but their days")


def test_tickets_the_search_never_reached_say_the_time_limit_ran_out():
    """On the small scenario with nobody moving: the tickets listed as unreached that
    someone could serve alone get `capacity` with the time limit as the cause; the
    others keep their usual reasons."""
    p = load_problem("scenarios/small.json")
    inst = compile_problem(p).instance
    eligible = [k for k in range(inst.n_tickets) if inst.allowed[k].any()]
    unreached = eligible[: len(eligible) // 2]
    plan = _empty_plan(p, unreached)
    by_id = {u.ticket: u.reasons for u in plan.unassigned}
    timed_out = {p.tickets[k].id for k in unreached}
    for tid, reasons in by_id.items():
        ran_out = TIME_RAN_OUT in reasons[0].detail
        assert ran_out == (tid in timed_out and reasons[0].code is ReasonCode.CAPACITY)
        if ran_out:  # one technician who could is named, not NAMED_ALONE of them
            assert ", " not in reasons[0].detail.split(" could serve it alone")[0]
    assert any(TIME_RAN_OUT in r[0].detail for r in by_id.values())
