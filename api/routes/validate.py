"""POST /v1/validate: a problem and a plan in, the validator's report out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.body import json_body, request_body
from api.inputs.envelope import parse_under
from api.models import ReportOut
from api.routes.common import errors, state
from api.security import client_id
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io import parse_problem, plan_from_dict
from dispatch_opt.io.problem_io import read_json_object
from dispatch_opt.validate import format_report, validate_plan

router = APIRouter(tags=["validate"])


def _report(body: bytes) -> dict[str, Any]:
    """Parse both documents (every issue of both, paths under `problem.` / `plan.`), then
    run the validator."""
    raw, issues = read_json_object(body)
    for key in sorted(set(raw) - {"problem", "plan"}):
        issues.append(Issue(key, "unknown field (expected 'problem' and 'plan')"))
    docs: dict[str, Any] = {}
    for key, parse in (("problem", parse_problem), ("plan", plan_from_dict)):
        if key in raw:
            docs[key] = parse_under(key, parse, raw[key], issues)
        else:
            issues.append(Issue(key, "is required"))
    if issues:
        raise InputError(issues)
    report = validate_plan(docs["problem"], docs["plan"])
    return {**report.to_dict(), "text": format_report(report)}


@router.post(
    "/v1/validate",
    response_model=ReportOut,
    summary="Re-check a plan against its problem",
    description="`ok` is true when the plan breaks no hard rule; warnings are softer findings.",
    responses=errors(401, 413, 415, 422, 429),
    openapi_extra=request_body("ValidateRequest", "`{problem, plan}`, both contract v1."),
)
async def validate(request: Request) -> dict[str, Any]:
    """Validate off the event loop (a large plan takes a moment)."""
    app = state(request)
    body = await json_body(request)
    async with app.limiter.hold(client_id(request)):
        return await run_in_threadpool(_report, body)
