"""GeoJSON (RFC 7946) export of a plan for GIS tools: routes, stops, depots, unassigned.

Coordinates are [lon, lat] in WGS84. Properties are flat scalars (parts and reasons as
text) so that shapefile/GeoPackage converters keep them; `stroke` / `marker-color`
follow the simplestyle convention that many viewers understand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dispatch_opt.domain.plan import Plan, Route, Stop, StopKind
from dispatch_opt.domain.problem import Location, Problem, Ticket
from dispatch_opt.report import fmt
from dispatch_opt.report.colors import route_colors
from dispatch_opt.report.places import Places, is_used


def _position(loc: Location) -> list[float]:
    """A GeoJSON position: longitude first."""
    return [float(loc.lon), float(loc.lat)]


def _iso(moment: datetime | None) -> str | None:
    """RFC 3339 text of a moment, or None."""
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _slots(ticket: Ticket) -> str:
    """Appointment slots as ISO 8601 intervals ('start/end, ...'), or ''."""
    return ", ".join(f"{_iso(w.start)}/{_iso(w.end)}" for w in ticket.time_windows)


def _feature(geometry: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """One GeoJSON Feature."""
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _point(loc: Location, properties: dict[str, Any]) -> dict[str, Any]:
    """A Point feature."""
    return _feature({"type": "Point", "coordinates": _position(loc)}, properties)


def _route_feature(places: Places, route: Route, color: str) -> dict[str, Any] | None:
    """The LineString of a used route (straight legs between stops), or None."""
    path = places.path(route)
    if not is_used(route) or len(path) < 2:
        return None
    first, last = route.stops[0], route.stops[-1]
    return _feature(
        {"type": "LineString", "coordinates": [_position(p) for p in path]},
        {
            "feature": "route",
            "technician": route.technician,
            "tickets": len(route.ticket_ids),
            "ticket_ids": ", ".join(route.ticket_ids),
            "depart": _iso(first.at),
            "return": _iso(last.at),
            "travel_km": round(route.travel_km, 3),
            "travel_min": round(route.travel_min, 2),
            "work_min": round(route.work_min, 2),
            "overtime_min": round(route.overtime_min, 2),
            "stroke": color,
            "stroke-width": 3,
        },
    )


def _stop_properties(
    places: Places, route: Route, stop: Stop, seq: int, color: str
) -> dict[str, Any]:
    """Flat properties of one stop."""
    props: dict[str, Any] = {
        "feature": "stop",
        "technician": route.technician,
        "seq": seq,
        "kind": stop.kind.value,
        "id": stop.id,
        "marker-color": color,
    }
    if stop.kind in (StopKind.START, StopKind.END):
        props["at"] = _iso(stop.at)
        return props
    props |= {"arrival": _iso(stop.arrival), "start": _iso(stop.start), "end": _iso(stop.end)}
    props["wait_min"] = round(stop.wait_min, 2)
    if stop.kind is StopKind.DEPOT:
        props["pickup"] = fmt.quantities(stop.pickup)
        return props
    ticket = places.tickets.get(stop.id or "")
    props |= {"late_min": round(stop.late_min, 2), "parts": fmt.quantities(stop.parts)}
    if ticket is not None:
        props |= {"type": ticket.type, "priority": fmt.priority(ticket), "slot": _slots(ticket)}
    return props


def _stop_features(places: Places, route: Route, color: str) -> list[dict[str, Any]]:
    """Point features of a route's located stops; tickets and depots numbered from 1."""
    return [
        _point(loc, _stop_properties(places, route, stop, seq, color))
        for stop, loc, seq in places.located_stops(route)
    ]


def plan_to_geojson(problem: Problem, plan: Plan) -> dict[str, Any]:
    """The plan as one GeoJSON FeatureCollection."""
    places = Places.of(problem)
    colors = route_colors([r.technician for r in plan.routes])
    features: list[dict[str, Any]] = []
    for route in plan.routes:
        line = _route_feature(places, route, colors[route.technician])
        if line is not None:
            features.append(line)
        features += _stop_features(places, route, colors[route.technician])
    for depot in problem.depots:
        features.append(
            _point(
                depot.location,
                {
                    "feature": "depot",
                    "id": depot.id,
                    "stock": fmt.quantities(depot.stock),
                },
            )
        )
    for item in plan.unassigned:
        ticket = places.tickets.get(item.ticket)
        if ticket is None:
            continue
        features.append(
            _point(
                ticket.location,
                {
                    "feature": "unassigned",
                    "id": ticket.id,
                    "type": ticket.type,
                    "priority": fmt.priority(ticket),
                    "reasons": ", ".join(r.code.value for r in item.reasons),
                    "details": "; ".join(r.detail for r in item.reasons),
                    "marker-color": "#555555",
                },
            )
        )
    return {"type": "FeatureCollection", "features": features}
