"""Where each stop of a route is: the problem's positions looked up by stop kind."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch_opt.domain.plan import Route, Stop, StopKind
from dispatch_opt.domain.problem import Depot, Location, Problem, Technician, Ticket


@dataclass(frozen=True, slots=True)
class Places:
    """Lookup tables of a problem by id."""

    technicians: dict[str, Technician]
    tickets: dict[str, Ticket]
    depots: dict[str, Depot]

    @classmethod
    def of(cls, problem: Problem) -> Places:
        """Index a problem's technicians, tickets and depots."""
        return cls(
            {t.id: t for t in problem.technicians},
            {t.id: t for t in problem.tickets},
            {d.id: d for d in problem.depots},
        )

    def stop_location(self, route: Route, stop: Stop) -> Location | None:
        """The position of a stop; None for breaks and unknown ids."""
        tech = self.technicians.get(route.technician)
        if stop.kind is StopKind.START:
            return tech.start if tech else None
        if stop.kind is StopKind.END:
            return tech.end if tech else None
        if stop.kind is StopKind.TICKET:
            ticket = self.tickets.get(stop.id or "")
            return ticket.location if ticket else None
        if stop.kind is StopKind.DEPOT:
            depot = self.depots.get(stop.id or "")
            return depot.location if depot else None
        return None

    def located_stops(self, route: Route) -> list[tuple[Stop, Location, int]]:
        """The route's stops that have a position, in order, each with its number: tickets
        and depots count from 1, other stops get 0."""
        out, number = [], 0
        for stop in route.stops:
            loc = self.stop_location(route, stop)
            if loc is None:
                continue
            numbered = stop.kind in (StopKind.TICKET, StopKind.DEPOT)
            number += numbered
            out.append((stop, loc, number if numbered else 0))
        return out

    def path(self, route: Route) -> list[Location]:
        """The positions a route passes through in order (breaks have none)."""
        return [loc for _, loc, _ in self.located_stops(route)]


def is_used(route: Route) -> bool:
    """True when the route visits a ticket or a depot."""
    return any(s.kind in (StopKind.TICKET, StopKind.DEPOT) for s in route.stops)
