"""One test per class of bad input: each names the exact field path and the rule broken."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dispatch_opt.errors import InputError
from dispatch_opt.io import load_problem, parse_problem
from dispatch_opt.io.schema import parse_moment
from tests.io.helpers import assert_issue, issues_of, matrix_problem

HORIZON = "2026-11-23T07:00:00+08:00..2026-11-23T21:00:00+08:00"


def test_unknown_field_at_top_level(example: dict[str, Any]) -> None:
    example["nmae"] = "typo"
    assert_issue(example, "nmae", "unknown field (did you mean 'name'?)")


def test_unknown_field_nested(example: dict[str, Any]) -> None:
    example["tickets"][3]["time_windows"] = [
        {"start": "2026-11-23T09:00:00+08:00", "end": "2026-11-23T10:00:00+08:00", "ends": "x"}
    ]
    assert_issue(example, "tickets[3].time_windows[0].ends", "unknown field")


def test_end_before_start_in_a_time_window(example: dict[str, Any]) -> None:
    example["tickets"][2]["time_windows"][1]["end"] = "2026-11-23T13:00:00+08:00"
    assert_issue(example, "tickets[2].time_windows[1].end", "end before start")


def test_horizon_end_must_follow_start(example: dict[str, Any]) -> None:
    example["horizon"]["end"] = example["horizon"]["start"]
    assert_issue(example, "horizon.end", "must be after start")


def test_naive_datetime(example: dict[str, Any]) -> None:
    example["technicians"][1]["shift"]["start"] = "2026-11-23T08:30:00"
    assert_issue(example, "technicians[1].shift.start", "must have a UTC offset")


def test_time_that_is_not_rfc3339(example: dict[str, Any]) -> None:
    example["tickets"][0]["sla_due"] = 1700000000
    assert_issue(example, "tickets[0].sla_due", "RFC 3339")


NOT_REAL = "is not a real date and time"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("2026-11-23T08:30+08:00", "RFC 3339"),  # no seconds: RFC 3339 section 5.6 requires them
        ("20261123T083000+0800", "RFC 3339"),  # ISO 8601 basic format
        ("2026-W48-1T08:30:00+08:00", "RFC 3339"),  # ISO week date
        ("2026-11-23T08:30:00+0800", "RFC 3339"),  # offset without its colon
        ("2026-11-23T25:00:00+08:00", NOT_REAL),  # hour 25
        ("2026-11-23T23:59:60+08:00", NOT_REAL),  # a leap second: RFC 3339 has them
        ("2026-02-30T08:30:00+08:00", NOT_REAL),  # a day February lacks
    ],
)
def test_times_that_are_not_rfc3339_or_not_real_name_the_rule(
    example: dict[str, Any], text: str, rule: str
) -> None:
    example["technicians"][1]["shift"]["start"] = text
    assert_issue(example, "technicians[1].shift.start", rule)


def test_rfc3339_times_with_a_space_a_fraction_or_z_are_accepted() -> None:
    assert parse_moment("2026-11-23 08:30:00.25Z") == datetime(
        2026, 11, 23, 8, 30, 0, 250000, tzinfo=UTC
    )
    assert parse_moment("2026-11-23t08:30:00+08:00").utcoffset() == timedelta(hours=8)
    for bad in ("2026-11-23T08:30+08:00", "2026-02-30T08:30:00Z", "2026-11-23T08:30:00"):
        with pytest.raises(ValueError):
            parse_moment(bad)


def test_window_outside_horizon(example: dict[str, Any]) -> None:
    example["tickets"][4]["time_windows"][0]["end"] = "2026-11-23T22:00:00+08:00"
    assert_issue(example, "tickets[4].time_windows[0].end", f"outside the horizon {HORIZON}")


def test_shift_outside_horizon(example: dict[str, Any]) -> None:
    example["technicians"][0]["shift"]["start"] = "2026-11-23T06:00:00+08:00"
    assert_issue(example, "technicians[0].shift.start", "outside the horizon")


def test_break_window_outside_horizon(example: dict[str, Any]) -> None:
    example["technicians"][0]["breaks"][0]["window"]["end"] = "2026-11-24T13:30:00+08:00"
    assert_issue(example, "technicians[0].breaks[0].window.end", "outside the horizon")


def test_break_longer_than_shift(example: dict[str, Any]) -> None:
    example["technicians"][1]["breaks"][0]["duration_min"] = 600
    assert_issue(example, "technicians[1].breaks[0].duration_min", "longer than the shift")


def test_break_duration_must_be_positive(example: dict[str, Any]) -> None:
    example["technicians"][1]["breaks"][0]["duration_min"] = 0
    assert_issue(example, "technicians[1].breaks[0].duration_min", "must be > 0")


def test_depot_open_outside_horizon(example: dict[str, Any]) -> None:
    example["depots"][0]["open"] = {
        "start": "2026-11-23T08:00:00+08:00",
        "end": "2026-11-23T22:00:00+08:00",
    }
    assert_issue(example, "depots[0].open.end", "outside the horizon")


def test_duplicate_ticket_id(example: dict[str, Any]) -> None:
    example["tickets"][5]["id"] = "SR-1001"
    assert_issue(example, "tickets[5].id", "duplicate id 'SR-1001'")


def test_duplicate_technician_id(example: dict[str, Any]) -> None:
    example["technicians"][2]["id"] = "T01"
    assert_issue(example, "technicians[2].id", "duplicate id 'T01'")


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("pinned_technician", "T9", "tickets[0].pinned_technician"),
        ("preferred_technicians", ["T01", "T9"], "tickets[0].preferred_technicians[1]"),
        ("excluded_technicians", ["T9"], "tickets[0].excluded_technicians[0]"),
    ],
)
def test_undefined_technician(example: dict[str, Any], field: str, value: Any, path: str) -> None:
    example["tickets"][0][field] = value
    assert_issue(example, path, "technician 'T9' is not defined")


def test_pinned_also_excluded_is_not_an_input_error(example: dict[str, Any]) -> None:
    """The contract has no such rule; the plan leaves the ticket out (`pinned_conflict`)."""
    example["tickets"][1].update(pinned_technician="T01", excluded_technicians=["T02", "T01"])
    problem = parse_problem(example)
    assert problem.tickets[1].pinned_technician == "T01"


@pytest.mark.parametrize(
    ("where", "level", "path", "rule"),
    [
        ("technicians", 0, "technicians[0].skills.ac", "must be >= 1"),
        ("tickets", 6, "tickets[0].skills.ac", "must be <= 5"),
        ("tickets", 2.5, "tickets[0].skills.ac", "must be an integer"),
    ],
)
def test_bad_skill_level(
    example: dict[str, Any], where: str, level: Any, path: str, rule: str
) -> None:
    example[where][0]["skills"]["ac"] = level
    assert_issue(example, path, rule)


def test_negative_quantity(example: dict[str, Any]) -> None:
    example["depots"][0]["stock"]["COMP-AC-12K"] = -1
    assert_issue(example, "depots[0].stock.COMP-AC-12K", "must be >= 0")


def test_bad_priority(example: dict[str, Any]) -> None:
    example["tickets"][2]["priority"] = "asap"
    rule = "must be one of 'low', 'normal', 'high' or 'urgent'"
    assert_issue(example, "tickets[2].priority", rule)


def test_bad_lat(example: dict[str, Any]) -> None:
    example["technicians"][0]["start"]["lat"] = 91.5
    assert_issue(example, "technicians[0].start.lat", "must be <= 90")


def test_invalid_json_reports_line_and_column() -> None:
    text = '{\n  "name": "x",\n  "horizon": {,\n}'
    assert_issue(text, "", "invalid JSON at line 3 column 15")


def test_top_level_must_be_an_object() -> None:
    assert_issue("[1, 2]", "", "must be a JSON object")


def test_duplicate_json_key_is_not_silently_dropped(example: dict[str, Any]) -> None:
    twice = '"duration_min": 60, "duration_min": 6,'
    text = json.dumps(example).replace('"duration_min": 60,', twice, 1)
    assert_issue(text, "tickets[0].duration_min", "duplicate key")


def test_missing_required_field(example: dict[str, Any]) -> None:
    del example["tickets"][3]["duration_min"]
    assert_issue(example, "tickets[3].duration_min", "is required")


def test_no_technicians(example: dict[str, Any]) -> None:
    example["technicians"] = []
    assert_issue(example, "technicians", "at least 1")


def test_bad_solve_options(example: dict[str, Any]) -> None:
    example["solve"] = {"time_limit_s": 0, "workers": 0, "seed": -1}
    issues = {str(i) for i in issues_of(example)}
    assert issues == {
        "solve.time_limit_s: must be > 0",
        "solve.workers: must be >= 1",
        "solve.seed: must be >= 0",
    }


def test_bad_unassigned_penalty(example: dict[str, Any]) -> None:
    example["objective"] = {"unassigned_penalty": {"urgent": -5}}
    assert_issue(example, "objective.unassigned_penalty.urgent", "must be >= 0")


def test_matrix_fields_under_the_haversine_model(example: dict[str, Any]) -> None:
    doc = matrix_problem(example)
    doc["travel"]["model"] = "haversine"
    issues = assert_issue(doc, "travel.locations", "belongs to the matrix model, not haversine")
    assert {i.path for i in issues} >= {"travel.durations_s", "travel.distances_m"}


def test_a_road_field_under_the_matrix_model(example: dict[str, Any]) -> None:
    doc = matrix_problem(example)
    doc["travel"]["solver_band"] = "day"
    assert_issue(doc, "travel.solver_band", "belongs to the road_graph model, not matrix")


def test_matrix_wrong_shape(example: dict[str, Any]) -> None:
    doc = matrix_problem(example)
    doc["travel"]["durations_s"][2].pop()
    doc["travel"]["distances_m"].pop()
    issues = assert_issue(doc, "travel.durations_s[2]", "must have 13 numbers")
    assert any(i.path == "travel.distances_m" and "13 rows" in i.rule for i in issues)


def test_matrix_unknown_key(example: dict[str, Any]) -> None:
    doc = matrix_problem(example)
    doc["travel"]["locations"][0] = "SR-9999"
    issues = assert_issue(doc, "travel.locations[0]", "unknown key 'SR-9999'")
    assert any(i.path == "travel.locations" and "missing key 'SR-1001'" in i.rule for i in issues)


def test_matrix_missing_key(example: dict[str, Any]) -> None:
    doc = matrix_problem(example)
    doc["travel"]["locations"][-1] = "T01/end"
    assert_issue(doc, "travel.locations", "missing key 'T03/end'")


def test_matrix_duplicate_key(example: dict[str, Any]) -> None:
    doc = matrix_problem(example)
    doc["travel"]["locations"][1] = "SR-1001"
    assert_issue(doc, "travel.locations[1]", "duplicate key 'SR-1001'")


@pytest.mark.parametrize(
    ("entry", "rule"), [(-3, "must be >= 0"), (True, "must be a number"), ("5", "must be a number")]
)
def test_matrix_bad_entry(example: dict[str, Any], entry: Any, rule: str) -> None:
    doc = matrix_problem(example)
    doc["travel"]["distances_m"][1][2] = entry
    assert_issue(doc, "travel.distances_m[1][2]", rule)


def test_matrix_fields_are_required(example: dict[str, Any]) -> None:
    example["travel"] = {"model": "matrix"}
    issues = {i.path for i in issues_of(example) if "matrix model" in i.rule}
    assert issues == {"travel.locations", "travel.durations_s", "travel.distances_m"}


def test_road_graph_without_graph(example: dict[str, Any]) -> None:
    example["travel"] = {"model": "road_graph"}
    assert_issue(example, "travel.graph", "required for the road_graph model")


def test_several_issues_are_reported_together(example: dict[str, Any]) -> None:
    example["nmae"] = "typo"
    example["tickets"][5]["id"] = "SR-1001"
    example["technicians"][0]["start"]["lat"] = 91.5
    example["tickets"][2]["time_windows"][1]["end"] = "2026-11-23T13:00:00+08:00"
    example["tickets"][0]["pinned_technician"] = "T9"
    found = {i.path for i in issues_of(example)}
    assert {
        "nmae",
        "tickets[5].id",
        "technicians[0].start.lat",
        "tickets[2].time_windows[1].end",
        "tickets[0].pinned_technician",
    } <= found


def test_error_message_lists_every_issue(example: dict[str, Any]) -> None:
    example["tickets"][0]["priority"] = "asap"
    example["technicians"][0]["start"]["lon"] = 200
    with pytest.raises(InputError) as caught:
        parse_problem(example)
    assert "tickets[0].priority" in str(caught.value)
    assert "technicians[0].start.lon: must be <= 180" in str(caught.value)


def test_unreadable_file_is_an_input_error(tmp_path: Any) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_problem(tmp_path / "absent.json")


def test_null_or_default_fields_of_another_travel_model_are_accepted(
    example: dict[str, Any],
) -> None:
    """A client writing out every field (nulls, defaults) says nothing a model ignores."""
    example["travel"].update(locations=None, graph=None, solver_band="conservative")
    assert parse_problem(example).travel.model.value == "haversine"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("tickets", 0, "duration_min"), 1e300),
        (("technicians", 0, "max_jobs"), 10**30),
        (("technicians", 0, "stock", "COMP-AC-12K"), 10**20),
        (("objective", "sla_late_per_min"), 1e300),
    ],
)
def test_numbers_beyond_a_billion_are_input_errors_not_overflows(
    example: dict[str, Any], path: tuple, value: float
) -> None:
    # found by a clean-room audit: 1e300 minutes overflowed the engine's integer
    # seconds (exit 3, HTTP 500) instead of naming the field
    doc = example
    for key in path[:-1]:
        doc = doc.setdefault(key, {}) if isinstance(key, str) else doc[key]
    doc[path[-1]] = value
    where = ".".join(f"{p}" if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
    assert_issue(example, where, "must be <= 1000000000")


def test_a_shortened_field_name_suggests_the_one_field_with_that_word(
    example: dict[str, Any],
) -> None:
    example["technicians"][0]["overtime"] = 30  # one field has the word: overtime_max_min
    assert_issue(example, "technicians[0].overtime", "did you mean 'overtime_max_min'")


def test_any_32_bit_seed_is_accepted_and_a_larger_one_is_an_input_error(
    example: dict[str, Any],
) -> None:
    example.setdefault("solve", {})["seed"] = 2**32 - 1  # e.g. a hash truncated to 32 bits
    assert parse_problem(example).solve.seed == 2**32 - 1
    example["solve"]["seed"] = 2**32
    assert_issue(example, "solve.seed", "must be <= 4294967295")
