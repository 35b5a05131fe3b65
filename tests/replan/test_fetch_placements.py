"""Where a re-plan puts a ticket's depot pickups back (`replan.engine._fetch_placements`)."""

from __future__ import annotations

from math import comb

from dispatch_opt.replan.engine import SPLIT_PLACEMENT_REACH, _fetch_placements

ROUTE = list(range(100, 120))  # 20 stops; the ticket short of parts is stop 15


def _check(placements: list[list[int]], group: tuple[int, ...], i: int) -> None:
    """Each placement keeps the route's stops in order and puts the group, in its order,
    before the ticket at stop i."""
    ticket = ROUTE[i]
    for placed in placements:
        assert [n for n in placed if n >= 100] == ROUTE
        at = [placed.index(p) for p in group]
        assert at == sorted(at) and at[-1] < placed.index(ticket)
    assert len({tuple(p) for p in placements}) == len(placements)  # no placement twice


def test_one_pickup_goes_at_every_position_before_the_ticket():
    placements = list(_fetch_placements(ROUTE, (1,), 15))
    _check(placements, (1,), 15)
    assert len(placements) == 16


def test_the_two_of_a_split_load_go_anywhere_before_the_ticket_together_or_apart():
    placements = list(_fetch_placements(ROUTE, (1, 2), 15))
    _check(placements, (1, 2), 15)
    assert len(placements) == comb(15 + 2, 2)


def test_three_pickups_are_placed_only_among_the_last_stops_before_the_ticket():
    placements = list(_fetch_placements(ROUTE, (1, 2, 3), 15))
    _check(placements, (1, 2, 3), 15)
    assert len(placements) == comb(SPLIT_PLACEMENT_REACH + 3, 3)
    first = min(p.index(1) for p in placements)
    assert first == 15 - SPLIT_PLACEMENT_REACH
    near_start = list(_fetch_placements(ROUTE, (1, 2, 3), 2))
    _check(near_start, (1, 2, 3), 2)
    assert len(near_start) == comb(2 + 3, 3)
