"""Route values: the objective costed route by route equals the objective recomputed."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch_opt.routing import compile_problem
from dispatch_opt.routing.cost import RouteValues, routes_cost
from dispatch_opt.solver.construct import construct
from dispatch_opt.solver.lns import ruin
from tests.test_properties import COMMON, problems


@COMMON
@given(problems(), st.integers(0, 5))
def test_route_values_cost_a_changed_plan_as_the_full_recomputation_does(p, seed):
    """Kept routes and a ruined-and-rebuilt candidate: `RouteValues` gives the same
    objective as `routes_cost`, re-timing only the routes that differ."""
    inst = compile_problem(p).instance
    before = construct(inst)
    book = RouteValues(inst, before)
    assert book.cost == routes_cost(inst, before)
    ruined = ruin(inst, before, np.random.default_rng(seed), 3)
    for candidate in (ruined, construct(inst, routes=ruined)):
        costed = book.cost_of(candidate)
        assert costed is not None
        assert costed[0] == routes_cost(inst, candidate)
    worse = RouteValues(inst, ruined)
    cheaper = routes_cost(inst, before) < routes_cost(inst, ruined)
    assert worse.keep_if_cheaper(before) == cheaper
    assert worse.routes == (before if cheaper else ruined)
    assert worse.cost == routes_cost(inst, worse.routes)


def test_route_values_refuse_routes_that_cannot_be_timed():
    """A route that breaks its timing is refused when costed and never kept; a cheaper
    one is kept, a dearer one not."""
    from tests.factories import near, problem, tech, ticket, win

    p = problem(
        [tech("A", shift=win("09:00", "10:00"))],
        [ticket("T1", near(1, 0), duration_min=45), ticket("T2", near(-1, 0), duration_min=45)],
    )
    inst = compile_problem(p).instance
    both = [[inst.ticket_node(0), inst.ticket_node(1)]]
    assert routes_cost(inst, both) is None
    with pytest.raises(ValueError, match="not feasible"):
        RouteValues(inst, both)
    book = RouteValues(inst, [[]])
    assert book.cost_of(both) is None and not book.keep_if_cheaper(both)
    one = [[inst.ticket_node(0)]]
    assert book.keep_if_cheaper(one)  # serving a ticket saves its penalty
    assert book.routes == one and book.cost == routes_cost(inst, one)
    assert not book.keep_if_cheaper([[]]) and book.routes == one
