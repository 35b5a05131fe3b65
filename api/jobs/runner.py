"""The job runner: a fixed number of slot threads, each running one job at a time in a
worker process (of the job's kind), plus a sweeper that expires old jobs.

Threads only wait (on the queue signal and on pipes); the solving happens in child
processes, so the event loop is never blocked. All database writes happen here, in the
server process; children only talk over pipes.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from api.jobs.process import WorkerProcess
from api.jobs.store import Job, JobStore

log = logging.getLogger("dispatch_opt.api.jobs")

PROGRESS_EVERY_S = 0.5
"""Least time between two progress writes of one job."""


@dataclass(slots=True)
class _Running:
    """A job being run in this server: its process and whether it was cancelled."""

    job_id: str
    process: WorkerProcess | None = None
    cancel: threading.Event = field(default_factory=threading.Event)


class JobRunner:
    """Runs queued jobs in worker processes, `slots` at a time."""

    def __init__(
        self,
        store: JobStore,
        *,
        slots: int,
        solve_workers: int,
        max_attempts: int,
        ttl_s: float,
        expiry_interval_s: float,
        observe_solve: Any = None,
    ) -> None:
        self.store = store
        self.slots = slots
        self.solve_workers = solve_workers
        self.max_attempts = max_attempts
        self.ttl_s = ttl_s
        self.expiry_interval_s = expiry_interval_s
        self.observe_solve = observe_solve
        self._wake = threading.Condition()
        self._pending_wakes = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Recover jobs interrupted by a previous stop, then start the threads."""
        requeued, failed = self.store.recover(self.max_attempts)
        if requeued or failed:
            log.warning("recovered jobs: %d re-queued, %d failed", requeued, failed)
        self._stop.clear()
        for k in range(self.slots):
            t = threading.Thread(target=self._slot, name=f"job-slot-{k}", daemon=True)
            t.start()
            self._threads.append(t)
        sweeper = threading.Thread(target=self._sweep, name="job-expiry", daemon=True)
        sweeper.start()
        self._threads.append(sweeper)
        self.notify(self.slots)

    def stop(self) -> None:
        """Stop the threads; running solves are killed and go back to the queue (their
        attempt not counted), so the next start runs them again."""
        self._stop.set()
        with self._lock:
            running = list(self._running.values())
        for r in running:
            if r.process is not None:
                r.process.kill()
        self.notify(self.slots)
        for t in self._threads:
            t.join(timeout=10)
        self._threads.clear()

    def alive(self) -> bool:
        """True when every thread is up."""
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    # ------------------------------------------------------------------ commands

    def notify(self, n: int = 1) -> None:
        """Wake up to `n` idle slots (a job was queued)."""
        with self._wake:
            self._pending_wakes += n
            self._wake.notify(n)

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued or running job; a running one has its process tree killed."""
        ok = self.store.cancel(job_id)
        with self._lock:
            running = self._running.get(job_id)
        if running is not None:
            running.cancel.set()
        return ok

    def running_pids(self) -> dict[str, int]:
        """job id -> worker process id (its process group), for the jobs running now."""
        with self._lock:
            return {
                r.job_id: r.process.pid
                for r in self._running.values()
                if r.process is not None and r.process.pid is not None
            }

    def busy(self) -> int:
        """Jobs running in this server now."""
        with self._lock:
            return len(self._running)

    # ------------------------------------------------------------------ threads

    def _slot(self) -> None:
        """Slot thread: claim a queued job, run it, repeat; sleep until notified."""
        while not self._stop.is_set():
            try:
                job = self.store.claim_next()
            except Exception:  # database hiccup: retry later, never die
                log.exception("claiming a job failed")
                job = None
            if job is None:
                with self._wake:
                    if self._pending_wakes == 0:
                        self._wake.wait(timeout=1.0)
                    self._pending_wakes = max(0, self._pending_wakes - 1)
                continue
            try:
                self._run(job)
            except Exception:
                log.exception("job %s: runner error", job.id)
                self.store.finish_failed(job.id, "internal_error", "the job runner failed")

    def _run(self, job: Job) -> None:
        """Run one claimed job in a child process and store how it ended."""
        payload = self.store.payload(job.id)
        if payload is None:  # expired or deleted meanwhile
            return
        entry = _Running(job.id)
        with self._lock:
            self._running[job.id] = entry
        current = self.store.get(job.id)
        if current is None or current.state != "running":  # cancelled while being claimed
            with self._lock:
                self._running.pop(job.id, None)
            return
        last_write = [0.0]

        def on_progress(progress: dict[str, Any]) -> None:
            now = time.monotonic()
            if now - last_write[0] >= PROGRESS_EVERY_S:
                last_write[0] = now
                self.store.set_progress(job.id, progress)

        started = time.perf_counter()
        try:
            entry.process = WorkerProcess(job.kind, payload, job.time_limit_s, self.solve_workers)
            outcome = entry.process.wait(
                job.kill_after_s,
                on_progress=on_progress,
                cancelled=lambda: entry.cancel.is_set() or self._stop.is_set(),
            )
        finally:
            with self._lock:
                self._running.pop(job.id, None)
            if entry.process is not None:
                entry.process.close()
        if self._stop.is_set() and outcome.kind in ("cancelled", "crashed"):
            self.store.release(job.id)  # server stopping: runs again after the restart
            return
        if outcome.kind == "done":
            assert outcome.result is not None
            self.store.finish_done(job.id, outcome.result, outcome.progress)
            if self.observe_solve is not None:
                label = "job" if job.kind == "solve" else job.kind
                self.observe_solve(label, time.perf_counter() - started)
        elif outcome.kind == "cancelled":
            self.store.cancel(job.id)
        elif outcome.kind == "crashed" and job.attempts < self.max_attempts:
            log.warning("job %s: %s; re-queued", job.id, outcome.detail)
            self.store.requeue(job.id, outcome.code or "worker_died", outcome.detail or "")
            self.notify()
        else:
            detail = outcome.detail or "unknown"
            if outcome.kind == "crashed":
                detail += f"; no attempts left ({self.max_attempts})"
            self.store.finish_failed(job.id, outcome.code or "solver_error", detail)

    def _sweep(self) -> None:
        """Sweeper thread: delete finished jobs older than the TTL."""
        while True:
            try:
                n = self.store.expire(self.ttl_s)
                if n:
                    log.info("expired %d jobs", n)
            except Exception:
                log.exception("expiring jobs failed")
            if self._stop.wait(self.expiry_interval_s):
                return
