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

    def path(self, route: Route) -> list[Location]:
        """The positions a route passes through in order (breaks have none)."""
        points = [self.stop_location(route, s) for s in route.stops]
        return [p for p in points if p is not None]


def is_used(route: Route) -> bool:
    """True when the route visits a ticket or a depot."""
    return any(s.kind in (StopKind.TICKET, StopKind.DEPOT) for s in route.stops)
