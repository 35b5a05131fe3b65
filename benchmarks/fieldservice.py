"""Field-service benchmark: dispatch-opt against VROOM and a plain OR-Tools model.

    python -m benchmarks.fieldservice --sizes 40,200,1000,3000 \
        --solvers dispatch-opt,vroom,ortools --budget auto --out DIR [--deterministic]

Problems come from the seeded generator (`benchmarks.generate`) in contract form: a
different city per size, about one technician per 8 tickets, load 1.1 (demand slightly
above capacity). Every solver sees the same compiled instance and the same budget.

dispatch-opt's plan comes from `solve_problem`. A peer returns node routes; each route is
first re-timed under the contract's rules (`schedule_route`, `route_violations`): a route
that breaks a rule is counted as a rule violation for that peer and its offending tickets
are dropped (so the KPIs stay comparable), then the Plan is built. Every plan, dispatch-
opt's included, then goes through the independent `validate_plan`.

Each (size, solver) run happens in its own process (multiprocessing, 'spawn'). Peak
memory is read with `resource.getrusage` in that process at its end: `ru_maxrss` of
RUSAGE_SELF (the process itself, including the interpreter, the imports and generating
the problem) plus, when the solver started worker processes of its own (dispatch-opt's
two-core portfolio), RUSAGE_CHILDREN (the largest of those workers); the sum bounds the
simultaneous peak from above. `base MB` is the resident set (psutil) just before solving.

Cores: `--workers` (default: all cores) is both dispatch-opt's `solve.workers` and VROOM's
thread count; the plain OR-Tools model is single-threaded by nature.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.generate import describe, generate_problem
from benchmarks.tables import cell
from dispatch_opt.domain.plan import Plan, StopKind
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.timeline import route_violations, schedule_route
from dispatch_opt.solver.solve import repair_route

REPO = Path(__file__).resolve().parents[1]
OWN = "dispatch-opt-own"
"""dispatch-opt without portfolio members: its own construction and search only."""
VAN_ONLY = "dispatch-opt-van-only"
"""dispatch-opt on the same day with the depots taken away: van-only parts planning,
what VROOM and the plain model can do, to price the depot pickups."""
PEERS = ("vroom", "ortools")
SOLVERS = ("dispatch-opt", *PEERS, VAN_ONLY, OWN)
AUTO_BUDGET_S = {40: 10.0, 200: 30.0, 1000: 60.0, 3000: 120.0}
CITY_OF_SIZE = {40: "shenzhen", 200: "shanghai", 1000: "guangzhou", 3000: "beijing"}
CITY_CYCLE = ("shenzhen", "shanghai", "guangzhou", "beijing", "chengdu")
TICKETS_PER_TECH = 8
LOAD = 1.1
PRIORITIES = ("low", "normal", "high", "urgent")


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    """One generated problem: size, city and seed fix it completely."""

    tickets: int
    city: str
    seed: int
    technicians: int
    depots: int
    load: float = LOAD  # demand against the technicians' working time

    def problem_dict(self, workers: int | None = None) -> dict:
        """The contract problem (same bytes every time), with `solve.workers` when given."""
        problem = generate_problem(
            tickets=self.tickets,
            technicians=self.technicians,
            depots=self.depots,
            city=self.city,
            seed=self.seed,
            load=self.load,
            name=f"fs-{self.city}-{self.tickets}",
        )
        if workers is not None:
            problem["solve"]["workers"] = workers
        return problem


def make_case(size: int) -> Case:
    """The fixed benchmark case of a size: city by size, seed = size."""
    city = CITY_OF_SIZE.get(size, CITY_CYCLE[size % len(CITY_CYCLE)])
    technicians = max(2, round(size / TICKETS_PER_TECH))
    depots = 2 if size <= 500 else 3 if size <= 2000 else 4
    return Case(size, city, size, technicians, depots)


def auto_budget(size: int) -> float:
    """10 s for 40 tickets, 30 s for 200, 60 s for 1000, 120 s for 3000 (else 0.04 s/ticket)."""
    return AUTO_BUDGET_S.get(size, min(120.0, max(10.0, 0.04 * size)))


# --------------------------------------------------------------------------- peer routes


def route_breaches(inst: RoutingInstance, vehicle: int, nodes: list[int]) -> list[str]:
    """The contract rules a route breaks: side rules, plus 'timing' when no schedule exists."""
    breaches = list(route_violations(inst, vehicle, nodes))
    if schedule_route(inst, vehicle, nodes) is None:
        breaches.append("timing")
    return breaches


@dataclass
class Screened:
    """Peer routes after the contract check: feasible routes and what was wrong."""

    routes: list[list[int]]
    rule_violations: int = 0
    violating_routes: int = 0
    dropped: list[int] = field(default_factory=list)
    by_rule: dict[str, int] = field(default_factory=dict)


def screen_routes(inst: RoutingInstance, routes: list[list[int]]) -> Screened:
    """Check every peer route under the contract; drop the offending tickets of bad ones."""
    out = Screened(routes=[])
    seen: set[int] = set()
    for v, nodes in enumerate(routes):
        repeated = [n for n in nodes if n in seen]
        seen.update(nodes)
        nodes = [n for n in nodes if n not in repeated]
        breaches = route_breaches(inst, v, nodes) + ["served twice"] * bool(repeated)
        if not breaches:
            out.routes.append(list(nodes))
            continue
        out.violating_routes += 1
        out.rule_violations += len(breaches)
        for rule in breaches:
            out.by_rule[rule] = out.by_rule.get(rule, 0) + 1
        _, dropped = repair_route(inst, v, nodes)
        out.dropped.extend(dropped + repeated)
        out.routes.append([n for n in nodes if n not in dropped])
    return out


# --------------------------------------------------------------------------- one run


@dataclass
class RunResult:
    """What one solver did on one case (JSON-ready)."""

    size: int
    city: str
    seed: int
    technicians: int
    solver: str
    budget_s: float
    status: str = ""
    served: int = 0
    served_by_priority: dict[str, int] = field(default_factory=dict)
    weighted_served: int = 0
    weighted_total: int = 0
    sla_met_rate: float = 0.0
    travel_km: float = 0.0
    travel_min: float = 0.0
    overtime_min: float = 0.0
    rule_violations: int = 0
    violating_routes: int = 0
    dropped_tickets: int = 0
    violations_by_rule: dict[str, int] = field(default_factory=dict)
    validator_violations: int = 0
    valid: bool = False
    first_feasible_s: float | None = None
    total_s: float = 0.0
    base_rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    workers_peak_rss_mb: float = 0.0
    parts_tickets: int = 0
    parts_served: int = 0
    served_with_pickup: int = 0
    depot_stops: int = 0
    error: str = ""

    @property
    def weighted_pct(self) -> float:
        """Weighted served score as a percentage of the total weight."""
        return 100.0 * self.weighted_served / self.weighted_total if self.weighted_total else 0.0


def _fill_kpis(result: RunResult, plan: Plan) -> None:
    """Copy the plan's KPIs into the result."""
    k = plan.kpis
    result.status = str(plan.status)
    result.served = k.assigned
    result.served_by_priority = {p: int(k.assigned_by_priority.get(p, 0)) for p in PRIORITIES}
    result.weighted_served, result.weighted_total = k.weighted_served, k.weighted_total
    result.sla_met_rate = k.sla_met_rate
    result.travel_km, result.overtime_min = k.travel_km, k.overtime_min
    result.travel_min = k.travel_min


def _fill_parts(result: RunResult, problem, plan: Plan) -> None:
    """Part-needing tickets, how many are served, how many with a depot pickup."""
    needing = {t.id for t in problem.tickets if t.parts}
    served = {tid for r in plan.routes for tid in r.ticket_ids}
    fetched = {
        tid
        for r in plan.routes
        if r.pick_list is not None
        for line in r.pick_list.pickups
        for tid in line.tickets
    }
    result.parts_tickets = len(needing)
    result.parts_served = len(needing & served)
    result.served_with_pickup = len(needing & served & fetched)
    result.depot_stops = sum(1 for r in plan.routes for s in r.stops if s.kind is StopKind.DEPOT)


def _run_dispatch_opt(
    problem, budget: float, deterministic: bool, member: str = "auto"
) -> tuple[Plan, Screened]:
    """dispatch-opt end to end; its first-feasible time counts compiling too."""
    from dispatch_opt.planner import solve_problem

    plan = solve_problem(problem, time_limit_s=budget, deterministic=deterministic, member=member)
    first = plan.solver.first_solution_s
    if first is not None:
        first += plan.solver.compile_s or 0.0
        plan = replace(plan, solver=replace(plan.solver, first_solution_s=first))
    return plan, Screened(routes=[])


def _run_peer(problem, solver: str, budget: float, threads: int) -> tuple[Plan, Screened]:
    """A peer on the compiled instance; its routes screened, then built into a Plan."""
    from dispatch_opt.domain.plan import SolverStats
    from dispatch_opt.plan_builder import build_plan
    from dispatch_opt.planner import search_budget_s
    from dispatch_opt.routing.compile import compile_problem

    started = time.perf_counter()
    compiled = compile_problem(problem)
    inst = compiled.instance
    compile_s = time.perf_counter() - started
    left = search_budget_s(budget, compile_s, inst.n_tickets)  # as our search gets
    if solver == "vroom":
        from benchmarks.peers.fs_vroom import solve_vroom

        peer = solve_vroom(inst, left, threads=threads)
    else:
        from benchmarks.peers.fs_plain_ortools import solve_plain_ortools

        peer = solve_plain_ortools(inst, left)
    screened = screen_routes(inst, peer.routes)
    first = None if peer.first_solution_s is None else compile_s + peer.first_solution_s
    stats = SolverStats(engine=solver, first_solution_s=first, compile_s=compile_s)
    plan = build_plan(problem, inst, screened.routes, compiled.reasons, stats)
    total = time.perf_counter() - started
    return replace(plan, solver=replace(plan.solver, time_s=total)), screened


def run_one(case: Case, solver: str, budget: float, deterministic: bool, workers: int) -> dict:
    """Generate the case, solve it with `solver`, validate, measure; a JSON-ready dict."""
    import psutil

    from dispatch_opt.io import parse_problem
    from dispatch_opt.validate import validate_plan

    result = RunResult(case.tickets, case.city, case.seed, case.technicians, solver, budget)
    problem = parse_problem(case.problem_dict(workers))
    result.base_rss_mb = psutil.Process().memory_info().rss / 2**20
    if solver == VAN_ONLY:
        problem = replace(problem, depots=())
    if solver in ("dispatch-opt", VAN_ONLY, OWN):
        member = "none" if solver == OWN else "auto"
        plan, screened = _run_dispatch_opt(problem, budget, deterministic, member)
    else:
        plan, screened = _run_peer(problem, solver, budget, workers)
    _fill_kpis(result, plan)
    _fill_parts(result, problem, plan)
    result.total_s = plan.solver.time_s
    result.first_feasible_s = plan.solver.first_solution_s
    result.rule_violations = screened.rule_violations
    result.violating_routes = screened.violating_routes
    result.dropped_tickets = len(screened.dropped)
    result.violations_by_rule = dict(screened.by_rule)
    report = validate_plan(problem, plan)
    result.validator_violations = len(report.violations)
    result.valid = report.ok
    result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result.workers_peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return asdict(result)


def _child(queue: Any, args: tuple) -> None:
    """Child-process entry: run one case and send back its result (or the error)."""
    try:
        queue.put(run_one(*args))
    except Exception as exc:  # reported in the table, never hidden
        queue.put({"error": f"{type(exc).__name__}: {exc}"})


def _wait_for(queue: Any, proc: Any, wait_s: float) -> dict:
    """The child's answer; an error when it dies silently or takes longer than `wait_s`."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            return queue.get(timeout=1.0)
        except Exception:  # queue.Empty: nothing yet
            if not proc.is_alive() and queue.empty():
                return {"error": f"solver process died (exit code {proc.exitcode})"}
    return {"error": f"no answer within {wait_s:.0f} s"}


def run_isolated(
    case: Case, solver: str, budget: float, deterministic: bool, workers: int
) -> RunResult:
    """`run_one` in a fresh spawned process, so imports and memory are the solver's own."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, (case, solver, budget, deterministic, workers)))
    proc.start()
    data = _wait_for(queue, proc, max(600.0, 6 * budget))
    proc.join(timeout=30)
    if proc.is_alive():
        proc.kill()
        proc.join()
    if "size" not in data:
        base = RunResult(case.tickets, case.city, case.seed, case.technicians, solver, budget)
        base.error = data.get("error", "unknown failure")
        return base
    return RunResult(**data)


# --------------------------------------------------------------------------- report


def _memory(r: RunResult) -> str:
    """Peak MB of the solver process (+ its workers) and the base before solving."""
    workers = f"+{r.workers_peak_rss_mb:.0f}" if r.workers_peak_rss_mb else ""
    return f"{r.peak_rss_mb:.0f}{workers} ({r.base_rss_mb:.0f})"


def _row(r: RunResult) -> str:
    """One markdown table row."""
    if r.error:
        return f"| {r.size} | {r.solver} | error: {r.error} |" + " |" * 11
    by = r.served_by_priority
    split = "/".join(str(by.get(p, 0)) for p in PRIORITIES)
    viol = f"{r.rule_violations} ({r.dropped_tickets} dropped)" if r.rule_violations else "0"
    return (
        f"| {r.size} | {r.solver} | {r.served} | {split} | {r.weighted_served}/{r.weighted_total}"
        f" ({r.weighted_pct:.1f}%) | {100 * r.sla_met_rate:.1f}% | {r.travel_km:.1f} |"
        f" {r.travel_min:.0f} |"
        f" {r.overtime_min:.0f} | {viol} | {'yes' if r.valid else 'NO'} |"
        f" {cell(r.first_feasible_s, '.2f')} | {r.total_s:.1f} | {_memory(r)} |"
    )


HEADER = (
    "| tickets | solver | served | by priority L/N/H/U | weighted served | SLA met | km |"
    " driving min | overtime min | rule violations | valid | first feasible s | total s |"
    " peak MB self+workers (base) |\n"
    "|---:|---|---:|---|---|---:|---:|---:|---:|---|---|---:|---:|---:|"
)


def ratio_lines(results: list[RunResult]) -> list[str]:
    """dispatch-opt vs each peer per size: weighted served and km ratios."""
    lines = []
    by_key = {(r.size, r.solver): r for r in results if not r.error}
    for size in sorted({r.size for r in results}):
        for name in ("dispatch-opt", OWN):
            ours = by_key.get((size, name))
            if ours is None:
                continue
            for peer in PEERS:
                other = by_key.get((size, peer))
                if other is None:
                    continue
                if not other.served:
                    lines.append(f"- {size} tickets, {name} vs {peer}: the peer served nothing")
                    continue
                ws = ours.weighted_served / other.weighted_served if other.weighted_served else None
                km = ours.travel_km / other.travel_km if other.travel_km else None
                drive = ours.travel_min / other.travel_min if other.travel_min else None
                lines.append(
                    f"- {size} tickets, {name} vs {peer}: weighted served x{cell(ws, '.3f')}, "
                    f"km x{cell(km, '.3f')}, driving min x{cell(drive, '.3f')}"
                )
    return lines


def parts_lines(results: list[RunResult]) -> list[str]:
    """Part-needing tickets served, with depot pickups against van-only planning."""
    rows = [r for r in results if not r.error and r.parts_tickets]
    if not rows:
        return []
    lines = [
        "Part-needing tickets (depot pickups are dispatch-opt's; the others plan from the "
        "van only):",
        "",
        "| tickets | solver | need parts | served | served with a depot pickup | depot stops |"
        " km |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        share = 100.0 * r.parts_served / r.parts_tickets
        lines.append(
            f"| {r.size} | {r.solver} | {r.parts_tickets} | {r.parts_served} ({share:.1f}%) |"
            f" {r.served_with_pickup} | {r.depot_stops} | {r.travel_km:.1f} |"
        )
    by_key = {(r.size, r.solver): r for r in rows}
    for size in sorted({r.size for r in rows}):
        ours, van = by_key.get((size, "dispatch-opt")), by_key.get((size, VAN_ONLY))
        if ours and van and van.travel_km:
            lines.append(
                f"- {size} tickets: depot pickups serve {ours.parts_served - van.parts_served:+d}"
                f" part-needing tickets ({ours.weighted_served - van.weighted_served:+d} weighted)"
                f" for {ours.travel_km - van.travel_km:+.1f} km"
                f" (x{ours.travel_km / van.travel_km:.3f})"
            )
    return lines


def markdown(results: list[RunResult], cases: dict[int, Case], meta: dict[str, Any]) -> str:
    """The whole report: problems, the table, the ratios and how things were measured."""
    lines = ["# Field-service benchmark", ""]
    for size, case in cases.items():
        d = describe(case.problem_dict())
        lines.append(
            f"- {size} tickets: {case.city}, seed {case.seed}, {case.technicians} technicians, "
            f"{case.depots} depots, load ratio {d['load_ratio']}, budget "
            f"{meta['budgets'][str(size)]:.0f} s, priorities {d['by_priority']}"
        )
    lines += ["", HEADER, *(_row(r) for r in results), "", "Ratios (dispatch-opt / peer):", ""]
    lines += ratio_lines(results)
    lines += ["", *parts_lines(results)]
    lines += [
        "",
        f"Deterministic dispatch-opt: {meta['deterministic']} (peers always run on the clock); "
        f"workers (dispatch-opt processes, VROOM threads): {meta['workers']}; VROOM "
        "exploration level 5; plain OR-Tools (one thread): "
        "PATH_CHEAPEST_ARC + guided local search, Python callbacks.",
        "Rule violations: contract rules broken by a peer's own routes (re-timed exactly); "
        "those tickets are dropped before the plan is built. Valid: the independent "
        "validator finds no violation in the final plan.",
        "First feasible and total are seconds from compiling the parsed problem. Peak MB: "
        "ru_maxrss of the solver's own spawned process (getrusage RUSAGE_SELF) + that of its "
        "largest worker process (RUSAGE_CHILDREN, dispatch-opt's portfolio); base MB: its "
        "RSS (psutil) just before solving.",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- CLI


def solver_list(parser: argparse.ArgumentParser, text: str) -> list[str]:
    """The solvers named in `text` (comma-separated, in its order), or the parser's error
    naming the unknown ones; for every benchmark that runs `run_isolated`."""
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in SOLVERS]
    if unknown or not names:
        parser.error(
            f"--solvers: unknown {', '.join(unknown) or '(none named)'}; "
            f"choose from {', '.join(SOLVERS)}"
        )
    return names


def size_seconds(text: str) -> list[tuple[int, float]]:
    """'200:1,3000:5' -> [(200, 1.0), (3000, 5.0)]; ValueError on anything else."""
    pairs = []
    for item in text.split(","):
        size, colon, seconds = item.strip().partition(":")
        if not colon:
            raise ValueError(f"{item!r} is not size:seconds")
        pairs.append((int(size), float(seconds)))
    return pairs


def answered(r: RunResult) -> bool:
    """A run that gave a plan: valid, without error, serving something (an empty plan is
    valid, but no answer)."""
    return r.valid and not r.error and r.served > 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.fieldservice", description=__doc__)
    p.add_argument("--sizes", default="40,200", help="ticket counts, comma-separated")
    p.add_argument("--solvers", default=",".join(SOLVERS), help="subset of " + ",".join(SOLVERS))
    p.add_argument("--budget", default="auto", help="'auto' or seconds for every size")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "fieldservice")
    p.add_argument("--deterministic", action="store_true", help="dispatch-opt deterministic")
    p.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="dispatch-opt processes and VROOM threads (default: all cores)",
    )
    args = p.parse_args(argv)
    args.solvers = solver_list(p, args.solvers)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every (size, solver), write results.json and results.md, print the markdown."""
    args = _parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    solvers = [s for s in SOLVERS if s in args.solvers]
    cases = {size: make_case(size) for size in sizes}
    budgets = {
        size: auto_budget(size) if args.budget == "auto" else float(args.budget) for size in sizes
    }
    results: list[RunResult] = []
    for size in sizes:
        for solver in solvers:
            print(
                f"[fieldservice] {size} tickets, {solver}, {budgets[size]:.0f} s ...",
                file=sys.stderr,
                flush=True,
            )
            r = run_isolated(cases[size], solver, budgets[size], args.deterministic, args.workers)
            results.append(r)
    meta = {
        "deterministic": args.deterministic,
        "workers": args.workers,
        "budgets": {str(s): b for s, b in budgets.items()},
        "cases": {str(s): asdict(c) for s, c in cases.items()},
    }
    text = markdown(results, cases, meta)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {**meta, "results": [asdict(r) for r in results], "ratios": ratio_lines(results)}
    (args.out / "results.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    (args.out / "results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
