"""The validator times each road leg with the band of its departure: a plan made with an
optimistic band is caught, a conservative one holds and reports its slack."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from dispatch_opt.io import load_problem
from dispatch_opt.planner import solve_problem
from dispatch_opt.validate import _RoadTravel, road_band_check, validate_plan
from tests.travel.roads_fixture import lat_lon

REPO = Path(__file__).resolve().parents[2]

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


def test_the_validators_paths_equal_networkx_dijkstra_on_the_toy_network(
    tmp_path: Path, toy_json: Path
) -> None:
    problem = _problem(tmp_path, toy_json, "conservative")
    _same_paths_as_networkx(_RoadTravel(problem), range(len(_RoadTravel(problem).network.nodes)))


def test_the_validators_paths_equal_networkx_dijkstra_in_shenzhen(shenzhen) -> None:
    problem = load_problem(REPO / "scenarios" / "shenzhen-day.json")
    rng = np.random.default_rng(12)
    travel = _RoadTravel(problem)
    main = np.flatnonzero(np.asarray(travel.network.main_component))
    _same_paths_as_networkx(travel, rng.choice(main, size=6, replace=False))


@pytest.mark.parametrize("reach_s", [1.0, 5.0, 1e9])
def test_a_search_grown_from_a_short_reach_finds_the_same_paths(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, toy_json: Path, reach_s: float
) -> None:
    """The validator's searches stop at `REACH_S` and grow until they reach the target:
    from a reach far below every leg (so every pair needs several searches, and the
    unreachable ones the unbounded one), the paths are networkx's all the same."""
    import dispatch_opt.validate as validate_module

    monkeypatch.setattr(validate_module, "REACH_S", reach_s)
    problem = _problem(tmp_path, toy_json, "conservative")
    travel = _RoadTravel(problem)
    _same_paths_as_networkx(travel, range(len(travel.network.nodes)))
    limits = [limit for limit, _, _ in travel.trees.values()]
    assert all(limit >= reach_s for limit in limits)
    if reach_s < 10:  # every toy leg is longer: each search grew at least once
        assert all(limit > reach_s for limit in limits)


def test_the_validator_takes_the_fastest_of_parallel_edges() -> None:
    """0 -> 1 twice (100 s over 100 m, 10 s over 150 m), 1 -> 2 (20 s, 50 m), 0 -> 2
    (100 s, 10 m): the fastest path 0 -> 2 is 30 s over 200 m. (Neither the toy network
    nor the Shenzhen extract has parallel edges once loaded.)"""
    import networkx as nx

    tail, head = np.array([0, 0, 1, 0]), np.array([1, 1, 2, 2])
    seconds = np.array([100.0, 10.0, 20.0, 100.0])
    graph = nx.MultiDiGraph()
    for e, (u, v) in enumerate(zip(tail, head, strict=True)):
        graph.add_edge(f"n{u}", f"n{v}", eid=e)
    travel = object.__new__(_RoadTravel)
    travel.network = SimpleNamespace(
        nodes=["n0", "n1", "n2"],
        graph=graph,
        tail=tail,
        head=head,
        length_m=np.array([100.0, 150.0, 50.0, 10.0]),
    )
    travel.seconds = {"day": seconds}
    travel.paths, travel.trees, travel.graphs = {}, {}, {}
    assert travel._path("day", 0, 2) == pytest.approx((30.0, 200.0))
    _same_paths_as_networkx(travel, range(3))


def _same_paths_as_networkx(travel, nodes) -> None:
    """Every reachable ordered pair among `nodes`, in every band: the same seconds, and
    metres equal up to ties between equally fast paths (none expected on real lengths)."""
    import networkx as nx

    checked = 0
    for band, seconds in travel.seconds.items():
        for a in nodes:
            for b in nodes:
                if a == b:
                    continue
                try:
                    want = fastest_path_networkx(travel.network, seconds, int(a), int(b))
                except nx.NetworkXNoPath:
                    with pytest.raises(ValueError, match="no road path"):
                        travel._path(band, int(a), int(b))
                    continue
                got = travel._path(band, int(a), int(b))
                assert got[0] == pytest.approx(want[0], rel=1e-9, abs=1e-6)
                assert got[1] == pytest.approx(want[1], rel=1e-9, abs=1e-6)
                checked += 1
    assert checked > 0


def fastest_path_networkx(network, seconds: np.ndarray, a: int, b: int) -> tuple[float, float]:
    """(seconds, metres) of the fastest path from network node a to b by networkx's
    bidirectional Dijkstra over the parallel edges: the reference `_RoadTravel._path` is
    held to (the validator's own road legs until session 12)."""
    import networkx as nx

    def weight(u: object, v: object, edges: dict) -> float:
        return min(float(seconds[d["eid"]]) for d in edges.values())

    nodes, graph = network.nodes, network.graph
    time_s, route = nx.bidirectional_dijkstra(graph, nodes[a], nodes[b], weight=weight)
    metres = 0.0
    for u, v in pairwise(route):
        best = min(graph[u][v].values(), key=lambda d: seconds[d["eid"]])
        metres += float(network.length_m[best["eid"]])
    return float(time_s), metres
