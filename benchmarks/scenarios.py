"""The bundled scenarios solved end to end, as a dispatcher runs them: the KPIs the core
issue asks for (served by priority, SLA met, km, solve and compile time, peak memory).

    python -m benchmarks.scenarios [--names default,large] [--runs 3] [--out DIR]

Each run is a fresh Python process (so peak memory is that run's alone), solving with
the scenario's own time limit and the default portfolio; every plan goes through the
independent validator. Writes `scenarios.json` and `scenarios.md` (medians over runs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

RUN = r"""
import json, resource, sys, time
from dispatch_opt.io.problem_io import load_problem
from dispatch_opt.planner import default_time_limit_s, solve_problem
from dispatch_opt.validate import validate_plan

problem = load_problem(sys.argv[1])
started = time.perf_counter()
plan = solve_problem(problem)
wall = time.perf_counter() - started
k = plan.kpis
print(json.dumps(dict(
    tickets=k.tickets, technicians=len(problem.technicians), depots=len(problem.depots),
    limit_s=problem.solve.time_limit_s or default_time_limit_s(problem),
    served=k.assigned, by_priority=k.assigned_by_priority, weighted=k.weighted_served,
    weighted_total=k.weighted_total, sla_met=k.sla_met_rate, km=k.travel_km,
    overtime_min=k.overtime_min, solve_s=wall, compile_s=plan.solver.compile_s,
    first_s=plan.solver.first_solution_s, engine=plan.solver.engine,
    violations=len(validate_plan(problem, plan).violations),
    peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    worker_peak_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
)))
"""

MEDIANS = ("served", "weighted", "sla_met", "km", "overtime_min", "solve_s", "compile_s")
MEDIANS += ("first_s", "peak_mb", "worker_peak_mb")


def run_once(path: Path) -> dict[str, Any]:
    """One end-to-end solve of the scenario at `path` in a fresh process."""
    done = subprocess.run([sys.executable, "-c", RUN, str(path)], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{path.name}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of the numeric KPIs, the served-by-priority of the median-weight run, and
    the worst validator count."""
    mid = sorted(runs, key=lambda r: r["weighted"])[len(runs) // 2]
    out: dict[str, Any] = {k: statistics.median(r[k] or 0.0 for r in runs) for k in MEDIANS}
    first = runs[0]
    out |= {k: first[k] for k in ("tickets", "technicians", "depots", "limit_s", "weighted_total")}
    out["by_priority"] = mid["by_priority"]
    out["violations"] = max(r["violations"] for r in runs)
    out["runs"] = len(runs)
    return out


def markdown(results: dict[str, dict[str, Any]]) -> str:
    """The medians as a table, one row per scenario."""
    lines = [
        "# Bundled scenarios, end to end (medians)",
        "",
        "| scenario | tickets / technicians / depots | limit s | served | by priority L/N/H/U "
        "| weighted | SLA met | km | overtime min | solve s | compile s | first plan s "
        "| peak MB main + worker | violations | runs |",
        "|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in results.items():
        p = s["by_priority"]
        lines.append(
            f"| {name} | {s['tickets']} / {s['technicians']} / {s['depots']} | {s['limit_s']:.0f} "
            f"| {s['served']:.0f} | {p.get('low', 0)}/{p.get('normal', 0)}/{p.get('high', 0)}/"
            f"{p.get('urgent', 0)} | {s['weighted']:.0f}/{s['weighted_total']} "
            f"| {s['sla_met']:.1%} | {s['km']:.1f} | {s['overtime_min']:.0f} | {s['solve_s']:.1f} "
            f"| {s['compile_s']:.2f} | {s['first_s']:.2f} "
            f"| {s['peak_mb']:.0f} + {s['worker_peak_mb']:.0f} | {s['violations']} | {s['runs']} |"
        )
    lines += [
        "",
        "First plan: seconds from the start of the search (compiling is its own column). "
        "Peak MB: `ru_maxrss` of the solving process and of its largest worker process "
        "(the two-core portfolio); shared pages count in both.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Solve each named scenario `--runs` times and write the medians."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.scenarios", description=__doc__)
    ap.add_argument("--names", default="default,large", help="scenario files, comma-separated")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("benchmark-results"))
    args = ap.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    raw: dict[str, list[dict[str, Any]]] = {}
    for name in (n.strip() for n in args.names.split(",") if n.strip()):
        raw[name] = [run_once(SCENARIOS / f"{name}.json") for _ in range(max(1, args.runs))]
        results[name] = summary(raw[name])
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {"summary": results, "runs": raw}
    (args.out / "scenarios.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    text = markdown(results)
    (args.out / "scenarios.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(s["violations"] == 0 for s in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
