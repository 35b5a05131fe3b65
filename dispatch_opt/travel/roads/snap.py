"""Snap GPS points to road nodes with a KD-tree on locally projected coordinates.

The projection is equirectangular about the network's mean latitude: at city scale
(tens of km) it is within 0.1 % of the great-circle distance, and a KD-tree on it finds
the nearest node in O(log n). Distances reported are great-circle metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from dispatch_opt.travel.haversine import EARTH_RADIUS_M, great_circle_pairs_m

if TYPE_CHECKING:
    from dispatch_opt.travel.roads.network import RoadNetwork


@dataclass(frozen=True)
class Snapped:
    """Per point: the road node it snaps to (network index) and how far away it lies (m)."""

    node: np.ndarray
    distance_m: np.ndarray


def _project(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    """(n, 2) metres east and north, equirectangular about latitude `lat0`."""
    k = np.radians(1.0) * EARTH_RADIUS_M
    return np.column_stack([lon * k * np.cos(np.radians(lat0)), lat * k])


class Snapper:
    """Nearest-node lookup among a subset of a network's nodes (default: its main component)."""

    def __init__(self, network: RoadNetwork, candidates: np.ndarray | None = None) -> None:
        mask = network.main_component if candidates is None else candidates
        self.network = network
        self.index = np.flatnonzero(mask)
        self.lat0 = float(network.lat.mean())
        xy = _project(network.lat[self.index], network.lon[self.index], self.lat0)
        self.tree = cKDTree(xy)

    def snap(self, lat: np.ndarray, lon: np.ndarray) -> Snapped:
        """Nearest candidate node of each point and its great-circle distance in metres."""
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        _, k = self.tree.query(_project(lat, lon, self.lat0))
        node = self.index[np.asarray(k, dtype=np.intp)]
        dist = great_circle_pairs_m(lat, lon, self.network.lat[node], self.network.lon[node])
        return Snapped(node=node, distance_m=dist)


def main_snapper(network: RoadNetwork) -> Snapper:
    """The main-component snapper of a network, built once per network object."""
    return network.snapper
