"""The example problem parses, and defaults and conversions follow the contract."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dispatch_opt.domain.problem import (
    DEFAULT_UNASSIGNED_PENALTY,
    Priority,
    Problem,
    TravelModel,
)
from dispatch_opt.errors import InputError
from dispatch_opt.io import load_problem, parse_problem
from dispatch_opt.io.schema import PlanDoc, ProblemDoc
from tests.io.helpers import matrix_problem


def test_example_parses_from_committed_copy(example_path: Path) -> None:
    problem = load_problem(example_path)
    assert isinstance(problem, Problem)
    assert problem.name == "shanghai-pudong-example"
    assert [t.id for t in problem.technicians] == ["T01", "T02", "T03"]
    assert len(problem.tickets) == 8
    assert problem.ticket("SR-1005").required is True
    assert problem.ticket("SR-1005").priority is Priority.URGENT
    assert problem.ticket("SR-1003").vip is True
    assert problem.solve.time_limit_s == 5
    assert problem.travel.model is TravelModel.HAVERSINE


def test_example_parses_from_shared_contract(shared_example_path: Path) -> None:
    problem = load_problem(shared_example_path)
    assert problem.name == "shanghai-pudong-example"
    assert len(problem.technicians) == 3


def test_committed_copy_matches_shared_contract(
    example_path: Path, shared_example_path: Path
) -> None:
    assert json.loads(example_path.read_text()) == json.loads(shared_example_path.read_text())


def test_text_bytes_and_dict_give_the_same_problem(example: dict[str, Any]) -> None:
    text = json.dumps(example)
    a, b, c = parse_problem(example), parse_problem(text), parse_problem(text.encode())
    assert a.technicians == b.technicians == c.technicians
    assert a.tickets == b.tickets == c.tickets


def test_times_are_aware_with_their_offset(example: dict[str, Any]) -> None:
    problem = parse_problem(example)
    start = problem.horizon.start
    assert start.utcoffset() == timedelta(hours=8)
    assert start.isoformat() == "2026-11-23T07:00:00+08:00"
    assert problem.ticket("SR-1001").sla_due is not None


def test_defaults_follow_the_contract(example: dict[str, Any]) -> None:
    del example["tickets"][1]["type"]
    problem = parse_problem(example)
    assert problem.ticket("SR-1002").type == "repair"
    t03 = problem.technician("T03")
    assert t03.end == t03.start
    assert t03.overtime_max_min == 0
    assert t03.speed_factor == 1.0
    assert t03.max_jobs is None and t03.breaks == ()
    assert problem.depots[0].open == problem.horizon
    assert problem.ticket("SR-1004").time_windows == ()
    assert problem.solve.seed == 0 and problem.solve.deterministic is False
    assert dict(problem.objective.unassigned_penalty) == DEFAULT_UNASSIGNED_PENALTY


def test_lists_become_tuples_and_maps_dicts(example: dict[str, Any]) -> None:
    problem = parse_problem(example)
    ticket = problem.ticket("SR-1003")
    assert isinstance(problem.tickets, tuple)
    assert isinstance(ticket.time_windows, tuple)
    assert isinstance(ticket.preferred_technicians, tuple)
    assert ticket.parts == {"PCB-FR-220": 1}
    assert isinstance(problem.technician("T01").skills, dict)


def test_unknown_skus_and_skills_are_fine(example: dict[str, Any]) -> None:
    example["tickets"][0]["parts"] = {"NEVER-STOCKED": 2}
    example["tickets"][0]["skills"] = {"quantum": 5}
    problem = parse_problem(example)
    assert problem.tickets[0].parts == {"NEVER-STOCKED": 2}


def test_penalty_number_scales_with_weight(example: dict[str, Any]) -> None:
    example["objective"] = {"unassigned_penalty": 1000}
    penalties = parse_problem(example).objective.unassigned_penalty
    assert penalties == {
        Priority.LOW: 1000,
        Priority.NORMAL: 2000,
        Priority.HIGH: 4000,
        Priority.URGENT: 8000,
    }


def test_penalty_by_priority_keeps_missing_defaults(example: dict[str, Any]) -> None:
    example["objective"] = {"unassigned_penalty": {"urgent": 1e6}, "travel_per_km": 0.5}
    objective = parse_problem(example).objective
    assert objective.unassigned_penalty[Priority.URGENT] == 1e6
    assert objective.unassigned_penalty[Priority.LOW] == DEFAULT_UNASSIGNED_PENALTY[Priority.LOW]
    assert objective.travel_per_km == 0.5


def test_solve_options_and_optional_fields(example: dict[str, Any]) -> None:
    example["solve"] = {"time_limit_s": 2.5, "seed": 7, "workers": 3, "deterministic": True}
    tech = example["technicians"][0]
    tech.update(end={"lat": 31.0, "lon": 121.0}, max_jobs=0, max_travel_min=90, speed_factor=1.2)
    problem = parse_problem(example)
    assert problem.solve.time_limit_s == 2.5 and problem.solve.workers == 3
    assert problem.solve.deterministic is True and problem.solve.seed == 7
    t01 = problem.technician("T01")
    assert (t01.end.lat, t01.max_jobs, t01.max_travel_min, t01.speed_factor) == (31.0, 0, 90, 1.2)


def test_utc_z_offset_is_accepted(example: dict[str, Any]) -> None:
    example["horizon"] = {"start": "2026-11-22T23:00:00Z", "end": "2026-11-23T13:00:00Z"}
    problem = parse_problem(example)
    assert problem.horizon.start.utcoffset() == timedelta(0)


def test_point_time_window_is_a_valid_appointment(example: dict[str, Any]) -> None:
    at = "2026-11-23T10:00:00+08:00"
    example["tickets"][0]["time_windows"] = [{"start": at, "end": at}]
    assert parse_problem(example).tickets[0].time_windows[0].start.hour == 10


def test_sla_due_may_lie_after_the_horizon(example: dict[str, Any]) -> None:
    example["tickets"][0]["sla_due"] = "2026-11-25T12:00:00+08:00"
    assert parse_problem(example).tickets[0].sla_due is not None


def test_matrix_mode_parses_into_float_arrays(example: dict[str, Any]) -> None:
    problem = parse_problem(matrix_problem(example))
    travel = problem.travel
    n = len(travel.locations)
    assert travel.model is TravelModel.MATRIX
    assert isinstance(travel.durations_s, np.ndarray) and travel.durations_s.dtype == np.float64
    assert travel.durations_s.shape == (n, n) and travel.distances_m is not None
    assert travel.distances_m.shape == (n, n)
    assert "T03/end" in travel.locations
    assert travel.stop_overhead_min == 3


def test_road_graph_mode_loads_the_named_graph(example: dict[str, Any]) -> None:
    # road_graph now loads the network while parsing (tests/travel covers real graphs).
    example["travel"] = {"model": "road_graph", "graph": "pudong.graphml"}
    with pytest.raises(InputError) as caught:
        parse_problem(example)
    assert [i.path for i in caught.value.issues] == ["travel.graph"]
    assert "pudong.graphml" in str(caught.value)


@pytest.mark.parametrize("model", [ProblemDoc, PlanDoc])
def test_json_schema_documents_every_field(model: type[ProblemDoc] | type[PlanDoc]) -> None:
    schema = model.model_json_schema()
    for name, definition in schema["$defs"].items():
        for field, spec in definition.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
        assert definition.get("additionalProperties") is False or "enum" in definition, name
