"""Exact route timing: waits, windows, overhead, breaks taken before driving on."""

import numpy as np

from dispatch_opt.domain import TravelModel, TravelSpec
from dispatch_opt.routing import compile_problem, schedule_route
from dispatch_opt.routing.instance import VehicleBreak
from dispatch_opt.routing.timeline import ANY_ORDER_UP_TO, _orders
from tests.factories import lunch, near, problem, tech, ticket, win

H0 = 7 * 3600  # horizon starts at 07:00


def s(hhmm: str) -> int:
    """Seconds from the horizon start of a clock time."""
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60 - H0


def matrix_problem(techs, tickets, minutes):
    """A problem whose travel is a given matrix in minutes over keys T..., tickets."""
    keys = tuple([t.id for t in techs] + [k.id for k in tickets])
    dur = np.array(minutes, dtype=float) * 60
    travel = TravelSpec(
        model=TravelModel.MATRIX,
        locations=keys,
        durations_s=dur,
        distances_m=dur * 10,
        stop_overhead_min=5,
    )
    return problem(techs, tickets, travel=travel)


def test_wait_for_window_and_overhead():
    a, b = near(1, 0), near(2, 0)
    p = matrix_problem(
        [tech("T1")],
        [
            ticket("A", a, time_windows=(win("10:00", "11:00"),), duration_min=30),
            ticket("B", b, duration_min=20),
        ],
        [[0, 20, 30], [20, 0, 10], [30, 10, 0]],
    )
    inst = compile_problem(p).instance
    sched = schedule_route(inst, 0, [inst.ticket_node(0), inst.ticket_node(1)])
    assert sched is not None
    # leaves late enough to arrive right at 10:00: 20 min drive + 5 min overhead
    assert sched.depart_s == s("09:35")
    assert sched.start_s == (s("10:00"), s("10:45"))
    assert sched.arrival_s[1] == s("10:30") + 10 * 60 + 5 * 60
    assert sched.end_arrival_s == s("11:05") + 30 * 60
    assert sched.drive_s == 60 * 60


def test_window_missed_is_infeasible():
    p = matrix_problem(
        [tech("T1")],
        [ticket("A", near(1, 0), time_windows=(win("08:00", "08:40"),))],
        [[0, 20], [20, 0]],
    )
    inst = compile_problem(p).instance
    # shift starts 08:30 + 20 + 5 = 08:55 > 08:40
    assert schedule_route(inst, 0, [inst.ticket_node(0)]) is None


def test_second_window_used_when_first_missed():
    p = matrix_problem(
        [tech("T1")],
        [ticket("A", near(1, 0), time_windows=(win("08:00", "08:40"), win("14:00", "15:00")))],
        [[0, 20], [20, 0]],
    )
    inst = compile_problem(p).instance
    sched = schedule_route(inst, 0, [inst.ticket_node(0)])
    assert sched is not None and sched.start_s[0] == s("14:00")


def test_break_taken_in_a_gap_then_drive():
    t = tech("T1", breaks=(lunch(45, "11:30", "12:30"),))
    p = matrix_problem(
        [t],
        [
            ticket("A", near(1, 0), time_windows=(win("09:00", "09:30"),), duration_min=150),
            ticket("B", near(2, 0), time_windows=(win("12:00", "16:00"),), duration_min=60),
        ],
        [[0, 30, 30], [30, 0, 20], [30, 20, 0]],
    )
    inst = compile_problem(p).instance
    sched = schedule_route(inst, 0, [inst.ticket_node(0), inst.ticket_node(1)])
    assert sched is not None
    assert sched.end_s[0] == s("11:35")  # 08:30 + 30 drive + 5 overhead + 150
    (brk,) = sched.breaks
    assert brk.before == 1 and brk.start_s == s("11:35") and brk.end_s == s("12:20")
    assert sched.arrival_s[1] == s("12:20") + 25 * 60


def test_break_not_owed_when_day_ends_before_window():
    t = tech("T1", breaks=(lunch(45, "11:30", "13:30"),))
    p = matrix_problem(
        [t],
        [ticket("A", near(1, 0), time_windows=(win("08:30", "09:00"),), duration_min=30)],
        [[0, 10], [10, 0]],
    )
    inst = compile_problem(p).instance
    sched = schedule_route(inst, 0, [inst.ticket_node(0)])
    assert sched is not None and sched.breaks == ()
    assert sched.end_arrival_s < s("11:30")


def test_break_that_cannot_fit_makes_route_infeasible():
    t = tech("T1", breaks=(lunch(60, "12:00", "12:30"),))
    p = matrix_problem(
        [t],
        [ticket("A", near(1, 0), time_windows=(win("11:30", "11:45"),), duration_min=120)],
        [[0, 10], [10, 0]],
    )
    inst = compile_problem(p).instance
    # the visit covers 11:30..13:30, so the break window 12:00-12:30 is lost
    assert schedule_route(inst, 0, [inst.ticket_node(0)]) is None


def test_overtime_limit():
    p = matrix_problem(
        [tech("T1", shift=win("08:30", "10:00"), overtime_max_min=30)],
        [ticket("A", near(1, 0), duration_min=60)],
        [[0, 15], [15, 0]],
    )
    inst = compile_problem(p).instance
    sched = schedule_route(inst, 0, [inst.ticket_node(0)])
    # 08:30 + 20 -> 08:50 start, 09:50 end, back 10:05 (5 min overtime, allowed)
    assert sched is not None and sched.end_arrival_s == s("10:05")
    p2 = matrix_problem(
        [tech("T1", shift=win("08:30", "10:00"), overtime_max_min=0)],
        [ticket("A", near(1, 0), duration_min=60)],
        [[0, 15], [15, 0]],
    )
    inst2 = compile_problem(p2).instance
    assert schedule_route(inst2, 0, [inst2.ticket_node(0)]) is None


def test_speed_factor_scales_driving_and_rounds_up():
    p = matrix_problem(
        [tech("T1", speed_factor=1.1)],
        [ticket("A", near(1, 0))],
        [[0, 10.001], [10, 0]],
    )
    inst = compile_problem(p).instance
    sched = schedule_route(inst, 0, [inst.ticket_node(0)])
    assert sched is not None
    assert sched.drive_s == int(np.ceil(10.001 * 60 * 1.1)) + int(np.ceil(10 * 60 * 1.1))


def test_up_to_three_breaks_are_taken_in_any_order_more_in_window_order():
    """A state per set of breaks done up to ANY_ORDER_UP_TO breaks (8 for 3), one per
    number done in window order beyond (5 for 4), so a long list of breaks stays cheap."""
    breaks = tuple(VehicleBreak(60 * b, 60 * b + 600, 300, 60 * b, 60 * b + 601) for b in range(4))
    assert ANY_ORDER_UP_TO == 3
    assert len(_orders(breaks[:3]).moves) == 8
    orders = _orders(breaks)
    assert len(orders.moves) == 5
    assert [m for ms in orders.moves for m in ms] == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_breaks_whose_order_is_forced_keep_one_state_per_number_done():
    """A coffee window closing as the lunch window opens: no timeline takes lunch first,
    so the states are the first k breaks, as fast as one break."""
    coffee = VehicleBreak(9 * 3600, 11 * 3600, 900, 9 * 3600, 11 * 3600 + 1)
    lunch_ = VehicleBreak(11 * 3600, 13 * 3600, 3000, 11 * 3600, 13 * 3600 + 1)
    assert _orders((coffee, lunch_)).in_order
    assert len(_orders((coffee, lunch_)).moves) == 3
    nested = VehicleBreak(11 * 3600 + 1800, 12 * 3600, 900, 11 * 3600 + 1800, 12 * 3600 + 1)
    assert not _orders((lunch_, nested)).in_order
