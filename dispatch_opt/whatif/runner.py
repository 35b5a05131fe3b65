"""Solve the base and every variant of a scenario, in parallel processes, and validate each.

Each solve runs in its own `spawn` process (a clean interpreter: no forked OR-Tools state)
with `solve.workers` set so that the solves together use the cores given and no more.
Under the deterministic option every solve gets one worker, since the solver's answer
depends on its worker count: the comparison is then the same on any machine. A solve that
fails or a plan that breaks a rule is reported for that variant; the others go on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from multiprocessing import get_context

from dispatch_opt.domain.plan import Plan
from dispatch_opt.domain.problem import Problem
from dispatch_opt.validate import ValidationReport
from dispatch_opt.whatif.spec import BASE_NAME, ScenarioSpec, Variant


@dataclass(frozen=True, slots=True)
class Outcome:
    """One solved problem of a scenario: the plan and its validation, or why there is none."""

    name: str
    problem: Problem
    plan: Plan | None = None
    report: ValidationReport | None = None
    error: str | None = None
    time_s: float = 0.0
    description: str = ""

    @property
    def state(self) -> str:
        """`valid`, `invalid` (the plan breaks a rule) or `failed` (no plan)."""
        if self.plan is None or self.report is None:
            return "failed"
        return "valid" if self.report.ok else "invalid"


@dataclass(frozen=True, slots=True)
class _Job:
    """What a worker process needs: the problem and how to solve it (picklable)."""

    name: str
    problem: Problem
    time_limit_s: float | None
    deterministic: bool | None
    warm_start: Plan | None = None


@dataclass(frozen=True, slots=True)
class _Answer:
    """What a worker process sends back."""

    name: str
    plan: Plan | None
    report: ValidationReport | None
    error: str | None
    time_s: float


def _solve_job(job: _Job) -> _Answer:
    """Worker body: solve and validate one problem; any failure becomes a message."""
    from dispatch_opt.planner import solve_problem
    from dispatch_opt.validate import validate_plan

    started = time.perf_counter()
    try:
        plan = solve_problem(
            job.problem,
            time_limit_s=job.time_limit_s,
            deterministic=job.deterministic,
            warm_start=job.warm_start,
        )
        report = validate_plan(job.problem, plan)
    except Exception as exc:  # reported for this variant, the others go on
        return _Answer(job.name, None, None, f"{type(exc).__name__}: {exc}", _since(started))
    return _Answer(job.name, plan, report, None, _since(started))


def _since(started: float) -> float:
    """Seconds elapsed since `started`."""
    return time.perf_counter() - started


ProgressFn = Callable[[Outcome, int, int], None]
"""Called in the calling process as each solve ends: (outcome, done so far, total)."""


def solve_limit(
    spec: ScenarioSpec, variant: Variant | None, override: float | None
) -> float | None:
    """Time limit of a solve: the variant's own, else the caller's, else the scenario's
    (None: the problem's own, or its size-based default)."""
    own = variant.own_time_limit_s if variant is not None else None
    return own or override or spec.time_limit_s


def _job(
    name: str,
    problem: Problem,
    per_solve: int,
    limit: float | None,
    deterministic: bool,
    warm_start: Plan | None,
) -> _Job:
    """A job with the problem's worker count set to its share of the cores."""
    return _Job(
        name,
        replace(problem, solve=replace(problem.solve, workers=per_solve)),
        limit,
        True if deterministic else None,
        warm_start,
    )


def _answer_of(future: Future[_Answer], name: str) -> _Answer:
    """A finished future's answer; a worker process that died is a failed solve."""
    try:
        return future.result()
    except Exception as exc:  # e.g. BrokenProcessPool: the process was killed
        return _Answer(name, None, None, f"worker process failed: {type(exc).__name__}", 0.0)


def _run(jobs: list[_Job], at_once: int, record: Callable[[_Answer], None]) -> None:
    """Run jobs, `at_once` of them in parallel spawn processes (one: in this process)."""
    if at_once <= 1:
        for job in jobs:
            record(_solve_job(job))
        return
    with ProcessPoolExecutor(max_workers=at_once, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_solve_job, job): job.name for job in jobs}
        for future in as_completed(futures):
            record(_answer_of(future, futures[future]))


def plan_parallelism(n_solves: int, workers: int | None, deterministic: bool) -> tuple[int, int]:
    """(solves at once, workers per solve) for `workers` cores in all (None: every core).
    Deterministic solves get one worker each: the solver's answer depends on the count."""
    cores = max(1, workers or os.cpu_count() or 1)
    at_once = max(1, min(cores, n_solves))
    per_solve = 1 if deterministic else max(1, cores // at_once)
    return at_once, per_solve


class _Recorder:
    """Collects answers as outcomes and reports progress."""

    def __init__(self, spec: ScenarioSpec, progress: ProgressFn | None) -> None:
        self.meta = {BASE_NAME: (spec.base, "")}
        self.meta |= {v.name: (v.problem, v.description) for v in spec.variants}
        self.progress = progress
        self.outcomes: dict[str, Outcome] = {}

    def __call__(self, answer: _Answer) -> None:
        """Keep one answer."""
        problem, description = self.meta[answer.name]
        outcome = Outcome(
            answer.name,
            problem,
            answer.plan,
            answer.report,
            answer.error,
            answer.time_s,
            description,
        )
        self.outcomes[answer.name] = outcome
        if self.progress is not None:
            self.progress(outcome, len(self.outcomes), len(self.meta))


@dataclass(frozen=True, slots=True)
class Solved:
    """The outcomes of a scenario and how the variants' solves shared the cores."""

    base: Outcome
    variants: tuple[Outcome, ...]
    parallel: int
    workers_per_solve: int


def solve_all(
    spec: ScenarioSpec,
    *,
    workers: int | None = None,
    deterministic: bool = False,
    time_limit_s: float | None = None,
    from_base: bool = False,
    progress: ProgressFn | None = None,
) -> Solved:
    """Solve and validate the base and every variant.

    By default all solves run at once, each from scratch. With `from_base` the base is
    solved first (on every core) and each variant's search starts from the base plan (what
    still fits of it, depot pickups included), meant to move only what the changes
    force. It is not the default: measured when the warm start still dropped the depot
    pickups, the variants came out worse, and it has not been measured since (see
    README)."""
    record = _Recorder(spec, progress)
    named: list[tuple[str, Problem, Variant | None]] = [
        (v.name, v.problem, v) for v in spec.variants
    ]
    warm_plan: Plan | None = None
    if from_base:
        _, per_base = plan_parallelism(1, workers, deterministic)
        base_limit = solve_limit(spec, None, time_limit_s)
        _run([_job(BASE_NAME, spec.base, per_base, base_limit, deterministic, None)], 1, record)
        warm = record.outcomes[BASE_NAME]
        warm_plan = warm.plan if warm.state == "valid" else None
    else:
        named.insert(0, (BASE_NAME, spec.base, None))
    at_once, per_solve = plan_parallelism(len(named), workers, deterministic)
    jobs = [
        _job(n, p, per_solve, solve_limit(spec, v, time_limit_s), deterministic, warm_plan)
        for n, p, v in named
    ]
    _run(jobs, at_once, record)
    variants = tuple(record.outcomes[v.name] for v in spec.variants)
    return Solved(record.outcomes[BASE_NAME], variants, at_once, per_solve)
