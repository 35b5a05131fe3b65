"""What the polish buys: our ruin-and-recreate alone, with and without its polishes.

    python -m benchmarks.polish_ablation --cases 200:20,1000:60 --seeds 0,1,2 --out DIR

On the generated field-service days of `benchmarks.fieldservice`, one process, from the
same construction, each seed runs the search twice on the clock for the same time: with
`solve.POLISHES` polishes and with none (the rounds and their random path are otherwise
the same code). Every plan is built by `build_plan` and checked by the independent
validator. Reported per run and as medians: weighted served, SLA met, late minutes, km
and the objective.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.fieldservice import make_case, size_seconds
from dispatch_opt.domain.plan import SolverStats
from dispatch_opt.io import parse_problem
from dispatch_opt.plan_builder import build_plan
from dispatch_opt.routing.compile import compile_problem
from dispatch_opt.solver.construct import construct
from dispatch_opt.solver.lns import UNBOUNDED_ROUNDS, ruin_and_recreate
from dispatch_opt.solver.solve import POLISHES, construct_breadth
from dispatch_opt.validate import validate_plan


@dataclass
class Run:
    """One search: the day, the seed, polished or not, and its plan's figures."""

    tickets: int
    budget_s: float
    seed: int
    polishes: int
    weighted: int
    sla_met_rate: float
    late_min: float
    travel_km: float
    objective: int
    valid: bool


def run_case(size: int, budget_s: float, seeds: list[int]) -> list[Run]:
    """Every seed with and without polishes on the `size`-ticket day."""
    problem = parse_problem(make_case(size).problem_dict())
    compiled = compile_problem(problem)
    inst = compiled.instance
    start = construct(inst, **construct_breadth(inst))
    runs = []
    for seed in seeds:
        for polishes in (0, POLISHES):
            print(f"[polish] {size} tickets, {budget_s:g} s, seed {seed}, polishes {polishes}")
            deadline = time.perf_counter() + budget_s
            routes, cost = ruin_and_recreate(
                inst,
                start,
                lambda r: r,
                rounds=UNBOUNDED_ROUNDS,
                seed=seed,
                deadline=deadline,
                polishes=polishes,
            )
            plan = build_plan(problem, inst, routes, compiled.reasons, SolverStats())
            k = plan.kpis
            runs.append(
                Run(
                    size,
                    budget_s,
                    seed,
                    polishes,
                    k.weighted_served,
                    k.sla_met_rate,
                    k.late_min,
                    k.travel_km,
                    cost,
                    validate_plan(problem, plan).ok,
                )
            )
    return runs


def report(runs: list[Run]) -> str:
    """Markdown: every run, then medians per day and setting."""
    lines = [
        "# Ruin-and-recreate with and without polishes",
        "",
        "Our search alone, one process, same construction and seeds, on the clock.",
        "",
        "| tickets | budget s | seed | polishes | weighted | SLA met | late min | km "
        "| objective | valid |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.tickets} | {r.budget_s:g} | {r.seed} | {r.polishes} | {r.weighted} "
            f"| {r.sla_met_rate:.1%} | {r.late_min:.0f} | {r.travel_km:.0f} | {r.objective} "
            f"| {'yes' if r.valid else 'NO'} |"
        )
    lines += [
        "",
        "Medians:",
        "",
        "| tickets | polishes | weighted | SLA met | late min | km | cheaper than unpolished |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for size in sorted({r.tickets for r in runs}):
        for polishes in (0, POLISHES):
            group = [r for r in runs if r.tickets == size and r.polishes == polishes]
            if not group:
                continue
            wins = ""
            if polishes:
                plain = {r.seed: r.objective for r in runs if r.tickets == size and not r.polishes}
                better = sum(r.objective < plain[r.seed] for r in group)
                wins = f"{better} of {len(group)} seeds"
            lines.append(
                f"| {size} | {polishes} "
                f"| {statistics.median(r.weighted for r in group):g} "
                f"| {statistics.median(r.sla_met_rate for r in group):.1%} "
                f"| {statistics.median(r.late_min for r in group):.0f} "
                f"| {statistics.median(r.travel_km for r in group):.0f} | {wins} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the cases, write `polish.md` and `polish.json`; exit 1 on an invalid plan."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="200:20,1000:60", help="tickets:seconds,...")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", default="benchmarks/results/polish")
    args = parser.parse_args(argv)
    try:
        cases = size_seconds(args.cases)
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError as exc:
        parser.error(f"--cases tickets:seconds,... and --seeds n,...: {exc}")
    runs: list[Run] = []
    for size, budget in cases:
        runs += run_case(size, budget, seeds)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = report(runs)
    (out / "polish.md").write_text(text)
    (out / "polish.json").write_text(json.dumps([asdict(r) for r in runs], indent=1))
    print(text)
    return 0 if all(r.valid for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
