"""Small helpers the benchmark reports share: table cells, medians that may be missing,
and writing a report's JSON and markdown side by side."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any


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


def write_report(out: Path, stem: str, payload: Any, text: str) -> None:
    """Write `stem`.json (the payload) and `stem`.md (the table) into `out`, and print the
    table."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    (out / f"{stem}.md").write_text(text, encoding="utf-8")
    print(text)
