"""Pydantic models of the API's own documents (jobs, reports, problem details).

The problem and plan themselves are the contract models of `dispatch_opt.io.schema`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dispatch_opt.io.schema import PlanDoc, ProblemDoc

JobState = Literal["queued", "running", "done", "failed", "cancelled"]
JobKind = Literal["solve", "scenario"]


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
    solves_done: int | None = Field(
        default=None, description="Scenario jobs: solves finished (base and variants)."
    )
    solves_total: int | None = Field(default=None, description="Scenario jobs: solves in all.")


class JobErrorOut(BaseModel):
    """Why a job failed (or why its last run was retried)."""

    code: str = Field(examples=["worker_died"])
    detail: str = Field(examples=["the solver process died (exit code -9)"])


class JobLinks(BaseModel):
    """Where to look next."""

    self: str = Field(examples=["/v1/jobs/0f3c..."])
    plan: str | None = Field(
        default=None, description="Solve jobs only.", examples=["/v1/jobs/0f3c.../plan"]
    )
    result: str = Field(
        description="The plan of a solve job, the comparison of a scenario job.",
        examples=["/v1/jobs/0f3c.../result"],
    )
    report: str = Field(
        description="The plan's views, or the scenario's KPIs side by side.",
        examples=["/v1/jobs/0f3c.../report"],
    )


class JobOut(BaseModel):
    """A job's state, progress and error."""

    id: str = Field(examples=["0f3c2a9b7d6e4f1a8b9c0d1e2f3a4b5c"])
    kind: JobKind = Field(description="`solve` (POST /v1/jobs) or `scenario` (/v1/scenarios).")
    state: JobState
    created_at: str = Field(description="RFC 3339 UTC.")
    started_at: str | None = Field(default=None, description="Start of the latest run.")
    finished_at: str | None = None
    attempts: int = Field(description="Runs started so far (a crashed run is retried).")
    tickets: int = Field(description="Tickets in the problem (a scenario's base).")
    time_limit_s: float = Field(
        description="Time limit applied (capped by the server; a scenario's longest solve)."
    )
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


class SlotOut(BaseModel):
    """An appointment slot."""

    start: str = Field(examples=["2026-11-23T13:00:00+08:00"])
    end: str = Field(examples=["2026-11-23T17:00:00+08:00"])


class OfferOut(BaseModel):
    """Whether a slot can be promised; by whom, when, at what cost and risk when it can."""

    slot: SlotOut
    feasible: bool
    status: Literal["ok", "outside_horizon", "past", "no_room", "not_eligible"]
    technician: str | None = Field(default=None, examples=["T02"])
    start: str | None = Field(default=None, description="Earliest start in the slot.")
    marginal_cost: float | None = Field(
        default=None, description="Objective units (1 = a minute of driving)."
    )
    extra_travel_min: float | None = None
    sla_late_added_min: float | None = None
    at_risk: list[str] | None = Field(
        default=None, description="Existing tickets left within 30 min of their SLA."
    )
    pushed_max_min: float | None = Field(
        default=None, description="Largest delay of an existing start, minutes."
    )
    detail: str | None = None


class SlotsOut(BaseModel):
    """The offers for a new ticket: feasible first (earliest start first), then the rest."""

    ticket: str = Field(examples=["SR-2001"])
    offers: list[OfferOut]


class HandChangeOut(BaseModel):
    """A ticket whose technician differs between the base and a variant (null: unserved)."""

    ticket: str
    kind: Literal[
        "moved", "newly_served", "newly_unassigned", "added_served", "added_unassigned", "dropped"
    ]
    priority: str
    before: str | None
    after: str | None
    reasons: list[str] | None = None


class OutcomeOut(BaseModel):
    """One solve of a scenario: `valid`, `invalid` (its plan breaks a rule, not handed
    out) or `failed` (no plan)."""

    name: str = Field(examples=["T07 sick"])
    state: Literal["valid", "invalid", "failed"]
    description: str | None = None
    time_s: float
    error: str | None = None
    status: str | None = Field(default=None, description="The plan's status.")
    kpis: dict[str, float] | None = Field(default=None, description="The compared figures.")
    violations: list[ViolationOut] | None = None
    plan: PlanDoc | None = Field(default=None, description="Valid plans only.")


class VariantOutcomeOut(OutcomeOut):
    """A variant's solve, its changes, and how it compares with the base."""

    changes: list[str] = Field(description="The changes, one line each.")
    deltas: dict[str, float] | None = Field(
        default=None, description="KPI changes against the base (when both have plans)."
    )
    churn: dict[str, int] | None = Field(
        default=None, description="How many tickets changed hands, by kind, and the churn."
    )
    tickets_changed_hands: list[HandChangeOut] | None = None


class ScenarioResultOut(BaseModel):
    """A what-if comparison (`dispatch-opt whatif`'s comparison.json, with the plans)."""

    name: str
    description: str
    ok: bool = Field(description="Every solve gave a valid plan.")
    deterministic: bool
    from_base: bool
    parallel: int = Field(description="Solves run at once.")
    workers_per_solve: int
    wall_s: float
    base: OutcomeOut
    variants: list[VariantOutcomeOut]


class HealthOut(BaseModel):
    """Liveness or readiness."""

    status: str = Field(examples=["ok"])
    checks: dict[str, str] = Field(default_factory=dict)


__all__ = [
    "HealthOut",
    "JobOut",
    "OfferOut",
    "PlanDoc",
    "ProblemDetails",
    "ProblemDoc",
    "ProgressOut",
    "ReportOut",
    "ScenarioResultOut",
    "SlotsOut",
    "ValidateRequest",
]
