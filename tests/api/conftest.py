"""Fixtures of the API tests: settings on a SQLite file in tmp_path, a TestClient with
real worker processes, a real uvicorn server, and a tiny problem with a 1 s limit."""

from __future__ import annotations

import copy
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from dispatch_opt.domain import Problem
from dispatch_opt.io import parse_problem, plan_from_dict, plan_to_dict
from dispatch_opt.planner import solve_problem
from dispatch_opt.replan.events import Event, apply_event
from dispatch_opt.replan.from_plan import state_from_plan
from dispatch_opt.validate import format_report, validate_plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads((ROOT / "tests" / "data" / "example-problem.json").read_text())
FINAL = ("done", "failed", "cancelled")
WAIT_S = 90.0
"""Upper bound when waiting for a state (a safety net against hangs, not a speed test)."""


def tiny_problem(limit_s: float = 1.0, **solve: Any) -> dict[str, Any]:
    """The 8-ticket example problem with a short time limit."""
    doc = copy.deepcopy(EXAMPLE)
    doc["solve"] = {"time_limit_s": limit_s, "seed": 0, **solve}
    return doc


def assert_valid_plan(problem_doc: dict[str, Any], plan_doc: dict[str, Any]) -> None:
    """The validator finds no broken hard rule in the plan."""
    report = validate_plan(parse_problem(problem_doc), plan_from_dict(plan_doc))
    assert report.ok, format_report(report)


def make_settings(tmp_path: Path, **overrides: Any) -> ApiSettings:
    """Test settings: a SQLite file in tmp_path, 2 worker slots, short caps."""
    values: dict[str, Any] = {
        "db_path": str(tmp_path / "jobs.sqlite3"),
        "workers": 2,
        "sync_time_limit_max_s": 2.0,
        "job_time_limit_max_s": 3.0,
        "expiry_interval_s": 3600.0,
        "auth": "off",
    }
    values.update(overrides)
    return ApiSettings(**values)


@pytest.fixture
def client_factory(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Build started TestClients (lifespan run); all are closed at the end."""
    opened: list[TestClient] = []

    def build(**overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(tmp_path, **overrides)))
        client.__enter__()
        opened.append(client)
        return client

    yield build
    for client in reversed(opened):
        client.__exit__(None, None, None)


@pytest.fixture
def client(client_factory: Callable[..., TestClient]) -> TestClient:
    """A started client with default test settings."""
    return client_factory()


def wait_job(
    client: TestClient | httpx.Client, job_id: str, states: tuple[str, ...] = FINAL
) -> dict[str, Any]:
    """Poll a job until it reaches one of `states`."""
    end = time.monotonic() + WAIT_S
    while time.monotonic() < end:
        body = client.get(f"/v1/jobs/{job_id}").json()
        if body["state"] in states:
            return body
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {states}: {body}")


def wait_until(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it returns something truthy."""
    end = time.monotonic() + WAIT_S
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    folder: Path, port: int, workers: int, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """`dispatch-opt serve` on loopback in a subprocess (jobs in `folder`/jobs.sqlite3, its
    output in `folder`/server.log, `env` adding DISPATCH_API_* settings), once ready."""
    cmd = [sys.executable, "-m", "dispatch_opt.cli", "serve", "--port", str(port)]
    log = folder / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*cmd, "--workers", str(workers)],
            cwd=ROOT,
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                "DISPATCH_API_DB_PATH": str(folder / "jobs.sqlite3"),
                **(env or {}),
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def ready() -> bool:
        assert proc.poll() is None, f"the server exited: {log.read_text()}"
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, "the server to be ready")
    except BaseException:
        stop_server(proc)
        raise
    return proc


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate a server started by `start_server` (kill it when it lingers)."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dispatch-opt serve` in a subprocess on loopback; yields its base URL."""
    port = free_port()
    env = {
        "DISPATCH_API_SYNC_TIME_LIMIT_MAX_S": "1",
        "DISPATCH_API_JOB_TIME_LIMIT_MAX_S": "1",
        "DISPATCH_API_CLIENT_MAX_ACTIVE_JOBS": "1000",
    }
    proc = start_server(tmp_path_factory.mktemp("server"), port, workers=2, env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


NOW = "2026-11-23T11:00:00+08:00"
"""Mid-morning of the example day: some visits done, some under way."""
NEW_TICKET: dict[str, Any] = {
    "id": "NEW1",
    "location": {"lat": 31.23, "lon": 121.5},
    "duration_min": 40,
}
"""A ticket the example problem does not have."""


@pytest.fixture(scope="module")
def planned() -> tuple[dict[str, Any], dict[str, Any]]:
    """The tiny problem (deterministic, short) and a valid plan of it, solved once per
    module by the library."""
    doc = tiny_problem(0.5, deterministic=True)
    plan = plan_to_dict(solve_problem(parse_problem(doc)))
    assert_valid_plan(doc, plan)
    return doc, plan


def replanned_problem(
    doc: dict, previous: dict, freeze_min: float, *events: Event, now: str = NOW
) -> Problem:
    """The problem a re-plan at `now` answers, built by the library alone: the state read
    off the previous plan, then the events."""
    moment = datetime.fromisoformat(now)
    problem = state_from_plan(
        parse_problem(doc), plan_from_dict(previous), moment, freeze_min=freeze_min
    )
    for event in events:
        problem = apply_event(problem, event)
    return problem


def assert_valid_replan(problem: Problem, plan_doc: dict) -> None:
    """The re-plan validator finds no broken rule, and the plan reports churn."""
    report = validate_plan(problem, plan_from_dict(plan_doc))
    assert report.ok, format_report(report)
    assert set(plan_doc["churn"]) == {"reassigned", "moved", "tolerance_min", "calls"}


def errors_of(resp) -> dict[str, str]:
    """path -> rule of a 422 problem-details answer."""
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "invalid_input"
    return {e["path"]: e["rule"] for e in resp.json()["errors"]}
