"""Restarts on the SQLite store: no accepted job is lost, interrupted runs are re-queued
or failed with the reason."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.jobs.store import JobStore
from tests.api.conftest import (
    assert_valid_plan,
    make_settings,
    tiny_problem,
    wait_job,
    wait_until,
)


def test_graceful_restart_runs_every_accepted_job(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, workers=1)
    docs = [tiny_problem(2.0), tiny_problem(1.0, seed=1), tiny_problem(1.0, seed=2)]
    with TestClient(create_app(settings)) as first:
        ids = [first.post("/v1/jobs", json=doc).json()["id"] for doc in docs]
        runner = first.app.state.runner
        wait_until(lambda: runner.running_pids().get(ids[0]), "the first job to run")
    # stopped mid-job: nothing finished, nothing lost
    store = JobStore(settings.sqlalchemy_url)
    assert [store.get(i).state for i in ids] == ["queued"] * 3
    store.close()
    with TestClient(create_app(settings)) as second:
        for job_id, doc in zip(ids, docs, strict=True):
            job = wait_job(second, job_id)
            assert job["state"] == "done", job
            assert job["attempts"] == 1  # a shutdown does not use up an attempt
            assert_valid_plan(doc, second.get(f"/v1/jobs/{job_id}/plan").json())


def test_crash_restart_requeues_or_fails_with_reason(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, workers=2, job_max_attempts=2)
    doc = tiny_problem(0.5)
    text = json.dumps(doc)
    store = JobStore(settings.sqlalchemy_url)
    # what a killed server leaves behind: runs marked running, a queue
    retry = store.create(text, "ip:test", 8, 0.5, 30.0).id
    exhausted = store.create(text, "ip:test", 8, 0.5, 30.0).id
    queued_id = store.create(text, "ip:test", 8, 0.5, 30.0).id
    assert store.claim_next().id == retry
    assert store.claim_next().id == exhausted
    store.requeue(exhausted, "worker_died", "test")
    assert store.claim_next().id == exhausted  # second attempt, then the "crash"
    store.close()

    with TestClient(create_app(settings)) as client:
        failed = wait_job(client, exhausted)
        assert failed["state"] == "failed"
        assert failed["error"]["code"] == "interrupted"
        assert "server stopped" in failed["error"]["detail"]
        for job_id, attempts in ((retry, 2), (queued_id, 1)):
            job = wait_job(client, job_id)
            assert job["state"] == "done" and job["attempts"] == attempts, job
            assert_valid_plan(doc, client.get(f"/v1/jobs/{job_id}/plan").json())


def test_store_transitions_are_conditional(tmp_path: Path) -> None:
    store = JobStore(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    job = store.create("{}", "c", 0, 1.0, 10.0)
    assert store.claim_next().id == job.id
    assert store.claim_next() is None
    assert store.cancel(job.id)
    assert not store.finish_done(job.id, "{}", None)  # a late worker cannot undo a cancel
    assert store.get(job.id).state == "cancelled"
    assert store.expire(3600.0) == 0 and store.expire(0.0) == 1
    assert store.get(job.id) is None
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()


OLD_JOBS_TABLE = """CREATE TABLE jobs (
    id VARCHAR(32) PRIMARY KEY, state VARCHAR(16) NOT NULL, client VARCHAR(200) NOT NULL,
    created_at FLOAT NOT NULL, started_at FLOAT, finished_at FLOAT,
    attempts INTEGER NOT NULL, n_tickets INTEGER NOT NULL, time_limit_s FLOAT NOT NULL,
    kill_after_s FLOAT NOT NULL, problem TEXT NOT NULL, plan TEXT, progress TEXT,
    error_code VARCHAR(64), error_detail TEXT)"""
"""The jobs table as databases made before scenario jobs have it (no `kind`)."""


def test_a_database_from_before_job_kinds_keeps_its_jobs(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, workers=1)
    doc = tiny_problem(0.5)
    with closing(sqlite3.connect(tmp_path / "jobs.sqlite3")) as conn, conn:
        conn.execute(OLD_JOBS_TABLE)
        conn.execute(
            "INSERT INTO jobs (id, state, client, created_at, attempts, n_tickets, "
            "time_limit_s, kill_after_s, problem) VALUES ('old', 'queued', 'ip:test', 0, 0, "
            "8, 0.5, 30, ?)",
            (json.dumps(doc),),
        )
    with TestClient(create_app(settings)) as client:
        job = wait_job(client, "old")
        assert job["state"] == "done" and job["kind"] == "solve", job
        assert_valid_plan(doc, client.get("/v1/jobs/old/plan").json())
    store = JobStore(settings.sqlalchemy_url)  # the column is there now: opening again is a no-op
    assert store.create("{}", "c", 0, 1.0, 10.0, "scenario").kind == "scenario"
    store.close()
