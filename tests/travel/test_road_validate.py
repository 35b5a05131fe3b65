"""The validator times each road leg with the band of its departure: a plan made with an
optimistic band is caught, a conservative one holds and reports its slack."""

from __future__ import annotations

import json
from pathlib import Path

from dispatch_opt.io import load_problem
from dispatch_opt.planner import solve_problem
from dispatch_opt.validate import road_band_check, validate_plan
from tests.travel.roads_fixture import lat_lon

BANDS = [
    {"name": "fast", "start": "00:00", "end": "06:00"},
    {"name": "jam", "start": "06:00", "end": "24:00", "factors": {"major": 0.1, "arterial": 0.1}},
]


def _problem(tmp_path: Path, graph: Path, solver_band: str):
    gps = [{"lat": lat_lon(n)[0], "lon": lat_lon(n)[1]} for n in (1, 6, 10)]
    doc = {
        "name": "toy",
        "horizon": {"start": "2026-11-23T08:00:00+08:00", "end": "2026-11-23T20:00:00+08:00"},
        "travel": {
            "model": "road_graph",
            "graph": str(graph),
            "speed_bands": BANDS,
            "solver_band": solver_band,
        },
        "technicians": [
            {
                "id": "T1",
                "start": gps[0],
                "shift": {"start": "2026-11-23T08:00:00+08:00", "end": "2026-11-23T18:00:00+08:00"},
            }
        ],
        "tickets": [
            {"id": "A", "location": gps[1], "duration_min": 20},
            {"id": "B", "location": gps[2], "duration_min": 20},
        ],
    }
    path = tmp_path / f"{solver_band}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return load_problem(path)


def test_optimistic_band_plan_is_caught(tmp_path: Path, toy_json: Path) -> None:
    problem = _problem(tmp_path, toy_json, "fast")
    plan = solve_problem(problem, time_limit_s=2, deterministic=True)
    report = validate_plan(problem, plan)
    assert "arrival_too_early" in report.codes
    check = road_band_check(problem, plan)
    assert check.slower_legs > 0 and check.exact_s > check.planned_s


def test_conservative_plan_holds_and_reports_its_slack(tmp_path: Path, toy_json: Path) -> None:
    problem = _problem(tmp_path, toy_json, "conservative")
    plan = solve_problem(problem, time_limit_s=2, deterministic=True)
    report = validate_plan(problem, plan)
    assert report.ok, report
    assert "road_band_difference" in report.warning_codes
    check = road_band_check(problem, plan)
    assert check.legs == 3 and check.slower_legs == 0


def test_free_flow_plan_is_checked_on_days_without_a_free_flow_hour(
    tmp_path: Path, toy_json: Path
) -> None:
    problem = _problem(tmp_path, toy_json, "free_flow")  # BANDS cover the whole day
    plan = solve_problem(problem, time_limit_s=2, deterministic=True)
    report = validate_plan(problem, plan)
    assert "arrival_too_early" in report.codes
