"""Field-service time-to-quality curve: gaps, medians and unsolved points."""

from benchmarks.fieldservice import RunResult
from benchmarks.fieldservice_curve import markdown, summarise


def _run(solver: str, budget: float, weighted: int, *, valid: bool = True, km: float = 10.0):
    r = RunResult(200, "shanghai", 200, 25, solver, budget)
    r.weighted_served, r.served, r.valid, r.travel_km, r.total_s = (
        weighted,
        weighted,
        valid,
        km,
        budget,
    )
    return r


def test_gaps_are_against_the_best_valid_run_of_any_solver_and_medians_over_repeats():
    runs = [
        _run("ours", 5, 90),
        _run("ours", 5, 100),
        _run("ours", 5, 96),
        _run("peer", 5, 80),
        _run("peer", 5, 120, valid=False),  # an invalid plan neither counts nor sets the best
    ]
    rows = {(r["solver"], r["budget_s"]): r for r in summarise(runs)}
    ours, peer = rows[("ours", 5)], rows[("peer", 5)]
    assert ours["best_weighted"] == 100
    assert ours["weighted_median"] == 96 and ours["valid_runs"] == 3
    assert ours["gap_pct_median"] == 4.0 and ours["gap_pct_worst"] == 10.0
    assert peer["valid_runs"] == 1 and peer["gap_pct_median"] == 20.0


def test_a_point_without_a_valid_plan_is_reported_as_none_with_its_error():
    failed = _run("peer", 2, 0, valid=False)
    failed.error = "no answer within 600 s"
    rows = summarise([_run("ours", 2, 50), failed])
    text = markdown(
        rows, {"repeats": 1, "workers": 2, "cases": {"200": {"city": "x", "technicians": 25}}}
    )
    assert "| peer | 2 | 0/1 | none (no answer within 600 s) |" in text


def test_a_grid_the_ratio_empties_is_a_clear_error_not_a_crash(tmp_path, capsys):
    """Every budget above --max-ratio times the standard budget: exit 2 and say why
    (it used to run nothing and fail in the plot with a matplotlib traceback)."""
    from benchmarks.fieldservice_curve import main

    assert main(["--sizes", "120", "--budgets", "30", "--out", str(tmp_path)]) == 2
    assert "--max-ratio" in capsys.readouterr().err
    assert not (tmp_path / "curve.json").exists()
