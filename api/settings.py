"""Server settings, read from `DISPATCH_API_*` environment variables (pydantic-settings)."""

from __future__ import annotations

import ipaddress
import os
from functools import cached_property
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _cores() -> int:
    """CPU cores this process may use (the affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (where API keys are off by default)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ApiSettings(BaseSettings):
    """Every knob of the service; each field is the env var `DISPATCH_API_<FIELD>`."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_API_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Interface to listen on.")
    port: int = Field(default=8000, ge=0, le=65535, description="TCP port.")
    db_path: str = Field(
        default="dispatch-opt-api.sqlite3",
        description="SQLite file for jobs, inputs and plans (used when database_url is empty).",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db; wins over db_path.",
    )
    workers: int = Field(
        default_factory=_cores, ge=1, description="Solver processes running jobs at once."
    )
    solve_workers: int = Field(
        default=1,
        ge=1,
        description="Most CPU processes one solve may use (caps the problem's solve.workers).",
    )
    preload_roads: str = Field(
        default="",
        description=(
            "Comma-separated road network files (a problem's travel.graph) parsed once at "
            "start-up; every solver process starts with them in memory."
        ),
    )
    sync_time_limit_max_s: float = Field(
        default=30.0, gt=0, description="Cap on a POST /v1/solve time limit, seconds."
    )
    sync_max_tickets: int = Field(
        default=200, ge=0, description="Bigger problems get 413 from /v1/solve: use /v1/jobs."
    )
    job_time_limit_max_s: float = Field(
        default=300.0, gt=0, description="Cap on a job's time limit, seconds."
    )
    max_body_bytes: int = Field(
        default=10_000_000, ge=1, description="Largest request body accepted (413 above)."
    )
    auth: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="API keys required: auto = on unless the host is a loopback address.",
    )
    api_keys: str = Field(default="", description="Comma-separated accepted API keys.")
    api_key_header: str = Field(default="X-API-Key", description="Header carrying the key.")
    client_max_inflight: int = Field(
        default=4, ge=1, description="Concurrent sync requests per client (429 above)."
    )
    client_max_active_jobs: int = Field(
        default=32, ge=1, description="Queued plus running jobs per client (429 above)."
    )
    job_ttl_s: float = Field(
        default=7 * 24 * 3600.0, gt=0, description="Finished jobs are deleted after this."
    )
    expiry_interval_s: float = Field(
        default=60.0, gt=0, description="How often expired jobs are swept, seconds."
    )
    job_max_attempts: int = Field(
        default=2,
        ge=1,
        description="Runs a job may start (a crashed or interrupted run is retried below it).",
    )

    @cached_property
    def keys(self) -> frozenset[str]:
        """The accepted API keys (split once, not on every request)."""
        return frozenset(k.strip() for k in self.api_keys.split(",") if k.strip())

    @property
    def auth_required(self) -> bool:
        """Whether /v1 requests need a valid API key."""
        if self.auth == "auto":
            return not is_loopback(self.host)
        return self.auth == "on"

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL actually used."""
        return self.database_url or f"sqlite:///{os.path.abspath(self.db_path)}"
