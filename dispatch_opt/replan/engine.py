"""Re-plan the rest of the day: residual problem, held visits timed, warm start, search,
churn.

`replan(problem)` takes a problem with a `state` and answers a Plan of the residual
problem (`replan.residual`): every route starts where its technician is now, visits in
progress and frozen or confirmed ones keep their technician, order and start, and the
stability cost makes moving other planned visits cost something. The previous plan,
repaired where it no longer fits and with new tickets inserted, is the first solution,
and when nothing is new and it still holds with no start moving beyond the tolerance,
it is the answer (no search at all).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from dispatch_opt.domain.plan import (
    Churn,
    Moved,
    Plan,
    PlanStatus,
    Reassigned,
    SolverStats,
    StopKind,
)
from dispatch_opt.domain.problem import Problem
from dispatch_opt.plan_builder import build_plan
from dispatch_opt.planner import RunOptions, portfolio_search
from dispatch_opt.replan.residual import Residual, residual_problem
from dispatch_opt.routing.compile import Compiled, Previous, compile_problem
from dispatch_opt.routing.cost import routes_cost
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.pages import ordinary_pages
from dispatch_opt.routing.parts import depots_overdrawn, drop_idle_pickups, open_pickups
from dispatch_opt.routing.timeline import (
    RouteSchedule,
    route_drive_s,
    route_feasible,
    route_ok,
    schedule_route,
)
from dispatch_opt.solver.construct import construct
from dispatch_opt.solver.required import ensure_required, force_in
from dispatch_opt.solver.solve import Progress, repair_route

ENGINE = "dispatch-opt/ortools (re-plan)"
MAX_PASSES = 5
"""Compile passes at most: each pass after the first applies what the one before found (a
technician who cannot get home inside the horizon, a late one, a held chain that no
longer fits), several kinds at once when they come together. The example day needed 3 at
most (every 20 min of the day, each technician overrunning 0, 120, 400 or 900 min, freeze
0 or 1440 min)."""


@dataclass
class Prepared:
    """A residual problem compiled, with held visits at their exact starts, and the
    previous plan as instance routes."""

    residual: Residual
    compiled: Compiled
    warm: list[list[int]]

    @property
    def instance(self) -> RoutingInstance:
        """The numeric instance."""
        return self.compiled.instance


def default_replan_time_limit_s(problem: Problem) -> float:
    """A re-plan starts from a good plan: 0.01 s a ticket, at least 1 s, at most 20 s."""
    return float(min(20.0, max(1.0, 0.01 * len(problem.tickets))))


def _previous(res: Residual) -> Previous:
    """The previous plan's technician and start per open ticket, with the weights."""
    return Previous(
        technician={t: a.technician for t, a in res.previous.items()},
        start={t: a.start for t, a in res.previous.items()},
        stability=res.state.stability,
    )


def _chains(res: Residual, inst: RoutingInstance) -> list[list[int]]:
    """Per vehicle, the nodes of its held visits in order."""
    node = {tid: inst.ticket_node(k) for k, tid in enumerate(inst.ticket_ids)}
    out: list[list[int]] = []
    for tech_id, ids in zip(inst.vehicle_ids, res.warm, strict=True):
        held = [t for t in ids if t in res.held and res.held[t].technician == tech_id]
        out.append([node[t] for t in held])
    return out


def _start_moves_s(inst: RoutingInstance, sched: RouteSchedule) -> Iterator[int]:
    """Seconds each ticket of the previous plan starts away from its start there."""
    for node, start in zip(sched.nodes, sched.start_s, strict=True):
        if inst.is_ticket(node):
            promised = int(inst.prev_start_s[inst.ticket_of(node)])
            if promised >= 0:
                yield abs(start - promised)


def _fetch_parts(inst: RoutingInstance, v: int, nodes: list[int], left: np.ndarray) -> list[int]:
    """The route with depot pickups put back where its van runs short of parts (a
    previous plan names its tickets, not its depot stops): for each short ticket, a
    pickup of its own (or those of a split load) placed where the starts stay closest
    to the previous plan's (then where the day ends earliest); `left` is depot stock
    still free."""
    route = list(nodes)
    i = 0
    while i < len(route):
        level = inst.stock[v] + inst.parts_delta[np.asarray(route[: i + 1])].sum(axis=0)
        node = route[i]
        if not inst.is_ticket(node) or (level >= 0).all():
            i += 1
            continue
        best = None
        for group in open_pickups(inst, inst.ticket_of(node), left, set(route)):
            for trial in _fetch_placements(route, group, i):
                sched = schedule_route(inst, v, trial)
                if sched is None:
                    continue
                key = (sum(_start_moves_s(inst, sched)), sched.end_arrival_s)
                if best is None or key < best[0]:
                    best = (key, trial, group)
        if best is None:
            i += 1
            continue
        route = best[1]
        for pickup in best[2]:
            p = inst.pickup_of(pickup)
            left[inst.pickup_depot[p]] -= inst.pickup_load[p]
        i += 1 + len(best[2])
    return route


SPLIT_PLACEMENT_REACH = 6
"""Stops before a ticket among which the pickups of a split load over three or more depots
are placed apart when a re-plan puts them back: every placement over a long route would
be C(stops + 3, 3) timings per order (1,771 at 20 stops), these at most C(9, 3) = 84."""


def _fetch_placements(
    route: list[int], group: tuple[int, ...], i: int, lowest: int | None = None
) -> Iterator[list[int]]:
    """`route` with the pickups of `group` put before its stop i, in their order, every
    way: the last pickup at each position from i back, the others before it likewise
    (the previous plan may have had stops between the depots of a split load); a group
    of three or more only from `SPLIT_PLACEMENT_REACH` stops before i on."""
    if not group:
        yield route
        return
    if lowest is None:
        lowest = max(0, i - SPLIT_PLACEMENT_REACH) if len(group) > 2 else 0
    for pos in range(i, lowest - 1, -1):
        placed = [*route[:pos], group[-1], *route[pos:]]
        yield from _fetch_placements(placed, group[:-1], pos, lowest)


def _late_minutes(inst: RoutingInstance, v: int, base: list[int]) -> float | None:
    """Overtime minutes a late technician needs to finish its anchor and reach its end
    place, or None when even the horizon is too short (it is stranded)."""
    this = np.arange(inst.n_vehicles) == v
    lifted = dataclasses.replace(
        inst,
        latest_end_s=np.where(this, inst.horizon_s, inst.latest_end_s),
        idle_end_s=np.where(this, inst.horizon_s, inst.idle_end_s),
    )
    sched = schedule_route(lifted, v, base)
    if sched is None:
        return None
    latest = int((inst.latest_end_s if base else inst.idle_end_s)[v])
    return math.ceil(max(0, sched.end_arrival_s - latest) / 60.0) + 1.0


def _homebound_minutes(
    inst: RoutingInstance, v: int, base: list[int], chain: list[int]
) -> float | None:
    """Driving minutes a technician needs to do its anchor and get home, when that alone
    is more than its driving limit and its held chain, when it holds, is no shorter
    (None when it keeps within it: on a given matrix the way home through its held
    visits may drive less than the direct leg)."""
    limit = int(inst.max_travel_s[v])
    drive = route_drive_s(inst, v, base)
    if limit < 0 or drive <= limit:
        return None
    kept = len(chain) > len(base) and route_drive_s(inst, v, chain) <= limit
    if kept and route_feasible(inst, v, chain):
        return None
    return float(math.ceil(drive / 60.0))


def prepare(problem: Problem) -> Prepared:
    """Compile the residual problem, widening a late technician's day, ending the day
    where it is of one who cannot get home inside the horizon, sending home one whose
    drive home alone breaks its driving limit (both release their other held visits) and
    releasing held visits whose chain no longer fits, then fix the held visits' starts."""
    released: set[str] = set()
    extra: dict[str, float] = {}
    stranded: set[str] = set()
    homebound: dict[str, float] = {}
    for _ in range(MAX_PASSES):
        res = residual_problem(
            problem,
            released=frozenset(released),
            extra_overtime_min=extra,
            stranded=frozenset(stranded),
            homebound_min=homebound,
        )
        compiled = compile_problem(res.problem, _previous(res), day_under_way=True)
        inst = compiled.instance
        chains = _chains(res, inst)
        changed = False
        for v, chain in enumerate(chains):
            base = chain[:1] if chain and res.held[_tid(inst, chain[0])].anchor else []
            if not route_feasible(inst, v, base):
                tid = inst.vehicle_ids[v]
                need = _late_minutes(inst, v, base)
                if need is not None:
                    extra[tid] = extra.get(tid, 0.0) + need
                    changed = True
                elif tid not in stranded:
                    stranded.add(tid)
                    released.update(_tid(inst, node) for node in chain[len(base) :])
                    changed = True
                continue
            need = _homebound_minutes(inst, v, base, chain)
            if need is not None:
                homebound[inst.vehicle_ids[v]] = need
                released.update(_tid(inst, node) for node in chain[len(base) :])
                changed = True
                continue
            # timed without its depot pickups (fetched on the way, put back later)
            while chain and not route_feasible(inst, v, chain) and len(chain) > len(base):
                released.add(_tid(inst, chain.pop()))
                changed = True
        if not changed:
            break
    _fix_held_starts(inst, chains)
    held = np.zeros(inst.n_tickets, dtype=bool)
    held[[inst.ticket_of(n) for chain in chains for n in chain]] = True
    held.setflags(write=False)  # read-only, like the instance's other arrays
    inst.held = held
    warm = _warm_routes(res, inst)
    return Prepared(res, compiled, warm)


def _tid(inst: RoutingInstance, node: int) -> str:
    """Ticket id of a ticket node."""
    return inst.ticket_ids[inst.ticket_of(node)]


def _fix_held_starts(inst: RoutingInstance, chains: list[list[int]]) -> None:
    """Each held visit starts at the earliest its chain allows (its planned start when
    nothing was delayed): its window becomes that one instant. The chain is timed with
    the depot pickups its van needs, as the route will hold them: on a given matrix the
    way through a depot may be shorter than the direct leg, and timed without it a held
    visit would start later than planned for nothing."""
    held: dict[int, np.ndarray] = {}
    left = inst.depot_stock.copy()
    for v, chain in enumerate(chains):
        if not chain:
            continue
        fetched = _fetch_parts(inst, v, chain, left) if inst.n_pickups else chain
        sched = schedule_route(inst, v, fetched)
        if sched is None and fetched != chain:
            sched = schedule_route(inst, v, chain)
        if sched is None:
            continue
        for node, start in zip(sched.nodes, sched.start_s, strict=True):
            if inst.is_ticket(node):
                held[inst.ticket_of(node)] = np.array([[start, start]])
    inst.set_windows(held)


def _warm_routes(res: Residual, inst: RoutingInstance) -> list[list[int]]:
    """The previous plan's open visits as instance routes, each repaired until it holds
    (held visits are required, so repairs drop the others first)."""
    node = {tid: inst.ticket_node(k) for k, tid in enumerate(inst.ticket_ids)}
    left = inst.depot_stock.copy()
    routes = []
    for v, ids in enumerate(res.warm):
        nodes = [node[t] for t in ids if t in node and inst.allowed[inst.ticket_of(node[t]), v]]
        if inst.n_pickups:
            nodes = _fetch_parts(inst, v, nodes, left)
        kept, _ = repair_route(inst, v, nodes)
        routes.append(kept)
    return ensure_required(inst, routes)


def churn_of(res: Residual, plan: Plan) -> Churn:
    """Planned tickets that changed technician or moved beyond the tolerance."""
    now: dict[str, tuple[str, object]] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.kind is StopKind.TICKET and stop.id is not None:
                now[stop.id] = (route.technician, stop.start)
    tol = timedelta(minutes=res.state.stability.tolerance_min)
    reassigned, moved = [], []
    for tid, a in sorted(res.previous.items(), key=lambda kv: kv[1].start):
        tech, start = now.get(tid, (None, None))
        if tech != a.technician:
            reassigned.append(Reassigned(tid, a.technician, tech))
        if start is not None and abs(start - a.start) > tol:  # type: ignore[operator]
            moved.append(Moved(tid, a.start, start))  # type: ignore[arg-type]
    return Churn(tuple(reassigned), tuple(moved), res.state.stability.tolerance_min)


@ordinary_pages()  # the large matrices: see `routing.pages`
def replan(
    problem: Problem,
    *,
    time_limit_s: float | None = None,
    seed: int | None = None,
    deterministic: bool | None = None,
    progress: Callable[[Progress], None] | None = None,
    started: float | None = None,
    search: bool | None = None,
) -> Plan:
    """Plan the rest of the day of a problem with a `state`, reporting churn.

    `search` False keeps the repaired previous plan (plus insertions of new tickets)
    without searching; True always searches; None (default) searches only when there is
    new work or the previous plan no longer holds."""
    t0 = time.perf_counter() if started is None else started
    if problem.state is None:
        raise ValueError("replan needs a problem with a state")
    run = RunOptions.of(
        problem,
        default_replan_time_limit_s(problem),
        time_limit_s=time_limit_s,
        seed=seed,
        deterministic=deterministic,
        progress=progress,
    )

    prep = prepare(problem)
    inst, res = prep.instance, prep.residual
    compile_s = time.perf_counter() - t0
    warm = prep.warm
    first = _make_room(inst, res, construct(inst, routes=warm)) if res.new_tickets else warm
    if search or (search is None and not _still_holds(prep, first)):
        result = portfolio_search(inst, run, started=t0, initial_routes=first)
        routes, status, cost = result.routes, result.status, result.objective
    else:
        routes, cost = first, routes_cost(inst, first) or 0
        status = "previous_plan_with_insertions" if res.new_tickets else "kept_previous_plan"
    anchors = _anchor_nodes(inst, res)
    kept = _with_anchors(inst, anchors, routes)
    if kept is not routes:
        routes, cost = kept, routes_cost(inst, kept) or 0
        status = f"{status}+anchors_restored"
    stats = SolverStats(
        engine=ENGINE, objective=cost, seed=run.seed, compile_s=compile_s, status=status
    )
    plan = build_plan(res.problem, inst, routes, prep.compiled.reasons, stats, leading=anchors)
    churn = churn_of(res, plan)
    total = time.perf_counter() - t0
    return dataclasses.replace(
        plan,
        status=plan_status(problem, res, plan),
        churn=churn,
        solver=dataclasses.replace(plan.solver, time_s=total),
    )


def _with_anchors(
    inst: RoutingInstance, anchors: dict[int, int], routes: list[list[int]]
) -> list[list[int]]:
    """The routes with every visit under way (or being driven to) first on its
    technician's route (`anchors`: `_anchor_nodes`; `prepare` made each fit alone).

    The search sees anchors as required tickets, and a required ticket's penalty is one
    large amount plus its own weight, so when a route cannot hold both it may keep another
    (heavier) required ticket instead; a visit under way cannot be undone, so the other
    loses: the anchor's route sheds its last stops until it holds, and required tickets
    shed go elsewhere if they fit (`ensure_required`). Nor does the search know that an
    anchor comes first: a ticket of 0 minutes at the anchor's place fits before it at the
    same minute (found by the audit's re-plan sweep), so such a route gets its anchor
    moved to the front the same way. The same routes when every anchor is first. (A
    penalty making an anchor outweigh every required ticket together is not an option:
    the required penalty is already the sum of all others, at the largest weights 1.6e10
    units x 6,000 x 3,000 tickets, about 3e17, so 32 of them pass 2^63.)"""
    out = [list(r) for r in routes]
    moved = False
    for v, anchor in anchors.items():
        if out[v][:1] == [anchor]:
            continue
        trial = [anchor, *(n for n in out[v] if n != anchor)]
        while len(trial) > 1 and not route_ok(inst, v, trial):
            trial.pop()
        out[v], moved = drop_idle_pickups(inst, v, trial), True
    return ensure_required(inst, out) if moved else routes


def _anchor_nodes(inst: RoutingInstance, res: Residual) -> dict[int, int]:
    """Vehicle -> the node of its visit under way (or being driven to), which its route
    must begin with."""
    node = {tid: inst.ticket_node(k) for k, tid in enumerate(inst.ticket_ids)}
    return {
        inst.vehicle_ids.index(h.technician): node[h.ticket] for h in res.held.values() if h.anchor
    }


def plan_status(problem: Problem, res: Residual, plan: Plan) -> PlanStatus:
    """The status by the contract (3.6) on what is left of the day: `infeasible` only when
    a ticket the customer marked required, or a visit under way, is not served.

    The residual problem makes every held visit required, but only so that the search
    keeps it in place: a held visit that no longer fits is released, which the re-plan
    validator reports as a warning (`held_released`), not as a required ticket missing."""
    served = {tid for route in plan.routes for tid in route.ticket_ids}
    unserved = {t.id for t in res.problem.tickets} - served
    must = {t.id for t in problem.tickets if t.required}
    must |= {h.ticket for h in res.held.values() if h.anchor}
    if unserved & must:
        return PlanStatus.INFEASIBLE
    return PlanStatus.PARTIAL if unserved else PlanStatus.SOLVED


def _make_room(inst: RoutingInstance, res: Residual, routes: list[list[int]]) -> list[list[int]]:
    """Each new ticket insertion left out goes in by displacing the lightest optional
    work of one route, when that lowers the exact cost (an urgent ticket on a full day)."""
    index = {tid: k for k, tid in enumerate(inst.ticket_ids)}
    served = {n for r in routes for n in r}
    cost = routes_cost(inst, routes)
    for tid in res.new_tickets:
        k = index[tid]
        node = inst.ticket_node(k)
        if node in served or not inst.allowed[k].any() or cost is None:
            continue
        trial = [list(r) for r in routes]
        if force_in(inst, trial, node) is None:
            continue
        trial = construct(inst, routes=trial)  # the displaced work may fit elsewhere
        trial_cost = routes_cost(inst, trial)
        if trial_cost is not None and trial_cost < cost:
            routes, cost = trial, trial_cost
            served = {n for r in routes for n in r}
    return routes


def _still_holds(prep: Prepared, routes: list[list[int]]) -> bool:
    """Nothing new, every planned visit kept where it was, no start moved beyond the
    tolerance: the previous plan stands."""
    res, inst = prep.residual, prep.instance
    if res.new_tickets or depots_overdrawn(inst, routes):
        return False
    served = {inst.ticket_of(n): v for v, r in enumerate(routes) for n in r if inst.is_ticket(n)}
    for k in range(inst.n_tickets):
        prev = int(inst.prev_vehicle[k])
        if prev >= 0 and served.get(k) != prev:
            return False
    for v, nodes in enumerate(routes):
        sched = schedule_route(inst, v, nodes)
        if sched is None or any(s > inst.move_tolerance_s for s in _start_moves_s(inst, sched)):
            return False
    return True
