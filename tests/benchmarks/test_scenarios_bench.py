"""The scenario benchmark's summary: medians, the median run's priorities, worst validity."""

from __future__ import annotations

import json

from benchmarks import scenarios


def _run(weighted: int, km: float, violations: int = 0) -> dict:
    return dict(
        tickets=10, technicians=2, depots=1, limit_s=5.0, served=weighted // 2,
        by_priority={"low": weighted}, weighted=weighted, weighted_total=40, sla_met=0.5,
        km=km, overtime_min=3.0, solve_s=5.0, compile_s=0.1, first_s=0.2, engine="x",
        violations=violations, peak_mb=100.0, worker_peak_mb=90.0,
    )  # fmt: skip


def test_summary_takes_medians_and_the_worst_validity():
    s = scenarios.summary([_run(30, 9.0), _run(10, 1.0, violations=2), _run(20, 5.0)])
    assert s["weighted"] == 20 and s["km"] == 5.0
    assert s["by_priority"] == {"low": 20}  # the median-weight run's breakdown
    assert s["violations"] == 2 and s["runs"] == 3
    assert "| demo | 10 / 2 / 1 | 5 | 10 | 20/0/0/0 | 20/40 |" in scenarios.markdown({"demo": s})


def test_main_writes_both_files_and_fails_on_an_invalid_plan(tmp_path, monkeypatch):
    runs = iter([_run(20, 5.0), _run(20, 5.0, violations=1)])
    monkeypatch.setattr(scenarios, "run_once", lambda path: next(runs))
    assert scenarios.main(["--names", "small", "--runs", "1", "--out", str(tmp_path)]) == 0
    payload = json.loads((tmp_path / "scenarios.json").read_text())
    assert payload["summary"]["small"]["weighted"] == 20
    assert (tmp_path / "scenarios.md").read_text().startswith("# Bundled scenarios")
    assert scenarios.main(["--names", "small", "--runs", "1", "--out", str(tmp_path)]) == 1
