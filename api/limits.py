"""The time limit a request gets: the problem's own (or the library default), capped."""

from __future__ import annotations

from dispatch_opt.domain import Problem
from dispatch_opt.planner import default_time_limit_s


def capped_time_limit(problem: Problem, cap_s: float) -> float:
    """Seconds for the solve: the problem's `solve.time_limit_s` or the size default, at
    most `cap_s`."""
    own = problem.solve.time_limit_s or default_time_limit_s(problem)
    return float(min(own, cap_s))
