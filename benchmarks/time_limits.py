"""Time-limit compliance: `solve.time_limit_s` bounds the whole answer, parsing to plan,
within a second (contract v1), at every size, however tight the limit.

    python -m benchmarks.time_limits --cases 200:1,1000:2,3000:3,3000:5,5000:10 \
        [--runs 3] [--out DIR]

Each case is a generated field-service day (`benchmarks.fieldservice.make_case`) with that
limit written into its `solve` section, solved by `dispatch-opt solve FILE --out PLAN
--quiet` in a fresh process. Measured: `answer s` (the plan's `solver.time_s`: reading the
file to the finished plan, what the contract bounds), the process's wall time (interpreter
start to exit, so imports, validation and writing too), tickets served, and the
independent validator's verdict on the written plan. A run is late when `answer s` exceeds
the limit by more than a second. Exits 1 when a run is late, invalid or fails, so a CI
job can gate on it; writes `time_limits.json` and `time_limits.md` (medians over runs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.fieldservice import REPO, make_case, size_seconds
from benchmarks.tables import cell, median_or_none
from dispatch_opt.plan_builder import TIME_RAN_OUT

TOLERANCE_S = 1.0
"""The contract's slack: the answer is due within a second of the limit."""


def run_case(size: int, limit_s: float, workdir: Path) -> dict[str, Any]:
    """One CLI solve of the `size` day under `limit_s`, measured and validated."""
    from dispatch_opt.io import load_plan, load_problem
    from dispatch_opt.validate import validate_plan

    problem_dict = make_case(size).problem_dict()
    problem_dict["solve"]["time_limit_s"] = limit_s
    path = workdir / f"day-{size}-{limit_s:g}.json"
    out = path.with_suffix(".plan.json")
    path.write_text(json.dumps(problem_dict), encoding="utf-8")
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "dispatch_opt.cli", "solve", str(path), "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run([*command, "--quiet"], capture_output=True, text=True)
    wall = time.perf_counter() - started
    row: dict[str, Any] = {
        "size": size,
        "limit_s": limit_s,
        "wall_s": wall,
        "exit": done.returncode,
    }
    if not out.exists():
        return {**row, "error": done.stderr.strip()[-500:] or "no plan written"}
    problem, plan = load_problem(path), load_plan(out)
    report = validate_plan(problem, plan)
    answer = plan.solver.time_s
    return {
        **row,
        "answer_s": answer,
        "late": answer > limit_s + TOLERANCE_S,
        "valid": report.ok,
        "tickets": plan.kpis.tickets,
        "served": plan.kpis.assigned,
        "weighted": plan.kpis.weighted_served,
        "weighted_total": plan.kpis.weighted_total,
        "time_limit_reasons": sum(
            1 for u in plan.unassigned if TIME_RAN_OUT in u.reasons[0].detail
        ),
    }


def summarise(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (size, limit): medians, the slowest answer, and whether every run was on time
    and valid."""
    groups: dict[tuple[int, float], list[dict[str, Any]]] = {}
    for r in runs:
        groups.setdefault((r["size"], r["limit_s"]), []).append(r)
    rows = []
    for (size, limit), group in sorted(groups.items()):
        ok = [r for r in group if "error" not in r]
        rows.append(
            {
                "size": size,
                "limit_s": limit,
                "runs": len(group),
                "answer_s_median": median_or_none(r["answer_s"] for r in ok),
                "answer_s_max": max((r["answer_s"] for r in ok), default=None),
                "wall_s_median": statistics.median(r["wall_s"] for r in group),
                "served_median": median_or_none(r["served"] for r in ok),
                "weighted_median": median_or_none(r["weighted"] for r in ok),
                "time_limit_reasons_median": median_or_none(r["time_limit_reasons"] for r in ok),
                "failed": len(group) - len(ok),
                "late": sum(1 for r in ok if r["late"]),
                "invalid": sum(1 for r in ok if not r["valid"]),
            }
        )
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """The table and the verdict."""
    lines = [
        "# Time-limit compliance",
        "",
        "`answer s`: the plan's `solver.time_s` (reading the problem file to the finished "
        "plan, what the contract bounds to the limit + 1 s); `wall s`: the whole `dispatch-opt "
        "solve` process (interpreter start, imports, validating and writing the plan too). "
        "Medians over the runs; `max` is the slowest answer.",
        "",
        "| tickets | limit s | runs | answer s median | answer s max | wall s median | served |"
        " weighted | unserved for lack of time | late | invalid | failed |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['limit_s']:g} | {r['runs']} | "
            f"{cell(r['answer_s_median'], '.2f')} | {cell(r['answer_s_max'], '.2f')} | "
            f"{r['wall_s_median']:.2f} | {cell(r['served_median'], 'g')} | "
            f"{cell(r['weighted_median'], 'g')} | {cell(r['time_limit_reasons_median'], 'g')} |"
            f" {r['late']} | {r['invalid']} | {r['failed']} |"
        )
    bad = sum(r["late"] + r["invalid"] + r["failed"] for r in rows)
    lines += ["", "FAIL: some answers were late, invalid or missing" if bad else "PASS", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the cases, write the files, print the table; 1 when any run failed the rule."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.time_limits", description=__doc__)
    p.add_argument("--cases", default="200:1,1000:2,3000:3,3000:5,5000:10", help="size:limit,...")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "time-limits")
    args = p.parse_args(argv)
    try:
        cases = size_seconds(args.cases)
    except ValueError:
        p.error("--cases: expected size:seconds pairs, comma-separated (e.g. 200:1,3000:5)")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for size, limit in cases:
                print(f"[time-limits] {size} tickets, {limit:g} s", file=sys.stderr, flush=True)
                runs.append(run_case(size, limit, Path(tmp)))
    rows = summarise(runs)
    text = markdown(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {"rows": rows, "runs": runs, "tolerance_s": TOLERANCE_S}
    (args.out / "time_limits.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    (args.out / "time_limits.md").write_text(text, encoding="utf-8")
    print(text)
    return 1 if any(r["late"] or r["invalid"] or r["failed"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
