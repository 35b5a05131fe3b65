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
    problem: Problem,
    techs: Sequence[Technician],
    anchors: Mapping[str, str],
    at: Mapping[str, str] | None = None,
) -> TravelSpec:
    """The problem's matrix travel with each technician's `<id>` row at its residual
    start and `<id>/end` row at its residual end. A place is found by the visit the
    technician's route starts with (`anchors`: technician id -> ticket id), else by the
    ticket or depot the state says it is at (`at`: technician id -> its id; two tickets
    of one building may have different rows), else by coordinates: its own start or end
    place first, then a depot, then a ticket."""
    spec = problem.travel
    index = {key: i for i, key in reversed(list(enumerate(spec.locations)))}
    shared: dict[Location, int] = {}
    for ticket in reversed(problem.tickets):
        if ticket.id in index:
            shared[ticket.location] = index[ticket.id]
    for depot in reversed(problem.depots):
        if depot.id in index:
            shared[depot.location] = index[depot.id]
    own_keys = {k for t in problem.technicians for k in (t.id, f"{t.id}/end")}
    keys = [k for k in spec.locations if k not in own_keys]
    rows = [index[k] for k in keys]
    for i, (tech, resid) in enumerate(zip(problem.technicians, techs, strict=True)):
        home, away = index[tech.id], index.get(f"{tech.id}/end", index[tech.id])
        places = shared | {tech.end: away, tech.start: home}
        anchor = anchors.get(tech.id)
        here = (at or {}).get(tech.id)
        if anchor is None and here in index and problem.place(here) == resid.start:
            anchor = here
        if anchor is not None:
            start = index.get(anchor)
        else:
            start = home if resid.start == tech.start else places.get(resid.start)
        if resid.end == tech.end:
            end = away
        else:  # its day ends where it is
            end = start if resid.end == resid.start else places.get(resid.end)
        if start is None or end is None:
            raise InputError(
                Issue(
                    f"state.technicians[{i}].location",
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
