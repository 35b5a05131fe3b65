"""Synchronous verbs (/v1/solve, /v1/replan): the size cap, then one worker process under a
sync slot, waited on in a thread, its ending turned into the HTTP answer."""

from __future__ import annotations

import time
from typing import Any

from fastapi import Response
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError, contract_error
from api.jobs.process import Outcome, WorkerProcess
from api.limits import capped_time_limit, hard_deadline_s
from dispatch_opt.domain import Problem
from dispatch_opt.errors import InputError, Issue


def check_size(app: Any, problem: Problem, what: str, instead: str | None) -> None:
    """413 when the problem has more tickets than the server handles synchronously;
    `instead` names the asynchronous endpoint to use, if there is one."""
    cap = app.settings.sync_max_tickets
    n = len(problem.tickets)
    if n <= cap:
        return
    extra: dict[str, str] = {}
    detail = f"{n} tickets is more than the {cap} {what} synchronously"
    if instead is not None:
        detail += f"; {instead}"
        extra["jobs_url"] = "/v1/jobs"
    raise ApiError(
        413,
        "too_large_for_sync",
        detail,
        title="Problem too large for a synchronous request",
        **extra,
    )


def _wait(
    kind: str, payload: str, limit_s: float, kill_after_s: float, workers: int, received: float
) -> Outcome:
    """Run one task in a child process and wait for it (called in a worker thread); its
    clock started at `received` (a `time.time()`)."""
    process = WorkerProcess(kind, payload, limit_s, workers, received_unix=received)
    try:
        return process.wait(kill_after_s)
    finally:
        process.close()


def outcome_error(outcome: Outcome) -> ApiError:
    """The problem details of a task that ended without a result."""
    if outcome.kind == "timeout":
        return ApiError(504, "solve_timeout", outcome.detail or "timeout")
    if outcome.kind == "crashed":
        return ApiError(
            503, "worker_died", f"{outcome.detail}; try again", headers={"Retry-After": "1"}
        )
    if outcome.code == "invalid_input":  # found while solving (e.g. an unreachable end)
        return contract_error(InputError([Issue(i["path"], i["rule"]) for i in outcome.issues]))
    return ApiError(500, outcome.code or "solver_error", outcome.detail or "the solve failed")


async def run_sync(
    app: Any, kind: str, payload: str, problem: Problem, metric: str, received: float
) -> Response:
    """Plan `problem` (read from `payload` again in the child) within its capped time
    limit, counted from `received` (a `time.time()` taken once the body was read: the
    contract bounds the whole answer, so parsing here and waiting for a free sync slot
    count too, and a request that waited answers with a shorter search, not late): 200
    with the plan JSON, else the matching problem details."""
    limit = capped_time_limit(problem, app.settings.sync_time_limit_max_s)
    kill_after = hard_deadline_s(limit, problem.solve.deterministic)
    started = time.perf_counter()
    async with app.sync_slots:
        outcome = await run_in_threadpool(
            _wait, kind, payload, limit, kill_after, app.settings.solve_workers, received
        )
    if outcome.kind != "done" or outcome.result is None:
        raise outcome_error(outcome)
    app.metrics.observe_solve(metric, time.perf_counter() - started)
    return Response(outcome.result, media_type="application/json")
