"""The command line writes the views: `solve --report --geojson` and `report`."""

import json
from pathlib import Path

from dispatch_opt.cli import EXIT_INPUT, EXIT_OK, main

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example-problem.json"


def test_solve_and_report_write_html_and_geojson(tmp_path, capsys):
    plan, html, geo = tmp_path / "plan.json", tmp_path / "plan.html", tmp_path / "routes.geojson"
    args = ["solve", str(EXAMPLE), "--out", str(plan), "--time-limit", "2", "--quiet"]
    assert main([*args, "--report", str(html), "--geojson", str(geo)]) == EXIT_OK
    printed = capsys.readouterr().out
    assert f"view written to {html}" in printed and f"view written to {geo}" in printed
    first = html.read_text(encoding="utf-8")
    assert first.startswith("<!DOCTYPE html>") and 'id="board"' in first
    assert json.loads(geo.read_text())["type"] == "FeatureCollection"

    again = tmp_path / "again.html"
    code = main(["report", str(EXAMPLE), str(plan), "--out", str(again), "--title", "Monday"])
    assert code == EXIT_OK
    page = again.read_text(encoding="utf-8")
    assert "<title>Monday</title>" in page
    assert page.count('<g class="row"') == first.count('<g class="row"') > 0
    assert page.count("unassigned-row") == first.count("unassigned-row")


def test_report_needs_an_output(tmp_path, capsys):
    assert main(["report", str(EXAMPLE), str(tmp_path / "plan.json")]) == EXIT_INPUT
    assert "--out" in capsys.readouterr().err
