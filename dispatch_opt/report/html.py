"""The dispatcher views as one self-contained HTML page: KPI header, route map, schedule
board and the unassigned list; and a side-by-side KPI page for what-if comparisons.

Both are pure functions of their inputs returning a string. Leaflet, our script and our
style are inlined from package data, so the page works offline from a single file; the
OpenStreetMap background is only a bonus when the browser is online.
"""

from __future__ import annotations

from dispatch_opt.domain.plan import Plan
from dispatch_opt.domain.problem import Problem
from dispatch_opt.report import assets
from dispatch_opt.report.colors import route_colors
from dispatch_opt.report.gantt import schedule_svg
from dispatch_opt.report.kpis import comparison_table_html, kpi_header_html
from dispatch_opt.report.mapdata import map_data
from dispatch_opt.report.markup import esc, json_for_script
from dispatch_opt.report.places import is_used
from dispatch_opt.report.unassigned import unassigned_html

_BOARD_KEY = (
    ("b-travel", "background:#7a8ca3;opacity:.5", "travel"),
    ("b-service", "background:#3b6fb6", "service (route colour)"),
    ("b-wait", "background:#f2c94c", "waiting"),
    ("b-break", "background:#9aa5b1", "break"),
    ("b-depot", "background:#6f42c1", "depot stop"),
    ("shift", "background:#e7f0e9;border:1px solid #b5cdb9", "shift"),
    ("ot-allowed", "background:#fbeee0;border:1px dashed #e6c8a5", "overtime allowed"),
    ("ot-worked", "background:#d0021b;height:4px", "overtime worked"),
    ("late", "border:2px solid #d0021b", "late visit (!)"),
)


def _page(title: str, head: str, body: str, script: str = "") -> str:
    """The HTML document around a body."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"{head}</head><body>{body}{script}</body></html>\n"
    )


def _style(css: str) -> str:
    """An inline <style> element."""
    return f"<style>{assets.script_safe(css)}</style>"


def _legend(plan: Plan, colors: dict[str, str]) -> str:
    """Route list beside the map: colour, technician, tickets; a checkbox shows/hides."""
    items = []
    for route in plan.routes:
        n = len(route.ticket_ids)
        tech = esc(route.technician)
        idle = "" if is_used(route) else ' class="idle"'
        items.append(
            f'<li{idle}><label><input type="checkbox" data-tech="{tech}" checked> '
            f'<span class="sw" style="background:{colors[route.technician]}"></span>'
            f"{tech} · {n} tickets · {route.travel_km:.0f} km</label></li>"
        )
    buttons = '<button type="button" data-all="on">all</button> '
    buttons += '<button type="button" data-all="off">none</button>'
    return f'<aside id="legend"><b>Routes</b> {buttons}<ul>{"".join(items)}</ul></aside>'


def _board_key() -> str:
    """Legend of the schedule board."""
    keys = "".join(f'<span><i style="{style}"></i>{text}</span>' for _, style, text in _BOARD_KEY)
    return f'<div class="boardkey">{keys}</div>'


def render_report(problem: Problem, plan: Plan, *, title: str | None = None) -> str:
    """The whole report page for a plan of `problem`, as an HTML string."""
    colors = route_colors([r.technician for r in plan.routes])
    title = title or f"Dispatch plan: {problem.name}"
    served = f"{plan.kpis.assigned} of {plan.kpis.tickets} tickets served"
    head = _style(assets.leaflet_css()) + _style(assets.read("report.css"))
    body = (
        f'<header class="top"><h1>{esc(title)}</h1><div class="sub">{esc(problem.name)} · '
        f"{esc(problem.horizon.start.date().isoformat())} · {len(plan.routes)} technicians · "
        f"{esc(served)} · solver {esc(plan.solver.engine)} in {plan.solver.time_s:.1f} s"
        f"</div></header><main>{kpi_header_html(problem, plan)}"
        f'<section id="routes"><h2>Route map</h2><div class="maprow">{_legend(plan, colors)}'
        f'<div id="map"></div></div><p id="map-notice"></p></section>'
        f'<section id="schedule"><h2>Schedule board</h2>{_board_key()}'
        f'<div class="boardwrap">{schedule_svg(problem, plan, colors)}</div></section>'
        f"{unassigned_html(problem, plan)}</main>"
        '<div id="tip" hidden></div>'
        "<footer>Map drawn with Leaflet (BSD 2-Clause). Straight lines join the stops; "
        "times are local to the plan horizon.</footer>"
    )
    data = json_for_script(map_data(problem, plan, colors))
    script = (
        f'<script type="application/json" id="dispatch-data">{data}</script>'
        f"<script>{assets.script_safe(assets.leaflet_js())}</script>"
        f"<script>{assets.script_safe(assets.read('report.js'))}</script>"
    )
    return _page(title, head, body, script)


def render_comparison(named_plans: list[tuple[str, Problem, Plan]]) -> str:
    """A page with the KPIs of several named plans side by side (best value marked)."""
    if not named_plans:
        raise ValueError("render_comparison needs at least one plan")
    names = ", ".join(name for name, _, _ in named_plans)
    body = (
        f'<header class="top"><h1>Plan comparison</h1><div class="sub">{esc(names)}</div>'
        f"</header><main>{comparison_table_html(named_plans)}</main>"
    )
    return _page("Plan comparison", _style(assets.read("report.css")), body)
