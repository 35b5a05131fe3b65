"""Writing the dispatcher views to files: the HTML report and the GeoJSON export."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from dispatch_opt.domain.plan import Plan
from dispatch_opt.domain.problem import Problem
from dispatch_opt.io import write_json_atomic
from dispatch_opt.report.geojson import plan_to_geojson
from dispatch_opt.report.html import render_report


def write_text_atomic(path: Path, text: str) -> None:
    """Write text so readers see the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
