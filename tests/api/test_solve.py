"""POST /v1/solve and the errors every endpoint shares (TestClient, real worker processes)."""

from __future__ import annotations

import json
import threading

from fastapi.testclient import TestClient

from tests.api.conftest import assert_valid_plan, tiny_problem, wait_until

PROBLEM_JSON = "application/problem+json"


def _problem_details(resp, status: int, code: str) -> dict:
    """Check an RFC 9457 answer and return its body."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM_JSON)
    body = resp.json()
    assert body["status"] == status and body["code"] == code
    assert {"type", "title", "detail"} <= set(body)
    assert "Traceback" not in resp.text
    return body


def test_solve_returns_a_valid_plan(client: TestClient) -> None:
    doc = tiny_problem(1.0)
    resp = client.post("/v1/solve", json=doc)
    assert resp.status_code == 200, resp.text
    plan = resp.json()
    assert plan["kpis"]["tickets"] == len(doc["tickets"])
    assert {r["technician"] for r in plan["routes"]} == {t["id"] for t in doc["technicians"]}
    assert_valid_plan(doc, plan)


def test_solve_caps_the_time_limit(client: TestClient) -> None:
    doc = tiny_problem(3600.0)  # capped at the server's 2 s
    resp = client.post("/v1/solve", json=doc)
    assert resp.status_code == 200
    assert resp.json()["solver"]["time_s"] <= 2.0 + 1.0


def test_too_many_tickets_for_sync_is_413_with_pointer(client_factory) -> None:
    client = client_factory(sync_max_tickets=3)
    resp = client.post("/v1/solve", json=tiny_problem())
    body = _problem_details(resp, 413, "too_large_for_sync")
    assert body["jobs_url"] == "/v1/jobs"
    assert "/v1/jobs" in body["detail"]


def test_body_above_the_limit_is_413(client_factory) -> None:
    client = client_factory(max_body_bytes=1000)
    _problem_details(client.post("/v1/solve", json=tiny_problem()), 413, "body_too_large")

    def chunks():
        yield json.dumps(tiny_problem()).encode()

    resp = client.post("/v1/solve", content=chunks(), headers={"content-type": "application/json"})
    _problem_details(resp, 413, "body_too_large")


def test_contract_error_is_422_with_path_and_rule(client: TestClient) -> None:
    doc = tiny_problem()
    doc["tickets"][3]["time_windows"] = [
        {"start": "2026-11-23T12:00:00+08:00", "end": "2026-11-23T09:00:00+08:00"}
    ]
    doc["tickets"][0]["duraton_min"] = 5
    body = _problem_details(client.post("/v1/solve", json=doc), 422, "invalid_input")
    paths = {e["path"]: e["rule"] for e in body["errors"]}
    assert any(p.startswith("tickets[3].time_windows[0]") for p in paths)
    assert "did you mean 'duration_min'" in paths["tickets[0].duraton_min"]


def test_wrong_content_type_is_415(client: TestClient) -> None:
    resp = client.post("/v1/solve", content=json.dumps(tiny_problem()))
    _problem_details(resp, 415, "unsupported_media_type")
    resp = client.post("/v1/solve", data={"a": "b"})
    _problem_details(resp, 415, "unsupported_media_type")


HOSTILE_BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"text"',
    b"\xff\xfe\x00garbage",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b'{"horizon": 1e999999, "technicians": [], "tickets": []}',
    b'{"name": "x", "name": "y"}',
    json.dumps({**tiny_problem(), "tickets": [{"id": "x", "duration_min": 10**400}]}).encode(),
    json.dumps({**tiny_problem(), "solve": {"time_limit_s": 10**400}}).encode(),
    json.dumps({**tiny_problem(), "solve": {"time_limit_s": float("nan")}}).encode(),
    json.dumps({**tiny_problem(), "solve": {"seed": 2**80}}).encode(),
    b'{"technicians": [{"id": "\\ud800"}]}',
]


def test_hostile_bodies_never_give_500(client: TestClient) -> None:
    for body in HOSTILE_BODIES:
        for path in ("/v1/solve", "/v1/jobs", "/v1/validate"):
            resp = client.post(path, content=body, headers={"content-type": "application/json"})
            assert resp.status_code in (200, 202, 422), (path, body[:60], resp.text[:300])
            if resp.status_code == 422:
                _problem_details(resp, 422, "invalid_input")


def test_unknown_route_and_method_are_problem_details(client: TestClient) -> None:
    _problem_details(client.get("/v1/nothing"), 404, "not_found")
    _problem_details(client.put("/v1/solve", json={}), 405, "method_not_allowed")


def test_api_keys(client_factory) -> None:
    client = client_factory(auth="on", api_keys="k-one, k-two")
    body = _problem_details(client.post("/v1/solve", json=tiny_problem()), 401, "unauthorized")
    assert "X-API-Key" in body["detail"]
    assert client.post("/v1/solve", json={}).headers["www-authenticate"].startswith("ApiKey")
    _problem_details(client.get("/v1/jobs/x", headers={"X-API-Key": "nope"}), 401, "unauthorized")
    resp = client.get("/v1/jobs/x", headers={"X-API-Key": "k-two"})
    _problem_details(resp, 404, "job_not_found")
    assert client.get("/healthz").status_code == 200


def test_api_keys_default_on_off_by_host(tmp_path) -> None:
    from tests.api.conftest import make_settings

    assert not make_settings(tmp_path, auth="auto", host="127.0.0.1").auth_required
    assert not make_settings(tmp_path, auth="auto", host="::1").auth_required
    assert make_settings(tmp_path, auth="auto", host="0.0.0.0").auth_required


def test_per_client_concurrency_gives_429(client_factory) -> None:
    client = client_factory(client_max_inflight=1)
    limiter = client.app.state.limiter
    first: dict = {}
    worker = threading.Thread(
        target=lambda: first.update(resp=client.post("/v1/solve", json=tiny_problem(2.0)))
    )
    worker.start()
    wait_until(lambda: limiter._count, "the first solve to be in flight")
    second = client.post("/v1/solve", json=tiny_problem(1.0))
    body = _problem_details(second, 429, "too_many_requests")
    assert second.headers["retry-after"] == "1"
    assert "1 concurrent" in body["detail"]
    worker.join()
    assert first["resp"].status_code == 200


def test_metrics_count_requests_and_solves(client: TestClient) -> None:
    assert client.post("/v1/solve", json=tiny_problem(0.5)).status_code == 200
    client.get("/v1/jobs/unknown")
    text = client.get("/metrics").text
    assert 'dispatch_http_requests_total{method="POST",route="/v1/solve",status="200"} 1.0' in text
    assert 'route="/v1/jobs/{job_id}",status="404"' in text
    assert 'dispatch_solve_duration_seconds_count{kind="sync"} 1.0' in text
    assert 'dispatch_jobs{state="queued"} 0.0' in text
    assert "dispatch_job_queue_length 0.0" in text


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "checks": {}}
    ready = client.get("/readyz").json()
    assert ready["checks"] == {"database": "ok", "job_runner": "ok"}


def test_openapi_is_built_from_the_contract_models(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"ProblemDoc", "PlanDoc", "ValidateRequest", "JobOut", "ProblemDetails"} <= set(schemas)
    body = spec["paths"]["/v1/solve"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/ProblemDoc"}
    assert schemas["ProblemDoc"]["additionalProperties"] is False
