"""The time limit a request gets (the problem's own, or the library default, capped) and
when its process is killed if it overruns."""

from __future__ import annotations

from dispatch_opt.domain import Problem
from dispatch_opt.planner import default_time_limit_s
from dispatch_opt.replan import default_replan_time_limit_s


def capped_time_limit(problem: Problem, cap_s: float) -> float:
    """Seconds for the solve: the problem's `solve.time_limit_s` or the library's default
    for its size (a re-plan's when it carries a state), at most `cap_s`."""
    default = default_replan_time_limit_s if problem.state is not None else default_time_limit_s
    own = problem.solve.time_limit_s or default(problem)
    return float(min(own, cap_s))


def hard_deadline_s(time_limit_s: float, deterministic: bool) -> float:
    """Seconds after which a solve is killed: the limit plus slack (deterministic solves
    stop on effort, with the solver's own clock safety net at max(10 x limit, 120 s))."""
    if deterministic:
        return max(10 * time_limit_s, 120.0) + 15.0
    return 1.5 * time_limit_s + 10.0
