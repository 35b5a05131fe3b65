"""The list of unassigned tickets with their reasons, as an HTML table."""

from __future__ import annotations

from dispatch_opt.domain.plan import Plan
from dispatch_opt.domain.problem import Problem
from dispatch_opt.report import fmt
from dispatch_opt.report.markup import esc
from dispatch_opt.report.places import Places


def unassigned_html(problem: Problem, plan: Plan) -> str:
    """A section listing every unassigned ticket: type, priority, slot and reasons."""
    tickets = Places.of(problem).tickets
    tz = fmt.zone(problem)
    rows = []
    for item in plan.unassigned:
        ticket = tickets.get(item.ticket)
        reasons = "".join(
            f"<li><code>{esc(r.code.value)}</code> {esc(r.detail)}</li>" for r in item.reasons
        )
        about = (
            f"<td>{esc(ticket.type)}</td><td>{esc(fmt.priority(ticket))}</td>"
            f"<td>{esc(fmt.slot(ticket, tz))}</td>"
            if ticket is not None
            else "<td></td><td></td><td></td>"
        )
        rows.append(
            f'<tr class="unassigned-row" data-ticket="{esc(item.ticket)}">'
            f"<td>{esc(item.ticket)}</td>{about}<td><ul>{reasons}</ul></td></tr>"
        )
    title = f"<h2>Unassigned tickets ({len(plan.unassigned)})</h2>"
    if not rows:
        return f'<section id="unassigned">{title}<p>Every ticket is served.</p></section>'
    return (
        f'<section id="unassigned">{title}<table class="list"><thead><tr><th>Ticket</th>'
        "<th>Type</th><th>Priority</th><th>Slot</th><th>Reasons</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )
