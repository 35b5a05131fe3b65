"""dispatch-opt: technician dispatch optimizer and route planner.

Tickets and technicians in, a plan out: who goes where, in which order, at what time,
and which tickets cannot be served and why.
"""

from dispatch_opt.domain import Plan, Problem
from dispatch_opt.errors import DispatchError, InputError, Issue
from dispatch_opt.planner import solve_problem

__all__ = ["DispatchError", "InputError", "Issue", "Plan", "Problem", "solve_problem"]
__version__ = "0.1.0"
