"""dispatch-opt: technician dispatch optimizer and route planner.

Tickets and technicians in, a plan out: who goes where, in which order, at what time,
and which tickets cannot be served and why.
"""

from typing import TYPE_CHECKING, Any

from dispatch_opt.domain import Plan, Problem
from dispatch_opt.errors import DispatchError, InputError, Issue

if TYPE_CHECKING:
    from dispatch_opt.planner import solve_problem

__all__ = ["DispatchError", "InputError", "Issue", "Plan", "Problem", "solve_problem"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`solve_problem` on first use: importing the package (for validation, reports, the
    API's models) then does not load OR-Tools."""
    if name == "solve_problem":
        from dispatch_opt.planner import solve_problem

        return solve_problem
    raise AttributeError(f"module 'dispatch_opt' has no attribute '{name}'")
