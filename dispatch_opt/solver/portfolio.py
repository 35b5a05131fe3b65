"""Use both cores: two different searches at once, keep the better plan.

The main process runs guided local search (and reports progress); a worker process runs
ruin-and-recreate around OR-Tools' descent. They win on different problems (ruin and
recreate on uniform VRPTW benchmarks, guided local search on some field-service days),
so racing them is better than either alone. Under the deterministic option both run
ruin-and-recreate with different seeds: the answer depends only on the input, the seed
and the number of workers.
"""

from __future__ import annotations

import dataclasses
import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from dispatch_opt.routing.cost import routes_cost
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.solver.solve import SolveParams, SolveResult, solve_instance

PORTFOLIO_FROM = 30
"""Smaller batches are solved in one process: a second one would only cost start-up time."""

SPAWN_RESERVE_S = 1.5
"""Seconds a fresh worker process needs before it can search (imports, unpickling)."""


def _worker_count(params: SolveParams) -> int:
    """Processes to use: the caller's `workers`, else every core."""
    return max(1, params.workers or os.cpu_count() or 1)


def _variant(params: SolveParams) -> SolveParams:
    """The second member of the portfolio."""
    if params.deterministic:
        return dataclasses.replace(params, seed=params.seed + 1, progress=None)
    return dataclasses.replace(
        params,
        metaheuristic="lns",
        progress=None,
        time_limit_s=max(0.1, params.time_limit_s - SPAWN_RESERVE_S),
    )


def _better(inst: RoutingInstance, a: SolveResult, b: SolveResult) -> SolveResult:
    """The result with the lower exact objective (ties keep `a`)."""
    cost_a, cost_b = routes_cost(inst, a.routes), routes_cost(inst, b.routes)
    if cost_b is not None and (cost_a is None or cost_b < cost_a):
        return b
    return a


def solve_portfolio(inst: RoutingInstance, params: SolveParams) -> SolveResult:
    """Solve with two searches in parallel when there are cores and tickets for it."""
    if _worker_count(params) < 2 or inst.n_tickets < PORTFOLIO_FROM:
        return solve_instance(inst, params)
    started = time.perf_counter()
    main = (
        params
        if params.deterministic or params.metaheuristic != "auto"
        else dataclasses.replace(params, metaheuristic="gls")
    )
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        future = pool.submit(solve_instance, inst, _variant(params))
        first = solve_instance(inst, main)
        try:
            second = future.result(timeout=max(5.0, 2 * params.time_limit_s))
        except Exception:  # a failed or late worker never costs the answer
            return first
    best = _better(inst, first, second)
    return dataclasses.replace(
        best,
        time_s=time.perf_counter() - started,
        first_solution_s=min(
            (r.first_solution_s for r in (first, second) if r.first_solution_s is not None),
            default=None,
        ),
        status=f"{best.status} ({'lns' if best is second else 'main'})",
    )
