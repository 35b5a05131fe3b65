"""Hour bands of the day with road speeds per band (rush hours slower), and their lookup.

A band scales every edge's free-flow speed by a factor of its road group (`speeds.GROUPS`).
Times are local wall-clock minutes in the offset of the problem's horizon. Hours no band
covers run at free flow (factor 1), under the band name `free_flow`.

Default day (factors major / arterial / minor; major = motorway and trunk roads,
arterial = primary and secondary, minor = the rest):

| band    | hours       | major | arterial | minor |
|---------|-------------|-------|----------|-------|
| night   | 00:00-07:00 | 1.00  | 1.00     | 1.00  |
| am_peak | 07:00-09:30 | 0.45  | 0.55     | 0.70  |
| day     | 09:30-17:00 | 0.75  | 0.75     | 0.85  |
| pm_peak | 17:00-19:30 | 0.40  | 0.50     | 0.65  |
| evening | 19:30-24:00 | 0.90  | 0.90     | 0.95  |
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dispatch_opt.domain.problem import SpeedBand
from dispatch_opt.errors import InputError, Issue

DAY_MIN = 24 * 60
FREE_FLOW = SpeedBand("free_flow", 0, DAY_MIN)
CONSERVATIVE = "conservative"
"""`solver_band` value: the solver sees the slowest band of each pair (see `road_graph`)."""

DEFAULT_BANDS: tuple[SpeedBand, ...] = (
    SpeedBand("night", 0, 7 * 60),
    SpeedBand("am_peak", 7 * 60, 9 * 60 + 30, major=0.45, arterial=0.55, minor=0.70),
    SpeedBand("day", 9 * 60 + 30, 17 * 60, major=0.75, arterial=0.75, minor=0.85),
    SpeedBand("pm_peak", 17 * 60, 19 * 60 + 30, major=0.40, arterial=0.50, minor=0.65),
    SpeedBand("evening", 19 * 60 + 30, DAY_MIN, major=0.90, arterial=0.90, minor=0.95),
)


def day_bands(bands: Sequence[SpeedBand] | None) -> tuple[SpeedBand, ...]:
    """The bands in force (defaults when None), sorted, with `free_flow` filling any gap."""
    chosen = sorted(DEFAULT_BANDS if bands is None else bands, key=lambda b: b.start_min)
    covered = sum(b.end_min - b.start_min for b in chosen)
    return tuple(chosen) if covered >= DAY_MIN else (*chosen, FREE_FLOW)


def band_at(bands: Sequence[SpeedBand], minute_of_day: float) -> SpeedBand:
    """The band in force at a local minute of the day (`free_flow` outside every band)."""
    minute = minute_of_day % DAY_MIN
    for band in bands:
        if band.name != FREE_FLOW.name and band.start_min <= minute < band.end_min:
            return band
    return FREE_FLOW


def factors(band: SpeedBand) -> np.ndarray:
    """The band's speed factors in `speeds.GROUPS` order."""
    return np.array([band.major, band.arterial, band.minor], dtype=np.float64)


def edge_kmh(free_flow_kmh: np.ndarray, group: np.ndarray, band: SpeedBand) -> np.ndarray:
    """Per edge km/h in a band: free flow times the factor of the edge's road group."""
    return free_flow_kmh * factors(band)[group]


def solver_bands(bands: Sequence[SpeedBand], solver_band: str) -> tuple[SpeedBand, ...]:
    """The bands the solver's one matrix takes, per pair, the slowest of: the named band
    alone, or the candidates for the slowest (`conservative`). `free_flow` is always a band,
    as the contract allows, even when the day's bands leave no gap. InputError for no such band."""
    if solver_band == CONSERVATIVE:
        return slowest_candidates(bands)
    if solver_band == FREE_FLOW.name:
        return (FREE_FLOW,)
    named = tuple(b for b in bands if b.name == solver_band)
    if not named:
        raise InputError(Issue("travel.solver_band", f"no band named {solver_band!r}"))
    return named


def slowest_candidates(bands: Sequence[SpeedBand]) -> tuple[SpeedBand, ...]:
    """The bands that can be the slowest for some pair: a band whose every factor is at
    least another band's is never slower on any edge, hence on any path, and is dropped
    (one band per set of equal factors is kept). The default day keeps only `pm_peak`."""
    unique = {profile_key(b): b for b in reversed(bands)}
    keys = list(unique)
    kept = [
        k
        for k in keys
        if not any(o != k and all(a >= b for a, b in zip(k, o, strict=True)) for o in keys)
    ]
    return tuple(unique[k] for k in kept)


def profile_key(band: SpeedBand) -> tuple[float, float, float]:
    """Bands with equal factors share one shortest-path run."""
    return (band.major, band.arterial, band.minor)
