"""On field-service days (breaks or depot pickups, FIELD_DAY_FROM tickets or more) the
search is our ruin-and-recreate alone, on the clock or in deterministic rounds; plain
VRPTW days and small days keep OR-Tools."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from dispatch_opt.io import parse_problem
from dispatch_opt.planner import solve_problem
from dispatch_opt.routing import compile_problem
from dispatch_opt.routing.cost import routes_cost
from dispatch_opt.solver import solve as solve_module
from dispatch_opt.solver.solve import SolveParams, solve_instance
from tests.checks import assert_routes_ok, assert_valid
from tests.factories import lunch, slot_day

DATA = Path(__file__).resolve().parents[1] / "data"


def _day(with_breaks: bool):
    """FIELD_DAY_FROM tickets in three slots for five technicians, with or without a
    lunch break."""
    kw = {"breaks": (lunch(),)} if with_breaks else {}
    n = solve_module.FIELD_DAY_FROM
    day = slot_day(n, 5, seed=5, spread_km=5.0, duration_min=35.0, high_every=4, **kw)
    return compile_problem(day).instance


@pytest.fixture
def models(monkeypatch):
    """Counts OR-Tools models built."""
    built: list[int] = []
    real = solve_module.build_model

    def counting(inst, **kw):
        built.append(1)
        return real(inst, **kw)

    monkeypatch.setattr(solve_module, "build_model", counting)
    return built


def test_a_day_with_breaks_is_searched_by_ruin_and_recreate_with_progress(models):
    inst = _day(with_breaks=True)
    seen = []
    params = SolveParams(time_limit_s=1.0, member="none", progress=seen.append)
    result = solve_instance(inst, params)
    assert result.status.endswith("ruin_recreate_field_day")
    assert models == []
    assert_routes_ok(inst, result.routes)
    assert result.objective == routes_cost(inst, result.routes)
    costs = [p.objective for p in seen]
    assert costs and costs == sorted(costs, reverse=True)  # each report a cheaper plan
    assert costs[-1] == result.objective
    assert result.solutions == len(seen)


def test_a_plain_day_keeps_guided_local_search(models):
    inst = _day(with_breaks=False)
    result = solve_instance(inst, SolveParams(time_limit_s=1.0, member="none"))
    assert "field_day" not in result.status
    assert models == [1]
    assert_routes_ok(inst, result.routes)


def test_a_small_day_with_breaks_is_not_a_field_day():
    inst = _day(with_breaks=True)
    assert solve_module._field_day(inst)
    small = dataclasses.replace(inst, n_tickets=solve_module.FIELD_DAY_FROM - 1)
    assert not solve_module._field_day(small)


def test_the_deterministic_option_on_a_field_day_repeats_itself_without_the_model(models):
    inst = _day(with_breaks=True)
    params = SolveParams(time_limit_s=1.0, deterministic=True, effort=20)
    first, second = solve_instance(inst, params), solve_instance(inst, params)
    assert first.status.endswith("ruin_recreate_field_day")
    assert models == []
    assert first.routes == second.routes
    assert_routes_ok(inst, first.routes)


def test_a_broken_warm_start_on_a_field_day_is_repaired_not_kept(models):
    """A caller's start that breaks rules (every ticket on one technician: no timeline)
    is repaired or replaced, never answered as is."""
    inst = _day(with_breaks=True)
    crammed = [[inst.ticket_node(k) for k in range(inst.n_tickets)]]
    crammed += [[] for _ in range(inst.n_vehicles - 1)]
    assert routes_cost(inst, crammed) is None
    params = SolveParams(time_limit_s=1.0, member="none", initial_routes=crammed)
    result = solve_instance(inst, params)
    assert result.status.endswith("ruin_recreate_field_day")
    assert_routes_ok(inst, result.routes)
    assert result.objective == routes_cost(inst, result.routes)
    assert sum(map(len, result.routes)) > 0


def test_field_day_effort_in_rounds():
    """Rounds without the descent are cheap: 200,000 over the ticket count within
    [50, 1,000]; above MODEL_UP_TO tickets (never with the descent) as before."""
    inst = _day(with_breaks=True)

    def effort(n):
        return solve_module.default_effort(dataclasses.replace(inst, n_tickets=n))

    assert effort(60) == 1000
    assert effort(200) == 1000
    assert effort(1000) == 200
    assert effort(solve_module.MODEL_UP_TO + 1500) == 5


def test_a_small_day_with_breaks_and_a_paid_span_is_a_field_day():
    inst = _day(with_breaks=True)
    small = dataclasses.replace(inst, n_tickets=solve_module.FIELD_DAY_FROM - 1)
    assert not solve_module._field_day(small)
    assert solve_module._field_day(dataclasses.replace(small, span_cost_per_s=1))
    plain = _day(with_breaks=False)
    assert not solve_module._field_day(dataclasses.replace(plain, span_cost_per_s=1))


@pytest.mark.parametrize(
    "name",
    [
        "break-span-day",  # 16 tickets: the deterministic search in OR-Tools' model ran
        # into its 120 s safety net, completing neighbours' break timings
        "restore-enumerates",  # 6 tickets: the warm start's and the descent's restores
        # enumerated a route's timings (11 minutes on a 2 s limit)
    ],
)
def test_the_audit_days_with_breaks_and_a_paid_span_are_searched_without_the_model(models, name):
    """Days from the clean-room audit (session 12) that hung in OR-Tools' model."""
    day = parse_problem(json.loads((DATA / f"{name}.json").read_text()))
    inst = compile_problem(day).instance
    assert any(inst.breaks) and inst.span_cost_per_s > 0
    assert solve_module._field_day(inst)
    plan = solve_problem(day, time_limit_s=2.0, deterministic=True)
    assert plan.solver.status.endswith("ruin_recreate_field_day")
    assert models == []
    assert_valid(day, plan)
    assert plan.kpis.assigned > 0
