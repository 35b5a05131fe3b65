"""The scenario file: parsing, the base by path or inline, errors with field paths, and the
two worked examples on the default day (parsed and applied, not solved: too slow here)."""

from __future__ import annotations

import copy
import json

import pytest

from dispatch_opt.errors import InputError
from dispatch_opt.whatif import load_scenario, parse_scenario
from dispatch_opt.whatif.changes import AddTechnicians, RemoveTechnicians
from dispatch_opt.whatif.spec import file_stem
from tests.whatif.helpers import EXAMPLE, EXAMPLE_PATH, WORKED, example_scenario, variant


def issues(data, base_dir=None) -> list[str]:
    """The issues parsing `data` reports, as `path: rule` strings."""
    with pytest.raises(InputError) as exc:
        parse_scenario(data, base_dir)
    return [str(i) for i in exc.value.issues]


def test_every_change_kind_parses_and_applies():
    doc = example_scenario(
        variant(
            "all",
            {"kind": "remove_technicians", "technicians": ["T03"]},
            {
                "kind": "add_technicians",
                "technicians": [
                    {
                        "id": "X1",
                        "copy_of": "T01",
                        "start": {"lat": 31.2, "lon": 121.5},
                        "shift": {
                            "start": "2026-11-23T13:00:00+08:00",
                            "end": "2026-11-23T19:00:00+08:00",
                        },
                        "breaks": [],
                    }
                ],
            },
            {"kind": "change_shifts", "technicians": ["T02"], "end": "2026-11-23T16:00:00+08:00"},
            {"kind": "close_depot", "depot": "WH-PD", "from": "2026-11-23T15:00:00+08:00"},
            {
                "kind": "move_stock",
                "from": {"depot": "WH-PD"},
                "to": {"technician": "X1"},
                "parts": {"PUMP-WM-01": 1},
            },
            {"kind": "add_tickets", "count": 3, "seed": 5},
            {"kind": "change_objective", "travel_per_km": 1.5, "unassigned_penalty": 1000},
            {"kind": "set_time_limit", "time_limit_s": 4},
        ),
        variant("nothing"),
    )
    spec = parse_scenario(doc)
    v = spec.variants[0]
    p = v.problem
    assert [t.id for t in p.technicians] == ["T01", "T02", "X1"]
    assert p.technician("X1").stock == {"COMP-AC-12K": 1, "PUMP-WM-01": 1}
    assert p.technician("T02").shift.end.hour == 16
    assert p.depots[0].open.end.hour == 15 and p.depots[0].stock["PUMP-WM-01"] == 2
    assert len(p.tickets) == len(spec.base.tickets) + 3
    assert p.objective.travel_per_km == 1.5
    assert v.own_time_limit_s == 4
    assert spec.variants[1].problem == spec.base and spec.variants[1].changes == ()


def test_base_by_path_is_relative_to_the_scenario_file(tmp_path):
    folder = tmp_path / "whatif"
    folder.mkdir()
    (tmp_path / "day.json").write_text(EXAMPLE_PATH.read_text())
    scenario = {
        "base": "../day.json",
        "variants": [variant("sick", {"kind": "remove_technicians", "technicians": ["T01"]})],
    }
    (folder / "s.json").write_text(json.dumps(scenario))
    spec = load_scenario(folder / "s.json")
    assert spec.base.name == "shanghai-pudong-example"
    assert isinstance(spec.variants[0].changes[0], RemoveTechnicians)


def test_base_by_path_reads_its_road_graph_beside_the_base_file(tmp_path):
    (tmp_path / "days").mkdir()
    (tmp_path / "whatif").mkdir()
    day = copy.deepcopy(EXAMPLE)
    day["travel"] = {"model": "road_graph", "graph": "city.graphml"}
    (tmp_path / "days" / "day.json").write_text(json.dumps(day))
    scenario = {"base": "../days/day.json", "variants": [variant("v")]}
    (tmp_path / "whatif" / "s.json").write_text(json.dumps(scenario))
    with pytest.raises(InputError) as exc:
        load_scenario(tmp_path / "whatif" / "s.json")
    (found,) = [str(i) for i in exc.value.issues]
    assert found.startswith("base: in ../days/day.json: travel.graph: cannot load road network")
    assert str(tmp_path / "days" / "city.graphml") in found


def test_base_path_without_a_file_is_refused():
    doc = {"base": "/etc/passwd", "variants": [variant("v")]}
    assert issues(doc) == ["base: a path needs a scenario file: give the problem inline"]


def test_missing_base_file_is_an_input_error(tmp_path):
    doc = {"base": "nope.json", "variants": [variant("v")]}
    (found,) = issues(doc, tmp_path)
    assert found.startswith("base: in nope.json: cannot read")


def test_bad_inline_base_names_the_field_under_base():
    doc = example_scenario(variant("v"))
    doc["base"]["technicians"][0]["shift"]["end"] = "2026-11-23T05:00:00+08:00"
    assert any(i.startswith("base.technicians[0].shift") for i in issues(doc))


def test_unknown_technician_names_variant_and_change():
    doc = example_scenario(
        variant("ok", {"kind": "remove_technicians", "technicians": ["T01"]}),
        variant(
            "bad",
            {"kind": "set_time_limit", "time_limit_s": 3},
            {"kind": "remove_technicians", "technicians": ["T99"]},
        ),
    )
    assert issues(doc) == ["variants[1].changes[1].technicians[0]: unknown technician T99"]


def test_shape_errors_name_the_field_and_suggest_a_fix():
    doc = example_scenario(
        variant("a", {"kind": "change_objective", "travel_per_kn": 2}),
        variant("b", {"kind": "remove_technician", "technicians": ["T01"]}),
        variant("c", {"technicians": ["T01"]}),
        variant("d", {"kind": "add_tickets", "count": 0}),
        variant("e", {"kind": "change_shifts", "technicians": ["T01"]}),
        variant("f", {"kind": "move_stock", "from": {}, "to": {"depot": "WH-PD"}, "parts": {}}),
    )
    found = issues(doc)
    assert (
        "variants[0].changes[0].travel_per_kn: unknown field (did you mean 'travel_per_km'?)"
        in found
    )
    assert any(
        i.startswith("variants[1].changes[0].kind: unknown kind 'remove_technician'") for i in found
    )
    assert any(i.startswith("variants[2].changes[0].kind: is required") for i in found)
    assert "variants[3].changes[0].count: must be >= 1" in found
    assert "variants[4].changes[0]: give at least one of start, end, overtime_max_min" in found
    assert "variants[5].changes[0].from: give exactly one of depot, technician" in found
    assert "variants[5].changes[0].parts: must have at least 1 item" in found


def test_later_changes_are_only_shape_checked_after_a_failed_one():
    doc = example_scenario(
        variant(
            "v",
            {"kind": "remove_technicians", "technicians": ["T99"]},
            {"kind": "close_depot", "depot": "nowhere"},
            {"kind": "close_depot", "depto": "WH-PD"},
        )
    )
    found = issues(doc)
    assert found[0] == "variants[0].changes[0].technicians[0]: unknown technician T99"
    assert not any("nowhere" in i for i in found)
    assert any(i.startswith("variants[0].changes[2].depto: unknown field") for i in found)


def test_variant_names_are_unique_and_not_base():
    doc = example_scenario(variant("a"), variant("a"), variant("Base"))
    assert issues(doc) == [
        "variants[1].name: duplicate variant name 'a'",
        "variants[2].name: 'base' is the base's name",
    ]


def test_document_level_errors():
    assert issues("{not json") == [
        "invalid JSON at line 1 column 2: Expecting property name enclosed in double quotes"
    ]
    assert issues({"base": {}, "variants": []})[0] == "variants: must have at least 1 item"
    assert (
        "scenario: unknown field"
        in issues({"base": {}, "variants": [variant("v")], "scenario": 1})[0]
    )


def test_file_stem():
    assert file_stem("T07 sick, T06+T19 overtime") == "T07-sick-T06-T19-overtime"
    assert file_stem("///") == "variant"


def test_sick_engineer_example_parses_and_applies():
    spec = load_scenario(WORKED / "sick-engineer.json")
    assert len(spec.base.tickets) == 150 and len(spec.base.technicians) == 20
    sick, overtime = spec.variants
    assert "T07" not in {t.id for t in sick.problem.technicians}
    assert len(sick.problem.technicians) == 19
    assert overtime.problem.technician("T06").overtime_max_min == 60
    assert spec.base.ticket("SR-10080").preferred_technicians == ("T07",)
    assert sick.problem.ticket("SR-10080").preferred_technicians == ()
    changed = [a.id for a, b in zip(spec.base.tickets, sick.problem.tickets, strict=True) if a != b]
    assert changed == ["SR-10080"]


def test_afternoon_vans_example_parses_and_applies():
    spec = load_scenario(WORKED / "afternoon-vans.json")
    vans, busier = spec.variants
    assert isinstance(vans.changes[0], AddTechnicians)
    added = [t for t in vans.problem.technicians if t.id.startswith("X")]
    assert [t.id for t in added] == ["X01", "X02"]
    assert all(t.shift.start.hour == 13 and t.shift.end.hour == 19 for t in added)
    assert len(busier.problem.tickets) == 170
    new = busier.problem.tickets[150:]
    assert all(t.id.startswith("NEW-") for t in new)
    assert all(22.4 < t.location.lat < 22.7 and 113.9 < t.location.lon < 114.2 for t in new)
