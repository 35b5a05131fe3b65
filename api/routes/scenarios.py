"""POST /v1/scenarios: a what-if scenario as a background job (202); polled, fetched and
cancelled at /v1/jobs/{id} like any job."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.body import json_body, request_body
from api.inputs.scenario import budget, read_scenario
from api.jobs.store import SCENARIO
from api.models import JobOut
from api.routes.common import errors, state
from api.routes.jobs import enqueue

router = APIRouter(tags=["jobs"])


@router.post(
    "/v1/scenarios",
    status_code=202,
    response_model=JobOut,
    summary="Submit a what-if scenario as a background job",
    description=(
        "The scenario document of `dispatch-opt whatif`, with its `base` problem inline (a "
        "path is refused: 422 on `base`). The base and every variant are solved (sharing "
        "the server's per-solve cores; every time limit capped by the server), validated "
        "and compared. Poll /v1/jobs/{id}; the comparison (KPI deltas per variant, tickets "
        "that changed hands, the valid plans) is at /v1/jobs/{id}/result, the KPIs side by "
        "side at /v1/jobs/{id}/report."
    ),
    responses=errors(401, 413, 415, 422, 429),
    openapi_extra=request_body("ScenarioRequest", "A what-if scenario, its base inline."),
)
async def submit_scenario(request: Request, response: Response) -> JobOut:
    """Validate the scenario (every change applied), then queue it as a job."""
    app = state(request)
    body = await json_body(request)
    spec = await run_in_threadpool(read_scenario, body, app.settings.job_time_limit_max_s)
    plan = budget(spec, app.settings.solve_workers)
    text = body.decode("utf-8-sig")
    return await enqueue(
        request, response, text, plan.n_tickets, plan.time_limit_s, plan.kill_after_s, SCENARIO
    )
