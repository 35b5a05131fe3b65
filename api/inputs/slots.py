"""The /v1/slots body: which appointment slots a new ticket can be promised on top of the
current plan, read into the library's `promise_slots` arguments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, Strict, StringConstraints

from api.inputs.envelope import (
    Envelope,
    contract_object,
    new_ticket,
    parse_under,
    read_envelope,
)
from dispatch_opt.domain import Plan, Problem, Ticket, TimeWindow
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io import parse_problem, plan_from_dict
from dispatch_opt.io.schema import PlanDoc, ProblemDoc, TicketDoc, WindowDoc
from dispatch_opt.replan.slots import (
    DEFAULT_DAYS,
    DEFAULT_HOURS,
    offer_to_dict,
    offered_slots,
    promise_slots,
)
from dispatch_opt.validate import plan_issues

MAX_SLOTS = 200
MAX_DAYS = 14


class SlotsRequest(Envelope):
    """A new ticket and the current plan: which slots can it be promised?"""

    problem: contract_object(ProblemDoc) = Field(
        description="The problem (with or without a `state`) the plan answers."
    )
    plan: contract_object(PlanDoc) = Field(description="The current plan; it must be valid.")
    ticket: contract_object(TicketDoc) = Field(
        description="The new ticket, a contract `tickets[]` item; its `time_windows` are ignored."
    )
    slots: list[WindowDoc] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SLOTS,
        description="The slots to try; give these or `hours`, not both.",
    )
    hours: Annotated[str, Strict(), StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None,
        description=f"Daily slots as hours (default {DEFAULT_HOURS}), on `days` days from "
        "the problem's day (its state's `now`, else its horizon start).",
        examples=[DEFAULT_HOURS],
    )
    days: Annotated[int, Strict(), Field(ge=1, le=MAX_DAYS)] = Field(
        default=DEFAULT_DAYS, description="Days of `hours` slots: today and the next ones."
    )


@dataclass(frozen=True, slots=True)
class SlotQuery:
    """What `promise_slots` needs: the problem, the plan, the new ticket and the slots."""

    problem: Problem
    plan: Plan
    ticket: Ticket
    slots: list[TimeWindow]


def _slot_issues(doc: SlotsRequest) -> list[Issue]:
    """Slots or hours, not both; each slot ends after it starts."""
    issues = []
    if doc.slots is not None:
        if doc.hours is not None:
            issues.append(Issue("hours", "give slots or hours, not both"))
        if "days" in doc.model_fields_set:
            issues.append(Issue("days", "only with hours (slots are given)"))
        for i, slot in enumerate(doc.slots):
            if slot.end <= slot.start:
                issues.append(Issue(f"slots[{i}].end", "must be after start"))
    return issues


def _slots(doc: SlotsRequest, problem: Problem) -> list[TimeWindow]:
    """The slots asked for, or `hours` on `days` days from the problem's day."""
    if doc.slots is not None:
        return [TimeWindow(s.start, s.end) for s in doc.slots]
    return offered_slots(problem, doc.hours or None, doc.days, "hours")


def read_slots(data: bytes | str) -> SlotQuery:
    """The slot question of a body; an input error names each broken field."""
    doc = read_envelope(data, SlotsRequest)
    issues = _slot_issues(doc)
    problem = parse_under("problem", parse_problem, doc.problem, issues)
    plan = parse_under("plan", plan_from_dict, doc.plan, issues)
    if problem is None or plan is None or issues:
        raise InputError(issues)
    without_windows = {k: v for k, v in doc.ticket.items() if k != "time_windows"}
    ticket, issues = new_ticket(doc.problem, problem, without_windows, "ticket")
    issues += plan_issues(problem, plan, "plan")
    if ticket is None or issues:
        raise InputError(issues)
    return SlotQuery(problem, plan, ticket, _slots(doc, problem))


def offers(query: SlotQuery) -> dict[str, Any]:
    """The offers for every slot, feasible ones first (earliest start first), as JSON."""
    found = promise_slots(query.problem, query.plan, query.ticket, query.slots)
    return {"ticket": query.ticket.id, "offers": [offer_to_dict(o) for o in found]}
