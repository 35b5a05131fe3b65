"""The data the page's map script draws: routes with numbered stops and popup rows,
depots and unassigned tickets. Plain JSON values; the script puts every string into the
page as text, never as markup."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from dispatch_opt.domain.plan import Plan, Route, Stop, StopKind
from dispatch_opt.domain.problem import Location, Problem, Ticket
from dispatch_opt.report import fmt
from dispatch_opt.report.places import Places, is_used

OSM_TILES = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "attribution": "© OpenStreetMap contributors",
    "copyright": "https://www.openstreetmap.org/copyright",
}


def _latlon(loc: Location) -> list[float]:
    """Leaflet's [lat, lon] order."""
    return [float(loc.lat), float(loc.lon)]


def _about(ticket: Ticket, tz: tzinfo | None) -> list[list[str]]:
    """Popup rows describing a ticket: type, priority, slot."""
    return [
        ["type", ticket.type],
        ["priority", fmt.priority(ticket)],
        ["slot", fmt.slot(ticket, tz)],
    ]


def _ticket_rows(places: Places, stop: Stop, tz: tzinfo | None) -> list[list[str]]:
    """Popup rows of a ticket stop."""
    ticket = places.tickets.get(stop.id or "")
    rows = []
    if ticket is not None:
        rows += _about(ticket, tz)
        if ticket.sla_due is not None:
            rows.append(["SLA due", fmt.hm(ticket.sla_due, tz)])
    rows += [
        ["ETA", fmt.hm(stop.arrival, tz)],
        ["service", f"{fmt.hm(stop.start, tz)}-{fmt.hm(stop.end, tz)}"],
        ["wait", fmt.minutes(stop.wait_min)],
        ["lateness", fmt.minutes(stop.late_min)],
        ["parts", fmt.quantities(stop.parts) or "none"],
    ]
    return rows


def _stop_rows(places: Places, route: Route, stop: Stop, tz: tzinfo | None) -> list[list[str]]:
    """Popup rows of any located stop."""
    tech = places.technicians.get(route.technician)
    if stop.kind is StopKind.TICKET:
        return _ticket_rows(places, stop, tz)
    if stop.kind is StopKind.DEPOT:
        return [
            ["ETA", fmt.hm(stop.arrival, tz)],
            ["loading", f"{fmt.hm(stop.start, tz)}-{fmt.hm(stop.end, tz)}"],
            ["wait", fmt.minutes(stop.wait_min)],
            ["pickup", fmt.quantities(stop.pickup) or "none"],
        ]
    shift = f"{fmt.hm(tech.shift.start, tz)}-{fmt.hm(tech.shift.end, tz)}" if tech else ""
    if stop.kind is StopKind.START:
        return [["leaves", fmt.hm(stop.at, tz)], ["shift", shift]]
    return [
        ["back", fmt.hm(stop.at, tz)],
        ["shift", shift],
        ["overtime", fmt.minutes(route.overtime_min)],
    ]


def _title(route: Route, stop: Stop, number: int) -> str:
    """Popup heading of a stop."""
    if stop.kind is StopKind.TICKET:
        return f"#{number} ticket {stop.id} ({route.technician})"
    if stop.kind is StopKind.DEPOT:
        return f"#{number} depot {stop.id} ({route.technician})"
    return f"{route.technician} {stop.kind.value}"


def _route_data(places: Places, route: Route, color: str, tz: tzinfo | None) -> dict[str, Any]:
    """One route: its path and its located stops."""
    stops = []
    for stop, loc, number in places.located_stops(route):
        stops.append(
            {
                "mark": str(number) if number else stop.kind.value[0].upper(),
                "kind": stop.kind.value,
                "at": _latlon(loc),
                "late": fmt.is_late(stop),
                "title": _title(route, stop, number),
                "rows": _stop_rows(places, route, stop, tz),
            }
        )
    return {
        "tech": route.technician,
        "color": color,
        "used": is_used(route),
        "path": [_latlon(p) for p in places.path(route)],
        "stops": _merge_home(route.technician, stops),
    }


def _merge_home(tech: str, stops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One marker for start and end when the day ends where it started."""
    if len(stops) < 2 or stops[0]["kind"] != "start" or stops[-1]["kind"] != "end":
        return stops
    first, last = stops[0], stops[-1]
    if first["at"] != last["at"]:
        return stops
    home = dict(first, mark="S", title=f"{tech} start and end")
    home["rows"] = first["rows"] + [r for r in last["rows"] if r[0] != "shift"]
    return [home, *stops[1:-1]]


def map_data(problem: Problem, plan: Plan, colors: dict[str, str]) -> dict[str, Any]:
    """Everything the map script needs, JSON-ready."""
    places, tz = Places.of(problem), fmt.zone(problem)
    depots = [
        {
            "id": d.id,
            "at": _latlon(d.location),
            "rows": [
                ["open", f"{fmt.hm(d.open.start, tz)}-{fmt.hm(d.open.end, tz)}"],
                ["loading", fmt.minutes(d.pickup_min)],
                ["stock", fmt.quantities(d.stock) or "none"],
            ],
        }
        for d in problem.depots
    ]
    unassigned = []
    for item in plan.unassigned:
        ticket = places.tickets.get(item.ticket)
        if ticket is None:
            continue
        rows = _about(ticket, tz) + [[r.code.value, r.detail] for r in item.reasons]
        unassigned.append({"id": ticket.id, "at": _latlon(ticket.location), "rows": rows})
    return {
        "routes": [
            _route_data(places, r, colors.get(r.technician, "#666666"), tz) for r in plan.routes
        ],
        "depots": depots,
        "unassigned": unassigned,
        "tiles": OSM_TILES,
    }
