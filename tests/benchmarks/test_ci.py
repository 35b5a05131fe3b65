"""CI benchmark gate: a missing baseline file and cases the run and baseline do not share
fail the gate (no solve runs here: the cases are stubbed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import ci
from benchmarks.ci import CaseResult, compare, table


def _result(name: str, value: float = 100.0) -> CaseResult:
    """A synthetic valid Solomon result."""
    return CaseResult(name=name, kind="solomon", value=value, km=value, valid=True)


def _baseline(*names: str, value: float = 100.0) -> dict:
    """A synthetic baseline holding these Solomon cases."""
    return {"cases": {n: {"kind": "solomon", "metric": "cost", "value": value} for n in names}}


def _stub_run(monkeypatch, *names: str) -> None:
    """Make the gate's run return these cases instead of solving anything."""
    monkeypatch.setattr(ci, "run_all", lambda: [_result(n) for n in names])


def _write(path: Path, doc: dict) -> Path:
    """Write a baseline file."""
    path.write_text(json.dumps(doc))
    return path


def test_same_cases_pass():
    verdicts = compare([_result("a"), _result("b")], _baseline("a", "b"))
    assert [v.ok for v in verdicts] == [True, True]


def test_a_case_missing_from_the_baseline_fails():
    verdicts = compare([_result("a"), _result("new")], _baseline("a"))
    assert [(v.name, v.ok) for v in verdicts] == [("a", True), ("new", False)]
    assert "not in the baseline" in verdicts[1].message


def test_a_baseline_case_missing_from_the_run_fails_and_is_tabled():
    results = [_result("a", 42.0)]
    verdicts = compare(results, _baseline("a", "gone", value=42.0))
    assert [(v.name, v.ok) for v in verdicts] == [("a", True), ("gone", False)]
    assert "not run" in verdicts[1].message and verdicts[1].baseline == 42.0
    row = table(results, verdicts).splitlines()[-1]
    assert row.startswith("| gone |") and "FAIL: in the baseline but not run" in row


def test_an_empty_baseline_fails_every_case():
    assert not any(v.ok for v in compare([_result("a")], {}))


def test_a_missing_baseline_file_fails_before_any_solve(monkeypatch, tmp_path, capsys):
    def forbidden():
        raise AssertionError("the gate ran its cases without a baseline")

    monkeypatch.setattr(ci, "run_all", forbidden)
    missing = tmp_path / "none.json"
    assert ci.main(["--baseline", str(missing)]) == 1
    err = capsys.readouterr().err
    assert str(missing) in err and "not found" in err and "--update-baseline" in err


def test_update_baseline_writes_a_missing_file_and_passes(monkeypatch, tmp_path, capsys):
    _stub_run(monkeypatch, "a", "b")
    path = tmp_path / "new.json"
    assert ci.main(["--update-baseline", "--baseline", str(path)]) == 0
    assert set(json.loads(path.read_text())["cases"]) == {"a", "b"}
    assert "2/2 cases pass" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("run", "base", "culprit"),
    [(("a", "b"), ("a",), "b"), (("a",), ("a", "b"), "b")],
    ids=["run-has-more", "baseline-has-more"],
)
def test_main_fails_when_run_and_baseline_cases_differ(
    monkeypatch, tmp_path, capsys, run, base, culprit
):
    _stub_run(monkeypatch, *run)
    path = _write(tmp_path / "base.json", _baseline(*base))
    assert ci.main(["--baseline", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"| {culprit} |" in out and "1/2 cases pass" in out


def test_main_passes_when_run_and_baseline_agree(monkeypatch, tmp_path, capsys):
    _stub_run(monkeypatch, "a", "b")
    path = _write(tmp_path / "base.json", _baseline("a", "b"))
    assert ci.main(["--baseline", str(path)]) == 0
