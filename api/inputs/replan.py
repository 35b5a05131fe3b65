"""The /v1/replan body: a problem with its state (or a previous plan and `now`), and the
events of the day, in order, read into the problem to re-plan.

One endpoint takes a list of events rather than one verb per event: a dispatcher often
learns several things at once (a technician sick and an urgent ticket), and one re-plan
after all of them moves customers once instead of once per event. The events
(`api.inputs.events`) are applied in the given order; an unknown technician, depot or SKU
is a 422 naming `events[i].<field>`.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from pydantic import Field, Strict

from api.inputs.envelope import (
    Envelope,
    contract_object,
    parse_under,
    read_envelope,
)
from api.inputs.events import DAY_MIN, EventDoc, library_events, tidy_issue
from dispatch_opt.domain import Problem
from dispatch_opt.domain.state import NO_STABILITY
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io import parse_problem, plan_from_dict
from dispatch_opt.io.schema import Flag, PlanDoc, ProblemDoc, Rfc3339
from dispatch_opt.replan.events import apply_event
from dispatch_opt.replan.from_plan import state_from_plan
from dispatch_opt.validate import plan_issues

MAX_EVENTS = 1000


class ReplanRequest(Envelope):
    """A day under way and what just happened: re-plan the rest of it."""

    problem: contract_object(ProblemDoc) = Field(
        description="The problem; with a `state` unless `plan` and `now` are given."
    )
    plan: contract_object(PlanDoc) | None = Field(
        default=None,
        description="The previous plan: the state is read off it at `now` (replacing any).",
    )
    now: Rfc3339 | None = Field(
        default=None, description="The current moment; required with `plan`, only with it."
    )
    freeze_min: Annotated[float, Strict(), Field(ge=0, le=DAY_MIN)] | None = Field(
        default=None,
        description="With `plan`: visits starting before now + freeze_min keep technician, "
        "order and start (default 0).",
    )
    events: list[EventDoc] = Field(
        default_factory=list, max_length=MAX_EVENTS, description="Applied in this order."
    )
    stability: Flag = Field(
        default=True, description="False: ignore the previous assignment (churn costs nothing)."
    )


def _option_issues(doc: ReplanRequest) -> list[Issue]:
    """`now` goes with `plan` (both or neither); `freeze_min` only with `plan`."""
    issues = []
    if doc.plan is not None and doc.now is None:
        issues.append(Issue("now", "is required with plan"))
    if doc.plan is None and doc.now is not None:
        issues.append(Issue("now", "only with plan (the problem's state has its own now)"))
    if doc.plan is None and doc.freeze_min is not None:
        issues.append(Issue("freeze_min", "only with plan (the problem's state has its own)"))
    return issues


def _with_state(doc: ReplanRequest, problem: Problem) -> Problem:
    """The problem with the state to re-plan from: read off the previous plan at `now`, or
    its own; the stability weights off when asked."""
    if doc.plan is not None:
        issues: list[Issue] = []
        plan = parse_under("plan", plan_from_dict, doc.plan, issues)
        if plan is not None:
            issues += plan_issues(problem, plan, "plan")
        horizon = problem.horizon
        assert doc.now is not None
        if not horizon.start <= doc.now <= horizon.end:
            span = f"{horizon.start.isoformat()}..{horizon.end.isoformat()}"
            issues.append(Issue("now", f"outside the horizon {span}"))
        if issues:
            raise InputError(issues)
        assert plan is not None
        problem = state_from_plan(problem, plan, doc.now, freeze_min=doc.freeze_min or 0.0)
    if problem.state is None:
        raise InputError(Issue("problem.state", "is required (or give plan and now)"))
    if not doc.stability:
        problem = dataclasses.replace(
            problem, state=dataclasses.replace(problem.state, stability=NO_STABILITY)
        )
    return problem


def read_replan(data: bytes | str) -> Problem:
    """The problem to re-plan: its state (given, or read off the previous plan) with every
    event applied in order; an input error names each broken field of the body."""
    try:
        doc = read_envelope(data, ReplanRequest)
    except InputError as exc:
        raise InputError([tidy_issue(i) for i in exc.issues]) from None
    issues = _option_issues(doc)
    problem = parse_under("problem", parse_problem, doc.problem, issues)
    if problem is None or issues:
        raise InputError(issues)
    events, issues = library_events(doc.events, doc.problem, problem)
    if issues:
        raise InputError(issues)
    problem = _with_state(doc, problem)
    for i, event in enumerate(events):
        try:
            problem = apply_event(problem, event)
        except InputError as exc:
            raise InputError([issue.under(f"events[{i}]") for issue in exc.issues]) from None
    return problem
