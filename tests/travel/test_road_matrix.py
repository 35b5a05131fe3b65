"""Road matrices on the hand-made network: known shortest paths, one way streets,
snapping, unreachable points, bands, the on-disk cache and input errors."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from dispatch_opt.domain import Location, SpeedBand, TravelModel, TravelSpec
from dispatch_opt.errors import InputError
from dispatch_opt.io import load_problem
from dispatch_opt.travel import build_travel
from dispatch_opt.travel.road_graph import road_graph_travel
from dispatch_opt.travel.roads import matrices
from dispatch_opt.travel.roads.bands import band_at, day_bands
from dispatch_opt.travel.roads.matrices import node_paths, road_points, unreachable_issues
from dispatch_opt.travel.roads.network import load_network
from dispatch_opt.travel.roads.snap import Snapper
from tests.travel.roads_fixture import lat_lon

KMH = {"residential": 25.0, "tertiary": 35.0, "primary": 50.0, "motorway": 90.0}
FREE = [SpeedBand("all", 0, 24 * 60)]


def _spec(graph: Path, **kw: object) -> TravelSpec:
    kw.setdefault("speed_bands", FREE)
    return TravelSpec(model=TravelModel.ROAD_GRAPH, graph=str(graph), **kw)  # type: ignore[arg-type]


def _at(*nodes: int) -> list[Location]:
    return [Location(*lat_lon(n)) for n in nodes]


def _path_s(graph_file: Path, path: list[int], slow: float = 1.0) -> tuple[float, float]:
    """Seconds and metres along a node path at the class default speeds (major and
    arterial roads times `slow`)."""
    g = load_network(graph_file).graph
    seconds = metres = 0.0
    for u, v in itertools.pairwise(path):
        d = g[u][v][0]
        factor = slow if d["highway"] in ("primary", "motorway") else 1.0
        metres += d["length"]
        seconds += d["length"] / (KMH[d["highway"]] * factor / 3.6)
    return seconds, metres


KNOWN = {
    (1, 3): [1, 2, 3],
    (3, 1): [3, 2, 1],
    (4, 6): [4, 5, 6],
    (6, 4): [6, 3, 2, 1, 4],  # 4-5-6 is one way
    (5, 2): [5, 6, 3, 2],  # motorway 2-5 one way, 5-2 closed (access=no)
    (1, 6): [1, 4, 5, 6],
    (2, 6): [2, 5, 6],  # via the motorway
    (9, 6): [9, 10, 6],  # roundabout
}


def test_known_shortest_paths_and_their_lengths(toy_json: Path) -> None:
    nodes = sorted({n for pair in KNOWN for n in pair})
    m = road_graph_travel(_at(*nodes), _spec(toy_json))
    for (a, b), path in KNOWN.items():
        seconds, metres = _path_s(toy_json, path)
        i, j = nodes.index(a), nodes.index(b)
        assert m.durations_s[i, j] == pytest.approx(seconds, abs=0.005), (a, b)
        assert m.distances_m[i, j] == pytest.approx(metres, abs=0.05 * len(path)), (a, b)
    assert np.all(np.diag(m.durations_s) == 0)


def test_one_way_streets_make_the_matrix_asymmetric(toy_json: Path) -> None:
    m = road_graph_travel(_at(4, 6), _spec(toy_json))
    assert m.durations_s[1, 0] > 3 * m.durations_s[0, 1]


def test_points_on_one_node_are_zero_apart(toy_json: Path) -> None:
    la, lo = lat_lon(5)
    m = road_graph_travel([Location(la, lo), Location(la + 1e-5, lo), *_at(1)], _spec(toy_json))
    assert m.durations_s[0, 1] == 0 and m.durations_s[1, 2] == m.durations_s[0, 2] > 0


def test_a_point_far_from_the_main_network_is_an_input_error(toy_json: Path) -> None:
    # node 7 is an island (not in the main strongly connected part), 555 m from node 4
    with pytest.raises(InputError) as caught:
        road_graph_travel(_at(1, 7), _spec(toy_json), labels=["tickets[0].location", "x[1]"])
    (issue,) = caught.value.issues
    assert issue.path == "x[1]"
    assert "m from the nearest road" in issue.rule and "max_snap_m 300" in issue.rule
    assert road_graph_travel(_at(1, 7), _spec(toy_json, max_snap_m=1000)).durations_s[0, 1] > 0


def test_unreachable_pairs_name_both_points(toy_json: Path) -> None:
    network = load_network(toy_json)
    everything = Snapper(network, np.ones(network.n_nodes, dtype=bool))
    pts = _at(1, 7, 8)
    snapped = everything.snap(np.array([p.lat for p in pts]), np.array([p.lon for p in pts]))
    rp = road_points(network, snapped, ["tickets[0].location", "tickets[1].location", "c"])
    issues = unreachable_issues(rp, node_paths(rp, FREE[0]))
    pairs = {(i.path, i.rule.split(" to ")[1].split(" ")[0]) for i in issues}
    assert ("tickets[0].location", "tickets[1].location") in pairs
    assert ("c", "tickets[1].location") in pairs
    assert ("tickets[1].location", "c") not in pairs  # 7 -> 8 is a road


def test_bands_conservative_is_the_slowest_band(toy_json: Path) -> None:
    bands = [
        SpeedBand("fast", 0, 600),
        SpeedBand("jam", 600, 1440, major=0.2, arterial=0.2, minor=1.0),
    ]
    pts = _at(1, 6, 4)
    fast = road_graph_travel(pts, _spec(toy_json, speed_bands=bands, solver_band="fast"))
    jam = road_graph_travel(pts, _spec(toy_json, speed_bands=bands, solver_band="jam"))
    both = road_graph_travel(pts, _spec(toy_json, speed_bands=bands))
    assert np.array_equal(both.durations_s, np.maximum(fast.durations_s, jam.durations_s))
    # free flow: 1 -> 6 along the primary road; in the jam by 2 and the motorway instead
    assert fast.durations_s[0, 1] == pytest.approx(_path_s(toy_json, [1, 4, 5, 6])[0], abs=0.005)
    via_motorway = _path_s(toy_json, [1, 2, 5, 6], slow=0.2)[0]
    assert jam.durations_s[0, 1] == pytest.approx(via_motorway, abs=0.005)
    assert via_motorway < _path_s(toy_json, [1, 4, 5, 6], slow=0.2)[0]


def test_free_flow_is_a_solver_band_even_when_the_bands_cover_the_day(toy_json: Path) -> None:
    pts = _at(1, 6, 4)
    free = road_graph_travel(pts, _spec(toy_json, speed_bands=None, solver_band="free_flow"))
    night = road_graph_travel(pts, _spec(toy_json, speed_bands=None, solver_band="night"))
    assert np.array_equal(free.durations_s, night.durations_s)  # night runs at free flow


def test_default_bands_cover_the_day_with_slower_peaks() -> None:
    bands = day_bands(None)
    assert [band_at(bands, h * 60).name for h in (3, 8, 12, 18, 21)] == [
        "night", "am_peak", "day", "pm_peak", "evening"
    ]  # fmt: skip
    assert band_at(day_bands([SpeedBand("x", 60, 120)]), 200).name == "free_flow"


def test_cache_returns_the_same_matrix_without_recomputing(
    toy_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(toy_json, cache_dir=str(tmp_path / "c"))
    first = road_graph_travel(_at(1, 3, 6), spec)
    assert len(list((tmp_path / "c").glob("*.npz"))) == 1

    def boom(*_: object) -> None:
        raise AssertionError("recomputed despite the cache")

    monkeypatch.setattr(matrices, "node_paths", boom)
    again = road_graph_travel(_at(1, 3, 6), spec)
    assert np.array_equal(first.durations_s, again.durations_s)
    assert np.array_equal(first.distances_m, again.distances_m)
    with pytest.raises(AssertionError, match="recomputed"):  # other points: a miss
        road_graph_travel(_at(1, 3), spec)
    with pytest.raises(AssertionError, match="recomputed"):  # other speeds: a miss
        road_graph_travel(
            _at(1, 3, 6), _spec(toy_json, cache_dir=spec.cache_dir, class_speeds_kmh={"road": 9})
        )


def test_missing_graph_is_an_input_error_on_travel_graph(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        build_travel(_at(1), ["SR-1"], _spec(tmp_path / "nope.json"))
    assert [i.path for i in caught.value.issues] == ["travel.graph"]


def _gps(at: tuple[float, float]) -> dict[str, float]:
    return {"lat": at[0], "lon": at[1]}


def _problem_doc(graph: str, ticket_at: tuple[float, float]) -> dict:
    return {
        "name": "toy",
        "horizon": {"start": "2026-11-23T08:00:00+08:00", "end": "2026-11-23T20:00:00+08:00"},
        "travel": {"model": "road_graph", "graph": graph},
        "technicians": [
            {
                "id": "T1",
                "start": {"lat": lat_lon(1)[0], "lon": lat_lon(1)[1]},
                "shift": {"start": "2026-11-23T08:00:00+08:00", "end": "2026-11-23T18:00:00+08:00"},
            }
        ],
        "tickets": [
            {"id": "A", "location": _gps(lat_lon(6)), "duration_min": 30},
            {"id": "B", "location": _gps(ticket_at), "duration_min": 30},
        ],
    }  # fmt: skip


def test_problem_file_names_far_points_and_resolves_relative_graphs(
    toy_json: Path, tmp_path: Path
) -> None:
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "toy.json").write_bytes(toy_json.read_bytes())
    doc = _problem_doc("maps/toy.json", lat_lon(3))
    (tmp_path / "p.json").write_text(json.dumps(doc), encoding="utf-8")
    problem = load_problem(tmp_path / "p.json")  # relative to the problem file
    assert problem.travel.graph == str(tmp_path / "maps" / "toy.json")

    far = _problem_doc("maps/toy.json", (22.51, 114.0))
    (tmp_path / "far.json").write_text(json.dumps(far), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_problem(tmp_path / "far.json")
    (issue,) = caught.value.issues
    assert issue.path == "tickets[1].location"
    assert "m from the nearest road" in issue.rule


def test_band_settings_are_checked(toy_json: Path, tmp_path: Path) -> None:
    from dispatch_opt.io import parse_problem

    doc = _problem_doc(str(toy_json), lat_lon(3))
    doc["travel"] |= {
        "speed_bands": [
            {"name": "am", "start": "07:00", "end": "10:00", "factors": {"major": 0.5}},
            {"name": "am", "start": "09:00", "end": "08:00"},
        ],
        "solver_band": "noon",
        "class_speeds_kmh": {"footway": 5},
    }
    with pytest.raises(InputError) as caught:
        parse_problem(doc)
    paths = {i.path for i in caught.value.issues}
    assert paths == {
        "travel.speed_bands[1].end",
        "travel.speed_bands[1].name",
        "travel.solver_band",
        "travel.class_speeds_kmh.footway",
    }
    doc["travel"] |= {"speed_bands": [{"name": "am", "start": "07:00", "end": "25:00"}]}
    with pytest.raises(InputError):
        parse_problem(doc)
    doc["travel"] = {
        "model": "road_graph",
        "graph": str(toy_json),
        "speed_bands": [
            {"name": "am", "start": "07:00", "end": "09:30", "factors": {"major": 0.5}}
        ],
        "solver_band": "am",
        "max_snap_m": 500,
    }
    travel = parse_problem(doc).travel
    assert travel.speed_bands == (SpeedBand("am", 420, 570, major=0.5),)
    assert travel.solver_band == "am" and travel.max_snap_m == 500
