"""VROOM as a field-service peer: the library's VROOM mapping, run on its own.

The mapping lives in `dispatch_opt.solver.members.vroom_member` (the portfolio uses it as
a member); here VROOM runs alone, as a dispatcher would run it, for comparison.
"""

from __future__ import annotations

from dispatch_opt.solver.members.common import MemberResult as PeerResult
from dispatch_opt.solver.members.vroom_member import skill_sets, solve_vroom

__all__ = ["PeerResult", "skill_sets", "solve_vroom"]
