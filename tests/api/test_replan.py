"""POST /v1/replan: every event type re-planned into a valid plan with churn, and the
body's errors named by their field paths (TestClient, real worker processes)."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.jobs.tasks as tasks
from api.jobs.process import Outcome
from api.sync import outcome_error
from dispatch_opt.domain.state import NO_STABILITY
from dispatch_opt.io import parse_problem, parse_ticket
from dispatch_opt.replan.events import (
    Event,
    JobOverran,
    PartNotDelivered,
    TechnicianUnavailable,
    UrgentTicket,
    apply_event,
)
from dispatch_opt.validate import ValidationReport, Violation
from tests.api.conftest import NEW_TICKET, NOW, assert_valid_replan, errors_of, replanned_problem

EVENTS: dict[str, tuple[dict[str, Any], Event]] = {
    "urgent_ticket": (
        {"type": "urgent_ticket", "ticket": NEW_TICKET},
        UrgentTicket(parse_ticket(NEW_TICKET)),
    ),
    "job_overran": (
        {"type": "job_overran", "technician": "T01", "minutes": 25},
        JobOverran("T01", 25),
    ),
    "technician_unavailable": (
        {"type": "technician_unavailable", "technician": "T02"},
        TechnicianUnavailable("T02"),
    ),
    "part_not_delivered_depot": (
        {"type": "part_not_delivered", "sku": "PUMP-WM-01", "depot": "WH-PD", "quantity": 2},
        PartNotDelivered("PUMP-WM-01", 2, depot="WH-PD"),
    ),
    "part_not_delivered_van": (
        {"type": "part_not_delivered", "sku": "COMP-AC-12K", "technician": "T01"},
        PartNotDelivered("COMP-AC-12K", technician="T01"),
    ),
}


@pytest.mark.parametrize("name", list(EVENTS))
def test_each_event_gives_a_valid_replan_with_churn(client: TestClient, planned, name) -> None:
    doc, plan = planned
    body, event = EVENTS[name]
    resp = client.post(
        "/v1/replan",
        json={"problem": doc, "plan": plan, "now": NOW, "freeze_min": 30, "events": [body]},
    )
    assert resp.status_code == 200, resp.text
    assert_valid_replan(replanned_problem(doc, plan, 30, event), resp.json())
    if name == "urgent_ticket":
        served = {tid for r in resp.json()["routes"] for tid in _tickets(r)}
        assert "NEW1" in served


def _tickets(route: dict) -> list[str]:
    """Ticket ids of a plan route, in order."""
    return [s["id"] for s in route["stops"] if s["kind"] == "ticket"]


def test_state_in_the_problem_events_in_order_and_no_stability(client: TestClient, planned) -> None:
    doc, _ = planned
    doc = copy.deepcopy(doc)
    doc["state"] = {
        "now": NOW,
        "freeze_min": 60,
        "done": ["SR-1001"],
        "technicians": [
            {"id": "T01", "in_progress": {"ticket": "SR-1002", "start": NOW}},
            {"id": "T02", "available": False},
        ],
    }
    events = [
        {"type": "technician_unavailable", "technician": "T03"},
        {"type": "urgent_ticket", "ticket": NEW_TICKET, "urgent": False},
    ]
    resp = client.post("/v1/replan", json={"problem": doc, "events": events, "stability": False})
    assert resp.status_code == 200, resp.text
    problem = parse_problem(doc)
    state = dataclasses.replace(problem.state, stability=NO_STABILITY)
    problem = dataclasses.replace(problem, state=state)
    for event in (TechnicianUnavailable("T03"), UrgentTicket(parse_ticket(NEW_TICKET), False)):
        problem = apply_event(problem, event)
    assert_valid_replan(problem, resp.json())
    served = {r["technician"]: _tickets(r) for r in resp.json()["routes"]}
    assert served.get("T03", []) == [] and served.get("T02", []) == []


BAD_EVENTS = [
    ({"type": "job_overran", "technician": "T99", "minutes": 5}, "events[0].technician", "T99"),
    ({"type": "technician_unavailable", "technician": "T99"}, "events[0].technician", "T99"),
    (
        {"type": "part_not_delivered", "sku": "PUMP-WM-01", "depot": "WH-X"},
        "events[0].depot",
        "WH-X",
    ),
    (
        {"type": "part_not_delivered", "sku": "PUMP-WM-01", "technician": "T99"},
        "events[0].technician",
        "T99",
    ),
    ({"type": "part_not_delivered", "sku": "NOPE", "depot": "WH-PD"}, "events[0].sku", "NOPE"),
    (
        {"type": "part_not_delivered", "sku": "NOPE", "depot": "WH-PD", "technician": "T01"},
        "events[0]",
        "exactly one",
    ),
    ({"type": "lunch", "technician": "T01"}, "events[0].type", "unknown type"),
    ({"technician": "T01"}, "events[0].type", "is required"),
    ({"type": "job_overran", "technician": "T01", "minutes": -5}, "events[0].minutes", ">"),
    (
        {"type": "job_overran", "technician": "T01", "minuts": 5},
        "events[0].minuts",
        "did you mean 'minutes'",
    ),
    (
        {"type": "urgent_ticket", "ticket": {**NEW_TICKET, "id": "SR-1001"}},
        "events[0].ticket.id",
        "already exists",
    ),
    (
        {"type": "urgent_ticket", "ticket": {**NEW_TICKET, "pinned_technician": "T99"}},
        "events[0].ticket.pinned_technician",
        "T99",
    ),
    (
        {"type": "urgent_ticket", "ticket": {**NEW_TICKET, "duraton_min": 5}},
        "events[0].ticket.duraton_min",
        "duration_min",
    ),
]


@pytest.mark.parametrize("event, path, rule", BAD_EVENTS, ids=[p for _, p, _ in BAD_EVENTS])
def test_bad_events_are_422_naming_the_field(
    client: TestClient, planned, event, path, rule
) -> None:
    doc, plan = planned
    resp = client.post(
        "/v1/replan", json={"problem": doc, "plan": plan, "now": NOW, "events": [event]}
    )
    errors = errors_of(resp)
    assert path in errors and rule in errors[path], errors


def test_body_errors_are_422_naming_the_field(client: TestClient, planned) -> None:
    doc, plan = planned
    cases = [
        ({"problem": doc}, "problem.state", "is required"),
        ({"problem": doc, "plan": plan}, "now", "is required with plan"),
        ({"problem": doc, "now": NOW}, "now", "only with plan"),
        ({"problem": doc, "plan": plan, "now": "2026-11-24T11:00:00+08:00"}, "now", "horizon"),
        ({"problem": doc, "plan": plan, "now": "2026-11-23T11:00:00"}, "now", "UTC offset"),
        (
            {"problem": doc, "plan": {**plan, "routes": []}, "now": NOW},
            "plan.routes[T01]",
            "no route",
        ),
        ({"problem": {**doc, "tickets": "x"}, "events": []}, "problem.tickets", "list"),
        ({"problem": doc, "events": [], "stabilty": False}, "stabilty", "stability"),
        ({"problem": doc, "plan": plan, "now": NOW, "freeze_min": -1}, "freeze_min", ">="),
    ]
    for body, path, rule in cases:
        errors = errors_of(client.post("/v1/replan", json=body))
        assert path in errors and rule in errors[path], (body.keys(), errors)


def test_too_many_tickets_for_sync_replan_is_413_pointing_at_jobs(client_factory, planned):
    doc, plan = planned
    client = client_factory(sync_max_tickets=3)
    resp = client.post("/v1/replan", json={"problem": doc, "plan": plan, "now": NOW})
    assert resp.status_code == 413 and resp.json()["code"] == "too_large_for_sync"
    assert resp.json()["jobs_url"] == "/v1/jobs" and "/v1/jobs" in resp.json()["detail"]


def test_an_invalid_replan_is_never_a_result(planned, monkeypatch) -> None:
    """The task refuses a plan the validator rejects; the sync answer is then a 500
    `invalid_plan` problem, not a plan."""
    doc, plan = planned
    broken = ValidationReport((Violation("time_window", "routes[0].stops[1]", "late"),), ())
    monkeypatch.setattr(tasks, "validate_plan", lambda problem, plan: broken)
    payload = json.dumps({"problem": doc, "plan": plan, "now": NOW})
    with pytest.raises(tasks.TaskFailed) as failed:
        tasks.replan_task(payload, 0.5, 1, lambda _: None, 0.0)
    assert failed.value.code == "invalid_plan" and "time_window" in failed.value.detail
    error = outcome_error(Outcome("failed", code="invalid_plan", detail=failed.value.detail))
    assert (error.status, error.code) == (500, "invalid_plan")
