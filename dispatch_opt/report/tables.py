"""Readable terminal output of a plan: a schedule per technician, KPIs, unassigned."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console, Group
from rich.table import Table

from dispatch_opt.domain.plan import Plan, Route, StopKind
from dispatch_opt.domain.problem import Problem
from dispatch_opt.report import fmt


def _hm(moment: datetime | None) -> str:
    """HH:MM of a moment, or an empty string."""
    return moment.strftime("%H:%M") if moment is not None else ""


def route_table(problem: Problem, route: Route) -> Table:
    """One technician's day, stop by stop."""
    tickets = {t.id: t for t in problem.tickets}
    title = (
        f"{route.technician}: {len(route.ticket_ids)} tickets, {route.travel_km:.1f} km, "
        f"{route.travel_min:.0f} min driving"
        + (f", {route.overtime_min:.0f} min overtime" if route.overtime_min > 0.5 else "")
    )
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for col in ("stop", "what", "arrive", "start", "end", "wait", "late", "parts"):
        table.add_column(col, justify="right" if col in ("wait", "late") else "left")
    for stop in route.stops:
        if stop.kind is StopKind.START:
            table.add_row("start", "", "", _hm(stop.at), "", "", "", "")
        elif stop.kind is StopKind.END:
            table.add_row("end", "", _hm(stop.at), "", "", "", "", "")
        elif stop.kind is StopKind.BREAK:
            table.add_row("break", "", "", _hm(stop.start), _hm(stop.end), "", "", "")
        else:
            ticket = tickets.get(stop.id or "")
            what = f"{ticket.type} {ticket.priority.value}" if ticket else "depot pickup"
            if ticket is not None and ticket.vip:
                what += " VIP"
            stuff = stop.parts if stop.kind is StopKind.TICKET else stop.pickup
            table.add_row(
                stop.id or "",
                what,
                _hm(stop.arrival),
                _hm(stop.start),
                _hm(stop.end),
                f"{stop.wait_min:.0f}" if stop.wait_min >= 0.5 else "",
                f"[red]{stop.late_min:.0f}[/red]" if fmt.is_late(stop) else "",
                ", ".join(f"{k} x{v}" for k, v in stuff.items()),
            )
    return table


def kpi_table(plan: Plan) -> Table:
    """Plan-wide KPIs."""
    k = plan.kpis
    table = Table(title="KPIs", title_justify="left", show_header=False, show_edge=False)
    table.add_column("kpi")
    table.add_column("value", justify="right")
    by_p = ", ".join(f"{p} {n}" for p, n in k.assigned_by_priority.items())
    rows = [
        ("status", plan.status.value),
        ("tickets served", f"{k.assigned} / {k.tickets}  ({by_p})"),
        ("weighted served", f"{k.weighted_served} / {k.weighted_total}"),
        ("SLA met", f"{100 * k.sla_met_rate:.1f}%"),
        ("travel", f"{k.travel_km:.1f} km, {k.travel_min:.0f} min"),
        ("overtime", f"{k.overtime_min:.0f} min"),
        ("utilization", f"{100 * k.utilization:.1f}%"),
        ("solve time", f"{plan.solver.time_s:.2f} s ({plan.solver.engine})"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def unassigned_table(plan: Plan) -> Table:
    """Tickets left out, with their reasons."""
    table = Table(
        title=f"Unassigned ({len(plan.unassigned)})", title_justify="left", show_edge=False
    )
    table.add_column("ticket")
    table.add_column("reason")
    table.add_column("detail")
    for u in plan.unassigned:
        for i, r in enumerate(u.reasons):
            table.add_row(u.ticket if i == 0 else "", r.code.value, r.detail)
    return table


def print_plan(
    problem: Problem, plan: Plan, console: Console | None = None, *, routes: bool = True
) -> None:
    """Print the schedules (used technicians only), the unassigned list and the KPIs;
    with `routes=False` only the KPIs."""
    console = console or Console()
    parts = []
    if routes:
        parts += [route_table(problem, r) for r in plan.routes if r.ticket_ids]
        idle = [r.technician for r in plan.routes if not r.ticket_ids]
        if idle:
            parts.append(f"Idle technicians: {', '.join(idle)}")
    if plan.unassigned and routes:
        parts.append(unassigned_table(plan))
    parts.append(kpi_table(plan))
    console.print(Group(*parts))
