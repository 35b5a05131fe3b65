"""The events of the day in a /v1/replan body: a tagged union on `type`, each the library's
event (`dispatch_opt.replan.events`), checked against the problem before it is applied."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, Strict

from api.inputs.envelope import Envelope, contract_object, new_ticket
from dispatch_opt.domain import Problem, Ticket
from dispatch_opt.errors import Issue
from dispatch_opt.io.schema import Flag, Id, Name, TicketDoc
from dispatch_opt.replan.events import (
    Event,
    JobOverran,
    PartNotDelivered,
    TechnicianUnavailable,
    UrgentTicket,
)
from dispatch_opt.whatif.spec import HolderDoc

DAY_MIN = 24 * 60.0


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


class PartNotDeliveredEvent(HolderDoc):  # HolderDoc: exactly one of depot or technician
    """Parts expected on a van (`technician`) or at a `depot` (exactly one) are not there."""

    type: Literal["part_not_delivered"]
    sku: Name = Field(examples=["PUMP-WM-01"])
    quantity: Annotated[int, Strict(), Field(ge=1)] | None = Field(
        default=None, description="How many are missing (default: all of them)."
    )


EventDoc = Annotated[
    UrgentTicketEvent | JobOverranEvent | TechnicianUnavailableEvent | PartNotDeliveredEvent,
    Field(discriminator="type"),
]


EVENT_TYPES = tuple(
    get_args(m.model_fields["type"].annotation)[0] for m in get_args(get_args(EventDoc)[0])
)
_TAGGED = re.compile(r"^(events\[\d+\])(?:\.(" + "|".join(EVENT_TYPES) + r"))?(.*)$")


def tidy_issue(issue: Issue) -> Issue:
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


def library_events(
    docs: list[EventDoc], problem_raw: dict[str, Any], problem: Problem
) -> tuple[list[Event], list[Issue]]:
    """The events as library events, new tickets checked against the problem (given as
    sent and as parsed) and SKUs known; issues are named `events[i].<field>`."""
    events: list[Event] = []
    issues: list[Issue] = []
    skus = _skus(problem)
    for i, event in enumerate(docs):
        ticket = None
        if isinstance(event, UrgentTicketEvent):
            ticket, found = new_ticket(problem_raw, problem, event.ticket, f"events[{i}].ticket")
            issues += found
        elif isinstance(event, PartNotDeliveredEvent) and event.sku not in skus:
            rule = f"SKU '{event.sku}' is not stocked or needed anywhere in the problem"
            issues.append(Issue(f"events[{i}].sku", rule))
        if not issues:
            events.append(_event(event, ticket))
    return events, issues
