"""Depot pickups end to end (issue 5): the van fetches missing parts at a depot first."""

from __future__ import annotations

from dispatch_opt.domain import Depot
from dispatch_opt.domain.plan import StopKind
from dispatch_opt.domain.problem import Priority
from dispatch_opt.routing.compile import compile_problem
from tests.checks import reasons, served, solve_checked
from tests.factories import near, problem, tech, ticket, win

WH_NEAR = near(2, 0)
WH_FAR = near(-4, 0)


def depot(did: str, loc, stock: dict[str, int], open_=("07:00", "21:00"), pickup=10.0) -> Depot:
    """A depot of the test day."""
    return Depot(did, loc, stock, win(*open_), pickup)


def _kinds(plan, tech_id: str) -> list[tuple[str, str | None]]:
    route = next(r for r in plan.routes if r.technician == tech_id)
    return [(s.kind.value, s.id) for s in route.stops if s.kind is not StopKind.BREAK]


def _two_pump_tickets():
    """One van without parts, two nearby tickets needing a pump each, a depot with five."""
    return problem(
        [tech("T1")],
        [
            ticket("K1", near(3, 1), parts={"PUMP": 1}),
            ticket("K2", near(3, 2), parts={"PUMP": 1}),
        ],
        [depot("WH", WH_NEAR, {"PUMP": 5})],
    )


def test_van_without_the_part_fetches_it_at_the_depot_first():
    p = problem(
        [tech("T1")],
        [ticket("K1", near(3, 1), parts={"PUMP": 1})],
        [depot("WH", WH_NEAR, {"PUMP": 2})],
    )
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T1"}
    assert _kinds(plan, "T1") == [("start", None), ("depot", "WH"), ("ticket", "K1"), ("end", None)]
    route = plan.routes[0]
    stop = route.stops[1]
    assert stop.pickup == {"PUMP": 1}
    assert (stop.end - stop.start).total_seconds() == 600
    assert route.pick_list is not None
    assert route.pick_list.pickups[0].tickets == ("K1",)
    assert route.pick_list.pickups[0].parts == {"PUMP": 1}
    assert route.work_min == 45 + 10


def test_van_with_the_part_does_not_detour():
    p = problem(
        [tech("T1", stock={"PUMP": 1})],
        [ticket("K1", near(3, 1), parts={"PUMP": 1})],
        [depot("WH", WH_NEAR, {"PUMP": 2})],
    )
    plan = solve_checked(p)
    assert _kinds(plan, "T1") == [("start", None), ("ticket", "K1"), ("end", None)]
    assert plan.routes[0].pick_list.from_van == {"PUMP": 1}


def test_one_depot_stop_loads_for_several_tickets():
    p = _two_pump_tickets()
    plan = solve_checked(p)
    assert set(served(plan)) == {"K1", "K2"}
    depots = [s for s in plan.routes[0].stops if s.kind is StopKind.DEPOT]
    assert len(depots) == 1
    assert depots[0].pickup == {"PUMP": 2}
    (line,) = plan.routes[0].pick_list.pickups
    assert line.parts == {"PUMP": 2}
    assert set(line.tickets) == {"K1", "K2"}


def test_the_last_unit_goes_to_exactly_one_ticket():
    p = problem(
        [tech("T1"), tech("T2", start=near(0, 3), end=near(0, 3))],
        [
            ticket("K1", near(3, 1), parts={"PUMP": 1}),
            ticket("K2", near(3, 4), parts={"PUMP": 1}),
        ],
        [depot("WH", WH_NEAR, {"PUMP": 1})],
    )
    plan = solve_checked(p)
    assert len(served(plan)) == 1
    (left,) = plan.unassigned
    assert [r.code.value for r in left.reasons] == ["capacity"]
    assert "PUMP" in left.reasons[0].detail


def test_a_depot_closed_at_the_needed_hour_sends_the_van_to_another():
    p = problem(
        [tech("T1", shift=win("13:00", "18:00"))],
        [ticket("K1", near(3, 1), parts={"PUMP": 1})],
        [
            depot("NEAR", WH_NEAR, {"PUMP": 1}, open_=("07:00", "12:00")),
            depot("FAR", WH_FAR, {"PUMP": 1}),
        ],
    )
    plan = solve_checked(p)
    assert ("depot", "FAR") in _kinds(plan, "T1")


def test_no_depot_open_in_time_is_explained():
    p = problem(
        [tech("T1", shift=win("13:00", "18:00"))],
        [ticket("K1", near(3, 1), parts={"PUMP": 1})],
        [depot("NEAR", WH_NEAR, {"PUMP": 1}, open_=("07:00", "12:00"))],
    )
    plan = solve_checked(p)
    assert reasons(plan) == {"K1": ["outside_shifts"]}
    assert "NEAR" in plan.unassigned[0].reasons[0].detail


def test_no_stock_anywhere_is_parts_unavailable():
    p = problem(
        [tech("T1", stock={"OTHER": 3})],
        [ticket("K1", near(3, 1), parts={"PUMP": 1})],
        [depot("WH", WH_NEAR, {"OTHER": 3})],
    )
    plan = solve_checked(p)
    assert reasons(plan) == {"K1": ["parts_unavailable"]}
    assert "no stock anywhere" in plan.unassigned[0].reasons[0].detail


def test_van_and_depot_together_complete_a_ticket():
    p = problem(
        [tech("T1", stock={"A": 1})],
        [ticket("K1", near(3, 1), parts={"A": 1, "B": 1})],
        [depot("WH", WH_NEAR, {"B": 1})],
    )
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T1"}
    depot_stop = next(s for s in plan.routes[0].stops if s.kind is StopKind.DEPOT)
    assert depot_stop.pickup == {"B": 1}


def test_pickup_nodes_only_where_a_van_lacks_parts():
    p = problem(
        [tech("T1", stock={"PUMP": 3}), tech("T2", stock={"PUMP": 3})],
        [
            ticket("K1", near(3, 1), parts={"PUMP": 1}),
            ticket("K2", near(3, 2)),
        ],
        [depot("WH", WH_NEAR, {"PUMP": 5}), depot("WH2", WH_FAR, {"PUMP": 5})],
    )
    assert compile_problem(p).instance.n_pickups == 0
    p2 = problem(
        [tech("T1", stock={"PUMP": 3}), tech("T2")],
        p.tickets,
        p.depots,
    )
    inst = compile_problem(p2).instance
    assert inst.n_pickups == 2  # K1 at its two nearest depots
    assert sorted(inst.depot_ids[d] for d in inst.pickup_depot) == ["WH", "WH2"]


def test_a_warm_start_keeps_the_depot_pickups_of_the_earlier_plan():
    from dispatch_opt.planner import initial_routes

    p = _two_pump_tickets()
    first = solve_checked(p)
    inst = compile_problem(p).instance
    (nodes,) = initial_routes(p, first, inst)
    assert [inst.is_pickup(n) for n in nodes].count(True) == 2
    again = solve_checked(p, warm_start=first)
    assert set(served(again)) == {"K1", "K2"}
    assert again.solver.objective <= first.solver.objective


def test_a_plan_that_waits_for_a_depot_to_open_validates_from_its_document():
    """After EARLY the van reaches the depot before it opens at 10:00 and waits. The
    contract's depot stop has no wait_min, so the written plan carries none; read back,
    it must still validate (it failed wait_inconsistent: 6 of 278 audit plans)."""
    from dispatch_opt.io import plan_from_dict, plan_to_dict
    from dispatch_opt.validate import validate_plan

    p = problem(
        [tech("T1")],
        [
            ticket("EARLY", near(1, 0), duration_min=20, time_windows=(win("08:30", "08:45"),)),
            ticket("K", near(3, 0), parts={"PUMP": 1}, time_windows=(win("10:00", "10:40"),)),
        ],
        [depot("WH", WH_NEAR, {"PUMP": 1}, open_=("10:00", "18:00"))],
    )
    plan = solve_checked(p)
    stop = next(s for r in plan.routes for s in r.stops if s.kind is StopKind.DEPOT)
    assert stop.start > stop.arrival  # it waited
    document = plan_to_dict(plan)
    assert all(
        "wait_min" not in s for r in document["routes"] for s in r["stops"] if s["kind"] == "depot"
    )
    report = validate_plan(p, plan_from_dict(document))
    assert report.ok, report


def test_gap_filling_tries_a_depot_fetch_beyond_the_cheapest_position():
    """K (west, needs a pump) is cheapest to insert before or after A (west, 09:00), but
    the depot opens at 13:00 and B (east) must start by 13:30: only after B can the van
    fetch the pump and serve K. One fetch attempt per route (the construction's default)
    misses it; the polish's gap filling tries every position (audit p026)."""
    from dispatch_opt.routing.cost import RouteValues
    from dispatch_opt.solver.construct import construct
    from dispatch_opt.solver.polish import polish
    from tests.checks import assert_routes_ok

    p = problem(
        [tech("T1", shift=win("08:30", "17:30"))],
        [
            ticket("A", near(0, -5), time_windows=(win("09:00", "09:30"),)),
            ticket("B", near(0, 5), time_windows=(win("13:00", "13:30"),)),
            ticket("K", near(0, -5.5), parts={"PUMP": 1}),
        ],
        [depot("WH", near(0, -5.2), {"PUMP": 1}, open_=("13:00", "18:00"))],
    )
    inst = compile_problem(p).instance
    a, b, k = (inst.ticket_node(i) for i in range(3))
    start = [[a, b]]
    once = construct(inst, routes=start, positions_per_route=9, fetches_per_route=1)
    assert k not in once[0]
    every = construct(inst, routes=start, positions_per_route=9, fetches_per_route=9)
    assert every[0][:2] == [a, b] and every[0][-1] == k
    plan = RouteValues(inst, start)
    assert polish(inst, plan)
    assert k in plan.routes[0]
    assert_routes_ok(inst, plan.routes)


def test_a_van_loads_only_its_own_shortfall_so_the_depot_serves_another_ticket():
    """Audit p141: a van holding the pump fetches only the fan, which leaves the depot's
    one pump for a ticket only the other van can serve; loading the ticket's whole
    shortfall (fan and pump, as the van without stock would) served one of the two."""
    p = problem(
        [
            tech("T1", stock={"PUMP": 1}),
            tech("T2", skills={"ac": 3, "tv": 3}),
        ],
        [
            ticket("K1", near(3, 1), parts={"FAN": 1, "PUMP": 1}),
            ticket("K2", near(-3, 1), parts={"PUMP": 1}, skills={"tv": 1}),
        ],
        [depot("WH", WH_NEAR, {"FAN": 1, "PUMP": 1})],
    )
    inst = compile_problem(p).instance
    k1 = [inst.pickup_load[q].tolist() for q in range(inst.n_pickups) if inst.pickup_ticket[q] == 0]
    fan, pump = (inst.skus.index(s) for s in ("FAN", "PUMP"))
    assert [(load[fan], load[pump]) for load in k1] == [(1, 0), (1, 1)]  # smallest first
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T1", "K2": "T2"}


def test_visits_pinned_to_a_van_with_one_part_for_two_fetch_the_second():
    # found while testing re-plans: each pinned visit alone is covered by the van's one
    # pump, so neither got a pickup option, and only one of the two could be served
    pinned = {"pinned_technician": "T1", "parts": {"PUMP": 1}}
    p = problem(
        [tech("T1", stock={"PUMP": 1}), tech("T2", start=near(-3, -3))],
        [ticket("K1", near(3, 1), **pinned), ticket("K2", near(3, 2), **pinned)],
        [depot("WH", WH_NEAR, {"PUMP": 5})],
    )
    inst = compile_problem(p).instance
    assert sorted(inst.ticket_ids[k] for k in inst.pickup_ticket) == ["K1", "K2"]
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T1", "K2": "T1"}
    assert ("depot", "WH") in _kinds(plan, "T1")
    # a van holding enough for both still does not detour
    both = problem([tech("T1", stock={"PUMP": 2}), p.technicians[1]], p.tickets, p.depots)
    assert compile_problem(both).instance.n_pickups == 0


def test_a_claim_on_the_van_never_takes_away_a_tickets_pickup():
    # the claims of other pinned visits only add options: counting K2's claim on the one
    # fan, K1 (fan from the van, valves from WH) lost its only pickup and was refused as
    # parts_unavailable (found by a re-plan sweep, p029)
    pinned = {"pinned_technician": "T1"}
    p = problem(
        [tech("T1", stock={"FAN": 1}), tech("T2", start=near(-3, -3))],
        [
            ticket(
                "K1", near(3, 1), parts={"FAN": 1, "VALVE": 2}, priority=Priority.HIGH, **pinned
            ),
            ticket("K2", near(3, 2), parts={"FAN": 1}, **pinned),
        ],
        [depot("WH", WH_NEAR, {"VALVE": 5})],
    )
    inst = compile_problem(p).instance
    assert inst.allowed[inst.ticket_ids.index("K1"), 0]
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T1"}
    assert ("depot", "WH") in _kinds(plan, "T1")


def _split_day(required: bool = False):
    """A ticket needing a pump and a valve: WH_A holds only pumps, WH_B only valves."""
    return problem(
        [tech("T1")],
        [ticket("K1", near(3, 1), parts={"PUMP": 1, "VALVE": 1}, required=required)],
        [depot("WH_A", WH_NEAR, {"PUMP": 2}), depot("WH_B", near(1, 2), {"VALVE": 2})],
    )


def test_parts_split_over_two_depots_are_fetched_at_both():
    plan = solve_checked(_split_day())
    assert served(plan) == {"K1": "T1"}
    kinds = _kinds(plan, "T1")
    assert kinds[-2:] == [("ticket", "K1"), ("end", None)]
    assert sorted(kinds[1:3]) == [("depot", "WH_A"), ("depot", "WH_B")]
    loads = {s.id: s.pickup for s in plan.routes[0].stops if s.kind is StopKind.DEPOT}
    assert loads == {"WH_A": {"PUMP": 1}, "WH_B": {"VALVE": 1}}
    assert plan.routes[0].work_min == 45 + 10 + 10


def test_a_required_ticket_needing_two_depots_is_served():
    plan = solve_checked(_split_day(required=True))
    assert plan.status.value == "solved"
    assert served(plan) == {"K1": "T1"}


def test_a_split_load_is_offered_only_where_no_single_depot_completes_the_van():
    inst = compile_problem(_split_day()).instance
    assert inst.n_pickups == 2
    assert sorted(inst.pickup_partner.tolist()) == [0, 1]
    p = _split_day()
    one_depot = problem(
        p.technicians, p.tickets, [*p.depots, depot("WH_C", WH_FAR, {"PUMP": 1, "VALVE": 1})]
    )
    inst = compile_problem(one_depot).instance
    assert (inst.pickup_partner == -1).all()  # WH_C completes the van alone


def _spread_day(n_depots: int = 3, required: bool = False, **parts: int):
    """A ticket needing `parts` (default a pump, a valve and a belt), each SKU at its own
    depot of the first `n_depots` (WH_A pumps, WH_B valves, WH_C belts, WH_D fans)."""
    parts = parts or {"PUMP": 1, "VALVE": 1, "BELT": 1}
    shelves = [
        depot("WH_A", WH_NEAR, {"PUMP": 2}),
        depot("WH_B", near(1, 2), {"VALVE": 2}),
        depot("WH_C", near(2, 2), {"BELT": 2}),
        depot("WH_D", near(2, 3), {"FAN": 2}),
    ]
    return problem(
        [tech("T1")],
        [ticket("K1", near(3, 1), parts=parts, required=required)],
        shelves[:n_depots],
    )


def test_parts_spread_over_three_depots_are_fetched_at_all_three():
    plan = solve_checked(_spread_day())
    assert served(plan) == {"K1": "T1"}
    kinds = _kinds(plan, "T1")
    assert kinds[-2:] == [("ticket", "K1"), ("end", None)]
    assert sorted(kinds[1:4]) == [("depot", "WH_A"), ("depot", "WH_B"), ("depot", "WH_C")]
    loads = {s.id: s.pickup for s in plan.routes[0].stops if s.kind is StopKind.DEPOT}
    assert loads == {"WH_A": {"PUMP": 1}, "WH_B": {"VALVE": 1}, "WH_C": {"BELT": 1}}
    assert plan.routes[0].work_min == 45 + 3 * 10


def test_a_required_ticket_needing_three_depots_is_served():
    plan = solve_checked(_spread_day(required=True))
    assert plan.status.value == "solved"


def test_a_three_depot_split_is_one_cycle_of_partners_tried_in_every_order():
    inst = compile_problem(_spread_day()).instance
    assert inst.n_pickups == 3
    first = inst.pickup_node(0)
    members = inst.split_members(first)
    assert sorted(members) == sorted(inst.pickup_node(p) for p in range(3))
    assert len(set(inst.pickup_groups[0])) == 6  # 3! orders
    assert {frozenset(g) for g in inst.pickup_groups[0]} == {frozenset(members)}


def test_three_depots_are_offered_only_where_no_two_complete_the_van():
    p = _spread_day()
    two_suffice = problem(
        p.technicians, p.tickets, [*p.depots, depot("WH_AB", WH_FAR, {"PUMP": 1, "VALVE": 1})]
    )
    inst = compile_problem(two_suffice).instance
    sizes = {len(inst.split_members(inst.pickup_node(q))) for q in range(inst.n_pickups)}
    assert sizes == {2}  # WH_AB with WH_C: no set of three


def test_three_depots_with_one_pump_each_make_three_pumps():
    shelves = [depot(f"WH_{i}", near(1 + i, 2), {"PUMP": 1}) for i in range(3)]
    p = problem([tech("T1")], [ticket("K1", near(3, 1), parts={"PUMP": 3})], shelves)
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T1"}
    assert sum(s.kind is StopKind.DEPOT for s in plan.routes[0].stops) == 3


def test_parts_spread_over_four_depots_stay_unavailable():
    parts = {"PUMP": 1, "VALVE": 1, "BELT": 1, "FAN": 1}
    plan = solve_checked(_spread_day(4, **parts))
    assert reasons(plan) == {"K1": ["parts_unavailable"]}
    assert "no one, two or three depots complete it" in plan.unassigned[0].reasons[0].detail


def test_a_day_with_a_three_depot_split_replans_to_itself_when_frozen():
    from dispatch_opt.replan.from_plan import state_from_plan
    from tests.factories import at
    from tests.replan.helpers import replan_checked, visits

    base = _spread_day()
    plan = solve_checked(base)
    day = state_from_plan(base, plan, at("08:01"), freeze_min=24 * 60)  # before the depots
    again = replan_checked(day)
    assert set(visits(plan)) == {"K1"}
    assert visits(again) == visits(plan)
    depots = [s.id for r in again.routes for s in r.stops if s.kind is StopKind.DEPOT]
    assert sorted(depots) == ["WH_A", "WH_B", "WH_C"]


def _two_split_tickets():
    """Two technicians, two tickets each needing a pump (WH_A) and a valve (WH_B), and a
    third without parts, so that the split loads compete with plain work."""
    return problem(
        [tech("T1", shift=win("08:00", "13:00")), tech("T2", start=near(-2, 1))],
        [
            ticket(
                "K1",
                near(3, 1),
                parts={"PUMP": 1, "VALVE": 1},
                time_windows=(win("09:00", "12:00"),),
            ),
            ticket("K2", near(-3, 2), parts={"PUMP": 1, "VALVE": 1}),
            ticket("K3", near(1, -2)),
        ],
        [depot("WH_A", WH_NEAR, {"PUMP": 2}), depot("WH_B", near(-1, 2), {"VALVE": 2})],
    )


def test_a_warm_start_keeps_both_stops_of_a_split_load():
    from dispatch_opt.planner import initial_routes

    p = _two_split_tickets()
    first = solve_checked(p)
    assert set(served(first)) == {"K1", "K2", "K3"}
    inst = compile_problem(p).instance
    routes = initial_routes(p, first, inst)
    assert sum(inst.is_pickup(n) for r in routes for n in r) == 4
    again = solve_checked(p, warm_start=first)
    assert set(served(again)) == {"K1", "K2", "K3"}


def test_a_day_with_split_loads_replans_to_itself_when_frozen():
    from dispatch_opt.replan.from_plan import state_from_plan
    from tests.factories import at
    from tests.replan.helpers import replan_checked, visits

    base = _two_split_tickets()
    plan = solve_checked(base)
    day = state_from_plan(base, plan, at("08:05"), freeze_min=24 * 60)  # before both depots
    again = replan_checked(day)
    assert visits(again) == visits(plan)
    assert sorted(s.id for r in again.routes for s in r.stops if s.kind is StopKind.DEPOT) == [
        "WH_A",
        "WH_B",
    ]


def test_a_rare_skus_only_shelf_is_never_left_out_of_the_sets_tried():
    """Many depots full of valves outrank the one depot holding a pump: the pump's shelf
    still pairs with a valve shelf (a cap on the shelves tried once lost this pair)."""
    valves = [depot(f"WH_V{i}", near(20 + i, 20), {"VALVE": 2 + i % 6}) for i in range(17)]
    shelves = [depot("WH_P", WH_NEAR, {"PUMP": 1}), depot("WH_V", near(2, 1), {"VALVE": 7})]
    p = problem(
        [tech("T1")],
        [ticket("K1", near(3, 1), parts={"PUMP": 1, "VALVE": 7})],
        [*shelves, *valves],
    )
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T1"}
    stops = {s.id for s in plan.routes[0].stops if s.kind is StopKind.DEPOT}
    assert stops == {"WH_P", "WH_V"}


def test_a_pair_one_van_can_use_does_not_hide_the_three_depots_another_needs():
    """T1 carries the valve, so the pump and belt depots would do for it, but it cannot
    fetch them before K1's window closes; T2, with an empty van, starts at the pump depot
    and needs all three depots."""
    shelves = [
        depot("WH_A", near(-15, 0), {"PUMP": 2}),
        depot("WH_B", near(-10, 0), {"VALVE": 2}),
        depot("WH_C", near(-5, 0), {"BELT": 2}),
    ]
    k1 = ticket(
        "K1",
        near(3, 1),
        parts={"PUMP": 1, "VALVE": 1, "BELT": 1},
        time_windows=(win("08:30", "09:45"),),
    )
    t1 = tech("T1", start=near(3, 1), end=near(3, 1), stock={"VALVE": 1})
    t2 = tech("T2", start=near(-15, 0), end=near(-15, 0), shift=win("07:00", "17:00"))
    plan = solve_checked(problem([t1, t2], [k1], shelves))
    assert served(plan) == {"K1": "T2"}
    assert sorted(s.id for s in plan.routes[1].stops if s.kind is StopKind.DEPOT) == [
        "WH_A",
        "WH_B",
        "WH_C",
    ]


def test_depots_closed_during_the_shifts_do_not_hide_an_open_one_farther_away():
    """The two nearest depots holding the part open at 19:00, after the 08:00-17:00 shift;
    a farther one is open all day (audit finding F). Only the two nearest depots with the
    part were offered, so the required ticket was declared infeasible; the depots whose
    hours could serve it now come first."""
    from pathlib import Path

    from dispatch_opt.io import load_problem

    data = Path(__file__).parent.parent / "data" / "depot-hours"
    plan = solve_checked(load_problem(data / "nearest-depots-open-after-the-shift.json"))
    assert served(plan) == {"K1": "T0"}
    depots = [s.id for r in plan.routes for s in r.stops if s.kind is StopKind.DEPOT]
    assert depots == ["D_far"]
