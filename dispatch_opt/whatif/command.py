"""`dispatch-opt whatif SCENARIO --out DIR`: solve, validate, write the plans and comparison.

Writes `DIR/plans/<name>.json` for the base and each variant, `DIR/comparison.md` and
`DIR/comparison.json`. Exit 0 when every plan is valid, 1 when some plan breaks a rule,
3 when some solve failed (the other results are still written).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from dispatch_opt.io import plan_to_dict, write_json_atomic, write_text_atomic
from dispatch_opt.whatif.render import kpi_table, render_markdown, result_to_dict
from dispatch_opt.whatif.result import WhatIfResult, run_whatif
from dispatch_opt.whatif.runner import Outcome
from dispatch_opt.whatif.spec import file_stem, load_scenario


def plan_file_names(result: WhatIfResult) -> dict[str, str]:
    """Outcome name -> plan file path relative to the output folder (unique stems)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for outcome in result.outcomes:
        stem, k = file_stem(outcome.name), 2
        while stem.lower() in taken:
            stem, k = f"{file_stem(outcome.name)}-{k}", k + 1
        taken.add(stem.lower())
        names[outcome.name] = f"plans/{stem}.json"
    return names


def write_outputs(result: WhatIfResult, out: Path) -> dict[str, str]:
    """Write every plan, the markdown and the JSON comparison; the plan files written."""
    (out / "plans").mkdir(parents=True, exist_ok=True)
    names = plan_file_names(result)
    files: dict[str, str] = {}
    for outcome in result.outcomes:
        if outcome.plan is not None:
            files[outcome.name] = names[outcome.name]
            write_json_atomic(out / files[outcome.name], plan_to_dict(outcome.plan))
    write_text_atomic(out / "comparison.md", render_markdown(result, files))
    write_json_atomic(out / "comparison.json", result_to_dict(result, plan_files=files))
    return files


def _progress(console: Console):
    """A progress callback printing one line per finished solve."""

    def show(outcome: Outcome, done: int, total: int) -> None:
        served = ""
        if outcome.plan is not None:
            k = outcome.plan.kpis
            served = f", {k.assigned}/{k.tickets} served, {k.travel_km:.1f} km"
        console.print(
            f"[{done}/{total}] {outcome.name}: {outcome.state} in {outcome.time_s:.1f} s{served}"
            + (f" ({outcome.error})" if outcome.error else ""),
            markup=False,
            highlight=False,
        )

    return show


def cmd_whatif(args: argparse.Namespace, console: Console) -> int:
    """Load the scenario, solve everything in parallel, write and print the comparison."""
    from dispatch_opt.cli import EXIT_INTERNAL, EXIT_INVALID_PLAN, EXIT_OK

    spec = load_scenario(args.scenario)
    n = 1 + len(spec.variants)
    console.print(f"what-if {spec.name or args.scenario}: {n} solves", highlight=False)
    result = run_whatif(
        spec,
        workers=args.workers,
        deterministic=args.deterministic,
        time_limit_s=args.time_limit,
        from_base=args.from_base,
        progress=_progress(console),
    )
    write_outputs(result, args.out)
    console.print("\n".join(kpi_table(result)), markup=False, highlight=False)
    console.print(f"comparison written to {args.out / 'comparison.md'}", highlight=False)
    states = {o.state for o in result.outcomes}
    if "failed" in states:
        return EXIT_INTERNAL
    return EXIT_INVALID_PLAN if "invalid" in states else EXIT_OK
