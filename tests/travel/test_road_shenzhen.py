"""On the Shenzhen extract: csgraph matrices equal networkx's own Dijkstra on sampled pairs;
the scenario's points all snap; a small road plan validates with its band difference."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from benchmarks.road_matrix import REPO, SHENZHEN
from dispatch_opt.domain import Location, TravelModel, TravelSpec
from dispatch_opt.io import load_problem
from dispatch_opt.travel.road_graph import road_graph_travel
from dispatch_opt.travel.roads.bands import day_bands
from dispatch_opt.travel.roads.matrices import band_speeds, road_points
from dispatch_opt.travel.roads.network import RoadNetwork
from dispatch_opt.travel.roads.shortest import edge_weights
from dispatch_opt.travel.roads.snap import main_snapper


def _sample(network: RoadNetwork, n: int, seed: int) -> list[Location]:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(network.lat.min() + 0.01, network.lat.max() - 0.01, 4 * n)
    lon = rng.uniform(network.lon.min() + 0.01, network.lon.max() - 0.01, 4 * n)
    near = main_snapper(network).snap(lat, lon).distance_m < 300
    return [Location(float(a), float(b)) for a, b in zip(lat[near], lon[near], strict=True)][:n]


@pytest.mark.parametrize("band", ["night", "pm_peak"])
def test_matrix_equals_networkx_dijkstra_on_sampled_pairs(shenzhen: RoadNetwork, band: str) -> None:
    points = _sample(shenzhen, 60, seed=7)
    spec = TravelSpec(
        model=TravelModel.ROAD_GRAPH, graph=str(SHENZHEN), solver_band=band, cache_dir="off"
    )
    m = road_graph_travel(points, spec)
    snapped = main_snapper(shenzhen).snap(
        np.array([p.lat for p in points]), np.array([p.lon for p in points])
    )
    (band_obj,) = [b for b in day_bands(None) if b.name == band]
    rp = road_points(shenzhen, snapped, [str(i) for i in range(len(points))])
    w = edge_weights(shenzhen, band_speeds(rp, band_obj))
    exact_s = shenzhen.length_m / (band_speeds(rp, band_obj) / 3.6)

    def packed(u: object, v: object, edges: dict) -> float:  # the same integers as csgraph
        return min(w.time_ms[d["eid"]] * 2.0**24 + w.length_dm[d["eid"]] for d in edges.values())

    def seconds(u: object, v: object, edges: dict) -> float:  # unrounded float seconds
        return min(float(exact_s[d["eid"]]) for d in edges.values())

    nodes = [shenzhen.nodes[k] for k in snapped.node]
    for i in range(0, len(points), 12):  # 5 sources x 60 targets
        ref = nx.single_source_dijkstra_path_length(shenzhen.graph, nodes[i], weight=packed)
        ref_s = nx.single_source_dijkstra_path_length(shenzhen.graph, nodes[i], weight=seconds)
        for j in range(len(points)):
            value = ref[nodes[j]]
            assert m.durations_s[i, j] == np.floor(value / 2**24) / 1000.0
            assert m.distances_m[i, j] == (value % 2**24) / 10.0
            assert m.durations_s[i, j] == pytest.approx(ref_s[nodes[j]], abs=0.2)
    assert not np.allclose(m.durations_s, m.durations_s.T)  # one-way streets matter


def test_scenario_points_all_snap(shenzhen: RoadNetwork) -> None:
    problem = load_problem(REPO / "scenarios" / "shenzhen-day.json")
    assert problem.travel.model is TravelModel.ROAD_GRAPH
    assert Path(problem.travel.graph or "").resolve() == SHENZHEN.resolve()
    assert len(problem.tickets) == 150


def test_small_road_plan_validates_and_reports_the_band_difference(
    shenzhen: RoadNetwork, tmp_path: Path
) -> None:
    from dispatch_opt.planner import solve_problem
    from dispatch_opt.validate import road_band_check, validate_plan

    doc = json.loads((REPO / "scenarios" / "shenzhen-day.json").read_text(encoding="utf-8"))
    doc["travel"]["graph"] = str(SHENZHEN)
    doc["technicians"] = doc["technicians"][:3]
    kept = {t["id"] for t in doc["technicians"]}
    doc["tickets"] = [
        t
        for t in doc["tickets"]
        if {t.get("pinned_technician"), *t.get("preferred_technicians", [])} - {None} <= kept
        and set(t.get("excluded_technicians", [])) <= kept
    ][:12]
    (tmp_path / "p.json").write_text(json.dumps(doc), encoding="utf-8")
    problem = load_problem(tmp_path / "p.json")
    plan = solve_problem(problem, time_limit_s=3, deterministic=True)
    report = validate_plan(problem, plan)
    assert report.ok, report
    check = road_band_check(problem, plan)
    assert check.legs > 0 and "road_band_difference" in report.warning_codes
    assert check.slower_legs == 0 and check.exact_s <= check.planned_s + 1e-6
