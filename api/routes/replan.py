"""POST /v1/replan: a day under way and its events in, the re-plan with churn out,
synchronously, in a worker process (like /v1/solve)."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.body import json_body, request_body
from api.inputs.replan import read_replan
from api.models import PlanDoc
from api.routes.common import errors, state
from api.security import client_id
from api.sync import check_size, run_sync

router = APIRouter(tags=["during the day"])

_BIG = (
    "POST the problem with its state (the events folded into it: new tickets, "
    "`available: false`, an in-progress `expected_end`, van stock) to /v1/jobs and poll the job"
)


@router.post(
    "/v1/replan",
    summary="Re-plan the rest of the day after events",
    description=(
        "The state comes from the problem's `state`, or is read off the previous `plan` at "
        "`now`. `events` (a list, applied in order: `urgent_ticket`, `job_overran`, "
        "`technician_unavailable`, `part_not_delivered`) change it; the rest of the day is "
        "then re-planned, keeping what is under way, frozen or confirmed, and the plan "
        "carries `churn` (whom to call again). The plan is checked by the re-plan "
        "validator before it is sent. An unknown technician, depot or SKU in an event is a "
        "422 naming `events[i].<field>`."
    ),
    responses={
        200: {"model": PlanDoc, "description": "The re-plan, with `churn`."},
        **errors(401, 413, 415, 422, 429, 500, 503, 504),
    },
    openapi_extra=request_body("ReplanRequest", "A problem, its state or plan, the events."),
)
async def replan(request: Request) -> Response:
    """Read and apply the events (422 on any broken field), check the size, then re-plan
    in a child process off the event loop."""
    app = state(request)
    body = await json_body(request)
    received = time.time()  # the time limit counts from here (see `run_sync`)
    async with app.limiter.hold(client_id(request)):
        problem = await run_in_threadpool(read_replan, body)
        check_size(app, problem, "re-planned", _BIG)
        return await run_sync(app, "replan", body.decode("utf-8-sig"), problem, "replan", received)
