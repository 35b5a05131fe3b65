"""Liveness, readiness and Prometheus metrics (no API key needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.metrics import CONTENT_TYPE
from api.models import HealthOut
from api.routes.common import errors, state

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthOut, summary="Liveness")
async def healthz() -> HealthOut:
    """The process answers."""
    return HealthOut(status="ok")


@router.get("/readyz", response_model=HealthOut, summary="Readiness", responses=errors(503))
async def readyz(request: Request) -> HealthOut:
    """The database answers and the job runner's threads are up."""
    app = state(request)
    checks: dict[str, str] = {}
    try:
        await run_in_threadpool(app.store.ping)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    checks["job_runner"] = "ok" if app.runner.alive() else "down"
    if any(v != "ok" for v in checks.values()):
        raise ApiError(503, "not_ready", "not ready", checks=checks)
    return HealthOut(status="ok", checks=checks)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Prometheus text format.",
        }
    },
)
async def metrics(request: Request) -> Response:
    """Requests, solve durations, jobs by state, queue length."""
    text = await run_in_threadpool(state(request).metrics.render)
    return Response(text, media_type=CONTENT_TYPE)
