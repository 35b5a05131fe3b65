"""The fast paths of the numeric instance and the route timing agree with the slow ones:
drive blocks with whole matrices, the feasibility-only check with the full schedule,
int16/int32 storage with exact values, and the timing tables with replaced windows."""

from __future__ import annotations

import dataclasses
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_opt.io.problem_io import load_problem
from dispatch_opt.routing import compile_problem, schedule_route
from dispatch_opt.routing.instance import INT16_BELOW, INT32_BELOW, RoutingInstance, _ceil_int
from dispatch_opt.routing.timeline import route_feasible
from tests.factories import near, problem, tech, ticket


@cache
def small() -> RoutingInstance:
    """The bundled small scenario (40 tickets, breaks, depots with pickup nodes)."""
    return compile_problem(load_problem("scenarios/small.json")).instance


def test_drive_block_equals_the_whole_matrix_before_and_after_it_is_built():
    inst = compile_problem(load_problem("scenarios/small.json")).instance
    rows = np.arange(inst.n_vehicles)
    cols = inst.first_ticket_node + np.arange(inst.n_tickets)
    for factor in [*sorted({float(f) for f in inst.speed_factor}), 1.37]:
        before = inst.drive_block(factor, *np.ix_(rows, cols))  # nothing cached yet
        whole = inst.drive_s(factor)
        assert np.array_equal(before, whole[np.ix_(rows, cols)])
        assert np.array_equal(inst.drive_block(factor, *np.ix_(rows, cols)), before)
        assert int(inst.drive_block(factor, 0, cols[3])) == int(whole[0, cols[3]])


def test_drive_matrices_built_side_by_side_equal_one_at_a_time():
    inst = compile_problem(load_problem("scenarios/small.json")).instance
    factors = [1.0, 1.2, 1.37, 1.2]  # a repeat, and one of no technician
    together = inst.drive_matrices(factors)
    assert [m is inst.drive_s(f) for m, f in zip(together, factors, strict=True)] == [True] * 4
    for m, f in zip(together, factors, strict=True):
        nodes = np.arange(inst.n_nodes)
        exact = _ceil_int(inst.durations(*np.ix_(nodes, nodes)), round(f, 9))
        assert np.array_equal(m, exact)
        assert not m.flags.writeable


def test_ceil_int_is_exact_and_widens_when_int32_would_not_hold():
    values = np.array([[0.0, 1.0, 59.999999], [120.5, 3600.0, 7.0]])
    out = _ceil_int(values, 1.1)
    assert out.dtype == np.int32
    assert out.tolist() == [[0, 2, 66], [133, 3960, 8]]
    big = np.array([[0.0, float(INT32_BELOW)]])
    wide = _ceil_int(big, 1.0)
    assert wide.dtype == np.int64 and int(wide[0, 1]) == INT32_BELOW
    assert not out.flags.writeable
    narrow = _ceil_int(values, 1.1, narrow=True)  # the node-level driving matrices
    assert narrow.dtype == np.int16 and narrow.tolist() == out.tolist()
    edge = np.array([[0.0, INT16_BELOW - 2.0]])
    assert _ceil_int(edge, 1.0, narrow=True).dtype == np.int16
    assert _ceil_int(edge, 1.01, narrow=True).dtype == np.int32  # past 2^13: widened


def test_small_matrices_keep_their_values_in_int16_and_sums_stay_exact():
    inst = compile_problem(load_problem("scenarios/small.json")).instance
    over = inst.arrival_overhead_s
    assert over.dtype == np.int16
    drive = inst.drive_s(1.0)
    assert drive.dtype == np.int16
    assert np.array_equal(drive, _ceil_int(inst.duration_s, 1.0, inst.place))  # int32
    assert np.iinfo(np.int16).max >= 4 * (INT16_BELOW - 1)  # four entries' sum fits
    t0 = inst.first_ticket_node
    assert int(over[0, t0]) in (0, inst.overhead_s)
    if inst.n_pickups:
        p = inst.first_pickup_node
        assert int(over[0, p]) == int(inst.pickup_s[0])


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_feasibility_check_agrees_with_the_full_schedule(data):
    inst = small()
    v = data.draw(st.integers(0, inst.n_vehicles - 1))
    visits = list(range(inst.first_ticket_node, inst.n_nodes))
    nodes = data.draw(st.lists(st.sampled_from(visits), max_size=7, unique=True))
    assert route_feasible(inst, v, nodes) == (schedule_route(inst, v, nodes) is not None)


def test_timing_follows_replaced_windows():
    techs = [tech("T1")]
    tickets = [ticket("A", near(2, 0), duration_min=30)]
    inst = compile_problem(problem(techs, tickets)).instance
    node = inst.ticket_node(0)
    assert route_feasible(inst, 0, [node])
    assert isinstance(inst.windows, tuple) and not inst.windows[0].flags.writeable
    inst.set_windows({0: np.array([[0, 0]])})  # at the horizon start: unreachable
    assert isinstance(inst.windows, tuple) and not inst.windows[0].flags.writeable
    assert not route_feasible(inst, 0, [node])
    assert schedule_route(inst, 0, [node]) is None
    # a copy made by dataclasses.replace starts from its own windows
    again = dataclasses.replace(
        inst, windows=compile_problem(problem(techs, tickets)).instance.windows
    )
    assert route_feasible(again, 0, [node])


def test_pickup_nodes_copy_their_depots_rows_and_columns():
    """`node_matrix` (block copies) gives what fancy indexing by place would, and a
    pickup node reads its depot's travel everywhere."""
    from dispatch_opt.routing.instance import node_matrix

    rng = np.random.default_rng(3)
    base = rng.random((1500, 1500)).astype(np.float32)  # three bands of rows
    copies = np.array([2, 2, 5, 0, 1499, 700])
    place = np.concatenate([np.arange(1500), copies])
    assert np.array_equal(node_matrix(base, place), base[np.ix_(place, place)])
    inst = small()
    depot_of = 2 * inst.n_vehicles + inst.pickup_depot
    assert inst.n_pickups
    nodes = np.arange(inst.n_nodes)
    pickups = np.arange(inst.first_pickup_node, inst.n_nodes)
    for read in (inst.durations, inst.distances):
        assert np.array_equal(read(pickups[:, None], nodes), read(depot_of[:, None], nodes))
        assert np.array_equal(read(nodes[:, None], pickups), read(nodes[:, None], depot_of))
    drive = inst.drive_s(1.0)
    assert drive.shape == (inst.n_nodes, inst.n_nodes)
    assert np.array_equal(drive[pickups], drive[depot_of])
    assert np.array_equal(drive[:, pickups], drive[:, depot_of])
    assert np.array_equal(inst.drive_block(1.1, pickups, 0), inst.drive_s(1.1)[pickups, 0])


def test_overhead_matrix_filled_in_bands_equals_its_definition():
    """On a day of more than one band of rows (870 nodes, pickups included): the stop
    overhead into a ticket at another place, the loading time into a pickup unless coming
    from a pickup at the same depot, nothing else."""
    from benchmarks.fieldservice import make_case
    from dispatch_opt.io.problem_io import parse_problem

    inst = compile_problem(parse_problem(make_case(450).problem_dict())).instance
    n, first, pick = inst.n_nodes, inst.first_ticket_node, inst.first_pickup_node
    assert n > (1 << 19) // n and inst.n_pickups  # several bands
    want = np.zeros((n, n), dtype=np.int64)
    loc = inst.loc_id
    want[:, first:pick] = np.where(loc[:, None] != loc[None, first:pick], inst.overhead_s, 0)
    want[:, pick:] = inst.pickup_s[None, :]
    depot = inst.pickup_depot
    want[pick:, pick:] = np.where(depot[:, None] == depot[None, :], 0, inst.pickup_s[None, :])
    assert np.array_equal(inst.arrival_overhead_s, want)


def test_a_place_that_does_not_fit_the_nodes_is_refused():
    """`place` must give every node a row, the non-pickup nodes their own."""
    inst = small()
    assert inst.place is not None
    for bad in (
        inst.place[:-1],  # a node without a row
        np.concatenate([inst.place[:-1], [len(inst.duration_s)]]),  # past the matrices
        np.concatenate([inst.place[:-1], [-1]]),
        np.concatenate([[1, 0], inst.place[2:]]),  # starts swapped
    ):
        with pytest.raises(ValueError, match="place"):
            dataclasses.replace(inst, place=bad)


def _reachable_one_by_one(inst, option) -> np.ndarray:
    """The reference: one option and one van at a time, in plain integers."""
    n_v = inst.n_vehicles
    dnode, tnode = 2 * n_v + option.depot, inst.first_ticket_node + option.ticket
    lo, hi = (int(x) for x in inst.depot_open[option.depot])
    over = 0 if inst.loc_id[dnode] == inst.loc_id[tnode] else inst.overhead_s
    ok = np.zeros(n_v, dtype=bool)
    for v in range(n_v):
        f = float(inst.speed_factor[v])
        loaded = max(int(inst.shift_start_s[v]) + int(inst.drive_block(f, v, dnode)), lo)
        loaded += int(inst.service_s[dnode])
        arrival = loaded + int(inst.drive_block(f, dnode, tnode)) + over
        back = int(inst.drive_block(f, tnode, n_v + v))
        for wlo, whi in inst.windows[option.ticket]:
            begin = max(arrival, int(wlo))
            if begin <= whi and begin + int(inst.service_s[tnode]) + back <= inst.latest_end_s[v]:
                ok[v] = loaded <= hi
    return ok


def test_pickup_reachability_of_all_options_at_once_equals_one_at_a_time():
    """On a generated day (homes apart, ends elsewhere for some, one to three windows
    per ticket, four speed factors): the vectorised check gives each option's vans as
    the one-by-one reference does, and some options are reachable by some vans only."""
    from benchmarks.fieldservice import make_case
    from dispatch_opt.io.problem_io import parse_problem
    from dispatch_opt.routing import pickups

    problem = parse_problem(make_case(150).problem_dict())
    inst = compile_problem(problem).instance
    seen = []
    real = pickups._reachable
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pickups, "_reachable", lambda i, opts: seen.append((i, opts)) or real(i, opts))
        compile_problem(problem)
    base, options = seen[0]
    assert len(options) > 20 and len(inst.speed_factors) > 1
    assert len({len(w) for w in base.windows}) > 1
    # haversine travel is symmetric: make going and coming back differ, so that a leg
    # read the wrong way round shows
    rng = np.random.default_rng(5)
    skew = np.triu(rng.uniform(0.0, 2.0, base.duration_s.shape), 1) + 1.0
    one_way = dataclasses.replace(base, duration_s=(base.duration_s * skew).astype(np.float32))
    for day in (base, one_way):
        together = real(day, options)
        for opt, row in zip(options, together, strict=True):
            assert np.array_equal(row, _reachable_one_by_one(day, opt))
        assert any(0 < row.sum() < day.n_vehicles for row in together)
