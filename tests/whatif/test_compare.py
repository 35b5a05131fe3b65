"""The comparison: KPI deltas and the tickets that changed hands, on hand-made plans."""

from __future__ import annotations

from dispatch_opt.domain import Kpis, Plan, PlanStatus, Route, Stop, StopKind
from dispatch_opt.domain.plan import Reason, ReasonCode, Unassigned
from dispatch_opt.whatif.changes import AddTickets, RemoveTechnicians
from dispatch_opt.whatif.compare import compare, hand_changes, kpi_values
from tests.whatif.helpers import tiny


def plan(routes: dict[str, list[str]], unassigned: list[str] = (), **kpis) -> Plan:
    """A plan with these ticket sequences (no times needed for the comparison)."""
    made = tuple(
        Route(
            tech,
            (Stop(StopKind.START), *(Stop(StopKind.TICKET, id=t) for t in ids), Stop(StopKind.END)),
        )
        for tech, ids in routes.items()
    )
    left = tuple(Unassigned(t, (Reason(ReasonCode.CAPACITY, "no time left"),)) for t in unassigned)
    return Plan(PlanStatus.PARTIAL, made, left, Kpis(**kpis))


def test_removed_technicians_tickets_show_as_changed_hands():
    base_problem = tiny()
    sick = RemoveTechnicians(("T1",)).apply(base_problem)
    before = plan({"T1": ["A", "B"], "T2": ["C", "D"], "T3": ["E"]})
    after = plan({"T2": ["B", "C"], "T3": ["E"]}, unassigned=["A", "D"])
    changes = {c.ticket: c for c in hand_changes(base_problem, before, sick, after)}
    assert set(changes) == {"A", "B", "D"}
    assert (changes["A"].kind, changes["A"].before, changes["A"].after) == (
        "newly_unassigned",
        "T1",
        None,
    )
    assert changes["A"].reasons == ("capacity",)
    assert (changes["B"].kind, changes["B"].before, changes["B"].after) == ("moved", "T1", "T2")
    assert changes["D"].kind == "newly_unassigned"


def test_newly_served_and_added_tickets():
    base_problem = tiny()
    busier = AddTickets(2, seed=1, id_prefix="N-").apply(base_problem)
    before = plan({"T1": ["A"], "T2": ["B"]}, unassigned=["C", "D", "E"])
    after = plan({"T1": ["A", "N-001"], "T2": ["B", "C"]}, unassigned=["D", "E", "N-002"])
    result = compare(base_problem, before, busier, after, "busier")
    kinds = {c.ticket: c.kind for c in result.changes}
    assert kinds == {"C": "newly_served", "N-001": "added_served", "N-002": "added_unassigned"}
    assert result.churn == 1  # added tickets are not churn
    assert result.counts()["added_served"] == 1


def test_kpi_deltas_against_the_base():
    p = tiny()
    before = plan(
        {"T1": ["A"], "T2": ["B"]},
        assigned=2,
        assigned_by_priority={"high": 1, "normal": 1},
        travel_km=10.0,
        overtime_min=5,
        sla_met_rate=0.5,
    )
    after = plan(
        {"T1": ["A", "B", "C"]},
        assigned=3,
        assigned_by_priority={"high": 1, "normal": 2},
        travel_km=12.5,
        overtime_min=0,
        sla_met_rate=1.0,
    )
    result = compare(p, before, p, after, "v")
    assert result.deltas["served"] == 1
    assert result.deltas["served_normal"] == 1 and result.deltas["served_high"] == 0
    assert result.deltas["travel_km"] == 2.5
    assert result.deltas["overtime_min"] == -5
    assert result.deltas["sla_met_pct"] == 50.0
    assert result.deltas["technicians_used"] == -1
    assert kpi_values(p, after)["unassigned"] == 2


def test_identical_plans_have_no_churn():
    p = tiny()
    same = plan({"T1": ["A", "B"], "T3": ["E"]}, unassigned=["C", "D"])
    result = compare(p, same, p, same, "again")
    assert result.changes == () and result.churn == 0
    assert all(d == 0 for d in result.deltas.values())
