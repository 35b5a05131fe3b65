"""POST /v1/solve: a problem in, a plan out, synchronously, in a solver process."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.body import json_body, request_body
from api.errors import ApiError
from api.jobs.process import SolveProcess, hard_deadline_s
from api.limits import capped_time_limit
from api.models import PlanDoc
from api.routes.common import errors, state
from api.security import client_id
from dispatch_opt.io import parse_problem

router = APIRouter(tags=["solve"])


def _solve_blocking(text: str, limit_s: float, kill_after_s: float, workers: int):
    """Run one solve in a child process and wait for it (called in a worker thread)."""
    process = SolveProcess(text, limit_s, workers)
    try:
        return process.wait(kill_after_s)
    finally:
        process.close()


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
    async with app.limiter.hold(client_id(request)):
        problem = await run_in_threadpool(parse_problem, body)
        cap = app.settings.sync_max_tickets
        if len(problem.tickets) > cap:
            raise ApiError(
                413,
                "too_large_for_sync",
                f"{len(problem.tickets)} tickets is more than the {cap} solved synchronously; "
                "POST it to /v1/jobs and poll the job",
                title="Problem too large for a synchronous solve",
                jobs_url="/v1/jobs",
            )
        limit = capped_time_limit(problem, app.settings.sync_time_limit_max_s)
        kill_after = hard_deadline_s(limit, problem.solve.deterministic)
        started = time.perf_counter()
        async with app.sync_slots:
            outcome = await run_in_threadpool(
                _solve_blocking,
                body.decode("utf-8-sig"),
                limit,
                kill_after,
                app.settings.solve_workers,
            )
    if outcome.kind == "done":
        app.metrics.observe_solve("sync", time.perf_counter() - started)
        return Response(outcome.plan, media_type="application/json")
    if outcome.kind == "timeout":
        raise ApiError(504, "solve_timeout", outcome.detail or "timeout")
    if outcome.kind == "crashed":
        raise ApiError(
            503, "worker_died", f"{outcome.detail}; try again", headers={"Retry-After": "1"}
        )
    if outcome.code == "invalid_input":
        raise ApiError(422, "invalid_input", outcome.detail or "invalid input")
    raise ApiError(500, outcome.code or "solver_error", outcome.detail or "the solve failed")
