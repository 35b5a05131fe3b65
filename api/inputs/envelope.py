"""Request envelopes: an API model around contract documents, read with every issue named.

An envelope's own fields (`now`, `events`, `hours`, ...) are checked by its pydantic model.
The contract documents it carries (a problem, a plan, a ticket) are typed there as plain
objects documented by the contract's schema, and parsed by the library's own parsers, so
their errors have the same paths and rules as everywhere else, under the envelope field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, PlainValidator, ValidationError
from pydantic_core import PydanticCustomError

from dispatch_opt.domain import Problem, Ticket
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io import parse_problem
from dispatch_opt.io.problem_io import read_json_object, validation_issues
from dispatch_opt.io.schema import ContractModel

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def _json_object(value: Any) -> dict[str, Any]:
    """Let a JSON object through unchanged (the library parses it), refuse anything else."""
    if not isinstance(value, dict):
        raise PydanticCustomError("dict_type", "must be a JSON object")
    return value


def contract_object(model: type[BaseModel]) -> Any:
    """A JSON object documented as the contract model `model`, passed on as it is (the
    library's parser reads it, with the contract's paths and cross-field rules)."""
    return Annotated[dict[str, Any], PlainValidator(_json_object, json_schema_input_type=model)]


class Envelope(ContractModel):
    """Base of the request models: the contract models' rules (unknown fields are errors,
    a typo must not pass; NaN and infinities too)."""


def read_envelope(data: bytes | str, model: type[M]) -> M:
    """The body as `model`, or an input error naming every broken field."""
    raw, issues = read_json_object(data)
    try:
        doc = model.model_validate(raw)
    except ValidationError as exc:
        raise InputError(issues + validation_issues(exc, model)) from None
    if issues:
        raise InputError(issues)
    return doc


def parse_under(
    field: str, parse: Callable[[dict[str, Any]], T], raw: dict[str, Any], issues: list[Issue]
) -> T | None:
    """`parse(raw)`, its issues appended under `field` (None when there were some)."""
    try:
        return parse(raw)
    except InputError as exc:
        issues += [i.under(field) for i in exc.issues]
        return None


def new_ticket(
    problem_raw: dict[str, Any], problem: Problem, ticket_raw: dict[str, Any], field: str
) -> tuple[Ticket | None, list[Issue]]:
    """A ticket to add to the problem, checked by every contract rule a ticket of that
    problem obeys (its windows in the horizon, its technicians defined, a matrix row, ...)
    by parsing the problem with it appended; issues are named under `field`."""
    tid = ticket_raw.get("id")
    if isinstance(tid, str) and tid in {t.id for t in problem.tickets}:
        return None, [Issue(f"{field}.id", f"ticket '{tid}' already exists")]
    tickets = problem_raw.get("tickets", [])
    at = f"tickets[{len(tickets)}]"
    try:
        grown = parse_problem({**problem_raw, "tickets": [*tickets, ticket_raw]})
    except InputError as exc:
        issues = []
        for issue in exc.issues:
            if issue.path == at or issue.path.startswith((f"{at}.", f"{at}[")):
                issues.append(Issue(field + issue.path[len(at) :], issue.rule))
            else:  # a rule of the whole problem the new ticket breaks
                issues.append(Issue(field, f"{issue.path}: {issue.rule}"))
        return None, issues
    return grown.tickets[-1], []
