"""The TravelMatrix type: base driving times and distances between a list of points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TravelMatrix:
    """Driving durations (seconds, before any technician's speed factor) and road
    distances (metres) between points, in the order the caller gave them."""

    durations_s: np.ndarray
    distances_m: np.ndarray

    def __post_init__(self) -> None:
        n = self.durations_s.shape[0]
        if self.durations_s.shape != (n, n) or self.distances_m.shape != (n, n):
            raise ValueError("travel matrices must be square and of the same size")
        self.durations_s.setflags(write=False)
        self.distances_m.setflags(write=False)

    @property
    def size(self) -> int:
        """Number of points."""
        return int(self.durations_s.shape[0])
