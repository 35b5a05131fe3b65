"""Small-days benchmark: its days are fixed by size and index, its table counts day by
day, a failed run serves nothing, and a run end to end is validated."""

import json

import pytest

from benchmarks import small_days
from benchmarks.fieldservice import RunResult


def test_each_day_is_fixed_by_its_size_and_index_and_differs_between_indices():
    first = small_days.small_case(25, 0)
    assert small_days.small_case(25, 0) == first
    assert small_days.small_case(25, 1).seed != first.seed
    assert small_days.small_case(25, 1).city != first.city
    assert first.technicians == 3 and first.depots == 1
    assert first.problem_dict() == small_days.small_case(25, 0).problem_dict()


def _run(solver: str, weighted: int, *, valid: bool = True, seed: int = 1) -> RunResult:
    return RunResult(
        25,
        "shenzhen",
        seed,
        3,
        solver,
        2.0,
        served=weighted,
        weighted_served=weighted,
        valid=valid,
        travel_km=10.0,
        sla_met_rate=0.5,
    )


def test_the_table_counts_days_won_tied_and_lost_and_sums_weighted_served():
    runs = [
        _run("dispatch-opt", 10, seed=1),
        _run("vroom", 8, seed=1),
        _run("dispatch-opt", 7, seed=2),
        _run("vroom", 7, seed=2),
        _run("dispatch-opt", 5, seed=3),
        _run("vroom", 6, seed=3),
    ]
    table = small_days.markdown(runs, ["dispatch-opt", "vroom"])
    assert "| 25 | 2 s | dispatch-opt | 3 | 3 | 22 | x1.000 |" in table
    assert "| 25 | 2 s | vroom | 3 | 3 | 21 | x0.955 | 50.0% | 10.0 | 1/1/1 |" in table


def test_a_run_without_a_valid_plan_serves_nothing():
    broken = small_days._zeroed(_run("vroom", 9, valid=False))
    assert broken.weighted_served == 0
    assert small_days._zeroed(_run("vroom", 9)).weighted_served == 9


def test_a_run_writes_validated_rows_for_every_solver(tmp_path):
    pytest.importorskip("vroom")
    args = ["--sizes", "12", "--seeds", "1", "--budgets", "1", "--solvers", "dispatch-opt,vroom"]
    assert small_days.main([*args, "--out", str(tmp_path)]) == 0
    payload = json.loads((tmp_path / "small_days.json").read_text())
    assert [r["solver"] for r in payload["results"]] == ["dispatch-opt", "vroom"]
    assert all(r["valid"] and r["served"] > 0 for r in payload["results"])
    assert "| 12 | 1 s | vroom | 1 | 1 |" in (tmp_path / "small_days.md").read_text()


def test_fewer_than_one_seed_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        small_days.main(["--seeds", "0"])
    assert stop.value.code == 2
    assert "--seeds: must be at least 1, got 0" in capsys.readouterr().err
