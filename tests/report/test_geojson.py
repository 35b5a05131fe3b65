"""GeoJSON export: an RFC 7946 FeatureCollection with [lon, lat] positions, one LineString
per used route and flat properties that GIS tools keep."""

import json
import math

from dispatch_opt.report.geojson import plan_to_geojson
from tests.report.conftest import DEPOT_ID, NASTY_TECH, NASTY_TICKET


def _check_position(position):
    assert len(position) == 2
    lon, lat = position
    assert -180 <= lon <= 180 and -90 <= lat <= 90
    assert all(math.isfinite(v) for v in position)


def _check_feature_collection(doc):
    """The parts of RFC 7946 a GIS reader relies on."""
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            _check_position(geometry["coordinates"])
        else:
            assert geometry["type"] == "LineString"
            assert len(geometry["coordinates"]) >= 2
            for position in geometry["coordinates"]:
                _check_position(position)
        for value in feature["properties"].values():
            assert value is None or isinstance(value, str | int | float | bool)
    json.dumps(doc, allow_nan=False)


def test_small_plan_features(small_problem, small_plan):
    doc = plan_to_geojson(small_problem, small_plan)
    _check_feature_collection(doc)
    by_kind = {}
    for f in doc["features"]:
        by_kind.setdefault(f["properties"]["feature"], []).append(f)
    (line,) = by_kind["route"]  # the idle technician has no line
    tech = small_problem.technicians[0]
    coords = line["geometry"]["coordinates"]
    assert coords[0] == [tech.start.lon, tech.start.lat]  # longitude first
    assert coords[-1] == [tech.end.lon, tech.end.lat]
    assert len(coords) == 5  # start, depot, two tickets, end (the break has no place)
    assert line["properties"]["technician"] == NASTY_TECH
    assert line["properties"]["overtime_min"] == 15.0

    stops = [
        f["properties"] for f in by_kind["stop"] if f["properties"]["technician"] == NASTY_TECH
    ]
    assert [(s["kind"], s["seq"]) for s in stops] == [
        ("start", 0),
        ("depot", 1),
        ("ticket", 2),
        ("ticket", 3),
        ("end", 0),
    ]
    assert stops[1]["id"] == DEPOT_ID and stops[1]["pickup"] == "SKU-1 x1"
    assert stops[2]["id"] == NASTY_TICKET and stops[2]["parts"] == "SKU-1 x1"
    assert stops[2]["slot"] == "2026-11-23T09:00:00+08:00/2026-11-23T10:00:00+08:00"
    assert stops[3]["late_min"] == 20.0 and stops[3]["priority"] == "urgent"
    assert [f["properties"]["id"] for f in by_kind["depot"]] == [DEPOT_ID]
    (unassigned,) = by_kind["unassigned"]
    assert unassigned["properties"]["id"] == "SR-3"
    assert unassigned["properties"]["reasons"] == "capacity"
    assert unassigned["properties"]["priority"] == "normal VIP"


def test_default_scenario_has_a_line_per_used_route(default_problem, default_plan):
    doc = plan_to_geojson(default_problem, default_plan)
    _check_feature_collection(doc)
    lines = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    used = [r for r in default_plan.routes if r.ticket_ids]
    assert sorted(f["properties"]["technician"] for f in lines) == sorted(
        r.technician for r in used
    )
    points = [f for f in doc["features"] if f["properties"]["feature"] == "unassigned"]
    assert len(points) == len(default_plan.unassigned)
