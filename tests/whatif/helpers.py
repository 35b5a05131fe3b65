"""Shared material of the what-if tests: a tiny domain problem and scenario documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from dispatch_opt.domain import Depot, Priority, Problem
from tests.factories import lunch, near, problem, tech, ticket, win

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PATH = ROOT / "tests" / "data" / "example-problem.json"
EXAMPLE: dict[str, Any] = json.loads(EXAMPLE_PATH.read_text())
WORKED = ROOT / "scenarios" / "whatif"


def tiny() -> Problem:
    """Three technicians, one depot, five tickets (one pinned, one preferring T1)."""
    techs = [
        tech("T1", stock={"CAP": 2}, breaks=(lunch(),)),
        tech("T2", start=near(3, 0), end=near(3, 0), stock={"CAP": 1}),
        tech("T3", start=near(-3, 2), end=near(-3, 2), shift=win("12:00", "20:00")),
    ]
    tickets = [
        ticket("A", near(1, 1), pinned_technician="T1", priority=Priority.HIGH),
        ticket("B", near(2, -1), preferred_technicians=("T1", "T2")),
        ticket("C", near(-1, 2), excluded_technicians=("T1",)),
        ticket("D", near(0, 3), parts={"CAP": 1}),
        ticket("E", near(-2, -2), priority=Priority.URGENT),
    ]
    depot = Depot("WH", near(0, 0), {"CAP": 5, "FAN": 2}, win("08:00", "18:00"))
    return problem(techs, tickets, [depot], name="tiny")


def example_scenario(*variants: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A scenario document on the inline example problem with these variants."""
    return {"name": "test", "base": copy.deepcopy(EXAMPLE), "variants": list(variants), **extra}


def variant(name: str, *changes: dict[str, Any]) -> dict[str, Any]:
    """A variant document."""
    return {"name": name, "changes": list(changes)}
