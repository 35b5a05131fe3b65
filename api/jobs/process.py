"""Start a worker process, follow its messages, and stop it with its whole process tree.

Used by the synchronous /v1/solve and /v1/replan and by the job runner alike; the task
(solve, replan, scenario) is the process's `kind`. Processes come from a forkserver
(Linux; the solver modules are preloaded so a job starts in milliseconds) or from spawn
elsewhere; never from a plain fork of the multi-threaded server.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from api.jobs.worker import run_in_child

_CONTEXT: BaseContext | None = None


def context() -> BaseContext:
    """The process context (created once): forkserver with preloads, else spawn."""
    global _CONTEXT
    if _CONTEXT is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            # api.jobs.warm parses the networks of DISPATCH_API_PRELOAD_ROADS there once
            ctx.set_forkserver_preload(["api.jobs.worker", "api.jobs.warm"])
            _CONTEXT = ctx
        else:  # pragma: no cover - Windows, macOS without forkserver
            _CONTEXT = multiprocessing.get_context("spawn")
    return _CONTEXT


def start_forkserver() -> None:
    """Start the forkserver now (at the server's start-up) rather than on the first
    request, which would otherwise wait while it imports the solver and parses the
    preloaded road networks."""
    if context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a worker process ended: done (with its result JSON), failed, crashed, cancelled,
    timeout."""

    kind: str
    result: str | None = None
    progress: dict[str, Any] | None = None
    code: str | None = None
    detail: str | None = None
    issues: tuple[dict[str, str], ...] = ()


class WorkerProcess:
    """One worker process: start it, wait for its answer, or kill its process group."""

    def __init__(
        self,
        kind: str,
        payload: str,
        time_limit_s: float,
        max_workers: int,
        received_unix: float | None = None,
    ) -> None:
        """Start the task; `received_unix` (a `time.time()`) is when its clock started, if
        before the process does (a synchronous request's arrival)."""
        ctx = context()
        self._recv, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=run_in_child,
            args=(kind, payload, time_limit_s, max_workers, send, received_unix),
            daemon=False,
            name=f"dispatch-opt-{kind}",
        )
        self.process.start()
        send.close()

    @property
    def pid(self) -> int | None:
        """The process id."""
        return self.process.pid

    def kill(self) -> None:
        """Stop the process and every process it started (its own process group)."""
        pid = self.process.pid
        if pid is None:
            return
        try:
            if hasattr(os, "killpg"):
                os.killpg(pid, signal.SIGKILL)
            else:  # pragma: no cover - no process groups
                self.process.kill()
        except (ProcessLookupError, PermissionError):
            # the group is gone (or was never made): fall back to the process itself
            if self.process.is_alive():
                self.process.kill()
        self.process.join(timeout=5)

    def close(self) -> None:
        """Reap the process and close the pipe."""
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.kill()
        self._recv.close()
        with contextlib.suppress(ValueError):  # still running after a kill timeout
            self.process.close()

    def _next_message(self, poll_s: float) -> tuple[Any, bool]:
        """The next message within `poll_s`, or None; and whether the process has ended
        without one. A process that answers and exits between the poll and the liveness
        check left its answer in the pipe: read it before calling the process dead (a job
        was once failed as `worker_died`, exit code 0, with its plan unread)."""
        try:
            if self._recv.poll(poll_s):
                return self._recv.recv(), False
            if self.process.is_alive():
                return None, False
            if self._recv.poll(0):
                return self._recv.recv(), False
        except (EOFError, OSError):  # the pipe closed with nothing in it
            pass
        return None, True

    def wait(
        self,
        deadline_s: float,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        poll_s: float = 0.1,
    ) -> Outcome:
        """Follow the process until it answers, dies, is cancelled or overruns."""
        end = time.monotonic() + deadline_s
        last: dict[str, Any] | None = None
        while True:
            if cancelled is not None and cancelled():
                self.kill()
                return Outcome("cancelled", progress=last)
            if time.monotonic() > end:
                self.kill()
                return Outcome(
                    "timeout",
                    progress=last,
                    code="solve_timeout",
                    detail=f"the solve overran its hard limit of {deadline_s:.0f} s",
                )
            message, ended = self._next_message(poll_s)
            if message is None:
                if ended:
                    self.process.join(timeout=2)
                    code = self.process.exitcode
                    self.kill()  # any process it forked is still in its group
                    return Outcome(
                        "crashed",
                        progress=last,
                        code="worker_died",
                        detail=f"the solver process died (exit code {code})",
                    )
                continue
            kind = message[0]
            if kind == "progress":
                last = message[1]
                if on_progress is not None:
                    on_progress(last)
            elif kind == "done":
                return Outcome("done", result=message[1], progress=message[2])
            else:
                return Outcome(
                    "failed",
                    progress=last,
                    code=message[1],
                    detail=message[2],
                    issues=tuple(message[3]),
                )
