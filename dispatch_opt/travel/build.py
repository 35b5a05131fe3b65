"""Build the TravelMatrix for a list of points under a problem's travel model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dispatch_opt.domain.problem import Location, TravelModel, TravelSpec
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.travel.haversine import great_circle_matrix_m, lat_lon
from dispatch_opt.travel.matrix import TravelMatrix


def haversine_travel(points: Sequence[Location], spec: TravelSpec) -> TravelMatrix:
    """Road distance = circuity x great-circle; time = road distance / speed.

    Stored as float32 (error under 1 cm and 1 ms at city scale), which halves the memory
    and the time to build large matrices."""
    lat, lon = lat_lon(points)
    dist = great_circle_matrix_m(lat, lon, dtype=np.float32)
    dist *= np.float32(spec.circuity)
    seconds_per_m = np.float32(3.6 / spec.speed_kmh)
    return TravelMatrix(durations_s=dist * seconds_per_m, distances_m=dist)


def given_matrix_travel(keys: Sequence[str], spec: TravelSpec) -> TravelMatrix:
    """Pick the rows and columns of the problem's own matrices for these location keys."""
    if spec.durations_s is None or spec.distances_m is None:
        raise InputError(Issue("travel", "matrix mode needs durations_s and distances_m"))
    index = {key: i for i, key in enumerate(spec.locations)}
    missing = [k for k in keys if k not in index]
    if missing:
        raise InputError(Issue("travel.locations", f"no entry for {', '.join(missing[:5])}"))
    idx = np.fromiter((index[k] for k in keys), dtype=np.intp, count=len(keys))
    sub = np.ix_(idx, idx)
    return TravelMatrix(
        durations_s=np.asarray(spec.durations_s, dtype=np.float64)[sub],
        distances_m=np.asarray(spec.distances_m, dtype=np.float64)[sub],
    )


def build_travel(points: Sequence[Location], keys: Sequence[str], spec: TravelSpec) -> TravelMatrix:
    """The travel matrix for `points` (named by matrix `keys`) under `spec.model`."""
    if spec.model is TravelModel.HAVERSINE:
        return haversine_travel(points, spec)
    if spec.model is TravelModel.MATRIX:
        return given_matrix_travel(keys, spec)
    from dispatch_opt.travel.road_graph import road_graph_travel

    return road_graph_travel(points, spec, [f"points[{key}]" for key in keys])
