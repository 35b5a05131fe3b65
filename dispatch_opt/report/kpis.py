"""KPI figures of a plan, as header cards and as a side-by-side comparison table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from dispatch_opt.domain.plan import Plan
from dispatch_opt.domain.problem import Priority, Problem
from dispatch_opt.report import fmt
from dispatch_opt.report.markup import esc
from dispatch_opt.report.places import is_used


@dataclass(frozen=True, slots=True)
class Metric:
    """One KPI: its value for comparisons, its text, and which direction is better."""

    key: str
    name: str
    value: float
    text: str
    note: str = ""
    higher_is_better: bool = True


def served_by_priority(problem: Problem, plan: Plan) -> list[tuple[str, int, int]]:
    """(priority, served, total) from urgent down to low, for priorities present."""
    totals = Counter(t.priority.value for t in problem.tickets)
    served = plan.kpis.assigned_by_priority
    order = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]
    return [
        (p.value, int(served.get(p.value, 0)), totals[p.value]) for p in order if totals[p.value]
    ]


def metrics(problem: Problem, plan: Plan) -> list[Metric]:
    """The KPIs the dispatcher views show, in display order."""
    k = plan.kpis
    by_p = " · ".join(f"{p} {s}/{t}" for p, s, t in served_by_priority(problem, plan))
    used = sum(1 for r in plan.routes if is_used(r))
    weighted = k.weighted_served / k.weighted_total if k.weighted_total else 1.0
    return [
        Metric("served", "Tickets served", k.assigned, f"{k.assigned} / {k.tickets}", by_p),
        Metric(
            "weighted",
            "Weighted served",
            weighted,
            fmt.percent(weighted),
            f"{k.weighted_served} / {k.weighted_total} (priority weights)",
        ),
        Metric(
            "sla",
            "SLA met",
            k.sla_met_rate,
            fmt.percent(k.sla_met_rate),
            f"served visits late by {fmt.minutes(k.late_min)} in all",
        ),
        Metric(
            "km",
            "Travel",
            k.travel_km,
            f"{k.travel_km:.1f} km",
            f"{fmt.minutes(k.travel_min)} driving",
            higher_is_better=False,
        ),
        Metric(
            "overtime",
            "Overtime",
            k.overtime_min,
            fmt.minutes(k.overtime_min),
            higher_is_better=False,
        ),
        Metric(
            "utilization",
            "Utilisation",
            k.utilization,
            fmt.percent(k.utilization),
            "service time / shift time less breaks",
        ),
        Metric("technicians", "Technicians used", used, f"{used} / {len(plan.routes)}"),
    ]


def kpi_header_html(problem: Problem, plan: Plan) -> str:
    """The KPI cards at the top of the report."""
    cards = [
        f'<div class="kpi" data-kpi="{m.key}"><div class="kname">{esc(m.name)}</div>'
        f'<div class="kval">{esc(m.text)}</div><div class="knote">{esc(m.note)}</div></div>'
        for m in metrics(problem, plan)
    ]
    status = plan.status.value
    badge = f'<div class="kpi status-{esc(status)}"><div class="kname">Status</div>'
    badge += f'<div class="kval">{esc(status)}</div>'
    badge += f'<div class="knote">{len(plan.unassigned)} unassigned</div></div>'
    return f'<section id="kpis" class="kpis">{badge}{"".join(cards)}</section>'


def _best(values: list[float], higher_is_better: bool) -> float:
    """The best of a row's values."""
    return max(values) if higher_is_better else min(values)


def comparison_table_html(named: list[tuple[str, Problem, Plan]]) -> str:
    """KPIs side by side, one column per plan; the best value in a row is marked."""
    columns = [(name, metrics(problem, plan)) for name, problem, plan in named]
    head = "".join(f"<th>{esc(name)}</th>" for name, _ in columns)
    rows = []
    for i, first in enumerate(columns[0][1] if columns else []):
        values = [ms[i].value for _, ms in columns]
        best = _best(values, first.higher_is_better)
        cells = []
        for _, ms in columns:
            m = ms[i]
            mark = ' class="best"' if len(columns) > 1 and m.value == best else ""
            note = f'<div class="knote">{esc(m.note)}</div>' if m.note else ""
            cells.append(f"<td{mark}>{esc(m.text)}{note}</td>")
        rows.append(f'<tr data-kpi="{first.key}"><th>{esc(first.name)}</th>{"".join(cells)}</tr>')
    status = "".join(f"<td>{esc(p.status.value)}</td>" for _, _, p in named)
    rows.insert(0, f"<tr><th>Status</th>{status}</tr>")
    return (
        f'<table id="comparison" class="compare"><thead><tr><th>KPI</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
