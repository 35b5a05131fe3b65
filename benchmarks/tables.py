"""Small helpers the benchmark reports share: table cells and medians that may be missing."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable


def cell(value: float | None, spec: str = ".2f") -> str:
    """`value` formatted by `spec` for a markdown table, '-' when it is missing (None or
    NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, spec)


def median_or_none(values: Iterable[float]) -> float | None:
    """The median of `values`, None when there are none."""
    values = list(values)
    return statistics.median(values) if values else None
