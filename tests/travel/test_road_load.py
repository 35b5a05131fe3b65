"""Loading road files: drivable ways only, OSM one-way rules, the three file formats."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from dispatch_opt.travel.roads.osm_load import RoadFileError, load_road_graph
from dispatch_opt.travel.roads.speeds import free_flow_kmh, parse_maxspeed


def _arcs(graph: nx.MultiDiGraph) -> set[tuple[int, int]]:
    return {(int(u), int(v)) for u, v in graph.edges()}


EXPECTED_ARCS = {
    (1, 2), (2, 1), (2, 3), (3, 2),  # residential, two way
    (4, 5), (5, 6),  # primary oneway=yes
    (1, 4), (4, 1),  # tertiary two way
    (6, 3),  # oneway=-1: against the node order
    (2, 5),  # motorway implies one way
    (6, 9), (9, 10), (10, 6),  # roundabout implies one way
    (7, 8),  # island
}  # fmt: skip


def test_overpass_json_keeps_drivable_ways_with_one_way_rules(toy_json: Path) -> None:
    graph = load_road_graph(toy_json)
    assert _arcs(graph) == EXPECTED_ARCS  # footway, access=no and busway dropped
    length = graph[1][2][0]["length"]
    assert 102 < length < 104  # 0.001 deg of longitude at 22.5 N


def test_osm_xml_gives_the_same_graph(toy_json: Path, toy_xml: Path) -> None:
    a, b = load_road_graph(toy_json), load_road_graph(toy_xml)
    assert _arcs(a) == _arcs(b)
    for u, v, data in a.edges(data=True):
        assert b[u][v][0]["length"] == pytest.approx(data["length"])
        assert b[u][v][0]["highway"] == data["highway"]


def test_graphml_round_trip(toy_json: Path, tmp_path: Path) -> None:
    graph = load_road_graph(toy_json)
    out = nx.MultiDiGraph()
    out.add_nodes_from(graph.nodes(data=True))
    for u, v, d in graph.edges(data=True):
        out.add_edge(u, v, highway=d["highway"], length=d["length"], maxspeed=d["maxspeed"] or "")
    nx.write_graphml(out, tmp_path / "toy.graphml")
    back = load_road_graph(tmp_path / "toy.graphml")
    assert _arcs(back) == EXPECTED_ARCS


def test_undirected_graphml_is_driven_both_ways(tmp_path: Path) -> None:
    g = nx.Graph()
    g.add_node("a", x=114.0, y=22.5)
    g.add_node("b", x=114.001, y=22.5)
    g.add_edge("a", "b", highway="residential")
    nx.write_graphml(g, tmp_path / "u.graphml")
    back = load_road_graph(tmp_path / "u.graphml")
    assert set(back.edges()) == {("a", "b"), ("b", "a")}
    assert 102 < back["a"]["b"][0]["length"] < 104  # computed from the coordinates


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(RoadFileError, match="no file"):
        load_road_graph(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(RoadFileError, match="cannot read"):
        load_road_graph(bad)
    empty = tmp_path / "empty.json"
    empty.write_text('{"elements": []}', encoding="utf-8")
    with pytest.raises(RoadFileError, match="no drivable road"):
        load_road_graph(empty)


@pytest.mark.parametrize(
    ("tag", "kmh"),
    [("50", 50.0), ("30 mph", 48.28032), ("60;80", 60.0), ("1", 5.0), ("200", 130.0),
     ("CN:urban", None), ("none", None), (None, None), (40, 40.0)],
)  # fmt: skip
def test_parse_maxspeed(tag: object, kmh: float | None) -> None:
    got = parse_maxspeed(tag)
    assert got == pytest.approx(kmh) if kmh is not None else got is None


def test_free_flow_uses_maxspeed_then_class_default_then_override() -> None:
    import numpy as np

    highway = np.array(["primary", "residential", "residential"], dtype=object)
    speeds = free_flow_kmh(highway, ["70", None, None])
    assert speeds.tolist() == [70.0, 25.0, 25.0]
    assert free_flow_kmh(highway, [None, None, "10"], {"residential": 18})[1:].tolist() == [
        18.0,
        10.0,
    ]
