"""Run the service under uvicorn (the `dispatch-opt serve` command)."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from api.jobs.roads import preload
from api.settings import ApiSettings
from dispatch_opt.travel.roads.osm_load import RoadFileError


class ServeError(Exception):
    """The settings do not allow starting (e.g. keys required but none configured)."""


def check(settings: ApiSettings) -> None:
    """Refuse to serve on a non-loopback address without API keys unless auth is off, or
    with a road file to preload that cannot be read."""
    if settings.auth_required and not settings.keys:
        raise ServeError(
            f"API keys are required on {settings.host} (DISPATCH_API_AUTH={settings.auth}) "
            "but DISPATCH_API_API_KEYS is empty; set keys, or DISPATCH_API_AUTH=off"
        )
    try:
        preload(settings.preload_roads)
    except RoadFileError as exc:
        raise ServeError(f"DISPATCH_API_PRELOAD_ROADS: {exc}") from None


def serve(settings: ApiSettings) -> None:
    """Start uvicorn with one event loop; solves run in `settings.workers` processes."""
    check(settings)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
