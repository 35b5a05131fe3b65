"""Bits every route module shares: the app's services and documented error responses."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from api.models import ProblemDetails

PROBLEM_CONTENT = {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for problem+json errors."""
    text = {
        400: "Bad request",
        401: "Missing or wrong API key",
        404: "No such job",
        409: "The job is not in a state that allows this",
        413: "Body too large, or problem too large for a synchronous solve",
        415: "Not JSON",
        422: "The input breaks the contract: `errors` lists each field path and rule",
        429: "Too many concurrent requests or active jobs for this client",
        500: "Internal error",
        503: "Not ready, or the solver process died",
        504: "The solve overran its hard limit",
    }
    return {
        s: {"description": text[s], "model": ProblemDetails, "content": PROBLEM_CONTENT}
        for s in statuses
    }


def state(request: Request) -> Any:
    """The app state (settings, store, runner, limiter, metrics)."""
    return request.app.state
