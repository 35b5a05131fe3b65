"""The schedule board: blocks follow the contract's timing; the SVG has one row per
technician with shift, overtime and late flags."""

import itertools

from dispatch_opt.report import fmt
from dispatch_opt.report.board import BlockKind, route_blocks
from dispatch_opt.report.colors import route_colors
from dispatch_opt.report.gantt import schedule_svg
from dispatch_opt.report.places import Places
from tests.report.conftest import DEPOT_ID, NASTY_TICKET


def test_blocks_cut_the_day_into_travel_wait_service_depot_and_break(small_problem, small_plan):
    places, tz = Places.of(small_problem), fmt.zone(small_problem)
    blocks = route_blocks(places, small_plan.routes[0], tz)
    kinds = [b.kind for b in blocks]
    assert kinds == [
        BlockKind.TRAVEL,  # start 08:30 -> depot 08:40
        BlockKind.DEPOT,  # 08:40-08:50
        BlockKind.TRAVEL,  # -> ticket 09:00
        BlockKind.WAIT,  # 09:00-09:05
        BlockKind.SERVICE,  # 09:05-09:50
        BlockKind.WAIT,  # idle until the break window 11:30
        BlockKind.BREAK,  # 11:30-12:00
        BlockKind.TRAVEL,  # the drive follows the break: 12:00-12:20
        BlockKind.SERVICE,  # SR-2, late
        BlockKind.TRAVEL,  # back to the end place
    ]
    minutes = [round(b.minutes) for b in blocks]
    assert minutes == [10, 10, 10, 5, 45, 100, 30, 20, 310, 15]
    for earlier, later in itertools.pairwise(blocks):
        assert earlier.end <= later.start
    late = [b for b in blocks if b.late]
    assert [b.label for b in late] == ["SR-2"]
    assert any("LATE by 20 min" in line for line in late[0].details)
    assert blocks[1].label == DEPOT_ID and "pickup SKU-1 x1" in blocks[1].details
    assert blocks[4].label == NASTY_TICKET


def test_an_idle_technician_has_no_blocks(small_problem, small_plan):
    assert route_blocks(Places.of(small_problem), small_plan.routes[1], None) == []


def test_board_svg_has_a_row_per_technician_with_shift_overtime_and_late_flag(
    small_problem, small_plan
):
    colors = route_colors([r.technician for r in small_plan.routes])
    svg = schedule_svg(small_problem, small_plan, colors)
    assert svg.count('<g class="row"') == len(small_problem.technicians)
    assert svg.count('class="shift"') == 2
    assert svg.count('class="ot-allowed"') == 1  # only the first may work overtime
    assert 'class="ot-worked"' in svg and "overtime 15 min: back at 17:45" in svg
    assert 'class="b-service late"' in svg and 'class="lateflag"' in svg
    assert ">08:00</text>" in svg and ">18:00</text>" in svg
    assert NASTY_TICKET not in svg
