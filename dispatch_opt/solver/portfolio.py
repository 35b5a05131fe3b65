"""Use both cores: two different searches at once, keep the better plan.

The main process runs our search from our construction (and reports progress); a worker
process runs ruin-and-recreate started from another engine's routes when one is
installed and fits the instance (`solver.members`: PyVRP on VRPTW-like instances, VROOM
on field-service days). On plain VRPTW the main search is OR-Tools' guided local search
and the worker's rounds end in OR-Tools' descent; on field-service days (breaks or depot
pickups) both are our ruin-and-recreate alone (`solve._field_day`), the two differing in
their start and seed; on smaller such days the main search is OR-Tools' and the worker's
ours, without OR-Tools' descents when the time per ticket is short
(`RR_WORKER_S_PER_TICKET`). Under the deterministic option both run ruin-and-recreate with
different seeds: the answer depends only on the input, the seed and the number of
workers.
"""

from __future__ import annotations

import dataclasses
import os
import time
from multiprocessing import get_all_start_methods, get_context

from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.solver.members import choose_member
from dispatch_opt.solver.solve import (
    SolveParams,
    SolveResult,
    clock_deadline,
    has_breaks_or_pickups,
    our_construction,
    solve_instance,
    starts_from_construction,
    with_unreached,
)

PORTFOLIO_FROM = 30
"""Smaller batches are solved in one process: a second one would only cost start-up time."""

PORTFOLIO_SIDE_FROM = 10
"""Fewest tickets of a day with breaks or depot pickups solved by two processes on the
clock. Below FIELD_DAY_FROM tickets the main process runs OR-Tools' guided local search,
whose restore of a start with breaks can take most of the limit, so a second, different
search wins often. Measured on generated days (session 26, seeds 100-105, weighted
served): 15 and 25 tickets at 5 s, 591 in one process against 596 with a worker (4
better, none worse)."""

RR_WORKER_S_PER_TICKET = 0.15
"""On a day with breaks or depot pickups given less than this many seconds per ticket,
the worker runs our ruin-and-recreate alone (`metaheuristic="rr"`) instead of
ruin-and-recreate with OR-Tools' descents: with little time per ticket the descents'
cost leaves too few rounds. Measured on generated days of 15 to 55 tickets (session 26,
30 days each, against the old worker or none): at 2 s, weighted served 2,302 against
2,324 (13 better, 2 worse); at 5 s, 35-55 tickets (0.09-0.14 s a ticket) 1,715 against
1,728 (9 better, 2 worse). At 10 s (0.17-0.29 s a ticket, 35-58 tickets, 22 days) the
descents did better: 3,237 against 3,228 (9 better, 13 worse)."""

START_METHOD = "fork" if "fork" in get_all_start_methods() else "spawn"
"""Fork where the platform has it: instant, nothing to pickle, and no re-import of the
caller's main module (a script without a __main__ guard cannot hang the solve)."""

SPAWN_RESERVE_S = 0.2 if START_METHOD == "fork" else 1.5
"""Seconds a fresh worker process needs before it can search."""


FORK_FROM_S = 1.0
"""Seconds of search left after the construction below which no worker is forked: the
shared matrices, the fork and the wait for its answer cost more than a second search
that short can win (at 1,000 tickets given 1 s, forking with 0.1 s left answered in
1.28 s)."""

WORKER_GRACE_S = 0.5
"""How long past the deadline the answer still waits for the worker's result (its last
repair and fill); the contract's second of tolerance absorbs it (the planner's reserve
covers building the plan only, `planner.reserve_s`). With 1 s, and a
further 0.5 s join of a worker that never answered, a 3,000-ticket day given 8 s took
9.2 s in all (a VROOM member overrunning its share)."""


def _rr_worker(inst: RoutingInstance, params: SolveParams) -> bool:
    """Whether the worker searches without OR-Tools' model (`RR_WORKER_S_PER_TICKET`)."""
    return (
        has_breaks_or_pickups(inst)
        and params.time_limit_s < RR_WORKER_S_PER_TICKET * inst.n_tickets
    )


def _portfolio_from(inst: RoutingInstance, params: SolveParams) -> int:
    """Fewest tickets solved by two processes (deterministic solves keep PORTFOLIO_FROM,
    so their answers do not change)."""
    if has_breaks_or_pickups(inst) and not params.deterministic:
        return PORTFOLIO_SIDE_FROM
    return PORTFOLIO_FROM


def _worker_count(params: SolveParams) -> int:
    """Processes to use: the caller's `workers`, else every core."""
    return max(1, params.workers or os.cpu_count() or 1)


def _variant(inst: RoutingInstance, params: SolveParams) -> SolveParams:
    """The second member of the portfolio."""
    if params.deterministic:
        return dataclasses.replace(params, seed=params.seed + 1, progress=None)
    return dataclasses.replace(
        params,
        metaheuristic="rr" if _rr_worker(inst, params) else "lns",
        seed=params.seed + 1,
        progress=None,
        time_limit_s=max(0.1, params.time_limit_s - SPAWN_RESERVE_S),
    )


def _main_member(inst: RoutingInstance, params: SolveParams) -> str:
    """The main process's member: PyVRP too when it expresses the whole instance (two
    seeds of the strongest search beat one seed plus our guided local search there),
    else none (VROOM, on field-service days, runs in the worker only, and the main
    process keeps our own search as the other member of the race)."""
    if params.deterministic or params.member == "none":
        return "none"
    return "pyvrp" if choose_member(inst, params.member) == "pyvrp" else "none"


def _counted_from_start(result: SolveResult, ready_s: float) -> SolveResult:
    """`result` with its first-plan time counted from the portfolio's start: the
    `ready_s` seconds of shared matrices and forking come before either search."""
    if result.first_solution_s is None:
        return result
    return dataclasses.replace(result, first_solution_s=ready_s + result.first_solution_s)


def _better(a: SolveResult, b: SolveResult) -> SolveResult:
    """The result with the lower exact objective (ties keep `a`)."""
    return b if b.objective < a.objective else a


def warm_shared_matrices(inst: RoutingInstance) -> None:
    """Build the integer travel matrices before forking, so that both processes share
    one copy (read-only pages) instead of each building its own. At 3,000 tickets these
    are 5 matrices of 5,900^2 (one per speed factor, plus the overheads); with int64
    matrices the portfolio's peak PSS went from 4,060 MB to 2,225-2,447 MB (one run each)."""
    inst.drive_matrices(inst.speed_factors)
    _ = inst.arrival_overhead_s


def _child(conn, inst: RoutingInstance, params: SolveParams) -> None:
    """Worker process body: solve and send the result back (or None on failure)."""
    try:
        conn.send(solve_instance(inst, params))
    except Exception:  # reported to the parent as "no result"
        conn.send(None)
    finally:
        conn.close()


def solve_portfolio(inst: RoutingInstance, params: SolveParams) -> SolveResult:
    """Solve with two searches in parallel when there are cores and tickets for it.

    The worker gets a wall-clock deadline, and is stopped if it overruns it: a late or
    failed worker never delays or spoils the answer."""
    if _worker_count(params) < 2 or inst.n_tickets < _portfolio_from(inst, params):
        return solve_instance(inst, params)
    started = time.perf_counter()
    main = dataclasses.replace(params, member=_main_member(inst, params), early_plan=True)
    if not params.deterministic and params.metaheuristic == "auto":
        main = dataclasses.replace(main, metaheuristic="gls")
    variant = _variant(inst, params)
    if not params.deterministic:  # one wall-clock end for both, fixed before any work
        end = time.time() + params.time_limit_s
        if params.deadline_unix is not None:
            end = min(end, params.deadline_unix)
        variant = dataclasses.replace(variant, deadline_unix=end)
        main = dataclasses.replace(main, deadline_unix=end)
    built_s = None
    unreached: list[int] = []
    if starts_from_construction(inst, main):
        # Built once, before the fork: the first plan no longer waits for the shared
        # matrices and the fork (which construction half-builds anyway), and a worker
        # that needs it does not build it again.
        cut = None if params.deterministic else clock_deadline(main, started)
        built = our_construction(inst, main, cut, unreached)
        built_s = time.perf_counter() - started
        main = dataclasses.replace(main, prebuilt=built)
        variant = dataclasses.replace(variant, prebuilt=built)
        if cut is not None and cut - time.perf_counter() < FORK_FROM_S:
            # Little or no time left to search: no shared matrices, no fork, no wait for
            # a worker (at 5,000 tickets given 5 s those took 2 s past the limit).
            alone = solve_instance(inst, main)
            return with_unreached(dataclasses.replace(alone, first_solution_s=built_s), unreached)
    if START_METHOD == "fork":
        warm_shared_matrices(inst)
    ctx = get_context(START_METHOD)
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_child, args=(sender, inst, variant), daemon=True)
    worker.start()
    sender.close()
    ready = time.perf_counter() - started  # before either search: construction, matrices, fork
    first = solve_instance(inst, main)
    if built_s is not None:  # the main search's first plan is the one built before the fork
        first = dataclasses.replace(first, first_solution_s=built_s)
    else:
        first = _counted_from_start(first, ready)
    grace = WORKER_GRACE_S if not params.deterministic else max(30.0, 10 * params.time_limit_s)
    left = max(0.0, params.time_limit_s - (time.perf_counter() - started)) + grace
    second = None
    try:
        if receiver.poll(left):
            second = receiver.recv()
    except (EOFError, OSError):
        second = None
    finally:
        receiver.close()
        if second is not None:  # it is exiting: let it
            worker.join(timeout=0.5)
        if worker.is_alive():  # late or stuck: no more waiting for it
            worker.terminate()
            worker.join(timeout=1.0)
    if second is None:
        return with_unreached(first, unreached)
    second = _counted_from_start(second, ready)
    best = _better(first, second)
    best = with_unreached(best, unreached)
    return dataclasses.replace(
        best,
        time_s=time.perf_counter() - started,
        first_solution_s=min(
            (r.first_solution_s for r in (first, second) if r.first_solution_s is not None),
            default=None,
        ),
        status=f"{best.status} ({'ruin-recreate' if best is second else 'main'})",
    )
