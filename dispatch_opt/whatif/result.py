"""The library entry point of what-if runs: `run_whatif(spec) -> WhatIfResult`.

The CLI and an HTTP job call the same function; the result holds every problem, plan,
validation and comparison, ready for `render` (markdown, JSON) or for a side-by-side report
via `named_plans()` (the `(name, problem, plan)` triples of the HTML comparison).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from dispatch_opt.domain.plan import Plan
from dispatch_opt.domain.problem import Problem
from dispatch_opt.whatif.compare import Comparison, compare
from dispatch_opt.whatif.runner import Outcome, ProgressFn, solve_all
from dispatch_opt.whatif.spec import ScenarioSpec


@dataclass(frozen=True, slots=True)
class WhatIfResult:
    """A solved scenario: the base and variant outcomes and each variant's comparison."""

    spec: ScenarioSpec
    base: Outcome
    variants: tuple[Outcome, ...]
    comparisons: dict[str, Comparison]
    wall_s: float
    deterministic: bool
    from_base: bool
    parallel: int
    workers_per_solve: int

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        """Base first, then the variants in file order."""
        return (self.base, *self.variants)

    @property
    def ok(self) -> bool:
        """True when every plan exists and breaks no rule."""
        return all(o.state == "valid" for o in self.outcomes)

    def named_plans(self) -> list[tuple[str, Problem, Plan]]:
        """(name, problem, plan) of every solve that produced a plan, base first."""
        return [(o.name, o.problem, o.plan) for o in self.outcomes if o.plan is not None]


def run_whatif(
    spec: ScenarioSpec,
    *,
    workers: int | None = None,
    deterministic: bool = False,
    time_limit_s: float | None = None,
    from_base: bool = False,
    progress: ProgressFn | None = None,
) -> WhatIfResult:
    """Solve the base and every variant in parallel processes, validate and compare them.

    `workers` is the number of cores in all (None: every core); `time_limit_s` replaces the
    scenario's and the problems' limits, except where a variant sets its own. With
    `from_base` variants start from the base plan (see `runner.solve_all`)."""
    started = time.perf_counter()
    solved = solve_all(
        spec,
        workers=workers,
        deterministic=deterministic,
        time_limit_s=time_limit_s,
        from_base=from_base,
        progress=progress,
    )
    base = solved.base
    comparisons = {}
    if base.plan is not None:
        for v in solved.variants:
            if v.plan is not None:
                comparisons[v.name] = compare(base.problem, base.plan, v.problem, v.plan, v.name)
    return WhatIfResult(
        spec,
        base,
        solved.variants,
        comparisons,
        time.perf_counter() - started,
        deterministic,
        from_base,
        solved.parallel,
        solved.workers_per_solve,
    )
