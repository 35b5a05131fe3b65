"""Read a road network file (Overpass JSON, OSM XML or GraphML) into a networkx MultiDiGraph.

Every edge is one driving direction between two consecutive OSM nodes of a way, with
`length` (metres, great circle), `highway` (road class), `maxspeed` (the raw tag or None)
and `way` (the OSM way id when known). Nodes carry `x` (lon) and `y` (lat). Only ways a
van may drive are kept (see `DRIVABLE` in `speeds` and `_drivable`); one-way rules follow
OSM: `oneway=yes|true|1`, `oneway=-1|reverse` (against the node order),
`junction=roundabout|circular` and `highway=motorway(_link)` imply one way unless
`oneway=no`. Parsing uses only the standard library and networkx (no osmnx).
"""

from __future__ import annotations

import ast
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from dispatch_opt.travel.haversine import great_circle_m, great_circle_pairs_m
from dispatch_opt.travel.roads.speeds import DRIVABLE

ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
ONEWAY_BACKWARD = frozenset({"-1", "reverse"})
ONEWAY_NO = frozenset({"no", "false", "0"})
IMPLIED_ONEWAY_JUNCTIONS = frozenset({"roundabout", "circular"})
IMPLIED_ONEWAY_CLASSES = frozenset({"motorway", "motorway_link"})
NO_ACCESS = frozenset({"no", "private"})
"""`access`/`motor_vehicle`/`motorcar` values that close a way to a service van."""


class RoadFileError(Exception):
    """The road network file is missing, unreadable or has no drivable road."""


def _direction(tags: Mapping[str, str]) -> int:
    """+1 one way along the node order, -1 one way against it, 0 both ways."""
    oneway = str(tags.get("oneway", "")).strip().lower()
    if oneway in ONEWAY_FORWARD:
        return 1
    if oneway in ONEWAY_BACKWARD:
        return -1
    if oneway in ONEWAY_NO:
        return 0
    if tags.get("junction") in IMPLIED_ONEWAY_JUNCTIONS:
        return 1
    return 1 if tags.get("highway") in IMPLIED_ONEWAY_CLASSES else 0


def _drivable(tags: Mapping[str, str]) -> bool:
    """A way a van may drive: a drivable road class, not an area, not closed to motor traffic."""
    if tags.get("highway") not in DRIVABLE or tags.get("area") == "yes":
        return False
    return not any(tags.get(k) in NO_ACCESS for k in ("access", "motor_vehicle", "motorcar"))


def _build(
    nodes: Mapping[int, tuple[float, float]],
    ways: Iterable[tuple[int, list[int], Mapping[str, str]]],
) -> nx.MultiDiGraph:
    """The directed graph of the drivable ways (nodes: OSM id -> (lat, lon))."""
    tails: list[int] = []
    heads: list[int] = []
    attrs: list[dict[str, Any]] = []
    for way_id, refs, tags in ways:
        if not _drivable(tags):
            continue
        refs = [r for r in refs if r in nodes]
        direction = _direction(tags)
        base = {"highway": tags["highway"], "maxspeed": tags.get("maxspeed"), "way": way_id}
        for u, v in pairwise(refs):
            if u == v:
                continue
            if direction >= 0:
                tails.append(u)
                heads.append(v)
                attrs.append(base)
            if direction <= 0:
                tails.append(v)
                heads.append(u)
                attrs.append(base)
    if not tails:
        raise RoadFileError("no drivable road in the file")
    used = sorted(set(tails) | set(heads))
    index = {osm: i for i, osm in enumerate(used)}
    lat = np.array([nodes[o][0] for o in used])
    lon = np.array([nodes[o][1] for o in used])
    a = np.fromiter((index[u] for u in tails), dtype=np.intp, count=len(tails))
    b = np.fromiter((index[v] for v in heads), dtype=np.intp, count=len(heads))
    lengths = great_circle_pairs_m(lat[a], lon[a], lat[b], lon[b])
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(
        (o, {"y": float(la), "x": float(lo)}) for o, la, lo in zip(used, lat, lon, strict=True)
    )
    graph.add_edges_from(
        (u, v, {**d, "length": float(m)})
        for u, v, d, m in zip(tails, heads, attrs, lengths.tolist(), strict=True)
    )
    return graph


def _overpass_json(path: Path) -> nx.MultiDiGraph:
    """Overpass API JSON (`out body` with nodes and ways)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    elements = doc.get("elements") if isinstance(doc, dict) else None
    if not isinstance(elements, list):
        raise RoadFileError("not an Overpass JSON document (no `elements` list)")
    nodes = {e["id"]: (e["lat"], e["lon"]) for e in elements if e.get("type") == "node"}
    ways = (
        (e["id"], e.get("nodes", []), e.get("tags", {})) for e in elements if e.get("type") == "way"
    )
    return _build(nodes, ways)


def _osm_xml(path: Path) -> nx.MultiDiGraph:
    """OSM XML (`<osm>` with `<node>` and `<way>` elements), read in one streaming pass."""
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    for _, el in ET.iterparse(path, events=("end",)):
        if el.tag == "node":
            nodes[int(el.get("id", "0"))] = (
                float(el.get("lat", "nan")),
                float(el.get("lon", "nan")),
            )
            el.clear()
        elif el.tag == "way":
            refs = [int(nd.get("ref", "0")) for nd in el.iter("nd")]
            tags = {t.get("k", ""): t.get("v", "") for t in el.iter("tag")}
            ways.append((int(el.get("id", "0")), refs, tags))
            el.clear()
    return _build(nodes, ways)


def _first(value: Any) -> Any:
    """osmnx writes merged attributes as a list literal (`"['primary', 'secondary']"`)."""
    if isinstance(value, str) and value.startswith("["):
        try:
            items = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
        return items[0] if isinstance(items, list) and items else value
    return value


def _graphml(path: Path) -> nx.MultiDiGraph:
    """GraphML (e.g. written by osmnx): nodes with `x`/`y`, edges with `highway`, optional
    `length` and `maxspeed`. Each edge of a directed file is one driving direction as
    given (no `oneway` or access tags are read); an undirected file is driven both ways."""
    raw = nx.read_graphml(path, force_multigraph=True)
    directed = raw.is_directed()
    graph = nx.MultiDiGraph()
    for node, data in raw.nodes(data=True):
        try:
            graph.add_node(node, y=float(data["y"]), x=float(data["x"]))
        except (KeyError, ValueError):
            raise RoadFileError(f"GraphML node {node!r} lacks numeric x/y") from None
    for u, v, data in raw.edges(data=True):
        highway = str(_first(data.get("highway", "road")))
        if highway not in DRIVABLE or u == v:
            continue
        attrs = {
            "highway": highway,
            "maxspeed": _first(data.get("maxspeed")),
            "way": _first(data.get("osmid")),
        }
        length = data.get("length")
        if length is None:
            a, b = graph.nodes[u], graph.nodes[v]
            length = great_circle_m(a["y"], a["x"], b["y"], b["x"])
        attrs["length"] = float(length)
        graph.add_edge(u, v, **attrs)
        if not directed:
            graph.add_edge(v, u, **attrs)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    if graph.number_of_edges() == 0:
        raise RoadFileError("no drivable road in the file")
    return graph


def _kind(path: Path) -> str:
    """`json`, `xml` or `graphml`, from the suffix, else from the first bytes."""
    suffix = path.suffix.lower()
    if suffix in {".json", ".geojson"}:
        return "json"
    if suffix in {".osm", ".xml"}:
        return "xml"
    if suffix == ".graphml":
        return "graphml"
    with path.open("rb") as fh:
        head = fh.read(512).lstrip()
    if head.startswith(b"{"):
        return "json"
    return "graphml" if b"<graphml" in head else "xml"


def load_road_graph(path: str | Path) -> nx.MultiDiGraph:
    """The drivable directed road graph of a network file (RoadFileError when unusable)."""
    path = Path(path)
    if not path.is_file():
        raise RoadFileError(f"no file {str(path)!r}")
    readers = {"json": _overpass_json, "xml": _osm_xml, "graphml": _graphml}
    try:
        return readers[_kind(path)](path)
    except RoadFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError, ET.ParseError) as exc:
        raise RoadFileError(f"cannot read {path.name}: {type(exc).__name__}: {exc}") from None


__all__ = ["RoadFileError", "load_road_graph"]
