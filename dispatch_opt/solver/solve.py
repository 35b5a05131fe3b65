"""solve(instance, params) -> SolveResult: run the search and hand back routes as nodes.

On field-service days (`_field_day`) the search is our ruin-and-recreate alone, with
polishes (`solver.polish`); otherwise it runs on the OR-Tools model, and every route it
returns is then re-timed exactly by `routing.timeline` and repaired if a rule the model
only approximates (breaks are taken before driving on) does not hold, so the result is
always feasible.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from dispatch_opt.routing.cost import routes_cost
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.parts import drop_idle_pickups
from dispatch_opt.routing.timeline import route_ok, route_violations
from dispatch_opt.solver.construct import construct
from dispatch_opt.solver.lns import UNBOUNDED_ROUNDS, ruin_and_recreate
from dispatch_opt.solver.members import SHARE, choose_member, run_member
from dispatch_opt.solver.ortools_model import OrToolsModel, build_model
from dispatch_opt.solver.required import ensure_required

CONSTRUCT_FROM = 300
"""From this many tickets on, our own construction seeds the search (OR-Tools' insertion
heuristics take tens of seconds at 800 tickets)."""

MODEL_UP_TO = 1500
"""Above this many tickets the OR-Tools model alone takes minutes to build and close, so
the answer is our construction improved by ruin-and-recreate rounds (without OR-Tools'
descent) until the time limit."""

MODEL_S_PER_NODE2_BREAKS = 1.7e-6
"""Seconds per squared node to build and load the OR-Tools model with breaks (measured)."""

MODEL_S_PER_NODE2 = 0.5e-6
"""The same without breaks."""


FIELD_DAY_FROM = 60
"""From this many tickets, days with breaks or depot pickups are searched by our
ruin-and-recreate alone (`_field_day`); at 50 OR-Tools' search was still a little ahead."""

FIELD_DAY_ROUND_BUDGET = 200_000
"""Deterministic rounds on a field-service day: this over the ticket count (1,000 at 200
tickets, 200 at 1,000), within [50, FIELD_DAY_ROUNDS_MAX]."""

FIELD_DAY_ROUNDS_MAX = 1_000

POLISHES = 4
"""Times our ruin-and-recreate (without OR-Tools' descent) polishes its best routes during
the search (`lns.ruin_and_recreate`, `solver.polish`)."""

POLISH_FROM_S_PER_TICKET = 0.005
"""On the clock, the search polishes only with at least this many seconds per ticket left
for it: before that its rounds are still placing tickets, which come first. Measured, our
search alone, weighted served with polishes against without: 200 at 1 s, 1,000 at 2 s,
3,000 at 3 and 5 s and 5,000 at 10 s (1-3.5 ms a ticket) lost 0.1-1.0% (5,000 at 10 s:
11,333 against 11,448); 1,000 at 10 s (10 ms) 2,362 and 2,367 against 2,349 and 2,375;
1,000 at 20 s 2,377 and 2,391 against 2,372 and 2,389; 3,000 at 30 s 7,316 against 7,276,
with late minutes cut by two thirds or more from 10 ms a ticket on."""


@dataclass(frozen=True)
class Progress:
    """A snapshot of the search, reported at each improving solution."""

    elapsed_s: float
    time_left_s: float
    objective: int
    solutions: int


@dataclass
class SolveParams:
    """How to search: a wall-clock budget, or a deterministic effort limit."""

    time_limit_s: float = 10.0
    seed: int = 0
    deterministic: bool = False
    effort: int | None = None  # ruin-and-recreate rounds when deterministic
    first_solution: str = "auto"
    metaheuristic: str = "auto"  # "lns" (ruin and recreate + descent), "gls", or "rr" (ours alone)
    workers: int | None = None  # processes for the portfolio (None: every core)
    member: str = "auto"  # another engine to start from: auto, none, pyvrp, vroom
    deadline_unix: float | None = None  # wall-clock end, for searches in other processes
    progress: Callable[[Progress], None] | None = None
    initial_routes: list[list[int]] | None = None
    early_plan: bool = False  # build our construction before a member runs (main process)
    prebuilt: list[list[int]] | None = None  # our construction, already built by the caller


@dataclass
class SolveResult:
    """Routes (instance nodes per vehicle), their exact objective and what the search did."""

    routes: list[list[int]]
    objective: int
    time_s: float
    first_solution_s: float | None
    solutions: int
    status: str
    repaired: list[int] = field(default_factory=list)
    unreached: tuple[int, ...] = ()  # tickets a construction cut short by the clock never tried


def default_effort(inst: RoutingInstance) -> int:
    """Deterministic effort: ruin-and-recreate rounds, fewer on large batches. Rounds
    without OR-Tools' descent (field-service days) cost far less: at 200 tickets 1,000 of
    them take 11.7 s and serve 456 weight, where 30 with the descent took about 40 s for
    454 (the CI gate's day)."""
    n = max(1, inst.n_tickets)
    if _field_day(inst) and n <= MODEL_UP_TO:  # above it rounds never had the descent
        return int(min(FIELD_DAY_ROUNDS_MAX, max(50, FIELD_DAY_ROUND_BUDGET // n)))
    return int(min(60, max(5, 2 * n if n < 30 else 6_000 // n)))


def construct_breadth(inst: RoutingInstance) -> dict[str, int]:
    """How widely construction looks: 25 technicians and a dozen positions up to 1,000
    tickets, narrower above. On the 1,000-ticket benchmark day the wide setting builds
    2,267 weighted served against 2,211 for the narrow one (+2.5%), in 1.9 s against
    0.9 s (medians of 3, loaded 2-core machine)."""
    if inst.n_tickets <= 1000:
        return {"vehicles_per_ticket": 25, "positions_per_route": 12}
    return {"vehicles_per_ticket": 10, "positions_per_route": 6}


def fill(inst: RoutingInstance, routes: list[list[int]]) -> tuple[list[list[int]], int | None]:
    """Insert every ticket that still fits into feasible routes (with its depot pickup
    when the van lacks the parts: OR-Tools' one-node moves never add such a pair); the
    cheaper of before and after, with its exact cost."""
    filled = construct(inst, routes=routes, **construct_breadth(inst))
    before, after = routes_cost(inst, routes), routes_cost(inst, filled)
    if after is not None and (before is None or after <= before):
        return filled, after
    return routes, before


def our_construction(
    inst: RoutingInstance,
    params: SolveParams,
    deadline: float | None = None,
    unreached: list[int] | None = None,
) -> list[list[int]]:
    """Our construction of `inst`: the one the caller already built (`params.prebuilt`,
    the portfolio builds it once before forking), else a fresh one, which on the clock
    stops trying tickets at `deadline` (a perf_counter value) and lists those it never
    tried in `unreached`."""
    if params.prebuilt is not None:
        return [list(r) for r in params.prebuilt]
    if params.deterministic:
        deadline = None
    return construct(inst, **construct_breadth(inst), deadline=deadline, unreached=unreached)


def starts_from_construction(inst: RoutingInstance, params: SolveParams) -> bool:
    """Whether `solve_instance` builds our construction before it searches: as the early
    plan before a member, or as the warm start when no member runs (large batches, depot
    pickups); never from a caller's warm start, nor on a trivial instance. (A member that
    fails without an early plan falls back to a construction too, but only afterwards.)"""
    if params.initial_routes is not None or _trivial(inst):
        return False
    if _member_here(inst, params) is not None:
        return params.early_plan
    return _construction_first(inst, params)


def _trivial(inst: RoutingInstance) -> bool:
    """Nothing to search: no tickets, or none that anyone may serve."""
    return inst.n_tickets == 0 or not inst.allowed.any()


def _construction_first(inst: RoutingInstance, params: SolveParams) -> bool:
    """Whether our construction, not OR-Tools' first-solution heuristics, starts the
    search (always on field-service days, `_field_day`, and for our ruin-and-recreate
    alone, "rr", which never builds OR-Tools' model): OR-Tools' insertion heuristics
    slow down several times with pickup nodes (200 tickets: 1 s -> 7 s) and never use
    them, and take tens of seconds at 800 tickets; ours takes 0.2 s."""
    return (
        inst.n_tickets >= CONSTRUCT_FROM
        or bool(inst.n_pickups)
        or _field_day(inst)
        or params.metaheuristic == "rr"
    )


def _first_solution_strategy(inst: RoutingInstance, choice: str) -> int:
    """Insertion heuristics build a feasible plan where PATH_CHEAPEST_ARC often fails."""
    strategies = routing_enums_pb2.FirstSolutionStrategy
    if choice != "auto":
        return getattr(strategies, choice.upper())
    if inst.n_tickets <= 400:
        return strategies.PARALLEL_CHEAPEST_INSERTION
    return strategies.LOCAL_CHEAPEST_INSERTION


MIN_SEARCH_S = 0.05
"""The shortest OR-Tools search: no budget is set below it, and on the clock no search
starts with less left."""


def search_parameters(inst: RoutingInstance, params: SolveParams, limit_s: float):
    """Search parameters: insertion first solution, then guided local search on the
    clock, or (deterministic) a plain descent to a local optimum that stops by itself;
    the deterministic option wraps that descent in seeded ruin-and-recreate rounds."""
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = _first_solution_strategy(inst, params.first_solution)
    metaheuristics = routing_enums_pb2.LocalSearchMetaheuristic
    budget = max(MIN_SEARCH_S, limit_s)
    if params.deterministic:
        sp.local_search_metaheuristic = metaheuristics.GREEDY_DESCENT
        budget = _safety_net_s(budget)
    elif _use_lns(params):
        sp.local_search_metaheuristic = metaheuristics.GREEDY_DESCENT
    else:
        sp.local_search_metaheuristic = metaheuristics.GUIDED_LOCAL_SEARCH
    sp.time_limit.FromMilliseconds(int(budget * 1000))
    if params.deterministic:
        # OR-Tools' limit on completing one solution (restoring the warm start, and each
        # neighbour), 0.1 s by default, must not let the clock decide anything: the whole
        # budget. (That default failed the restore outright on field-service days from
        # 400 tickets; those days no longer use OR-Tools, see `_field_day`.)
        sp.lns_time_limit.FromMilliseconds(int(budget * 1000))
    sp.log_search = False
    return sp


def _routes_of(model: OrToolsModel, assignment) -> list[list[int]]:
    """Instance nodes of each vehicle's route in an assignment."""
    routing = model.routing
    routes = []
    for v in range(model.instance.n_vehicles):
        index = routing.Start(v)
        nodes = []
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            nodes.append(model.instance_node(index))
            index = assignment.Value(routing.NextVar(index))
        routes.append(nodes)
    return routes


def repair_route(
    inst: RoutingInstance, vehicle: int, nodes: list[int]
) -> tuple[list[int], list[int]]:
    """Drop as little weight as possible until the route is feasible; returns (kept, dropped)."""
    kept, dropped = list(nodes), []
    while kept and not route_ok(inst, vehicle, kept):
        order = sorted(range(len(kept)), key=lambda i: inst.drop_penalty(kept[i]))
        for i in order:
            trial = kept[:i] + kept[i + 1 :]
            if route_ok(inst, vehicle, trial):
                dropped.append(kept[i])
                kept = trial
                break
        else:
            dropped.append(kept.pop(order[0]))
    if inst.n_pickups:
        lean = drop_idle_pickups(inst, vehicle, kept)
        if route_ok(inst, vehicle, lean):
            kept = lean
    return kept, [n for n in dropped if inst.is_ticket(n)]


def _initial_routes(
    inst: RoutingInstance, params: SolveParams, deadline: float, state: dict
) -> list[list[int]] | None:
    """The warm start: the caller's routes, or our construction where it comes first
    (`_construction_first`)."""
    if params.initial_routes is not None:
        return params.initial_routes
    if not _construction_first(inst, params):
        return None
    return our_construction(inst, params, deadline, state["unreached"])


def _run_search(
    model: OrToolsModel, search, start_routes: list[list[int]] | None, deadline: float | None
):
    """Local search from the warm start when OR-Tools accepts it, else from scratch.

    On the clock (`deadline`, a perf_counter value; None under the deterministic option,
    whose limits are safety nets) the search gets only the time the restore left, and
    none once it left too little: restoring may take up to the whole limit (a 30-ticket
    day with breaks and depots took 1.8 s of a 2 s limit), and the search given the whole
    limit again answered in 3.7 s."""
    routing = model.routing
    if start_routes is not None:
        start = _restored(model, start_routes, search)
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left < MIN_SEARCH_S:
                return start
            search = _with_time_limit(search, left)
        if start is not None:
            return routing.SolveFromAssignmentWithParameters(start, search)
    return routing.SolveWithParameters(search)


def _with_time_limit(search, limit_s: float):
    """A copy of `search` with its time limit set to `limit_s`."""
    out = _copied(search)
    out.time_limit.FromMilliseconds(int(limit_s * 1000))
    return out


def _copied(search):
    """A copy of the search parameters `search`, to change without touching the caller's."""
    out = type(search)()
    out.CopyFrom(search)
    return out


def _restore_parameters(search):
    """`search` stopping at its first solution: the limits OR-Tools restores routes under."""
    restore = _copied(search)
    restore.solution_limit = 1
    return restore


def _restored(model: OrToolsModel, routes: list[list[int]], search):
    """`routes` as an OR-Tools assignment, or None when its model rejects them.

    OR-Tools restores routes under the limits its model was closed with, and the restore
    does not stop at the first timing it finds: with a break to place it went on
    enumerating the same routes' timings, for ever under the default parameters (a
    6-ticket day with one break ran 11 minutes on a 2 s limit), for the whole budget
    under the search's. So the model is closed here with the search's limits and one
    solution (`_restore_parameters`); the search that follows sets its own."""
    model.routing.CloseModelWithParameters(_restore_parameters(search))
    return model.routing.ReadAssignmentFromRoutes(model.routing_indices(routes), True)


def solve_instance(inst: RoutingInstance, params: SolveParams) -> SolveResult:
    """Search for a plan of `inst` within `params`' limits; always returns feasible routes.

    The time limit covers everything here (construction, model building, search); the
    result lists the tickets a construction cut short by it never tried."""
    state: dict = {"n": 0, "first": None, "best": None, "unreached": []}
    return with_unreached(_solve(inst, params, state), state["unreached"])


def with_unreached(result: SolveResult, unreached: list[int]) -> SolveResult:
    """`result` listing `unreached`, the tickets a construction cut short by the clock
    never tried (the search that followed it built none of its own)."""
    return dataclasses.replace(result, unreached=tuple(unreached)) if unreached else result


def clock_deadline(params: SolveParams, started: float) -> float:
    """The `time.perf_counter()` moment a search begun at `started` must end: its time
    limit later, or the wall-clock end it shares with other processes if that is sooner."""
    deadline = started + params.time_limit_s
    if params.deadline_unix is not None:
        deadline = min(deadline, started + (params.deadline_unix - time.time()))
    return deadline


def _solve(inst: RoutingInstance, params: SolveParams, state: dict) -> SolveResult:
    """`solve_instance`, with the search's progress kept in `state`."""
    started = time.perf_counter()
    deadline = clock_deadline(params, started)
    empty: list[list[int]] = [[] for _ in range(inst.n_vehicles)]
    if _trivial(inst):
        return SolveResult(empty, routes_cost(inst, empty) or 0, 0.0, 0.0, 0, "trivial")
    member = _member_here(inst, params)
    early = None
    if member is not None and params.early_plan:
        early = _early_plan(inst, params, started, deadline, state)
    member_status, start_routes = "", None
    if member is not None:
        member_status, start_routes = _member_start(inst, params, member, deadline)
    if start_routes is None:
        start_routes = (
            early if early is not None else _initial_routes(inst, params, deadline, state)
        )
    if start_routes is not None and state["first"] is None:
        state["first"] = time.perf_counter() - started
    reason = _model_left_out(inst, params, start_routes, deadline)
    if reason is not None:
        status = f"{member_status}{reason}"
        return _without_model(inst, params, started, deadline, start_routes, state, status)
    try:
        model = build_model(inst, seed=params.seed)
    except Exception as exc:
        if not _ortools_failure(exc):
            raise
        status = f"{member_status}model_failed_construction_only"
        return _without_model(inst, params, started, deadline, start_routes, state, status)
    routing = model.routing

    def on_solution() -> None:
        now = time.perf_counter()
        state["n"] += 1
        cost = routing.CostVar().Value()
        if state["first"] is None:
            state["first"] = now - started
        if state["best"] is None or cost < state["best"]:
            state["best"] = cost
            _report(params, started, deadline, cost, state["n"], now=now)

    routing.AddAtSolutionCallback(on_solution)
    left = deadline - time.perf_counter()
    search = search_parameters(inst, params, max(MIN_SEARCH_S, left))
    assignment = None
    if params.deterministic or left > MIN_SEARCH_S or start_routes is None:
        try:
            clock = None if params.deterministic else deadline
            assignment = _run_search(model, search, start_routes, clock)
        except Exception as exc:
            if not _ortools_failure(exc):
                raise
            status = f"{member_status}search_failed_construction_only"
            return _without_model(inst, params, started, deadline, start_routes, state, status)
    status = _status_name(routing.status())
    repaired: list[int] = []
    if assignment is None and start_routes is not None:
        # OR-Tools could not even restore the start (at 1,000 tickets it gives up in 3 s
        # with the time left unused): our ruin-and-recreate goes on until the deadline.
        status = f"{member_status}search_found_nothing_{status}"
        return _without_model(inst, params, started, deadline, start_routes, state, status)
    if assignment is not None:
        routes = _feasible_routes(inst, model, assignment, repaired)
    else:
        routes = empty
        status = f"search_found_nothing_{status}"
    routes = ensure_required(inst, routes)
    if params.deterministic or _use_lns(params):
        status = f"ruin_recreate_after_{status}"
        rounds, until = _rounds_and_deadline(inst, params, started, deadline)
        routes, _ = ruin_and_recreate(
            inst,
            routes,
            descent(inst, model, search),
            rounds=rounds,
            seed=params.seed,
            deadline=until,
        )
    routes, cost = _keep_better(inst, *fill(inst, routes), start_routes)
    return SolveResult(
        routes=routes,
        objective=cost or 0,
        time_s=time.perf_counter() - started,
        first_solution_s=state["first"],
        solutions=state["n"],
        status=member_status + status,
        repaired=repaired,
    )


def _model_left_out(
    inst: RoutingInstance,
    params: SolveParams,
    start_routes: list[list[int]] | None,
    deadline: float,
) -> str | None:
    """Why our ruin-and-recreate searches without OR-Tools' model (the status it
    reports), or None when the model is built: too many tickets for it, a field-service
    day, or (on the clock, with a start in hand) a set-up that would not fit the budget."""
    if inst.n_tickets > MODEL_UP_TO and start_routes is not None:
        return "ruin_recreate_only"
    if _field_day(inst):
        return "ruin_recreate_field_day"
    if params.metaheuristic == "rr" and start_routes is not None:
        return "ruin_recreate_alone"
    left = deadline - time.perf_counter()
    if start_routes is not None and not params.deterministic and not model_fits(inst, left):
        return "model_skipped_short_budget"
    return None


def _field_day(inst: RoutingInstance) -> bool:
    """Whether the search is our ruin-and-recreate alone, without OR-Tools (in effort
    rounds under the deterministic option): on days of FIELD_DAY_FROM tickets or more
    with breaks or depot pickups, and on days with breaks and a paid span. OR-Tools'
    break constraint makes each of its moves slow, and its one-node moves never add a
    ticket with its pickup.

    Measured on the benchmark days, one process, seed 1, cost (weighted served), guided
    local search against ruin-and-recreate: 50 tickets (10 s) 1.682e9 against 1.714e9
    (111 both); 75 2.824e9 against 2.791e9; 100 2.946e9 (226) against 2.477e9 (235);
    30 s: 200 7.04e9 (449) against 6.14e9 (465), 400 8.84e9 against 6.92e9, 1,000
    3.58e10 (2,277) against 3.24e10 (2,333). At 200 with the breaks left out 6.33e9
    against 5.97e9; with neither breaks nor parts guided local search stays ahead
    (4.950e9 against 5.053e9), as on Solomon's VRPTW.

    Days of any size with breaks and a paid span (`route_span_per_min`) too: there
    OR-Tools completes each neighbour by searching the break's timings, and a 16-ticket
    day's deterministic search ran into its 120 s safety net (0.29 s without the model,
    same plan); a generated 40-ticket day at 5 s cost 1.3345e9 against 1.3348e9 with it."""
    if any(inst.breaks) and inst.span_cost_per_s > 0:
        return True
    return inst.n_tickets >= FIELD_DAY_FROM and has_breaks_or_pickups(inst)


def has_breaks_or_pickups(inst: RoutingInstance) -> bool:
    """Whether `inst` has breaks or depot pickups, the rules that make OR-Tools' model
    slow to search (`_field_day`, and the portfolio's worker on smaller days)."""
    return any(inst.breaks) or bool(inst.n_pickups)


def model_setup_s(inst: RoutingInstance) -> float:
    """Estimated seconds to build the OR-Tools model of `inst` and load a warm start into
    it, neither of which its time limit interrupts. Measured on the benchmark days: 1,000
    tickets (1,978 nodes) take 1.2-1.8 s to build and 4.7 s to load, 0.15 s without
    breaks (OR-Tools' break constraint dominates); 200 tickets about 0.1 s."""
    per_node2 = MODEL_S_PER_NODE2_BREAKS if any(inst.breaks) else MODEL_S_PER_NODE2
    return per_node2 * inst.n_nodes**2


def model_fits(inst: RoutingInstance, left_s: float) -> bool:
    """Whether the OR-Tools model is worth building with `left_s` seconds to go: its set-up
    must leave the search at least as long again, else the time limit would be overrun
    (1,000 tickets given 5 s took 9.5 s) and ruin-and-recreate does better anyway."""
    return 2 * model_setup_s(inst) <= left_s


def _ortools_failure(exc: Exception) -> bool:
    """An OR-Tools failure (its SWIG layer raises a bare Exception, e.g. "CP Solver fail"
    on contradictory bounds), not a bug of ours."""
    return type(exc) is Exception


def _without_model(
    inst: RoutingInstance,
    params: SolveParams,
    started: float,
    deadline: float,
    start_routes: list[list[int]] | None,
    state: dict,
    status: str,
) -> SolveResult:
    """Our construction (or the warm start) improved by ruin-and-recreate rounds, with no
    OR-Tools descent: on field-service days (`_field_day`), above MODEL_UP_TO tickets,
    when the model's set-up would not fit the budget, or when OR-Tools fails or finds
    nothing (its model never decides what is feasible; `routing.timeline` does)."""
    routes, cost = _usable_start(inst, start_routes)
    if routes is None:  # none given, or the given one cannot be made valid
        built = our_construction(inst, params, deadline, state["unreached"])
        routes = ensure_required(inst, built)
        cost = routes_cost(inst, routes)
        state["first"] = time.perf_counter() - started
    if cost is not None:  # None: some technician cannot even stay idle (no plan exists)
        if not state.get("reported"):
            _report(params, started, deadline, cost, 1)
        rounds, until = _rounds_and_deadline(inst, params, started, deadline)
        state["n"] = 1

        def better(new_cost: int) -> None:  # each cheaper plan is progress
            state["n"] += 1
            _report(params, started, deadline, new_cost, state["n"])

        routes, cost = ruin_and_recreate(
            inst,
            routes,
            lambda r: r,
            rounds=rounds,
            seed=params.seed,
            deadline=until,
            on_better=better,
            polishes=_polishes(inst, params, until),
        )
    elapsed = time.perf_counter() - started
    return SolveResult(routes, cost or 0, elapsed, state["first"], max(1, state["n"]), status)


def _usable_start(
    inst: RoutingInstance, start: list[list[int]] | None
) -> tuple[list[list[int]] | None, int | None]:
    """A start made valid, with its cost: each route repaired until every rule holds (a
    caller's warm start may predate a changed shift, stock or skill), then the required
    tickets put back; (None, None) when there is none or the day as a whole still breaks
    a rule (depot stock given out twice, a technician who cannot even stay idle)."""
    if start is None or len(start) != inst.n_vehicles:
        return None, None
    routes = [repair_route(inst, v, list(r))[0] for v, r in enumerate(start)]
    routes = ensure_required(inst, routes)
    cost = routes_cost(inst, routes)
    return (None, None) if cost is None else (routes, cost)


def _member_here(inst: RoutingInstance, params: SolveParams) -> str | None:
    """The member this search starts from, or None: never under the deterministic option
    or from a caller's warm start, else whatever `choose_member` picks."""
    if params.deterministic or params.initial_routes is not None:
        return None
    return choose_member(inst, params.member)


def _early_plan(
    inst: RoutingInstance, params: SolveParams, started: float, deadline: float, state: dict
) -> list[list[int]]:
    """Our construction before a member's long run (`params.early_plan`: the portfolio's
    main process): a valid plan exists, and is reported as progress, within a second
    instead of at the end of the member's share; it is also the start if the member
    fails."""
    routes = our_construction(inst, params, deadline, state["unreached"])
    now = time.perf_counter()
    state["first"] = now - started
    cost = routes_cost(inst, routes)
    if cost is not None:
        _report(params, started, deadline, cost, 1, now=now)
        state["reported"] = True
    return routes


def _report(
    params: SolveParams,
    started: float,
    deadline: float,
    cost: int,
    n: int,
    *,
    now: float | None = None,
) -> None:
    """Report a plan of exact cost `cost`, found at `now` (default: this instant), to the
    caller's progress callback, if any."""
    if params.progress is not None:
        now = time.perf_counter() if now is None else now
        params.progress(Progress(now - started, max(0.0, deadline - now), cost, n))


def _member_start(
    inst: RoutingInstance, params: SolveParams, name: str, deadline: float
) -> tuple[str, list[list[int]] | None]:
    """Routes from member `name` (see `solver.members`), repaired and completed so that
    every rule holds, with a status prefix; (prefix, None) when the member fails or its
    routes cannot be used."""
    budget = SHARE[name] * max(0.0, deadline - time.perf_counter())
    try:
        found = run_member(name, inst, budget, seed=params.seed)
    except Exception as exc:  # a member's failure must never cost the plan
        return f"member_{name}_failed({type(exc).__name__})+", None
    routes = [repair_route(inst, v, list(r))[0] for v, r in enumerate(found.routes)]
    if len(routes) != inst.n_vehicles or routes_cost(inst, routes) is None:
        return f"member_{name}_unusable+", None
    routes, _ = fill(inst, ensure_required(inst, routes))
    return f"member_{name}+", routes


def _rounds_and_deadline(
    inst: RoutingInstance, params: SolveParams, started: float, deadline: float
) -> tuple[int, float]:
    """Ruin-and-recreate limits: an effort in rounds when deterministic (the clock only as
    a safety net), else as many rounds as fit before the deadline."""
    if params.deterministic:
        return params.effort or default_effort(inst), started + _safety_net_s(params.time_limit_s)
    return UNBOUNDED_ROUNDS, deadline


def _polishes(inst: RoutingInstance, params: SolveParams, until: float) -> int:
    """How many times ruin-and-recreate polishes its best routes (POLISH_FROM_S_PER_TICKET)."""
    if params.deterministic:
        return POLISHES
    left = until - time.perf_counter()
    return POLISHES if left >= POLISH_FROM_S_PER_TICKET * inst.n_tickets else 0


def _safety_net_s(limit_s: float) -> float:
    """The clock limit of a deterministic search, which stops by itself (a descent to a
    local optimum, an effort in rounds): a safety net only, never the stop reason."""
    return max(10 * limit_s, 120.0)


def _use_lns(params: SolveParams) -> bool:
    """Whether the clock-bound search is ruin-and-recreate rather than guided local search."""
    return params.metaheuristic == "lns"


def _feasible_routes(
    inst: RoutingInstance, model: OrToolsModel, assignment, repaired: list[int]
) -> list[list[int]]:
    """An assignment's routes, each repaired until the exact timing accepts it."""
    routes = _routes_of(model, assignment)
    for v, nodes in enumerate(routes):
        kept, dropped = repair_route(inst, v, nodes)
        routes[v] = kept
        repaired.extend(dropped)
    return routes


def descent(inst: RoutingInstance, model: OrToolsModel, search):
    """A function taking routes to the local optimum OR-Tools descends to from them.

    Its restore runs under the limits of the model's last search (not `_restored`'s one
    solution): days where that restore enumerates timings, breaks with a paid span, never
    get here (`_field_day`). Making it restore under one solution made the descents run
    where they now fail at once: 11.9 s of a 12.9 s deterministic solve of a 40-ticket
    day (0.73 s as it is), for a slightly worse plan."""

    def descend(routes: list[list[int]]) -> list[list[int]]:
        start = model.routing.ReadAssignmentFromRoutes(model.routing_indices(routes), True)
        if start is None:
            return routes
        found = model.routing.SolveFromAssignmentWithParameters(start, search)
        return routes if found is None else _feasible_routes(inst, model, found, [])

    return descend


def _keep_better(
    inst: RoutingInstance,
    found: list[list[int]],
    found_cost: int | None,
    initial: list[list[int]] | None,
) -> tuple[list[list[int]], int | None]:
    """Never answer worse than the warm start: the search may only improve on it.
    Takes and returns routes with their exact cost."""
    if initial is None or len(initial) != inst.n_vehicles:
        return found, found_cost
    start_cost = routes_cost(inst, initial)
    if start_cost is None or any(route_violations(inst, v, r) for v, r in enumerate(initial)):
        return found, found_cost
    if found_cost is not None and found_cost <= start_cost:
        return found, found_cost
    return initial, start_cost


def _status_name(code: int) -> str:
    """Readable name of the routing status."""
    names = {
        0: "not_solved",
        1: "success",
        2: "partial_success_local_optimum_not_reached",
        3: "fail",
        4: "fail_timeout",
        5: "invalid",
        6: "infeasible",
        7: "optimal",
    }
    return names.get(int(code), str(code))
