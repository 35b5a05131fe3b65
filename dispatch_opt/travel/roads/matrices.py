"""Band matrices for a list of points: snap, run the shortest paths per speed band, expand.

Points that snap to the same road node share a row; driving between them is zero (the
same building or street corner: the stop overhead covers the last metres).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dispatch_opt.domain.problem import SpeedBand
from dispatch_opt.errors import Issue
from dispatch_opt.travel.roads.bands import edge_kmh, solver_bands
from dispatch_opt.travel.roads.network import RoadNetwork
from dispatch_opt.travel.roads.shortest import PathMatrix, edge_weights, many_to_many, packed_graph
from dispatch_opt.travel.roads.snap import Snapped
from dispatch_opt.travel.roads.speeds import free_flow_kmh


@dataclass(frozen=True)
class RoadPoints:
    """Points snapped onto a network: the distinct nodes and each point's row among them."""

    network: RoadNetwork
    free_flow_kmh: np.ndarray
    nodes: np.ndarray
    row: np.ndarray
    labels: tuple[str, ...]


def road_points(
    network: RoadNetwork,
    snapped: Snapped,
    labels: Sequence[str],
    class_speeds: dict[str, float] | None = None,
) -> RoadPoints:
    """Group snapped points by node; precompute the free-flow speed of every edge."""
    nodes, row = np.unique(snapped.node, return_inverse=True)
    speeds = free_flow_kmh(network.highway, network.maxspeed, class_speeds)
    return RoadPoints(network, speeds, nodes, row.reshape(-1), tuple(labels))


def band_speeds(rp: RoadPoints, band: SpeedBand) -> np.ndarray:
    """Per edge km/h in a band: free flow times the factor of the edge's road group."""
    return edge_kmh(rp.free_flow_kmh, rp.network.group, band)


def node_paths(rp: RoadPoints, band: SpeedBand) -> PathMatrix:
    """Fastest paths between the distinct nodes in one band."""
    weights = edge_weights(rp.network, band_speeds(rp, band))
    graph = packed_graph(rp.network, weights)
    return many_to_many(graph, weights, rp.nodes, rp.nodes)


def solver_node_paths(rp: RoadPoints, bands: Sequence[SpeedBand], solver_band: str) -> PathMatrix:
    """The one matrix the solver sees: a named band, or per pair the slowest band
    (`conservative`, with the metres of that band's path)."""
    seconds: np.ndarray | None = None
    metres: np.ndarray | None = None
    for band in solver_bands(bands, solver_band):
        paths = node_paths(rp, band)
        if seconds is None or metres is None:
            seconds, metres = paths.seconds, paths.metres
            continue
        slower = paths.seconds > seconds
        np.copyto(seconds, paths.seconds, where=slower)
        np.copyto(metres, paths.metres, where=slower)
    assert seconds is not None and metres is not None
    return PathMatrix(seconds, metres)


def unreachable_issues(rp: RoadPoints, paths: PathMatrix, limit: int = 5) -> list[Issue]:
    """One issue per unreachable pair of points (first `limit`), naming both points."""
    bad_i, bad_j = np.nonzero(~np.isfinite(paths.seconds))
    if bad_i.size == 0:
        return []
    first_point = {r: int(np.flatnonzero(rp.row == r)[0]) for r in set(bad_i) | set(bad_j)}
    issues = [
        Issue(
            rp.labels[first_point[i]],
            f"no road path to {rp.labels[first_point[j]]} (one-way streets or a cut-off "
            "road fragment)",
        )
        for i, j in zip(bad_i[:limit].tolist(), bad_j[:limit].tolist(), strict=True)
    ]
    if bad_i.size > limit:
        issues.append(Issue("travel.graph", f"{bad_i.size} unreachable pairs in all"))
    return issues


def expand(rp: RoadPoints, paths: PathMatrix) -> tuple[np.ndarray, np.ndarray]:
    """Point-level (seconds, metres) from node-level paths (new arrays)."""
    ix = np.ix_(rp.row, rp.row)
    return paths.seconds[ix], paths.metres[ix]
