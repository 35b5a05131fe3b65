"""During the day: re-plan from the current state, react to events, promise slots."""

from dispatch_opt.replan.engine import default_replan_time_limit_s, prepare, replan
from dispatch_opt.replan.residual import Residual, residual_problem

__all__ = ["Residual", "default_replan_time_limit_s", "prepare", "replan", "residual_problem"]
