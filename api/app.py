"""The FastAPI application: settings, store, runner and routes wired together."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

import dispatch_opt
from api.errors import install_handlers
from api.inputs.replan import ReplanRequest
from api.inputs.scenario import ScenarioRequest
from api.inputs.slots import SlotsRequest
from api.jobs import roads
from api.jobs.process import start_forkserver
from api.jobs.runner import JobRunner
from api.jobs.store import JobStore
from api.metrics import ApiMetrics
from api.middleware import BodyLimit, RequestMetrics
from api.models import ProblemDetails, ProblemDoc, ScenarioResultOut, ValidateRequest
from api.routes import health, jobs, replan, scenarios, slots, solve, validate
from api.security import InflightLimiter, check_api_key
from api.settings import ApiSettings

_BODY_SCHEMAS = (
    ProblemDoc,
    ValidateRequest,
    ReplanRequest,
    SlotsRequest,
    ScenarioRequest,
    ProblemDetails,
    ScenarioResultOut,
)
"""Models of bodies read by hand (for contract error paths), and of a result served as
stored text, added to the OpenAPI."""


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated OpenAPI plus the request-body schemas, from the contract models."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        separate_input_output_schemas=False,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in _BODY_SCHEMAS:
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in body.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components[model.__name__] = body
    app.openapi_schema = schema
    return schema


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the service; the store and the runner start with the app's lifespan."""
    settings = settings or ApiSettings()
    metrics = ApiMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.preload_roads:  # here, and in the forkserver the workers come from
            os.environ[roads.ENV] = settings.preload_roads
            await asyncio.to_thread(roads.preload, settings.preload_roads)
        await asyncio.to_thread(start_forkserver)
        store = JobStore(settings.sqlalchemy_url)
        runner = JobRunner(
            store,
            slots=settings.workers,
            solve_workers=settings.solve_workers,
            max_attempts=settings.job_max_attempts,
            ttl_s=settings.job_ttl_s,
            expiry_interval_s=settings.expiry_interval_s,
            observe_solve=metrics.observe_solve,
        )
        app.state.store, app.state.runner = store, runner
        app.state.sync_slots = asyncio.Semaphore(settings.workers)
        await asyncio.to_thread(runner.start)
        try:
            yield
        finally:
            await asyncio.to_thread(runner.stop)
            store.close()

    app = FastAPI(
        title="dispatch-opt API",
        version=dispatch_opt.__version__,
        description=(
            "Technician dispatch optimizer: contract-v1 problems in, plans out. "
            "Errors are RFC 9457 problem details with a stable `code`."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.limiter = InflightLimiter(settings.client_max_inflight)
    metrics.watch_jobs(lambda: app.state.store.counts(), lambda: app.state.runner.busy())
    install_handlers(app)
    app.include_router(health.router)
    for module in (solve, jobs, scenarios, replan, slots, validate):
        app.include_router(module.router, dependencies=[Depends(check_api_key)])
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=metrics)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app
