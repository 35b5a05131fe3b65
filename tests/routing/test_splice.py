"""Re-timing a changed route from stored states equals timing it from scratch."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_opt.routing import compile_problem
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.timeline import (
    route_feasible,
    route_states,
    splice_feasible,
)
from tests.factories import lunch, near, problem, tech, ticket, win

SLOTS = (None, ("09:00", "11:00"), ("11:00", "13:00"), ("13:00", "15:00"), ("08:30", "17:00"))


@st.composite
def days(draw) -> RoutingInstance:
    """One technician with zero to two breaks and up to 9 tickets with random windows
    and lengths: tight enough that many routes are infeasible."""
    breaks = draw(
        st.sampled_from(
            [(), (lunch(),), (lunch(30, "10:00", "10:45"), lunch(45, "12:00", "13:30"))]
        )
    )
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
