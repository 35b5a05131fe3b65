"""Which routes pass nearest each ticket: a (vehicles x tickets) table of driving times.

Both the construction (which technicians to try a ticket on) and the polish (which
routes a ticket may move to) ask this for every ticket; re-reading every route's stops
each time cost 0.6 ms a ticket with 375 technicians. The table is kept up to date as
routes change instead.
"""

from __future__ import annotations

import numpy as np

from dispatch_opt.routing.instance import RoutingInstance


class RouteReach:
    """Row v: the driving seconds (speed factor 1) from route v's start place or its
    nearest stop to each ticket."""

    def __init__(self, inst: RoutingInstance, routes: list[list[int]]) -> None:
        self.inst = inst
        # tickets stand at their own rows of the travel matrices (only pickups share one)
        self._tickets = slice(inst.first_ticket_node, inst.first_pickup_node)
        starts = [inst.start_node(v) for v in range(inst.n_vehicles)]
        self.rows = np.array(inst.duration_s[inst.places(starts), self._tickets])
        for v, nodes in enumerate(routes):
            self.come_closer(v, nodes)

    def come_closer(self, v: int, nodes: list[int]) -> None:
        """Route v now also passes by `nodes` (stops added, none removed)."""
        if nodes:
            nearest = np.min(self.inst.duration_s[self.inst.places(nodes), self._tickets], axis=0)
            np.minimum(self.rows[v], nearest, out=self.rows[v])

    def reset(self, v: int, nodes: list[int]) -> None:
        """Route v now has exactly these stops (some may have left it)."""
        start = self.inst.places(self.inst.start_node(v))
        self.rows[v] = self.inst.duration_s[start, self._tickets]
        self.come_closer(v, nodes)

    def nearest(self, k: int, candidates: np.ndarray, limit: int) -> np.ndarray:
        """Up to `limit` of the `candidates` (vehicle indices) whose routes pass nearest
        ticket k, nearest first; all of them, in their order, when there are no more."""
        if len(candidates) <= limit:
            return candidates
        return candidates[np.argsort(self.rows[candidates, k], kind="stable")[:limit]]
