"""Ruin and recreate on a matrix that breaks the triangle inequality."""

from __future__ import annotations

import numpy as np

from dispatch_opt.io import parse_problem
from dispatch_opt.routing.compile import compile_problem
from dispatch_opt.routing.timeline import route_ok
from dispatch_opt.solver.lns import ruin, ruin_and_recreate

DAY = "2026-11-23T{}:00+08:00"


def _detour_day() -> dict:
    """One technician, tickets A, X, B in a row: the way A -> X -> B drives 200 s, the
    direct leg A -> B 1,000 s; a driving limit of 8 min that the route through X keeps."""
    keys = ["T1", "A", "X", "B"]
    durations = [
        [0, 100, 300, 400],
        [100, 0, 100, 1000],
        [300, 100, 0, 100],
        [100, 1000, 100, 0],
    ]
    place = {"lat": 22.54, "lon": 114.05}
    return {
        "name": "detour",
        "horizon": {"start": DAY.format("07:00"), "end": DAY.format("21:00")},
        "travel": {
            "model": "matrix",
            "locations": keys,
            "durations_s": durations,
            "distances_m": [[10 * d for d in row] for row in durations],
            "stop_overhead_min": 0,
        },
        "technicians": [
            {
                "id": "T1",
                "start": place,
                "shift": {"start": DAY.format("08:00"), "end": DAY.format("18:00")},
                "skills": {"ac": 3},
                "max_travel_min": 8,
            }
        ],
        "tickets": [
            {"id": k, "location": place, "duration_min": 30, "skills": {"ac": 1}}
            for k in ("A", "X", "B")
        ],
    }


def test_a_ruin_never_leaves_a_route_that_breaks_its_driving_limit():
    # found by the audit (p1044, a 200-ticket matrix day): taking out X lengthened the
    # drive past it, the recreate started from a route over its limit, and the plan
    # broke T02's 30 min limit by 0.91 min
    inst = compile_problem(parse_problem(_detour_day())).instance
    assert not inst.metric
    a, x, b = (inst.ticket_node(k) for k in range(3))
    assert route_ok(inst, 0, [a, x, b]) and not route_ok(inst, 0, [a, b])
    for seed in range(12):
        ruined = ruin(inst, [[a, x, b]], np.random.default_rng(seed), 1)
        assert route_ok(inst, 0, ruined[0]), (seed, ruined)
        assert ruined[0] in ([a, x, b], [x, b], [a, x])


def test_a_cheaper_round_that_breaks_the_driving_limit_is_not_kept():
    # the guard behind the ruin: `keep_if_cheaper` checks timing and depots only, so a
    # round's routes serving A and B directly (cheaper than A alone, but 20 min of
    # driving against a limit of 8) must be turned away by the side-rule check
    inst = compile_problem(parse_problem(_detour_day())).instance
    a, _, b = (inst.ticket_node(k) for k in range(3))
    assert not route_ok(inst, 0, [a, b])
    routes, _ = ruin_and_recreate(inst, [[a]], lambda r: [[a, b]], rounds=3, seed=0)
    assert routes == [[a]]
