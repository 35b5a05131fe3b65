"""Small days (a dispatcher's morning batch, a branch's day) against the peers, many seeds.

    python -m benchmarks.small_days --sizes 15,25,35,45,55 --seeds 4 --budgets 2,5 \
        --solvers dispatch-opt,vroom,ortools --out DIR

The standard days (`benchmarks.fieldservice`) have one seed per size, and from 200
tickets up. Small days are where a single problem says little, so each size is drawn
from several seeds (cities in turn, about one technician per 7 tickets, one parts depot,
load 1.1). Each run is `fieldservice.run_isolated`: a fresh process, every plan checked
by the independent validator, a peer's rule-breaking tickets dropped.

Reports, per size and budget: each solver's weighted served (sum over the seeds), SLA
met and km (medians), and for dispatch-opt the days it serves more, as many, or fewer
weighted tickets than each peer. Writes `small_days.json` and `small_days.md`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from benchmarks.fieldservice import (
    CITY_CYCLE,
    REPO,
    Case,
    RunResult,
    answered,
    run_isolated,
    solver_list,
)
from benchmarks.tables import median_or_none, write_report

TICKETS_PER_TECH = 7
SEED_BASE = 500
"""Seeds start here, away from the fixed benchmark days' (seed = size)."""


def small_case(size: int, index: int) -> Case:
    """The `index`-th day of `size` tickets: its city and seed follow from the index."""
    city = CITY_CYCLE[index % len(CITY_CYCLE)]
    return Case(size, city, SEED_BASE + 100 * index + size, max(2, size // TICKETS_PER_TECH), 1)


def _wins(ours: list[RunResult], peer: list[RunResult]) -> str:
    """'more/same/fewer' weighted served by dispatch-opt against `peer`, day by day."""
    more = sum(a.weighted_served > b.weighted_served for a, b in zip(ours, peer, strict=True))
    fewer = sum(a.weighted_served < b.weighted_served for a, b in zip(ours, peer, strict=True))
    return f"{more}/{len(ours) - more - fewer}/{fewer}"


def markdown(results: list[RunResult], solvers: list[str]) -> str:
    """One row per (size, budget, solver)."""
    lines = [
        "# Small days against the peers",
        "",
        "Weighted served is the sum over the seeds; SLA met and km are medians. `vs` is",
        "dispatch-opt's days with more / as many / fewer weighted tickets served than that",
        "solver. A run without a valid plan counts as serving nothing.",
        "",
        "| tickets | budget | solver | days | answered | weighted served | x ours | SLA met | km "
        "| vs |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    keys = sorted({(r.size, r.budget_s) for r in results})
    for size, budget in keys:
        runs = {
            s: [r for r in results if (r.size, r.budget_s, r.solver) == (size, budget, s)]
            for s in solvers
        }
        ours = runs.get("dispatch-opt", [])
        ours_w = sum(r.weighted_served for r in ours)
        for solver in solvers:
            rs = runs[solver]
            ok = [r for r in rs if answered(r)]
            w = sum(r.weighted_served for r in ok)
            ratio = f"x{w / ours_w:.3f}" if ours_w else ""
            vs = _wins(ours, rs) if ours and solver != "dispatch-opt" else ""
            sla = median_or_none(100 * r.sla_met_rate for r in ok) or 0.0
            km = median_or_none(r.travel_km for r in ok) or 0.0
            lines.append(
                f"| {size} | {budget:g} s | {solver} | {len(rs)} | {len(ok)} | {w} | {ratio} "
                f"| {sla:.1f}% | {km:.1f} | {vs} |"
            )
    return "\n".join(lines) + "\n"


def _zeroed(r: RunResult) -> RunResult:
    """A run without a valid plan counts as serving nothing in the day-by-day count."""
    if answered(r):
        return r
    r.weighted_served = 0
    return r


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.small_days", description=__doc__)
    p.add_argument("--sizes", default="15,25,35,45,55", help="ticket counts, comma-separated")
    p.add_argument("--seeds", type=int, default=4, help="days per size")
    p.add_argument("--budgets", default="2,5", help="seconds, comma-separated")
    p.add_argument("--solvers", default="dispatch-opt,vroom,ortools")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "small_days")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    args.solvers = solver_list(p, args.solvers)
    if args.seeds < 1:
        p.error(f"--seeds: must be at least 1, got {args.seeds}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every (size, seed, budget, solver); write the JSON and markdown, print the table."""
    args = _parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    budgets = [float(b) for b in args.budgets.split(",") if b.strip()]
    results: list[RunResult] = []
    for budget in budgets:
        for size in sizes:
            for index in range(args.seeds):
                case = small_case(size, index)
                for solver in args.solvers:
                    print(
                        f"[small_days] {size} tickets, seed {case.seed}, {solver}, {budget:g} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    results.append(_zeroed(run_isolated(case, solver, budget, False, args.workers)))
    payload = {
        "sizes": sizes,
        "seeds": args.seeds,
        "budgets": budgets,
        "results": [asdict(r) for r in results],
    }
    write_report(args.out, "small_days", payload, markdown(results, args.solvers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
