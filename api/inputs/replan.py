"""The /v1/replan body: a problem with its state (or a previous plan and `now`), and the
events of the day, in order, read into the problem to re-plan.

One endpoint takes a list of events rather than one verb per event: a dispatcher often
learns several things at once (a technician sick and an urgent ticket), and one re-plan
after all of them moves customers once instead of once per event. Events are a tagged
union on `type`, each the library's event (`dispatch_opt.replan.events`), applied in the
given order; an unknown technician, depot or SKU is a 422 naming `events[i].<field>`.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated, Literal, get_args

from pydantic import Field, Strict, model_validator
from pydantic_core import PydanticCustomError

from api.inputs.envelope import (
    Envelope,
    contract_object,
    new_ticket,
    parse_under,
    plan_issues,
    read_envelope,
)
from dispatch_opt.domain import Problem, Ticket
from dispatch_opt.domain.state import NO_STABILITY
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io import parse_problem, plan_from_dict
from dispatch_opt.io.schema import Flag, Id, Name, PlanDoc, ProblemDoc, Rfc3339, TicketDoc
from dispatch_opt.replan.events import (
    Event,
    JobOverran,
    PartNotDelivered,
    TechnicianUnavailable,
    UrgentTicket,
    apply_event,
)
from dispatch_opt.replan.from_plan import state_from_plan

DAY_MIN = 24 * 60.0
MAX_EVENTS = 1000


class UrgentTicketEvent(Envelope):
    """A new ticket arrives (urgent unless `urgent` is false)."""

    type: Literal["urgent_ticket"]
    ticket: contract_object(TicketDoc) = Field(description="A contract `tickets[]` item.")
    urgent: Flag = Field(default=True, description="Raise its priority to urgent.")


class JobOverranEvent(Envelope):
    """The technician's visit under way (or, with none, its free time) runs longer."""

    type: Literal["job_overran"]
    technician: Id = Field(examples=["T01"])
    minutes: Annotated[float, Strict(), Field(gt=0, le=DAY_MIN)] = Field(
        description="Minutes longer than expected.", examples=[25]
    )


class TechnicianUnavailableEvent(Envelope):
    """The technician takes no more work today; a visit under way goes back to the pool."""

    type: Literal["technician_unavailable"]
    technician: Id = Field(examples=["T01"])


class PartNotDeliveredEvent(Envelope):
    """Parts expected on a van (`technician`) or at a `depot` (exactly one) are not there."""

    type: Literal["part_not_delivered"]
    sku: Name = Field(examples=["PUMP-WM-01"])
    quantity: Annotated[int, Strict(), Field(ge=1)] | None = Field(
        default=None, description="How many are missing (default: all of them)."
    )
    technician: Id | None = None
    depot: Id | None = None

    @model_validator(mode="after")
    def _one_holder(self) -> PartNotDeliveredEvent:
        """Exactly one of technician or depot."""
        if (self.technician is None) == (self.depot is None):
            raise PydanticCustomError("holder", "give exactly one of technician or depot")
        return self


EventDoc = Annotated[
    UrgentTicketEvent | JobOverranEvent | TechnicianUnavailableEvent | PartNotDeliveredEvent,
    Field(discriminator="type"),
]


EVENT_TYPES = tuple(
    get_args(m.model_fields["type"].annotation)[0] for m in get_args(get_args(EventDoc)[0])
)
_TAGGED = re.compile(r"^(events\[\d+\])(?:\.(" + "|".join(EVENT_TYPES) + r"))?(.*)$")


def _tidy(issue: Issue) -> Issue:
    """An event issue as the client sees the body: without the union tag pydantic puts in
    the path, and a bad or missing `type` named as such."""
    match = _TAGGED.match(issue.path)
    if match is None:
        return issue
    head, tag, rest = match.groups()
    if tag is None and not rest:
        if issue.rule.startswith("unknown kind"):
            return Issue(f"{head}.type", issue.rule.replace("unknown kind", "unknown type", 1))
        if issue.rule.startswith("must have a"):
            return Issue(f"{head}.type", f"is required: one of {', '.join(EVENT_TYPES)}")
    return Issue(head + rest, issue.rule)


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


def _skus(problem: Problem) -> set[str]:
    """Every SKU the problem knows: stocked at a depot or on a van, or needed by a ticket."""
    found = {sku for d in problem.depots for sku in d.stock}
    found |= {sku for t in problem.technicians for sku in t.stock}
    return found | {sku for t in problem.tickets for sku in t.parts}


def _event(doc: EventDoc, ticket: Ticket | None) -> Event:
    """The library event of a document (an urgent ticket's parsed ticket given)."""
    if isinstance(doc, UrgentTicketEvent):
        assert ticket is not None
        return UrgentTicket(ticket, doc.urgent)
    if isinstance(doc, JobOverranEvent):
        return JobOverran(doc.technician, doc.minutes)
    if isinstance(doc, TechnicianUnavailableEvent):
        return TechnicianUnavailable(doc.technician)
    return PartNotDelivered(doc.sku, doc.quantity, doc.technician, doc.depot)


def _events(doc: ReplanRequest, problem: Problem) -> tuple[list[Event], list[Issue]]:
    """The events as library events: new tickets checked against the problem, SKUs known."""
    events: list[Event] = []
    issues: list[Issue] = []
    skus = _skus(problem)
    for i, event in enumerate(doc.events):
        ticket = None
        if isinstance(event, UrgentTicketEvent):
            ticket, found = new_ticket(doc.problem, problem, event.ticket, f"events[{i}].ticket")
            issues += found
        elif isinstance(event, PartNotDeliveredEvent) and event.sku not in skus:
            rule = f"SKU '{event.sku}' is not stocked or needed anywhere in the problem"
            issues.append(Issue(f"events[{i}].sku", rule))
        if not issues:
            events.append(_event(event, ticket))
    return events, issues


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
        raise InputError([_tidy(i) for i in exc.issues]) from None
    issues = _option_issues(doc)
    problem = parse_under("problem", parse_problem, doc.problem, issues)
    if problem is None or issues:
        raise InputError(issues)
    events, issues = _events(doc, problem)
    if issues:
        raise InputError(issues)
    problem = _with_state(doc, problem)
    for i, event in enumerate(events):
        try:
            problem = apply_event(problem, event)
        except InputError as exc:
            raise InputError([issue.under(f"events[{i}]") for issue in exc.issues]) from None
    return problem
