"""Ruin and recreate, with a seeded random generator.

Each round removes a cluster of nearby tickets from the best routes (the ruin), puts
every left-out ticket back by our pruned cheapest insertion (the recreate), lets the
caller's `improve` descend from there (OR-Tools' local search on plain VRPTW, nothing on
field-service days), and keeps the result when it is cheaper; a few times in the search
the best routes are polished by our own local search on the full objective
(`solver.polish`). The
number of rounds is the effort: the same seed and effort give the same plan on any
machine, which is what the deterministic option needs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from dispatch_opt.routing.cost import RouteValues
from dispatch_opt.routing.instance import RoutingInstance
from dispatch_opt.routing.parts import drop_idle_pickups
from dispatch_opt.routing.timeline import changed_keep_side_rules, route_ok
from dispatch_opt.solver.construct import Focus, construct, ticket_order
from dispatch_opt.solver.polish import fill_everywhere, polish

UNBOUNDED_ROUNDS = 10**9
"""The rounds of a search that the clock alone stops."""

POLISH_SHARE = 0.25
"""At most this share of a search on the clock goes to polishing (each polish is cut off at
its part of it), so that on a tight time limit the rounds that place tickets keep their
time. Without the cap, 3,000 tickets given 3 s served 1,594 (2,029 with it, 2,034 without
polishing): the first polish took the time the rounds needed to place the tickets
construction never reached. (`solve.POLISH_FROM_S_PER_TICKET` now leaves such short
searches unpolished; the cap still bounds each polish on longer ones.)"""

CLOCK_EXCHANGE = "deferred"
"""When a polish on the clock tries exchanges (`polish.polish`'s `exchange`); in rounds
(the deterministic option) they run from the first pass. Measured A/B on generated field
days (objective ratio, exchanges on / off; the unchanged code's own run-to-run spread on
the clock: up to 3.9% at 200 tickets, 0.3% at 1,000):
- in rounds, from the first pass: lower on 9 of 12 solves, mean 0.963, and on 6 of 8
  with 2 workers, mean 0.966;
- on the clock from the first pass of every polish: 200 tickets at 30 s 1.025, 0.990,
  0.997; 1,000 at 60 s 1.014, 1.020;
- on the clock, "deferred" in every polish: 200 at 30 s 0.957, 0.989, 0.998; 1,000 at
  60 s 1.004, 1.010, 1.008, 0.993, 1.017 (fewer tickets served: the time goes from the
  rounds);
- on the clock in the final polish only: 200 at 30 s 1.000, 1.000, 1.000; 1,000 at 60 s
  1.009, 0.991, 1.000 (it seldom has time left).
With VROOM in the same run, "deferred" served 464 weighted at 200 tickets / 30 s in 3
runs of 3, 1,363 km (the final-polish-only variant: 460-462, 1,322-1,417 km).

Session 14 put three more moves under the same flag: tail exchanges, left-out tickets
inserted anywhere they fit, and left-out tickets in place of lighter ones. Objective of
all three on / all off, same code otherwise, on the clock (deferred): 200 tickets at 30 s
1.000, 0.966, 1.013 (seeds 0-2; each alone: tails 0.991, 1.021, 0.990, insertion and
replacement 0.996, 0.994, 1.013); 1,000 at 60 s 0.997, 0.975 (tails 0.986, 0.989;
insertion and replacement 0.978, 1.000). In rounds, tails alone, 17 solves of 80-1,000
tickets: 9 the same, 6 lower (0.862-0.990), 2 higher (1.016, 1.085)."""

LAST_POLISH_AT = 0.9
"""Share of the search after which the last spread-out polish runs (the final one, after
the last round, gets as long as the previous polish took: the rounds on the clock stop
early enough for it)."""

RETRY_NEAREST: int | None = 400
"""At most this many tickets left out before a ruin are re-tried by its recreate: the ones
nearest the ruined place. Measured, our search alone from the same construction, 60 s,
seeds 0 and 1, at 3,000 tickets (a round re-tried about 846 in the first 60 rounds; 498
tickets unserved in the 120 s plan): 7,308 and 7,310 weighted served against 7,271 and
7,247 re-trying all (906 rounds against 689); 200 gave 7,278 and 7,307, 100 gave 7,273,
60 gave 7,240. At 1,000 tickets re-trying fewer than all hurt (250: 2,364 and 2,372
against 2,376 and 2,393, 30 s); fewer than 400 are left out there (225 and 226 unserved
in the 60 s plans), so this limit leaves such days alone."""


SHUFFLED_SHARE = 0.5
"""Share of the rounds whose recreate inserts the tickets of one weight in random order
(`shuffled_order`) rather than `construct.ticket_order`'s fixed one. Measured, our search
alone, one process: 200 tickets, 2,000 rounds, seeds 0-23: mean objective 6.08e9 against
6.21e9 (lower on 16 of 24; the served weight varies by seed far more than that); 200 on
the clock (30 s, seeds 0-3) 6.02e9 against 6.06e9; 1,000 (60 s, seeds 0-1) 1.5% and 2.9%
lower; 3,000 (120 s, seeds 0-1) 1.9% higher and 1.0% lower. A share of 1 was worse
(6.19e9 on seeds 0-11, against 6.03e9 at 0.5 and 6.26e9 at 0). Simulated-annealing
acceptance of a round's routes (a temperature of 0.1-1 times the plan's cost per stop,
cooling a hundredfold) did not help: 6.15e9 at 0.3 against 6.26e9 on seeds 0-11 without
it, within the spread, and nothing on top of the shuffled order (6.06e9).

At the deterministic default effort (`solve.default_effort`), one process, seeds 0-7,
objective over the fixed order's: 200 tickets (1,000 rounds) mean 0.978, lower on 6 of 8;
340 (588 rounds) 1.017, lower on 3 of 8; 1,000 (200 rounds) 0.985, lower on 6 of 8 (the
seed-to-seed spread of one order is up to 15%). Two alternatives measured the same way
were not better: shuffling only after 50 rounds without a gain in served weight 0.996,
1.000, 1.001; a random factor of 0.5-1.5 on the window widths of `ticket_order` instead
of a shuffle 0.997, 1.027, 0.978."""


def shuffled_order(inst: RoutingInstance, rng: np.random.Generator) -> np.ndarray:
    """Ticket order for a recreate: required, then heavier weight, as `ticket_order`,
    but at random within each, so that rounds do not always fill the same gaps with the
    same tickets."""
    return np.lexsort((rng.random(inst.n_tickets), -inst.weight, ~inst.required))


def ruin(
    inst: RoutingInstance, routes: list[list[int]], rng: np.random.Generator, size: int
) -> list[list[int]]:
    """Routes without the `size` served tickets nearest to a randomly chosen one (and
    without the pickups that only they needed). On a given matrix that breaks the
    triangle inequality a stop taken out can lengthen the drive past it (the direct leg
    is longer than the way through the stop), so there a route that would break a rule
    without its stops keeps them: the recreate starts from feasible routes only."""
    served = [n for r in routes for n in r if inst.is_ticket(n)]
    if not served:
        return [list(r) for r in routes]
    served_arr = np.array(served)
    centre = served_arr[rng.integers(len(served_arr))]
    near = served_arr[np.argsort(inst.durations(centre, served_arr), kind="stable")[:size]]
    victims = set(int(n) for n in near)
    kept = [[n for n in r if n not in victims] for r in routes]
    if inst.n_pickups:
        kept = [drop_idle_pickups(inst, v, r) for v, r in enumerate(kept)]
    if not inst.metric:
        kept = [
            new if new == old or route_ok(inst, v, new) else list(old)
            for v, (old, new) in enumerate(zip(routes, kept, strict=True))
        ]
    return kept


def served_tickets(inst: RoutingInstance, routes: list[list[int]]) -> np.ndarray:
    """(N,) bool: the tickets `routes` serve."""
    served = np.zeros(inst.n_tickets, dtype=bool)
    served[inst.tickets_in([n for r in routes for n in r])] = True
    return served


def retry_set(
    inst: RoutingInstance, left_out: np.ndarray, removed: set[int], limit: int | None
) -> set[int] | None:
    """The `limit` tickets of `left_out` ((N,) bool: eligible tickets left out before the
    ruin) that lie nearest (driving from a ticket the ruin took out) to the ruined place,
    or None (all of them) without a limit or when there are no more than that."""
    if limit is None:
        return None
    idx = np.flatnonzero(left_out)
    if len(idx) <= limit:
        return None
    if not removed:
        return set()
    first = inst.first_ticket_node
    ruined = first + np.array(sorted(removed))
    near = inst.durations(*np.ix_(ruined, first + idx)).min(axis=0)
    return {int(k) for k in idx[np.argsort(near, kind="stable")[:limit]]}


def _focus(inst: RoutingInstance, before: list[list[int]], after: list[list[int]]) -> Focus:
    """Where the recreate looks after `before` was ruined to `after` (see `Focus`): so a
    round no longer re-tries every unserved ticket on 25 vehicles. Measured on the
    benchmark days, one process, our search alone: 1,000 tickets (60 s, seeds 0 and 1)
    2,389 and 2,399 weighted served against 2,352 and 2,352, cost -6.8% and -9.0%; 3,000
    tickets (60 s) 7,264 against 7,038, cost -14%; 200 tickets (30 s, seeds 0-2) cost
    +0.8%, +0.2% and -2.6% (median 6.27e9 against 6.44e9)."""
    changed = np.array([a != b for a, b in zip(before, after, strict=True)], dtype=bool)
    was_served = served_tickets(inst, before)
    served = served_tickets(inst, after)
    out = was_served & ~served
    left_out = inst.allowed.any(axis=1) & ~was_served
    removed = {int(k) for k in np.flatnonzero(out)}
    return Focus(removed, changed, retry_set(inst, left_out, removed, RETRY_NEAREST))


def ruin_and_recreate(
    inst: RoutingInstance,
    start: list[list[int]],
    improve: Callable[[list[list[int]]], list[list[int]]],
    *,
    rounds: int,
    seed: int,
    deadline: float | None = None,
    on_better: Callable[[int], None] | None = None,
    polishes: int = 0,
) -> tuple[list[list[int]], int]:
    """Best routes found over `rounds` rounds (or until `deadline`), and their cost;
    `on_better` hears each cheaper cost as it is found (progress for the caller).

    With `polishes`, the best routes are polished that many times, spread evenly up to
    LAST_POLISH_AT of the search (of its rounds, or of its time when `rounds` is
    UNBOUNDED_ROUNDS), and once more after the last round. Each polish starts from the
    routes changed since the previous one or that the previous one, cut short by its time,
    may not have finished (all routes the first time); on the clock the
    rounds stop early enough to give the final polish as long as the previous one took
    (it used to get what was left: about nothing). Measured, our search alone, same
    seeds, 60 s: 1,000 tickets (seeds 0-2) 2,406 / 2,410 / 2,408 weighted served against
    2,404 / 2,409 / 2,400, lower cost on all three; 3,000 tickets (seed 0) 7,384 against
    7,371; 200 tickets at 20 s: 467 / 465 / 467 against 464 / 465 / 467."""
    rng = np.random.default_rng(seed)
    best = RouteValues(inst, start)
    order = ticket_order(inst)
    last_round_s = 0.0
    started = time.perf_counter()
    on_clock = deadline is not None and rounds >= UNBOUNDED_ROUNDS
    marks = [LAST_POLISH_AT * (j + 1) / polishes for j in range(polishes)]

    def progress(i: int) -> float:  # how far the search has gone, 0 to 1
        if on_clock:
            return (time.perf_counter() - started) / max(1e-9, deadline - started)
        return i / rounds

    share = POLISH_SHARE * (deadline - started) / (polishes + 1) if on_clock else 0.0
    # the best routes as the last polish left them (None: a route it did not finish)
    polished: list[list[int] | None] | None = None
    last_polish_s = 0.0

    def polish_best() -> None:
        nonlocal polished, last_polish_s
        polish_started = time.perf_counter()
        until = deadline
        if on_clock:  # each polish capped at its part of POLISH_SHARE
            until = min(deadline, polish_started + share)
        changed = None  # routes changed or unfinished since the last polish (None: all)
        if polished is not None:
            pairs = enumerate(zip(polished, best.routes, strict=True))
            changed = [v for v, (old, new) in pairs if old != new]
        unfinished: set[int] = set()
        exchange = CLOCK_EXCHANGE if on_clock else "first"
        if polish(inst, best, until, changed, unfinished, exchange) and on_better is not None:
            on_better(best.cost)
        polished = [None if v in unfinished else list(r) for v, r in enumerate(best.routes)]
        last_polish_s = time.perf_counter() - polish_started

    for i in range(rounds):
        if marks and progress(i) >= marks[0]:
            marks.pop(0)
            polish_best()
        round_started = time.perf_counter()
        # rounds on the clock leave the final polish as long as the last one took
        rounds_until = None if deadline is None else deadline - min(share, last_polish_s)
        if rounds_until is not None and round_started + last_round_s >= rounds_until:
            break  # the next round would likely end past the deadline
        n_stops = sum(map(len, best.routes))
        size = int(rng.integers(3, max(4, min(30, n_stops // 4 + 4))))
        ruined = ruin(inst, best.routes, rng, size)
        focus = _focus(inst, best.routes, ruined)
        this_order = shuffled_order(inst, rng) if rng.random() < SHUFFLED_SHARE else order
        candidate = improve(construct(inst, routes=ruined, focus=focus, order=this_order))
        # a guard (`keep_if_cheaper` checks no side rule; the ruin and the recreate keep them)
        guarded = changed_keep_side_rules(inst, best.routes, candidate)
        if guarded and best.keep_if_cheaper(candidate) and on_better is not None:
            on_better(best.cost)
        last_round_s = time.perf_counter() - round_started
    if fill_everywhere(inst, best, deadline) and on_better is not None:
        on_better(best.cost)
    if polishes:
        polish_best()
    return best.routes, best.cost
