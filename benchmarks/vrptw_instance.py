"""Solomon / Gehring-Homberger VRPTW files as raw data and as a dispatch-opt RoutingInstance.

The raw data (`VrptwData`, index 0 is the depot, customers 1..n) feeds the peers and the
independent checker; `build_instance` turns it straight into the engine's numeric
instance: one start and one end node per vehicle at the depot, no depot nodes, every
customer a required ticket, travel time equal to the Euclidean distance, all scaled by
`SCALE` so that integers carry three decimals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dispatch_opt.routing.instance import RoutingInstance

SCALE = 1000
"""Integer units per Solomon time/distance unit."""

REQUIRED_PENALTY = 10**12
"""Cost of leaving a customer out: far above any route cost, so all are served."""


@dataclass(frozen=True)
class VrptwData:
    """A VRPTW instance as read from the file; row 0 is the depot."""

    name: str
    coords: np.ndarray  # (n+1, 2) float
    demand: np.ndarray  # (n+1,) int
    capacity: int
    ready: np.ndarray  # (n+1,) float
    due: np.ndarray  # (n+1,) float
    service: np.ndarray  # (n+1,) float
    n_vehicles: int

    @property
    def n_customers(self) -> int:
        """Number of customers (the depot excluded)."""
        return len(self.coords) - 1

    def distances(self) -> np.ndarray:
        """(n+1, n+1) Euclidean distances in double precision."""
        diff = self.coords[:, None, :] - self.coords[None, :, :]
        return np.sqrt((diff**2).sum(axis=2))


@dataclass
class PeerResult:
    """What a solver hands back: customer sequences per route (1..n), or None, and time."""

    routes: list[list[int]] | None
    time_s: float
    status: str = "ok"
    info: dict[str, object] = field(default_factory=dict)


def read_vrptw(path: str | Path) -> VrptwData:
    """Raw data of a Solomon-format file."""
    import vrplib

    raw = vrplib.read_instance(str(path), instance_format="solomon")
    windows = np.asarray(raw["time_window"], dtype=np.float64)
    return VrptwData(
        name=str(raw.get("name") or Path(path).stem),
        coords=np.asarray(raw["node_coord"], dtype=np.float64),
        demand=np.asarray(raw["demand"], dtype=np.int64),
        capacity=int(raw["capacity"]),
        ready=windows[:, 0].copy(),
        due=windows[:, 1].copy(),
        service=np.asarray(raw["service_time"], dtype=np.float64),
        n_vehicles=int(raw["vehicles"]),
    )


def truncate(data: VrptwData, n_customers: int) -> VrptwData:
    """The depot and the first `n_customers` customers only."""
    keep = slice(0, n_customers + 1)
    return VrptwData(
        name=f"{data.name}-{n_customers}",
        coords=data.coords[keep].copy(),
        demand=data.demand[keep].copy(),
        capacity=data.capacity,
        ready=data.ready[keep].copy(),
        due=data.due[keep].copy(),
        service=data.service[keep].copy(),
        n_vehicles=data.n_vehicles,
    )


def scaled_window(ready: float, due: float) -> tuple[int, int]:
    """Integer window inside the real one: ceil of the opening, floor of the close."""
    return math.ceil(ready * SCALE - 1e-9), math.floor(due * SCALE + 1e-9)


def scaled_matrix(data: VrptwData) -> np.ndarray:
    """(n+1, n+1) integer distances (= travel times), scaled and rounded up."""
    mat = np.ceil(data.distances() * SCALE - 1e-9).astype(np.int64)
    return np.maximum(mat, 0)


def _node_points(data: VrptwData) -> np.ndarray:
    """Point index (0 = depot, k = customer k) of each instance node."""
    v, n = data.n_vehicles, data.n_customers
    return np.concatenate([np.zeros(2 * v, dtype=np.int64), np.arange(1, n + 1)])


def build_instance(data: VrptwData) -> RoutingInstance:
    """A dispatch-opt RoutingInstance for the pure-distance VRPTW of `data`."""
    v, n = data.n_vehicles, data.n_customers
    points = _node_points(data)
    travel = data.distances()[np.ix_(points, points)] * SCALE
    service = np.round(data.service[points] * SCALE).astype(np.int64)
    service[: 2 * v] = 0
    shift_start, shift_end = scaled_window(data.ready[0], data.due[0])
    windows = [
        np.array([scaled_window(data.ready[k], data.due[k])], dtype=np.int64)
        for k in range(1, n + 1)
    ]
    return RoutingInstance(
        horizon_s=shift_end,
        n_vehicles=v,
        n_depots=0,
        n_tickets=n,
        loc_id=points.copy(),
        distance_m=travel,
        duration_s=travel.copy(),
        service_s=service,
        overhead_s=0,
        windows=windows,
        sla_due_s=np.full(n, -1, dtype=np.int64),
        weight=np.ones(n, dtype=np.int64),
        penalty=np.full(n, REQUIRED_PENALTY, dtype=np.int64),
        required=np.ones(n, dtype=bool),
        allowed=np.ones((n, v), dtype=bool),
        demand=data.demand[1:].reshape(n, 1).astype(np.int64),
        preferred=np.zeros((n, v), dtype=bool),
        shift_start_s=np.full(v, shift_start, dtype=np.int64),
        shift_end_s=np.full(v, shift_end, dtype=np.int64),
        latest_end_s=np.full(v, shift_end, dtype=np.int64),
        speed_factor=np.ones(v, dtype=np.float64),
        max_jobs=np.full(v, -1, dtype=np.int64),
        max_travel_s=np.full(v, -1, dtype=np.int64),
        breaks=[() for _ in range(v)],
        stock=np.full((v, 1), data.capacity, dtype=np.int64),
        depot_stock=np.zeros((0, 1), dtype=np.int64),
        depot_open=np.zeros((0, 2), dtype=np.int64),
        skus=("load",),
        travel_cost_per_s=1,
        travel_cost_per_km=0,
        sla_cost_per_s=0,
        overtime_cost_per_s=0,
        span_cost_per_s=0,
        preference_cost=0,
        vehicle_ids=tuple(f"v{i}" for i in range(v)),
        ticket_ids=tuple(str(k) for k in range(1, n + 1)),
        extra={"source": data.name, "scale": SCALE},
    )


def customer_routes(inst: RoutingInstance, routes: list[list[int]]) -> list[list[int]]:
    """Instance node routes as customer sequences (ticket k is customer k+1), empties dropped."""
    return [[inst.ticket_of(n) + 1 for n in r if inst.is_ticket(n)] for r in routes if r]


def load_instance(path: str | Path) -> tuple[VrptwData, RoutingInstance]:
    """Raw data and the dispatch-opt instance of a file."""
    data = read_vrptw(path)
    return data, build_instance(data)
