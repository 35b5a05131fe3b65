"""Jobs: submit, progress, plan, cancel, limits, a killed worker, expiry (real processes)."""

from __future__ import annotations

import os
import signal

from fastapi.testclient import TestClient

from tests.api.conftest import assert_valid_plan, tiny_problem, wait_job, wait_until


def _pid_gone(pid: int) -> bool:
    """True when no process (or only a zombie) has this pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def _submit(client: TestClient, doc: dict) -> str:
    """POST a job; check 202 and Location; return the id."""
    resp = client.post("/v1/jobs", json=doc)
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert resp.headers["location"] == f"/v1/jobs/{body['id']}" == body["links"]["self"]
    assert body["state"] in ("queued", "running")
    return body["id"]


def test_job_lifecycle_and_plan(client: TestClient) -> None:
    doc = tiny_problem(1.0)
    job_id = _submit(client, doc)
    running = wait_job(client, job_id, ("running", "done"))
    assert running["progress"] is not None and running["progress"]["elapsed_s"] >= 0
    done = wait_job(client, job_id)
    assert done["state"] == "done", done
    assert done["attempts"] == 1 and done["error"] is None
    assert done["progress"]["tickets_placed"] >= 1
    assert done["progress"]["best_objective"] is not None
    plan = client.get(f"/v1/jobs/{job_id}/plan")
    assert plan.status_code == 200
    assert plan.json()["kpis"]["assigned"] == done["progress"]["tickets_placed"]
    assert_valid_plan(doc, plan.json())
    page = client.get(done["links"]["report"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for route in plan.json()["routes"]:
        assert route["technician"] in page.text


def test_unknown_job_is_404_and_unfinished_plan_is_409(client_factory) -> None:
    client = client_factory(workers=1)
    assert client.get("/v1/jobs/nope").json()["code"] == "job_not_found"
    assert client.delete("/v1/jobs/nope").status_code == 404
    first = _submit(client, tiny_problem(2.0))
    queued = _submit(client, tiny_problem(1.0))
    for view in ("plan", "report"):
        resp = client.get(f"/v1/jobs/{queued}/{view}")
        assert resp.status_code == 409 and resp.json()["code"] == "job_not_done"
        assert resp.json()["state"] in ("queued", "running")
    for job_id in (first, queued):
        client.delete(f"/v1/jobs/{job_id}")


def test_cancel_queued_and_running_jobs(client_factory) -> None:
    client = client_factory(workers=1)
    runner = client.app.state.runner
    running = _submit(client, tiny_problem(3.0))
    queued = _submit(client, tiny_problem(1.0))
    pid = wait_until(lambda: runner.running_pids().get(running), "the first job to run")

    resp = client.delete(f"/v1/jobs/{queued}")
    assert resp.status_code == 200 and resp.json()["state"] == "cancelled"
    resp = client.delete(f"/v1/jobs/{running}")
    assert resp.status_code == 200 and resp.json()["state"] == "cancelled"
    wait_until(lambda: _pid_gone(pid), "the solver process to be killed")
    wait_until(lambda: not runner.running_pids(), "the slot to be free")

    again = client.get(f"/v1/jobs/{queued}").json()
    assert again["state"] == "cancelled" and again["attempts"] == 0  # it never ran
    assert client.get(f"/v1/jobs/{running}").json()["error"]["code"] == "cancelled"
    assert client.get(f"/v1/jobs/{running}/plan").status_code == 409
    assert client.delete(f"/v1/jobs/{running}").status_code == 200  # idempotent


def test_cancelling_a_finished_job_is_409(client: TestClient) -> None:
    job_id = _submit(client, tiny_problem(0.5))
    assert wait_job(client, job_id)["state"] == "done"
    resp = client.delete(f"/v1/jobs/{job_id}")
    assert resp.status_code == 409 and resp.json()["code"] == "job_finished"


def test_too_many_active_jobs_is_429(client_factory) -> None:
    client = client_factory(workers=1, client_max_active_jobs=2)
    ids = [_submit(client, tiny_problem(2.0)) for _ in range(2)]
    resp = client.post("/v1/jobs", json=tiny_problem(1.0))
    assert resp.status_code == 429 and resp.json()["code"] == "too_many_jobs"
    assert "retry-after" in resp.headers
    for job_id in ids:
        client.delete(f"/v1/jobs/{job_id}")
    assert client.post("/v1/jobs", json=tiny_problem(0.5)).status_code == 202


def test_invalid_job_is_422_and_not_stored(client: TestClient) -> None:
    doc = tiny_problem()
    doc["technicians"] = []
    resp = client.post("/v1/jobs", json=doc)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["path"] == "technicians"
    assert client.app.state.store.counts()["queued"] == 0


def test_killed_worker_is_rerun_while_the_server_serves(client_factory) -> None:
    client = client_factory(workers=1, job_max_attempts=2)
    runner = client.app.state.runner
    doc = tiny_problem(2.0)
    job_id = _submit(client, doc)
    pid = wait_until(lambda: runner.running_pids().get(job_id), "the job to run")
    os.kill(pid, signal.SIGKILL)
    assert client.get("/healthz").status_code == 200
    assert client.post("/v1/validate", json={}).status_code == 422  # still answering
    done = wait_job(client, job_id)
    assert done["state"] == "done" and done["attempts"] == 2, done
    assert_valid_plan(doc, client.get(f"/v1/jobs/{job_id}/plan").json())


def test_killed_worker_without_attempts_left_fails_with_reason(client_factory) -> None:
    client = client_factory(workers=1, job_max_attempts=1)
    runner = client.app.state.runner
    job_id = _submit(client, tiny_problem(2.0))
    pid = wait_until(lambda: runner.running_pids().get(job_id), "the job to run")
    os.kill(pid, signal.SIGKILL)
    failed = wait_job(client, job_id)
    assert failed["state"] == "failed"
    assert failed["error"]["code"] == "worker_died"
    assert "exit code -9" in failed["error"]["detail"]
    assert client.get("/readyz").status_code == 200
    second = _submit(client, tiny_problem(0.5))  # the slot is free again
    assert wait_job(client, second)["state"] == "done"


def test_finished_jobs_expire(client_factory) -> None:
    client = client_factory(job_ttl_s=0.001, expiry_interval_s=0.05)
    job_id = _submit(client, tiny_problem(0.5))
    wait_until(lambda: client.get(f"/v1/jobs/{job_id}").status_code == 404, "the job to expire")
    assert client.get(f"/v1/jobs/{job_id}/plan").status_code == 404
