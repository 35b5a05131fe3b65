"""On days small enough to enumerate, the plan serves the most that can be served.

Every subset of a technician's eligible tickets, in every order, is timed with the
exact route rules (`route_ok`); the best combination over the technicians is the most
drop penalty that can be served at once (required tickets first, then weight). The
search must find it: a dispatcher who sees a ticket left out that plainly fits loses
trust in every other plan."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from dispatch_opt.domain import SolveOptions
from dispatch_opt.routing import compile_problem
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.timeline import route_ok
from tests.checks import served, solve_checked
from tests.factories import problem
from tests.test_properties import COMMON, technicians, tickets


@st.composite
def tiny_days(draw):
    """One to three technicians, up to five tickets, van stock only (no depots)."""
    techs = draw(technicians(1, 3))
    ks = draw(tickets([t.id for t in techs], n_max=5))
    return problem(techs, ks, [], solve=SolveOptions(time_limit_s=2.0, deterministic=True))


def _servable_sets(inst: RoutingInstance, v: int) -> list[frozenset[int]]:
    """Every set of tickets technician v can serve in one route, in some order."""
    mine = [k for k in range(inst.n_tickets) if inst.allowed[k, v]]
    found = [frozenset()]
    for size in range(1, len(mine) + 1):
        for chosen in itertools.combinations(mine, size):
            nodes = [inst.ticket_node(k) for k in chosen]
            if any(route_ok(inst, v, list(order)) for order in itertools.permutations(nodes)):
                found.append(frozenset(chosen))
    return found


def _best_penalty(inst: RoutingInstance) -> int:
    """The most drop penalty any plan serves: the best disjoint choice of servable sets."""
    options = [_servable_sets(inst, v) for v in range(inst.n_vehicles)]
    best = 0
    for pick in itertools.product(*options):
        union = frozenset().union(*pick)
        if sum(map(len, pick)) == len(union):
            best = max(best, int(inst.penalty[sorted(union)].sum()) if union else 0)
    return best


@COMMON
@given(tiny_days())
def test_a_tiny_day_serves_the_most_that_can_be_served(p):
    inst = compile_problem(p).instance
    plan = solve_checked(p)
    got = sum(int(inst.penalty[inst.ticket_ids.index(tid)]) for tid in served(plan))
    assert got == _best_penalty(inst)


def test_the_enumeration_sees_a_ticket_that_only_fits_in_another_order():
    """Guard on the oracle itself: two tickets whose windows force B before A are
    servable together (one order fails, the other holds)."""
    from tests.factories import near, tech, ticket, win

    p = problem(
        [tech("T", start=near(0, 0), shift=win("08:00", "18:00"), skills={"ac": 3})],
        [
            ticket("A", near(2, 0), time_windows=(win("15:00", "16:00"),), skills={"ac": 1}),
            ticket("B", near(-2, 0), time_windows=(win("09:00", "10:00"),), skills={"ac": 1}),
        ],
        [],
    )
    inst = compile_problem(p).instance
    a, b = inst.ticket_node(0), inst.ticket_node(1)
    assert not route_ok(inst, 0, [a, b]) and route_ok(inst, 0, [b, a])
    assert frozenset({0, 1}) in _servable_sets(inst, 0)
    assert _best_penalty(inst) == int(inst.penalty.sum())
    assert set(served(solve_checked(p))) == {"A", "B"}  # and the solve agrees
