"""The solver honours every hard rule of the contract on tiny named problems."""

import dataclasses
from datetime import timedelta

import pytest

from dispatch_opt.domain import Break, Priority, StopKind, TimeWindow
from dispatch_opt.routing import compile_problem
from tests.checks import reasons, served, solve_checked
from tests.factories import at, lunch, near, problem, tech, ticket, win


def test_skill_levels_decide_who_serves():
    p = problem(
        [tech("JUN", skills={"ac": 1}), tech("SEN", skills={"ac": 4}, start=near(5, 5))],
        [
            ticket("HARD", near(0.5, 0), skills={"ac": 4}),
            ticket("NONE", near(1, 0), skills={"tv": 2}),
        ],
    )
    plan = solve_checked(p)
    assert served(plan) == {"HARD": "SEN"}
    assert reasons(plan)["NONE"] == ["no_skilled_technician"]


def test_pinned_and_excluded():
    p = problem(
        [tech("A"), tech("B", start=near(8, 8))],
        [
            ticket("PIN", near(0.2, 0), pinned_technician="B"),
            ticket("EXC", near(8, 8.2), excluded_technicians=("B",)),
            ticket("ALLX", near(1, 1), excluded_technicians=("A", "B")),
        ],
    )
    plan = solve_checked(p)
    assert served(plan)["PIN"] == "B"
    assert served(plan)["EXC"] == "A"
    assert reasons(plan)["ALLX"] == ["excluded"]


def test_pinned_to_unskilled_is_a_conflict():
    p = problem(
        [tech("A", skills={"ac": 1})],
        [ticket("X", near(1, 0), skills={"ac": 3}, pinned_technician="A")],
    )
    assert reasons(solve_checked(p))["X"] == ["no_skilled_technician"]
    p = problem(
        [tech("A", skills={"ac": 1}), tech("B", skills={"ac": 5})],
        [ticket("X", near(1, 0), skills={"ac": 3}, pinned_technician="A")],
    )
    assert reasons(solve_checked(p))["X"] == ["pinned_conflict"]


def test_pinned_to_an_excluded_technician_is_a_conflict():
    p = problem(
        [tech("A"), tech("B")],
        [
            ticket("X", near(1, 0), pinned_technician="A", excluded_technicians=("B", "A")),
            ticket("Y", near(1.5, 0)),
        ],
    )
    plan = solve_checked(p)
    assert reasons(plan)["X"] == ["pinned_conflict"]
    assert "Y" in served(plan)
    assert "also excluded" in plan.unassigned[0].reasons[0].detail


def test_last_van_unit_goes_to_exactly_one_ticket():
    p = problem(
        [tech("A", stock={"PCB": 1})],
        [
            ticket("LOW", near(1, 0), parts={"PCB": 1}, priority=Priority.LOW),
            ticket("URG", near(1.2, 0), parts={"PCB": 1}, priority=Priority.URGENT),
            ticket("NOPART", near(2, 0), parts={"GHOST": 1}),
        ],
    )
    plan = solve_checked(p)
    assert "URG" in served(plan) and "LOW" not in served(plan)
    assert reasons(plan)["LOW"] == ["capacity"]
    assert reasons(plan)["NOPART"] == ["parts_unavailable"]


def test_max_jobs_and_priorities():
    tickets = [ticket(f"N{i}", near(i * 0.3, 0)) for i in range(4)]
    tickets.append(ticket("U", near(3, 3), priority=Priority.URGENT))
    p = problem([tech("A", max_jobs=2)], tickets)
    plan = solve_checked(p)
    assert len(served(plan)) == 2 and "U" in served(plan)


def test_max_travel_limits_driving():
    p = problem(
        [tech("A", max_travel_min=30)], [ticket("NEAR", near(1, 0)), ticket("FAR", near(30, 0))]
    )
    plan = solve_checked(p)
    assert set(served(plan)) == {"NEAR"}


def test_windows_outside_every_shift():
    p = problem(
        [tech("A", shift=win("08:30", "12:00"))],
        [ticket("EVE", near(1, 0), time_windows=(win("18:00", "21:00"),))],
    )
    assert reasons(solve_checked(p))["EVE"] == ["outside_shifts"]


def test_two_windows_and_breaks():
    t = [tech(f"T{i}", breaks=(lunch(),), start=near(i, -i)) for i in range(3)]
    tickets = [
        ticket(
            f"K{i}",
            near((i % 5) - 2, (i // 5) - 2),
            duration_min=60,
            time_windows=(win("09:00", "11:00"), win("14:00", "16:00")),
        )
        for i in range(15)
    ]
    plan = solve_checked(problem(t, tickets))
    assert len(served(plan)) >= 12
    for route in plan.routes:
        if route.ticket_ids:
            assert any(s.kind.value == "break" for s in route.stops)


def test_required_ticket_is_served_at_any_cost():
    # one technician, time for one of two tickets: the required low one wins
    p = problem(
        [tech("A", shift=win("09:00", "10:30"))],
        [
            ticket("URG", near(1, 0), priority=Priority.URGENT, duration_min=60),
            ticket("REQ", near(-1, 0), priority=Priority.LOW, required=True, duration_min=60),
        ],
    )
    plan = solve_checked(p)
    assert served(plan) == {"REQ": "A"}
    assert plan.status.value == "partial"


def test_unservable_required_makes_status_infeasible():
    p = problem([tech("A")], [ticket("REQ", near(1, 0), required=True, skills={"tv": 5})])
    plan = solve_checked(p)
    assert plan.status.value == "infeasible"


def test_sla_lateness_avoided_when_possible():
    p = problem(
        [tech("A")],
        [
            ticket("SLA", near(3, 0), sla_due=win("09:30", "09:31").start),
            ticket("OTHER", near(-3, 0)),
        ],
    )
    plan = solve_checked(p)
    route = plan.routes[0]
    assert route.ticket_ids[0] == "SLA"
    assert plan.kpis.sla_met_rate == 1.0


def test_deterministic_option_gives_the_same_plan():
    tickets = [ticket(f"K{i}", near((i * 7) % 11 - 5, (i * 3) % 7 - 3)) for i in range(25)]
    p = problem([tech("A"), tech("B", start=near(3, 3))], tickets)
    a, b = solve_checked(p), solve_checked(p)
    assert [r.ticket_ids for r in a.routes] == [r.ticket_ids for r in b.routes]
    assert a.solver.objective == b.solver.objective


def _closed_overlap_breaks_owed(plan, techs) -> list[str]:
    """Breaks owed under the closed reading of 'overlaps' (touching counts) and not taken:
    the plan must hold under either reading."""
    owed = []
    for route, t in zip(plan.routes, techs, strict=True):
        stops = route.stops
        if not any(s.kind is StopKind.TICKET for s in stops):
            continue
        begin, finish = stops[0].at, stops[-1].at
        taken = sum(1 for s in stops if s.kind is StopKind.BREAK)
        due = sum(1 for b in t.breaks if b.window.start <= finish and b.window.end >= begin)
        if due > taken:
            owed.append(t.id)
    return owed


def test_an_afternoon_shift_leaves_clear_of_the_lunch_window_it_starts_at():
    afternoon = tech("PM", shift=win("13:30", "17:30"), breaks=(lunch(45, "12:00", "13:30"),))
    p = problem([afternoon], [ticket("K", near(2, 0))])
    plan = solve_checked(p)
    assert served(plan) == {"K": "PM"}
    start = plan.routes[0].stops[0].at
    assert start > at("13:30") and (start - at("13:30")).total_seconds() == 1
    assert _closed_overlap_breaks_owed(plan, p.technicians) == []


def test_a_day_cut_short_by_a_late_break_ends_clear_of_its_window():
    """The 45 min break in 17:00-19:00 cannot fit before 17:30: the day must end before
    the window opens, a second before it (not at 17:00 sharp, which touches it)."""
    late = tech("L", breaks=(lunch(45, "17:00", "19:00"),))
    tickets = [ticket(f"K{i}", near(1 + i, 0), duration_min=60) for i in range(9)]
    p = problem([late], tickets)
    inst = compile_problem(p).instance
    assert inst.latest_end_s[0] == (at("17:00") - at("07:00")).total_seconds() - 1
    plan = solve_checked(p)
    assert plan.routes[0].stops[-1].at < at("17:00")
    assert _closed_overlap_breaks_owed(plan, p.technicians) == []


def test_a_break_that_fits_exactly_is_never_dropped_when_a_later_one_cuts_the_day():
    """60 min in 12:00-13:00 fits before 13:30 exactly; 60 min in 13:00-14:00 does not
    and ends the day before 13:00, where the first can no longer be taken: the day ends
    before noon (a break owed is never dropped; before, the plan broke break_missing)."""
    t = tech(
        "A",
        shift=win("08:30", "13:30"),
        breaks=(lunch(60, "12:00", "13:00"), lunch(60, "13:00", "14:00")),
    )
    p = problem([t], [ticket(f"K{i}", near(1 + i, 0), duration_min=50) for i in range(5)])
    inst = compile_problem(p).instance
    assert inst.latest_end_s[0] == (at("12:00") - at("07:00")).total_seconds() - 1
    assert inst.breaks[0] == ()
    plan = solve_checked(p)
    assert _closed_overlap_breaks_owed(plan, p.technicians) == []


def test_a_shift_start_clears_cascading_break_windows_in_any_order():
    first, second = (
        lunch(30, "12:00", "13:30"),
        Break(TimeWindow(at("12:30"), at("13:30") + timedelta(seconds=1)), 30),
    )
    starts = set()
    for order in ((first, second), (second, first)):
        p = problem([tech("PM", shift=win("13:30", "17:30"), breaks=order)], [])
        starts.add(int(compile_problem(p).instance.shift_start_s[0]))
    assert starts == {int((at("13:30") - at("07:00")).total_seconds()) + 2}


def test_an_unused_technician_starting_as_its_lunch_window_closes_stays_at_its_shift_start():
    """With no work there is no break to keep clear of: the idle route is at 13:30 sharp
    (contract: an unused technician has just start and end at its shift start)."""
    afternoon = tech("PM", shift=win("13:30", "17:30"), breaks=(lunch(45, "12:00", "13:30"),))
    p = problem([afternoon], [ticket("K", near(2, 0), skills={"tv": 1})])  # nobody can
    plan = solve_checked(p)
    assert [s.at for s in plan.routes[0].stops] == [at("13:30"), at("13:30")]


def test_an_unused_technician_with_another_end_place_leaves_at_its_shift_start():
    """Driving home to a different end place changes nothing: start at 13:30 sharp (it
    was 13:30:01, the compiled start clear of the lunch window), end after the drive."""
    afternoon = tech(
        "PM", shift=win("13:30", "17:30"), end=near(0, 3), breaks=(lunch(45, "12:00", "13:30"),)
    )
    p = problem([afternoon], [ticket("K", near(2, 0), skills={"tv": 1})])  # nobody can
    plan = solve_checked(p)
    start, end = plan.routes[0].stops
    assert start.at == at("13:30") and end.at > start.at
    assert (end.at - start.at).total_seconds() == pytest.approx(
        plan.routes[0].travel_min * 60, abs=1.0
    )


def test_a_ticket_nobody_can_serve_names_each_rule_that_took_a_technician_out():
    """A may do no job, B's driving limit is too short: the reasons say both, the rule
    that took out the last technician first, instead of "every qualified technician"."""
    p = problem(
        [tech("A", max_jobs=0), tech("B", start=near(0, 5), end=near(0, 5), max_travel_min=5)],
        [ticket("K", near(3, 0))],
    )
    plan = solve_checked(p)
    (entry,) = plan.unassigned
    assert [r.code for r in entry.reasons] == ["max_travel", "capacity"]
    assert "technician left" in entry.reasons[0].detail
    assert entry.reasons[1].detail == "max_jobs 0: A"


def test_a_window_past_the_horizon_blames_the_horizon_not_the_shift():
    """The shift with overtime runs to 23:00, but nothing is planned past the horizon's
    21:00: the detail names the horizon."""
    p = problem(
        [tech("A", shift=win("15:00", "21:00"), overtime_max_min=120)],
        [ticket("LATE", near(1, 0), duration_min=30, time_windows=(win("20:30", "20:55"),))],
    )
    plan = solve_checked(p)
    (entry,) = plan.unassigned
    assert entry.reasons[0].code == "outside_shifts"
    assert "the planning horizon ends at 21:00" in entry.reasons[0].detail


def test_a_given_matrix_shortcut_through_another_ticket_keeps_a_ticket_eligible():
    """Audit p062: on a given matrix the direct drive out to K and back is 40 min against
    a 30 min driving limit, but the way through A drives 30; eligibility tested the
    direct legs and ruled K out, though the route start -> A -> K -> end keeps the rule."""
    import numpy as np

    from dispatch_opt.domain import TravelModel, TravelSpec

    minutes = np.array(
        [
            # T1  A   K
            [0, 5, 20],  # T1
            [5, 0, 5],  # A
            [20, 5, 0],  # K
        ],
        dtype=np.float64,
    )
    travel = TravelSpec(
        model=TravelModel.MATRIX,
        stop_overhead_min=0.0,
        locations=("T1", "A", "K"),
        durations_s=minutes * 60,
        distances_m=minutes * 500,
    )
    p = problem(
        [tech("T1", max_travel_min=30)],
        [ticket("A", near(1, 0), duration_min=20), ticket("K", near(2, 0), duration_min=20)],
        travel=travel,
    )
    compiled = compile_problem(p)
    assert compiled.instance.allowed.all()
    plan = solve_checked(p)
    assert served(plan) == {"A": "T1", "K": "T1"}
    assert plan.routes[0].travel_min == 30.0


def test_a_matrix_day_without_tickets_is_solved():
    """A re-plan sweep found it (audit p140, every ticket done): on a given matrix the
    eligibility search from the starts to no ticket raised a ValueError; a plain problem
    with an empty ticket list did the same."""
    import numpy as np

    from dispatch_opt.domain import TravelModel, TravelSpec

    minutes = np.array([[0, 9], [7, 0]], dtype=np.float64)  # T1 home and T1/end, one-way
    travel = TravelSpec(
        model=TravelModel.MATRIX,
        locations=("T1", "T1/end"),
        durations_s=minutes * 60,
        distances_m=minutes * 500,
    )
    p = problem([tech("T1", end=near(3, 0))], [], travel=travel)
    plan = solve_checked(p)
    assert plan.status == "solved" and not plan.unassigned
    assert plan.routes[0].travel_min == 9.0


def test_a_day_that_ends_as_it_starts_still_takes_a_break_whose_window_holds_it():
    """A 0-minute visit at the start place makes a day that ends at 08:00 as it starts;
    a break window 07:50-08:10 holds that instant, so the break is owed (audit finding D:
    the plan skipped it, the validator caught it, and `solve` wrote no plan)."""
    t = tech("T0", shift=win("08:00", "12:00"), breaks=(lunch(5, "07:50", "08:10"),))
    day = problem([t], [ticket("K1", t.start, duration_min=0.0)])
    plan = solve_checked(day)
    assert served(plan) == {"K1": "T0"}
    assert [s.kind for s in plan.routes[0].stops].count(StopKind.BREAK) == 1


def test_a_break_window_opening_within_a_second_is_owed_by_a_day_ending_after_it():
    """A window opening at 08:00:00.5 overlaps a day from 08:00:00 to 08:00:01 (a 1-second
    visit at the start place): the break is owed. Rounded up to 08:00:01, the window
    looked closed until the day's end, and the plan skipped the break the validator
    asks for (found in review)."""
    window = win("08:00", "08:10")
    opens = TimeWindow(window.start + timedelta(milliseconds=500), window.end)
    t = tech("T0", shift=win("08:00", "12:00"), breaks=(Break(opens, 5),))
    plan = solve_checked(problem([t], [ticket("K1", t.start, duration_min=1 / 60)]))
    assert served(plan) == {"K1": "T0"}
    assert [s.kind for s in plan.routes[0].stops].count(StopKind.BREAK) == 1


def test_a_day_leaving_after_a_break_window_closes_owes_that_break():
    """Audit finding A: a break window 08:10-08:20 for 30 minutes and a required visit at
    08:30 only fit a day that leaves after 08:20 (the contract owes a break whose window
    overlaps the day). Leaving at the shift start, every plan dropped the ticket."""
    t = tech("T0", shift=win("08:00", "12:00"), breaks=(Break(win("08:10", "08:20"), 30),))
    k = ticket("K1", near(0.7, 0), time_windows=(win("08:30", "08:30"),), required=True)
    p = problem([t], [k])
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T0"}
    route = plan.routes[0]
    assert StopKind.BREAK not in [s.kind for s in route.stops]
    assert route.stops[0].at > at("08:20")
    assert _closed_overlap_breaks_owed(plan, p.technicians) == []


def test_a_break_left_behind_at_the_start_lets_the_next_one_be_taken_there():
    """Taking both breaks (08:10-08:40, 08:40-09:10) misses the 09:10 visit: the first
    window closes before the day leaves, and the second break is taken at the start place
    before leaving, the day starting with it."""
    breaks = (Break(win("08:10", "08:20"), 30), Break(win("08:30", "10:00"), 30))
    t = tech("T0", shift=win("08:00", "12:00"), breaks=breaks)
    k = ticket("K1", near(0.7, 0), time_windows=(win("09:10", "09:10"),), required=True)
    p = problem([t], [k])
    plan = solve_checked(p)
    assert served(plan) == {"K1": "T0"}
    assert _closed_overlap_breaks_owed(plan, p.technicians) == []
    kinds = [s.kind for s in plan.routes[0].stops]
    assert kinds == [StopKind.START, StopKind.BREAK, StopKind.TICKET, StopKind.END]
    assert plan.routes[0].stops[1].start == at("08:30")


def test_a_coffee_window_inside_the_lunch_window_is_taken_first_when_only_that_fits():
    """Audit finding C: lunch (60 min) in 11:00-14:00, coffee (15 min) in 11:30-12:00,
    required visits at 11:00 (30 min) and 13:00 (120 min). Lunch first (12:00 at the
    earliest, after the first visit) leaves coffee past its window: only coffee first
    fits, and breaks taken in the order their windows open dropped a required visit."""
    breaks = (Break(win("11:00", "14:00"), 60), Break(win("11:30", "12:00"), 15))
    t = tech("T0", shift=win("08:00", "17:00"), breaks=breaks)
    tickets = [
        ticket("K1", near(0.7, 0), time_windows=(win("11:00", "11:00"),), duration_min=30),
        ticket("K2", near(1, 0.5), time_windows=(win("13:00", "13:00"),), duration_min=120),
    ]
    tickets = [dataclasses.replace(k, required=True) for k in tickets]
    plan = solve_checked(problem([t], tickets))
    assert served(plan) == {"K1": "T0", "K2": "T0"}
    durations = [
        (s.end - s.start).total_seconds() / 60
        for s in plan.routes[0].stops
        if s.kind is StopKind.BREAK and s.start is not None and s.end is not None
    ]
    assert durations == [15, 60]
