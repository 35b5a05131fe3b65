"""The body of a worker process: run one task, send its result back on a pipe.

Runs in a child process (forkserver or spawn), never in the server. It starts its own
process group so that a cancel or a timeout can stop it together with every process it
starts (the solver's portfolio process, a what-if run's pool). The task is picked by its
kind (`api.jobs.tasks`). Messages sent: ("progress", dict), then one of
("done", result_json, progress_dict) or ("failed", code, detail, issues), `issues` the
`{path, rule}` list of an input error (else empty).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from multiprocessing.connection import Connection

from api.jobs.tasks import TASKS, TaskFailed
from dispatch_opt.errors import DispatchError, InputError


def _exit_with_parent(poll_s: float = 0.5) -> None:
    """Watchdog thread: when the process that started us dies (the server crashed), stop
    this process group instead of solving for nobody."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent:
                if hasattr(os, "killpg"):
                    os.killpg(os.getpgid(0), signal.SIGKILL)
                os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def run_in_child(
    kind: str,
    payload: str,
    time_limit_s: float,
    max_workers: int,
    conn: Connection,
    received_unix: float | None = None,
) -> None:
    """Process target: run the task of `kind` on `payload` and report on `conn`; never
    raises. The task's clock starts at `received_unix` when given (the time the request
    already spent in the server counts against its limit), else now."""
    if hasattr(os, "setsid"):
        with contextlib.suppress(OSError):  # already a group leader
            os.setsid()
    _exit_with_parent()
    started = time.perf_counter()
    if received_unix is not None:
        started -= max(0.0, time.time() - received_unix)
    try:
        task = TASKS[kind]
        result, final = task(
            payload, time_limit_s, max_workers, lambda p: conn.send(("progress", p)), started
        )
        conn.send(("done", result, final))
    except TaskFailed as exc:
        conn.send(("failed", exc.code, exc.detail, []))
    except InputError as exc:
        issues = [{"path": i.path, "rule": i.rule} for i in exc.issues]
        conn.send(("failed", "invalid_input", str(exc), issues))
    except DispatchError as exc:
        conn.send(("failed", "solver_error", str(exc), []))
    except Exception as exc:  # reported as a failed job, never a traceback to the client
        conn.send(("failed", "solver_error", f"{type(exc).__name__}: {exc}", []))
    finally:
        conn.close()
