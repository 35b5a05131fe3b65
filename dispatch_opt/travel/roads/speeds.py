"""Free-flow speeds of road edges: the `maxspeed` tag when usable, else a default per class.

Defaults (km/h) are city free-flow speeds (night, empty roads) for a Chinese city, a
little under the usual legal limits: drivers slow for junctions, lights and bends. Edges
of a class outside `DRIVABLE` never enter the graph (`busway`, `footway`, ...). The hour
bands of `bands` then scale these speeds by road group.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np

DEFAULT_CLASS_SPEED_KMH: dict[str, float] = {
    "motorway": 90.0,
    "motorway_link": 45.0,
    "trunk": 70.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 35.0,
    "secondary": 45.0,
    "secondary_link": 30.0,
    "tertiary": 35.0,
    "tertiary_link": 25.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 30.0,
}
"""Free-flow speed by OSM `highway` class when the edge has no usable `maxspeed`."""

DRIVABLE = frozenset(DEFAULT_CLASS_SPEED_KMH)
"""Road classes a service van drives on (others are dropped at load time)."""

ROAD_GROUP: dict[str, str] = {
    "motorway": "major",
    "motorway_link": "major",
    "trunk": "major",
    "trunk_link": "major",
    "primary": "arterial",
    "primary_link": "arterial",
    "secondary": "arterial",
    "secondary_link": "arterial",
}
"""Congestion group of a class (`bands` scales each group); every other class is `minor`."""

GROUPS = ("major", "arterial", "minor")
MAXSPEED_RANGE_KMH = (5.0, 130.0)
"""Tagged limits outside this range (`maxspeed=1` on a car park lane) are clipped to it."""
_MPH = 1.609344
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


def parse_maxspeed(tag: object) -> float | None:
    """km/h of an OSM `maxspeed` value (`50`, `30 mph`, `60;80` -> lowest), None if unusable.

    Symbolic values (`CN:urban`, `none`, `signals`) give None: the class default applies."""
    if tag is None:
        return None
    if isinstance(tag, int | float):
        return float(tag) if math.isfinite(tag) and tag > 0 else None
    values = []
    for part in str(tag).replace(",", ";").split(";"):
        match = _NUMBER.match(part)
        if match:
            kmh = float(match.group(1)) * (_MPH if match.group(2) == "mph" else 1.0)
            if kmh > 0:
                values.append(kmh)
    if not values:
        return None
    lo, hi = MAXSPEED_RANGE_KMH
    return min(hi, max(lo, min(values)))


def free_flow_kmh(
    highway: np.ndarray, maxspeed: list[object], class_speeds: Mapping[str, float] | None = None
) -> np.ndarray:
    """Per edge free-flow km/h: the tagged `maxspeed`, else the (overridable) class speed."""
    table = {**DEFAULT_CLASS_SPEED_KMH, **(class_speeds or {})}
    default = np.array([table.get(str(h), table["road"]) for h in highway], dtype=np.float64)
    tagged = np.array(
        [np.nan if (v := parse_maxspeed(m)) is None else v for m in maxspeed], dtype=np.float64
    )
    return np.where(np.isnan(tagged), default, tagged)


def group_index(highway: np.ndarray) -> np.ndarray:
    """Per edge index into `GROUPS` (0 major, 1 arterial, 2 minor)."""
    order = {g: i for i, g in enumerate(GROUPS)}
    return np.array([order[ROAD_GROUP.get(str(h), "minor")] for h in highway], dtype=np.intp)
