"""Time-limit compliance benchmark: one real CLI run, the summary and the verdict."""

import pytest

from benchmarks.fieldservice import size_seconds
from benchmarks.time_limits import main, markdown, run_case, summarise


def test_a_cli_run_is_measured_and_its_plan_validated(tmp_path):
    row = run_case(40, 2.0, tmp_path)
    assert "error" not in row, row
    assert row["exit"] == 0 and row["valid"]
    assert row["tickets"] == 40 and 0 < row["served"] <= 40
    assert row["answer_s"] <= row["wall_s"]


def _row(answer: float, *, valid: bool = True, limit: float = 5.0) -> dict:
    return {
        "size": 100,
        "limit_s": limit,
        "wall_s": answer + 0.5,
        "exit": 0,
        "answer_s": answer,
        "late": answer > limit + 1.0,
        "valid": valid,
        "tickets": 100,
        "served": 90,
        "weighted": 200,
        "weighted_total": 230,
        "time_limit_reasons": 0,
    }


def test_a_late_invalid_or_failed_run_fails_the_verdict():
    assert markdown(summarise([_row(4.9), _row(5.8)])).rstrip().endswith("PASS")
    for bad in (
        _row(6.2),
        _row(4.0, valid=False),
        {"size": 100, "limit_s": 5.0, "wall_s": 1.0, "error": "x"},
    ):
        rows = summarise([_row(4.9), bad])
        assert markdown(rows).rstrip().endswith("FAIL: some answers were late, invalid or missing")
    (row,) = summarise([_row(4.0), _row(6.5), _row(5.0)])
    assert row["answer_s_median"] == 5.0 and row["answer_s_max"] == 6.5 and row["late"] == 1


def test_cases_parse_as_size_and_seconds_and_anything_else_is_refused(capsys):
    assert size_seconds("200:1, 3000:2.5") == [(200, 1.0), (3000, 2.5)]
    with pytest.raises(ValueError, match="'200' is not size:seconds"):
        size_seconds("200")
    with pytest.raises(SystemExit) as stop:
        main(["--cases", "200"])
    assert stop.value.code == 2 and "--cases" in capsys.readouterr().err
