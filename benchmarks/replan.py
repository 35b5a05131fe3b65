"""Re-plan benchmark: one new urgent ticket on a day under way, with and without the
stability cost.

    python -m benchmarks.replan --sizes 200,1000 --repeats 3 --out DIR

For each size, the field-service case (`benchmarks.fieldservice.make_case`) is planned
once (`--base-budget` seconds), the state of the day is read off that plan at 30 % of
the horizon with a 60-minute freeze, and then, per repeat, a new urgent ticket (the
skills of a random open ticket, near it) arrives and the day is re-planned three ways:
insertion only (the previous plan, repaired, plus cheapest insertion; no search), a
re-plan with the stability cost (default weights), and one without it, both with the
default re-plan budget (0.01 s a ticket, 1..20 s). Each plan goes
through the independent validator. Reported: medians of the wall time and of churn
(tickets that changed technician, starts moved beyond the 30-minute tolerance).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time
from pathlib import Path

import numpy as np

from benchmarks.fieldservice import make_case
from dispatch_opt.domain.problem import Priority, Problem, Ticket
from dispatch_opt.domain.state import NO_STABILITY
from dispatch_opt.io import parse_problem
from dispatch_opt.planner import solve_problem
from dispatch_opt.replan import default_replan_time_limit_s, replan
from dispatch_opt.replan.events import urgent_ticket
from dispatch_opt.replan.from_plan import state_from_plan
from dispatch_opt.validate import validate_plan


def _urgent(problem: Problem, rng: np.random.Generator, n: int) -> Ticket:
    """A new urgent ticket: the skills of a random open ticket, about 1 km from it."""
    done = set(problem.state.done) if problem.state else set()
    pool = [t for t in problem.tickets if t.id not in done]
    base = pool[int(rng.integers(len(pool)))]
    loc = dataclasses.replace(
        base.location,
        lat=base.location.lat + float(rng.normal(0, 0.006)),
        lon=base.location.lon + float(rng.normal(0, 0.006)),
    )
    return Ticket(
        id=f"URGENT-{n}", location=loc, duration_min=45.0, skills=dict(base.skills),
        priority=Priority.URGENT,
    )  # fmt: skip


def _run(problem: Problem, **kw) -> dict:
    """Re-plan, validate, and measure."""
    t0 = time.perf_counter()
    plan = replan(problem, **kw)
    took = time.perf_counter() - t0
    report = validate_plan(problem, plan)
    churn = plan.churn
    assert churn is not None
    served = {tid for r in plan.routes for tid in r.ticket_ids}
    return {
        "time_s": took,
        "valid": report.ok,
        "urgent_served": any(t.startswith("URGENT-") for t in served),
        "reassigned": len(churn.reassigned),
        "moved": len(churn.moved),
        "calls": len(churn.calls),
        "status": plan.solver.status,
    }


def bench(size: int, repeats: int, base_budget: float, workers: int | None) -> dict:
    """All runs of one size."""
    problem = parse_problem(make_case(size).problem_dict(workers))
    t0 = time.perf_counter()
    plan = solve_problem(problem, time_limit_s=base_budget)
    base_s = time.perf_counter() - t0
    h = problem.horizon
    now = h.start + (h.end - h.start) * 0.3
    day = state_from_plan(problem, plan, now, freeze_min=60.0)
    rng = np.random.default_rng(size)
    runs: dict[str, list[dict]] = {"insertion_only": [], "stability": [], "no_stability": []}
    calm = dataclasses.replace(day.state, stability=NO_STABILITY)
    for n in range(repeats):
        new = _urgent(day, rng, n)
        event = urgent_ticket(day, new)
        runs["insertion_only"].append(_run(event, search=False))
        limit = default_replan_time_limit_s(event)
        runs["stability"].append(_run(event, time_limit_s=limit))
        runs["no_stability"].append(
            _run(dataclasses.replace(event, state=calm), time_limit_s=limit)
        )
    summary = {
        mode: {
            "median_time_s": round(statistics.median(r["time_s"] for r in rs), 3),
            "median_reassigned": statistics.median(r["reassigned"] for r in rs),
            "median_moved": statistics.median(r["moved"] for r in rs),
            "all_valid": all(r["valid"] for r in rs),
            "urgent_served": sum(r["urgent_served"] for r in rs),
        }
        for mode, rs in runs.items()
    }
    return {
        "size": size,
        "technicians": len(problem.technicians),
        "base_plan_s": round(base_s, 2),
        "now": now.isoformat(),
        "open_tickets": len(problem.tickets) - len(day.state.done),
        "repeats": repeats,
        "summary": summary,
        "runs": runs,
    }


def main() -> None:
    """Command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,1000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--base-budget", type=float, default=30.0, dest="base_budget")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        result = bench(size, args.repeats, args.base_budget, args.workers)
        results.append(result)
        print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=1))
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "replan.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
