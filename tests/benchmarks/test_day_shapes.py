"""Day shapes benchmark: the shapes are what they say, and a run end to end is validated."""

import json

import pytest

from benchmarks import day_shapes
from benchmarks.fieldservice import Case


def test_a_cases_load_reaches_the_generator():
    lighter = Case(40, "shenzhen", 1, 5, 2, load=0.6).problem_dict()
    heavier = Case(40, "shenzhen", 1, 5, 2, load=1.1).problem_dict()
    minutes = [sum(t["duration_min"] for t in p["tickets"]) for p in (lighter, heavier)]
    assert minutes[0] < minutes[1]  # the load reaches the generator


def test_a_run_writes_validated_rows_for_every_solver(tmp_path, monkeypatch):
    pytest.importorskip("vroom")
    monkeypatch.setitem(day_shapes.SHAPES, "tiny", Case(12, "shenzhen", 3, 3, 1, load=0.8))
    args = ["--shapes", "tiny", "--budget", "1", "--solvers", "dispatch-opt,vroom"]
    assert day_shapes.main([*args, "--out", str(tmp_path)]) == 0
    payload = json.loads((tmp_path / "shapes.json").read_text())
    assert [r["solver"] for r in payload["results"]] == ["dispatch-opt", "vroom"]
    assert all(r["valid"] for r in payload["results"])
    table = (tmp_path / "shapes.md").read_text()
    assert "| vroom | yes |" in table and "x1.000" in table  # VROOM against itself


def test_unknown_shapes_and_solvers_are_refused_with_the_known_ones(capsys):
    with pytest.raises(SystemExit) as stop:
        day_shapes.main(["--shapes", "rush-hour"])
    assert stop.value.code == 2
    assert "long-routes" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        day_shapes.main(["--solvers", "dispatch-opt,gurobi"])
    assert stop.value.code == 2
    assert "unknown gurobi; choose from dispatch-opt" in capsys.readouterr().err


def test_a_valid_but_empty_plan_is_reported_as_no_plan_and_never_as_the_ratios_base():
    from benchmarks.fieldservice import RunResult

    empty = RunResult(300, "chengdu", 7, 15, "vroom", 30.0, status="infeasible", valid=True)
    ours = RunResult(300, "chengdu", 7, 15, "dispatch-opt", 30.0, served=5, valid=True)
    ours.weighted_served, ours.weighted_total, ours.travel_km = 10, 20, 50.0
    table = day_shapes.markdown([("long-routes", ours), ("long-routes", empty)], 30.0)
    assert "| vroom | no (no plan: infeasible) |" in table
    assert "| dispatch-opt | yes | 5 | 10 / 20 |  |" in table  # no ratio to an empty plan
