"""Shortest driving between places, for a given matrix that breaks the triangle inequality.

A matrix supplied by the caller (travel model "matrix", typically from a routing service)
may hold a direct leg longer than a way through another place. A route may drive that
way, so the direct leg is then no lower bound, and the rules that test a ticket alone
(eligibility, depot pickup reachability) would rule out tickets a route can serve (audit
p062: out and back 30.13 min against a 30 min driving limit, 29 min through another
stop). On haversine and road-graph travel the direct leg is already the shortest, and
nothing is computed.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import csgraph_from_dense, dijkstra

EXACT_UP_TO = 600
"""Places up to which every leg is an edge of the search (exact shortest ways); Dijkstra
on the dense matrix costs m^2 per source: 0.06 s for 40 sources at 300 places, 2.3 s for
120 at 1,200."""

NEIGHBOURS = 24
"""Beyond `EXACT_UP_TO` places, the legs kept per place (its nearest places, both ways):
the ways found are real ways, never shorter than the shortest, and the direct leg bounds
them; a shortcut through a far place is missed (0.35 s for 120 sources at 1,200 places,
2.9 s for 300 at 3,200, on random matrices)."""


class ShortestDrive:
    """Shortest base driving seconds (speed factor 1) between matrix rows, from a few
    sources at a time: Dijkstra from the distinct sources (starts, ends, depots: tens),
    never the all-pairs closure (O(m^3))."""

    def __init__(self, duration_s: np.ndarray) -> None:
        """Keep the (m, m) base driving seconds; the graph is built on first use."""
        self._duration_s = duration_s
        self._forward: csr_matrix | None = None  # the legs; backwards: transposed
        self._backward: csr_matrix | None = None
        self._rows: dict[tuple[bool, int], np.ndarray] = {}

    def between(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Float seconds of the shortest way from matrix row `rows` to `cols` (integer
        arrays, broadcast against each other like numpy indices): exact up to
        `EXACT_UP_TO` places, beyond it the shortest through near places; never more
        than the direct leg. Searches from whichever side has fewer distinct places."""
        forward = len(np.unique(rows)) <= len(np.unique(cols))  # before broadcasting
        rows, cols = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
        if not rows.size:  # no pair asked (a day without tickets)
            return np.zeros(rows.shape, dtype=float)
        source, target = (rows, cols) if forward else (cols, rows)
        sources, which = np.unique(source, return_inverse=True)
        self._search(forward, sources)
        table = np.stack([self._rows[(forward, int(s))] for s in sources])
        found = table[which.reshape(source.shape), target]
        return np.minimum(found, self._duration_s[rows, cols])  # a sparse graph may lack it

    def _search(self, forward: bool, sources: np.ndarray) -> None:
        """Dijkstra from the sources not searched yet (on the transposed matrix when
        searching backwards, so that row x holds the way from x to the source)."""
        todo = [int(s) for s in sources if (forward, int(s)) not in self._rows]
        if not todo:
            return
        if self._forward is None:
            self._forward = _graph(np.asarray(self._duration_s))
        if not forward and self._backward is None:
            self._backward = self._forward.T.tocsr()
        graph = self._forward if forward else self._backward
        found = dijkstra(graph, directed=True, indices=todo)
        for s, row in zip(todo, np.atleast_2d(found), strict=True):
            self._rows[(forward, s)] = row


def _graph(duration_s: np.ndarray) -> csr_matrix:
    """The search graph: every leg up to `EXACT_UP_TO` places, else each place's
    `NEIGHBOURS` shortest legs out and in."""
    m = len(duration_s)
    if m <= EXACT_UP_TO:  # zero legs (one building) are edges: inf marks none
        return csgraph_from_dense(np.asarray(duration_s, dtype=np.float64), null_value=np.inf)
    k = NEIGHBOURS
    out = np.argpartition(duration_s, k, axis=1)[:, : k + 1]  # nearest places out of i
    into = np.argpartition(duration_s, k, axis=0)[: k + 1, :]  # nearest places into j
    r = np.repeat(np.arange(m), k + 1)
    legs = np.concatenate([r * m + out.ravel(), into.T.ravel() * m + r])
    code = np.unique(legs)  # each leg once
    r, c = code // m, code % m
    keep = r != c
    r, c = r[keep], c[keep]
    weight = np.asarray(duration_s[r, c], dtype=np.float64)  # explicit zeros stay edges
    return csr_matrix((weight, (r, c)), shape=(m, m))
