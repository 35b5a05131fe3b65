"""The numeric routing instance: everything the engine needs, as integers and arrays.

Independent of JSON and of OR-Tools, so that benchmarks can build one straight from a
Solomon file and several engines can read the same instance. Times are integer seconds
from the horizon start, distances integer metres, costs integer units (see `CostScale`).

Node layout: `[vehicle starts (V) | vehicle ends (V) | depots (D) | tickets (N) |
pickups (P)]`. A pickup node is one way to load parts at a depot: it stands at the
depot's place, and the loading time is paid on arriving there (not when coming from
another pickup at the same depot, so several loads make one depot stop).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from dispatch_opt.routing.shortest import ShortestDrive

COST_PER_UNIT = 6000
"""Integer cost of one objective unit (one minute of driving at default weights); per
second costs are then whole numbers (100 per second for a weight of 1 per minute)."""


NodeIndex = int | np.integer | np.ndarray
"""A node, or an array of nodes (numpy indexing: paired arrays or an `np.ix_` half)."""


NEVER_S = int(np.iinfo(np.int64).max)
"""A moment no timeline reaches (`VehicleBreak.closes_s` of a break never escaped)."""


@dataclass(frozen=True, slots=True)
class VehicleBreak:
    """A break of `duration_s` that must start in [earliest_s, latest_s]. A day with work
    that does not take it lies wholly outside its window: it ends by `opens_s`, when the
    window opens, rounded down (before the day's start where it opened earlier;
    `earliest_s` is never before that start, and rounds up), as an arrival in whole
    seconds after a window opening at 08:00:00.5 owes the break; or it leaves the start
    at `closes_s` or later, the first whole second after the window closes (a day leaving
    as it closes is kept a second clear of touching it, as a shift starting then is)."""

    earliest_s: int
    latest_s: int
    duration_s: int
    opens_s: int
    closes_s: int


@dataclass(eq=False)
class RoutingInstance:
    """A vehicle routing problem with time windows and side constraints, in numbers.

    Arrays are read-only after construction. Ticket-indexed arrays have length N (ticket
    `k` is node `ticket_node(k)`); vehicle-indexed arrays have length V.
    """

    horizon_s: int
    # --- nodes -------------------------------------------------------------
    n_vehicles: int
    n_depots: int
    n_tickets: int
    loc_id: np.ndarray  # (n,) int: same value = same physical place
    distance_m: np.ndarray  # (m, m) float road metres (float32 or float64) between places
    duration_s: np.ndarray  # (m, m) float base driving seconds (speed factor 1); read both
    # by node through `durations` / `distances` (rows `place`), or whole as `drive_s`
    service_s: np.ndarray  # (n,) int
    overhead_s: int  # added to each arrival at a ticket from another place
    # --- tickets -----------------------------------------------------------
    windows: Sequence[np.ndarray]  # per ticket, (k, 2) int service-start windows; a
    # tuple of read-only arrays: change it through `set_windows` only
    sla_due_s: np.ndarray  # (N,) int, -1 when none
    weight: np.ndarray  # (N,) int contract weight
    penalty: np.ndarray  # (N,) int cost of leaving it out
    required: np.ndarray  # (N,) bool
    allowed: np.ndarray  # (N, V) bool: vehicle may serve ticket
    demand: np.ndarray  # (N, S) int parts per SKU
    preferred: np.ndarray  # (N, V) bool: continuity preference
    # --- vehicles ----------------------------------------------------------
    shift_start_s: np.ndarray  # (V,) int
    shift_end_s: np.ndarray  # (V,) int, overtime starts after it
    latest_end_s: np.ndarray  # (V,) int: shift end + allowed overtime (within horizon)
    speed_factor: np.ndarray  # (V,) float
    max_jobs: np.ndarray  # (V,) int, -1 = no limit
    max_travel_s: np.ndarray  # (V,) int, -1 = no limit
    breaks: list[tuple[VehicleBreak, ...]]
    stock: np.ndarray  # (V, S) int van stock at the start of the day
    depot_stock: np.ndarray  # (D, S) int
    depot_open: np.ndarray  # (D, 2) int
    skus: tuple[str, ...]
    # --- costs (integer, see COST_PER_UNIT) -------------------------------
    travel_cost_per_s: int
    travel_cost_per_km: int
    sla_cost_per_s: int
    overtime_cost_per_s: int
    span_cost_per_s: int
    preference_cost: int
    # --- names, for mapping back -----------------------------------------
    vehicle_ids: tuple[str, ...] = ()
    depot_ids: tuple[str, ...] = ()
    ticket_ids: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)
    # --- depot pickups (optional nodes after the tickets) ----------------------
    pickup_depot: np.ndarray | None = None  # (P,) int depot of each pickup node
    pickup_ticket: np.ndarray | None = None  # (P,) int ticket it was made for
    pickup_load: np.ndarray | None = None  # (P, S) int parts loaded
    pickup_window: np.ndarray | None = None  # (P, 2) int [earliest, latest] loading end
    pickup_partner: np.ndarray | None = None  # (P,) int the next pickup of a load split
    # over two or three depots, a cycle through them (all are fetched, or none), -1 for a
    # pickup that loads alone
    # --- stability of a re-plan (optional; zero costs = plain planning) -------
    prev_vehicle: np.ndarray | None = None  # (N,) int vehicle in the previous plan, -1 none
    prev_start_s: np.ndarray | None = None  # (N,) int start in the previous plan, -1 none
    reassign_cost: int = 0  # serving a planned ticket by another vehicle
    move_cost_per_s: int = 0  # per second a start is later than prev start + tolerance
    move_tolerance_s: int = 0
    held: np.ndarray | None = None  # (N,) bool: visits a re-plan holds where they are
    # (none held without it); a repair never trades one away for another required ticket
    # --- where each node stands in the travel matrices --------------------------
    place: np.ndarray | None = None  # (n,) int row of `duration_s` / `distance_m` of
    # each node (a pickup shares its depot's); None when they are indexed by node
    metric: bool = True  # the direct leg is the shortest way between two places (false
    # for a given matrix: `least_drive` then searches the ways through other places)
    idle_end_s: np.ndarray | None = None  # (V,) int: latest arrival at the end place of a
    # day without tickets, which owes no break, so a break that cannot fit does not cut it
    # short as it cuts `latest_end_s`; None = `latest_end_s`

    def __post_init__(self) -> None:
        self.windows = tuple(self.windows)
        for w in self.windows:  # read-only, like every array here: the timing tables
            w.setflags(write=False)  # copy them once (`visit_windows`)
        n_s = len(self.skus)
        if self.prev_vehicle is None:
            self.prev_vehicle = np.full(self.n_tickets, -1, dtype=np.int64)
        if self.prev_start_s is None:
            self.prev_start_s = np.full(self.n_tickets, -1, dtype=np.int64)
        if self.held is None:
            self.held = np.zeros(self.n_tickets, dtype=bool)
        if self.idle_end_s is None:
            self.idle_end_s = self.latest_end_s
        if self.pickup_depot is None:
            self.pickup_depot = np.zeros(0, dtype=np.int64)
            self.pickup_ticket = np.zeros(0, dtype=np.int64)
            self.pickup_load = np.zeros((0, n_s), dtype=np.int64)
            self.pickup_window = np.zeros((0, 2), dtype=np.int64)
        if self.pickup_partner is None:
            self.pickup_partner = np.full(len(self.pickup_depot), -1, dtype=np.int64)
        if self.place is not None:
            self._check_place()
        for name in (
            "loc_id",
            "distance_m",
            "duration_s",
            "service_s",
            "sla_due_s",
            "weight",
            "penalty",
            "required",
            "allowed",
            "demand",
            "preferred",
            "shift_start_s",
            "shift_end_s",
            "latest_end_s",
            "idle_end_s",
            "speed_factor",
            "max_jobs",
            "max_travel_s",
            "stock",
            "depot_stock",
            "depot_open",
            "pickup_depot",
            "pickup_ticket",
            "pickup_load",
            "pickup_window",
            "pickup_partner",
            "prev_vehicle",
            "prev_start_s",
            "held",
            "place",
        ):
            arr = getattr(self, name)
            if isinstance(arr, np.ndarray):
                arr.setflags(write=False)

    def _check_place(self) -> None:
        """`place` as `node_matrix` and the readers need it: one entry per node, every
        node before the pickups at its own row (tickets included: `RouteReach` reads
        their columns directly), the rest at rows of the matrices."""
        m, place = len(self.duration_s), self.place
        if len(place) != self.n_nodes or m < self.first_pickup_node:
            raise ValueError(f"place needs {self.n_nodes} entries and a row per non-pickup node")
        if not np.array_equal(place[:m], np.arange(m)) or not ((place >= 0) & (place < m)).all():
            raise ValueError("place must list every travel-matrix row in order, then rows")

    def __getstate__(self) -> dict[str, object]:
        """Pickle without the derived matrices (they are rebuilt on demand), so that
        sending an instance to a worker process stays cheap."""
        state = dict(self.__dict__)
        for derived in (
            "_drive_cache",
            "_shortest",
            "arrival_overhead_s",
            "distance_int_m",
            "pickup_s",
            "parts_delta",
            "ticket_pickups",
            "pickup_groups",
            "_visit_windows",
            "service_list",
            "placement_costs",
        ):
            state.pop(derived, None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        """Restore a pickled instance."""
        self.__dict__.update(state)

    # --- node index helpers -------------------------------------------------
    @cached_property
    def placement_costs(self) -> np.ndarray:
        """(N, V) int: what serving ticket k by vehicle v costs wherever and whenever it
        stands in the route: a non-preferred technician, a reassignment away from the
        previous plan's vehicle. One table, so that the exact cost and the search's bounds
        read the same rule (a scalar lookup, where the per-ticket checks took 1 µs)."""
        pref = self.preferred
        cost = (pref.any(axis=1)[:, None] & ~pref).astype(np.int64) * self.preference_cost
        prev = self.prev_vehicle[:, None]
        vehicles = np.arange(self.n_vehicles)[None, :]
        cost += ((prev >= 0) & (prev != vehicles)).astype(np.int64) * self.reassign_cost
        cost.setflags(write=False)
        return cost

    def move_cost(self, k: int, start_s: int) -> int:
        """Churn cost of starting ticket k at `start_s`, later than the previous plan
        promised (its reassignment cost is in `placement_costs`)."""
        promised = int(self.prev_start_s[k])
        if promised < 0 or not self.move_cost_per_s:
            return 0
        return max(0, start_s - promised - self.move_tolerance_s) * self.move_cost_per_s

    @property
    def n_pickups(self) -> int:
        """Number of pickup nodes (ways to load parts at a depot)."""
        return len(self.pickup_depot)

    @property
    def n_nodes(self) -> int:
        """Total number of nodes."""
        return 2 * self.n_vehicles + self.n_depots + self.n_tickets + self.n_pickups

    def places(self, nodes: NodeIndex) -> NodeIndex:
        """Rows of `duration_s` and `distance_m` holding `nodes` (the nodes themselves
        when those matrices are indexed by node)."""
        return nodes if self.place is None else self.place[nodes]

    def durations(self, rows: NodeIndex, cols: NodeIndex) -> np.ndarray:
        """Base driving seconds (float, speed factor 1) from `rows` to `cols` (nodes,
        numpy-indexed: paired arrays or `np.ix_` halves)."""
        return np.asarray(self.duration_s[self.places(rows), self.places(cols)])

    def distances(self, rows: NodeIndex, cols: NodeIndex) -> np.ndarray:
        """Road metres (float) from `rows` to `cols`, indexed like `durations`."""
        return np.asarray(self.distance_m[self.places(rows), self.places(cols)])

    def end_bound_s(self, v: int) -> int:
        """The latest end of vehicle v's day: `latest_end_s`, or `idle_end_s` when it may
        serve no ticket (an idle day, which owes no break, is then all it can have)."""
        bound = self.idle_end_s if not self.allowed[:, v].any() else self.latest_end_s
        return int(bound[v])  # type: ignore[index]

    def start_node(self, v: int) -> int:
        """Node of vehicle v's start place."""
        return v

    def end_node(self, v: int) -> int:
        """Node of vehicle v's end place."""
        return self.n_vehicles + v

    def depot_node(self, d: int) -> int:
        """Node of depot d."""
        return 2 * self.n_vehicles + d

    @cached_property
    def first_ticket_node(self) -> int:
        """Node of ticket 0; tickets are contiguous after it. Cached, like
        `first_pickup_node`: the search asks for both millions of times."""
        return 2 * self.n_vehicles + self.n_depots

    def ticket_node(self, k: int) -> int:
        """Node of ticket k."""
        return self.first_ticket_node + k

    def ticket_of(self, node: int) -> int:
        """Ticket index of a ticket node."""
        return node - self.first_ticket_node

    def tickets_in(self, nodes: Sequence[int]) -> np.ndarray:
        """Ticket indices of the ticket nodes among `nodes`, in their order (a Python
        filter: on a route's dozen stops it is three times faster than a NumPy mask)."""
        first, last = self.first_ticket_node, self.first_pickup_node
        return np.array([n - first for n in nodes if first <= n < last], dtype=np.int64)

    def is_ticket(self, node: int) -> bool:
        """True when the node is a ticket."""
        return self.first_ticket_node <= node < self.first_pickup_node

    @cached_property
    def first_pickup_node(self) -> int:
        """Node of pickup 0; pickups are contiguous after the tickets."""
        return self.first_ticket_node + self.n_tickets

    def pickup_node(self, p: int) -> int:
        """Node of pickup p."""
        return self.first_pickup_node + p

    def pickup_of(self, node: int) -> int:
        """Pickup index of a pickup node."""
        return node - self.first_pickup_node

    def is_pickup(self, node: int) -> bool:
        """True when the node is a depot pickup."""
        return node >= self.first_pickup_node

    def drop_penalty(self, node: int) -> int:
        """Cost of leaving a node out of every route (a pickup costs nothing)."""
        return int(self.penalty[self.ticket_of(node)]) if self.is_ticket(node) else 0

    @cached_property
    def pickup_s(self) -> np.ndarray:
        """(P,) int loading seconds of each pickup node (its depot's pickup time)."""
        return np.asarray(self.service_s[2 * self.n_vehicles + self.pickup_depot], dtype=np.int64)

    @cached_property
    def parts_delta(self) -> np.ndarray:
        """(n, S) int change of van stock at each node: -demand at a ticket, +load at a
        pickup, 0 elsewhere."""
        delta = np.zeros((self.n_nodes, len(self.skus)), dtype=np.int64)
        first, pick = self.first_ticket_node, self.first_pickup_node
        delta[first:pick] = -self.demand
        delta[pick:] = self.pickup_load
        delta.setflags(write=False)
        return delta

    @cached_property
    def ticket_pickups(self) -> list[np.ndarray]:
        """Per ticket, the pickup nodes made for it (empty for most)."""
        out: list[list[int]] = [[] for _ in range(self.n_tickets)]
        for p, k in enumerate(self.pickup_ticket):
            out[int(k)].append(self.pickup_node(p))
        return [np.array(x, dtype=np.int64) for x in out]

    @cached_property
    def detours_only_delay(self) -> bool:
        """Whether a stop on the way (a depot fetch) never brings the next stop forward
        when breaks are left out, so that a ticket that does not fit there without breaks
        and without a fetch does not fit with one (`solver.construct` skips such fetches):
        the direct leg is the shortest (`metric`), and no depot stands at a ticket's place
        (there a fetch with a loading time below the stop overhead would arrive earlier,
        the overhead being paid only on coming from another place). With breaks it does
        not hold: a depot stop can give a break a better place (1 fetch in 99,769 tried
        at 1,000 tickets)."""
        if not self.metric:
            return False
        depots = self.loc_id[2 * self.n_vehicles : self.first_ticket_node]
        tickets = self.loc_id[self.first_ticket_node : self.first_pickup_node]
        return not np.isin(depots, tickets).any()

    @cached_property
    def pickup_groups(self) -> list[list[tuple[int, ...]]]:
        """Per ticket, the ways to fetch its parts: each pickup that loads alone, and each
        split load as its pickups in every order (fetched one after the other), those
        beginning with a pickup listed where that pickup is."""
        out: list[list[tuple[int, ...]]] = []
        for nodes in self.ticket_pickups:
            groups: list[tuple[int, ...]] = []
            for node in nodes:
                members = self.split_members(int(node))
                groups.extend((members[0], *rest) for rest in itertools.permutations(members[1:]))
            out.append(groups)
        return out

    def split_members(self, node: int) -> tuple[int, ...]:
        """The pickup nodes of `node`'s split load, `node` first then along the cycle of
        partners; `(node,)` for a pickup that loads alone."""
        members = [node]
        p = int(self.pickup_partner[self.pickup_of(node)])
        while p >= 0 and self.pickup_node(p) != node:
            members.append(self.pickup_node(p))
            p = int(self.pickup_partner[p])
        return tuple(members)

    def set_windows(self, changes: Mapping[int, np.ndarray]) -> None:
        """Give the tickets in `changes` new service-start windows ((k, 2) int each).
        `windows` becomes a new tuple of read-only arrays, so that the timing tables
        built from the old one (`visit_windows`) are rebuilt, never silently stale."""
        windows = list(self.windows)
        for k, w in changes.items():
            w = np.array(w, dtype=np.int64)
            w.setflags(write=False)
            windows[k] = w
        self.windows = tuple(windows)

    @property
    def visit_windows(self) -> list[tuple[tuple[int, int], ...]]:
        """Per node, as Python ints for the route timing's inner loop: a ticket's
        service-start windows, a pickup's loading-end window; the horizon elsewhere.
        Rebuilt when `windows` is replaced (re-planning and slot promising assign a new
        tuple; its arrays are read-only)."""
        cached = self.__dict__.get("_visit_windows")
        if cached is not None and cached[0] is self.windows:
            return cached[1]
        anywhere = ((0, int(self.horizon_s)),)
        out: list[tuple[tuple[int, int], ...]] = [anywhere] * self.first_ticket_node
        out += [tuple((int(lo), int(hi)) for lo, hi in w) for w in self.windows]
        out += [((int(lo), int(hi)),) for lo, hi in self.pickup_window]
        self.__dict__["_visit_windows"] = (self.windows, out)
        return out

    @cached_property
    def service_list(self) -> list[int]:
        """`service_s` as a list of Python ints (for the route timing's inner loop)."""
        return [int(x) for x in self.service_s]

    # --- derived integer matrices ---------------------------------------------
    def drive_s(self, factor: float) -> np.ndarray:
        """Integer driving seconds for a speed factor, rounded UP so that a plan feasible
        in integers is feasible in exact arithmetic (cached per factor). float32 inputs
        get a relative margin of 2e-7, above their rounding error."""
        key = _factor_key(factor)
        if key not in self._drive_cache:
            self._drive_cache[key] = self._node_drive(key)
        return self._drive_cache[key]

    def _node_drive(self, key: float) -> np.ndarray:
        """The node-level driving matrix of one factor key, built (see `drive_s`)."""
        return _ceil_int(self.duration_s, key, self.place, narrow=True)

    def drive_matrices(self, factors: Sequence[float]) -> list[np.ndarray]:
        """`drive_s` of each factor, the missing matrices built side by side in threads
        (numpy lets go of the GIL while it converts): at 3,000 tickets (5,900 nodes) the
        four of the benchmark day took 0.34-1.38 s one after the other (most of that
        spread was NumPy's huge-page requests, see `routing.pages`)."""
        missing = sorted({_factor_key(f) for f in factors} - set(self._drive_cache))
        workers = min(len(missing), os.cpu_count() or 1)
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                built = pool.map(self._node_drive, missing)
                self._drive_cache.update(zip(missing, built, strict=True))
        return [self.drive_s(f) for f in factors]

    def drive_block(self, factor: float, rows: NodeIndex, cols: NodeIndex) -> np.ndarray:
        """`drive_s(factor)[rows, cols]` with the same rounding, computed from the
        durations alone when the whole matrix is not built yet: compiling and eligibility
        need a few rows (starts, ends, depots), not n^2 entries."""
        key = _factor_key(factor)
        cached = self._drive_cache.get(key)
        if cached is not None:
            return np.asarray(cached[rows, cols])
        return _ceil_int(self.durations(rows, cols), key)

    @cached_property
    def _drive_cache(self) -> dict[float, np.ndarray]:
        return {}

    def least_drive(self, factor: float, rows: NodeIndex, cols: NodeIndex) -> np.ndarray:
        """int64 `drive_block` of the shortest way from `rows` to `cols` through any
        places: the direct leg where the matrix keeps the triangle inequality (`metric`),
        else never more. The lower bound for rules that test a ticket alone."""
        direct = np.asarray(self.drive_block(factor, rows, cols), dtype=np.int64)
        if self.metric:
            return direct
        via = self._shortest.between(self.places(rows), self.places(cols))
        via = _ceil_block(via.reshape(-1), _factor_key(factor)).reshape(via.shape)
        return np.minimum(direct, via.astype(np.int64))

    @cached_property
    def _shortest(self) -> ShortestDrive:
        return ShortestDrive(self.duration_s)

    @cached_property
    def arrival_overhead_s(self) -> np.ndarray:
        """(n, n) int: time added on arriving i -> j besides driving: the stop overhead
        at a ticket at another place, the loading time at a pickup unless i is a pickup
        at the same depot (one stop, one loading time)."""
        n = self.n_nodes
        peak = max(self.overhead_s, int(self.pickup_s.max(initial=0)))
        over = np.empty((n, n), dtype=_int_type(peak, narrow=True))
        first, pick = self.first_ticket_node, self.first_pickup_node
        at_ticket = self.loc_id[None, first:pick]
        band = max(1, (1 << 19) // max(1, n))
        for lo in range(0, n, band):  # a band at a time: 0.25 s at 9,874^2, where whole-
            rows = over[lo : lo + band]  # matrix masks took 1.0-1.5 s
            rows[:, :first] = 0
            differs = self.loc_id[lo : lo + band, None] != at_ticket
            np.multiply(differs, self.overhead_s, out=rows[:, first:pick], casting="unsafe")
            rows[:, pick:] = self.pickup_s[None, :]
        if self.n_pickups:
            same = self.pickup_depot[:, None] == self.pickup_depot[None, :]
            over[pick:, pick:] = np.where(same, 0, self.pickup_s[None, :])
        over.setflags(write=False)
        return over

    @cached_property
    def distance_int_m(self) -> np.ndarray:
        """(n, n) int metres, rounded up."""
        return _ceil_int(self.distance_m, 1.0, self.place)

    @cached_property
    def speed_factors(self) -> list[float]:
        """The distinct speed factors, ascending, rounded as `drive_s` keys them: one
        travel profile each (`vehicle_classes` indexes this list)."""
        return [_factor_key(f) for f in np.unique(np.round(self.speed_factor, 9))]

    @cached_property
    def speed_groups(self) -> list[tuple[float, np.ndarray]]:
        """Per speed factor (in `speed_factors` order), the vehicles that drive at it:
        the ones sharing a travel matrix."""
        classes = self.vehicle_classes
        return [(f, np.flatnonzero(classes == c)) for c, f in enumerate(self.speed_factors)]

    @cached_property
    def vehicle_classes(self) -> np.ndarray:
        """(V,) int: vehicles sharing a speed factor share travel matrices; the index of
        their factor in `speed_factors`."""
        _, inverse = np.unique(np.round(self.speed_factor, 9), return_inverse=True)
        inverse.setflags(write=False)
        return inverse


INT32_BELOW = 2**30
"""Matrices whose values stay below this are stored as int32: half the memory and page
faults of int64 (at 3,000 tickets each drive matrix is 5,900^2), and the sum of two
entries still fits. Callers multiplying entries by a cost widen to int64 first."""

INT16_BELOW = 2**13
"""The node-level driving and overhead matrices (`drive_s`, `arrival_overhead_s`) whose
values stay below this (2 h 16 min of driving) are stored as int16, so that a sum of up
to four entries still fits; callers adding more widen first (NumPy's `sum` does). At
5,000 tickets (9,874 nodes) this halves 1.95 GB of matrices, and on the benchmark VM
memory beyond the first 1-1.5 GB a process touches costs about 1 s per 400 MB."""


def _factor_key(factor: float) -> float:
    """The cache key of a speed factor (equal factors up to 1e-9 share a matrix)."""
    return round(float(factor), 9)


def _int_type(peak: float, narrow: bool = False) -> type:
    """The integer type holding values up to `peak` (see INT16_BELOW, INT32_BELOW)."""
    if narrow and peak < INT16_BELOW:
        return np.int16
    return np.int32 if peak < INT32_BELOW else np.int64


def node_matrix(
    matrix: np.ndarray,
    place: np.ndarray | None,
    convert: Callable[[np.ndarray], np.ndarray] | None = None,
    dtype: np.dtype | type | None = None,
) -> np.ndarray:
    """`convert(matrix)[np.ix_(place, place)]` (any 2-d `convert(matrix)` without
    `place`), for a square `matrix` and a `place` that starts with every row of `matrix`
    in order (the nodes standing at their own place) and ends with copies.

    Filled a band of rows at a time (converted, then its copied columns, while it is in
    cache), then the copied rows in one block: at 5,000 tickets (6,254^2 places, 3,620
    pickups) 0.21 s for the 9,874^2 float32 copy where a whole-matrix column gather
    took 0.42 s, and no float64 copy of the whole matrix on the way when converting."""
    m = len(matrix)
    shape = matrix.shape if place is None else (len(place), len(place))
    copies = None if place is None else place[m:]
    out = np.empty(shape, dtype=matrix.dtype if dtype is None else dtype)
    band = max(1, (1 << 19) // max(1, matrix.shape[1]))
    for lo in range(0, m, band):
        hi = min(m, lo + band)
        out[lo:hi, : matrix.shape[1]] = matrix[lo:hi] if convert is None else convert(matrix[lo:hi])
        if copies is not None and len(copies):  # `take`s let go of the GIL
            np.take(out[lo:hi, :m], copies, axis=1, out=out[lo:hi, m:], mode="clip")
    if copies is not None and len(copies):
        np.take(out[:m], copies, axis=0, out=out[m:], mode="clip")
    return out


def _ceil_int(
    values: np.ndarray, factor: float, place: np.ndarray | None = None, narrow: bool = False
) -> np.ndarray:
    """ceil(values * factor) as a read-only integer matrix (int32 when every value is
    below INT32_BELOW, else int64; int16 when `narrow` and below INT16_BELOW), never below
    the exact value; by node when `place` is given (see `node_matrix`).

    Converted in bands of rows, so that a 6,000^2 matrix needs no float64 copy of
    itself on the way."""
    values = np.asarray(values)
    peak = float(np.max(values, initial=0.0)) * factor * (1.0 + 1e-6) + 1.0
    dtype = _int_type(peak, narrow)
    if values.ndim < 2:
        out = _ceil_block(values.reshape(-1), factor).reshape(values.shape).astype(dtype)
    else:
        out = node_matrix(values, place, lambda rows: _ceil_block(rows, factor), dtype)
    out.setflags(write=False)
    return out


def _ceil_block(values: np.ndarray, factor: float) -> np.ndarray:
    """ceil(values * factor) in float64, with the margin of the input's precision."""
    scaled = values.astype(np.float64) * factor
    if values.dtype == np.float32:
        scaled *= 1.0 + 2e-7  # float32 rounding may sit just below the true value
    else:
        np.subtract(scaled, 1e-9, out=scaled)  # float64: absorb representation noise
    np.ceil(scaled, out=scaled)
    np.maximum(scaled, 0, out=scaled)
    return scaled
