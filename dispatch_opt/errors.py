"""The few error types of dispatch-opt; edges map them to exit codes and HTTP statuses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Issue:
    """One broken input rule: where (a field path such as `tickets[3].time_windows[0].end`)
    and which rule."""

    path: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}" if self.path else self.rule

    def under(self, prefix: str) -> Issue:
        """The same issue inside a larger document whose field `prefix` holds this one:
        `ticket` + `skills.ac` -> `ticket.skills.ac`, `items` + `[2].id` -> `items[2].id`."""
        if not self.path:
            return Issue(prefix, self.rule)
        joiner = "" if self.path.startswith("[") else "."
        return Issue(f"{prefix}{joiner}{self.path}", self.rule)


class DispatchError(Exception):
    """Base class of every error dispatch-opt raises on purpose."""


class InputError(DispatchError):
    """The problem (or plan) document breaks the contract; carries every issue found."""

    def __init__(self, issues: list[Issue] | Issue) -> None:
        self.issues: list[Issue] = [issues] if isinstance(issues, Issue) else list(issues)
        super().__init__("; ".join(str(i) for i in self.issues))


class SolverError(DispatchError):
    """The engine failed in a way that is not the input's fault."""
