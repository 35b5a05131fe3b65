"""The depot fetch a previous plan made just before a held visit stays on offer in a re-plan."""

from __future__ import annotations

import dataclasses

from dispatch_opt.domain.state import Assignment, DayState, TechnicianState
from tests.factories import Depot, at, near, problem, tech, ticket, win
from tests.replan.helpers import replan_checked, visits


def _day_with_held_parts():
    """At 10:00 T1's van holds 2 compressors and 2 pumps. Held, in order: K1 (10:10)
    takes both compressors; K2 (11:30) a compressor fetched at WH_C on the way and both
    pumps; K3 (13:30) a pump fetched at WH_P, the only other pump, 1 km before K3. Counting
    every held visit's parts against the van, K2 looked short of a pump too, so WH_C
    alone was never offered for it (audit day r2211 lost such a visit; here a load made
    for K1 at WH_C happens to serve K2 as well)."""
    shop = win("07:00", "21:00")
    depots = [
        Depot("WH_C", near(2, 0), {"COMP": 1}, shop, 10.0),
        Depot("WH_P", near(9, 0), {"PUMP": 1}, shop, 10.0),
    ]
    tickets = [
        ticket("K1", near(1, 0), parts={"COMP": 2}),
        ticket("K2", near(3, 0), parts={"COMP": 1, "PUMP": 2}),
        ticket("K3", near(10, 0), parts={"PUMP": 1}),
    ]
    state = DayState(
        now=at("10:00"),
        technicians=(TechnicianState("T1", location=near(0, 0), stock={"COMP": 2, "PUMP": 2}),),
        previous=(
            Assignment("K1", "T1", at("10:10")),
            Assignment("K2", "T1", at("11:30")),
            Assignment("K3", "T1", at("13:30")),
        ),
        freeze_min=24 * 60,
    )
    base = problem([tech("T1", start=near(0, 0), stock={})], tickets, depots)
    return dataclasses.replace(base, state=state)


def test_a_held_visit_is_offered_the_lone_fetch_for_the_van_as_it_reaches_it():
    from dispatch_opt.replan.engine import prepare

    inst = prepare(_day_with_held_parts()).instance
    k2 = inst.ticket_ids.index("K2")
    alone = [
        inst.depot_ids[inst.pickup_depot[q]]
        for q in range(inst.n_pickups)
        if inst.pickup_ticket[q] == k2 and inst.pickup_partner[q] < 0
    ]
    assert alone == ["WH_C"]


def test_a_held_visit_keeps_its_parts_and_its_technician():
    plan = replan_checked(_day_with_held_parts())
    assert {tid: tech for tid, (tech, _) in visits(plan).items()} == dict.fromkeys(
        ("K1", "K2", "K3"), "T1"
    )
    route = plan.routes[0]
    order = [(s.kind.value, s.id) for s in route.stops if s.id is not None]
    assert order == [
        ("ticket", "K1"),
        ("depot", "WH_C"),
        ("ticket", "K2"),
        ("depot", "WH_P"),
        ("ticket", "K3"),
    ]
