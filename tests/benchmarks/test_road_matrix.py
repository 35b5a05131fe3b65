"""The road benchmark's two matrix builders agree, and its scenarios snap onto the roads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from benchmarks import road_matrix
from dispatch_opt.io import load_problem
from dispatch_opt.travel.haversine import lat_lon
from dispatch_opt.travel.roads.inputs import problem_points
from dispatch_opt.travel.roads.network import RoadNetwork
from dispatch_opt.travel.roads.snap import main_snapper


def test_csgraph_and_plain_networkx_builders_agree(shenzhen: RoadNetwork) -> None:
    road_matrix._set_free_flow_times(shenzhen)
    points = road_matrix.random_points(shenzhen, 25, seed=3)
    assert len(points) == 25
    seconds, metres = road_matrix.ours(shenzhen, points)
    sources = np.array([0, 11])
    ref_s, ref_m = road_matrix.plain_networkx(shenzhen, points, sources)
    np.testing.assert_allclose(seconds[sources], ref_s, atol=0.2)
    # equal-time paths may differ in length by a few metres (1 ms edge rounding)
    assert np.median(np.abs(metres[sources] - ref_m)) < 0.5


def test_written_scenarios_load_and_snap(shenzhen: RoadNetwork, tmp_path: Path) -> None:
    (tmp_path / "default.json").write_bytes(
        (road_matrix.REPO / "scenarios" / "default.json").read_bytes()
    )
    paths = road_matrix.write_scenarios(tmp_path)
    assert [p.name for p in paths] == ["shenzhen-day.json", "shenzhen-day-haversine.json"]
    problem = load_problem(paths[0])
    points, _ = problem_points(problem)
    snapped = main_snapper(shenzhen).snap(*lat_lon(points))
    assert snapped.distance_m.max() <= road_matrix.MOVE_BEYOND_M + 1e-6
    doc = json.loads(paths[1].read_text(encoding="utf-8"))
    assert doc["travel"]["model"] == "haversine"
    assert "OpenStreetMap" in doc["name"]
