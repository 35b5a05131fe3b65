"""Writing the dispatcher views to files: the HTML report and the GeoJSON export."""

from __future__ import annotations

from pathlib import Path

from dispatch_opt.domain.plan import Plan
from dispatch_opt.domain.problem import Problem
from dispatch_opt.io import write_json_atomic, write_text_atomic
from dispatch_opt.report.geojson import plan_to_geojson
from dispatch_opt.report.html import render_report


def write_views(
    problem: Problem,
    plan: Plan,
    *,
    html: Path | None = None,
    geojson: Path | None = None,
    title: str | None = None,
) -> list[Path]:
    """Write the requested views; returns the paths written."""
    written = []
    if html is not None:
        write_text_atomic(html, render_report(problem, plan, title=title))
        written.append(html)
    if geojson is not None:
        write_json_atomic(geojson, plan_to_geojson(problem, plan))
        written.append(geojson)
    return written
