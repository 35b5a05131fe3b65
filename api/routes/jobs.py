"""Jobs: submit a problem (202), poll its state and progress, fetch the plan, cancel."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.body import json_body, request_body
from api.errors import ApiError
from api.jobs.process import hard_deadline_s
from api.jobs.store import FINISHED, Job
from api.limits import capped_time_limit
from api.models import JobErrorOut, JobLinks, JobOut, PlanDoc, ProgressOut, rfc3339
from api.routes.common import errors, state
from api.security import client_id
from dispatch_opt.io import parse_problem, plan_from_dict
from dispatch_opt.report.html import render_report

router = APIRouter(tags=["jobs"])


def job_out(job: Job) -> JobOut:
    """The public view of a stored job."""
    progress = None
    if job.progress is not None:
        progress = ProgressOut(**job.progress)
    if job.state == "running" and job.started_at is not None:
        elapsed = round(max(0.0, time.time() - job.started_at), 3)
        progress = (progress or ProgressOut(elapsed_s=elapsed)).model_copy(
            update={"elapsed_s": elapsed}
        )
    error = None
    if job.error_code is not None and job.state != "done":
        error = JobErrorOut(code=job.error_code, detail=job.error_detail or "")
    return JobOut(
        id=job.id,
        state=job.state,  # type: ignore[arg-type]
        created_at=rfc3339(job.created_at) or "",
        started_at=rfc3339(job.started_at),
        finished_at=rfc3339(job.finished_at),
        attempts=job.attempts,
        tickets=job.n_tickets,
        time_limit_s=job.time_limit_s,
        progress=progress,
        error=error,
        links=JobLinks(
            self=f"/v1/jobs/{job.id}",
            plan=f"/v1/jobs/{job.id}/plan",
            report=f"/v1/jobs/{job.id}/report",
        ),
    )


def _not_found(job_id: str) -> ApiError:
    """404 for a job that is unknown or expired."""
    return ApiError(404, "job_not_found", f"no job '{job_id}' (unknown or expired)")


async def _get(request: Request, job_id: str) -> Job:
    """The stored job or 404."""
    job = await run_in_threadpool(state(request).store.get, job_id)
    if job is None:
        raise _not_found(job_id)
    return job


async def _get_done(request: Request, job_id: str, what: str) -> Job:
    """The stored job once it is done: 404 when unknown, 409 (with its state) before."""
    job = await _get(request, job_id)
    if job.state != "done":
        raise ApiError(
            409,
            "job_not_done",
            f"the job is {job.state}; the {what} exists once it is done",
            state=job.state,
        )
    return job


@router.post(
    "/v1/jobs",
    status_code=202,
    response_model=JobOut,
    summary="Submit a problem as a background job",
    responses=errors(401, 413, 415, 422, 429),
    openapi_extra=request_body("ProblemDoc", "A problem, contract v1."),
)
async def submit(request: Request, response: Response) -> JobOut:
    """Validate and store the problem; a worker process picks it up in order."""
    app = state(request)
    body = await json_body(request)
    client = client_id(request)
    problem = await run_in_threadpool(parse_problem, body)
    active = await run_in_threadpool(app.store.active_for, client)
    if active >= app.settings.client_max_active_jobs:
        raise ApiError(
            429,
            "too_many_jobs",
            f"this client has {active} queued or running jobs (at most "
            f"{app.settings.client_max_active_jobs})",
            headers={"Retry-After": "5"},
        )
    limit = capped_time_limit(problem, app.settings.job_time_limit_max_s)
    job = await run_in_threadpool(
        app.store.create,
        body.decode("utf-8-sig"),
        client,
        len(problem.tickets),
        limit,
        hard_deadline_s(limit, problem.solve.deterministic),
    )
    app.runner.notify()
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return job_out(job)


@router.get(
    "/v1/jobs/{job_id}",
    response_model=JobOut,
    summary="A job's state, progress and error",
    responses=errors(401, 404),
)
async def status(request: Request, job_id: str) -> JobOut:
    """State, live progress while running, the error when failed."""
    return job_out(await _get(request, job_id))


@router.get(
    "/v1/jobs/{job_id}/plan",
    summary="The plan of a finished job",
    responses={
        200: {"model": PlanDoc, "description": "The plan."},
        **errors(401, 404, 409),
    },
)
async def plan(request: Request, job_id: str) -> Response:
    """The plan once the job is done (409 before, with its state)."""
    await _get_done(request, job_id, "plan")
    text = await run_in_threadpool(state(request).store.plan, job_id)
    if text is None:  # expired between the two reads
        raise _not_found(job_id)
    return Response(text, media_type="application/json")


@router.get(
    "/v1/jobs/{job_id}/report",
    summary="The dispatcher views of a finished job (HTML map, schedule board, KPIs)",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **errors(401, 404, 409)},
)
async def report(request: Request, job_id: str) -> HTMLResponse:
    """The same self-contained HTML page as `dispatch-opt report`, once the job is done."""
    await _get_done(request, job_id, "report")
    store = state(request).store
    problem_text = await run_in_threadpool(store.problem, job_id)
    plan_text = await run_in_threadpool(store.plan, job_id)
    if problem_text is None or plan_text is None:  # expired between the reads
        raise _not_found(job_id)
    html = await run_in_threadpool(_render, problem_text, plan_text)
    return HTMLResponse(html)


def _render(problem_text: str, plan_text: str) -> str:
    """Parse the stored problem and plan and render the report page."""
    return render_report(parse_problem(problem_text), plan_from_dict(plan_text))


@router.delete(
    "/v1/jobs/{job_id}",
    response_model=JobOut,
    summary="Cancel a queued or running job",
    responses=errors(401, 404, 409),
)
async def cancel(request: Request, job_id: str) -> JobOut:
    """Cancel: a queued job never runs, a running one has its solver processes killed."""
    app = state(request)
    job = await _get(request, job_id)
    if job.state in FINISHED and job.state != "cancelled":
        raise ApiError(409, "job_finished", f"the job is already {job.state}", state=job.state)
    await run_in_threadpool(app.runner.cancel, job_id)
    return job_out(await _get(request, job_id))
