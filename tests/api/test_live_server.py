"""Against the real server (`dispatch-opt serve`, uvicorn on loopback): concurrent
clients, a schemathesis run over the OpenAPI schema, and a hard kill plus restart."""

from __future__ import annotations

import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.api.conftest import (
    assert_valid_plan,
    free_port,
    start_server,
    stop_server,
    tiny_problem,
    wait_job,
)


def _client_run(base: str, k: int) -> list[tuple[dict, dict]]:
    """One client: submit 5 jobs, wait for each, return (problem, plan) pairs."""
    out = []
    with httpx.Client(base_url=base, timeout=60) as client:
        docs = [tiny_problem(1.0, seed=10 * k + j) for j in range(5)]
        ids = []
        for doc in docs:
            resp = client.post("/v1/jobs", json=doc)
            assert resp.status_code == 202, resp.text
            ids.append(resp.json()["id"])
        for doc, job_id in zip(docs, ids, strict=True):
            job = wait_job(client, job_id)
            assert job["state"] == "done", job
            out.append((doc, client.get(f"/v1/jobs/{job_id}/plan").json()))
    return out


def test_twenty_jobs_from_four_concurrent_clients(live_server: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        results = [
            p for batch in pool.map(lambda k: _client_run(live_server, k), range(4)) for p in batch
        ]
    assert len(results) == 20
    for doc, plan in results:
        assert_valid_plan(doc, plan)
    metrics = httpx.get(f"{live_server}/metrics").text
    count = 'dispatch_solve_duration_seconds_count{kind="job"} '
    line = next(ln for ln in metrics.splitlines() if ln.startswith(count))
    assert float(line[len(count) :]) >= 20  # every job's solve was timed
    assert "dispatch_job_queue_length 0.0" in metrics


@pytest.fixture(scope="module")
def api_schema(live_server: str):
    """The server's OpenAPI schema, loaded by schemathesis."""
    return schemathesis.openapi.from_url(f"{live_server}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", "15")),  # bounded in CI
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_openapi_contract_no_server_errors(case) -> None:
    """No 500s, and every response matches the documented status, type and schema."""
    case.call_and_validate(
        timeout=60,
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


def test_unreachable_end_is_a_contract_error(live_server: str) -> None:
    """T01's end is 5,000 km from its start: no plan can be valid, so a 422 naming it."""
    doc = tiny_problem(0.5)
    doc["technicians"] = [dict(doc["technicians"][0], end={"lat": 31.2304, "lon": 179.0})]
    doc["tickets"] = []
    resp = httpx.post(f"{live_server}/v1/solve", json=doc, timeout=60)
    assert resp.status_code == 422, resp.text
    assert "technicians[0].end" in resp.text


def test_hard_kill_and_restart_loses_no_job(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    docs = [tiny_problem(3.0), tiny_problem(1.0, seed=1)]
    proc = start_server(tmp_path, port, workers=1)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            ids = [client.post("/v1/jobs", json=doc).json()["id"] for doc in docs]
            wait_job(client, ids[0], ("running",))
        proc.send_signal(signal.SIGKILL)  # no shutdown at all
        proc.wait(timeout=10)
        proc = start_server(tmp_path, port, workers=1)
        with httpx.Client(base_url=base, timeout=30) as client:
            for doc, job_id in zip(docs, ids, strict=True):
                job = wait_job(client, job_id)
                assert job["state"] == "done", job
                assert_valid_plan(doc, client.get(f"/v1/jobs/{job_id}/plan").json())
            assert client.get(f"/v1/jobs/{ids[0]}").json()["attempts"] == 2
    finally:
        stop_server(proc)
