"""Following a worker process: an answer sent just before the process exits is read."""

from __future__ import annotations

from api.jobs.process import WorkerProcess


class _Pipe:
    """A pipe whose message arrives after the first poll has given up."""

    def __init__(self, messages: list[tuple]) -> None:
        self.messages = messages
        self.polls = 0

    def poll(self, timeout: float = 0.0) -> bool:
        self.polls += 1
        return self.polls > 1 and bool(self.messages)

    def recv(self) -> tuple:
        if not self.messages:
            raise EOFError
        return self.messages.pop(0)


class _Ended:
    """A process that has already exited, cleanly."""

    pid = None
    exitcode = 0

    def is_alive(self) -> bool:
        return False

    def join(self, timeout: float | None = None) -> None:
        return None

    def kill(self) -> None:
        return None


def _worker(messages: list[tuple]) -> WorkerProcess:
    worker = WorkerProcess.__new__(WorkerProcess)
    worker._recv = _Pipe(messages)  # type: ignore[assignment]
    worker.process = _Ended()  # type: ignore[assignment]
    return worker


def test_an_answer_sent_just_before_the_process_exits_is_not_a_crash():
    """The process answered and exited between the poll and the liveness check (seen
    under load: a job failed as worker_died, exit code 0, its plan unread)."""
    outcome = _worker([("done", '{"plan": 1}', None)]).wait(5.0, poll_s=0.0)
    assert outcome.kind == "done" and outcome.result == '{"plan": 1}'


def test_a_process_that_ended_without_an_answer_is_a_crash():
    outcome = _worker([]).wait(5.0, poll_s=0.0)
    assert outcome.kind == "crashed" and outcome.code == "worker_died"
    assert "exit code 0" in (outcome.detail or "")


def test_a_sync_request_s_clock_starts_when_it_was_received():
    """A request that waited 5 s for a slot before its process started: the plan's
    answer time counts the wait (the contract bounds the whole answer), so the search
    got only its minimum, and the plan is still whole and valid."""
    import json
    import time

    from dispatch_opt.io import parse_problem, plan_from_dict
    from dispatch_opt.validate import validate_plan
    from tests.api.conftest import tiny_problem

    doc = tiny_problem(limit_s=1.0)
    process = WorkerProcess("solve", json.dumps(doc), 1.0, 1, received_unix=time.time() - 5.0)
    try:
        outcome = process.wait(90.0)
    finally:
        process.close()
    assert outcome.kind == "done" and outcome.result is not None
    plan = plan_from_dict(json.loads(outcome.result))
    assert plan.solver.time_s >= 5.0
    assert validate_plan(parse_problem(doc), plan).ok
