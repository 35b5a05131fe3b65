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
