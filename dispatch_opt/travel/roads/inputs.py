"""Input checks of the road_graph model, reported as InputError issues with field paths."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from dispatch_opt.domain.problem import Location, Problem, TravelSpec
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.travel.haversine import lat_lon
from dispatch_opt.travel.roads.network import RoadNetwork, load_network
from dispatch_opt.travel.roads.osm_load import RoadFileError
from dispatch_opt.travel.roads.snap import Snapped, main_snapper


def open_network(spec: TravelSpec) -> RoadNetwork:
    """The network named by `travel.graph` (relative paths from the working directory)."""
    if not spec.graph:
        raise InputError(Issue("travel.graph", "required for the road_graph model"))
    try:
        return load_network(Path(spec.graph).expanduser())
    except RoadFileError as exc:
        raise InputError(Issue("travel.graph", f"cannot load road network: {exc}")) from None


def snap_points(
    network: RoadNetwork, points: Sequence[Location], labels: Sequence[str], max_snap_m: float
) -> Snapped:
    """Snap points to the main road network; points farther than `max_snap_m` are errors."""
    lat, lon = lat_lon(points)
    snapped = main_snapper(network).snap(lat, lon)
    far = np.flatnonzero(snapped.distance_m > max_snap_m)
    if far.size:
        raise InputError(
            [
                Issue(
                    labels[i],
                    f"{snapped.distance_m[i]:.0f} m from the nearest road of the network "
                    f"(max_snap_m {max_snap_m:g})",
                )
                for i in far.tolist()
            ]
        )
    return snapped


def problem_points(problem: Problem) -> tuple[list[Location], list[str]]:
    """Every place of a problem with its field path (starts, ends, depots, tickets)."""
    points: list[Location] = []
    labels: list[str] = []
    for i, t in enumerate(problem.technicians):
        points += [t.start, t.end]
        labels += [f"technicians[{i}].start", f"technicians[{i}].end"]
    for i, d in enumerate(problem.depots):
        points.append(d.location)
        labels.append(f"depots[{i}].location")
    for i, k in enumerate(problem.tickets):
        points.append(k.location)
        labels.append(f"tickets[{i}].location")
    return points, labels


def road_problem_issues(problem: Problem) -> list[Issue]:
    """Issues of a road_graph problem: unusable graph file, points too far from a road."""
    try:
        network = open_network(problem.travel)
        points, labels = problem_points(problem)
        snap_points(network, points, labels, problem.travel.max_snap_m)
    except InputError as exc:
        return exc.issues
    return []
