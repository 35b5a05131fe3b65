"""The polish ablation benchmark runs end to end and reports valid plans."""

import pytest

from benchmarks.polish_ablation import main
from dispatch_opt.solver.solve import POLISHES


def test_the_ablation_runs_both_settings_and_writes_its_tables(tmp_path):
    assert main(["--cases", "40:0.3", "--seeds", "0", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "polish.md").read_text()
    assert f"| 40 | 0.3 | 0 | {POLISHES} |" in text
    assert "| 40 | 0.3 | 0 | 0 |" in text
    assert "| NO |" not in text


def test_malformed_cases_are_a_clear_error_not_a_traceback(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--cases", "200"])
    assert stop.value.code == 2 and "tickets:seconds" in capsys.readouterr().err
