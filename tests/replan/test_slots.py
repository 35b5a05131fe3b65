"""Slot promising: offers are honest (a feasible slot is served in it once booked), ordered
fastest first, and say when a slot lies outside the horizon."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from dispatch_opt.replan import replan
from dispatch_opt.replan.slots import book_slot, day_slots, promise_slots
from tests.checks import assert_valid, solve_checked
from tests.factories import DAY, at, near, ticket
from tests.replan.helpers import day, day_under_way, visits

HOURS = [(9, 12), (13, 17), (18, 21)]


def with_ticket(problem, new, slot):
    """The problem with the new ticket booked into the slot."""
    booked = dataclasses.replace(new, time_windows=(slot,))
    return dataclasses.replace(problem, tickets=(*problem.tickets, booked))


def test_a_feasible_slot_is_served_in_that_slot_once_booked():
    base = day()
    plan = solve_checked(base)
    new = ticket("CALL", near(-1, 2), duration_min=60.0)
    offers = promise_slots(base, plan, new, day_slots(DAY, HOURS, days=2))
    feasible = [o for o in offers if o.feasible]
    assert feasible
    starts = [o.start for o in feasible]
    assert starts == sorted(starts)
    tomorrow = [o for o in offers if o.slot.start > DAY + timedelta(days=1)]
    assert len(tomorrow) == 3 and all(o.status == "outside_horizon" for o in tomorrow)
    for offer in feasible:
        assert offer.slot.start <= offer.start <= offer.slot.end
        booked = assert_valid(
            with_ticket(base, new, offer.slot),
            book_slot(base, plan, new, offer.slot, deterministic=True),
        )
        _, start = visits(booked)["CALL"]
        assert offer.slot.start <= start <= offer.slot.end
        for tid in visits(plan):
            assert tid in visits(booked), f"{tid} lost its promise"


def test_slots_during_the_day_start_after_now_and_book_through_a_replan():
    problem, _ = day_under_way()
    plan = replan(problem, deterministic=True)
    new = ticket("CALL", near(1, -1), duration_min=30.0)
    offers = promise_slots(problem, plan, new, day_slots(DAY, HOURS))
    morning = next(o for o in offers if o.slot.start == at("09:00"))
    assert morning.status in {"ok", "no_room"}
    if morning.feasible:
        assert morning.start >= problem.state.now
    feasible = [o for o in offers if o.feasible]
    assert feasible  # else the booking below checks nothing
    for offer in feasible:
        booked = assert_valid(
            with_ticket(problem, new, offer.slot),
            book_slot(problem, plan, new, offer.slot, deterministic=True),
        )
        _, start = visits(booked)["CALL"]
        assert offer.slot.start <= start <= offer.slot.end


def test_a_ticket_nobody_can_do_is_not_eligible_in_any_slot():
    base = day()
    plan = solve_checked(base)
    rare = ticket("RARE", near(0, 0), skills={"solar": 5})
    offers = promise_slots(base, plan, rare, day_slots(DAY, HOURS))
    assert {o.status for o in offers} == {"not_eligible"}
