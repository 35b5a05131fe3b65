"""Compare a variant's plan with the base plan: KPI deltas and tickets that changed hands.

Churn counts the base's tickets whose fate changed: served by another technician
(`moved`), served now but not in the base (`newly_served`), served in the base but not now
(`newly_unassigned`). Tickets only the variant has (added ones) are listed apart and are
not churn; nor are base tickets the variant no longer has (`dropped`, no change makes
those today, but a plan may).
"""

from __future__ import annotations

from dataclasses import dataclass

from dispatch_opt.domain.plan import Plan
from dispatch_opt.domain.problem import Priority, Problem

PRIORITY_ORDER = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)


@dataclass(frozen=True, slots=True)
class Kpi:
    """A compared figure: its key, label, unit and whether more is better."""

    key: str
    label: str
    higher_is_better: bool
    digits: int = 0


KPIS: tuple[Kpi, ...] = (
    Kpi("tickets", "tickets", True),
    Kpi("served", "served", True),
    *(Kpi(f"served_{p.value}", f"served {p.value}", True) for p in PRIORITY_ORDER),
    Kpi("weighted_served", "weighted served", True),
    Kpi("unassigned", "unassigned", False),
    Kpi("sla_met_pct", "SLA met %", True, 1),
    Kpi("late_min", "SLA late min", False),
    Kpi("travel_km", "travel km", False, 1),
    Kpi("travel_min", "driving min", False),
    Kpi("overtime_min", "overtime min", False),
    Kpi("technicians_used", "technicians used", False),
    Kpi("utilization_pct", "utilization %", True, 1),
)
"""The rows of the comparison table, in order."""

CHURN_KINDS = ("moved", "newly_served", "newly_unassigned")
ADDED_KINDS = ("added_served", "added_unassigned")


def kpi_values(problem: Problem, plan: Plan) -> dict[str, float]:
    """The compared figures of one plan."""
    k = plan.kpis
    return {
        "tickets": len(problem.tickets),
        "served": k.assigned,
        **{f"served_{p.value}": k.assigned_by_priority.get(p.value, 0) for p in PRIORITY_ORDER},
        "weighted_served": k.weighted_served,
        "unassigned": len(problem.tickets) - k.assigned,
        "sla_met_pct": round(100.0 * k.sla_met_rate, 1),
        "late_min": round(k.late_min),
        "travel_km": round(k.travel_km, 1),
        "travel_min": round(k.travel_min),
        "overtime_min": round(k.overtime_min),
        "technicians_used": sum(1 for r in plan.routes if r.ticket_ids),
        "utilization_pct": round(100.0 * k.utilization, 1),
    }


@dataclass(frozen=True, slots=True)
class HandChange:
    """One ticket whose technician differs between base and variant (None = unserved)."""

    ticket: str
    kind: str
    priority: str
    before: str | None
    after: str | None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    """A variant against the base: its figures, their deltas, the tickets that changed hands."""

    variant: str
    values: dict[str, float]
    deltas: dict[str, float]
    changes: tuple[HandChange, ...]

    def of_kind(self, kind: str) -> list[HandChange]:
        """The changes of one kind."""
        return [c for c in self.changes if c.kind == kind]

    @property
    def churn(self) -> int:
        """Base tickets that changed hands (moved, newly served, newly unassigned)."""
        return sum(1 for c in self.changes if c.kind in CHURN_KINDS)

    def counts(self) -> dict[str, int]:
        """How many changes of each kind, and the churn."""
        kinds = (*CHURN_KINDS, *ADDED_KINDS, "dropped")
        return {"churn": self.churn, **{k: len(self.of_kind(k)) for k in kinds}}


def assignment(plan: Plan) -> dict[str, str]:
    """Ticket id -> technician serving it."""
    return {tid: r.technician for r in plan.routes for tid in r.ticket_ids}


def _kind(in_base: bool, before: str | None, after: str | None) -> str | None:
    """What happened to a ticket, or None when nothing did."""
    if not in_base:
        return "added_served" if after is not None else "added_unassigned"
    if before == after:
        return None
    if before is None:
        return "newly_served"
    return "newly_unassigned" if after is None else "moved"


def hand_changes(
    base_problem: Problem, base_plan: Plan, problem: Problem, plan: Plan
) -> tuple[HandChange, ...]:
    """Every ticket whose technician differs between the two plans, in ticket order."""
    before, after = assignment(base_plan), assignment(plan)
    reasons = {u.ticket: tuple(r.code.value for r in u.reasons) for u in plan.unassigned}
    base_ids = {t.id for t in base_problem.tickets}
    out = []
    for t in problem.tickets:
        kind = _kind(t.id in base_ids, before.get(t.id), after.get(t.id))
        if kind is None:
            continue
        gone_to = after.get(t.id)
        why = reasons.get(t.id, ()) if gone_to is None else ()
        out.append(HandChange(t.id, kind, t.priority.value, before.get(t.id), gone_to, why))
    now = {t.id for t in problem.tickets}
    for t in base_problem.tickets:
        if t.id not in now:
            out.append(HandChange(t.id, "dropped", t.priority.value, before.get(t.id), None))
    return tuple(out)


def compare(
    base_problem: Problem, base_plan: Plan, problem: Problem, plan: Plan, name: str
) -> Comparison:
    """A variant's figures, deltas against the base, and tickets that changed hands."""
    base_values = kpi_values(base_problem, base_plan)
    values = kpi_values(problem, plan)
    deltas = {k: round(values[k] - base_values[k], 1) for k in values}
    return Comparison(name, values, deltas, hand_changes(base_problem, base_plan, problem, plan))
