"""A loaded road network: the networkx graph plus the numpy arrays the fast paths run on.

Loading parses the file once per process (kept by path, size and modification time), so
problem checks, matrix building and the validator share one parse.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from dispatch_opt.travel.roads.osm_load import load_road_graph
from dispatch_opt.travel.roads.snap import Snapper
from dispatch_opt.travel.roads.speeds import group_index


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """The directed road graph (`graph`, networkx) and its edge arrays in node-index space.

    Node `i` is `nodes[i]` in the graph; edge `e` runs `tail[e] -> head[e]` and is the
    graph edge with attribute `eid == e`."""

    graph: nx.MultiDiGraph
    digest: str
    nodes: list
    lat: np.ndarray
    lon: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    length_m: np.ndarray
    highway: np.ndarray
    maxspeed: list
    group: np.ndarray = field(repr=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @cached_property
    def main_component(self) -> np.ndarray:
        """Mask of the nodes in the largest strongly connected component (all mutually
        reachable); fragments cut off by the extract's edge or one-way tagging are not."""
        n = self.n_nodes
        adj = csr_matrix((np.ones(len(self.tail)), (self.tail, self.head)), shape=(n, n))
        _, labels = connected_components(adj, directed=True, connection="strong")
        return labels == np.bincount(labels).argmax()

    @cached_property
    def snapper(self) -> Snapper:
        """Nearest-node lookup among the main component's nodes (KD-tree built once)."""
        return Snapper(self)


def network_from_graph(graph: nx.MultiDiGraph, digest: str = "") -> RoadNetwork:
    """Index a road graph's nodes and edges into arrays; tags each edge with its `eid`."""
    nodes = list(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    lat = np.array([graph.nodes[n]["y"] for n in nodes], dtype=np.float64)
    lon = np.array([graph.nodes[n]["x"] for n in nodes], dtype=np.float64)
    tail, head, length, highway, maxspeed = [], [], [], [], []
    for eid, (u, v, data) in enumerate(graph.edges(data=True)):
        data["eid"] = eid
        tail.append(index[u])
        head.append(index[v])
        length.append(data["length"])
        highway.append(data["highway"])
        maxspeed.append(data.get("maxspeed"))
    highway_arr = np.array(highway, dtype=object)
    return RoadNetwork(
        graph=graph,
        digest=digest,
        nodes=nodes,
        lat=lat,
        lon=lon,
        tail=np.array(tail, dtype=np.int32),
        head=np.array(head, dtype=np.int32),
        length_m=np.array(length, dtype=np.float64),
        highway=highway_arr,
        maxspeed=maxspeed,
        group=group_index(highway_arr),
    )


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (the cache key of everything derived from it)."""
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


_LOADED: dict[tuple[str, int, int], RoadNetwork] = {}
_LOCK = threading.Lock()
_KEEP = 4
"""Networks kept in memory per process (a server may hold a few cities)."""


def load_network(path: str | Path) -> RoadNetwork:
    """The network of a road file, parsed once per process (RoadFileError when unusable)."""
    resolved = Path(path).resolve()
    try:
        stat = resolved.stat()
    except OSError:
        stat = None
    key = (str(resolved), stat.st_size, stat.st_mtime_ns) if stat else None
    with _LOCK:
        if key is not None and key in _LOADED:
            return _LOADED[key]
    graph = load_road_graph(resolved)
    network = network_from_graph(graph, file_digest(resolved))
    with _LOCK:
        if key is not None:
            while len(_LOADED) >= _KEEP:
                _LOADED.pop(next(iter(_LOADED)))
            _LOADED[key] = network
    return network
