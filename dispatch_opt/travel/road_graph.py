"""Travel times on a road network (see issue: road_graph travel model)."""

from __future__ import annotations

from collections.abc import Sequence

from dispatch_opt.domain.problem import Location, TravelSpec
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.travel.matrix import TravelMatrix


def road_graph_travel(points: Sequence[Location], spec: TravelSpec) -> TravelMatrix:
    """Not available yet: says so as an input error naming the field."""
    raise InputError(
        Issue(
            "travel.model", "road_graph is not supported in this version; use haversine or matrix"
        )
    )
