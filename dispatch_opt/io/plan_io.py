"""Write a domain `Plan` as contract-v1 Plan JSON, read such JSON back, save files atomically.

The writer emits exactly the contract's fields for each stop kind (plus our documented
extras), RFC 3339 times at second precision and rounded figures, so the output is stable
and diffable; reading it back gives the same dict again. The reader validates with the
pydantic `PlanDoc` and reports every issue as one `InputError`, like the problem reader.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dispatch_opt.domain.plan import (
    Churn,
    Kpis,
    Moved,
    PickLine,
    PickList,
    Plan,
    Reason,
    Reassigned,
    Route,
    SolverStats,
    Stop,
    StopKind,
    Unassigned,
)
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io.problem_io import read_document_file, read_json_object, validation_issues
from dispatch_opt.io.schema import (
    BreakStopDoc,
    ChurnDoc,
    DepotStopDoc,
    EndStopDoc,
    KpisDoc,
    PickListDoc,
    PlanDoc,
    RouteDoc,
    SolverDoc,
    StartStopDoc,
    TicketStopDoc,
    UnassignedDoc,
)

MINUTE_DIGITS = 2
KM_DIGITS = 3
RATE_DIGITS = 4
SECOND_DIGITS = 3

# =========================================================================== writing


def _iso(moment: datetime | None, what: str) -> str:
    """RFC 3339 at second precision; a missing or naive time is a bug upstream."""
    if moment is None or moment.utcoffset() is None:
        raise ValueError(f"plan {what} needs an aware datetime, got {moment!r}")
    return moment.isoformat(timespec="seconds")


def _round(value: float, digits: int) -> float:
    """Round for the report; `+ 0.0` turns a -0.0 into 0.0."""
    return round(float(value), digits) + 0.0


def _quantities(stock: Mapping[str, int]) -> dict[str, int]:
    """Plain `{sku: int}` (numpy integers from the solver are not JSON)."""
    return {str(sku): int(qty) for sku, qty in stock.items()}


def _stop_id(stop: Stop) -> str:
    """The id of a depot or ticket stop (a stop without one is a bug upstream)."""
    if not stop.id:
        raise ValueError(f"plan {stop.kind.value} stop needs an id")
    return stop.id


def _timed_stop(stop: Stop) -> dict[str, Any]:
    """Fields shared by depot and ticket stops."""
    what = f"{stop.kind.value} stop {stop.id!r}"
    return {
        "kind": stop.kind.value,
        "id": _stop_id(stop),
        "arrival": _iso(stop.arrival, f"{what} arrival"),
        "start": _iso(stop.start, f"{what} start"),
        "end": _iso(stop.end, f"{what} end"),
    }


def stop_to_dict(stop: Stop) -> dict[str, Any]:
    """One stop with only the fields meaningful for its kind."""
    kind = stop.kind
    if kind in (StopKind.START, StopKind.END):
        return {"kind": kind.value, "at": _iso(stop.at, f"{kind.value} stop time")}
    if kind is StopKind.BREAK:
        return {
            "kind": kind.value,
            "start": _iso(stop.start, "break start"),
            "end": _iso(stop.end, "break end"),
        }
    out = _timed_stop(stop)
    if kind is StopKind.DEPOT:
        out["pickup"] = _quantities(stop.pickup)
        return out
    out["wait_min"] = _round(stop.wait_min, MINUTE_DIGITS)
    out["late_min"] = _round(stop.late_min, MINUTE_DIGITS)
    out["parts"] = _quantities(stop.parts)
    return out


def _route_to_dict(route: Route) -> dict[str, Any]:
    """A route with its totals."""
    return {
        "technician": route.technician,
        "stops": [stop_to_dict(s) for s in route.stops],
        "travel_km": _round(route.travel_km, KM_DIGITS),
        "travel_min": _round(route.travel_min, MINUTE_DIGITS),
        "work_min": _round(route.work_min, MINUTE_DIGITS),
        "overtime_min": _round(route.overtime_min, MINUTE_DIGITS),
        **({"pick_list": _pick_list_to_dict(route.pick_list)} if route.pick_list else {}),
    }


def _pick_list_to_dict(pick: PickList) -> dict[str, Any]:
    """A route's pick list."""
    return {
        "load_at_start": _quantities(pick.load_at_start),
        "from_van": _quantities(pick.from_van),
        "pickups": [
            {
                "depot": line.depot,
                "at": _iso(line.at, "pickup time"),
                "parts": _quantities(line.parts),
                "tickets": list(line.tickets),
            }
            for line in pick.pickups
        ],
    }


def _unassigned_to_dict(item: Unassigned) -> dict[str, Any]:
    """An unassigned ticket with its reasons."""
    reasons = [{"code": r.code.value, "detail": r.detail} for r in item.reasons]
    return {"ticket": item.ticket, "reasons": reasons}


def _kpis_to_dict(kpis: Kpis) -> dict[str, Any]:
    """Contract KPIs plus the extras weighted_served, weighted_total, late_min."""
    return {
        "tickets": int(kpis.tickets),
        "assigned": int(kpis.assigned),
        "assigned_by_priority": {
            str(getattr(k, "value", k)): int(v) for k, v in kpis.assigned_by_priority.items()
        },
        "sla_met_rate": _round(kpis.sla_met_rate, RATE_DIGITS),
        "travel_km": _round(kpis.travel_km, KM_DIGITS),
        "travel_min": _round(kpis.travel_min, MINUTE_DIGITS),
        "overtime_min": _round(kpis.overtime_min, MINUTE_DIGITS),
        "utilization": _round(kpis.utilization, RATE_DIGITS),
        "weighted_served": int(kpis.weighted_served),
        "weighted_total": int(kpis.weighted_total),
        "late_min": _round(kpis.late_min, MINUTE_DIGITS),
    }


def _solver_to_dict(stats: SolverStats) -> dict[str, Any]:
    """Contract solver fields, plus the extras that are set."""
    out: dict[str, Any] = {
        "engine": stats.engine,
        "time_s": _round(stats.time_s, SECOND_DIGITS),
        "objective": int(stats.objective),
        "seed": int(stats.seed),
    }
    if stats.first_solution_s is not None:
        out["first_solution_s"] = _round(stats.first_solution_s, SECOND_DIGITS)
    if stats.compile_s is not None:
        out["compile_s"] = _round(stats.compile_s, SECOND_DIGITS)
    if stats.status:
        out["status"] = stats.status
    return out


def _churn_to_dict(churn: Churn) -> dict[str, Any]:
    """Re-plan churn: reassigned tickets, moved starts, customers to call."""
    return {
        "reassigned": [
            {"ticket": r.ticket, "previous": r.previous, "to": r.to} for r in churn.reassigned
        ],
        "moved": [
            {
                "ticket": m.ticket,
                "previous": _iso(m.previous, "churn.moved.previous"),
                "start": _iso(m.start, "churn.moved.start"),
                "delta_min": _round(m.delta_min, MINUTE_DIGITS),
            }
            for m in churn.moved
        ],
        "tolerance_min": _round(churn.tolerance_min, MINUTE_DIGITS),
        "calls": list(churn.calls),
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The contract-v1 Plan JSON object of a domain Plan."""
    out = {
        "status": plan.status.value,
        "routes": [_route_to_dict(r) for r in plan.routes],
        "unassigned": [_unassigned_to_dict(u) for u in plan.unassigned],
        "kpis": _kpis_to_dict(plan.kpis),
        "solver": _solver_to_dict(plan.solver),
    }
    if plan.churn is not None:
        out["churn"] = _churn_to_dict(plan.churn)
    return out


# =========================================================================== reading

AnyStopDoc = StartStopDoc | DepotStopDoc | TicketStopDoc | BreakStopDoc | EndStopDoc


def _stop(doc: AnyStopDoc) -> Stop:
    """Domain stop of a validated stop document."""
    kind = StopKind(doc.kind)
    if isinstance(doc, StartStopDoc | EndStopDoc):
        return Stop(kind=kind, at=doc.at)
    if isinstance(doc, BreakStopDoc):
        return Stop(kind=kind, start=doc.start, end=doc.end)
    if isinstance(doc, DepotStopDoc):
        return Stop(
            kind=kind,
            id=doc.id,
            arrival=doc.arrival,
            start=doc.start,
            end=doc.end,
            pickup=dict(doc.pickup),
        )
    return Stop(
        kind=kind,
        id=doc.id,
        arrival=doc.arrival,
        start=doc.start,
        end=doc.end,
        wait_min=doc.wait_min,
        late_min=doc.late_min,
        parts=dict(doc.parts),
    )


def _route(doc: RouteDoc) -> Route:
    """Domain route."""
    return Route(
        technician=doc.technician,
        stops=tuple(_stop(s) for s in doc.stops),
        travel_km=doc.travel_km,
        travel_min=doc.travel_min,
        work_min=doc.work_min,
        overtime_min=doc.overtime_min,
        pick_list=None if doc.pick_list is None else _pick_list(doc.pick_list),
    )


def _pick_list(doc: PickListDoc) -> PickList:
    """Domain pick list."""
    return PickList(
        load_at_start=dict(doc.load_at_start),
        from_van=dict(doc.from_van),
        pickups=tuple(
            PickLine(line.depot, line.at, dict(line.parts), tuple(line.tickets))
            for line in doc.pickups
        ),
    )


def _unassigned(doc: UnassignedDoc) -> Unassigned:
    """Domain unassigned ticket."""
    return Unassigned(
        ticket=doc.ticket, reasons=tuple(Reason(r.code, r.detail) for r in doc.reasons)
    )


def _kpis(doc: KpisDoc) -> Kpis:
    """Domain KPIs."""
    return Kpis(**doc.model_dump())


def _solver(doc: SolverDoc) -> SolverStats:
    """Domain solver stats; an absent status reads as empty."""
    fields = doc.model_dump()
    fields["status"] = fields["status"] or ""
    return SolverStats(**fields)


def _churn(doc: ChurnDoc | None) -> Churn | None:
    """Domain churn (absent in a plan that is not a re-plan)."""
    if doc is None:
        return None
    return Churn(
        reassigned=tuple(Reassigned(r.ticket, r.previous, r.to) for r in doc.reassigned),
        moved=tuple(Moved(m.ticket, m.previous, m.start) for m in doc.moved),
        tolerance_min=doc.tolerance_min,
    )


def _route_issues(doc: PlanDoc) -> list[Issue]:
    """Each route runs from a start stop to an end stop; one route per technician."""
    issues: list[Issue] = []
    first: dict[str, int] = {}
    for i, route in enumerate(doc.routes):
        kinds = [s.kind for s in route.stops]
        framed = len(kinds) >= 2 and kinds[0] == "start" and kinds[-1] == "end"
        if not framed or "start" in kinds[1:] or "end" in kinds[:-1]:
            issues.append(
                Issue(
                    f"routes[{i}].stops", "must begin with one start stop and end with one end stop"
                )
            )
        if route.technician in first:
            where = f"routes[{first[route.technician]}]"
            rule = f"duplicate technician '{route.technician}' (first at {where})"
            issues.append(Issue(f"routes[{i}].technician", rule))
        first.setdefault(route.technician, i)
    return issues


def plan_from_dict(data: Mapping[str, Any] | str | bytes) -> Plan:
    """Read contract-v1 Plan JSON (object, text or bytes) back into a domain Plan."""
    raw, issues = read_json_object(data)
    try:
        doc = PlanDoc.model_validate(raw)
    except ValidationError as exc:
        raise InputError(issues + validation_issues(exc, PlanDoc)) from None
    issues += _route_issues(doc)
    if issues:
        raise InputError(issues)
    return Plan(
        status=doc.status,
        routes=tuple(_route(r) for r in doc.routes),
        unassigned=tuple(_unassigned(u) for u in doc.unassigned),
        kpis=_kpis(doc.kpis),
        solver=_solver(doc.solver),
        churn=_churn(doc.churn),
    )


def load_plan(path: str | Path) -> Plan:
    """Read and validate a Plan JSON file."""
    return plan_from_dict(read_document_file(path))


# =========================================================================== files


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; new files get rw-r--r--."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o644


def _fsync_dir(folder: Path) -> None:
    """Persist the rename itself (best effort: not every platform can open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write text so readers see the old file or the new one, never half of one: a
    synced temporary file in the same folder (keeping an existing file's permissions),
    renamed over the target."""
    target = Path(path)
    folder = target.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, _mode_for(target))
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(folder)


def write_json_atomic(path: str | Path, obj: Any) -> None:
    """Write JSON atomically (see `write_text_atomic`)."""
    write_text_atomic(path, json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
