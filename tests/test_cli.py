"""The command line: solve writes a valid plan, validate checks it, bad input exits 2."""

import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

from rich.console import Console

from dispatch_opt.cli import (
    EXIT_INPUT,
    EXIT_INVALID_PLAN,
    EXIT_OK,
    ISSUES_SHOWN,
    _progress_runner,
    main,
)
from dispatch_opt.domain import StopKind
from dispatch_opt.io import load_plan, load_problem
from tests.checks import assert_valid

EXAMPLE = Path(__file__).parent / "data" / "example-problem.json"


def test_solve_then_validate(tmp_path, capsys):
    out = tmp_path / "plan.json"
    code = main(["solve", str(EXAMPLE), "--out", str(out), "--time-limit", "2", "--deterministic"])
    assert code == EXIT_OK
    printed = capsys.readouterr().out
    assert "KPIs" in printed and "SR-1008" in printed
    plan = json.loads(out.read_text())
    assert plan["status"] in ("solved", "partial")
    assert main(["validate", str(EXAMPLE), str(out)]) == EXIT_OK


def test_validate_reports_a_broken_plan(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert (
        main(
            [
                "solve",
                str(EXAMPLE),
                "--out",
                str(out),
                "--time-limit",
                "2",
                "--deterministic",
                "--quiet",
            ]
        )
        == EXIT_OK
    )
    plan = json.loads(out.read_text())
    route = next(r for r in plan["routes"] if len(r["stops"]) > 2)
    stop = next(s for s in route["stops"] if s["kind"] == "ticket")
    stop["start"] = stop["arrival"] = "2026-11-23T07:01:00+08:00"
    out.write_text(json.dumps(plan))
    capsys.readouterr()
    assert main(["validate", str(EXAMPLE), str(out)]) == EXIT_INVALID_PLAN
    assert "INVALID" in capsys.readouterr().out


def test_bad_input_exits_2_with_the_field_and_writes_nothing(tmp_path, capsys):
    doc = json.loads(EXAMPLE.read_text())
    doc["tickets"][3]["time_windows"] = [
        {"start": "2026-11-23T12:00:00+08:00", "end": "2026-11-23T10:00:00+08:00"}
    ]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    out = tmp_path / "plan.json"
    assert main(["solve", str(bad), "--out", str(out)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "tickets[3].time_windows[0]" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_many_input_issues_print_the_first_and_count_the_rest(tmp_path, capsys):
    doc = json.loads(Path("scenarios/small.json").read_text())
    for i, t in enumerate(doc["tickets"]):
        t["duration_min"] = -1 - i
    n = len(doc["tickets"])
    assert n > ISSUES_SHOWN
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    assert main(["solve", str(bad)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "tickets[0].duration_min" in err
    assert f"tickets[{ISSUES_SHOWN}].duration_min" not in err
    assert f"... and {n - ISSUES_SHOWN} more (--debug lists them all)" in err
    assert main(["--debug", "solve", str(bad)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert f"tickets[{n - 1}].duration_min" in err and "more (--debug" not in err


def test_missing_file_is_a_clean_error(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "nope.json")]) == EXIT_INPUT
    assert "Traceback" not in capsys.readouterr().err


def test_zero_tickets_solve_to_a_valid_plan_with_idle_routes(tmp_path, capsys):
    doc = json.loads(EXAMPLE.read_text())
    doc["tickets"] = []
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps(doc))
    out = tmp_path / "plan.json"
    assert main(["solve", str(empty), "--out", str(out), "--deterministic", "--quiet"]) == EXIT_OK
    plan = load_plan(out)
    assert_valid(load_problem(empty), plan)
    assert len(plan.routes) == len(doc["technicians"])
    assert all(s.kind in (StopKind.START, StopKind.END) for r in plan.routes for s in r.stops)
    assert not plan.unassigned and plan.kpis.tickets == 0


def test_seed_option_is_the_plans_seed(tmp_path, capsys):
    out = tmp_path / "plan.json"
    argv = ["solve", str(EXAMPLE), "--out", str(out), "--time-limit", "2", "--deterministic"]
    assert main([*argv, "--seed", "4242", "--quiet"]) == EXIT_OK
    assert json.loads(EXAMPLE.read_text())["solve"]["seed"] != 4242
    assert json.loads(out.read_text())["solver"]["seed"] == 4242


def test_progress_line_shows_elapsed_then_best_objective_then_time_left():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=None, width=120)
    on_progress, stop = _progress_runner(console, 60.0)
    on_progress(SimpleNamespace(objective=12345, solutions=3))
    stop()
    clock = r"(?:\d+:\d\d:\d\d|-:--:--)"  # elapsed / time left (unknown at first)
    line = rf"\d+:\d\d:\d\d searching best objective 12,345 +solutions 3 .*{clock}\n"
    assert re.search(line, out.getvalue()), repr(out.getvalue())


def test_a_plan_breaking_a_rule_never_reaches_out(tmp_path, capsys, monkeypatch):
    """The validator's verdict on our own plan decides where it goes: exit 1, `--out`
    left as it was, the plan kept beside it for the bug report."""
    import dispatch_opt.validate as validate_module

    broken = validate_module.ValidationReport(
        (validate_module.Violation("shift_end", "routes[T01]", "back after the shift"),)
    )
    monkeypatch.setattr(validate_module, "validate_plan", lambda problem, plan: broken)
    out = tmp_path / "plan.json"
    out.write_text("earlier plan")
    args = ["solve", str(EXAMPLE), "--out", str(out), "--time-limit", "2", "--deterministic"]
    assert main([*args, "--quiet"]) == EXIT_INVALID_PLAN
    assert out.read_text() == "earlier plan"
    kept = tmp_path / "plan.invalid.json"
    assert json.loads(kept.read_text())["status"] in ("solved", "partial")
    printed = capsys.readouterr().out
    assert "this is a bug" in printed and "NOT written" in printed
