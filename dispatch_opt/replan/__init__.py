"""During the day: re-plan from the current state, react to events, promise slots."""

from typing import TYPE_CHECKING, Any

from dispatch_opt.replan.residual import Residual, residual_problem

if TYPE_CHECKING:
    from dispatch_opt.replan.engine import default_replan_time_limit_s, prepare, replan

__all__ = ["Residual", "default_replan_time_limit_s", "prepare", "replan", "residual_problem"]

_ENGINE = ("default_replan_time_limit_s", "prepare", "replan")


def __getattr__(name: str) -> Any:
    """The engine's names on first use: the residual problem, the events and the re-plan
    validator (`replan.checks`) then import without the solver."""
    if name in _ENGINE:
        from dispatch_opt.replan import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'dispatch_opt.replan' has no attribute '{name}'")
