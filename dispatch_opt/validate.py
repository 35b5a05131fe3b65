"""Independent plan validator: re-checks every hard rule of contract v1 from the problem alone.

This module shares no code with the solver's model building (`routing`, `solver`,
`travel`): driving times, stop overhead, running van stock and break rules are
recomputed here straight from the contract text, so a bug in the model cannot vouch for
itself. Every check reports everything it finds and nothing here raises on a malformed
plan: what cannot be read is reported as a violation.

Hard-rule breaches are `violations` (the plan is wrong); inconsistent figures that do not
break a rule (route totals, KPIs, unassigned bookkeeping) are `warnings`.

Road graphs: the validator shares the network's definition with `travel.roads` (file
loading, speeds, snapping, hour bands: the model itself, like the contract text) but
finds every shortest path with networkx's own Dijkstra. Each arrival is checked with the
band of its real departure (the end of the previous stop); route totals use the solver's
one matrix (`travel.solver_band`). The `road_band_difference` warning reports how far
the two differ over the plan.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, Protocol

import numpy as np

from dispatch_opt.domain import (
    Break,
    Depot,
    Location,
    Plan,
    PlanStatus,
    Problem,
    Route,
    Stop,
    StopKind,
    Technician,
    Ticket,
    TravelModel,
)
from dispatch_opt.errors import InputError, Issue

TOLERANCE_S = 1.0
"""Slack on every comparison of times (plans are written in whole seconds)."""
TOLERANCE_MIN = 0.02
"""Slack on minute fields (`wait_min`, `late_min`, `max_travel_min`)."""
TOTALS_ABS = 0.1
TOTALS_REL = 0.01
"""Route totals and KPIs may differ from the recomputed value by 1 % or 0.1."""
EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius used for great-circle distances (the value geopy uses)."""
REACH_S = 300.0
"""Road mode: a shortest-path search from a stop first stops at 5 min of driving (most
legs of a day are short), then goes twice as far each time, past 40 min everywhere."""

_PHYSICAL = (StopKind.DEPOT, StopKind.TICKET, StopKind.END)
_TIME_FIELDS: dict[StopKind, tuple[str, ...]] = {
    StopKind.START: ("at",),
    StopKind.END: ("at",),
    StopKind.BREAK: ("start", "end"),
    StopKind.DEPOT: ("arrival", "start", "end"),
    StopKind.TICKET: ("arrival", "start", "end"),
}


# --------------------------------------------------------------------------- report


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: a stable snake_case `code`, a path `where`, and a sentence."""

    code: str
    where: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {"code": self.code, "where": self.where, "message": self.message}

    def __str__(self) -> str:
        """`[code] where: message`."""
        return f"[{self.code}] {self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Everything the validator found: hard-rule violations and softer warnings."""

    violations: tuple[Violation, ...] = ()
    warnings: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the plan breaks no hard rule (warnings allowed)."""
        return not self.violations

    @property
    def codes(self) -> set[str]:
        """The distinct violation codes."""
        return {v.code for v in self.violations}

    @property
    def warning_codes(self) -> set[str]:
        """The distinct warning codes."""
        return {w.code for w in self.warnings}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "ok": self.ok,
            "violations": [v.to_dict() for v in self.violations],
            "warnings": [w.to_dict() for w in self.warnings],
        }


def format_report(report: ValidationReport) -> str:
    """A human-readable multi-line summary: an OK line, or one line per finding."""
    n_v, n_w = len(report.violations), len(report.warnings)
    if report.ok:
        lines = [f"OK: no hard rule broken ({_plural(n_w, 'warning')})"]
    else:
        lines = [f"INVALID: {_plural(n_v, 'violation')}, {_plural(n_w, 'warning')}"]
        lines += [f"  ERROR {v}" for v in report.violations]
    lines += [f"  WARN  {w}" for w in report.warnings]
    return "\n".join(lines)


def _plural(n: int, word: str) -> str:
    """`1 warning`, `2 warnings`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Findings:
    """Collects violations and warnings in the order they are found."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.warnings: list[Violation] = []

    def error(self, code: str, where: str, message: str) -> None:
        """Record a hard-rule violation."""
        self.violations.append(Violation(code, where, message))

    def warn(self, code: str, where: str, message: str) -> None:
        """Record a warning."""
        self.warnings.append(Violation(code, where, message))

    def report(self) -> ValidationReport:
        """The frozen report."""
        return ValidationReport(tuple(self.violations), tuple(self.warnings))


# --------------------------------------------------------------------------- travel


@dataclass(frozen=True, slots=True)
class _Place:
    """A physical place: its matrix keys (first present wins) and its GPS position."""

    keys: tuple[str, ...]
    location: Location


class _Travel(Protocol):
    """Driving between two places for one technician."""

    def leg(self, a: _Place, b: _Place, tech: Technician) -> tuple[float, float]:
        """Driving (seconds, metres) from `a` to `b`, speed factor applied."""
        ...

    def leg_at(self, a: _Place, b: _Place, tech: Technician, depart: float) -> float:
        """Driving seconds from `a` to `b` leaving at `depart` (s from the horizon start)."""
        ...


def great_circle_m(a: Location, b: Location) -> float:
    """Great-circle distance in metres on a sphere of radius `EARTH_RADIUS_M` (haversine)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    d_phi = phi2 - phi1
    d_lambda = math.radians(b.lon - a.lon)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class _GreatCircleTravel:
    """Haversine mode: circuity x great-circle metres at `speed_kmh`."""

    speed_kmh: float
    circuity: float

    def leg(self, a: _Place, b: _Place, tech: Technician) -> tuple[float, float]:
        """Driving (seconds, metres) from `a` to `b`."""
        metres = great_circle_m(a.location, b.location) * self.circuity
        return metres / (self.speed_kmh / 3.6) * tech.speed_factor, metres

    def leg_at(self, a: _Place, b: _Place, tech: Technician, depart: float) -> float:
        """Driving seconds from `a` to `b`: the same at any departure hour."""
        return self.leg(a, b, tech)[0]


@dataclass(frozen=True, slots=True)
class _MatrixTravel:
    """Matrix mode: look the pair up in the given duration and distance matrices."""

    index: Mapping[str, int]
    durations_s: np.ndarray
    distances_m: np.ndarray

    def leg(self, a: _Place, b: _Place, tech: Technician) -> tuple[float, float]:
        """Driving (seconds, metres) from `a` to `b`."""
        i, j = self._row(a), self._row(b)
        return float(self.durations_s[i, j]) * tech.speed_factor, float(self.distances_m[i, j])

    def leg_at(self, a: _Place, b: _Place, tech: Technician, depart: float) -> float:
        """Driving seconds from `a` to `b`: the same at any departure hour."""
        return self.leg(a, b, tech)[0]

    def _row(self, place: _Place) -> int:
        """Matrix row of a place: its first key present in `locations`."""
        return next(self.index[k] for k in place.keys if k in self.index)


@dataclass(frozen=True, slots=True)
class BandCheck:
    """Legs of a plan timed two ways: as the solver planned them (its one matrix) and with
    the hour band of each leg's real departure. Seconds before speed factors."""

    legs: int = 0
    planned_s: float = 0.0
    exact_s: float = 0.0
    slower_legs: int = 0
    worst_extra_s: float = 0.0

    @property
    def difference_s(self) -> float:
        """Exact minus planned driving (negative: the plan kept slack)."""
        return self.exact_s - self.planned_s


class _RoadTravel:
    """Road graph mode: Dijkstra between snapped nodes, per hour band."""

    def __init__(self, problem: Problem) -> None:
        from dispatch_opt.travel.roads.bands import day_bands, edge_kmh, solver_bands
        from dispatch_opt.travel.roads.inputs import open_network
        from dispatch_opt.travel.roads.snap import main_snapper
        from dispatch_opt.travel.roads.speeds import free_flow_kmh

        spec = problem.travel
        self.network = open_network(spec)
        self.snapper = main_snapper(self.network)
        self.bands = day_bands(spec.speed_bands)
        self.solver_bands = solver_bands(self.bands, spec.solver_band)
        free = free_flow_kmh(self.network.highway, self.network.maxspeed, spec.class_speeds_kmh)
        self.seconds = {
            b.name: self.network.length_m / (edge_kmh(free, self.network.group, b) / 3.6)
            for b in (*self.bands, *self.solver_bands)
        }
        self.origin = problem.horizon.start
        self.paths: dict[tuple[str, int, int], tuple[float, float]] = {}
        self.trees: dict[tuple[str, int], tuple[float, np.ndarray, np.ndarray]] = {}
        self.graphs: dict[str, tuple[Any, dict[tuple[int, int], float]]] = {}
        self.nodes: dict[Location, int] = {}
        self.check = BandCheck()

    def _node(self, location: Location) -> int:
        """The road node a location snaps to (network index)."""
        if location not in self.nodes:
            snapped = self.snapper.snap(np.array([location.lat]), np.array([location.lon]))
            self.nodes[location] = int(snapped.node[0])
        return self.nodes[location]

    def _path(self, band: str, a: int, b: int) -> tuple[float, float]:
        """(seconds, metres) of the fastest path from node a to node b in one band: a
        Dijkstra from a per band (scipy, on the network's own edges, not the solver's
        matrices), then the path back through its predecessors. The search stops at
        `REACH_S` and searches again twice as far while b lies beyond (a whole-city search
        per stop and band, 2 ms each, took 0.8 s to check the Shenzhen day);
        networkx's Dijkstra per leg took 1.9 s. The tests hold these paths to networkx."""
        key = (band, a, b)
        if key not in self.paths:
            seconds, before = self._tree(band, a, b)
            _, metres_of = self._graph(band)
            metres, node = 0.0, b
            while node != a:
                prev = int(before[node])
                metres += metres_of[(prev, node)]
                node = prev
            self.paths[key] = (float(seconds[b]), metres)
        return self.paths[key]

    def _tree(self, band: str, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Seconds and predecessors of a shortest-path tree from a that reaches b, grown
        twice as far each time until it does (exact: a node within the limit is settled);
        a ValueError when no path exists at all."""
        from scipy.sparse.csgraph import dijkstra

        limit, seconds, before = self.trees.get((band, a), (0.0, None, None))
        while seconds is None or not np.isfinite(seconds[b]):
            if limit == np.inf:
                raise ValueError(f"no road path from node {a} to node {b}")
            limit = REACH_S if limit == 0.0 else limit * 2
            limit = np.inf if limit > REACH_S * 2**3 else limit
            graph, _ = self._graph(band)
            seconds, before = dijkstra(
                graph, directed=True, indices=a, return_predecessors=True, limit=limit
            )
            self.trees[(band, a)] = (limit, seconds, before)
        return seconds, before

    def _graph(self, band: str) -> tuple[Any, dict[tuple[int, int], float]]:
        """The band's road graph as a sparse matrix of seconds, keeping the fastest of
        parallel edges, and the metres of each kept edge."""
        if band not in self.graphs:
            from scipy.sparse import csr_matrix

            net, seconds = self.network, self.seconds[band]
            tail, head = np.asarray(net.tail), np.asarray(net.head)
            order = np.lexsort((seconds, head, tail))  # by tail, head, then fastest first
            first = np.ones(len(order), dtype=bool)
            first[1:] = (tail[order][1:] != tail[order][:-1]) | (
                head[order][1:] != head[order][:-1]
            )
            kept = order[first]
            n = len(net.nodes)
            # a zero-second edge keeps a tiny weight (defensive: some sparse operations
            # drop stored zeros, and scipy's graph routines document 0 as no edge)
            weights = np.maximum(seconds[kept], 1e-9)
            graph = csr_matrix((weights, (tail[kept], head[kept])), shape=(n, n))
            pairs = zip(tail[kept].tolist(), head[kept].tolist(), strict=True)
            metres = dict(zip(pairs, np.asarray(net.length_m)[kept].tolist(), strict=True))
            self.graphs[band] = (graph, metres)
        return self.graphs[band]

    def _between(self, a: _Place, b: _Place, band: str) -> tuple[float, float]:
        """Base (seconds, metres) between two places in one band; 0 at the same node."""
        u, v = self._node(a.location), self._node(b.location)
        return (0.0, 0.0) if u == v else self._path(band, u, v)

    def leg(self, a: _Place, b: _Place, tech: Technician) -> tuple[float, float]:
        """Driving as the solver planned it: its band, or the slowest band (conservative)."""
        seconds, metres = max(self._between(a, b, band.name) for band in self.solver_bands)
        return seconds * tech.speed_factor, metres

    def leg_at(self, a: _Place, b: _Place, tech: Technician, depart: float) -> float:
        """Driving seconds leaving at `depart` (s from the horizon start), in that hour's
        band; the comparison with the planned leg is added to `check`."""
        from dispatch_opt.travel.roads.bands import band_at

        local = self.origin + timedelta(seconds=depart)
        minute = local.hour * 60 + local.minute + local.second / 60
        exact = self._between(a, b, band_at(self.bands, minute).name)[0] * tech.speed_factor
        planned = self.leg(a, b, tech)[0]
        c = self.check
        self.check = BandCheck(
            c.legs + 1,
            c.planned_s + planned,
            c.exact_s + exact,
            c.slower_legs + (exact > planned + TOLERANCE_S),
            max(c.worst_extra_s, exact - planned),
        )
        return exact


def _make_travel(problem: Problem, out: _Findings) -> _Travel | None:
    """The travel model of the problem, or None (with a warning) when it cannot be checked."""
    spec = problem.travel
    if spec.model is TravelModel.HAVERSINE:
        if spec.speed_kmh > 0 and spec.circuity > 0:
            return _GreatCircleTravel(spec.speed_kmh, spec.circuity)
        return _unchecked(out, "speed_kmh and circuity must be positive")
    if spec.model is TravelModel.MATRIX:
        return _make_matrix(problem, out)
    if spec.model is TravelModel.ROAD_GRAPH:
        return _make_road(problem, out)
    return _unchecked(out, f"travel model {_value(spec.model)!r} is not available here")


def _make_road(problem: Problem, out: _Findings) -> _Travel | None:
    """Road graph travel, or None (with a warning) when the network cannot be loaded."""
    try:
        return _RoadTravel(problem)
    except InputError as exc:
        return _unchecked(out, f"road graph: {exc}")


def _make_matrix(problem: Problem, out: _Findings) -> _Travel | None:
    """Matrix travel after checking the matrices cover every place of the problem."""
    spec = problem.travel
    n = len(spec.locations)
    index = {key: i for i, key in reversed(list(enumerate(spec.locations)))}
    for name in ("durations_s", "distances_m"):
        matrix = getattr(spec, name)
        if matrix is None or np.shape(matrix) != (n, n):
            return _unchecked(out, f"travel.{name} is not a {n}x{n} matrix")
    needed = [t.id for t in problem.tickets] + [d.id for d in problem.depots]
    needed += [t.id for t in problem.technicians]
    absent = [key for key in needed if key not in index]
    if absent:
        return _unchecked(out, f"travel.locations lacks {', '.join(absent[:5])}")
    return _MatrixTravel(index, np.asarray(spec.durations_s), np.asarray(spec.distances_m))


def _unchecked(out: _Findings, why: str) -> None:
    """Warn that travel-dependent checks are skipped."""
    out.warn("travel_model_unchecked", "travel", f"{why}; travel-time checks skipped")
    return None


# --------------------------------------------------------------------------- context


class _Clock:
    """Seconds from the horizon start; reports unusable datetimes instead of raising."""

    def __init__(self, origin: datetime, out: _Findings) -> None:
        self.origin = origin
        self.out = out

    def seconds(self, value: object, where: str) -> float | None:
        """`value` as seconds from the horizon start, or None (reported) when unusable."""
        if value is None:
            return None
        if not isinstance(value, datetime) or value.utcoffset() is None:
            self.out.error("bad_time", where, f"{value!r} is not a datetime with a UTC offset")
            return None
        return (value - self.origin).total_seconds()

    def of(self, value: datetime) -> float:
        """A problem datetime (validated upstream) as seconds from the horizon start."""
        return (value - self.origin).total_seconds()

    def show(self, seconds: float) -> str:
        """Seconds from the horizon start as an RFC 3339 wall-clock time."""
        moment = self.origin + timedelta(seconds=round(seconds))
        return moment.isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class _TimedStop:
    """A stop with its times in seconds from the horizon start (None when unusable)."""

    # start and end stops: arrival = start = end = `at`; a break: arrival = start

    index: int
    where: str
    kind: StopKind | None
    stop: Stop
    arrival: float | None
    start: float | None
    end: float | None

    @property
    def ref(self) -> str | None:
        """The ticket or depot id of the stop, if any."""
        ref = self.stop.id
        return ref if isinstance(ref, str) else None


@dataclass(slots=True)
class _RouteView:
    """One route of a known technician, with timed stops."""

    where: str
    route: Route
    tech: Technician
    stops: list[_TimedStop]

    def of_kind(self, kind: StopKind) -> list[_TimedStop]:
        """The stops of one kind, in order."""
        return [ts for ts in self.stops if ts.kind is kind]

    def first_at(self) -> float | None:
        """`at` of the start stop when the route opens with one."""
        first = self.stops[0] if self.stops else None
        return first.start if first is not None and first.kind is StopKind.START else None

    def last_at(self) -> float | None:
        """`at` of the end stop when the route closes with one."""
        last = self.stops[-1] if self.stops else None
        return last.start if last is not None and last.kind is StopKind.END else None


@dataclass(slots=True)
class _Context:
    """The problem indexed by id, the findings, the clock and the travel model."""

    problem: Problem
    out: _Findings
    clock: _Clock
    travel: _Travel | None
    tickets: dict[str, Ticket]
    depots: dict[str, Depot]
    techs: dict[str, Technician]
    picked: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    drive: dict[int, tuple[float, float]] = field(default_factory=dict)

    @property
    def overhead_s(self) -> float:
        """Stop overhead in seconds."""
        return self.problem.travel.stop_overhead_min * 60.0

    @property
    def horizon_s(self) -> float:
        """Length of the horizon in seconds."""
        return self.clock.of(self.problem.horizon.end)

    def ticket_of(self, ts: _TimedStop) -> Ticket | None:
        """The problem ticket behind a ticket stop, if known."""
        return self.tickets.get(ts.ref or "") if ts.kind is StopKind.TICKET else None

    def depot_of(self, ts: _TimedStop) -> Depot | None:
        """The problem depot behind a depot stop, if known."""
        return self.depots.get(ts.ref or "") if ts.kind is StopKind.DEPOT else None

    def place_of(self, ts: _TimedStop, tech: Technician) -> _Place | None:
        """Where a start, depot, ticket or end stop physically is (None if unknown)."""
        if ts.kind is StopKind.START:
            return _start_place(tech)
        if ts.kind is StopKind.END:
            return _end_place(tech)
        ticket, depot = self.ticket_of(ts), self.depot_of(ts)
        if ticket is not None:
            return _Place((ticket.id,), ticket.location)
        if depot is not None:
            return _Place((depot.id,), depot.location)
        return None


def _start_place(tech: Technician) -> _Place:
    """Where the technician's day starts."""
    return _Place((tech.id,), tech.start)


def _end_place(tech: Technician) -> _Place:
    """Where the technician's day ends (matrix key `<id>/end`, else the start key)."""
    return _Place((f"{tech.id}/end", tech.id), tech.end)


def _kind(value: object) -> StopKind | None:
    """The stop kind, or None when it is not one of the contract's kinds."""
    try:
        return StopKind(value)
    except (ValueError, TypeError):
        return None


def _value(value: object) -> object:
    """The plain value of an enum member, else the value itself."""
    return getattr(value, "value", value)


def _number(value: object) -> float | None:
    """A finite real number, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _stock(value: object) -> dict[str, int] | None:
    """A SKU mapping without zero entries, or None when it is not a mapping."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        return None
    return {str(sku): qty for sku, qty in value.items() if qty != 0}


def _close(actual: object, expected: float) -> bool:
    """True when a reported figure matches the recomputed one within 1 % or 0.1."""
    number = _number(actual)
    return number is not None and abs(number - expected) <= max(
        TOTALS_ABS, TOTALS_REL * abs(expected)
    )


def _timed_stop(ctx: _Context, where: str, index: int, stop: Stop) -> _TimedStop:
    """Read the times of one stop, reporting missing and unusable ones."""
    kind = _kind(getattr(stop, "kind", None))
    if kind is None:
        return _TimedStop(index, where, None, stop, None, None, None)
    values: dict[str, float | None] = {}
    for name in _TIME_FIELDS[kind]:
        raw = getattr(stop, name, None)
        if raw is None:
            ctx.out.error("missing_field", where, f"a {kind.value} stop needs `{name}`")
        values[name] = ctx.clock.seconds(raw, f"{where}.{name}")
    if kind in (StopKind.START, StopKind.END):
        at = values["at"]
        return _TimedStop(index, where, kind, stop, at, at, at)
    if kind is StopKind.BREAK:
        return _TimedStop(index, where, kind, stop, values["start"], values["start"], values["end"])
    return _TimedStop(index, where, kind, stop, values["arrival"], values["start"], values["end"])


def _route_views(ctx: _Context, plan: Plan) -> list[_RouteView]:
    """Timed views of the routes whose technician is known."""
    views: list[_RouteView] = []
    for route in plan.routes:
        tech = ctx.techs.get(route.technician) if isinstance(route.technician, str) else None
        if tech is None:
            continue
        where = f"routes[{tech.id}]"
        stops = [_timed_stop(ctx, f"{where}.stops[{i}]", i, s) for i, s in enumerate(route.stops)]
        views.append(_RouteView(where, route, tech, stops))
    return views


def _path(ctx: _Context, rv: _RouteView) -> list[_Place]:
    """Physical places of a route: start, each known depot and ticket, end."""
    middle = [
        ctx.place_of(ts, rv.tech) for ts in rv.stops if ts.kind in (StopKind.DEPOT, StopKind.TICKET)
    ]
    return [_start_place(rv.tech), *(p for p in middle if p is not None), _end_place(rv.tech)]


def _route_drive(ctx: _Context, rv: _RouteView) -> tuple[float, float] | None:
    """Exact driving (seconds, metres) of a route without overhead, or None unchecked."""
    if ctx.travel is None:
        return None
    key = id(rv)
    if key not in ctx.drive:
        path = _path(ctx, rv)
        legs = [ctx.travel.leg(a, b, rv.tech) for a, b in pairwise(path)]
        ctx.drive[key] = (sum(s for s, _ in legs), sum(m for _, m in legs))
    return ctx.drive[key]


# --------------------------------------------------------------------------- route checks


def _check_stop_order(ctx: _Context, rv: _RouteView) -> None:
    """Stops run `start`, then depots, tickets and breaks, then `end`."""
    if not rv.stops:
        ctx.out.error("stop_order", rv.where, "a route needs a start and an end stop")
        return
    last = len(rv.stops) - 1
    for ts in rv.stops:
        if ts.kind is None:
            ctx.out.error("stop_order", ts.where, f"unknown stop kind {ts.stop.kind!r}")
        elif ts.index == 0 and ts.kind is not StopKind.START:
            ctx.out.error("stop_order", ts.where, f"first stop is {ts.kind.value}, not start")
        elif ts.index == last and ts.kind is not StopKind.END and last > 0:
            ctx.out.error("stop_order", ts.where, f"last stop is {ts.kind.value}, not end")
        elif 0 < ts.index < last and ts.kind in (StopKind.START, StopKind.END):
            ctx.out.error("stop_order", ts.where, f"{ts.kind.value} stop in the middle")
    if last == 0 and rv.stops[0].kind is not StopKind.END:
        ctx.out.error("stop_order", rv.where, "the route has no end stop")


def _check_horizon(ctx: _Context, rv: _RouteView) -> None:
    """Every time of every stop lies inside the horizon."""
    limit = ctx.horizon_s
    for ts in rv.stops:
        for value in {ts.arrival, ts.start, ts.end} - {None}:
            if value < -TOLERANCE_S or value > limit + TOLERANCE_S:
                ctx.out.error(
                    "horizon", ts.where, f"time {ctx.clock.show(value)} is outside the horizon"
                )


def _check_time_order(ctx: _Context, rv: _RouteView) -> None:
    """Within a stop arrival <= start <= end; each stop begins after the previous ends."""
    previous_end: float | None = None
    for ts in rv.stops:
        if ts.arrival is not None and ts.start is not None and ts.start < ts.arrival - TOLERANCE_S:
            ctx.out.error(
                "start_before_arrival",
                ts.where,
                f"starts {ctx.clock.show(ts.start)} before arriving {ctx.clock.show(ts.arrival)}",
            )
        if ts.start is not None and ts.end is not None and ts.end < ts.start - TOLERANCE_S:
            ctx.out.error("time_order", ts.where, "ends before it starts")
        if (
            ts.kind is not StopKind.BREAK
            and ts.arrival is not None
            and previous_end is not None
            and ts.arrival < previous_end - TOLERANCE_S
        ):
            ctx.out.error(
                "time_order",
                ts.where,
                f"begins {ctx.clock.show(ts.arrival)} before the previous stop "
                f"ends {ctx.clock.show(previous_end)}",
            )
        if ts.end is not None:
            previous_end = ts.end if previous_end is None else max(previous_end, ts.end)


def _check_arrivals(ctx: _Context, rv: _RouteView) -> None:
    """Each depot, ticket and end stop is reached no earlier than driving allows."""
    if ctx.travel is None:
        return
    place: _Place | None = _start_place(rv.tech)
    free = rv.first_at()
    for ts in rv.stops:
        if ts.kind is StopKind.BREAK:
            free = _later(free, ts.end)
        elif ts.kind in _PHYSICAL:
            target = ctx.place_of(ts, rv.tech)
            if (
                place is not None
                and target is not None
                and free is not None
                and ts.arrival is not None
            ):
                _check_one_arrival(ctx, rv, ts, place, target, free)
            place, free = target, ts.end


def _later(a: float | None, b: float | None) -> float | None:
    """The later of two optional times (the known one when only one is)."""
    if a is None or b is None:
        return a if b is None else b
    return max(a, b)


def _check_one_arrival(
    ctx: _Context, rv: _RouteView, ts: _TimedStop, place: _Place, target: _Place, free: float
) -> None:
    """Arrival >= previous end + driving (+ overhead at a ticket not at the same spot)."""
    assert ctx.travel is not None and ts.arrival is not None
    drive_s = ctx.travel.leg_at(place, target, rv.tech, free)
    same_spot = place.location == target.location
    overhead = ctx.overhead_s if ts.kind is StopKind.TICKET and not same_spot else 0.0
    expected = free + drive_s + overhead
    if ts.arrival >= expected - TOLERANCE_S:
        return
    code = "end_too_early" if ts.kind is StopKind.END else "arrival_too_early"
    ctx.out.error(
        code,
        ts.where,
        f"arrives {ctx.clock.show(ts.arrival)} but cannot be there before "
        f"{ctx.clock.show(expected)} ({drive_s / 60:.2f} min driving"
        f" + {overhead / 60:.0f} min overhead after {ctx.clock.show(free)})",
    )


def _check_wait(ctx: _Context, ts: _TimedStop) -> None:
    """`wait_min` is the minutes between arrival and start."""
    if ts.arrival is None or ts.start is None:
        return
    expected = (ts.start - ts.arrival) / 60.0
    reported = _number(ts.stop.wait_min)
    if reported is None or abs(reported - expected) > TOLERANCE_MIN:
        ctx.out.error(
            "wait_inconsistent",
            ts.where,
            f"wait_min is {ts.stop.wait_min!r}, start - arrival is {expected:.2f}",
        )


def _check_ticket_stops(ctx: _Context, rv: _RouteView) -> None:
    """Ticket stops: wait, service duration, time window, SLA lateness."""
    for ts in rv.of_kind(StopKind.TICKET):
        ticket = ctx.ticket_of(ts)
        if ticket is None:
            continue
        _check_wait(ctx, ts)
        _check_service_duration(ctx, ts, ticket)
        if ts.start is not None:
            _check_ticket_window(ctx, ts, ts.start, ticket)
            _check_late(ctx, ts, ts.start, ticket)


def _check_service_duration(ctx: _Context, ts: _TimedStop, ticket: Ticket) -> None:
    """Ticket `end` = `start` + `duration_min`."""
    if ts.start is None or ts.end is None:
        return
    expected = ts.start + ticket.duration_min * 60.0
    if abs(ts.end - expected) > TOLERANCE_S:
        ctx.out.error(
            "service_duration",
            ts.where,
            f"ends {ctx.clock.show(ts.end)}, but {ticket.duration_min:g} min of "
            f"service from {ctx.clock.show(ts.start)} ends {ctx.clock.show(expected)}",
        )


def _check_ticket_window(ctx: _Context, ts: _TimedStop, start: float, ticket: Ticket) -> None:
    """Service starts inside one of the ticket's time windows (none = anywhere)."""
    if not ticket.time_windows:
        return
    spans = [(ctx.clock.of(w.start), ctx.clock.of(w.end)) for w in ticket.time_windows]
    if any(a - TOLERANCE_S <= start <= b + TOLERANCE_S for a, b in spans):
        return
    shown = ", ".join(f"{ctx.clock.show(a)}..{ctx.clock.show(b)}" for a, b in spans)
    ctx.out.error(
        "outside_time_window",
        ts.where,
        f"service of {ticket.id} starts {ctx.clock.show(start)}, outside {shown}",
    )


def _check_late(ctx: _Context, ts: _TimedStop, start: float, ticket: Ticket) -> None:
    """`late_min` = minutes the start is after `sla_due` (0 without one)."""
    due = ctx.clock.of(ticket.sla_due) if ticket.sla_due is not None else None
    expected = 0.0 if due is None else max(0.0, start - due) / 60.0
    reported = _number(ts.stop.late_min)
    if reported is None or abs(reported - expected) > TOLERANCE_MIN:
        ctx.out.error(
            "late_inconsistent",
            ts.where,
            f"late_min is {ts.stop.late_min!r}, should be {expected:.2f}",
        )


def _check_depot_stops(ctx: _Context, rv: _RouteView) -> None:
    """Depot stops: at least `pickup_min` long, wholly inside the depot's hours. (No
    `wait_min` check: the contract's depot stop has no such field, so a plan read from a
    document carries none; a start before the arrival is `start_before_arrival`.)"""
    for ts in rv.of_kind(StopKind.DEPOT):
        depot = ctx.depot_of(ts)
        if depot is None:
            continue
        if ts.start is None or ts.end is None:
            continue
        if ts.end - ts.start < depot.pickup_min * 60.0 - TOLERANCE_S:
            ctx.out.error(
                "pickup_duration",
                ts.where,
                f"{(ts.end - ts.start) / 60:.2f} min at {depot.id}, "
                f"loading takes {depot.pickup_min:g} min",
            )
        opens, closes = ctx.clock.of(depot.open.start), ctx.clock.of(depot.open.end)
        if ts.start < opens - TOLERANCE_S or ts.end > closes + TOLERANCE_S:
            ctx.out.error(
                "depot_closed",
                ts.where,
                f"{ctx.clock.show(ts.start)}..{ctx.clock.show(ts.end)} is not inside "
                f"{depot.id} hours {ctx.clock.show(opens)}..{ctx.clock.show(closes)}",
            )


def _check_shift(ctx: _Context, rv: _RouteView) -> None:
    """Leave no earlier than the shift start; reach the end by shift end + overtime max."""
    tech = rv.tech
    begin, finish = rv.first_at(), rv.last_at()
    shift_start, shift_end = ctx.clock.of(tech.shift.start), ctx.clock.of(tech.shift.end)
    if begin is not None and begin < shift_start - TOLERANCE_S:
        ctx.out.error(
            "shift_start",
            rv.stops[0].where,
            f"leaves {ctx.clock.show(begin)} before the shift starts {ctx.clock.show(shift_start)}",
        )
    latest = shift_end + tech.overtime_max_min * 60.0
    if finish is not None and finish > latest + TOLERANCE_S:
        ctx.out.error(
            "overtime",
            rv.stops[-1].where,
            f"reaches the end {ctx.clock.show(finish)}, "
            f"{(finish - shift_end) / 60:.2f} min after the shift; "
            f"at most {tech.overtime_max_min:g} min overtime allowed",
        )


def _check_breaks(ctx: _Context, rv: _RouteView) -> None:
    """Breaks: after the previous stop, inside their window, long enough, none missing."""
    break_stops = rv.of_kind(StopKind.BREAK)
    for ts in break_stops:
        before = rv.stops[ts.index - 1] if ts.index > 0 else None
        if (
            before is not None
            and before.end is not None
            and ts.start is not None
            and ts.start < before.end - TOLERANCE_S
        ):
            ctx.out.error(
                "break_overlap",
                ts.where,
                f"break starts {ctx.clock.show(ts.start)} before the previous stop "
                f"ends {ctx.clock.show(before.end)}",
            )
    ordered = sorted(enumerate(rv.tech.breaks), key=lambda item: item[1].window.start)
    required = _required_breaks(ctx, rv, [b for _, b in ordered])
    matched = _match_breaks(ctx, rv, break_stops, ordered, required)
    for k, (number, brk) in enumerate(ordered):
        if required[k] and k not in matched:
            ctx.out.error(
                "break_missing",
                rv.where,
                f"break {number} ({brk.duration_min:g} min, window "
                f"{ctx.clock.show(ctx.clock.of(brk.window.start))}.."
                f"{ctx.clock.show(ctx.clock.of(brk.window.end))}) is not taken",
            )


def _required_breaks(ctx: _Context, rv: _RouteView, breaks: list[Break]) -> list[bool]:
    """Breaks due: the route serves a ticket and the window overlaps [start.at, end.at],
    or, for a re-plan's technician whose day is under way (`Technician.under_way`), the
    rest of its day from its shift start here: it overlapped a window still open then,
    however late it leaves."""
    if not rv.of_kind(StopKind.TICKET):
        return [False] * len(breaks)
    begin = None if rv.tech.under_way else rv.first_at()
    finish = rv.last_at()
    begin = ctx.clock.of(rv.tech.shift.start) if begin is None else begin
    finish = ctx.clock.of(rv.tech.shift.end) if finish is None else finish
    return [
        ctx.clock.of(b.window.start) < finish and ctx.clock.of(b.window.end) > begin for b in breaks
    ]


def _match_breaks(
    ctx: _Context,
    rv: _RouteView,
    break_stops: list[_TimedStop],
    ordered: list[tuple[int, Break]],
    required: list[bool],
) -> set[int]:
    """Match break stops to breaks, in any order (the contract states none): as many
    due breaks as can be, each to a stop starting inside its window and long enough,
    then the others. A stop left over is told against a break left over: too short for
    one whose window it starts in, else outside a due one's window; else it is extra.
    Matching in window order counted a stop at 13:00:01 as a lunch whose window closed at
    13:00 (within the 1 s tolerance), and the coffee break it was as missing."""
    timed = [ts for ts in break_stops if ts.start is not None]

    def fits(ts: _TimedStop, k: int) -> bool:
        brk = ordered[k][1]
        long_enough = ts.end is None or ts.end - ts.start >= brk.duration_min * 60.0 - TOLERANCE_S
        return _in_window(ctx, brk, ts) and long_enough

    taken_by: dict[int, int] = {}  # stop (index into `timed`) -> the break it is
    due_first = sorted(range(len(ordered)), key=lambda k: not required[k])
    for k in due_first:
        _augment(k, fits, timed, taken_by, set())
    matched = set(taken_by.values())
    used = set(taken_by)
    for i, ts in enumerate(timed):
        if i in used:
            continue
        free = [k for k in range(len(ordered)) if k not in matched]
        inside = [k for k in free if _in_window(ctx, ordered[k][1], ts)]
        pending = [k for k in free if required[k]]
        pick = (inside or pending or [None])[0]
        if pick is None:
            ctx.out.warn("break_extra", ts.where, "a break the technician does not have")
            continue
        brk = ordered[pick][1]
        if not inside:
            ctx.out.error(
                "break_window",
                ts.where,
                f"break starts {ctx.clock.show(ts.start)}, outside its window "
                f"{ctx.clock.show(ctx.clock.of(brk.window.start))}.."
                f"{ctx.clock.show(ctx.clock.of(brk.window.end))}",
            )
        elif ts.end is not None:  # inside a window it fits not: too short for it
            ctx.out.error(
                "break_too_short",
                ts.where,
                f"break lasts {(ts.end - ts.start) / 60:.2f} min, needs {brk.duration_min:g}",
            )
        matched.add(pick)
    return matched


def _augment(
    k: int,
    fits: Callable[[_TimedStop, int], bool],
    timed: list[_TimedStop],
    taken_by: dict[int, int],
    seen: set[int],
) -> bool:
    """One augmenting path of a bipartite matching (stops to breaks, `taken_by`): give
    break k a stop it fits, moving the break that holds it to another stop if that one
    can move."""
    for i, ts in enumerate(timed):
        if i in seen or not fits(ts, k):
            continue
        seen.add(i)
        holder = taken_by.get(i)
        if holder is None or _augment(holder, fits, timed, taken_by, seen):
            taken_by[i] = k
            return True
    return False


def _in_window(ctx: _Context, brk: Break, ts: _TimedStop) -> bool:
    """True when the break stop starts inside the break's window."""
    assert ts.start is not None
    return (
        ctx.clock.of(brk.window.start) - TOLERANCE_S
        <= ts.start
        <= ctx.clock.of(brk.window.end) + TOLERANCE_S
    )


def _check_assignment(ctx: _Context, rv: _RouteView) -> None:
    """Skills, pinned and excluded technicians, and `max_jobs`."""
    tech = rv.tech
    ticket_stops = rv.of_kind(StopKind.TICKET)
    for ts in ticket_stops:
        ticket = ctx.ticket_of(ts)
        if ticket is None:
            continue
        for skill, level in ticket.skills.items():
            have = tech.skills.get(skill, 0)
            if have < level:
                ctx.out.error(
                    "skill", ts.where, f"{ticket.id} needs {skill}>={level}, {tech.id} has {have}"
                )
        if ticket.pinned_technician is not None and ticket.pinned_technician != tech.id:
            ctx.out.error(
                "pinned",
                ts.where,
                f"{ticket.id} is pinned to {ticket.pinned_technician}, not {tech.id}",
            )
        if tech.id in ticket.excluded_technicians:
            ctx.out.error("excluded", ts.where, f"{tech.id} is excluded from {ticket.id}")
    if tech.max_jobs is not None and len(ticket_stops) > tech.max_jobs:
        ctx.out.error(
            "max_jobs",
            rv.where,
            f"{len(ticket_stops)} tickets, {tech.id} may do at most {tech.max_jobs}",
        )


def _check_max_travel(ctx: _Context, rv: _RouteView) -> None:
    """Total driving minutes stay within `max_travel_min`."""
    drive = _route_drive(ctx, rv)
    limit = rv.tech.max_travel_min
    if drive is None or limit is None:
        return
    minutes = drive[0] / 60.0
    if minutes > limit + TOLERANCE_MIN:
        ctx.out.error(
            "max_travel",
            rv.where,
            f"{minutes:.2f} min of driving, {rv.tech.id} may drive at most {limit:g}",
        )


def _check_parts(ctx: _Context, rv: _RouteView) -> None:
    """Running van stock never goes negative; ticket stops repeat the ticket's parts."""
    van: Counter[str] = Counter(rv.tech.stock)
    for ts in rv.stops:
        depot, ticket = ctx.depot_of(ts), ctx.ticket_of(ts)
        if depot is not None:
            _load_pickup(ctx, ts, depot, van)
        elif ticket is not None:
            _consume_parts(ctx, ts, ticket, van)


def _load_pickup(ctx: _Context, ts: _TimedStop, depot: Depot, van: Counter[str]) -> None:
    """Add a depot stop's pickup to the van and to the depot's running total."""
    pickup = _stock(ts.stop.pickup)
    if pickup is None:
        ctx.out.error("pickup_invalid", ts.where, f"pickup {ts.stop.pickup!r} is not a mapping")
        return
    for sku, qty in pickup.items():
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            ctx.out.error("pickup_invalid", ts.where, f"pickup of {sku} is {qty!r}")
            continue
        van[sku] += qty
        ctx.picked[depot.id][sku] += qty


def _consume_parts(ctx: _Context, ts: _TimedStop, ticket: Ticket, van: Counter[str]) -> None:
    """Take a ticket's parts from the van; its stop must list exactly those parts."""
    listed = _stock(ts.stop.parts)
    if listed != _stock(ticket.parts):
        ctx.out.error(
            "parts",
            ts.where,
            f"stop lists parts {ts.stop.parts!r}, {ticket.id} needs {dict(ticket.parts)}",
        )
    for sku, qty in ticket.parts.items():
        van[sku] -= qty
        if van[sku] < 0:
            ctx.out.error(
                "stock_negative",
                ts.where,
                f"{ticket.id} needs {qty} x {sku}; the van is {-van[sku]} short",
            )


def _check_route_totals(ctx: _Context, rv: _RouteView) -> None:
    """Route `travel_km`, `travel_min`, `work_min`, `overtime_min` match (warnings)."""
    route = rv.route
    expected: dict[str, float] = {"work_min": _work_min(ctx, rv)}
    finish = rv.last_at()
    if finish is not None:
        overtime_s = max(0.0, finish - ctx.clock.of(rv.tech.shift.end))
        expected["overtime_min"] = overtime_s / 60.0
    drive = _route_drive(ctx, rv)
    if drive is not None:
        expected["travel_min"] = drive[0] / 60.0
        expected["travel_km"] = drive[1] / 1000.0
    for name, value in expected.items():
        reported = getattr(route, name, None)
        if not _close(reported, value):
            ctx.out.warn(
                f"route_{name}",
                f"{rv.where}.{name}",
                f"{name} is {reported!r}, recomputed {value:.2f}",
            )


def _work_min(ctx: _Context, rv: _RouteView) -> float:
    """Service plus depot minutes of a route, from its stops."""
    total = 0.0
    for ts in rv.stops:
        ticket = ctx.ticket_of(ts)
        if ticket is not None:
            total += ticket.duration_min
        elif ts.kind is StopKind.DEPOT and ts.start is not None and ts.end is not None:
            total += max(0.0, ts.end - ts.start) / 60.0
    return total


_ROUTE_CHECKS: tuple[Callable[[_Context, _RouteView], None], ...] = (
    _check_stop_order,
    _check_horizon,
    _check_time_order,
    _check_arrivals,
    _check_ticket_stops,
    _check_depot_stops,
    _check_shift,
    _check_breaks,
    _check_assignment,
    _check_max_travel,
    _check_parts,
    _check_route_totals,
)


# --------------------------------------------------------------------------- plan checks


def _route_tech(route: Route) -> str:
    """A route's technician id as text, for messages and paths."""
    return str(route.technician)


def _check_routes(ctx: _Context, plan: Plan) -> None:
    """Every technician has exactly one route; routes name known technicians."""
    counts = Counter(_route_tech(r) for r in plan.routes)
    for i, route in enumerate(plan.routes):
        if _route_tech(route) not in ctx.techs:
            ctx.out.error(
                "unknown_technician",
                f"routes[{i}]",
                f"route of unknown technician {route.technician!r}",
            )
    for tech in ctx.problem.technicians:
        if counts[tech.id] == 0:
            ctx.out.error(
                "missing_route",
                f"routes[{tech.id}]",
                f"technician {tech.id} has no route (an unused one has start and end)",
            )
        elif counts[tech.id] > 1:
            ctx.out.error(
                "duplicate_route",
                f"routes[{tech.id}]",
                f"technician {tech.id} has {counts[tech.id]} routes",
            )


def _served(plan: Plan) -> list[tuple[str, str]]:
    """(ticket id, where) of every ticket stop of the plan, in order."""
    found: list[tuple[str, str]] = []
    for route in plan.routes:
        for i, stop in enumerate(route.stops):
            if _kind(getattr(stop, "kind", None)) is StopKind.TICKET:
                found.append((str(stop.id), f"routes[{_route_tech(route)}].stops[{i}]"))
    return found


def _served_ids(ctx: _Context, plan: Plan) -> set[str]:
    """Ids of the problem's tickets that some route serves."""
    return {tid for tid, _ in _served(plan) if tid in ctx.tickets}


def _check_references(ctx: _Context, plan: Plan) -> None:
    """Ticket and depot stops carry an id that the problem knows."""
    for route in plan.routes:
        for i, stop in enumerate(route.stops):
            kind = _kind(getattr(stop, "kind", None))
            if kind not in (StopKind.TICKET, StopKind.DEPOT):
                continue
            where = f"routes[{_route_tech(route)}].stops[{i}]"
            known = ctx.tickets if kind is StopKind.TICKET else ctx.depots
            if not isinstance(stop.id, str) or not stop.id:
                ctx.out.error("missing_field", where, f"a {kind.value} stop needs `id`")
            elif stop.id not in known:
                code = "unknown_ticket" if kind is StopKind.TICKET else "unknown_depot"
                ctx.out.error(code, where, f"no {kind.value} {stop.id!r} in the problem")


def _check_tickets(ctx: _Context, plan: Plan) -> None:
    """Each ticket is served at most once, and either served or unassigned, not both."""
    first_seen: dict[str, str] = {}
    for tid, where in _served(plan):
        if tid not in ctx.tickets:
            continue
        if tid in first_seen:
            ctx.out.error(
                "duplicate_ticket", where, f"{tid} is already served at {first_seen[tid]}"
            )
        else:
            first_seen[tid] = where
    listed = _check_unassigned(ctx, plan, first_seen)
    for ticket in ctx.problem.tickets:
        if ticket.id not in first_seen and ticket.id not in listed:
            ctx.out.error(
                "missing_ticket",
                f"tickets[{ticket.id}]",
                f"{ticket.id} is neither served nor unassigned",
            )


def _check_unassigned(ctx: _Context, plan: Plan, served: Mapping[str, str]) -> set[str]:
    """Unassigned entries name real, unserved tickets once, with a reason; their ids."""
    listed: set[str] = set()
    for i, entry in enumerate(plan.unassigned):
        where, tid = f"unassigned[{i}]", str(getattr(entry, "ticket", None))
        if tid not in ctx.tickets:
            ctx.out.warn("unassigned_unknown", where, f"no ticket {tid!r} in the problem")
        elif tid in served:
            ctx.out.error(
                "served_and_unassigned", where, f"{tid} is unassigned but served at {served[tid]}"
            )
        if tid in listed:
            ctx.out.warn("duplicate_unassigned", where, f"{tid} is listed twice")
        if not getattr(entry, "reasons", None):
            ctx.out.warn("unassigned_no_reason", where, f"{tid} is unassigned without a reason")
        listed.add(tid)
    return listed


def _check_depot_stock(ctx: _Context, plan: Plan) -> None:
    """Pickups over all routes take no more of a SKU than the depot holds."""
    for depot_id, taken in ctx.picked.items():
        stock = ctx.depots[depot_id].stock
        for sku, qty in taken.items():
            if qty > stock.get(sku, 0):
                ctx.out.error(
                    "depot_stock",
                    f"depots[{depot_id}]",
                    f"routes pick up {qty} x {sku}, the depot holds {stock.get(sku, 0)}",
                )


def _check_status(ctx: _Context, plan: Plan) -> None:
    """`solved` iff all served, `infeasible` iff a required ticket is not, else `partial`."""
    served = _served_ids(ctx, plan)
    unserved = [t for t in ctx.problem.tickets if t.id not in served]
    required = [t for t in unserved if t.required]
    expected = (
        PlanStatus.INFEASIBLE
        if required
        else (PlanStatus.PARTIAL if unserved else PlanStatus.SOLVED)
    )
    if _value(plan.status) != expected.value:
        ctx.out.error(
            "status",
            "status",
            f"status is {_value(plan.status)!r}, should be {expected.value!r} "
            f"({len(unserved)} unserved, {len(required)} of them required)",
        )
    for ticket in required:
        ctx.out.warn(
            "required_unserved",
            f"tickets[{ticket.id}]",
            f"required ticket {ticket.id} is not served",
        )


def _check_kpis(ctx: _Context, plan: Plan, views: list[_RouteView]) -> None:
    """KPIs match the plan (warnings)."""
    kpis = plan.kpis
    served = [ctx.tickets[tid] for tid in _served_ids(ctx, plan)]
    _kpi_exact(ctx, "tickets", kpis.tickets, len(ctx.problem.tickets))
    _kpi_exact(ctx, "assigned", kpis.assigned, len(served))
    by_priority = Counter(_value(t.priority) for t in served)
    reported = {_value(k): v for k, v in (kpis.assigned_by_priority or {}).items() if v}
    if reported != dict(by_priority):
        ctx.out.warn(
            "kpi_assigned_by_priority",
            "kpis.assigned_by_priority",
            f"is {reported}, recomputed {dict(by_priority)}",
        )
    expected: dict[str, float] = {"sla_met_rate": _sla_met_rate(ctx, views)}
    drives = [_route_drive(ctx, rv) for rv in views]
    if drives and all(d is not None for d in drives):
        expected["travel_km"] = sum(d[1] for d in drives if d is not None) / 1000.0
        expected["travel_min"] = sum(d[0] for d in drives if d is not None) / 60.0
    ends = [(rv.last_at(), ctx.clock.of(rv.tech.shift.end)) for rv in views]
    if all(finish is not None for finish, _ in ends):
        expected["overtime_min"] = sum(max(0.0, f - s) for f, s in ends if f is not None) / 60
    for name, value in expected.items():
        actual = getattr(kpis, name, None)
        if not _close(actual, value):
            ctx.out.warn(f"kpi_{name}", f"kpis.{name}", f"is {actual!r}, recomputed {value:.3f}")


def _kpi_exact(ctx: _Context, name: str, actual: object, expected: int) -> None:
    """Warn when an integer KPI differs from its recomputed value."""
    if actual != expected:
        ctx.out.warn(f"kpi_{name}", f"kpis.{name}", f"is {actual!r}, recomputed {expected}")


def _sla_met_rate(ctx: _Context, views: list[_RouteView]) -> float:
    """Tickets with `sla_due` served by it / all tickets with `sla_due` (1.0 when none)."""
    with_sla = [t for t in ctx.problem.tickets if t.sla_due is not None]
    if not with_sla:
        return 1.0
    met: set[str] = set()
    for rv in views:
        for ts in rv.of_kind(StopKind.TICKET):
            ticket = ctx.ticket_of(ts)
            if ticket is None or ticket.sla_due is None or ts.start is None:
                continue
            if ts.start <= ctx.clock.of(ticket.sla_due) + TOLERANCE_S:
                met.add(ticket.id)
    return len(met) / len(with_sla)


# --------------------------------------------------------------------------- entry point


def _guard(out: _Findings, where: str, check: Callable[..., Any], *args: Any) -> Any:
    """Run one check; a crash on a malformed plan becomes a `malformed_plan` violation."""
    try:
        return check(*args)
    except Exception as exc:  # the validator must report, never raise
        out.error(
            "malformed_plan",
            where,
            f"{check.__name__.lstrip('_')} could not run: {type(exc).__name__}: {exc}",
        )
        return None


def _context(problem: Problem, out: _Findings) -> _Context:
    """Index the problem and set up the clock and travel model."""
    return _Context(
        problem=problem,
        out=out,
        clock=_Clock(problem.horizon.start, out),
        travel=_make_travel(problem, out),
        tickets={t.id: t for t in problem.tickets},
        depots={d.id: d for d in problem.depots},
        techs={t.id: t for t in problem.technicians},
    )


def drive_to_end_s(problem: Problem, technician: str, ticket: str | None = None) -> float | None:
    """Seconds `technician` drives to its end place from a ticket's place (None: from its
    start place), by this validator's own travel model; None when travel cannot be
    checked. The re-plan validator uses it to check a technician said to be unable to get
    home inside the horizon."""
    travel = _make_travel(problem, _Findings())
    if travel is None:
        return None
    tech = problem.technician(technician)
    origin = _start_place(tech)
    if ticket is not None:
        origin = _Place((ticket,), problem.ticket(ticket).location)
    return travel.leg(origin, _end_place(tech), tech)[0]


def validate_plan(problem: Problem, plan: Plan) -> ValidationReport:
    """Re-check every hard rule of `plan` against `problem`; report all breaches found.

    A problem with a `state` is checked as a re-plan (`dispatch_opt.replan.checks`)."""
    if problem.state is not None:
        from dispatch_opt.replan.checks import validate_replan

        return validate_replan(problem, plan)
    out = _Findings()
    ctx = _context(problem, out)
    _guard(out, "routes", _check_routes, ctx, plan)
    _guard(out, "routes", _check_references, ctx, plan)
    _guard(out, "tickets", _check_tickets, ctx, plan)
    views = _guard(out, "routes", _route_views, ctx, plan) or []
    for rv in views:
        for check in _ROUTE_CHECKS:
            _guard(out, rv.where, check, ctx, rv)
    _guard(out, "depots", _check_depot_stock, ctx, plan)
    _guard(out, "status", _check_status, ctx, plan)
    _guard(out, "kpis", _check_kpis, ctx, plan, views)
    if isinstance(ctx.travel, _RoadTravel) and ctx.travel.check.legs:
        _warn_band_difference(out, ctx.travel.check)
    return out.report()


def _warn_band_difference(out: _Findings, check: BandCheck) -> None:
    """Report planned driving against driving timed by each leg's departure band."""
    out.warn(
        "road_band_difference",
        "travel",
        f"{check.legs} legs: planned {check.planned_s / 60:.1f} min of driving, "
        f"{check.exact_s / 60:.1f} min with the band of each departure "
        f"({check.difference_s / 60:+.1f} min); {check.slower_legs} legs slower than "
        f"planned (worst {max(0.0, check.worst_extra_s) / 60:.1f} min)",
    )


def road_band_check(problem: Problem, plan: Plan) -> BandCheck:
    """A road_graph plan's legs, planned against timed by departure band (zeros otherwise)."""
    out = _Findings()
    ctx = _context(problem, out)
    if not isinstance(ctx.travel, _RoadTravel):
        return BandCheck()
    for rv in _route_views(ctx, plan):
        _check_arrivals(ctx, rv)
    return ctx.travel.check


def plan_issues(problem: Problem, plan: Plan, field: str) -> list[Issue]:
    """A previous plan given to re-plan from must be a valid plan of the problem (a
    re-plan of its state when it has one): each broken rule is an input issue at its
    place in the plan, under `field`. Read off an invalid plan, the day's state could
    hold what no van can (more parts used than it held and fetched)."""
    report = validate_plan(problem, plan)
    return [
        Issue(f"{field}.{v.where}" if v.where else field, f"{v.code}: {v.message}")
        for v in report.violations
    ]
