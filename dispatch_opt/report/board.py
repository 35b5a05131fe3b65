"""The schedule board's blocks: a route's day cut into travel, waiting, service, depot
and break intervals, following the contract's timing (a stop's arrival is the previous
stop's or break's end plus driving and parking)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from dispatch_opt.domain.plan import Route, Stop, StopKind
from dispatch_opt.report import fmt
from dispatch_opt.report.places import Places, is_used


class BlockKind(StrEnum):
    """What a technician is doing during a block."""

    TRAVEL = "travel"
    WAIT = "wait"
    SERVICE = "service"
    DEPOT = "depot"
    BREAK = "break"


@dataclass(frozen=True, slots=True)
class Block:
    """One interval of a technician's day with its hover text."""

    kind: BlockKind
    start: datetime
    end: datetime
    label: str
    details: tuple[str, ...]
    late: bool = False

    @property
    def minutes(self) -> float:
        """Length in minutes."""
        return (self.end - self.start).total_seconds() / 60


def _span(start: datetime, end: datetime, tz: tzinfo | None) -> str:
    """'HH:MM-HH:MM (n min)'."""
    return (
        f"{fmt.hm(start, tz)}-{fmt.hm(end, tz)} ({fmt.minutes((end - start).total_seconds() / 60)})"
    )


def _name(stop: Stop) -> str:
    """How a stop is called in the hover text."""
    if stop.kind in (StopKind.TICKET, StopKind.DEPOT):
        return f"{stop.kind.value} {stop.id}"
    return {StopKind.START: "start", StopKind.END: "end", StopKind.BREAK: "break"}[stop.kind]


def _service(places: Places, stop: Stop, tz: tzinfo | None) -> Block:
    """The time on site at a ticket, with its details."""
    assert stop.start is not None and stop.end is not None
    ticket = places.tickets.get(stop.id or "")
    lines = [f"ticket {stop.id}", _span(stop.start, stop.end, tz)]
    if ticket is not None:
        lines += [f"{ticket.type}, {fmt.priority(ticket)}", f"slot {fmt.slot(ticket, tz)}"]
    lines.append(f"arrival {fmt.hm(stop.arrival, tz)}, wait {fmt.minutes(stop.wait_min)}")
    late = fmt.is_late(stop)
    if late:
        lines.append(f"LATE by {fmt.minutes(stop.late_min)} (SLA)")
    if stop.parts:
        lines.append(f"parts {fmt.quantities(stop.parts)}")
    return Block(BlockKind.SERVICE, stop.start, stop.end, stop.id or "", tuple(lines), late)


def _depot(stop: Stop, tz: tzinfo | None) -> Block:
    """Loading parts at a depot."""
    assert stop.start is not None and stop.end is not None
    lines = [f"depot {stop.id}", _span(stop.start, stop.end, tz)]
    if stop.pickup:
        lines.append(f"pickup {fmt.quantities(stop.pickup)}")
    return Block(BlockKind.DEPOT, stop.start, stop.end, stop.id or "", tuple(lines))


def _gap(
    kind: BlockKind, start: datetime | None, end: datetime | None, text: str, tz: tzinfo | None
) -> list[Block]:
    """A travel or wait block when the interval is not empty."""
    if start is None or end is None or end <= start:
        return []
    return [Block(kind, start, end, "", (text, _span(start, end, tz)))]


def route_blocks(places: Places, route: Route, tz: tzinfo | None) -> list[Block]:
    """The blocks of one route in time order (an unused route has none)."""
    if not is_used(route):
        return []
    blocks: list[Block] = []
    prev_end: datetime | None = None
    prev = "start"
    for stop in route.stops:
        if stop.kind is StopKind.START:
            prev_end = stop.at
        elif stop.kind is StopKind.END:
            blocks += _gap(BlockKind.TRAVEL, prev_end, stop.at, f"travel from {prev} to end", tz)
        elif stop.kind is StopKind.BREAK:
            blocks += _gap(BlockKind.WAIT, prev_end, stop.start, "waiting for the break", tz)
            blocks += _gap(BlockKind.BREAK, stop.start, stop.end, "break", tz)
            prev_end = stop.end
            continue
        else:
            text = f"travel from {prev} to {_name(stop)} (driving, parking)"
            blocks += _gap(BlockKind.TRAVEL, prev_end, stop.arrival, text, tz)
            blocks += _gap(BlockKind.WAIT, stop.arrival, stop.start, f"waiting at {stop.id}", tz)
            if stop.kind is StopKind.TICKET:
                blocks.append(_service(places, stop, tz))
            else:
                blocks.append(_depot(stop, tz))
            prev_end = stop.end
        prev = _name(stop)
    return blocks
