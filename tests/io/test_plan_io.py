"""Plan JSON: exact fields per stop kind, rounding, round trip, bad plans, atomic writes."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from dispatch_opt.domain.plan import (
    Kpis,
    Plan,
    PlanStatus,
    Reason,
    ReasonCode,
    Route,
    SolverStats,
    Stop,
    StopKind,
    Unassigned,
)
from dispatch_opt.errors import InputError
from dispatch_opt.io import load_plan, plan_from_dict, plan_to_dict, write_json_atomic

TZ = timezone(timedelta(hours=8))


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A time of the test day."""
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=TZ)


def small_plan() -> Plan:
    """One busy route with every stop kind, one unused technician, one unassigned ticket."""
    busy = Route(
        technician="T01",
        stops=(
            Stop(StopKind.START, at=at(8, 30)),
            Stop(
                StopKind.DEPOT,
                id="WH1",
                arrival=at(8, 41),
                start=at(8, 41),
                end=at(8, 51),
                pickup={"PUMP-WM-01": 1},
            ),
            Stop(
                StopKind.TICKET,
                id="SR-1",
                arrival=at(9, 2, 30),
                start=at(9, 5),
                end=at(10, 5),
                wait_min=2.5,
                late_min=0.0,
                parts={"PUMP-WM-01": 1},
            ),
            Stop(StopKind.BREAK, start=at(12), end=at(12, 45)),
            Stop(
                StopKind.TICKET,
                id="SR-2",
                arrival=at(13),
                start=at(13),
                end=at(13, 30),
                wait_min=0.0,
                late_min=12.3456,
                parts={},
            ),
            Stop(StopKind.END, at=at(14, 1)),
        ),
        travel_km=23.45678,
        travel_min=51.23456,
        work_min=100.0,
        overtime_min=0.0,
    )
    idle = Route(
        technician="T02", stops=(Stop(StopKind.START, at=at(9)), Stop(StopKind.END, at=at(9)))
    )
    return Plan(
        status=PlanStatus.PARTIAL,
        routes=(busy, idle),
        unassigned=(
            Unassigned("SR-9", (Reason(ReasonCode.NO_SKILLED_TECHNICIAN, "needs ac>=4"),)),
        ),
        kpis=Kpis(
            tickets=3,
            assigned=2,
            assigned_by_priority={"normal": 1, "high": 1},
            sla_met_rate=0.5,
            travel_km=23.45678,
            travel_min=51.23456,
            overtime_min=0.0,
            utilization=0.123456,
            weighted_served=6,
            weighted_total=8,
            late_min=12.3456,
        ),
        solver=SolverStats(
            engine="dispatch-opt",
            time_s=1.23456,
            objective=4321,
            seed=3,
            first_solution_s=0.1,
            compile_s=None,
            status="SUCCESS",
        ),
    )


def test_stop_fields_depend_on_kind() -> None:
    stops = plan_to_dict(small_plan())["routes"][0]["stops"]
    assert [set(s) for s in stops] == [
        {"kind", "at"},
        {"kind", "id", "arrival", "start", "end", "pickup"},
        {"kind", "id", "arrival", "start", "end", "wait_min", "late_min", "parts"},
        {"kind", "start", "end"},
        {"kind", "id", "arrival", "start", "end", "wait_min", "late_min", "parts"},
        {"kind", "at"},
    ]
    assert stops[2]["arrival"] == "2026-11-23T09:02:30+08:00"
    assert stops[0] == {"kind": "start", "at": "2026-11-23T08:30:00+08:00"}


def test_top_level_kpis_and_solver_keys() -> None:
    out = plan_to_dict(small_plan())
    assert list(out) == ["status", "routes", "unassigned", "kpis", "solver"]
    assert set(out["kpis"]) == {
        "tickets",
        "assigned",
        "assigned_by_priority",
        "sla_met_rate",
        "travel_km",
        "travel_min",
        "overtime_min",
        "utilization",
        "weighted_served",
        "weighted_total",
        "late_min",
    }
    assert out["solver"] == {
        "engine": "dispatch-opt",
        "time_s": 1.235,
        "objective": 4321,
        "seed": 3,
        "first_solution_s": 0.1,
        "status": "SUCCESS",
    }
    assert out["unassigned"] == [
        {"ticket": "SR-9", "reasons": [{"code": "no_skilled_technician", "detail": "needs ac>=4"}]}
    ]


def test_figures_are_rounded() -> None:
    out = plan_to_dict(small_plan())
    route = out["routes"][0]
    assert (route["travel_km"], route["travel_min"]) == (23.457, 51.23)
    assert route["stops"][4]["late_min"] == 12.35
    assert (out["kpis"]["travel_km"], out["kpis"]["late_min"]) == (23.457, 12.35)


def test_round_trip_is_identical() -> None:
    first = plan_to_dict(small_plan())
    again = plan_to_dict(plan_from_dict(first))
    assert again == first
    assert plan_to_dict(plan_from_dict(json.dumps(first))) == first


def test_plan_reads_back_domain_values() -> None:
    plan = plan_from_dict(plan_to_dict(small_plan()))
    assert plan.status is PlanStatus.PARTIAL
    assert plan.routes[0].ticket_ids == ["SR-1", "SR-2"]
    assert plan.routes[0].stops[1].pickup == {"PUMP-WM-01": 1}
    assert plan.unassigned[0].reasons[0].code is ReasonCode.NO_SKILLED_TECHNICIAN
    assert plan.solver.compile_s is None and plan.solver.status == "SUCCESS"


def test_naive_time_in_plan_is_refused_on_write() -> None:
    bad = Plan(PlanStatus.SOLVED, (Route("T1", (Stop(StopKind.START, at=datetime(2026, 1, 1)),)),))
    with pytest.raises(ValueError, match="aware"):
        plan_to_dict(bad)


def bad_plan(mutate: Any) -> list[str]:
    """Issues (as text) of the small plan's JSON after `mutate`."""
    doc = plan_to_dict(small_plan())
    mutate(doc)
    with pytest.raises(InputError) as caught:
        plan_from_dict(doc)
    return [str(i) for i in caught.value.issues]


def test_bad_plan_json_names_paths() -> None:
    def mutate(doc: dict[str, Any]) -> None:
        doc["routes"][0]["stops"][2]["arrival"] = "09:00"
        doc["routes"][0]["stops"][0]["id"] = "X"
        doc["routes"][1]["stops"][1]["kind"] = "lunch"
        doc["status"] = "done"

    issues = bad_plan(mutate)
    assert any(i.startswith("routes[0].stops[2].arrival: must be an RFC 3339") for i in issues)
    assert "routes[0].stops[0].id: unknown field" in issues
    assert any(i.startswith("routes[1].stops[1]: unknown kind 'lunch'") for i in issues)
    assert any(i.startswith("status: must be one of") for i in issues)


def test_plan_route_must_run_from_start_to_end() -> None:
    issues = bad_plan(lambda doc: doc["routes"][0]["stops"].pop())
    assert issues == ["routes[0].stops: must begin with one start stop and end with one end stop"]


def test_bad_plan_text_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json")
    with pytest.raises(InputError, match="invalid JSON at line 1 column 2"):
        load_plan(path)


def test_write_json_atomic_writes_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    write_json_atomic(target, plan_to_dict(small_plan()))
    write_json_atomic(target, plan_to_dict(small_plan()))
    assert os.listdir(tmp_path) == ["plan.json"]
    assert plan_to_dict(load_plan(target)) == plan_to_dict(small_plan())


def test_write_json_atomic_keeps_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_json_atomic(target, {"a": 1})
    with pytest.raises(ValueError):
        write_json_atomic(target, {"a": float("nan")})
    with pytest.raises(TypeError):
        write_json_atomic(target, {"a": object()})
    assert os.listdir(tmp_path) == ["out.json"]
    assert json.loads(target.read_text()) == {"a": 1}
