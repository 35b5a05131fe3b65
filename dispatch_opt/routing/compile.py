"""Compile a domain Problem into a numeric RoutingInstance: the one place units change.

Times become integer seconds from the horizon start (window starts rounded up, ends
down, so integer feasibility implies real feasibility), distances metres, weights
integer costs. Eligibility (who may serve what) is computed here with its reasons.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from dispatch_opt.domain.plan import Reason
from dispatch_opt.domain.problem import Problem, TravelModel
from dispatch_opt.domain.state import Stability
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.routing.eligibility import compute_eligibility
from dispatch_opt.routing.instance import COST_PER_UNIT, NEVER_S, RoutingInstance, VehicleBreak
from dispatch_opt.routing.pickups import add_pickups
from dispatch_opt.travel.build import build_travel


@dataclass
class Compiled:
    """A compiled problem: the instance and the tickets nobody can serve, with reasons."""

    instance: RoutingInstance
    reasons: dict[int, tuple[Reason, ...]]


@dataclass(frozen=True)
class Previous:
    """The previous plan as a re-plan weighs it: per ticket id its technician and start,
    and what moving away from them costs."""

    technician: Mapping[str, str] = field(default_factory=dict)
    start: Mapping[str, datetime] = field(default_factory=dict)
    stability: Stability = field(default_factory=Stability)


def _seconds(moment: datetime, origin: datetime) -> float:
    """Seconds from `origin` to `moment` (may be fractional or negative)."""
    return (moment - origin).total_seconds()


def _ceil_s(moment: datetime, origin: datetime) -> int:
    """Seconds from origin, rounded up (for lower bounds)."""
    return math.ceil(_seconds(moment, origin) - 1e-9)


def _floor_s(moment: datetime, origin: datetime) -> int:
    """Seconds from origin, rounded down (for upper bounds)."""
    return math.floor(_seconds(moment, origin) + 1e-9)


def _per_second_cost(per_min: float) -> int:
    """Integer cost per second for a weight given per minute."""
    return round(per_min * COST_PER_UNIT / 60.0)


def _points_and_keys(problem: Problem) -> tuple[list, list[str]]:
    """Locations and matrix keys in node order: starts, ends, depots, tickets."""
    points, keys = [], []
    for t in problem.technicians:
        points.append(t.start)
        keys.append(t.id)
    for t in problem.technicians:
        points.append(t.end)
        same = t.end == t.start
        if problem.travel.model is TravelModel.MATRIX:
            same = same and f"{t.id}/end" not in problem.travel.locations
        keys.append(t.id if same else f"{t.id}/end")
    for d in problem.depots:
        points.append(d.location)
        keys.append(d.id)
    for k in problem.tickets:
        points.append(k.location)
        keys.append(k.id)
    return points, keys


def _location_ids(points: list) -> np.ndarray:
    """Same integer for exactly equal coordinates."""
    seen: dict[tuple[float, float], int] = {}
    return np.fromiter(
        (seen.setdefault((p.lat, p.lon), len(seen)) for p in points),
        dtype=np.int64,
        count=len(points),
    )


def _ticket_windows(problem: Problem, horizon_s: int) -> list[np.ndarray]:
    """Per ticket, integer windows for the service start, clipped to the horizon."""
    origin = problem.horizon.start
    out = []
    for k in problem.tickets:
        if not k.time_windows:
            out.append(np.array([[0, horizon_s]], dtype=np.int64))
            continue
        rows = []
        for w in sorted(k.time_windows, key=lambda w: w.start):
            lo = max(0, _ceil_s(w.start, origin))
            hi = min(horizon_s, _floor_s(w.end, origin))
            if lo <= hi:
                rows.append((lo, hi))
        merged: list[tuple[int, int]] = []
        for lo, hi in rows:
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        out.append(np.array(merged, dtype=np.int64).reshape(-1, 2))
    return out


def _vehicle_times(problem: Problem, horizon_s: int):
    """Shift start, shift end, latest end (with overtime), breaks and the latest end of a
    day without tickets per vehicle.

    A break whose window cannot overlap the shift is dropped; one that cannot fit before
    the latest end forces the day to finish before its window opens (contract: a break is
    owed only when its window overlaps the working span).

    Spans that would only touch a window are kept a second clear of it, so that a plan
    holds whether touching counts as overlapping or not (the contract does not say): a
    shift starting as a window closes (an afternoon shift after the lunch window) leaves
    a second later, and a day cut short by a break finishes a second before its window."""
    origin = problem.horizon.start
    starts, ends, latest, breaks, idle = [], [], [], [], []
    for t in problem.technicians:
        s = max(0, _ceil_s(t.shift.start, origin))
        if not t.under_way:  # a day under way overlaps a window closing as it resumes
            for b in sorted(t.breaks, key=lambda b: b.window.end):  # cascades in order
                closes = _seconds(b.window.end, origin)
                if s <= closes < s + 1:
                    s = math.floor(closes) + 1
        since = max(0.0, _seconds(t.shift.start, origin)) if t.under_way else s
        e = min(horizon_s, _floor_s(t.shift.end, origin))
        last = min(horizon_s, e + math.floor(t.overtime_max_min * 60 + 1e-9))
        windows = []  # every break whose window reaches past the start
        for b in sorted(t.breaks, key=lambda b: b.window.start):
            if _seconds(b.window.end, origin) <= since:  # no overlap with the day
                continue
            closes = _floor_s(b.window.end, origin)
            opens = _floor_s(b.window.start, origin)
            escape = NEVER_S if t.under_way else closes + 1
            start = max(s, _ceil_s(b.window.start, origin))
            duration = math.ceil(b.duration_min * 60 - 1e-9)
            windows.append(VehicleBreak(start, closes, duration, opens, escape))
        idle.append(last)  # a day without tickets owes no break
        kept, last = _fitting_breaks(windows, s, last)
        starts.append(s)
        ends.append(min(e, last))
        latest.append(last)
        breaks.append(tuple(kept))
    return (
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.array(latest, dtype=np.int64),
        breaks,
        np.array(idle, dtype=np.int64),
    )


def _fitting_breaks(
    breaks: list[VehicleBreak], s: int, last: int
) -> tuple[list[VehicleBreak], int]:
    """The breaks that fit (start in their window, end by `last`), and `last`: one that
    does not ends the day a second before its window opens, which may leave an earlier
    one unfit in turn, until every break kept fits (a break owed is never dropped)."""
    while True:
        unfit = [b for b in breaks if b.earliest_s > min(b.latest_s, last - b.duration_s)]
        if not unfit:
            return breaks, last
        last = min(last, *(max(s, b.earliest_s - 1) for b in unfit))
        breaks = [b for b in breaks if b not in unfit]


def _sku_table(problem: Problem) -> tuple[str, ...]:
    """Every SKU named by a ticket (others never matter to the solver)."""
    skus: dict[str, None] = {}
    for k in problem.tickets:
        for sku in k.parts:
            skus.setdefault(sku, None)
    return tuple(skus)


def _stock_matrix(stocks: list[dict[str, int]], skus: tuple[str, ...]) -> np.ndarray:
    """(rows, S) int quantities."""
    mat = np.zeros((len(stocks), len(skus)), dtype=np.int64)
    for r, stock in enumerate(stocks):
        for c, sku in enumerate(skus):
            mat[r, c] = stock.get(sku, 0)
    return mat


def _check_days_possible(problem: Problem, inst: RoutingInstance) -> None:
    """Every technician can at least drive from start to end inside the shift and its
    allowed overtime, and within its driving limit; otherwise no plan can be valid (even
    an idle day ends at the end place), so the input contradicts itself and is rejected
    naming the technician's field."""
    issues = []
    for v in range(len(problem.technicians)):
        drive = int(inst.drive_block(float(inst.speed_factor[v]), v, inst.n_vehicles + v))
        room = int(inst.idle_end_s[v] - inst.shift_start_s[v])
        limit = int(inst.max_travel_s[v])
        if 0 <= limit < drive:
            issues.append(
                Issue(
                    f"technicians[{v}].max_travel_min",
                    f"is less than the drive from start to end, which even an idle day "
                    f"makes: {drive / 60:.1f} min of driving, at most {limit / 60:g} allowed",
                )
            )
        if room < drive:
            issues.append(
                Issue(
                    f"technicians[{v}].end",
                    f"cannot be reached from the start within the shift and its allowed "
                    f"overtime: {drive / 60:.0f} min of driving, {room / 60:.0f} "
                    "min available",
                )
            )
    if issues:
        raise InputError(issues)


def _stability(problem: Problem, previous: Previous, penalty: np.ndarray) -> dict[str, object]:
    """Instance fields of the stability cost; a planned ticket left out also pays the
    reassignment cost (it is taken from its technician too)."""
    origin = problem.horizon.start
    index = {t.id: v for v, t in enumerate(problem.technicians)}
    n_t = len(problem.tickets)
    prev_vehicle = np.full(n_t, -1, dtype=np.int64)
    prev_start = np.full(n_t, -1, dtype=np.int64)
    for k, ticket in enumerate(problem.tickets):
        tech = previous.technician.get(ticket.id)
        if tech in index:
            prev_vehicle[k] = index[tech]
        start = previous.start.get(ticket.id)
        if start is not None:
            prev_start[k] = max(0, _floor_s(start, origin))
    weights = previous.stability
    reassign = round(weights.reassign_cost * COST_PER_UNIT)
    penalty[prev_vehicle >= 0] += reassign
    return dict(
        prev_vehicle=prev_vehicle,
        prev_start_s=prev_start,
        reassign_cost=reassign,
        move_cost_per_s=_per_second_cost(weights.move_per_min),
        move_tolerance_s=math.floor(weights.tolerance_min * 60 + 1e-9),
    )


def compile_problem(
    problem: Problem, previous: Previous | None = None, *, day_under_way: bool = False
) -> Compiled:
    """Build the numeric instance for `problem` and the pre-solve unassigned reasons;
    with `previous` (a re-plan), churn against that plan costs what its weights say.

    `day_under_way` (the residual problem of a re-plan) skips the check that every
    technician can reach its end place within its shift: a technician who is already
    late, or whose day is (nearly) over, is not an input error there, and the re-plan
    engine gives it the overtime to get home or ends its day where it is."""
    origin = problem.horizon.start
    horizon_s = _floor_s(problem.horizon.end, origin)
    techs, tickets, depots = problem.technicians, problem.tickets, problem.depots
    n_v, n_d, n_t = len(techs), len(depots), len(tickets)

    points, keys = _points_and_keys(problem)
    travel = build_travel(points, keys, problem.travel)

    service = np.zeros(len(points), dtype=np.int64)
    for d, depot in enumerate(depots):
        service[2 * n_v + d] = math.ceil(depot.pickup_min * 60 - 1e-9)
    for k, ticket in enumerate(tickets):
        service[2 * n_v + n_d + k] = math.ceil(ticket.duration_min * 60 - 1e-9)

    shift_start, shift_end, latest_end, breaks, idle_end = _vehicle_times(problem, horizon_s)
    skus = _sku_table(problem)
    objective = problem.objective
    tech_index = {t.id: v for v, t in enumerate(techs)}

    sla = np.full(n_t, -1, dtype=np.int64)
    weight = np.zeros(n_t, dtype=np.int64)
    penalty = np.zeros(n_t, dtype=np.int64)
    required = np.zeros(n_t, dtype=bool)
    preferred = np.zeros((n_t, n_v), dtype=bool)
    for k, ticket in enumerate(tickets):
        if ticket.sla_due is not None:
            sla[k] = max(0, _floor_s(ticket.sla_due, origin))
        weight[k] = ticket.weight
        penalty[k] = round(objective.penalty_of(ticket) * COST_PER_UNIT)
        required[k] = ticket.required
        for tid in ticket.preferred_technicians:
            if tid in tech_index:
                preferred[k, tech_index[tid]] = True
    extra = {} if previous is None else _stability(problem, previous, penalty)
    if required.any():
        # A required ticket outweighs every optional one and any routing cost; its own
        # weight on top, so that of required tickets that cannot all be served, the
        # heavier go first ("higher priority first" holds among them too).
        big = int(penalty.sum()) + 10**12
        penalty[required] += big

    instance = RoutingInstance(
        horizon_s=horizon_s,
        n_vehicles=n_v,
        n_depots=n_d,
        n_tickets=n_t,
        loc_id=_location_ids(points),
        distance_m=np.asarray(travel.distances_m),
        duration_s=np.asarray(travel.durations_s),
        service_s=service,
        overhead_s=math.ceil(problem.travel.stop_overhead_min * 60 - 1e-9),
        windows=_ticket_windows(problem, horizon_s),
        sla_due_s=sla,
        weight=weight,
        penalty=penalty,
        required=required,
        allowed=np.ones((n_t, n_v), dtype=bool),
        demand=_stock_matrix([dict(k.parts) for k in tickets], skus),
        preferred=preferred,
        shift_start_s=shift_start,
        shift_end_s=shift_end,
        latest_end_s=latest_end,
        idle_end_s=idle_end,
        speed_factor=np.array([t.speed_factor for t in techs], dtype=np.float64),
        max_jobs=np.array([-1 if t.max_jobs is None else t.max_jobs for t in techs]),
        max_travel_s=np.array(
            [
                -1 if t.max_travel_min is None else math.floor(t.max_travel_min * 60 + 1e-9)
                for t in techs
            ],
            dtype=np.int64,
        ),
        breaks=breaks,
        stock=_stock_matrix([dict(t.stock) for t in techs], skus),
        depot_stock=_stock_matrix([dict(d.stock) for d in depots], skus),
        depot_open=np.array(
            [
                [
                    max(0, _ceil_s(d.open.start, origin)),
                    min(horizon_s, _floor_s(d.open.end, origin)),
                ]
                for d in depots
            ],
            dtype=np.int64,
        ).reshape(-1, 2),
        skus=skus,
        travel_cost_per_s=_per_second_cost(objective.travel_per_min),
        travel_cost_per_km=round(objective.travel_per_km * COST_PER_UNIT),
        sla_cost_per_s=_per_second_cost(objective.sla_late_per_min),
        overtime_cost_per_s=_per_second_cost(objective.overtime_per_min),
        span_cost_per_s=_per_second_cost(objective.route_span_per_min),
        preference_cost=round(objective.preference_bonus * COST_PER_UNIT),
        vehicle_ids=tuple(t.id for t in techs),
        depot_ids=tuple(d.id for d in depots),
        ticket_ids=tuple(k.id for k in tickets),
        metric=problem.travel.model is not TravelModel.MATRIX,
        **extra,
    )
    if not day_under_way:
        _check_days_possible(problem, instance)
    allowed, reasons = compute_eligibility(problem, instance)
    instance, allowed = add_pickups(problem, instance, allowed, reasons)
    instance.allowed = allowed
    return Compiled(instance=instance, reasons=reasons)
