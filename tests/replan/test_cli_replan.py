"""The replan and slots commands, and the state section of the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dispatch_opt.cli import EXIT_INPUT, EXIT_OK, main
from dispatch_opt.errors import InputError
from dispatch_opt.io import parse_problem, plan_from_dict, plan_to_dict

EXAMPLE = Path(__file__).parent.parent / "data" / "example-problem.json"
NOW = "2026-11-23T11:00:00+08:00"
NEW = {"id": "NEW1", "location": {"lat": 31.23, "lon": 121.5}, "duration_min": 40}


@pytest.fixture
def planned(tmp_path):
    """The example problem's plan, and a new ticket file."""
    plan = tmp_path / "plan.json"
    assert main(["solve", str(EXAMPLE), "--out", str(plan), "--deterministic", "--quiet"]) == 0
    ticket = tmp_path / "new.json"
    ticket.write_text(json.dumps(NEW))
    return plan, ticket


def test_replan_with_events_writes_a_valid_plan_with_churn(tmp_path, planned, capsys):
    plan, ticket = planned
    out = tmp_path / "replan.json"
    args = [
        "replan",
        str(EXAMPLE),
        "--plan",
        str(plan),
        "--now",
        NOW,
        "--freeze-min",
        "60",
        "--urgent",
        str(ticket),
        "--overran",
        "T01:30",
        "--out",
        str(out),
        "--deterministic",
    ]
    assert main(args) == EXIT_OK
    assert "churn:" in capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert "churn" in doc and set(doc["churn"]) == {"reassigned", "moved", "tolerance_min", "calls"}
    again = plan_from_dict(doc)
    assert plan_to_dict(again)["churn"] == doc["churn"]


def test_replan_bad_event_is_an_input_error(planned, capsys):
    plan, _ = planned
    args = ["replan", str(EXAMPLE), "--plan", str(plan), "--now", NOW, "--overran", "T99:5"]
    assert main(args) == EXIT_INPUT
    assert "technician 'T99' is not defined" in capsys.readouterr().err


def test_slots_json_lists_every_slot(planned, capsys):
    plan, ticket = planned
    assert main(["slots", str(EXAMPLE), str(plan), str(ticket), "--json", "--days", "2"]) == 0
    offers = json.loads(capsys.readouterr().out)
    assert len(offers) == 6
    assert [o["status"] for o in offers[-3:]] == ["outside_horizon"] * 3
    assert any(o["feasible"] for o in offers)


def test_state_round_trip_and_errors():
    doc = json.loads(EXAMPLE.read_text())
    doc["state"] = {
        "now": NOW,
        "freeze_min": 60,
        "done": ["SR-1001"],
        "technicians": [{"id": "T01", "in_progress": {"ticket": "SR-1002", "start": NOW}},
                        {"id": "T02", "available": False}],
        "previous": [{"ticket": "SR-1003", "technician": "T02", "start": NOW,
                      "confirmed": True}],
        "stability": {"tolerance_min": 15},
    }  # fmt: skip
    problem = parse_problem(doc)
    assert problem.state is not None and problem.state.stability.tolerance_min == 15
    assert problem.state.technician("T01").in_progress.ticket == "SR-1002"
    doc["state"]["technicians"][1]["in_progress"] = {"ticket": "SR-1001", "start": NOW}
    doc["state"]["previous"][0]["technician"] = "T9"
    doc["state"]["stability"]["tolrance_min"] = 1
    with pytest.raises(InputError) as err:
        parse_problem(doc)
    paths = {i.path: i.rule for i in err.value.issues}
    assert "unknown field" in paths["state.stability.tolrance_min"]
    doc["state"]["stability"].pop("tolrance_min")
    with pytest.raises(InputError) as err:
        parse_problem(doc)
    paths = {i.path: i.rule for i in err.value.issues}
    assert paths["state.previous[0].technician"] == "technician 'T9' is not defined"
    assert "also done" in paths["state.technicians[1].in_progress.ticket"]
    assert "unavailable" in paths["state.technicians[1].in_progress"]


@pytest.mark.parametrize(
    ("now", "rule"),
    [("2026-11-23T11:00+08:00", "RFC 3339"), ("2026-11-23T11:00:00", "UTC offset")],
)
def test_replan_now_must_be_rfc3339_with_an_offset(planned, capsys, now, rule):
    plan, _ = planned
    assert main(["replan", str(EXAMPLE), "--plan", str(plan), "--now", now]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "--now" in err and rule in err


def test_replan_refuses_a_previous_plan_that_breaks_a_rule(tmp_path, planned, capsys):
    """Read off a plan whose van uses a part it never fetched, the day's state would hold
    less than nothing of it: the plan is rejected, naming the stop and the rule, as the
    API does."""
    plan, _ = planned
    doc = json.loads(plan.read_text())
    fetches = [s for r in doc["routes"] for s in r["stops"] if s["kind"] == "depot"]
    assert fetches, "the example's plan fetches parts at a depot"
    for route in doc["routes"]:
        route["stops"] = [s for s in route["stops"] if s["kind"] != "depot"]
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    out = tmp_path / "replan.json"
    late = "2026-11-23T16:45:00+08:00"
    args = ["replan", str(EXAMPLE), "--plan", str(tampered), "--now", late, "--out", str(out)]
    assert main(args) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "--plan.routes[" in err and "stock_negative" in err
    assert not out.exists()
