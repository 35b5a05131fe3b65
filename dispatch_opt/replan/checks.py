"""Validate a re-plan: every hard rule on what is left of the day, plus the state's rules.

The plan of a problem with a `state` answers the residual problem (`replan.residual`,
pure domain code shared with nobody in the engine), so the independent `validate_plan`
checks it against that problem; held visits are given there as the customer asked,
starting no earlier than planned. Then the rules of the state itself: done tickets are
not planned again, a visit in progress stays first with its start, nothing new starts
before `now`, held (frozen or confirmed) visits keep their technician and order. A held
visit the engine had to release (its chain no longer fits, e.g. after an overrun) is a
warning, not a violation: the customer must be called. A technician who could not reach
its end place inside the horizon may end its day where it is (`residual_problem`'s
`stranded`): the plan says so by an end stop with no drive after its last stop, and the
validator accepts it only when its own travel model agrees the end place was out of reach.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from dispatch_opt.domain.plan import Plan, Route, StopKind
from dispatch_opt.domain.problem import Problem
from dispatch_opt.replan.residual import Residual, residual_problem
from dispatch_opt.validate import (
    TOLERANCE_S,
    ValidationReport,
    Violation,
    drive_to_end_s,
    validate_plan,
)

STRANDED_SLACK_S = 5.0
"""How close to the horizon end the end place may seem reachable (the engine times in
whole seconds, rounded up) for a technician still to be accepted as stranded."""


def _idle_days(res: Residual, plan: Plan) -> tuple[Problem, list[Violation]]:
    """A technician whose route holds nothing but its anchor may overrun its shift to
    finish it and reach its end place, and drive what getting there takes when that is
    more than its driving limit (nothing was added; the limit is lifted to that drive by
    this validator's own travel model, with a warning for the dispatcher)."""
    anchors = {h.ticket for h in res.held.values() if h.anchor}
    hours = (res.problem.horizon.end - res.problem.horizon.start).total_seconds() / 60
    warnings: list[Violation] = []
    techs = []
    idle = {r.technician: r for r in plan.routes if set(r.ticket_ids) <= anchors}
    for t in res.problem.technicians:
        if t.id not in idle:
            techs.append(t)
            continue
        t = dataclasses.replace(t, overtime_max_min=max(t.overtime_max_min, hours))
        limit = t.max_travel_min
        origin = idle[t.id].ticket_ids[0] if idle[t.id].ticket_ids else None
        drive = None if limit is None else drive_to_end_s(res.problem, t.id, origin)
        if limit is not None and drive is not None and drive / 60.0 > limit:
            driven = res.state.technician(t.id).driven_min
            left = f"its limit of {limit:g}"
            if driven > 0:
                left = f"the {limit:.1f} min its limit leaves after {driven:.1f} min driven"
            warnings.append(
                Violation(
                    "max_travel_lifted",
                    f"state: {t.id}",
                    f"the drive to its end place alone takes {drive / 60:.1f} min, over "
                    f"{left}; it takes no more work",
                )
            )
            t = dataclasses.replace(t, max_travel_min=drive / 60.0)
        techs.append(t)
    return dataclasses.replace(res.problem, technicians=tuple(techs)), warnings


def _state_findings(res: Residual, plan: Plan) -> tuple[list[Violation], list[Violation]]:
    """Violations and warnings of the state's own rules."""
    errors: list[Violation] = []
    warnings: list[Violation] = []
    state = res.state
    done = set(state.done)
    for i, route in enumerate(plan.routes):
        where = f"routes[{i}]"
        tickets = [s for s in route.stops if s.kind is StopKind.TICKET]
        for stop in tickets:
            if stop.id in done:
                errors.append(Violation("done_replanned", where, f"{stop.id} is already done"))
        held_here = [h for h in res.held.values() if h.technician == route.technician]
        anchor = next((h for h in held_here if h.anchor), None)
        if anchor is not None:
            first = tickets[0] if tickets else None
            if first is None or first.id != anchor.ticket or first.start != anchor.start:
                errors.append(
                    Violation(
                        "anchor_moved",
                        where,
                        f"{anchor.ticket} (under way or being driven to) must stay first, "
                        f"starting {anchor.start.isoformat()}",
                    )
                )
        anchored = {anchor.ticket} if anchor else set()
        for stop in tickets:
            if stop.id not in anchored and stop.start is not None and stop.start < state.now:
                errors.append(Violation("before_now", where, f"{stop.id} starts before now"))
        order = [s.id for s in tickets if s.id in res.held]
        planned = [h.ticket for h in sorted(held_here, key=lambda h: h.start)]
        kept = [t for t in planned if t in order]
        if [t for t in order if t in planned] != kept:
            errors.append(Violation("held_reordered", where, "held visits changed order"))
    served = {tid: r.technician for r in plan.routes for tid in r.ticket_ids}
    for h in res.held.values():
        if served.get(h.ticket) != h.technician:
            warnings.append(
                Violation(
                    "held_released",
                    f"state: {h.ticket}",
                    f"held on {h.technician} but now {served.get(h.ticket) or 'unserved'}",
                )
            )
    return errors, warnings


def _stranded(res: Residual, plan: Plan) -> frozenset[str]:
    """Technicians whose route holds nothing but their anchor and ends where its last
    stop is (no drive to the end place), when the end place could not be reached before
    the horizon ends anyway."""
    anchors = {h.ticket for h in res.held.values() if h.anchor}
    known = {t.id for t in res.problem.technicians}
    out = set()
    for route in plan.routes:
        if route.technician not in known or not set(route.ticket_ids) <= anchors:
            continue
        left = _last_departure(route)
        end = route.stops[-1].at if route.stops else None
        if left is None or end is None or abs((end - left).total_seconds()) > TOLERANCE_S:
            continue
        origin = route.ticket_ids[0] if route.ticket_ids else None
        drive = drive_to_end_s(res.problem, route.technician, origin)
        home = None if drive is None else left + timedelta(seconds=drive + STRANDED_SLACK_S)
        if home is None or home > res.problem.horizon.end:
            out.add(route.technician)
    return frozenset(out)


def _last_departure(route: Route):
    """When the route leaves its last stop before the end (None when it cannot tell)."""
    if len(route.stops) < 2 or route.stops[-1].kind is not StopKind.END:
        return None
    last = route.stops[-2]
    return last.at if last.kind is StopKind.START else last.end


def validate_replan(problem: Problem, plan: Plan) -> ValidationReport:
    """Every hard rule of a re-plan: the residual problem's and the state's."""
    res = residual_problem(problem, strict=False)
    stranded = _stranded(res, plan)
    if stranded:
        res = residual_problem(problem, strict=False, stranded=stranded)
    days, lifted = _idle_days(res, plan)
    base = validate_plan(days, plan)
    errors, warnings = _state_findings(res, plan)
    return ValidationReport(
        base.violations + tuple(errors), base.warnings + tuple(lifted + warnings)
    )
