"""Travel at equal work: where dispatch-opt's extra km on a field-service day come from.

    python -m benchmarks.travel_attribution --size 200 --budget 30 --runs 3 --out DIR

The field-service benchmark compares whole plans, and dispatch-opt serves more weight
and keeps more SLA promises than VROOM, so its km also pay for that extra work. This
benchmark separates the causes. On the same generated day as `benchmarks.fieldservice`:

1. dispatch-opt and VROOM each plan the day (same budget, both cores), as there;
2. each one's *served set* is then re-routed by our search (OR-Tools guided local search
   on the full model, every other ticket made inactive, for the same budget), once under
   the default objective (SLA lateness priced at 10 a minute, travel at 1) and once with
   SLA lateness priced at zero (VROOM's own objective: tickets served, then travel);
3. dispatch-opt also plans the whole day with SLA lateness priced at zero.

Re-routing keeps the served set (a route the exact timing rejects is repaired, which may
drop a ticket: the table reports what is served). Every plan is built by `build_plan` and
checked by the independent validator. Figures are medians over `--runs` runs.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.fieldservice import REPO, auto_budget, make_case, screen_routes
from dispatch_opt.domain.plan import Plan, SolverStats
from dispatch_opt.domain.problem import Problem
from dispatch_opt.io import parse_problem
from dispatch_opt.plan_builder import build_plan
from dispatch_opt.planner import initial_routes, solve_problem
from dispatch_opt.routing.compile import Compiled, compile_problem
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.solver.ortools_model import build_model
from dispatch_opt.solver.solve import SolveParams, descent, search_parameters
from dispatch_opt.validate import validate_plan

Labels = tuple[str, str, str]
"""(whose served set, routed by, objective) of a row."""

DEFAULT_SLA = "default objective"
NO_SLA = "SLA lateness priced 0"


@dataclass
class Row:
    """One plan of the table: whose served set, how it was routed, its KPIs."""

    run: int
    served_set: str
    routed_by: str
    objective: str
    served: int
    weighted: int
    sla_met_rate: float
    late_min: float
    travel_km: float
    valid: bool


def reroute(inst: RoutingInstance, routes: list[list[int]], budget_s: float) -> list[list[int]]:
    """`routes` improved by guided local search on the full model with the served set
    fixed (every ticket they leave out is made inactive), each route then repaired until
    the exact timing accepts it (the search's own `descent`)."""
    model = build_model(inst)
    served = {n for r in routes for n in r}
    first = 2 * inst.n_vehicles
    for m, node in enumerate(model.model_nodes[first:], start=first):
        if inst.is_ticket(int(node)) and int(node) not in served:
            model.routing.ActiveVar(model.manager.NodeToIndex(m)).SetValue(0)
    return descent(inst, model, search_parameters(inst, SolveParams(), budget_s))(routes)


def _without_sla(problem_dict: dict) -> dict:
    """The same day with SLA lateness priced at zero."""
    out = copy.deepcopy(problem_dict)
    out.setdefault("objective", {})["sla_late_per_min"] = 0
    return out


def _row(
    run: int, problem: Problem, compiled: Compiled, routes: list[list[int]], labels: Labels
) -> Row:
    """Build and validate the plan of `routes` on the day under the default objective
    (`compiled` is `problem` compiled)."""
    plan: Plan = build_plan(
        problem, compiled.instance, routes, compiled.reasons, SolverStats(engine=labels[1])
    )
    k = plan.kpis
    return Row(
        run,
        *labels,
        served=k.assigned,
        weighted=k.weighted_served,
        sla_met_rate=k.sla_met_rate,
        late_min=k.late_min,
        travel_km=k.travel_km,
        valid=validate_plan(problem, plan).ok,
    )


def run_once(run: int, size: int, budget: float) -> list[Row]:
    """Every row of the table, once."""
    from benchmarks.peers.fs_vroom import solve_vroom

    raw = make_case(size).problem_dict(2)
    problem, no_sla = parse_problem(raw), parse_problem(_without_sla(raw))
    compiled = compile_problem(problem)
    inst, inst_no_sla = compiled.instance, compile_problem(no_sla).instance

    def row(routes: list[list[int]], labels: Labels) -> Row:
        return _row(run, problem, compiled, routes, labels)

    ours = solve_problem(problem, time_limit_s=budget)
    ours_routes = initial_routes(problem, ours, inst)
    rows = [row(ours_routes, ("dispatch-opt", "dispatch-opt", DEFAULT_SLA))]
    theirs = screen_routes(inst, solve_vroom(inst, budget, threads=2).routes).routes
    rows.append(row(theirs, ("vroom", "vroom", "its own")))
    for name, routes in (("dispatch-opt", ours_routes), ("vroom", theirs)):
        for label, target in ((DEFAULT_SLA, inst), (NO_SLA, inst_no_sla)):
            rows.append(
                row(reroute(target, routes, budget), (name, "dispatch-opt re-route", label))
            )
    whole = solve_problem(no_sla, time_limit_s=budget)
    whole_routes = initial_routes(no_sla, whole, inst_no_sla)
    rows.append(row(whole_routes, ("dispatch-opt", "dispatch-opt", NO_SLA)))
    return rows


def medians(rows: list[Row]) -> list[dict]:
    """Per (served set, routed by, objective): the median of every figure over the runs."""
    groups: dict[tuple[str, str, str], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.served_set, r.routed_by, r.objective), []).append(r)
    out = []
    for (served_set, routed_by, objective), group in groups.items():
        med = {
            f: statistics.median(getattr(r, f) for r in group)
            for f in ("served", "weighted", "sla_met_rate", "late_min", "travel_km")
        }
        out.append(
            {
                "served_set": served_set,
                "routed_by": routed_by,
                "objective": objective,
                "runs": len(group),
                "all_valid": all(r.valid for r in group),
                **med,
            }
        )
    return out


def markdown(table: list[dict], size: int, budget: float) -> str:
    """The medians as a Markdown table, km relative to VROOM's own plan."""
    base = next(t["travel_km"] for t in table if t["routed_by"] == "vroom")
    lines = [
        f"# Travel at equal work, {size} tickets, {budget:g} s per search",
        "",
        "| served set | routed by | objective | runs | served | weighted | SLA met "
        "| late min | km | km / VROOM's | valid |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for t in table:
        lines.append(
            f"| {t['served_set']} | {t['routed_by']} | {t['objective']} | {t['runs']} "
            f"| {t['served']:g} | {t['weighted']:g} | {100 * t['sla_met_rate']:.1f}% "
            f"| {t['late_min']:.0f} | {t['travel_km']:.1f} | x{t['travel_km'] / base:.3f} "
            f"| {'yes' if t['all_valid'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.travel_attribution", description=__doc__)
    p.add_argument("--size", type=int, default=200)
    p.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds per search (default: as benchmarks.fieldservice)",
    )
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "travel")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    budget = args.budget or auto_budget(args.size)
    rows: list[Row] = []
    started = time.perf_counter()
    for run in range(args.runs):
        rows.extend(run_once(run, args.size, budget))
        print(
            f"run {run + 1}/{args.runs} done after {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    table = medians(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"travel-{args.size}"
    (args.out / f"{stem}.json").write_text(
        json.dumps(
            {
                "size": args.size,
                "budget_s": budget,
                "medians": table,
                "runs": [asdict(r) for r in rows],
            },
            indent=1,
        )
    )
    text = markdown(table, args.size, budget)
    (args.out / f"{stem}.md").write_text(text)
    print(text)
    return 0 if all(t["all_valid"] for t in table) else 1


if __name__ == "__main__":
    raise SystemExit(main())
