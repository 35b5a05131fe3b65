"""Property tests on random small problems: plans are always valid and explained."""

from __future__ import annotations

import dataclasses
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dispatch_opt.domain import Break, Depot, Priority, SolveOptions
from dispatch_opt.domain.plan import StopKind
from dispatch_opt.planner import solve_problem
from tests.checks import assert_valid, reasons, served, solve_checked
from tests.factories import near, problem, tech, ticket, win

SKILLS = ("ac", "fridge", "tv")
SEED = 7
"""Seed of both solves in the technician property, so only the technician differs."""
SKUS = ("P1", "P2", "P3")
PARTS = ({"P1": 1}, {"P2": 1}, {"P1": 1, "P2": 1}, {"P1": 1, "P2": 1, "P3": 1}, {"P3": 2})
"""What a ticket may need: one SKU, two, or all three (a split over up to three depots)."""
SLOTS = (("09:00", "12:00"), ("13:00", "17:00"), ("08:00", "20:00"), ("10:00", "10:30"))
BREAKS = (
    (),
    (Break(win("11:30", "13:30"), 45),),
    (Break(win("11:00", "14:00"), 60), Break(win("11:30", "12:00"), 15)),
    (Break(win("08:10", "08:20"), 30), Break(win("12:00", "13:00"), 45)),
)
"""None, a lunch, a coffee window inside the lunch window (either may come first), and a
short window early in the day that a day leaving after it escapes."""


@st.composite
def technicians(draw, n_min: int = 1, n_max: int = 3):
    """A few technicians with random skills, shifts, breaks, stock and limits."""
    n = draw(st.integers(n_min, n_max))
    out = []
    for i in range(n):
        start = draw(st.sampled_from(["08:00", "08:30", "09:00", "12:00"]))
        end = {"08:00": "16:00", "08:30": "17:30", "09:00": "18:00", "12:00": "20:30"}[start]
        breaks = draw(st.sampled_from(BREAKS))
        out.append(
            tech(
                f"T{i}",
                start=near(draw(st.floats(-6, 6)), draw(st.floats(-6, 6))),
                shift=win(start, end),
                skills={
                    s: draw(st.integers(1, 4))
                    for s in draw(st.sets(st.sampled_from(SKILLS), min_size=1))
                },
                stock={"P1": draw(st.integers(0, 2))},
                breaks=breaks,
                overtime_max_min=draw(st.sampled_from([0, 30])),
                max_jobs=draw(st.sampled_from([None, None, 2])),
                speed_factor=draw(st.sampled_from([1.0, 1.0, 1.2])),
            )
        )
    return out


@st.composite
def tickets(draw, tech_ids: list[str], n_max: int = 8):
    """Random tickets: skills, one or two windows, parts, priorities, pins."""
    n = draw(st.integers(0, n_max))
    out = []
    for i in range(n):
        slots = draw(st.lists(st.sampled_from(SLOTS), min_size=0, max_size=2, unique=True))
        pinned = draw(st.sampled_from([None] * 6 + tech_ids))
        out.append(
            ticket(
                f"K{i}",
                near(draw(st.floats(-8, 8)), draw(st.floats(-8, 8))),
                duration_min=float(draw(st.sampled_from([20, 45, 60, 120]))),
                time_windows=tuple(sorted((win(a, b) for a, b in slots), key=lambda w: w.start)),
                skills={draw(st.sampled_from(SKILLS)): draw(st.integers(1, 5))},
                parts=draw(st.sampled_from(PARTS)) if draw(st.integers(0, 3)) == 0 else {},
                priority=draw(st.sampled_from(list(Priority))),
                vip=draw(st.integers(0, 5)) == 0,
                required=draw(st.integers(0, 8)) == 0,
                pinned_technician=pinned,
                excluded_technicians=tuple(
                    t for t in draw(st.sets(st.sampled_from(tech_ids), max_size=1)) if t != pinned
                ),
            )
        )
    return out


DEPOT_HOURS = (("07:00", "21:00"), ("07:00", "12:00"), ("13:00", "20:00"))


def _depot(draw, i: int, stock: dict[str, int]) -> Depot:
    """Depot WH{i} holding `stock`, at a random place, with random hours and loading time."""
    return Depot(
        f"WH{i}",
        near(draw(st.floats(-6, 6)), draw(st.floats(-6, 6))),
        stock,
        win(*draw(st.sampled_from(DEPOT_HOURS))),
        float(draw(st.sampled_from([5, 10, 20]))),
    )


@st.composite
def depots(draw, n_max: int = 3):
    """Parts depots holding one or two of three SKUs, a little of each (a ticket needing
    all three may have to fetch them at two or three depots), and random opening hours."""
    return [
        _depot(
            draw,
            i,
            {
                sku: draw(st.integers(1, 2))
                for sku in sorted(draw(st.sets(st.sampled_from(SKUS), min_size=1, max_size=2)))
            },
        )
        for i in range(draw(st.integers(0, n_max)))
    ]


@st.composite
def problems(draw):
    """A whole random small problem."""
    techs = draw(technicians())
    return problem(
        techs,
        draw(tickets([t.id for t in techs])),
        draw(depots()),
        solve=SolveOptions(time_limit_s=2.0, deterministic=True),
    )


COMMON = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@COMMON
@given(problems())
def test_plan_is_always_valid_and_every_ticket_is_accounted_for(p):
    plan = assert_valid(p, solve_problem(p))
    routed, why = served(plan), reasons(plan)
    for t in p.tickets:
        assert (t.id in routed) != (t.id in why)
        if t.id in why:
            assert why[t.id]
    assert {r.technician for r in plan.routes} == {t.id for t in p.technicians}


@COMMON
@given(problems())
def test_a_skill_nobody_has_is_always_unassigned_with_that_reason(p):
    rare = ticket("RARE", near(0, 0), skills={"solar": 2})
    p = dataclasses.replace(p, tickets=(*p.tickets, rare))
    plan = assert_valid(p, solve_problem(p))
    assert reasons(plan)["RARE"] == ["no_skilled_technician"]


@COMMON
@given(problems(), technicians(1, 1))
def test_adding_a_technician_never_lowers_weighted_service(p, extra):
    """Both solves cold (no warm start), deterministic, same seed: the search alone must
    keep the weighted service when a technician joins."""
    base = solve_checked(p, deterministic=True, seed=SEED)
    newcomer = dataclasses.replace(extra[0], id="NEW")
    bigger = dataclasses.replace(p, technicians=(*p.technicians, newcomer))
    more = solve_checked(bigger, deterministic=True, seed=SEED)
    assert more.kpis.weighted_served >= base.kpis.weighted_served


@st.composite
def scattered_parts_problems(draw):
    """Empty vans, and each SKU at depots of its own: every part-needing ticket fetches
    at one, two or three depots (`routing.pickups` split loads)."""
    techs = [dataclasses.replace(t, stock={}) for t in draw(technicians())]
    ks = draw(tickets([t.id for t in techs], n_max=6))
    ks = [dataclasses.replace(k, parts=draw(st.sampled_from(PARTS))) for k in ks]
    held = draw(st.permutations([*SKUS, *draw(st.sets(st.sampled_from(SKUS)))]))
    shelves = [_depot(draw, i, {sku: draw(st.integers(1, 3))}) for i, sku in enumerate(held)]
    return problem(techs, ks, shelves, solve=SolveOptions(time_limit_s=2.0, deterministic=True))


@COMMON
@given(problems() | scattered_parts_problems())
def test_running_van_stock_never_goes_negative_and_depots_give_what_they_hold(p):
    plan = assert_valid(p, solve_problem(p, deterministic=True))
    techs = {t.id: t for t in p.technicians}
    needs = {k.id: k.parts for k in p.tickets}
    picked: Counter[tuple[str, str]] = Counter()
    for route in plan.routes:
        van = Counter(techs[route.technician].stock)
        for stop in route.stops:
            if stop.kind is StopKind.DEPOT:
                van.update(stop.pickup)
                picked.update({(stop.id, sku): q for sku, q in stop.pickup.items()})
            elif stop.kind is StopKind.TICKET:
                van.subtract(needs[stop.id])
                assert min(van.values(), default=0) >= 0, (route.technician, stop.id)
    stock = {d.id: d.stock for d in p.depots}
    for (did, sku), qty in picked.items():
        assert qty <= stock[did].get(sku, 0)
