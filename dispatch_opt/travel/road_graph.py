"""Travel times on a road network (contract `road_graph` model), with rush-hour bands.

The solver receives ONE matrix (OR-Tools has no time-dependent transit). By default
(`solver_band: conservative`) it is, per pair, the slowest of the day's bands: every
leg then takes at most the planned time whatever the departure hour, so a plan feasible
for the solver stays feasible when each leg is timed with the band of its real departure
(the validator checks exactly that and reports the slack). A band name instead plans
with that band alone (tighter, but legs departing in a slower band can arrive late; the
validator reports them). Unreachable pairs cannot occur: points snap to the largest
strongly connected part of the network; should one occur anyway it is an input error
naming both points.
"""

from __future__ import annotations

from collections.abc import Sequence

from dispatch_opt.domain.problem import Location, TravelSpec
from dispatch_opt.errors import InputError
from dispatch_opt.travel.haversine import lat_lon
from dispatch_opt.travel.matrix import TravelMatrix
from dispatch_opt.travel.roads import cache
from dispatch_opt.travel.roads.bands import day_bands
from dispatch_opt.travel.roads.inputs import open_network, snap_points
from dispatch_opt.travel.roads.matrices import (
    expand,
    road_points,
    solver_node_paths,
    unreachable_issues,
)


def _profile(spec: TravelSpec) -> dict[str, object]:
    """Everything besides graph and points that changes the solver matrix (cache key)."""
    return {
        "bands": [
            [b.name, b.start_min, b.end_min, b.major, b.arterial, b.minor]
            for b in day_bands(spec.speed_bands)
        ],
        "class_speeds_kmh": dict(sorted(spec.class_speeds_kmh.items())),
        "solver_band": spec.solver_band,
        "snap": "main_component",
    }


def road_graph_travel(
    points: Sequence[Location], spec: TravelSpec, labels: Sequence[str] | None = None
) -> TravelMatrix:
    """The solver's road matrix for `points` (named by `labels` in errors), cached on disk."""
    labels = list(labels) if labels is not None else [f"points[{i}]" for i in range(len(points))]
    network = open_network(spec)
    snapped = snap_points(network, points, labels, spec.max_snap_m)
    root = cache.cache_root(spec.cache_dir)
    lat, lon = lat_lon(points)
    key = cache.cache_key(network.digest, lat, lon, _profile(spec))
    hit = cache.load(root, key)
    if hit is not None:
        return TravelMatrix(durations_s=hit[0], distances_m=hit[1])
    rp = road_points(network, snapped, labels, dict(spec.class_speeds_kmh))
    paths = solver_node_paths(rp, day_bands(spec.speed_bands), spec.solver_band)
    issues = unreachable_issues(rp, paths)
    if issues:
        raise InputError(issues)
    seconds, metres = expand(rp, paths)
    cache.store(root, key, seconds, metres)
    return TravelMatrix(durations_s=seconds, distances_m=metres)
