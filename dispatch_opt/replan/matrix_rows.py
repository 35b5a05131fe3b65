"""Matrix travel for the rest of the day: each technician's rows follow it.

With `travel.model = "matrix"` a technician's start and end are the rows keyed by its id
and `<id>/end`. In a re-plan its route starts where it is (a ticket, a depot, its end
place) and an idle one ends there too, so the residual problem gets a matrix whose
`<id>` and `<id>/end` rows are those places' rows. The engine and the validator both
read the residual problem, so both time the same legs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from dispatch_opt.domain.problem import Location, Problem, Technician, TravelSpec
from dispatch_opt.errors import InputError, Issue


def residual_matrix(
    problem: Problem, techs: Sequence[Technician], starts: Mapping[str, str]
) -> TravelSpec:
    """The problem's matrix travel with each technician's `<id>` row at its residual
    start and `<id>/end` row at its residual end. A place is found by the ticket or depot
    the route starts at (`starts`: technician id -> its id: the visit it is doing or
    driving to, else where the state says it is; two tickets of one building may have
    different rows), else by coordinates: its own start or end place first, then a
    depot, then a ticket."""
    spec = problem.travel
    index = {key: i for i, key in reversed(list(enumerate(spec.locations)))}
    shared: dict[Location, int] = {}  # coordinates -> the first row standing there
    for item in (*reversed(problem.tickets), *reversed(problem.depots)):
        if item.id in index:
            shared[item.location] = index[item.id]
    located = problem.places()  # ticket or depot id -> coordinates
    own_keys = {k for t in problem.technicians for k in (t.id, f"{t.id}/end")}
    keys = [k for k in spec.locations if k not in own_keys]
    rows = [index[k] for k in keys]
    listed = problem.state.technicians if problem.state is not None else ()
    in_state = {ts.id: j for j, ts in enumerate(listed)}  # the field an error names
    for i, (tech, resid) in enumerate(zip(problem.technicians, techs, strict=True)):
        home, away = index[tech.id], index.get(f"{tech.id}/end", index[tech.id])
        places = shared | {tech.end: away, tech.start: home}
        key = starts.get(tech.id)
        if key is not None and located.get(key) == resid.start:
            start = index.get(key)
        else:
            start = home if resid.start == tech.start else places.get(resid.start)
        if resid.end == tech.end:
            end = away
        else:  # its day ends where it is
            end = start if resid.end == resid.start else places.get(resid.end)
        if start is None or end is None:
            raise InputError(
                Issue(
                    f"state.technicians[{in_state.get(tech.id, i)}].location",
                    "with matrix travel a technician must be at a place of the matrix "
                    "(a ticket, a depot, its start or end place)",
                )
            )
        keys += [tech.id, f"{tech.id}/end"]
        rows += [start, end]
    pick = np.ix_(rows, rows)
    return dataclasses.replace(
        spec,
        locations=tuple(keys),
        durations_s=np.asarray(spec.durations_s)[pick],
        distances_m=np.asarray(spec.distances_m)[pick],
    )
