"""Pydantic models of the API's own documents (jobs, reports, problem details).

The problem and plan themselves are the contract models of `dispatch_opt.io.schema`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch_opt.io.schema import PlanDoc, ProblemDoc

JobState = Literal["queued", "running", "done", "failed", "cancelled"]


def rfc3339(epoch: float | None) -> str | None:
    """Epoch seconds as an RFC 3339 UTC time, None kept."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


class ProgressOut(BaseModel):
    """How a running (or finished) solve is doing."""

    elapsed_s: float = Field(description="Seconds since the solve started.", examples=[1.2])
    best_objective: int | None = Field(
        default=None, description="Objective of the best plan so far (lower is better)."
    )
    tickets_placed: int | None = Field(
        default=None,
        description="Tickets in the best plan so far (known when the engine reports it, "
        "always once done).",
    )
    solutions: int | None = Field(default=None, description="Improving solutions found.")


class JobErrorOut(BaseModel):
    """Why a job failed (or why its last run was retried)."""

    code: str = Field(examples=["worker_died"])
    detail: str = Field(examples=["the solver process died (exit code -9)"])


class JobLinks(BaseModel):
    """Where to look next."""

    self: str = Field(examples=["/v1/jobs/0f3c..."])
    plan: str = Field(examples=["/v1/jobs/0f3c.../plan"])
    report: str = Field(examples=["/v1/jobs/0f3c.../report"])


class JobOut(BaseModel):
    """A job's state, progress and error."""

    id: str = Field(examples=["0f3c2a9b7d6e4f1a8b9c0d1e2f3a4b5c"])
    state: JobState
    created_at: str = Field(description="RFC 3339 UTC.")
    started_at: str | None = Field(default=None, description="Start of the latest run.")
    finished_at: str | None = None
    attempts: int = Field(description="Runs started so far (a crashed run is retried).")
    tickets: int = Field(description="Tickets in the problem.")
    time_limit_s: float = Field(description="Time limit applied (capped by the server).")
    progress: ProgressOut | None = None
    error: JobErrorOut | None = None
    links: JobLinks


class ValidateRequest(BaseModel):
    """A problem and a plan to re-check against it."""

    model_config = ConfigDict(extra="forbid")

    problem: ProblemDoc
    plan: PlanDoc


class ViolationOut(BaseModel):
    """One broken rule (or a warning)."""

    code: str = Field(examples=["time_window"])
    where: str = Field(examples=["routes[0].stops[2]"])
    message: str


class ReportOut(BaseModel):
    """The validator's report: `ok` when no hard rule is broken."""

    ok: bool
    violations: list[ViolationOut]
    warnings: list[ViolationOut]
    text: str = Field(description="The same report as readable lines.")


class IssueOut(BaseModel):
    """A contract error: the field path and the rule it breaks."""

    path: str = Field(examples=["tickets[3].time_windows[0].end"])
    rule: str = Field(examples=["must be after start"])


class ProblemDetails(BaseModel):
    """RFC 9457 problem details with a stable `code`."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(examples=["invalid_input"])
    instance: str | None = None
    errors: list[IssueOut] | None = Field(default=None, description="422 only.")


class HealthOut(BaseModel):
    """Liveness or readiness."""

    status: str = Field(examples=["ok"])
    checks: dict[str, str] = Field(default_factory=dict)


__all__ = [
    "HealthOut",
    "JobOut",
    "PlanDoc",
    "ProblemDetails",
    "ProblemDoc",
    "ProgressOut",
    "ReportOut",
    "ValidateRequest",
]
