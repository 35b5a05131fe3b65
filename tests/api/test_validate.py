"""POST /v1/validate: the validator's report, and contract errors under problem./plan."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient

from tests.api.conftest import tiny_problem


def _plan(client: TestClient, doc: dict) -> dict:
    """A plan of `doc` from the API itself."""
    resp = client.post("/v1/solve", json=doc)
    assert resp.status_code == 200
    return resp.json()


def test_validate_reports_ok_and_violations(client: TestClient) -> None:
    doc = tiny_problem(0.5)
    plan = _plan(client, doc)
    resp = client.post("/v1/validate", json={"problem": doc, "plan": plan})
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["ok"] is True and report["violations"] == []
    assert report["text"].startswith("OK")

    broken = copy.deepcopy(plan)
    route = next(r for r in broken["routes"] if any(s["kind"] == "ticket" for s in r["stops"]))
    dropped = next(s for s in route["stops"] if s["kind"] == "ticket")
    route["stops"].remove(dropped)  # the ticket is now neither served nor unassigned
    resp = client.post("/v1/validate", json={"problem": doc, "plan": broken})
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["ok"] is False and report["violations"]
    assert report["text"].startswith("INVALID")
    assert any(
        dropped["id"] in v["message"] or dropped["id"] in v["where"] for v in report["violations"]
    ), report


def test_validate_names_paths_inside_problem_and_plan(client: TestClient) -> None:
    doc = tiny_problem()
    doc["tickets"][0]["priority"] = "asap"
    resp = client.post("/v1/validate", json={"problem": doc, "plan": {"status": "x"}, "z": 1})
    assert resp.status_code == 422
    paths = {e["path"] for e in resp.json()["errors"]}
    assert "problem.tickets[0].priority" in paths
    assert "plan.status" in paths and "plan.routes" in paths
    assert "z" in paths
    resp = client.post("/v1/validate", json={})
    assert {e["path"] for e in resp.json()["errors"]} == {"problem", "plan"}
