"""The body of a solver process: parse, solve, validate, send the plan back on a pipe.

Runs in a child process (forkserver or spawn), never in the server. It starts its own
process group so that a cancel or a timeout can stop it together with the portfolio
process the solver may fork. Messages sent: ("progress", dict), then one of
("done", plan_json, progress_dict) or ("failed", code, detail).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from dispatch_opt.errors import DispatchError, InputError
from dispatch_opt.io import parse_problem, plan_to_dict
from dispatch_opt.planner import solve_problem
from dispatch_opt.solver.solve import Progress
from dispatch_opt.validate import format_report, validate_plan


def _progress_dict(p: Progress) -> dict[str, Any]:
    """The progress fields clients see, from the solver's Progress snapshot (which does not
    count placed tickets: that is known once done)."""
    return {
        "elapsed_s": round(float(p.elapsed_s), 3),
        "best_objective": int(p.objective),
        "solutions": int(p.solutions),
        "tickets_placed": None,
    }


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


def solve_in_child(
    problem_json: str, time_limit_s: float, max_workers: int, conn: Connection
) -> None:
    """Process target: solve one problem and report on `conn`; never raises."""
    if hasattr(os, "setsid"):
        with contextlib.suppress(OSError):  # already a group leader
            os.setsid()
    _exit_with_parent()
    started = time.perf_counter()
    last: dict[str, Any] | None = None

    def on_progress(p: Progress) -> None:
        nonlocal last
        last = _progress_dict(p)
        conn.send(("progress", last))

    try:
        problem = parse_problem(problem_json)
        workers = min(problem.solve.workers or max_workers, max_workers)
        problem = dataclasses.replace(
            problem, solve=dataclasses.replace(problem.solve, workers=workers)
        )
        plan = solve_problem(
            problem, time_limit_s=time_limit_s, progress=on_progress, started=started
        )
        report = validate_plan(problem, plan)
        if not report.ok:
            conn.send(("failed", "invalid_plan", format_report(report)))
            return
        final = {
            "elapsed_s": round(time.perf_counter() - started, 3),
            "best_objective": int(plan.solver.objective),
            "solutions": (last or {}).get("solutions", 0),
            "tickets_placed": plan.kpis.assigned,
        }
        conn.send(("done", json.dumps(plan_to_dict(plan)), final))
    except InputError as exc:
        conn.send(("failed", "invalid_input", str(exc)))
    except DispatchError as exc:
        conn.send(("failed", "solver_error", str(exc)))
    except Exception as exc:  # reported as a failed job, never a traceback to the client
        conn.send(("failed", "solver_error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
