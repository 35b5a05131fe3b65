"""Travel at equal work: re-routing keeps the served set and every rule; medians, table."""

from __future__ import annotations

import json

from benchmarks import travel_attribution as ta
from benchmarks.fieldservice import make_case
from dispatch_opt.io import parse_problem
from dispatch_opt.routing.compile import compile_problem
from dispatch_opt.routing.cost import routes_cost
from dispatch_opt.solver.construct import construct
from tests.checks import assert_routes_ok


def test_reroute_keeps_the_served_set_and_every_rule():
    raw = make_case(40).problem_dict(1)
    problem = parse_problem(raw)
    compiled = compile_problem(problem)
    inst = compiled.instance
    start = construct(inst)
    tickets = {n for r in start for n in r if inst.is_ticket(n)}
    moved = ta.reroute(inst, start, 1.0)
    assert_routes_ok(inst, moved)
    assert {n for r in moved for n in r if inst.is_ticket(n)} <= tickets  # nothing added
    assert routes_cost(inst, moved) is not None
    row = ta._row(0, problem, compiled, moved, ("x", "y", ta.DEFAULT_SLA))
    assert row.valid and row.served == len({n for r in moved for n in r if inst.is_ticket(n)})


def test_without_sla_prices_lateness_at_zero_and_leaves_the_day_alone():
    raw = make_case(40).problem_dict(1)
    no_sla = ta._without_sla(raw)
    assert no_sla["objective"]["sla_late_per_min"] == 0
    assert no_sla["tickets"] == raw["tickets"]
    assert raw.get("objective", {}).get("sla_late_per_min") != 0  # a copy: the day is intact


def _row(run: int, served_set: str, routed_by: str, km: float, valid: bool = True) -> ta.Row:
    return ta.Row(run, served_set, routed_by, ta.DEFAULT_SLA, 10, 20, 0.5, 30.0, km, valid)


def test_medians_group_by_set_router_and_objective_and_keep_the_worst_validity():
    rows = [
        _row(0, "vroom", "vroom", 100.0),
        _row(1, "vroom", "vroom", 120.0),
        _row(2, "vroom", "vroom", 110.0, valid=False),
        _row(0, "dispatch-opt", "dispatch-opt", 121.0),
    ]
    table = ta.medians(rows)
    vroom = next(t for t in table if t["routed_by"] == "vroom")
    assert vroom["travel_km"] == 110.0 and vroom["runs"] == 3 and not vroom["all_valid"]
    text = ta.markdown(table, 40, 5.0)
    assert "| 110.0 | x1.000 | NO |" in text and "| 121.0 | x1.100 | yes |" in text


def test_main_writes_both_files_and_fails_on_an_invalid_plan(tmp_path, monkeypatch):
    monkeypatch.setattr(
        ta, "run_once", lambda run, size, budget: [_row(run, "vroom", "vroom", 50.0, run != 0)]
    )
    assert ta.main(["--size", "40", "--runs", "1", "--budget", "1", "--out", str(tmp_path)]) == 1
    payload = json.loads((tmp_path / "travel-40.json").read_text())
    assert payload["medians"][0]["travel_km"] == 50.0
    assert (tmp_path / "travel-40.md").read_text().startswith("# Travel at equal work")
