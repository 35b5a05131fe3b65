"""The search engine: OR-Tools model and search over a numeric RoutingInstance."""

from dispatch_opt.solver.solve import Progress, SolveParams, SolveResult, solve_instance

__all__ = ["Progress", "SolveParams", "SolveResult", "solve_instance"]
