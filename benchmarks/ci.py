"""CI quality gate: a small fixed benchmark with dispatch-opt's deterministic search.

    python -m benchmarks.ci                    # run, compare with the baseline, exit 1 on a drop
    python -m benchmarks.ci --update-baseline  # run and rewrite benchmarks/ci_baseline.json

Cases: six Solomon VRPTW instances (C101, C201, R101, R201, RC101, RC201) cut to their
first 50 customers, pure distance, re-checked in double precision by `vrptw_check`; and
the 40- and 200-ticket field-service problems of `benchmarks.fieldservice`, planned by
`solve_problem` and re-checked by the independent `validate_plan`. The search is
deterministic (an effort limit, not the clock) with the worker count pinned to
`WORKERS` (the portfolio's answer depends on it), so the figures do not depend on the
machine and any change is the code's.

The gate fails when a plan is invalid, when a Solomon cost is more than 1% above its
baseline, when a field-service weighted served score is more than 2% below its
baseline, when the baseline file is missing (except with --update-baseline, which
writes it), or when a case is in the run but not in the baseline or the other way
round. Solomon files are looked up in $DISPATCH_OPT_SOLOMON_DIR, then
benchmarks/data/solomon, then ../shared/benchmarks/vrptw/solomon.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).resolve().with_name("ci_baseline.json")
SOLOMON = ("C101", "C201", "R101", "R201", "RC101", "RC201")
SOLOMON_CUSTOMERS = 50
FIELD_SIZES = (40, 200)
WORKERS = 2
"""Processes for the portfolio, fixed so the deterministic answer is the same everywhere."""
COST_TOLERANCE = 0.01
"""A Solomon cost more than 1% above its baseline fails the gate."""
SERVED_TOLERANCE = 0.02
"""A weighted served score more than 2% below its baseline fails the gate."""
SOLOMON_DIRS = (
    REPO / "benchmarks" / "data" / "solomon",
    REPO.parent / "shared" / "benchmarks" / "vrptw" / "solomon",
)


@dataclass
class CaseResult:
    """One case's outcome: its quality figure (`cost` lower is better for Solomon,
    `weighted_served` higher is better for field service), km and validity."""

    name: str
    kind: str  # "solomon" | "fieldservice"
    value: float
    km: float
    valid: bool
    seconds: float = 0.0
    served: int = 0
    detail: list[str] = field(default_factory=list)

    @property
    def metric(self) -> str:
        """Name of the quality figure."""
        return "cost" if self.kind == "solomon" else "weighted_served"


@dataclass(frozen=True)
class Verdict:
    """The comparison of one case with its baseline."""

    name: str
    ok: bool
    message: str
    baseline: float | None = None


# --------------------------------------------------------------------------- cases


def solomon_dir() -> Path:
    """The folder holding the Solomon files (first existing candidate)."""
    env = os.environ.get("DISPATCH_OPT_SOLOMON_DIR")
    candidates = ([Path(env)] if env else []) + list(SOLOMON_DIRS)
    for folder in candidates:
        if (folder / f"{SOLOMON[0]}.txt").exists():
            return folder
    looked = ", ".join(str(c) for c in candidates)
    raise SystemExit(f"Solomon instance files not found; looked in: {looked}")


def run_solomon(name: str, folder: Path) -> CaseResult:
    """A truncated Solomon instance, solved deterministically and checked independently."""
    from benchmarks.vrptw_check import check_solution
    from benchmarks.vrptw_instance import build_instance, customer_routes, read_vrptw, truncate
    from dispatch_opt.solver.portfolio import solve_portfolio
    from dispatch_opt.solver.solve import SolveParams

    started = time.perf_counter()
    data = truncate(read_vrptw(folder / f"{name}.txt"), SOLOMON_CUSTOMERS)
    inst = build_instance(data)
    result = solve_portfolio(inst, SolveParams(deterministic=True, workers=WORKERS))
    check = check_solution(data, customer_routes(inst, result.routes))
    return CaseResult(
        name=f"solomon/{name}-{SOLOMON_CUSTOMERS}",
        kind="solomon",
        value=round(check.cost, 2),
        km=round(check.cost, 2),
        valid=check.feasible,
        seconds=time.perf_counter() - started,
        served=SOLOMON_CUSTOMERS if check.feasible else 0,
        detail=list(check.messages[:3]),
    )


def run_field(size: int) -> CaseResult:
    """A generated field-service day, planned deterministically and validated."""
    from benchmarks.fieldservice import make_case
    from dispatch_opt.io import parse_problem
    from dispatch_opt.planner import solve_problem
    from dispatch_opt.validate import validate_plan

    started = time.perf_counter()
    case = make_case(size)
    problem = parse_problem(case.problem_dict(workers=WORKERS))
    plan = solve_problem(problem, deterministic=True)
    report = validate_plan(problem, plan)
    return CaseResult(
        name=f"fieldservice/{case.city}-{size}",
        kind="fieldservice",
        value=float(plan.kpis.weighted_served),
        km=round(plan.kpis.travel_km, 2),
        valid=report.ok,
        seconds=time.perf_counter() - started,
        served=plan.kpis.assigned,
        detail=[str(v) for v in report.violations[:3]],
    )


def run_all() -> list[CaseResult]:
    """Every case of the gate, in a fixed order."""
    folder = solomon_dir()
    results = []
    for name in SOLOMON:
        results.append(run_solomon(name, folder))
        print(f"[ci] {results[-1].name}: {results[-1].seconds:.1f} s", file=sys.stderr)
    for size in FIELD_SIZES:
        results.append(run_field(size))
        print(f"[ci] {results[-1].name}: {results[-1].seconds:.1f} s", file=sys.stderr)
    return results


# --------------------------------------------------------------------------- compare


def judge(result: CaseResult, base: dict[str, Any] | None) -> Verdict:
    """Pass or fail one case's plan and figure against its baseline entry (None: no
    figure to compare, only validity is judged; `compare` fails a case with no entry)."""
    if not result.valid:
        why = "; ".join(result.detail) or "the checker rejected the plan"
        return Verdict(result.name, False, f"INVALID plan: {why}")
    if base is None:
        return Verdict(result.name, True, "new case (no baseline)")
    ref = float(base["value"])
    if result.kind == "solomon":
        limit = ref * (1 + COST_TOLERANCE)
        if result.value > limit + 1e-9:
            why = f"cost {result.value:.2f} > {limit:.2f} (+{COST_TOLERANCE:.0%})"
            return Verdict(result.name, False, why, ref)
    else:
        limit = ref * (1 - SERVED_TOLERANCE)
        if result.value < limit - 1e-9:
            why = f"weighted served {result.value:g} < {limit:.1f} (-{SERVED_TOLERANCE:.0%})"
            return Verdict(result.name, False, why, ref)
    return Verdict(result.name, True, "ok", ref)


def compare(results: list[CaseResult], baseline: dict[str, Any]) -> list[Verdict]:
    """A verdict per case run against `baseline['cases']`, then a failing one per
    baseline case the run lacks: the gate only passes when both cover the same cases."""
    cases = baseline.get("cases", {})
    verdicts = []
    for r in results:
        verdict = judge(r, cases.get(r.name))
        if verdict.ok and r.name not in cases:
            why = "not in the baseline (a new case needs --update-baseline)"
            verdict = Verdict(r.name, False, why)
        verdicts.append(verdict)
    ran = {r.name for r in results}
    for name, base in cases.items():
        if name not in ran:
            why = "in the baseline but not run (a removed case needs --update-baseline)"
            verdicts.append(Verdict(name, False, why, float(base["value"])))
    return verdicts


def baseline_doc(results: list[CaseResult]) -> dict[str, Any]:
    """The baseline file's content for these results."""
    return {
        "about": "python -m benchmarks.ci --update-baseline; deterministic dispatch-opt",
        "tolerances": {
            "solomon_cost_above": COST_TOLERANCE,
            "weighted_served_below": SERVED_TOLERANCE,
        },
        "workers": WORKERS,
        "versions": _versions(),
        "cases": {
            r.name: {
                "kind": r.kind,
                "metric": r.metric,
                "value": r.value,
                "km": r.km,
                "served": r.served,
            }
            for r in results
        },
    }


def _versions() -> dict[str, str]:
    """Versions that the deterministic figures depend on."""
    out = {}
    for package in ("ortools", "numpy"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "absent"
    return out


# --------------------------------------------------------------------------- report


def table(results: list[CaseResult], verdicts: list[Verdict]) -> str:
    """Markdown table of the verdicts, with the run's figures where the case ran."""
    lines = [
        "| case | metric | value | baseline | change | km (Solomon: distance) | served | valid"
        " | s | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    by_name = {r.name: r for r in results}
    for v in verdicts:
        base = "-" if v.baseline is None else f"{v.baseline:g}"
        outcome = f"{'PASS' if v.ok else 'FAIL'}: {v.message}"
        r = by_name.get(v.name)
        if r is None:  # a baseline case the run lacks
            lines.append(f"| {v.name} | - | - | {base} | - | - | - | - | - | {outcome} |")
            continue
        change = "-"
        if v.baseline:
            change = f"{100 * (r.value - v.baseline) / v.baseline:+.2f}%"
        lines.append(
            f"| {r.name} | {r.metric} | {r.value:g} | {base} | {change} | {r.km:.1f} |"
            f" {r.served} | {'yes' if r.valid else 'NO'} | {r.seconds:.1f} | {outcome} |"
        )
    return "\n".join(lines)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.ci", description=__doc__)
    p.add_argument("--update-baseline", action="store_true", help="rewrite the baseline")
    p.add_argument("--baseline", type=Path, default=BASELINE, help="baseline JSON file")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the gate; 0 when every case passes, 1 otherwise (a missing baseline fails
    before any solve, unless --update-baseline is to write it)."""
    args = _parse_args(argv)
    if not args.update_baseline and not args.baseline.exists():
        print(
            f"baseline {args.baseline} not found: the gate has nothing to compare with"
            " (create it with `python -m benchmarks.ci --update-baseline`)",
            file=sys.stderr,
        )
        return 1
    started = time.perf_counter()
    results = run_all()
    if args.update_baseline:
        invalid = [r.name for r in results if not r.valid]
        if invalid:
            print(f"refusing to write a baseline with invalid plans: {invalid}", file=sys.stderr)
            return 1
        args.baseline.write_text(json.dumps(baseline_doc(results), indent=1) + "\n")
        print(f"baseline written to {args.baseline}")
    baseline = json.loads(args.baseline.read_text())
    verdicts = compare(results, baseline)
    print(table(results, verdicts))
    failed = [v for v in verdicts if not v.ok]
    total = time.perf_counter() - started
    print(f"\n{len(verdicts) - len(failed)}/{len(verdicts)} cases pass; total {total:.1f} s")
    if args.json is not None:
        doc = {"results": [asdict(r) for r in results], "verdicts": [asdict(v) for v in verdicts]}
        args.json.write_text(json.dumps(doc, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
