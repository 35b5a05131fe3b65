"""`dispatch-opt whatif` end to end on a tiny scenario in a temporary folder."""

from __future__ import annotations

import json

from dispatch_opt.cli import EXIT_INPUT, EXIT_OK, main
from tests.whatif.helpers import EXAMPLE_PATH


def write_scenario(folder, *variants) -> str:
    """A scenario file beside a copy of the example problem; its path."""
    (folder / "day.json").write_text(EXAMPLE_PATH.read_text())
    doc = {"name": "cli", "base": "day.json", "variants": list(variants)}
    path = folder / "scenario.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_whatif_writes_plans_and_comparison(tmp_path, capsys):
    scenario = write_scenario(
        tmp_path,
        {"name": "T01 sick", "changes": [{"kind": "remove_technicians", "technicians": ["T01"]}]},
        {"name": "late depot", "changes": [{"kind": "close_depot", "depot": "WH-PD"}]},
    )
    out = tmp_path / "out"
    args = ["whatif", scenario, "--out", str(out), "--deterministic", "--workers", "1"]
    code = main([*args, "--time-limit", "2"])
    assert code == EXIT_OK
    printed = capsys.readouterr().out
    assert "| KPI | base | T01 sick | late depot |" in printed
    assert "[3/3]" in printed
    for name in ("base", "T01-sick", "late-depot"):
        plan = json.loads((out / "plans" / f"{name}.json").read_text())
        assert plan["status"] in ("solved", "partial")
    doc = json.loads((out / "comparison.json").read_text())
    assert doc["ok"] is True and doc["base"]["plan_file"] == "plans/base.json"
    sick = doc["variants"][0]
    assert sick["plan_file"] == "plans/T01-sick.json"
    assert {c["before"] for c in sick["tickets_changed_hands"]} >= {"T01"}
    md = (out / "comparison.md").read_text()
    assert md.startswith("# What-if: cli") and "## late depot" in md
    # the written plan re-validates against the base problem with the validate command
    assert main(["validate", str(tmp_path / "day.json"), str(out / "plans" / "base.json")]) == 0


def test_whatif_bad_scenario_names_the_field_and_writes_nothing(tmp_path, capsys):
    scenario = write_scenario(
        tmp_path,
        {"name": "v", "changes": [{"kind": "remove_technicians", "technicians": ["T99"]}]},
    )
    out = tmp_path / "out"
    assert main(["whatif", scenario, "--out", str(out)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "variants[0].changes[0].technicians[0]: unknown technician T99" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_whatif_missing_scenario_file(tmp_path, capsys):
    assert main(["whatif", str(tmp_path / "nope.json"), "--out", str(tmp_path)]) == EXIT_INPUT
    assert "cannot read" in capsys.readouterr().err
