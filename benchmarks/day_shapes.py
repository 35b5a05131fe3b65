"""Days of other shapes than the standard benchmark's, against the peers in one run.

    python -m benchmarks.day_shapes --shapes long-routes,under-loaded --budget 30 \
        --solvers dispatch-opt,dispatch-opt-van-only,vroom,ortools --out DIR

The standard days (`benchmarks.fieldservice`) have 8 tickets per technician and demand
1.1 times the working time. These change that shape, from the same seeded generator:
long routes (20 tickets per technician, short jobs), and an under-loaded day (5 per
technician, demand 0.6), where service is nearly settled and SLA and travel decide.
Each run is `fieldservice.run_isolated`: a fresh process, every plan validated. Writes
`shapes.json` and `shapes.md` (travel and weighted served as ratios to VROOM's).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from benchmarks.fieldservice import REPO, Case, RunResult, answered, run_isolated, solver_list
from benchmarks.tables import write_report

SHAPES: dict[str, Case] = {
    "long-routes": Case(300, "chengdu", 7, 15, 2, load=1.1),
    "under-loaded": Case(200, "beijing", 11, 40, 2, load=0.6),
}
"""Named day shapes: tickets, city, seed, technicians, depots and load."""


def _ratio(value: float, base: float | None) -> str:
    """`value` against `base` as "x1.234"; empty without a base."""
    return "" if not base else f"x{value / base:.3f}"


def markdown(results: list[tuple[str, RunResult]], budget: float) -> str:
    """One table per shape: each solver's plan, with ratios to VROOM's where it ran."""
    lines = [
        "# Days of other shapes",
        "",
        f"Budget {budget:g} s per run, one run per solver, each in a fresh process and "
        "validated (`python -m benchmarks.day_shapes`).",
    ]
    for name in dict.fromkeys(n for n, _ in results):
        runs = [r for n, r in results if n == name]
        case = SHAPES[name]
        vroom = next((r for r in runs if r.solver == "vroom" and answered(r)), None)
        head = f"## {name}: {runs[0].size} tickets, {runs[0].technicians} technicians"
        lines += ["", f"{head}, load {case.load:g}, {case.city}", ""]
        lines += [
            "| solver | valid | served | weighted | x VROOM | SLA met | km | x VROOM "
            "| driving min |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in runs:
            if not answered(r):
                why = r.error or ("invalid plan" if not r.valid else f"no plan: {r.status}")
                lines.append(f"| {r.solver} | no ({why}) | | | | | | | |")
                continue
            w = _ratio(r.weighted_served, vroom.weighted_served if vroom else None)
            km = _ratio(r.travel_km, vroom.travel_km if vroom else None)
            lines.append(
                f"| {r.solver} | yes | {r.served} | {r.weighted_served} / {r.weighted_total} "
                f"| {w} | {100 * r.sla_met_rate:.1f}% | {r.travel_km:.0f} | {km} "
                f"| {r.travel_min:.0f} |"
            )
    return "\n".join(lines) + "\n"


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shapes", default=",".join(SHAPES), help="names, comma-separated")
    p.add_argument("--budget", type=float, default=30.0, help="seconds per run")
    p.add_argument("--solvers", default="dispatch-opt,dispatch-opt-van-only,vroom,ortools")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "shapes")
    args = p.parse_args(argv)
    unknown_shapes = set(args.shapes.split(",")) - set(SHAPES)
    if unknown_shapes:
        known = ", ".join(SHAPES)
        p.error(f"--shapes: unknown {', '.join(sorted(unknown_shapes))} (known: {known})")
    args.solvers = solver_list(p, args.solvers)
    if not args.budget > 0:
        p.error("--budget must be > 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every solver on every shape; write shapes.json and shapes.md, print the tables."""
    args = _parse_args(argv)
    results: list[tuple[str, RunResult]] = []
    for name in args.shapes.split(","):
        for solver in args.solvers:
            print(f"[shapes] {name}, {solver}, {args.budget:g} s", file=sys.stderr, flush=True)
            run = run_isolated(SHAPES[name], solver, args.budget, False, args.workers)
            results.append((name, run))
    payload = {
        "budget_s": args.budget,
        "shapes": {n: asdict(SHAPES[n]) for n in dict.fromkeys(n for n, _ in results)},
        "results": [{"shape": n, **asdict(r)} for n, r in results],
    }
    write_report(args.out, "shapes", payload, markdown(results, args.budget))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
