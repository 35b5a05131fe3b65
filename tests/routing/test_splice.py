"""Re-timing a changed route from stored states equals timing it from scratch."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_opt.routing import compile_problem, timeline
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.timeline import (
    ANY_ORDER_UP_TO,
    route_feasible,
    route_states,
    schedule_route,
    splice_feasible,
)
from tests.factories import lunch, near, problem, tech, ticket, win

SLOTS = (None, ("09:00", "11:00"), ("11:00", "13:00"), ("13:00", "15:00"), ("08:30", "17:00"))
BREAKS = (
    (),
    (lunch(),),
    (lunch(30, "10:00", "10:45"), lunch(45, "12:00", "13:30")),
    (lunch(60, "11:00", "14:00"), lunch(15, "11:30", "12:00")),  # nested: coffee first
    (lunch(30, "08:40", "08:50"), lunch(60, "11:00", "14:00"), lunch(15, "11:30", "12:00")),
)
"""Break shapes: none, lunch, two in a row, a window nested in another (either order may
be the one that fits), and three with one a day leaving after 08:50 escapes."""


@st.composite
def days(draw) -> RoutingInstance:
    """One technician with zero to three breaks and up to 9 tickets with random windows
    and lengths: tight enough that many routes are infeasible."""
    breaks = draw(st.sampled_from(BREAKS))
    techs = [tech("T0", breaks=breaks, shift=win("08:30", "16:30"), overtime_max_min=0)]
    tickets = []
    for i in range(draw(st.integers(2, 9))):
        slot = draw(st.sampled_from(SLOTS))
        tickets.append(
            ticket(
                f"K{i}",
                near(draw(st.floats(-10, 10)), draw(st.floats(-10, 10))),
                duration_min=float(draw(st.sampled_from([20, 45, 90]))),
                time_windows=() if slot is None else (win(*slot),),
            )
        )
    return compile_problem(problem(techs, tickets)).instance


@settings(max_examples=150, deadline=None)
@given(days(), st.data())
def test_splice_matches_timing_from_scratch(inst: RoutingInstance, data) -> None:
    """For a feasible route and any change (insert one or two stops, move a stretch),
    `splice_feasible` says what `route_feasible` says of the new route."""
    nodes = [inst.ticket_node(k) for k in range(inst.n_tickets)]
    order = data.draw(st.permutations(nodes))
    size = data.draw(st.integers(1, len(order) - 1))
    route, spare = list(order[:size]), list(order[size:])
    rs = route_states(inst, 0, route)
    if rs is None:
        assert not route_feasible(inst, 0, route)
        return
    path = list(rs.path)
    cut = data.draw(st.integers(0, len(route)))
    resume = data.draw(st.integers(cut + 1, len(route) + 1))
    added = data.draw(st.lists(st.sampled_from(spare), min_size=1, max_size=2, unique=True))
    middle = [*added[:1], *path[cut + 1 : resume], *added[1:]]
    new_route = [*path[1 : cut + 1], *middle, *path[resume:-1]]
    assert splice_feasible(rs, cut, middle, resume) == route_feasible(inst, 0, new_route)


def test_route_states_of_an_empty_route_is_none() -> None:
    """An empty route owes no breaks: its states do not carry over to a route with stops."""
    inst = compile_problem(
        problem([tech("T0", breaks=(lunch(),))], [ticket("K0", near(1, 1))])
    ).instance
    assert route_states(inst, 0, []) is None
    assert route_states(inst, 0, [inst.ticket_node(0)]) is not None


@settings(max_examples=150, deadline=None)
@given(days(), st.data())
def test_breaks_in_any_order_fit_every_route_window_order_fits(inst: RoutingInstance, data):
    """Taking breaks in any order only adds timelines: a route that fits with its breaks
    in window order fits, and ends no later, with them in any order."""
    nodes = [inst.ticket_node(k) for k in range(inst.n_tickets)]
    route = list(data.draw(st.permutations(nodes)))[: data.draw(st.integers(1, len(nodes)))]
    any_order = schedule_route(inst, 0, route)
    try:
        timeline.ANY_ORDER_UP_TO = 1
        timeline._orders.cache_clear()
        in_order = schedule_route(inst, 0, route)
    finally:
        timeline.ANY_ORDER_UP_TO = ANY_ORDER_UP_TO
        timeline._orders.cache_clear()
    if in_order is not None:
        assert any_order is not None
        assert any_order.end_arrival_s <= in_order.end_arrival_s
