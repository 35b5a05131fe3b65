"""POST /v1/solve: a problem in, a plan out, synchronously, in a solver process."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.body import json_body, request_body
from api.models import PlanDoc
from api.routes.common import errors, state
from api.security import client_id
from api.sync import check_size, run_sync
from dispatch_opt.io import parse_problem

router = APIRouter(tags=["solve"])


@router.post(
    "/v1/solve",
    summary="Solve a problem synchronously",
    description=(
        "Contract problem in, contract plan out, within the problem's time limit (capped by "
        "the server). Problems above the server's size limit get 413: submit them to "
        "/v1/jobs instead."
    ),
    responses={
        200: {"model": PlanDoc, "description": "The plan (validated before it is sent)."},
        **errors(401, 413, 415, 422, 429, 500, 503, 504),
    },
    openapi_extra=request_body("ProblemDoc", "A problem, contract v1."),
)
async def solve(request: Request) -> Response:
    """Validate, check the size, then solve in a child process off the event loop."""
    app = state(request)
    body = await json_body(request)
    received = time.time()  # the time limit counts from here (see `run_sync`)
    async with app.limiter.hold(client_id(request)):
        problem = await run_in_threadpool(parse_problem, body)
        check_size(app, problem, "solved", "POST it to /v1/jobs and poll the job")
        return await run_sync(app, "solve", body.decode("utf-8-sig"), problem, "sync", received)
