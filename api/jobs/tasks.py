"""What a worker process computes, by kind: solve a problem, re-plan a day, run a what-if.

Each task takes the request's JSON text (validated by the server already; parsed again
here, in the child), the time limit, the most CPU processes it may use and a progress
callback, and returns the result JSON text with its final progress. A plan is always
checked by the library's validator first (a re-plan as one): a plan that breaks a rule is
a failure (`invalid_plan`), never a result.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any

from api.inputs.replan import read_replan
from api.inputs.scenario import read_scenario, scenario_result
from dispatch_opt.domain import Problem
from dispatch_opt.errors import InputError
from dispatch_opt.io import parse_problem, plan_to_dict
from dispatch_opt.planner import solve_problem
from dispatch_opt.solver.solve import Progress
from dispatch_opt.validate import format_report, validate_plan
from dispatch_opt.whatif import Outcome, run_whatif

ProgressFn = Callable[[dict[str, Any]], None]
Task = Callable[[str, float, int, ProgressFn, float], tuple[str, dict[str, Any]]]


class TaskFailed(Exception):
    """A task that ended without a result: a stable code and the detail."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def _elapsed(started: float) -> float:
    """Seconds since `started`, rounded for clients."""
    return round(time.perf_counter() - started, 3)


def _plan(
    problem: Problem, limit_s: float, max_workers: int, progress: ProgressFn, started: float
) -> tuple[str, dict[str, Any]]:
    """Plan a problem (re-planned from its state when it has one) on at most `max_workers`
    processes, validate, and return the plan JSON with the final progress."""
    workers = min(problem.solve.workers or max_workers, max_workers)
    problem = dataclasses.replace(
        problem, solve=dataclasses.replace(problem.solve, workers=workers)
    )
    solutions = 0

    def on_progress(p: Progress) -> None:
        nonlocal solutions
        solutions = int(p.solutions)
        progress(
            {
                "elapsed_s": round(float(p.elapsed_s), 3),
                "best_objective": int(p.objective),
                "solutions": solutions,
                "tickets_placed": None,  # known once done
            }
        )

    plan = solve_problem(problem, time_limit_s=limit_s, progress=on_progress, started=started)
    report = validate_plan(problem, plan)
    if not report.ok:
        raise TaskFailed("invalid_plan", format_report(report))
    final = {
        "elapsed_s": _elapsed(started),
        "best_objective": int(plan.solver.objective),
        "solutions": solutions,
        "tickets_placed": plan.kpis.assigned,
    }
    return json.dumps(plan_to_dict(plan)), final


def solve_task(
    payload: str, limit_s: float, max_workers: int, progress: ProgressFn, started: float
) -> tuple[str, dict[str, Any]]:
    """A contract problem in, its plan out."""
    return _plan(parse_problem(payload), limit_s, max_workers, progress, started)


def replan_task(
    payload: str, limit_s: float, max_workers: int, progress: ProgressFn, started: float
) -> tuple[str, dict[str, Any]]:
    """A /v1/replan body in (state, events), the re-plan with its churn out; an input
    error found while re-planning is named under the body's `problem`."""
    problem = read_replan(payload)
    try:
        return _plan(problem, limit_s, max_workers, progress, started)
    except InputError as exc:
        raise InputError([i.under("problem") for i in exc.issues]) from None


def scenario_task(
    payload: str, limit_s: float, max_workers: int, progress: ProgressFn, started: float
) -> tuple[str, dict[str, Any]]:
    """A what-if scenario in, the comparison out; its solves share `max_workers` cores (a
    pool, when more than one, inside this process group, so a cancel stops it too)."""
    spec = read_scenario(payload, limit_s)

    def on_solved(_: Outcome, done: int, total: int) -> None:
        progress({"elapsed_s": _elapsed(started), "solves_done": done, "solves_total": total})

    result = run_whatif(
        spec, workers=max_workers, deterministic=spec.base.solve.deterministic, progress=on_solved
    )
    n = len(result.outcomes)
    final = {"elapsed_s": _elapsed(started), "solves_done": n, "solves_total": n}
    return json.dumps(scenario_result(result)), final


TASKS: dict[str, Task] = {"solve": solve_task, "replan": replan_task, "scenario": scenario_task}
"""Task of each kind."""
