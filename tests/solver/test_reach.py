"""The route-reach table names the routes passing nearest a ticket, kept up to date."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_opt.routing import compile_problem
from dispatch_opt.solver.construct import construct
from dispatch_opt.solver.reach import RouteReach
from tests.test_properties import problems


@settings(max_examples=60, deadline=None)
@given(problems(), st.data())
def test_the_nearest_routes_after_a_move_are_those_a_fresh_reading_gives(p, data):
    """`reset` (a route lost and gained stops) and `come_closer` (it only gained) keep
    the table as a fresh reading of the routes would make it: after a ticket moves, the
    route `nearest` names passes no farther from each ticket than any other."""
    inst = compile_problem(p).instance
    routes = construct(inst)
    reach = RouteReach(inst, routes)
    tickets = [(n, v) for v, r in enumerate(routes) for n in r if inst.is_ticket(n)]
    if tickets:
        node, v = data.draw(st.sampled_from(tickets))
        w = data.draw(st.integers(0, inst.n_vehicles - 1))
        routes[v] = [n for n in routes[v] if n != node]
        reach.reset(v, routes[v])
        routes[w] = [*routes[w], node]
        reach.come_closer(w, [node])
    assert np.array_equal(reach.rows, RouteReach(inst, routes).rows)
    for k in range(inst.n_tickets):
        node = inst.ticket_node(k)
        dist = {
            w: min(float(inst.durations(n, node)) for n in [inst.start_node(w), *r])
            for w, r in enumerate(routes)
        }
        candidates = np.flatnonzero(inst.allowed[k])
        chosen = [int(w) for w in reach.nearest(k, candidates, 1)]
        assert len(chosen) == min(1, len(candidates))
        others = [dist[int(w)] for w in candidates if w not in chosen]
        assert max((dist[w] for w in chosen), default=0.0) <= min(others, default=1e18)
        assert list(reach.nearest(k, candidates, len(candidates))) == list(candidates)
