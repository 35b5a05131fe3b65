"""The numeric routing instance compiled from a problem, eligibility and route timing."""

from dispatch_opt.routing.compile import Compiled, compile_problem
from dispatch_opt.routing.instance import COST_PER_UNIT, RoutingInstance, VehicleBreak
from dispatch_opt.routing.timeline import RouteSchedule, route_violations, schedule_route

__all__ = [
    "COST_PER_UNIT",
    "Compiled",
    "RouteSchedule",
    "RoutingInstance",
    "VehicleBreak",
    "compile_problem",
    "route_violations",
    "schedule_route",
]
