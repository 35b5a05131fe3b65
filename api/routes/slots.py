"""POST /v1/slots: which appointment slots a new ticket can be promised on top of the
current plan, with cost and risk (a fast insertion check, no search)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.body import json_body, request_body
from api.inputs.slots import offers, read_slots
from api.models import SlotsOut
from api.routes.common import errors, state
from api.security import client_id
from api.sync import check_size

router = APIRouter(tags=["during the day"])


@router.post(
    "/v1/slots",
    summary="Offer appointment slots for a new ticket",
    description=(
        "For each slot, whether the ticket can be promised it with every existing promise "
        "kept: by whom, from when, at what marginal cost and risk to other tickets' SLAs. "
        "Feasible slots come first, earliest start first. Slots are `slots` (windows) or "
        "`hours` (default 9-12,13-17,18-21) on `days` days (default 2)."
    ),
    responses={
        200: {"model": SlotsOut, "description": "One offer per slot."},
        **errors(401, 413, 415, 422, 429, 500),
    },
    openapi_extra=request_body("SlotsRequest", "A problem, its plan, a new ticket, slots."),
)
async def slots(request: Request) -> JSONResponse:
    """Read the question (422 on any broken field), check the size, then try every slot
    in a thread under a sync slot."""
    app = state(request)
    body = await json_body(request)
    async with app.limiter.hold(client_id(request)):
        query = await run_in_threadpool(read_slots, body)
        check_size(app, query.problem, "offered slots", None)
        async with app.sync_slots:
            answer: dict[str, Any] = await run_in_threadpool(offers, query)
    return JSONResponse(answer)
