"""The job store: jobs, their inputs and plans in SQL (SQLite with WAL by default).

SQLAlchemy Core, so a PostgreSQL URL works as well. Every state change is a conditional
UPDATE (`... WHERE state = expected`): a cancel and a finishing worker cannot overwrite
each other, and two runners cannot claim the same job.

A job has a `kind` (`solve`, `scenario`): its input is the `problem` column (a problem, or
a what-if scenario document) and its result the `plan` column (a plan, or a what-if
comparison); the column names predate scenario jobs and are kept so existing databases
need no migration beyond the `kind` column, added at start-up when missing.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
STATES = (QUEUED, RUNNING, DONE, FAILED, CANCELLED)
ACTIVE = (QUEUED, RUNNING)
FINISHED = (DONE, FAILED, CANCELLED)
SOLVE, SCENARIO = "solve", "scenario"

metadata = MetaData()
jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("state", String(16), nullable=False, index=True),
    Column("client", String(200), nullable=False, index=True),
    Column("created_at", Float, nullable=False, index=True),
    Column("started_at", Float),
    Column("finished_at", Float, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("n_tickets", Integer, nullable=False),
    Column("time_limit_s", Float, nullable=False),
    Column("kill_after_s", Float, nullable=False),
    Column("problem", Text, nullable=False),
    Column("plan", Text),
    Column("progress", Text),
    Column("error_code", String(64)),
    Column("error_detail", Text),
    Column("kind", String(16), nullable=False, default=SOLVE, server_default=SOLVE),
)


@dataclass(frozen=True, slots=True)
class Job:
    """One stored job, without its (possibly large) problem and plan texts."""

    id: str
    state: str
    client: str
    created_at: float
    started_at: float | None
    finished_at: float | None
    attempts: int
    n_tickets: int
    time_limit_s: float
    kill_after_s: float
    progress: dict[str, Any] | None
    error_code: str | None
    error_detail: str | None
    kind: str = SOLVE


_SUMMARY = [c for c in jobs.c if c.name not in ("problem", "plan")]


def _job(row: Any) -> Job:
    """A Job from a summary row."""
    m = row._mapping
    return Job(
        id=m["id"],
        state=m["state"],
        client=m["client"],
        created_at=m["created_at"],
        started_at=m["started_at"],
        finished_at=m["finished_at"],
        attempts=m["attempts"],
        n_tickets=m["n_tickets"],
        time_limit_s=m["time_limit_s"],
        kill_after_s=m["kill_after_s"],
        progress=json.loads(m["progress"]) if m["progress"] else None,
        error_code=m["error_code"],
        error_detail=m["error_detail"],
        kind=m["kind"],
    )


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and cross-thread use."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    return engine


class JobStore:
    """CRUD and state transitions of jobs; safe to use from several threads."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        metadata.create_all(self.engine)
        self._add_kind_column()

    def _add_kind_column(self) -> None:
        """A database made before scenario jobs lacks `kind`: add it (its jobs are solves)."""
        if "kind" in {c["name"] for c in inspect(self.engine).get_columns("jobs")}:
            return
        with self.engine.begin() as conn:
            conn.execute(
                text(f"ALTER TABLE jobs ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT '{SOLVE}'")
            )

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def ping(self) -> None:
        """Raise when the database cannot answer."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def create(
        self,
        payload: str,
        client: str,
        n_tickets: int,
        time_limit_s: float,
        kill_after_s: float,
        kind: str = SOLVE,
    ) -> Job:
        """Store a new queued job (its input as validated JSON text)."""
        job_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(
                insert(jobs).values(
                    id=job_id,
                    state=QUEUED,
                    client=client,
                    created_at=time.time(),
                    attempts=0,
                    n_tickets=n_tickets,
                    time_limit_s=time_limit_s,
                    kill_after_s=kill_after_s,
                    problem=payload,
                    kind=kind,
                )
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        """A job's summary, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(*_SUMMARY).where(jobs.c.id == job_id)).first()
        return None if row is None else _job(row)

    def payload(self, job_id: str) -> str | None:
        """A job's input JSON text (a problem, or a scenario)."""
        with self.engine.connect() as conn:
            return conn.execute(select(jobs.c.problem).where(jobs.c.id == job_id)).scalar()

    def result(self, job_id: str) -> str | None:
        """A finished job's result JSON text (a plan, or a what-if comparison)."""
        with self.engine.connect() as conn:
            return conn.execute(select(jobs.c.plan).where(jobs.c.id == job_id)).scalar()

    def claim_next(self) -> Job | None:
        """Move the oldest queued job to running (one attempt more) and return it."""
        while True:
            with self.engine.begin() as conn:
                job_id = conn.execute(
                    select(jobs.c.id)
                    .where(jobs.c.state == QUEUED)
                    .order_by(jobs.c.created_at)
                    .limit(1)
                ).scalar()
                if job_id is None:
                    return None
                claimed = conn.execute(
                    update(jobs)
                    .where(jobs.c.id == job_id, jobs.c.state == QUEUED)
                    .values(
                        state=RUNNING,
                        started_at=time.time(),
                        attempts=jobs.c.attempts + 1,
                        progress=None,
                    )
                ).rowcount
            if claimed:
                return self.get(job_id)

    def _transition(self, job_id: str, expected: tuple[str, ...], **values: Any) -> bool:
        """Apply `values` when the job is in one of the `expected` states."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(jobs).where(jobs.c.id == job_id, jobs.c.state.in_(expected)).values(**values)
            )
        return bool(result.rowcount)

    def set_progress(self, job_id: str, progress: dict[str, Any]) -> bool:
        """Record a running job's latest progress."""
        return self._transition(job_id, (RUNNING,), progress=json.dumps(progress))

    def finish_done(self, job_id: str, result: str, progress: dict[str, Any] | None) -> bool:
        """Store the result of a running job and mark it done."""
        values: dict[str, Any] = {"state": DONE, "plan": result, "finished_at": time.time()}
        if progress is not None:
            values["progress"] = json.dumps(progress)
        return self._transition(job_id, (RUNNING,), **values)

    def finish_failed(self, job_id: str, code: str, detail: str) -> bool:
        """Mark a running job failed with the reason."""
        return self._transition(
            job_id,
            (RUNNING,),
            state=FAILED,
            error_code=code,
            error_detail=detail,
            finished_at=time.time(),
        )

    def requeue(self, job_id: str, code: str, detail: str) -> bool:
        """Put a running job back in the queue (its run died), keeping why."""
        return self._transition(
            job_id, (RUNNING,), state=QUEUED, error_code=code, error_detail=detail, progress=None
        )

    def release(self, job_id: str) -> bool:
        """Give a running job back to the queue without using up its attempt (shutdown)."""
        return self._transition(
            job_id, (RUNNING,), state=QUEUED, attempts=jobs.c.attempts - 1, progress=None
        )

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued or running job."""
        return self._transition(
            job_id,
            ACTIVE,
            state=CANCELLED,
            error_code="cancelled",
            error_detail="cancelled by the client",
            finished_at=time.time(),
        )

    def recover(self, max_attempts: int) -> tuple[int, int]:
        """After a restart: re-queue interrupted runs that have attempts left, fail the rest.

        Returns (re-queued, failed)."""
        now = time.time()
        reason = "the server stopped while the job was running"
        with self.engine.begin() as conn:
            requeued = conn.execute(
                update(jobs)
                .where(jobs.c.state == RUNNING, jobs.c.attempts < max_attempts)
                .values(state=QUEUED, error_code="interrupted", error_detail=reason, progress=None)
            ).rowcount
            failed = conn.execute(
                update(jobs)
                .where(jobs.c.state == RUNNING)
                .values(
                    state=FAILED,
                    error_code="interrupted",
                    error_detail=f"{reason}; no attempts left ({max_attempts})",
                    finished_at=now,
                )
            ).rowcount
        return requeued, failed

    def expire(self, older_than_s: float) -> int:
        """Delete finished jobs that finished more than `older_than_s` ago."""
        cutoff = time.time() - older_than_s
        with self.engine.begin() as conn:
            return conn.execute(
                delete(jobs).where(jobs.c.state.in_(FINISHED), jobs.c.finished_at < cutoff)
            ).rowcount

    def counts(self) -> dict[str, int]:
        """Number of jobs in each state (every state present, zero included)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state)).all()
        found = {state: int(n) for state, n in rows}
        return {state: found.get(state, 0) for state in STATES}

    def active_for(self, client: str) -> int:
        """Queued plus running jobs of one client."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(jobs)
                    .where(jobs.c.client == client, jobs.c.state.in_(ACTIVE))
                ).scalar_one()
            )
