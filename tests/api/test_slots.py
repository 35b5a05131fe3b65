"""POST /v1/slots: offers for a new ticket, and booking an offered slot through
/v1/replan serves the ticket in it (TestClient, real worker processes)."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from dispatch_opt.io import parse_ticket
from dispatch_opt.replan.events import UrgentTicket
from tests.api.conftest import NEW_TICKET, assert_valid_replan, errors_of, replanned_problem

STATUSES = {"ok", "outside_horizon", "past", "no_room", "not_eligible"}


def test_offers_come_fastest_first_for_every_default_slot(client: TestClient, planned) -> None:
    doc, plan = planned
    resp = client.post("/v1/slots", json={"problem": doc, "plan": plan, "ticket": NEW_TICKET})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["ticket"] == "NEW1"
    offers = body["offers"]
    assert len(offers) == 6  # 9-12, 13-17, 18-21 on two days
    assert {o["status"] for o in offers} <= STATUSES
    assert [o["status"] for o in offers[-3:]] == ["outside_horizon"] * 3  # the next day
    feasible = [o for o in offers if o["feasible"]]
    assert feasible and offers[: len(feasible)] == feasible
    starts = [datetime.fromisoformat(o["start"]) for o in feasible]
    assert starts == sorted(starts)
    for o in feasible:
        slot = o["slot"]
        assert slot["start"] <= o["start"] <= slot["end"]


def test_booking_an_offered_slot_via_replan_serves_the_ticket_in_it(
    client: TestClient, planned
) -> None:
    doc, plan = planned
    offers = client.post(
        "/v1/slots", json={"problem": doc, "plan": plan, "ticket": NEW_TICKET, "hours": "13-17"}
    ).json()["offers"]
    offer = next(o for o in offers if o["feasible"])
    booked = {**NEW_TICKET, "time_windows": [offer["slot"]]}
    now = doc["horizon"]["start"]
    event = {"type": "urgent_ticket", "ticket": booked, "urgent": False}
    resp = client.post(
        "/v1/replan", json={"problem": doc, "plan": plan, "now": now, "events": [event]}
    )
    assert resp.status_code == 200, resp.text
    problem = replanned_problem(
        doc, plan, 0.0, UrgentTicket(parse_ticket(booked), urgent=False), now=now
    )
    assert_valid_replan(problem, resp.json())
    start = next(
        s["start"]
        for r in resp.json()["routes"]
        for s in r["stops"]
        if s["kind"] == "ticket" and s["id"] == "NEW1"
    )
    slot = offer["slot"]
    assert datetime.fromisoformat(slot["start"]) <= datetime.fromisoformat(start)
    assert datetime.fromisoformat(start) <= datetime.fromisoformat(slot["end"])


def test_explicit_slots_are_each_answered(client: TestClient, planned) -> None:
    doc, plan = planned
    slots = [
        {"start": "2026-11-23T10:00:00+08:00", "end": "2026-11-23T11:00:00+08:00"},
        {"start": "2026-11-22T10:00:00+08:00", "end": "2026-11-22T11:00:00+08:00"},
    ]
    body = {"problem": doc, "plan": plan, "ticket": NEW_TICKET, "slots": slots}
    offers = client.post("/v1/slots", json=body).json()["offers"]
    assert len(offers) == 2
    assert offers[-1]["status"] == "outside_horizon" and not offers[-1]["feasible"]


def test_slot_request_errors_name_the_field(client: TestClient, planned) -> None:
    doc, plan = planned
    base = {"problem": doc, "plan": plan, "ticket": NEW_TICKET}
    window = {"start": "2026-11-23T12:00:00+08:00", "end": "2026-11-23T09:00:00+08:00"}
    broken_plan = {**plan, "routes": plan["routes"][1:]}
    cases = [
        ({**base, "ticket": {**NEW_TICKET, "id": "SR-1001"}}, "ticket.id", "already exists"),
        ({**base, "hours": "9-25"}, "hours", "from 0 to 24"),
        ({**base, "hours": "nine-12"}, "hours", "use hours like 9-12"),
        ({**base, "days": 0}, "days", ">= 1"),
        ({**base, "slots": [window]}, "slots[0].end", "after start"),
        ({**base, "slots": [window], "hours": "9-12"}, "hours", "not both"),
        ({**base, "plan": broken_plan}, f"plan.routes[{plan['routes'][0]['technician']}]", ""),
        ({**base, "ticket": {**NEW_TICKET, "priority": "asap"}}, "ticket.priority", "one of"),
        ({"problem": doc, "plan": plan}, "ticket", "is required"),
        ({**base, "slots": [window] * 201}, "slots", "must have at most 200 items"),
    ]
    for body, path, rule in cases:
        errors = errors_of(client.post("/v1/slots", json=body))
        assert path in errors and rule in errors[path], (path, errors)


def test_too_many_tickets_for_slots_is_413(client_factory, planned) -> None:
    doc, plan = planned
    client = client_factory(sync_max_tickets=3)
    resp = client.post("/v1/slots", json={"problem": doc, "plan": plan, "ticket": NEW_TICKET})
    assert resp.status_code == 413 and resp.json()["code"] == "too_large_for_sync"
