"""Portfolio members (PyVRP, VROOM): used only where they fit, always re-checked."""

from __future__ import annotations

import dataclasses

import pytest

from dispatch_opt.domain import SolveOptions
from dispatch_opt.planner import solve_problem
from dispatch_opt.routing import compile_problem
from dispatch_opt.solver import members
from dispatch_opt.solver.members import choose_member, pyvrp_member
from tests.checks import assert_routes_ok, assert_valid, served
from tests.factories import lunch, slot_day, win


def _day(n_tickets: int = 36, **tech_kw) -> object:
    """A VRPTW-like day: three all-round technicians, tickets in two-hour slots."""
    day = slot_day(n_tickets, 3, seed=7, spread_km=6.0, duration_min=30.0, high_every=5, **tech_kw)
    return dataclasses.replace(day, solve=SolveOptions(time_limit_s=3.0, workers=1))


def test_pyvrp_is_chosen_only_where_it_can_express_every_hard_rule():
    pytest.importorskip("pyvrp")
    plain = compile_problem(_day()).instance
    assert pyvrp_member.unsupported(plain) is None
    assert choose_member(plain) == "pyvrp"
    with_breaks = compile_problem(_day(breaks=(lunch(),))).instance
    assert pyvrp_member.unsupported(with_breaks) == "breaks"
    assert choose_member(with_breaks) in ("vroom", None)
    capped = compile_problem(_day(max_jobs=4)).instance
    assert pyvrp_member.unsupported(capped) == "job-count limits"
    assert choose_member(plain, "none") is None
    assert choose_member(compile_problem(_day(n_tickets=5)).instance) is None  # too small


def test_pyvrp_member_routes_keep_every_rule_and_serve_the_day():
    pytest.importorskip("pyvrp")
    inst = compile_problem(_day()).instance
    result = pyvrp_member.solve_pyvrp(inst, 1.0)
    assert result.status == "solved"
    assert_routes_ok(inst, result.routes)
    assert sum(map(len, result.routes)) >= 25  # 27 fit (three per slot per technician)


def test_pyvrp_member_models_alternative_windows_as_one_visit():
    pytest.importorskip("pyvrp")
    p = _day()
    two = (win("09:00", "10:00"), win("15:00", "16:00"))
    tickets = tuple(dataclasses.replace(t, time_windows=two) for t in p.tickets)
    inst = compile_problem(dataclasses.replace(p, tickets=tickets)).instance
    result = pyvrp_member.solve_pyvrp(inst, 1.0)
    assert_routes_ok(inst, result.routes)
    visits = [n for r in result.routes for n in r]
    assert len(visits) == len(set(visits)) > 0


def test_vroom_member_routes_are_checked_and_may_break_nothing():
    pytest.importorskip("vroom")
    from dispatch_opt.solver.members.vroom_member import solve_vroom

    inst = compile_problem(_day(breaks=(lunch(),))).instance
    result = solve_vroom(inst, 1.0)
    assert sum(map(len, result.routes)) > 0
    assert_routes_ok(inst, result.routes)


@pytest.mark.parametrize("member", ["pyvrp", "vroom"])
def test_a_plan_started_from_a_member_is_valid_and_says_so(member):
    pytest.importorskip("pyvrp" if member == "pyvrp" else "vroom")
    p = _day()
    plan = assert_valid(p, solve_problem(p, time_limit_s=2.0, deterministic=False, member=member))
    assert plan.solver.status.startswith(f"member_{member}+")
    assert plan.solver.engine == f"dispatch-opt/ortools+{member}"
    own = assert_valid(p, solve_problem(p, time_limit_s=2.0, deterministic=False, member="none"))
    assert len(served(plan)) >= len(served(own)) - 1


def _offer_pyvrp(monkeypatch, run) -> None:
    """Make the solver pick PyVRP as its member (installed or not) and run `run` for it."""
    monkeypatch.setattr("dispatch_opt.solver.solve.choose_member", lambda inst, choice: "pyvrp")
    monkeypatch.setattr("dispatch_opt.solver.solve.run_member", run)


def test_a_failing_member_never_costs_the_plan(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("engine crashed")

    _offer_pyvrp(monkeypatch, broken)
    p = _day()
    plan = assert_valid(p, solve_problem(p, time_limit_s=1.0, deterministic=False))
    assert plan.solver.status.startswith("member_pyvrp_failed(RuntimeError)+")
    assert len(served(plan)) >= 25


def test_members_never_run_under_the_deterministic_option(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a member ran in a deterministic solve")

    _offer_pyvrp(monkeypatch, forbidden)  # on offer: only the deterministic option stops it
    p = _day()
    plan = assert_valid(p, solve_problem(p, deterministic=True))
    assert "member" not in plan.solver.status


def test_unknown_member_name_is_refused():
    inst = compile_problem(_day()).instance
    with pytest.raises(ValueError, match="unknown member"):
        members.run_member("gurobi", inst, 1.0)


def test_main_process_has_a_plan_and_a_progress_report_before_its_member_runs(monkeypatch):
    pytest.importorskip("pyvrp")
    from dispatch_opt.routing.cost import routes_cost
    from dispatch_opt.solver import solve as solve_module
    from dispatch_opt.solver.solve import SolveParams, solve_instance

    inst = compile_problem(_day()).instance
    events: list[str] = []
    reports = []
    real = solve_module.run_member

    def member(*args, **kwargs):
        events.append("member")
        return real(*args, **kwargs)

    def progress(p):
        events.append("progress")
        reports.append(p)

    monkeypatch.setattr(solve_module, "run_member", member)
    params = SolveParams(time_limit_s=1.0, member="pyvrp", early_plan=True, progress=progress)
    result = solve_instance(inst, params)
    assert events[:2] == ["progress", "member"]  # the early plan is reported first
    assert reports[0].solutions == 1 and reports[0].objective > 0
    assert result.first_solution_s == reports[0].elapsed_s  # the first plan is the early one
    assert_routes_ok(inst, result.routes)
    assert result.objective == routes_cost(inst, result.routes)
    assert result.status.startswith("member_pyvrp+")


def test_the_pyvrp_member_takes_the_largest_seed_and_the_portfolio_s_next_one():
    # the portfolio's second search runs with seed + 1, past 32 bits for the largest
    from dispatch_opt.routing import compile_problem
    from dispatch_opt.solver.members import pyvrp_member
    from tests.factories import near, problem, tech, ticket

    inst = compile_problem(
        problem([tech("T1")], [ticket(f"K{i}", near(i, 1)) for i in range(4)])
    ).instance
    for seed in (2**32 - 1, 2**32):
        result = pyvrp_member.solve_pyvrp(inst, 0.2, seed=seed)
        assert result.routes is not None
