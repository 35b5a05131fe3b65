"""Field-service time-to-quality curve: every solver at several budgets, medians of repeats.

    python -m benchmarks.fieldservice_curve --sizes 200,1000 --budgets 2,5,10,30,60 \
        --solvers dispatch-opt,vroom,ortools --repeats 3 --out DIR

Each (size, budget, solver, repeat) is one `benchmarks.fieldservice.run_isolated` run: a
fresh spawned process, the same generated day, the plan validated independently. Budgets
above `--max-ratio` times a size's standard budget are skipped for that size.

Quality is the contract's first criterion: weighted tickets served. The gap of a run is
`(best - weighted) / best` in percent, where `best` is the most weight any run of any solver
served on that size (so 0 is the best plan seen, and a solver with no plan is unsolved).
Time is the run's own wall time from compiling the parsed problem to the plan (a peer that
stops before its budget is plotted where it stopped). Writes `curve.json`, `curve.md` and,
with matplotlib, `curve.png`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.fieldservice import (
    AUTO_BUDGET_S,
    REPO,
    RunResult,
    answered,
    auto_budget,
    make_case,
    run_isolated,
    solver_list,
)
from benchmarks.tables import cell, median_or_none

Key = tuple[int, float, str]
"""(size, budget s, solver)."""


def summarise(results: list[RunResult]) -> list[dict[str, Any]]:
    """One row per (size, budget, solver): medians over the repeats that gave a valid plan."""
    best = {
        size: max((r.weighted_served for r in results if r.size == size and r.valid), default=0)
        for size in {r.size for r in results}
    }
    groups: dict[Key, list[RunResult]] = {}
    for r in results:
        groups.setdefault((r.size, r.budget_s, r.solver), []).append(r)
    rows = []
    for (size, budget, solver), runs in sorted(groups.items()):
        ok = [r for r in runs if answered(r)]
        gaps = [100.0 * (best[size] - r.weighted_served) / best[size] for r in ok if best[size]]
        rows.append(
            {
                "size": size,
                "budget_s": budget,
                "solver": solver,
                "runs": len(runs),
                "valid_runs": len(ok),
                "best_weighted": best[size],
                "weighted_median": median_or_none([r.weighted_served for r in ok]),
                "gap_pct_median": median_or_none(gaps),
                "gap_pct_worst": max(gaps) if gaps else None,
                "sla_met_median": median_or_none([r.sla_met_rate for r in ok]),
                "km_median": median_or_none([r.travel_km for r in ok]),
                "time_s_median": median_or_none([r.total_s for r in ok]),
                "first_plan_s_median": median_or_none(
                    [r.first_feasible_s for r in ok if r.first_feasible_s is not None]
                ),
                "errors": sorted({r.error for r in runs if r.error}),
            }
        )
    return rows


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """Per size: solver x budget with the median gap, worst gap, weight, SLA, km and time."""
    lines = [
        "# Field-service time-to-quality curve",
        "",
        f"Repeats per point: {meta['repeats']}; workers (dispatch-opt processes, VROOM "
        f"threads): {meta['workers']}; every solver on the clock. Gap: weighted tickets "
        "served below the best any run served on that size, in percent (median over the "
        "repeats, then the worst repeat). A point with no valid plan in any repeat is "
        "'none'.",
        "",
    ]
    for size in sorted({r["size"] for r in rows}):
        case = meta["cases"][str(size)]
        at = [r for r in rows if r["size"] == size]
        lines += [
            f"## {size} tickets ({case['city']}, {case['technicians']} technicians; best "
            f"weighted served seen: {at[0]['best_weighted']})",
            "",
            "| solver | budget s | valid runs | gap % median | gap % worst | weighted | SLA met |"
            " km | time s | first plan s |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in sorted(at, key=lambda r: (r["solver"], r["budget_s"])):
            if not r["valid_runs"]:
                why = "; ".join(r["errors"]) or "no plan"
                lines.append(
                    f"| {r['solver']} | {r['budget_s']:g} | 0/{r['runs']} | none ({why}) |"
                    + " |" * 6
                )
                continue
            sla = None if r["sla_met_median"] is None else 100 * r["sla_met_median"]
            lines.append(
                f"| {r['solver']} | {r['budget_s']:g} | {r['valid_runs']}/{r['runs']} |"
                f" {cell(r['gap_pct_median'], '.2f')} | {cell(r['gap_pct_worst'], '.2f')} |"
                f" {cell(r['weighted_median'], 'g')} | {cell(sla, '.1f')}% |"
                f" {cell(r['km_median'], '.0f')} | {cell(r['time_s_median'], '.1f')} |"
                f" {cell(r['first_plan_s_median'], '.2f')} |"
            )
        lines.append("")
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Gap against median seconds, one panel per size, one line per solver."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    sizes = sorted({r["size"] for r in rows})
    fig, axes = plt.subplots(1, len(sizes), figsize=(5.5 * len(sizes), 4.2), squeeze=False)
    for ax, size in zip(axes[0], sizes, strict=True):
        for solver in sorted({r["solver"] for r in rows if r["size"] == size}):
            pts = sorted(
                (r["time_s_median"], r["gap_pct_median"])
                for r in rows
                if r["size"] == size and r["solver"] == solver and r["valid_runs"]
            )
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", label=solver)
        ax.set_xscale("log")
        budgets = sorted({r["budget_s"] for r in rows if r["size"] == size})
        ax.set_xticks(budgets)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_title(f"{size} tickets")
        ax.set_xlabel("seconds (median wall time of the run)")
        ax.set_ylabel("weighted served below best seen, %")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.fieldservice_curve", description=__doc__)
    p.add_argument("--sizes", default="200", help="ticket counts, comma-separated")
    p.add_argument("--budgets", default="2,5,10,30", help="seconds, comma-separated")
    p.add_argument("--solvers", default="dispatch-opt,vroom,ortools")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument(
        "--max-ratio",
        type=float,
        default=1.0,
        help="skip budgets above this multiple of the size's standard budget "
        f"({', '.join(f'{k}: {v:g} s' for k, v in AUTO_BUDGET_S.items())})",
    )
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "fs-curve")
    args = p.parse_args(argv)
    args.solvers = solver_list(p, args.solvers)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the grid, write curve.json / curve.md (/ curve.png), print the markdown."""
    args = _parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    budgets = sorted(float(b) for b in args.budgets.split(",") if b.strip())
    solvers = args.solvers
    cases = {size: make_case(size) for size in sizes}
    if not sizes or not budgets:
        print("error: --sizes and --budgets need at least one value each", file=sys.stderr)
        return 2
    grid = [(s, b) for s in sizes for b in budgets if b <= args.max_ratio * auto_budget(s)]
    if not grid:
        print(
            "error: every budget is above --max-ratio times its size's standard budget "
            f"({', '.join(f'{s}: {auto_budget(s):g} s' for s in sizes)}); raise --max-ratio",
            file=sys.stderr,
        )
        return 2
    results: list[RunResult] = []
    for repeat in range(args.repeats):
        for size, budget in grid:
            for solver in solvers:
                print(
                    f"[curve] repeat {repeat + 1}, {size} tickets, {solver}, {budget:g} s",
                    file=sys.stderr,
                    flush=True,
                )
                results.append(run_isolated(cases[size], solver, budget, False, args.workers))
    rows = summarise(results)
    meta = {
        "repeats": args.repeats,
        "workers": args.workers,
        "cases": {str(s): asdict(c) for s, c in cases.items()},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {**meta, "rows": rows, "results": [asdict(r) for r in results]}
    (args.out / "curve.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    text = markdown(rows, meta)
    (args.out / "curve.md").write_text(text, encoding="utf-8")
    try:
        plot(rows, args.out / "curve.png")
    except ImportError:
        print("matplotlib is not installed (pip install '.[bench]'): no plot", file=sys.stderr)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
