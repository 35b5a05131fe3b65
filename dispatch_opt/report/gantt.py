"""The schedule board as inline SVG: one row per technician across the day.

Each row shows the shift, the allowed overtime (hatched) and overtime actually worked
(red), then the blocks of `board.route_blocks`. Every block carries its details in a
`data-tip` attribute (the page's script shows them on hover) and in an SVG <title>.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from dispatch_opt.domain.plan import Plan, Route, StopKind
from dispatch_opt.domain.problem import Problem
from dispatch_opt.report import fmt
from dispatch_opt.report.board import Block, BlockKind, route_blocks
from dispatch_opt.report.markup import esc
from dispatch_opt.report.places import Places

LABEL_W = 150
ROW_H = 28
AXIS_H = 24
PX_PER_MIN = 1.6
CHAR_W = 6.2

_BAR = {  # block kind -> (y offset, height, css class)
    BlockKind.TRAVEL: (10, 8, "b-travel"),
    BlockKind.WAIT: (8, 12, "b-wait"),
    BlockKind.SERVICE: (4, 20, "b-service"),
    BlockKind.DEPOT: (4, 20, "b-depot"),
    BlockKind.BREAK: (6, 16, "b-break"),
}


@dataclass(frozen=True, slots=True)
class Axis:
    """Maps wall-clock moments to x pixels over whole hours."""

    start: datetime
    end: datetime

    def x(self, moment: datetime) -> float:
        """Pixel x of a moment."""
        return LABEL_W + (moment - self.start).total_seconds() / 60 * PX_PER_MIN

    @property
    def width(self) -> float:
        """Full width of the drawing."""
        return self.x(self.end) + 10


def _axis(problem: Problem, plan: Plan) -> Axis:
    """Whole hours covering every shift (with allowed overtime) and every stop."""
    moments: list[datetime] = []
    for tech in problem.technicians:
        moments += [tech.shift.start, tech.shift.end + timedelta(minutes=tech.overtime_max_min)]
    for route in plan.routes:
        for s in route.stops:
            moments += [m for m in (s.at, s.arrival, s.start, s.end) if m is not None]
    if not moments:
        moments = [problem.horizon.start, problem.horizon.end]
    tz = fmt.zone(problem)
    lo = min(moments).astimezone(tz).replace(minute=0, second=0, microsecond=0)
    hi = max(moments).astimezone(tz)
    top = hi.replace(minute=0, second=0, microsecond=0)
    if top < hi:
        top += timedelta(hours=1)
    return Axis(lo, max(top, lo + timedelta(hours=1)))


def _hours(axis: Axis, height: float, tz: tzinfo | None) -> list[str]:
    """Hour grid lines and labels."""
    out, moment = [], axis.start
    while moment <= axis.end:
        x = axis.x(moment)
        out.append(
            f'<line class="grid" x1="{x:.1f}" y1="{AXIS_H - 4}" x2="{x:.1f}" y2="{height}"/>'
        )
        out.append(f'<text class="hour" x="{x:.1f}" y="{AXIS_H - 8}">{fmt.hm(moment, tz)}</text>')
        moment += timedelta(hours=1)
    return out


def _rect(x0: float, x1: float, y: float, h: float, cls: str, tip: str, extra: str = "") -> str:
    """A rect with hover text (escaped)."""
    t = esc(tip)
    return (
        f'<rect class="{cls}" x="{x0:.1f}" y="{y:.1f}" width="{max(1.0, x1 - x0):.1f}" '
        f'height="{h}" data-tip="{t}"{extra}><title>{t}</title></rect>'
    )


def _block_svg(block: Block, axis: Axis, top: float, color: str) -> str:
    """One block, with a label when it fits and a late flag."""
    dy, h, cls = _BAR[block.kind]
    x0, x1 = axis.x(block.start), axis.x(block.end)
    style = f' style="fill:{color}"' if block.kind in (BlockKind.SERVICE, BlockKind.TRAVEL) else ""
    cls += " late" if block.late else ""
    parts = [_rect(x0, x1, top + dy, h, cls, "\n".join(block.details), style)]
    if block.label and (x1 - x0) >= CHAR_W * len(block.label) + 4:
        parts.append(
            f'<text class="blabel" x="{x0 + 2:.1f}" y="{top + 18}">{esc(block.label)}</text>'
        )
    if block.late:
        parts.append(f'<text class="lateflag" x="{x0 + (x1 - x0) / 2:.1f}" y="{top + 3}">!</text>')
    return "".join(parts)


def _shift_svg(places: Places, route: Route, axis: Axis, top: float, tz: tzinfo | None) -> str:
    """Shift band, allowed overtime (hatched) and overtime worked (red)."""
    tech = places.technicians.get(route.technician)
    if tech is None:
        return ""
    s, e = tech.shift.start, tech.shift.end
    out = [
        _rect(
            axis.x(s),
            axis.x(e),
            top + 2,
            ROW_H - 4,
            "shift",
            f"{tech.id} shift {fmt.hm(s, tz)}-{fmt.hm(e, tz)}",
        )
    ]
    if tech.overtime_max_min > 0:
        o = e + timedelta(minutes=tech.overtime_max_min)
        out.append(
            _rect(
                axis.x(e),
                axis.x(o),
                top + 2,
                ROW_H - 4,
                "ot-allowed",
                f"overtime allowed until {fmt.hm(o, tz)}",
            )
        )
    back = route.stops[-1].at if route.stops and route.stops[-1].kind is StopKind.END else None
    if back is not None and back > e and route.ticket_ids:
        minutes = (back - e).total_seconds() / 60
        out.append(
            _rect(
                axis.x(e),
                axis.x(back),
                top + ROW_H - 5,
                4,
                "ot-worked",
                f"overtime {fmt.minutes(minutes)}: back at {fmt.hm(back, tz)}",
            )
        )
    return "".join(out)


def _label_svg(route: Route, top: float, color: str) -> str:
    """Row header: colour swatch, technician id and the day in figures."""
    n = len(route.ticket_ids)
    info = f"{n} tickets, {route.travel_km:.0f} km" if n else "idle"
    return (
        f'<rect class="swatch" x="4" y="{top + 8}" width="10" height="12" style="fill:{color}"/>'
        f'<text class="tech" x="18" y="{top + 13}">{esc(route.technician)}</text>'
        f'<text class="techinfo" x="18" y="{top + 24}">{esc(info)}</text>'
    )


def schedule_svg(problem: Problem, plan: Plan, colors: dict[str, str]) -> str:
    """The whole board as one <svg> element."""
    places, tz, axis = Places.of(problem), fmt.zone(problem), _axis(problem, plan)
    height = AXIS_H + ROW_H * len(plan.routes) + 4
    body = _hours(axis, height, tz)
    for i, route in enumerate(plan.routes):
        top = AXIS_H + i * ROW_H
        color = colors.get(route.technician, "#666666")
        body.append(f'<g class="row" data-tech="{esc(route.technician)}">')
        body.append(
            f'<rect class="rowbg" x="0" y="{top}" width="{axis.width:.0f}" height="{ROW_H}"/>'
        )
        body.append(_label_svg(route, top, color))
        body.append(_shift_svg(places, route, axis, top, tz))
        body += [_block_svg(b, axis, top, color) for b in route_blocks(places, route, tz)]
        body.append("</g>")
    return (
        f'<svg id="board" xmlns="http://www.w3.org/2000/svg" width="{axis.width:.0f}" '
        f'height="{height}" viewBox="0 0 {axis.width:.0f} {height}" role="img" '
        f'aria-label="schedule board">{"".join(body)}</svg>'
    )
