"""Other engines as portfolio members: PyVRP and VROOM, optional dependencies.

A member solves the numeric instance (or the part of its rules it can express) for a
share of the budget; its routes are then re-timed exactly, repaired where a rule it could
not see is broken, completed with the tickets that still fit, and improved by our own
search under the full objective. The answer is never worse than the member's routes
repaired, nor than our own search's (the portfolio keeps the better).

Which member: PyVRP when it can express every hard rule of the instance (VRPTW-like
days and benchmarks, where its search is the strongest), else VROOM (skills, breaks,
several windows, van stock), else none. Members run only on the clock: the
deterministic option must not depend on which extras are installed.
"""

from __future__ import annotations

from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.solver.members import pyvrp_member, vroom_member
from dispatch_opt.solver.members.common import MemberResult, installed

MEMBER_FROM = 30
"""Smaller batches are left to OR-Tools alone, which solves them well within a second."""

SHARE = {"pyvrp": 0.85, "vroom": 0.5}
"""Share of the budget a member gets; the rest is for our search from its routes."""

CHOICES = ("auto", "none", "pyvrp", "vroom")


def vroom_exploration(n_tickets: int) -> int:
    """VROOM's exploration level for a batch: its deepest search (5) on small batches,
    less on large ones, where a deep search is still running when its share of the
    budget ends. Measured on the 3,000-ticket benchmark day, one thread, weighted served
    after repair: level 5 for 60 s gave 7,273, level 2 7,435, level 0 7,448 (finished by
    itself in 57 s); VROOM as the benchmark's peer (level 5, two threads, 120 s) 7,446.
    At 1,000 tickets levels 5, 3 and 2 all gave 2,363 in 28 s; level 2 stopped by
    itself after 18 s."""
    if n_tickets <= 500:
        return 5
    if n_tickets <= 1500:
        return 2
    return 0


def choose_member(inst: RoutingInstance, choice: str = "auto") -> str | None:
    """The member to run on `inst` ("pyvrp", "vroom") or None; `choice` forces one
    (still only when it is installed and, for PyVRP, can express the instance)."""
    if choice == "none" or inst.n_tickets < MEMBER_FROM:
        return None
    pyvrp_ok = installed("pyvrp") and pyvrp_member.unsupported(inst) is None
    if choice in ("auto", "pyvrp") and pyvrp_ok:
        return "pyvrp"
    if choice in ("auto", "vroom") and installed("vroom"):
        return "vroom"
    return None


def run_member(
    name: str, inst: RoutingInstance, time_limit_s: float, *, seed: int = 0
) -> MemberResult:
    """Run one member on `inst` for about `time_limit_s` seconds, single-threaded (the
    portfolio's other process holds the other core)."""
    if name == "pyvrp":
        return pyvrp_member.solve_pyvrp(inst, time_limit_s, seed=seed)
    if name == "vroom":
        level = vroom_exploration(inst.n_tickets)
        return vroom_member.solve_vroom(inst, time_limit_s, threads=1, exploration_level=level)
    raise ValueError(f"unknown member '{name}' (one of {', '.join(CHOICES[2:])})")
