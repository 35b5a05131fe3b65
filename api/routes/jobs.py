"""Jobs: submit a problem (202), poll its state and progress, fetch the result, cancel.

A job is a solve (POST /v1/jobs: its result is a plan) or a what-if scenario (POST
/v1/scenarios: its result is the comparison); both are polled, fetched and cancelled here.
"""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.body import json_body, request_body
from api.errors import ApiError
from api.jobs.store import FINISHED, SCENARIO, SOLVE, Job
from api.limits import capped_time_limit, hard_deadline_s
from api.models import (
    JobErrorOut,
    JobLinks,
    JobOut,
    PlanDoc,
    ProgressOut,
    rfc3339,
)
from api.routes.common import errors, state
from api.security import client_id
from dispatch_opt.io import parse_problem, plan_from_dict
from dispatch_opt.report.html import render_comparison, render_report
from dispatch_opt.whatif import parse_scenario

router = APIRouter(tags=["jobs"])


def job_out(job: Job) -> JobOut:
    """The public view of a stored job."""
    fields = dict(job.progress or {})
    if job.state == "running" and job.started_at is not None:
        fields["elapsed_s"] = round(max(0.0, time.time() - job.started_at), 3)
    progress = ProgressOut(**fields) if fields else None
    error = None
    if job.error_code is not None and job.state != "done":
        error = JobErrorOut(code=job.error_code, detail=job.error_detail or "")
    base = f"/v1/jobs/{job.id}"
    return JobOut(
        id=job.id,
        kind=job.kind,  # type: ignore[arg-type]
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
            self=base,
            plan=f"{base}/plan" if job.kind == SOLVE else None,
            result=f"{base}/result",
            report=f"{base}/report",
        ),
    )


async def enqueue(
    request: Request,
    response: Response,
    payload: str,
    n_tickets: int,
    time_limit_s: float,
    kill_after_s: float,
    kind: str,
) -> JobOut:
    """Store a validated job input as a queued job of `kind` (429 when the client has too
    many active jobs), wake a worker, and answer 202 with its Location."""
    app = state(request)
    client = client_id(request)
    active = await run_in_threadpool(app.store.active_for, client)
    if active >= app.settings.client_max_active_jobs:
        raise ApiError(
            429,
            "too_many_jobs",
            f"this client has {active} queued or running jobs (at most "
            f"{app.settings.client_max_active_jobs})",
            headers={"Retry-After": "5"},
        )
    job = await run_in_threadpool(
        app.store.create, payload, client, n_tickets, time_limit_s, kill_after_s, kind
    )
    app.runner.notify()
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return job_out(job)


def _not_found(job_id: str) -> ApiError:
    """404 for a job that is unknown or expired."""
    return ApiError(404, "job_not_found", f"no job '{job_id}' (unknown or expired)")


async def _get(request: Request, job_id: str) -> Job:
    """The stored job or 404."""
    job = await run_in_threadpool(state(request).store.get, job_id)
    if job is None:
        raise _not_found(job_id)
    return job


def _check_done(job: Job, what: str) -> None:
    """409 (with the job's state) before the job is done."""
    if job.state != "done":
        raise ApiError(
            409,
            "job_not_done",
            f"the job is {job.state}; the {what} exists once it is done",
            state=job.state,
        )


async def _stored(request: Request, job_id: str, read: str) -> str:
    """A stored text of the job (`payload` or `result`); 404 when it expired meanwhile."""
    text = await run_in_threadpool(getattr(state(request).store, read), job_id)
    if text is None:
        raise _not_found(job_id)
    return text


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
    problem = await run_in_threadpool(parse_problem, body)
    limit = capped_time_limit(problem, app.settings.job_time_limit_max_s)
    kill_after = hard_deadline_s(limit, problem.solve.deterministic)
    text = body.decode("utf-8-sig")
    return await enqueue(request, response, text, len(problem.tickets), limit, kill_after, SOLVE)


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
    summary="The plan of a finished solve job",
    description="A scenario job has no single plan: 409 `not_a_plan_job` (see `/result`).",
    responses={
        200: {"model": PlanDoc, "description": "The plan."},
        **errors(401, 404, 409),
    },
)
async def plan(request: Request, job_id: str) -> Response:
    """The plan once the job is done (409 before, with its state)."""
    job = await _get(request, job_id)
    if job.kind != SOLVE:
        raise ApiError(
            409,
            "not_a_plan_job",
            f"a {job.kind} job has no single plan: its result is at /v1/jobs/{job_id}/result",
            kind=job.kind,
            result_url=f"/v1/jobs/{job_id}/result",
        )
    _check_done(job, "plan")
    return Response(await _stored(request, job_id, "result"), media_type="application/json")


@router.get(
    "/v1/jobs/{job_id}/result",
    summary="The result of a finished job: a plan, or a what-if comparison",
    responses={
        200: {
            "description": "A solve job's plan, or a scenario job's comparison (its kind).",
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/PlanDoc"},
                            {"$ref": "#/components/schemas/ScenarioResultOut"},
                        ]
                    }
                }
            },
        },
        **errors(401, 404, 409),
    },
)
async def result(request: Request, job_id: str) -> Response:
    """The job's result once it is done (409 before, with its state)."""
    _check_done(await _get(request, job_id), "result")
    return Response(await _stored(request, job_id, "result"), media_type="application/json")


@router.get(
    "/v1/jobs/{job_id}/report",
    summary="The dispatcher views of a finished job (HTML map, schedule board, KPIs)",
    description="A scenario job's report is its plans' KPIs side by side (409 "
    "`no_valid_plan` when no solve gave one).",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **errors(401, 404, 409)},
)
async def report(request: Request, job_id: str) -> HTMLResponse:
    """The same self-contained HTML page as `dispatch-opt report`, once the job is done."""
    job = await _get(request, job_id)
    _check_done(job, "report")
    payload = await _stored(request, job_id, "payload")
    text = await _stored(request, job_id, "result")
    render = _render_comparison if job.kind == SCENARIO else _render_plan
    return HTMLResponse(await run_in_threadpool(render, payload, text))


def _render_plan(problem_text: str, plan_text: str) -> str:
    """Parse the stored problem and plan and render the report page."""
    return render_report(parse_problem(problem_text), plan_from_dict(plan_text))


def _render_comparison(scenario_text: str, result_text: str) -> str:
    """The KPIs of a scenario's valid plans side by side (the problems made again from
    the stored scenario: its changes are deterministic)."""
    spec = parse_scenario(scenario_text)
    problems = {"base": spec.base} | {v.name: v.problem for v in spec.variants}
    doc = json.loads(result_text)
    named = [
        (o["name"], problems[o["name"]], plan_from_dict(o["plan"]))
        for o in (doc["base"], *doc["variants"])
        if "plan" in o
    ]
    if not named:
        raise ApiError(409, "no_valid_plan", "no solve of this scenario gave a valid plan")
    return render_comparison(named)


@router.delete(
    "/v1/jobs/{job_id}",
    response_model=JobOut,
    summary="Cancel a queued or running job",
    responses=errors(401, 404, 409),
)
async def cancel(request: Request, job_id: str) -> JobOut:
    """Cancel: a queued job never runs, a running one has its worker processes killed (a
    scenario's pool of solver processes too: they share its process group)."""
    app = state(request)
    job = await _get(request, job_id)
    if job.state in FINISHED and job.state != "cancelled":
        raise ApiError(409, "job_finished", f"the job is already {job.state}", state=job.state)
    await run_in_threadpool(app.runner.cancel, job_id)
    return job_out(await _get(request, job_id))
