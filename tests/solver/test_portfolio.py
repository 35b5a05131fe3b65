"""The two-process portfolio: one construction before the fork, a bounded wait for the
worker, and the OR-Tools model left out when its set-up would not fit the budget."""

from __future__ import annotations

import dataclasses
import multiprocessing
import time

import pytest

from dispatch_opt.domain.plan import SolverStats
from dispatch_opt.domain.problem import SolveOptions
from dispatch_opt.plan_builder import build_plan
from dispatch_opt.planner import solve_problem
from dispatch_opt.routing import compile_problem
from dispatch_opt.routing.cost import routes_cost
from dispatch_opt.solver import portfolio
from dispatch_opt.solver import solve as solve_module
from dispatch_opt.solver.solve import SolveParams, solve_instance, starts_from_construction
from tests.checks import assert_routes_ok, assert_valid
from tests.factories import lunch, slot_day


def _instance(n_tickets: int = 40):
    """A day of `n_tickets` tickets in three slots for four technicians."""
    day = slot_day(n_tickets, 4, seed=3, spread_km=5.0, duration_min=35.0, high_every=4)
    return compile_problem(day).instance


@pytest.fixture
def constructs(monkeypatch):
    """Our construction starts every search from 30 tickets on (as it does from 300 or
    with depot pickups); returns the list of whole-day constructions built here."""
    monkeypatch.setattr(solve_module, "CONSTRUCT_FROM", 30)
    built: list[int] = []
    real = solve_module.construct

    def counting(inst, routes=None, **kw):
        if routes is None:
            built.append(1)
        return real(inst, routes=routes, **kw)

    monkeypatch.setattr(solve_module, "construct", counting)
    return built


@pytest.fixture
def forks(monkeypatch):
    """Counts the portfolio's forks (it shares the matrices right before each)."""
    seen: list[int] = []
    real = portfolio.warm_shared_matrices
    monkeypatch.setattr(portfolio, "warm_shared_matrices", lambda i: (seen.append(1), real(i)))
    return seen


def test_the_portfolio_builds_its_construction_once_before_the_fork(constructs, monkeypatch, forks):
    inst = _instance()
    monkeypatch.setattr(portfolio, "FORK_FROM_S", 0.2)  # ~1 s is left after construction
    params = SolveParams(time_limit_s=1.0, workers=2, member="none")
    assert starts_from_construction(inst, params)
    seen = []
    real = portfolio.solve_instance

    def main_search(inst, params):
        seen.append((len(constructs), params.prebuilt is not None))
        return real(inst, params)

    monkeypatch.setattr(portfolio, "solve_instance", main_search)
    result = portfolio.solve_portfolio(inst, params)
    assert forks == [1]
    assert seen == [(1, True)]  # built before the main search started, and handed to it
    assert len(constructs) == 1  # not again in this process
    assert_routes_ok(inst, result.routes)
    assert result.objective == routes_cost(inst, result.routes)
    assert result.first_solution_s is not None


def test_a_prebuilt_construction_is_the_start_and_not_built_again(constructs):
    inst = _instance()
    prebuilt = solve_module.construct(inst)
    constructs.clear()
    params = SolveParams(time_limit_s=0.5, member="none", prebuilt=prebuilt)
    result = solve_instance(inst, params)
    assert constructs == []  # not built again
    assert_routes_ok(inst, result.routes)
    assert result.objective <= routes_cost(inst, prebuilt)  # never worse than its start


def test_a_caller_warm_start_is_never_replaced_by_a_construction():
    inst = _instance()
    warm = [[] for _ in range(inst.n_vehicles)]
    assert not starts_from_construction(inst, SolveParams(initial_routes=warm))


def test_the_model_is_left_out_when_its_set_up_would_not_fit(constructs, monkeypatch):
    inst = _instance()

    def no_model(*args, **kwargs):
        raise AssertionError("the OR-Tools model must not be built")

    monkeypatch.setattr(solve_module, "model_setup_s", lambda inst: 1e6)
    monkeypatch.setattr(solve_module, "build_model", no_model)
    reports = []
    result = solve_instance(
        inst, SolveParams(time_limit_s=0.5, member="none", progress=reports.append)
    )
    assert result.status == "model_skipped_short_budget"
    assert reports and reports[-1].objective == result.objective  # progress still reported
    assert_routes_ok(inst, result.routes)
    assert result.objective == routes_cost(inst, result.routes)


def test_the_deterministic_option_never_skips_the_model_by_the_clock(constructs, monkeypatch):
    inst = _instance()
    monkeypatch.setattr(solve_module, "model_setup_s", lambda inst: 1e6)
    params = SolveParams(time_limit_s=0.5, deterministic=True, effort=2)
    assert starts_from_construction(inst, params)  # so the skip is within reach
    result = solve_instance(inst, params)
    assert "model_skipped" not in result.status
    assert_routes_ok(inst, result.routes)


def _silent_worker(conn, inst, params) -> None:
    """A worker that never answers."""
    time.sleep(600)


def test_a_worker_that_never_answers_is_stopped_and_the_main_plan_kept(monkeypatch):
    inst = _instance()
    monkeypatch.setattr(portfolio, "_child", _silent_worker)
    result = portfolio.solve_portfolio(
        inst, SolveParams(time_limit_s=0.5, workers=2, member="none")
    )
    assert "(" not in result.status  # the main search's own result, not a race's
    assert not multiprocessing.active_children()  # the silent worker is gone
    assert_routes_ok(inst, result.routes)
    assert result.objective == routes_cost(inst, result.routes)


def test_when_or_tools_finds_nothing_ruin_and_recreate_uses_the_time_left(constructs, monkeypatch):
    """OR-Tools failing to restore the warm start (as it did from 400 tickets, its
    completion limit too short) must not leave the budget unused: ruin-and-recreate
    improves the construction until the deadline."""
    inst = _instance()
    monkeypatch.setattr(solve_module, "_run_search", lambda model, search, start, clock: None)
    calls = []
    real = solve_module.ruin_and_recreate

    def counting(inst, routes, improve, **kw):
        calls.append(improve(routes) is routes)  # no OR-Tools descent: identity
        return real(inst, routes, improve, **kw)

    monkeypatch.setattr(solve_module, "ruin_and_recreate", counting)
    params = SolveParams(time_limit_s=1.0, member="none", metaheuristic="gls")
    result = solve_instance(inst, params)
    assert "search_found_nothing" in result.status
    assert calls == [True]
    assert_routes_ok(inst, result.routes)
    start = solve_module.construct(inst, **solve_module.construct_breadth(inst))
    assert result.objective == routes_cost(inst, result.routes) <= routes_cost(inst, start)


def test_or_tools_completion_limit_never_depends_on_the_clock_when_deterministic():
    """The completion limit is the whole budget under the deterministic option (a 0.1 s
    limit would make the answer depend on the machine's speed); OR-Tools' default else."""
    inst = _instance()
    det = solve_module.search_parameters(inst, SolveParams(deterministic=True), 2.0)
    clock = solve_module.search_parameters(inst, SolveParams(), 30.0)
    assert det.lns_time_limit.ToMilliseconds() == det.time_limit.ToMilliseconds()
    assert clock.lns_time_limit.ToMilliseconds() == 100


def test_with_no_time_left_after_the_construction_no_worker_is_started(constructs, monkeypatch):
    """A limit that runs out during the construction: the answer is the construction (its
    untried tickets listed as unreached), searched in this process, without forking."""
    inst = _instance()
    started = []
    monkeypatch.setattr(portfolio, "warm_shared_matrices", lambda inst: started.append(1))
    params = SolveParams(time_limit_s=1e-6, workers=2, member="none")
    result = portfolio.solve_portfolio(inst, params)
    assert started == []  # the fork comes right after the shared matrices
    assert_routes_ok(inst, result.routes)
    assert result.objective == routes_cost(inst, result.routes)
    served = {inst.ticket_of(n) for r in result.routes for n in r if inst.is_ticket(n)}
    assert result.unreached and not served & set(result.unreached)


def test_with_less_than_fork_from_s_left_no_worker_is_forked(constructs, monkeypatch, forks):
    """Too little search left after the construction for a second process to pay off:
    the main search alone answers, from the construction, with a valid plan."""
    inst = _instance()
    monkeypatch.setattr(portfolio, "FORK_FROM_S", 60.0)
    params = SolveParams(time_limit_s=1.0, workers=2, member="none")
    result = portfolio.solve_portfolio(inst, params)
    assert forks == []
    assert len(constructs) == 1
    assert_routes_ok(inst, result.routes)
    assert result.objective == routes_cost(inst, result.routes)
    assert result.first_solution_s is not None


def _small_day(n_tickets: int, with_breaks: bool):
    """A day of `n_tickets` tickets for three technicians, with or without a lunch break."""
    kw = {"breaks": (lunch(),)} if with_breaks else {}
    return slot_day(n_tickets, 3, seed=5, spread_km=4.0, duration_min=30.0, high_every=3, **kw)


def test_a_small_day_with_breaks_on_the_clock_is_raced_by_two_processes(forks):
    day = _small_day(12, with_breaks=True)
    day = dataclasses.replace(day, solve=SolveOptions(time_limit_s=1.5, workers=2))
    plan = assert_valid(day, solve_problem(day))
    assert forks == [1]  # 12 tickets: below PORTFOLIO_FROM, above PORTFOLIO_SIDE_FROM
    assert plan.solver.status.endswith(("(main)", "(ruin-recreate)"))  # a race's answer
    assert plan.kpis.assigned > 0


def test_without_breaks_or_pickups_or_when_deterministic_a_small_day_stays_in_one_process(forks):
    plain = compile_problem(_small_day(12, with_breaks=False)).instance
    portfolio.solve_portfolio(plain, SolveParams(time_limit_s=1.5, workers=2))
    breaks = compile_problem(_small_day(12, with_breaks=True)).instance
    portfolio.solve_portfolio(breaks, SolveParams(deterministic=True, effort=5, workers=2))
    assert forks == []


@pytest.mark.parametrize(("limit_s", "expected"), [(1.5, "rr"), (2.0, "lns"), (5.0, "lns")])
def test_the_worker_leaves_or_tools_descents_out_when_time_per_ticket_is_short(limit_s, expected):
    inst = compile_problem(_small_day(12, with_breaks=True)).instance  # 0.15 s a ticket: 1.8 s
    assert portfolio._variant(inst, SolveParams(time_limit_s=limit_s)).metaheuristic == expected
    plain = compile_problem(_small_day(12, with_breaks=False)).instance
    assert portfolio._variant(plain, SolveParams(time_limit_s=limit_s)).metaheuristic == "lns"


def test_ruin_and_recreate_alone_never_builds_the_or_tools_model(monkeypatch):
    problem = _small_day(12, with_breaks=True)
    inst = compile_problem(problem).instance

    def no_model(*args, **kwargs):
        raise AssertionError("the OR-Tools model must not be built")

    monkeypatch.setattr(solve_module, "build_model", no_model)
    result = solve_instance(inst, SolveParams(time_limit_s=0.5, metaheuristic="rr"))
    assert result.status == "ruin_recreate_alone"
    assert_routes_ok(inst, result.routes)
    assert result.objective == routes_cost(inst, result.routes)
    compiled = compile_problem(problem)
    plan = build_plan(problem, compiled.instance, result.routes, compiled.reasons, SolverStats())
    assert_valid(problem, plan)
    assert plan.kpis.assigned >= 9  # twelve 30-minute tickets near the centre, three days
