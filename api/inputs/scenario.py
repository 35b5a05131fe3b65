"""The /v1/scenarios body: a what-if scenario exactly as `dispatch-opt whatif` reads it,
with an inline base only (a path is refused: a request never makes the server read its
files), every solve's time limit capped by the server."""

from __future__ import annotations

import dataclasses
import math
import operator
from dataclasses import dataclass
from functools import reduce
from typing import Annotated, Any

from pydantic import Field

from api.limits import capped_time_limit, hard_deadline_s
from dispatch_opt.domain import Problem
from dispatch_opt.io.schema import Id, Positive, ProblemDoc
from dispatch_opt.whatif import ScenarioSpec, WhatIfResult, parse_scenario, result_to_dict
from dispatch_opt.whatif.changes import SetTimeLimit
from dispatch_opt.whatif.runner import plan_parallelism, solve_limit
from dispatch_opt.whatif.spec import CHANGE_DOCS, ScenarioDoc, VariantDoc

POOL_SLACK_S = 30.0
"""Seconds allowed on top of the solves for starting a pool of solver processes."""

ChangeDoc = Annotated[reduce(operator.or_, CHANGE_DOCS.values()), Field(discriminator="kind")]
"""Any change of a variant (documentation: `parse_scenario` reads them by `kind`)."""


class VariantRequest(VariantDoc):
    """A named variant: the changes made to the base, in order."""

    name: Id = Field(examples=["T07 sick"])
    changes: list[ChangeDoc] = Field(default_factory=list)


class ScenarioRequest(ScenarioDoc):  # the library's document, its base and changes typed
    """A what-if scenario (the `dispatch-opt whatif` file), its base problem inline.

    Documentation of the body: `dispatch_opt.whatif.parse_scenario` reads it."""

    base: ProblemDoc = Field(description="The base problem, inline (a path is refused).")
    time_limit_s: Positive | None = Field(
        default=None, description="Search time of every solve (capped by the server)."
    )
    variants: list[VariantRequest] = Field(min_length=1)


def _capped_problem(problem: Problem, cap_s: float) -> Problem:
    """The problem with its own time limit (or the size default) at most `cap_s`."""
    limit = capped_time_limit(problem, cap_s)
    return dataclasses.replace(
        problem, solve=dataclasses.replace(problem.solve, time_limit_s=limit)
    )


def capped(spec: ScenarioSpec, cap_s: float) -> ScenarioSpec:
    """The scenario with every solve's time limit at most `cap_s`: the scenario's, each
    variant's own (`set_time_limit`) and each problem's."""
    variants = tuple(
        dataclasses.replace(
            v,
            problem=_capped_problem(v.problem, cap_s),
            changes=tuple(
                SetTimeLimit(min(c.time_limit_s, cap_s)) if isinstance(c, SetTimeLimit) else c
                for c in v.changes
            ),
        )
        for v in spec.variants
    )
    own = None if spec.time_limit_s is None else min(spec.time_limit_s, cap_s)
    return dataclasses.replace(
        spec, base=_capped_problem(spec.base, cap_s), variants=variants, time_limit_s=own
    )


def read_scenario(data: bytes | str, cap_s: float) -> ScenarioSpec:
    """The scenario of a body, every time limit capped; an input error names each broken
    field (`base` for a base given as a path)."""
    return capped(parse_scenario(data), cap_s)


@dataclass(frozen=True, slots=True)
class ScenarioBudget:
    """What a scenario job is stored with: its size, longest solve and hard deadline."""

    n_tickets: int
    time_limit_s: float
    kill_after_s: float


def budget(spec: ScenarioSpec, workers: int) -> ScenarioBudget:
    """The longest solve of a capped scenario, and when to kill the whole run: each round
    of solves sharing `workers` cores may take a solve's hard deadline."""
    limits = [solve_limit(spec, None, None) or spec.base.solve.time_limit_s]
    limits += [solve_limit(spec, v, None) or v.problem.solve.time_limit_s for v in spec.variants]
    longest = float(max(limit or 0.0 for limit in limits))
    deterministic = spec.base.solve.deterministic
    at_once, _ = plan_parallelism(len(limits), workers, deterministic)
    rounds = math.ceil(len(limits) / at_once)
    kill_after = rounds * hard_deadline_s(longest, deterministic) + POOL_SLACK_S
    return ScenarioBudget(len(spec.base.tickets), longest, kill_after)


def scenario_result(result: WhatIfResult) -> dict[str, Any]:
    """The comparison as JSON, with the plans of the valid solves only (an invalid plan
    is never handed out: its violations are)."""
    doc = result_to_dict(result, include_plans=True)
    for item in (doc["base"], *doc["variants"]):
        if item["state"] != "valid":
            item.pop("plan", None)
    return doc
