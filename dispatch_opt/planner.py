"""The library's front door: plan a Problem end to end (compile, search, build the Plan).

The time limit bounds the whole answer: what compiling took is taken off the search
budget, and a small reserve is kept for building the plan.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable

from dispatch_opt.domain.plan import Plan, SolverStats, StopKind
from dispatch_opt.domain.problem import Problem
from dispatch_opt.plan_builder import build_plan
from dispatch_opt.routing.compile import compile_problem
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.pages import ordinary_pages
from dispatch_opt.routing.parts import running_stock_ok
from dispatch_opt.solver.portfolio import FORK_FROM_S, solve_portfolio
from dispatch_opt.solver.solve import Progress, SolveParams, SolveResult

ENGINE = "dispatch-opt/ortools"


def default_time_limit_s(problem: Problem) -> float:
    """Default budget growing with the batch: 5 s small, 0.1 s a ticket, at most 120 s."""
    return float(min(120.0, max(5.0, 0.1 * len(problem.tickets))))


def initial_routes(problem: Problem, plan: Plan, inst: RoutingInstance) -> list[list[int]]:
    """Instance nodes of an earlier plan's routes, for every technician of `problem`
    (tickets no longer in the problem are skipped); the plan's depot stops come back as
    pickup nodes where a ticket needs them."""
    ticket_node = {t.id: inst.ticket_node(k) for k, t in enumerate(problem.tickets)}
    depot_index = {d.id: i for i, d in enumerate(problem.depots)}
    by_tech = {r.technician: r for r in plan.routes}
    used: set[int] = set()
    routes = []
    for v, tech in enumerate(problem.technicians):
        nodes: list[int] = []
        route = by_tech.get(tech.id)
        last_depot: tuple[int, int] | None = None  # (depot, position in nodes)
        for stop in route.stops if route is not None else ():
            if stop.kind is StopKind.DEPOT and stop.id in depot_index:
                last_depot = (depot_index[stop.id], len(nodes))
            elif stop.kind is StopKind.TICKET and stop.id in ticket_node:
                nodes.append(ticket_node[stop.id])
                if inst.n_pickups:
                    _restore_pickup(inst, v, nodes, last_depot, used)
        routes.append(nodes)
    return routes


def _restore_pickup(
    inst: RoutingInstance,
    v: int,
    nodes: list[int],
    last_depot: tuple[int, int] | None,
    used: set[int],
) -> None:
    """When the ticket just appended runs the van short, put one of its ways to fetch
    its parts back (one pickup node, or those of a split load): where the earlier plan
    stopped at that depot when it starts there, else right before the ticket."""
    if running_stock_ok(inst, v, nodes):
        return
    k = inst.ticket_of(nodes[-1])
    options = [g for g in inst.pickup_groups[k] if not any(p in used for p in g)]
    if not options:
        return
    at = len(nodes) - 1
    if last_depot is not None:
        same = [g for g in options if inst.pickup_depot[inst.pickup_of(g[0])] == last_depot[0]]
        if same:
            options, at = same, last_depot[1]
    nodes[at:at] = options[0]
    used.update(options[0])


def reserve_s(n_tickets: int) -> float:
    """Seconds of the time limit kept back for building and writing the plan after the
    search (re-planning keeps the same): 0.28 s at 1,000 tickets, 0.8 s at 5,000. Building
    took 0.05-0.21 s at 2,000-5,000 tickets (a whole plan, or one of a tight limit whose
    unserved tickets each need a reason), and an ample search overran its budget by up to
    0.6 s at 5,000. The reserve no longer covers a worker that answers late (up to
    `portfolio.WORKER_GRACE_S` past the search's end): the contract's second of tolerance
    does; such answers came 0.1 s past the limit at 3,000 tickets and 5 s."""
    return 0.15 + 0.00013 * n_tickets


def build_reserve_s(n_tickets: int) -> float:
    """The reserve when the search is too short to fork a second one (see
    `portfolio.FORK_FROM_S`), so that no worker can answer late: building alone, 0.05-0.21
    s measured at 2,000-5,000 tickets (0.17 s kept at 3,000, 0.25 s at 5,000)."""
    return 0.05 + 0.00004 * n_tickets


def search_budget_s(limit_s: float, elapsed_s: float, n_tickets: int) -> float:
    """Seconds the search may take of `limit_s` after `elapsed_s`, keeping the reserve for
    building the plan: only building's while the search is too short for a fork (a tight
    limit's construction gets the rest), the whole `reserve_s` once it leaves a fork's
    worth; in between `FORK_FROM_S`, too short for a fork after any construction. At
    least 0.1 s, and never less for a later `elapsed_s` or a longer `limit_s`: switching
    reserves outright gave 3,000 tickets compiled in 0.6 s of a 2 s limit 0.86 s, where
    compiled in 1.0 s they had 0.83 s."""
    building_only = limit_s - elapsed_s - build_reserve_s(n_tickets)
    whole_reserve = limit_s - elapsed_s - reserve_s(n_tickets)
    return max(0.1, min(building_only, FORK_FROM_S), whole_reserve)


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """How one call searches: the caller's overrides, else the problem's `solve` section,
    else the default budget of the kind of call (planning, re-planning)."""

    limit_s: float
    seed: int
    deterministic: bool
    workers: int | None
    progress: Callable[[Progress], None] | None

    @classmethod
    def of(
        cls,
        problem: Problem,
        default_limit_s: float,
        *,
        time_limit_s: float | None,
        seed: int | None,
        deterministic: bool | None,
        progress: Callable[[Progress], None] | None,
    ) -> RunOptions:
        """Resolve the options of a call on `problem`."""
        opts = problem.solve
        return cls(
            limit_s=time_limit_s or opts.time_limit_s or default_limit_s,
            seed=opts.seed if seed is None else seed,
            deterministic=opts.deterministic if deterministic is None else deterministic,
            workers=opts.workers,
            progress=progress,
        )


def portfolio_search(
    inst: RoutingInstance,
    run: RunOptions,
    *,
    started: float,
    initial_routes: list[list[int]] | None = None,
    member: str = "auto",
) -> SolveResult:
    """The portfolio search on what is left of `run.limit_s` since `started`, less the
    reserve for building the plan (`search_budget_s`); re-planning searches the same way."""
    elapsed = time.perf_counter() - started
    params = SolveParams(
        time_limit_s=search_budget_s(run.limit_s, elapsed, inst.n_tickets),
        seed=run.seed,
        deterministic=run.deterministic,
        progress=run.progress,
        workers=run.workers,
        member=member,
        initial_routes=initial_routes,
    )
    return solve_portfolio(inst, params)


def engine_name(status: str) -> str:
    """The engine label of a plan: ours, plus the member whose routes seeded the search
    that won (its status starts with `member_<name>+`)."""
    seeded = re.match(r"member_([a-z]+)\+", status)
    return ENGINE if seeded is None else f"{ENGINE}+{seeded[1]}"


@ordinary_pages()  # the large matrices: see `routing.pages`
def solve_problem(
    problem: Problem,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    deterministic: bool | None = None,
    progress: Callable[[Progress], None] | None = None,
    started: float | None = None,
    warm_start: Plan | None = None,
    member: str = "auto",
) -> Plan:
    """Plan `problem`; options given here override the problem's `solve` section.

    `member` picks another engine for the portfolio to start from (see
    `dispatch_opt.solver.members`): "auto" (whatever is installed and fits), "none",
    "pyvrp" or "vroom".

    `warm_start` is an earlier plan whose routes (tickets still in the problem, in the
    same order) seed the search; the answer is never worse than it when it is feasible.
    A problem with a `state` is re-planned from it (`dispatch_opt.replan.replan`).
    """
    if problem.state is not None:  # the day is under way: plan what is left of it
        from dispatch_opt.replan import replan

        return replan(
            problem,
            time_limit_s=time_limit_s,
            seed=seed,
            deterministic=deterministic,
            progress=progress,
            started=started,
        )
    t0 = time.perf_counter() if started is None else started
    run = RunOptions.of(
        problem,
        default_time_limit_s(problem),
        time_limit_s=time_limit_s,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )
    compiled = compile_problem(problem)
    compile_s = time.perf_counter() - t0
    warm = None if warm_start is None else initial_routes(problem, warm_start, compiled.instance)
    result = portfolio_search(
        compiled.instance, run, started=t0, initial_routes=warm, member=member
    )
    stats = SolverStats(
        engine=engine_name(result.status),
        objective=result.objective,
        seed=run.seed,
        first_solution_s=result.first_solution_s,
        compile_s=compile_s,
        status=result.status,
    )
    plan = build_plan(
        problem, compiled.instance, result.routes, compiled.reasons, stats, result.unreached
    )
    total_s = time.perf_counter() - t0
    return dataclasses.replace(plan, solver=dataclasses.replace(plan.solver, time_s=total_s))
