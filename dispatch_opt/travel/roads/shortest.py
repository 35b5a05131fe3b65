"""Many-to-many fastest paths on the road graph with scipy.sparse.csgraph, times and lengths.

One Dijkstra per needed source (directed) gives, for every target, the fastest path's
time AND the length of that very path: each edge weight packs both as one exact integer,
`time_ms * 2**LENGTH_BITS + length_dm`. Sums of integers below 2**53 are exact in float64,
so the shortest packed weight is the fastest path (ties broken by the shorter one) and
unpacking gives its time in milliseconds and its length in decimetres. `_check_packing`
proves after the run that no length overflowed into the time bits. Rounding each edge to
1 ms and 0.1 m is far below what the solver resolves (whole seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from dispatch_opt.travel.roads.network import RoadNetwork

LENGTH_BITS = 24
"""Bits of a path length in decimetres: paths up to 1,677 km."""
TIME_LIMIT_MS = 2 ** (53 - LENGTH_BITS)
"""Paths up to 149 hours (2**29 ms) keep the packed sum exact in float64."""
_SCALE = float(2**LENGTH_BITS)
_CELLS_PER_CHUNK = 1 << 22
"""Dijkstra rows are computed a chunk of sources at a time (~32 MB of float64 per chunk)."""


@dataclass(frozen=True)
class EdgeWeights:
    """Per-edge travel time (ms, integer-valued) and length (dm) of one speed band."""

    time_ms: np.ndarray
    length_dm: np.ndarray
    max_speed_mps: float


def edge_weights(network: RoadNetwork, speed_kmh: np.ndarray) -> EdgeWeights:
    """Round each edge's time (at `speed_kmh`) to whole ms (>= 1) and its length to dm."""
    seconds = network.length_m / (speed_kmh / 3.6)
    time_ms = np.maximum(1.0, np.rint(seconds * 1000.0))
    length_dm = np.rint(network.length_m * 10.0)
    return EdgeWeights(time_ms, length_dm, float(speed_kmh.max()) / 3.6)


def packed_graph(network: RoadNetwork, weights: EdgeWeights) -> csr_matrix:
    """The directed csgraph of packed weights; of parallel edges the best one is kept."""
    packed = weights.time_ms * _SCALE + weights.length_dm
    n = network.n_nodes
    key = network.tail.astype(np.int64) * n + network.head
    order = np.lexsort((packed, key))
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order[1:]] != key[order[:-1]]
    keep = order[first]
    return csr_matrix((packed[keep], (network.tail[keep], network.head[keep])), shape=(n, n))


@dataclass(frozen=True)
class PathMatrix:
    """Fastest-path seconds and their metres between nodes (inf when unreachable)."""

    seconds: np.ndarray
    metres: np.ndarray


def _check_packing(time_ms: np.ndarray, max_speed_mps: float) -> None:
    """Raise when a path could have overflowed the packing (never at city scale)."""
    finite = time_ms[np.isfinite(time_ms)]
    longest_ms = float(finite.max()) if finite.size else 0.0
    if longest_ms >= TIME_LIMIT_MS or longest_ms / 1000 * max_speed_mps * 10 >= _SCALE:
        raise ValueError("road paths too long for exact packing (over 1,677 km or 149 h)")


def many_to_many(
    graph: csr_matrix, weights: EdgeWeights, sources: np.ndarray, targets: np.ndarray
) -> PathMatrix:
    """Fastest paths from each source node to each target node (node indices), exact."""
    n = graph.shape[0]
    seconds = np.empty((len(sources), len(targets)), dtype=np.float64)
    metres = np.empty_like(seconds)
    chunk = max(1, _CELLS_PER_CHUNK // max(n, 1))
    for lo in range(0, len(sources), chunk):
        rows = dijkstra(graph, directed=True, indices=sources[lo : lo + chunk])[:, targets]
        time_ms = np.floor(rows / _SCALE)
        _check_packing(time_ms, weights.max_speed_mps)
        seconds[lo : lo + chunk] = time_ms / 1000.0
        reached = np.isfinite(rows)
        length_dm = np.subtract(
            rows, time_ms * _SCALE, out=np.full_like(rows, np.inf), where=reached
        )
        metres[lo : lo + chunk] = length_dm / 10.0
    return PathMatrix(seconds, metres)
