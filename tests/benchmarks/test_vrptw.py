"""Tests of the VRPTW benchmark: instance builder, independent checker, dispatch-opt on C101."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from benchmarks.vrptw import best_known, find_instances, instance_class, load_bks
from benchmarks.vrptw_check import check_solution
from benchmarks.vrptw_instance import (
    SCALE,
    VrptwData,
    build_instance,
    customer_routes,
    read_vrptw,
    truncate,
)

REPO = Path(__file__).resolve().parents[2]
SOLOMON = REPO / ".." / "shared" / "benchmarks" / "vrptw" / "solomon"
C101 = SOLOMON / "C101.txt"

pytest.importorskip("vrplib")
needs_data = pytest.mark.skipif(not C101.exists(), reason="Solomon data folder absent")


@pytest.fixture(scope="module")
def c101() -> VrptwData:
    """The raw C101 data."""
    return read_vrptw(C101)


def _tiny() -> VrptwData:
    """Depot at the origin, three customers on the x axis, capacity 10."""
    return VrptwData(
        name="tiny",
        coords=np.array([[0, 0], [3, 0], [4, 0], [0, 5]], dtype=float),
        demand=np.array([0, 4, 4, 5]),
        capacity=10,
        ready=np.array([0.0, 0.0, 5.0, 0.0]),
        due=np.array([100.0, 10.0, 20.0, 50.0]),
        service=np.array([0.0, 2.0, 2.0, 1.0]),
        n_vehicles=2,
    )


@needs_data
def test_instance_builder_on_c101(c101: VrptwData) -> None:
    inst = build_instance(c101)
    v, n = c101.n_vehicles, c101.n_customers
    assert (v, n) == (25, 100)
    assert inst.n_vehicles == v and inst.n_tickets == n and inst.n_depots == 0
    assert inst.n_nodes == 2 * v + n
    assert inst.stock.shape == (v, 1) and (inst.stock == 200).all()
    assert inst.demand.shape == (n, 1) and inst.demand.sum() == 1810
    assert inst.depot_stock.shape == (0, 1) and inst.depot_open.shape == (0, 2)
    assert inst.required.all() and inst.allowed.all() and not inst.preferred.any()
    # customer 1: ready 912, due 967, service 90
    assert inst.windows[0].tolist() == [[912 * SCALE, 967 * SCALE]]
    assert inst.service_s[inst.ticket_node(0)] == 90 * SCALE
    assert inst.service_s[: 2 * v].sum() == 0
    assert inst.shift_start_s[0] == 0 and inst.latest_end_s[0] == 1236 * SCALE
    # depot (40, 50) to customer 1 (45, 68)
    expected = np.hypot(5, 18) * SCALE
    assert inst.duration_s[inst.start_node(3), inst.ticket_node(0)] == pytest.approx(expected)
    assert inst.distance_m[inst.ticket_node(0), inst.end_node(0)] == pytest.approx(expected)


def test_checker_accepts_feasible_solution() -> None:
    feasible, cost, used, messages = check_solution(_tiny(), [[1, 2], [3]])
    assert feasible, messages
    assert cost == pytest.approx(3 + 1 + 4 + 10)
    assert used == 2


def test_checker_rejects_over_capacity() -> None:
    result = check_solution(_tiny(), [[1, 2, 3]])
    assert not result.feasible
    assert any("capacity" in m for m in result.messages)


def test_checker_rejects_late_arrival() -> None:
    waits = check_solution(_tiny(), [[2, 1], [3]])  # waits at 2 until 5, reaches 1 at 8
    late = check_solution(_tiny(), [[3, 1], [2]])  # reaches 1 at 5 + 1 + 5.83 > due 10
    assert waits.feasible, waits.messages
    assert not late.feasible
    assert any("customer 1" in m and "due" in m for m in late.messages)


def test_checker_rejects_missing_and_repeated() -> None:
    assert not check_solution(_tiny(), [[1, 2]]).feasible
    assert not check_solution(_tiny(), [[1, 2], [3, 1]]).feasible
    assert not check_solution(_tiny(), None).feasible


def test_names_and_best_known() -> None:
    assert [instance_class(n) for n in ("C101", "RC208", "r1_2_1", "R201")] == [
        "C1",
        "RC2",
        "R1",
        "R2",
    ]
    bks = {"X1": {"best_known_cost": 10.0}, "X1_distance": {"best_known_cost": 9.0}}
    assert best_known(bks, "X1") == (9.0, "X1_distance", False)
    assert best_known({"X1": {"best_known_cost": 10.0}}, "X1") == (10.0, "X1", True)


@needs_data
def test_find_instances_and_bks() -> None:
    folder = SOLOMON.resolve()
    assert [p.stem for p in find_instances(folder, "C101,r201")] == ["C101", "R201"]
    assert len(find_instances(folder, "RC1*")) == 8
    both = find_instances(folder, "RC1*,c101,RC105")  # globs and names, each file once
    assert len(both) == 9 and both[-1].stem == "C101"
    assert best_known(load_bks(folder), "C101")[0] == pytest.approx(828.94)


@needs_data
def test_dispatch_opt_on_c101_first_25(c101: VrptwData) -> None:
    from dispatch_opt.solver.solve import SolveParams, solve_instance

    data = truncate(c101, 25)
    inst = build_instance(data)
    result = solve_instance(inst, SolveParams(deterministic=True))
    feasible, cost, used, messages = check_solution(data, customer_routes(inst, result.routes))
    assert feasible, messages
    assert used <= data.n_vehicles
    assert 0 < cost < 400


def test_missing_peer_is_reported_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import benchmarks.vrptw as bench

    monkeypatch.setitem(bench.PEER_MODULES, "pyvrp", ("no_such_package_xyz", "nowhere"))
    assert bench.make_runner("pyvrp", deterministic=False) == "not installed"


@needs_data
def test_main_writes_results(tmp_path: Path) -> None:
    import json

    from benchmarks.vrptw import main

    argv = ["--dir", str(SOLOMON), "--instances", "C101", "--budgets", "0.2,0.3"]
    argv += ["--solvers", "dispatch-opt", "--out", str(tmp_path)]
    assert main(argv) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert [r["feasible"] for r in results["rows"]] == [True, True]
    assert "| C101 | 828.94 |" in (tmp_path / "results.md").read_text()
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "gap_vs_budget.png").stat().st_size > 0
    else:
        assert not (tmp_path / "gap_vs_budget.png").exists()
