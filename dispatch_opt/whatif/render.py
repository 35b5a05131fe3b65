"""A what-if result as a markdown comparison (for people) and as JSON (for programs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dispatch_opt.io import plan_to_dict
from dispatch_opt.whatif.compare import ADDED_KINDS, KPIS, Comparison, HandChange, Kpi, kpi_values
from dispatch_opt.whatif.result import WhatIfResult
from dispatch_opt.whatif.runner import Outcome

KIND_LABEL = {
    "moved": "moved to another technician",
    "newly_served": "newly served",
    "newly_unassigned": "newly unassigned",
    "added_served": "added, served",
    "added_unassigned": "added, unassigned",
    "dropped": "no longer in the problem",
}


def _count(n: int, word: str) -> str:
    """`1 depot`, `2 depots`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _number(value: float, digits: int) -> str:
    """A figure with the KPI's digits."""
    return f"{value:,.{digits}f}"


def _delta(value: float, digits: int) -> str:
    """A signed delta, `+3`, `-1.5`, or `±0`."""
    if round(value, digits) == 0:
        return "±0"
    return f"{value:+,.{digits}f}"


def _cell(kpi: Kpi, comparison: Comparison | None, outcome: Outcome) -> str:
    """A variant's table cell: its figure and delta, or why there is none."""
    if comparison is None:
        return outcome.state if outcome.plan is None else "no base plan"
    value, delta = comparison.values[kpi.key], comparison.deltas[kpi.key]
    return f"{_number(value, kpi.digits)} ({_delta(delta, kpi.digits)})"


def kpi_table(result: WhatIfResult) -> list[str]:
    """The markdown table of figures: base, then each variant with its delta."""
    names = [o.name for o in result.outcomes]
    lines = ["| KPI | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    base_values = kpi_values(result.base.problem, result.base.plan) if result.base.plan else None
    for kpi in KPIS:
        cells = [_number(base_values[kpi.key], kpi.digits) if base_values else "failed"]
        cells += [_cell(kpi, result.comparisons.get(v.name), v) for v in result.variants]
        lines.append(f"| {kpi.label} | " + " | ".join(cells) + " |")
    churn = ["-"] + [
        str(result.comparisons[v.name].churn) if v.name in result.comparisons else "-"
        for v in result.variants
    ]
    lines.append("| churn (tickets changed hands) | " + " | ".join(churn) + " |")
    lines.append("| plan | " + " | ".join(o.state for o in result.outcomes) + " |")
    lines.append("| solve s | " + " | ".join(f"{o.time_s:.1f}" for o in result.outcomes) + " |")
    return lines


def _who(technician: str | None, existed: bool = True) -> str:
    """A technician id, `unassigned`, or `-` for a ticket that did not exist."""
    if not existed:
        return "-"
    return technician or "unassigned"


def _change_rows(changes: list[HandChange]) -> list[str]:
    """The markdown table of tickets that changed hands."""
    lines = ["| ticket | priority | base | variant | what |", "|---|---|---|---|---|"]
    for c in changes:
        what = KIND_LABEL[c.kind] + (f" ({', '.join(c.reasons)})" if c.reasons else "")
        before = _who(c.before, existed=c.kind not in ADDED_KINDS)
        after = _who(c.after, existed=c.kind != "dropped")
        lines.append(f"| {c.ticket} | {c.priority} | {before} | {after} | {what} |")
    return lines


def _variant_section(result: WhatIfResult, outcome: Outcome) -> list[str]:
    """A variant's changes, its state, and the tickets that changed hands."""
    variant = next(v for v in result.spec.variants if v.name == outcome.name)
    lines = [f"## {outcome.name}", ""]
    if outcome.description:
        lines += [outcome.description, ""]
    lines += [f"- {c.describe()}" for c in variant.changes] or ["- no change (the base again)"]
    lines.append("")
    if outcome.error:
        return [*lines, f"**No plan:** {outcome.error}", ""]
    if outcome.report is not None and not outcome.report.ok:
        lines += ["**The plan breaks a rule (a solver bug):**", ""]
        lines += [f"- `{v}`" for v in outcome.report.violations] + [""]
    comparison = result.comparisons.get(outcome.name)
    if comparison is None:
        return [*lines, "No comparison: the base has no plan.", ""]
    n = comparison.counts()
    lines.append(
        f"Churn: **{n['churn']}** base tickets changed hands ({n['moved']} moved, "
        f"{n['newly_served']} newly served, {n['newly_unassigned']} newly unassigned)"
        + (
            f"; {n['added_served'] + n['added_unassigned']} added tickets, "
            f"{n['added_served']} served."
            if n["added_served"] + n["added_unassigned"]
            else "."
        )
    )
    if comparison.changes:
        lines += ["", *_change_rows(list(comparison.changes))]
    return [*lines, ""]


def _how(result: WhatIfResult) -> str:
    """How the solves were run, in words."""
    at_a_time = (
        f"{result.parallel} at a time with {_count(result.workers_per_solve, 'worker')} each"
    )
    if result.from_base:
        return f"the base first, then the variants from the base plan, {at_a_time}"
    return f"all from scratch, {at_a_time}"


def render_markdown(result: WhatIfResult, plan_files: Mapping[str, str] | None = None) -> str:
    """The whole comparison as markdown: header, KPI table, then one section per variant."""
    spec = result.spec
    title = spec.name or spec.base.name or "scenario"
    mode = "deterministic effort" if result.deterministic else "time-limited search"
    lines = [f"# What-if: {title}", ""]
    if spec.description:
        lines += [spec.description, ""]
    lines += [
        f"Base problem `{spec.base.name}`: {_count(len(spec.base.tickets), 'ticket')}, "
        f"{_count(len(spec.base.technicians), 'technician')}, "
        f"{_count(len(spec.base.depots), 'depot')}. "
        f"{len(result.outcomes)} solves ({mode}, {_how(result)}), {result.wall_s:.1f} s in all.",
        "",
        "Each variant cell: its figure (delta against the base).",
        "",
        *kpi_table(result),
        "",
    ]
    if plan_files:
        lines += ["Plans: " + ", ".join(f"`{f}`" for f in plan_files.values()), ""]
    for outcome in result.variants:
        lines += _variant_section(result, outcome)
    return "\n".join(lines).rstrip() + "\n"


def _outcome_dict(outcome: Outcome, include_plan: bool, plan_file: str | None) -> dict[str, Any]:
    """An outcome's state, figures and validation findings."""
    out: dict[str, Any] = {"name": outcome.name, "state": outcome.state}
    if outcome.description:
        out["description"] = outcome.description
    out["time_s"] = round(outcome.time_s, 2)
    if outcome.error:
        out["error"] = outcome.error
    if outcome.plan is not None:
        out["status"] = outcome.plan.status.value
        out["kpis"] = kpi_values(outcome.problem, outcome.plan)
    if outcome.report is not None:
        out["violations"] = [v.to_dict() for v in outcome.report.violations]
    if plan_file is not None:
        out["plan_file"] = plan_file
    if include_plan and outcome.plan is not None:
        out["plan"] = plan_to_dict(outcome.plan)
    return out


def _change_dict(c: HandChange) -> dict[str, Any]:
    """A ticket that changed hands."""
    out: dict[str, Any] = {"ticket": c.ticket, "kind": c.kind, "priority": c.priority}
    out |= {"before": c.before, "after": c.after}
    if c.reasons:
        out["reasons"] = list(c.reasons)
    return out


def result_to_dict(
    result: WhatIfResult,
    *,
    include_plans: bool = False,
    plan_files: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The comparison as a JSON-ready object (with the full plans when asked, for an API)."""
    files = plan_files or {}
    variants = []
    for outcome, variant in zip(result.variants, result.spec.variants, strict=True):
        item = _outcome_dict(outcome, include_plans, files.get(outcome.name))
        item["changes"] = [c.describe() for c in variant.changes]
        comparison = result.comparisons.get(outcome.name)
        if comparison is not None:
            item["deltas"] = comparison.deltas
            item["churn"] = comparison.counts()
            item["tickets_changed_hands"] = [_change_dict(c) for c in comparison.changes]
        variants.append(item)
    return {
        "name": result.spec.name,
        "description": result.spec.description,
        "ok": result.ok,
        "deterministic": result.deterministic,
        "from_base": result.from_base,
        "parallel": result.parallel,
        "workers_per_solve": result.workers_per_solve,
        "wall_s": round(result.wall_s, 2),
        "base": _outcome_dict(result.base, include_plans, files.get(result.base.name)),
        "variants": variants,
    }
