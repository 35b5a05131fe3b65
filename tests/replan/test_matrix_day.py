"""Re-planning a day with matrix travel: each technician's rows follow it."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from dispatch_opt.domain import Plan, Problem, StopKind
from dispatch_opt.io import parse_problem
from dispatch_opt.planner import solve_problem
from dispatch_opt.replan.from_plan import state_from_plan
from dispatch_opt.replan.residual import residual_problem
from dispatch_opt.travel.haversine import great_circle_m
from tests.checks import assert_valid
from tests.factories import at
from tests.replan.helpers import replan_checked, visits

EXAMPLE = Path(__file__).parent.parent / "data" / "example-problem.json"


@functools.cache
def matrix_day() -> tuple[Problem, Plan]:
    """The example day with a one-way, uneven matrix (T03 ends elsewhere), and its plan."""
    doc = json.loads(EXAMPLE.read_text())
    doc["technicians"][2]["end"] = {"lat": 31.25, "lon": 121.52}
    places = {t["id"]: t["location"] for t in doc["tickets"]}
    places |= {d["id"]: d["location"] for d in doc["depots"]}
    places |= {t["id"]: t["start"] for t in doc["technicians"]}
    places["T03/end"] = doc["technicians"][2]["end"]
    keys = list(places)
    metres = np.array(
        [[great_circle_m(a["lat"], a["lon"], b["lat"], b["lon"]) for b in places.values()]
         for a in places.values()]
    )  # fmt: skip
    uneven = 1.2 + 0.4 * ((3 * np.arange(len(keys))[:, None] + np.arange(len(keys))) % 5) / 4
    doc["travel"] = {
        "model": "matrix",
        "locations": keys,
        "durations_s": np.rint(metres * uneven / (25 / 3.6)).astype(int).tolist(),
        "distances_m": np.rint(metres * 1.35).astype(int).tolist(),
    }
    problem = parse_problem(doc)
    return problem, assert_valid(problem, solve_problem(problem, deterministic=True))


@pytest.mark.parametrize("now", ["09:30", "11:00", "13:30", "14:15", "16:00"])
def test_a_matrix_day_wholly_frozen_replans_to_itself(now):
    # found by a re-plan sweep: a technician who had left its start got its home row,
    # and one with a moved start needed an `<id>/end` key the matrix did not have
    problem, plan = matrix_day()
    day = state_from_plan(problem, plan, at(now), freeze_min=24 * 60)
    again = replan_checked(day, time_limit_s=1)
    open_ids = {
        s.id for r in plan.routes for s in r.stops if s.kind is StopKind.TICKET and s.end > at(now)
    }
    assert visits(again) == {t: w for t, w in visits(plan).items() if t in open_ids}


def test_the_rows_of_a_technician_are_those_of_where_it_is():
    problem, plan = matrix_day()
    day = state_from_plan(problem, plan, at("11:00"), freeze_min=60)
    t01 = day.state.technician("T01")
    assert t01.in_progress is None and t01.free_at < day.state.now  # driving to SR-1002
    assert day.state.technician("T03").location == problem.technician("T03").end  # done
    rest = residual_problem(day).problem.travel
    given = problem.travel
    row = {k: i for i, k in enumerate(rest.locations)}
    was = {k: i for i, k in enumerate(given.locations)}
    fixed = [t.id for t in problem.tickets] + [d.id for d in problem.depots]
    into = [row[k] for k in fixed]
    into_given = [was[k] for k in fixed]
    for key, place in [("T01", "SR-1002"), ("T01/end", "T01"), ("T03", "T03/end"),
                       ("T03/end", "T03/end"), ("T02", "T02")]:  # fmt: skip
        # driving from the technician's key to every ticket and depot, and back
        assert list(rest.durations_s[row[key], into]) == list(
            np.asarray(given.durations_s)[was[place], into_given]
        ), key
        assert list(rest.distances_m[into, row[key]]) == list(
            np.asarray(given.distances_m)[into_given, was[place]]
        ), key


def test_a_technician_off_the_matrix_is_named_by_its_place_in_the_state():
    # the state may list technicians in any order: the error names the state's entry
    # (31.0, 121.0): no ticket, depot or technician of the example day stands there
    # (it named the technician's index in `technicians`, here T02's entry as [1])
    import dataclasses

    from dispatch_opt.domain import Location
    from dispatch_opt.errors import InputError

    problem, plan = matrix_day()
    day = state_from_plan(problem, plan, at("11:00"))
    off = dataclasses.replace(
        day.state.technician("T02"), location=Location(31.0, 121.0), place_id=None, free_at=None
    )
    others = tuple(t for t in day.state.technicians if t.id != "T02")
    state = dataclasses.replace(day.state, technicians=(off, *others))
    with pytest.raises(InputError) as err:
        residual_problem(dataclasses.replace(day, state=state))
    assert [i.path for i in err.value.issues] == ["state.technicians[0].location"]
