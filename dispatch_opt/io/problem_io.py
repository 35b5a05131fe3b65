"""Read a contract-v1 Problem document into the domain `Problem`, or explain why not.

Three stages, all issues collected before anything is raised: decode the JSON, validate
it with the pydantic models of `schema`, then check the rules that span fields (time
order, horizon, unique ids, references, matrix keys). When the schema stage fails, each
section that is valid on its own still goes through the cross-field checks, so a single
answer lists every problem. Only `InputError` ever leaves this module on bad input.

The decoding and error-translation helpers here are shared with `plan_io`.
"""

from __future__ import annotations

import difflib
import json
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ValidationError

from dispatch_opt.domain.problem import (
    DEFAULT_UNASSIGNED_PENALTY,
    PRIORITY_WEIGHT,
    Break,
    Depot,
    Location,
    Objective,
    Priority,
    Problem,
    SolveOptions,
    SpeedBand,
    Technician,
    Ticket,
    TimeWindow,
    TravelModel,
    TravelSpec,
)
from dispatch_opt.domain.state import (
    Assignment,
    DayState,
    InProgress,
    Stability,
    TechnicianState,
)
from dispatch_opt.errors import InputError, Issue
from dispatch_opt.io.schema import (
    PENALTY_UNION_TAGS,
    STOP_UNION_TAGS,
    BreakDoc,
    DepotDoc,
    HorizonDoc,
    LocationDoc,
    ObjectiveDoc,
    PenaltyByPriorityDoc,
    ProblemDoc,
    SolveDoc,
    StateDoc,
    TechnicianDoc,
    TicketDoc,
    TravelDoc,
    WindowDoc,
)

Loc = tuple[int | str, ...]
DocT = TypeVar("DocT", bound=BaseModel)

# =========================================================================== decoding


class _PairsHook:
    """`object_pairs_hook` that builds dicts and remembers objects with a repeated key."""

    def __init__(self) -> None:
        self.repeated: list[tuple[dict[str, Any], str]] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        """Build the object; keep a reference to it (so its id stays unique) on a repeat."""
        obj: dict[str, Any] = {}
        for key, value in pairs:
            if key in obj:
                self.repeated.append((obj, key))
            obj[key] = value
        return obj


def _duplicate_key_issues(root: Any, repeated: list[tuple[dict[str, Any], str]]) -> list[Issue]:
    """Locate the objects that repeated a key; JSON parsers silently keep the last value."""
    wanted: dict[int, list[str]] = {}
    for obj, key in repeated:
        wanted.setdefault(id(obj), []).append(key)
    found: list[Issue] = []
    stack: list[tuple[Loc, Any]] = [((), root)]
    while stack and wanted:
        loc, node = stack.pop()
        if isinstance(node, dict):
            found += [
                Issue(loc_to_path((*loc, k)), "duplicate key") for k in wanted.pop(id(node), [])
            ]
            stack += [((*loc, k), v) for k, v in node.items() if isinstance(v, dict | list)]
        elif isinstance(node, list):
            stack += [((*loc, i), v) for i, v in enumerate(node) if isinstance(v, dict | list)]
    found += [Issue("", f"duplicate key '{k}'") for keys in wanted.values() for k in keys]
    return found


def _text_of(data: str | bytes | bytearray) -> str:
    """The document as text: bytes must be UTF-8; a leading byte-order mark is dropped."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(Issue("", f"invalid UTF-8 at byte {exc.start}")) from None


def read_json_object(data: Mapping[str, Any] | str | bytes) -> tuple[dict[str, Any], list[Issue]]:
    """Decode a document into a JSON object, with the non-fatal issues (repeated keys)."""
    if isinstance(data, Mapping):
        return dict(data), []
    if not isinstance(data, str | bytes | bytearray):
        raise InputError(Issue("", f"must be a JSON object, not {type(data).__name__}"))
    hook = _PairsHook()
    try:
        value = json.loads(_text_of(data), object_pairs_hook=hook)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InputError(Issue("", f"invalid JSON at {where}: {exc.msg}")) from None
    except RecursionError:
        raise InputError(Issue("", "invalid JSON: nested too deeply")) from None
    except ValueError as exc:
        raise InputError(Issue("", f"invalid JSON: {exc}")) from None
    if not isinstance(value, dict):
        raise InputError(Issue("", "must be a JSON object"))
    return value, _duplicate_key_issues(value, hook.repeated)


def read_document_file(path: str | Path) -> bytes:
    """The bytes of a document file; an unreadable file is an input error, not a crash."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(Issue("", f"cannot read '{path}': {exc.strerror or exc}")) from None


# =========================================================================== error paths

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*")


def loc_to_path(loc: Iterable[int | str]) -> str:
    """Render a location as `tickets[3].time_windows[0].end` (odd keys as `["a.b"]`)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
    return path


def _strip_union_tags(loc: Sequence[int | str]) -> Loc:
    """Drop the union-member tags pydantic inserts into locations (not real JSON keys)."""
    kept: list[int | str] = []
    for k, part in enumerate(loc):
        after_penalty = k >= 1 and loc[k - 1] == "unassigned_penalty"
        after_stop = k >= 2 and loc[k - 2] == "stops" and isinstance(loc[k - 1], int)
        if (after_penalty and part in PENALTY_UNION_TAGS) or (
            after_stop and part in STOP_UNION_TAGS
        ):
            continue
        kept.append(part)
    return tuple(kept)


def _flatten(tp: Any) -> list[Any]:
    """The plain types inside an annotation, through Annotated, Optional and unions."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _flatten(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return [leaf for arg in get_args(tp) for leaf in _flatten(arg)]
    return [tp]


def _step(candidates: list[Any], part: int | str) -> list[Any]:
    """The types reached from `candidates` by one location step."""
    reached: list[Any] = []
    for tp in candidates:
        origin = get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if isinstance(part, str) and part in tp.model_fields:
                reached += _flatten(tp.model_fields[part].annotation)
        elif origin is list and isinstance(part, int):
            reached += _flatten(get_args(tp)[0])
        elif origin is dict:
            reached += _flatten(get_args(tp)[1])
    if not reached and isinstance(part, str):  # a union member's tag, e.g. 'job_overran'
        reached = [tp for tp in candidates if _tagged(tp, part)]
    return reached


def _tagged(tp: Any, tag: str) -> bool:
    """Whether model `tp` has a Literal field admitting `tag` (its union tag)."""
    if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return False
    return any(
        get_origin(f.annotation) is Literal and tag in get_args(f.annotation)
        for f in tp.model_fields.values()
    )


def _known_fields(root: type[BaseModel], parent: Loc) -> list[str]:
    """Field names of the model(s) found at `parent`, for typo suggestions."""
    candidates: list[Any] = [root]
    for part in parent:
        candidates = _step(candidates, part)
    names = {
        name
        for tp in candidates
        if isinstance(tp, type) and issubclass(tp, BaseModel)
        for name in tp.model_fields
    }
    return sorted(names)


def _unknown_field_rule(root: type[BaseModel], loc: Loc) -> str:
    """`unknown field`, with the closest real field name when the key looks like a typo."""
    if not loc or not isinstance(loc[-1], str):
        return "unknown field"
    known = [f for f in _known_fields(root, loc[:-1]) if f != loc[-1]]
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.7)
    if not close:  # a shortened name, when only one field has that word: 'end' for 'expected_end'
        words = [f for f in known if loc[-1] in f.split("_")]
        close = words if len(words) == 1 else []
    return f"unknown field (did you mean '{close[0]}'?)" if close else "unknown field"


_SIMPLE_RULES: dict[str, str] = {
    "missing": "is required",
    "string_too_short": "must not be empty",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "list_type": "must be a list",
    "timezone_aware": "must have a UTC offset",
}


def _number(value: Any) -> str:
    """A bound as written in the contract: `90`, not `90.0`."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _bound_rule(kind: str, ctx: Mapping[str, Any]) -> str | None:
    """Rules of numeric and length bounds, or None for another error type."""
    bounds = {
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        sign, key = bounds[kind]
        return f"must be {sign} {_number(ctx.get(key))}"
    if kind == "too_short":
        n = ctx.get("min_length")
        return f"must have at least {n} item{'' if n == 1 else 's'}"
    if kind == "too_long":
        n = ctx.get("max_length")
        return f"must have at most {n} item{'' if n == 1 else 's'}"
    return None


def _rule(err: Mapping[str, Any], root: type[BaseModel], loc: Loc) -> str:
    """A short rule sentence for one pydantic error."""
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_field_rule(root, loc)
    if kind in _SIMPLE_RULES:
        return _SIMPLE_RULES[kind]
    bound = _bound_rule(kind, ctx)
    if bound is not None:
        return bound
    if kind == "enum":
        return f"must be one of {ctx.get('expected')}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}"
    if kind == "union_tag_invalid":
        return f"unknown kind '{ctx.get('tag')}': must be one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return f"must have a {ctx.get('discriminator')} field"
    msg = str(err.get("msg", "is invalid"))
    return msg.replace("Input should be", "must be").replace("Input should", "must")


def validation_issues(exc: ValidationError, root: type[BaseModel]) -> list[Issue]:
    """Translate a pydantic ValidationError into contract issues with field paths."""
    issues: list[Issue] = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = _strip_union_tags(err["loc"])
        on_key = bool(loc) and loc[-1] == "[key]"
        loc = loc[:-1] if on_key else loc
        rule = _rule(err, root, loc)
        issues.append(Issue(loc_to_path(loc), f"key {rule}" if on_key else rule))
    return issues


# =========================================================================== public API


def parse_problem(
    data: Mapping[str, Any] | str | bytes, *, base_dir: str | Path | None = None
) -> Problem:
    """Validate a contract-v1 Problem (object, JSON text or bytes) into a domain Problem.

    `base_dir` is where a relative `travel.graph` path starts (default: working directory).
    A road_graph problem loads its network here, so a bad graph file or a point far from
    every road is reported with its field path before anything else runs."""
    raw, issues = read_json_object(data)
    doc: ProblemDoc | None = None
    try:
        doc = ProblemDoc.model_validate(raw)
    except ValidationError as exc:
        issues += validation_issues(exc, ProblemDoc)
    issues += _cross_issues(_sections(raw, doc))
    if issues or doc is None:
        raise InputError(issues)
    problem = _to_problem(doc, None if base_dir is None else Path(base_dir))
    if problem.travel.model is TravelModel.ROAD_GRAPH:
        from dispatch_opt.travel.roads.inputs import road_problem_issues

        road_issues = road_problem_issues(problem)
        if road_issues:
            raise InputError(road_issues)
    return problem


def parse_ticket(data: Mapping[str, Any] | str | bytes) -> Ticket:
    """Validate one ticket document (a `tickets[]` item: a new ticket for a re-plan or a
    slot request) into a domain Ticket; errors name paths under `ticket`."""
    raw, issues = read_json_object(data)
    try:
        doc = TicketDoc.model_validate(raw)
    except ValidationError as exc:
        issues += validation_issues(exc, TicketDoc)
    if issues:
        raise InputError([i.under("ticket") for i in issues])
    return _ticket(doc)


def load_problem(path: str | Path) -> Problem:
    """Read and validate a Problem JSON file (a relative road graph path starts beside it)."""
    return parse_problem(read_document_file(path), base_dir=Path(path).resolve().parent)


# =========================================================================== sections

Indexed = list[tuple[int, DocT]]


@dataclass(slots=True)
class _Sections:
    """The parts of a problem that validated, with their index in the document."""

    horizon: HorizonDoc | None
    travel: TravelDoc | None
    depots: Indexed[DepotDoc]
    technicians: Indexed[TechnicianDoc]
    tickets: Indexed[TicketDoc]
    depot_ids: set[str]
    technician_ids: set[str]
    ticket_ids: set[str]
    state: StateDoc | None = None


def _raw_ids(items: Any) -> set[str]:
    """Every string id in a raw list, valid item or not (so references are not misreported)."""
    if not isinstance(items, list):
        return set()
    return {it["id"] for it in items if isinstance(it, dict) and isinstance(it.get("id"), str)}


def _try(model: type[DocT], value: Any) -> DocT | None:
    """The model when `value` validates on its own (its errors are already reported)."""
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _try_each(model: type[DocT], items: Any) -> Indexed[DocT]:
    """The items of a raw list that validate on their own, with their index."""
    if not isinstance(items, list):
        return []
    pairs = ((i, _try(model, item)) for i, item in enumerate(items))
    return [(i, doc) for i, doc in pairs if doc is not None]


def _sections(raw: Mapping[str, Any], doc: ProblemDoc | None) -> _Sections:
    """The sections to cross-check: the whole document, or what could be salvaged of it."""
    ids = [_raw_ids(raw.get(name)) for name in ("depots", "technicians", "tickets")]
    if doc is not None:
        return _Sections(
            doc.horizon,
            doc.travel,
            list(enumerate(doc.depots)),
            list(enumerate(doc.technicians)),
            list(enumerate(doc.tickets)),
            *ids,
            doc.state,
        )
    return _Sections(
        _try(HorizonDoc, raw.get("horizon")),
        _try(TravelDoc, raw.get("travel", {})),
        _try_each(DepotDoc, raw.get("depots")),
        _try_each(TechnicianDoc, raw.get("technicians")),
        _try_each(TicketDoc, raw.get("tickets")),
        *ids,
        _try(StateDoc, raw.get("state")),  # None when absent: None does not validate
    )


# =========================================================================== cross-field rules


def _span(horizon: WindowDoc) -> str:
    """The horizon as `start..end`, for rule sentences."""
    return f"{horizon.start.isoformat()}..{horizon.end.isoformat()}"


def _order_issues(path: str, window: WindowDoc, strict: bool) -> list[Issue]:
    """End before start (or, when `strict`, equal to it) is an error."""
    if window.end < window.start:
        return [Issue(f"{path}.end", "end before start")]
    if strict and window.end == window.start:
        return [Issue(f"{path}.end", "must be after start")]
    return []


def _window_issues(
    path: str, window: WindowDoc, horizon: WindowDoc | None, strict: bool = True
) -> list[Issue]:
    """A window must be ordered and lie inside the horizon."""
    issues = _order_issues(path, window, strict)
    if issues or horizon is None:
        return issues
    if window.start < horizon.start:
        issues.append(Issue(f"{path}.start", f"outside the horizon {_span(horizon)}"))
    if window.end > horizon.end:
        issues.append(Issue(f"{path}.end", f"outside the horizon {_span(horizon)}"))
    return issues


def _repeat_issues(section: str, values: Iterable[tuple[int, str]], field: str = "") -> list[Issue]:
    """Each value at most once in a list; each repeat is reported where it occurs, at
    `section[i]` followed by `field` (e.g. `.id`, the item field holding the value)."""
    noun = f"{field.lstrip('.')} " if field else ""
    first: dict[str, int] = {}
    issues: list[Issue] = []
    for i, value in values:
        if value in first:
            where = f"{section}[{first[value]}]"
            issues.append(
                Issue(f"{section}[{i}]{field}", f"duplicate {noun}'{value}' (first at {where})")
            )
        else:
            first[value] = i
    return issues


def _unique_issues(section: str, docs: Indexed[Any]) -> list[Issue]:
    """Ids must be unique within their list."""
    return _repeat_issues(section, ((i, doc.id) for i, doc in docs), ".id")


def _depot_issues(path: str, depot: DepotDoc, horizon: WindowDoc | None) -> list[Issue]:
    """Depot opening hours must be ordered and inside the horizon."""
    return [] if depot.open is None else _window_issues(f"{path}.open", depot.open, horizon)


def _break_issues(
    path: str, brk: BreakDoc, shift_min: float | None, horizon: WindowDoc | None
) -> list[Issue]:
    """A break window lies in the horizon and the break fits in the shift."""
    issues = _window_issues(f"{path}.window", brk.window, horizon, strict=False)
    if shift_min is not None and brk.duration_min > shift_min:
        issues.append(Issue(f"{path}.duration_min", f"longer than the shift ({shift_min:g} min)"))
    return issues


def _technician_issues(path: str, tech: TechnicianDoc, horizon: WindowDoc | None) -> list[Issue]:
    """Shift ordered and inside the horizon; breaks valid."""
    issues = _window_issues(f"{path}.shift", tech.shift, horizon)
    shift_ok = tech.shift.end > tech.shift.start
    shift_min = (tech.shift.end - tech.shift.start).total_seconds() / 60 if shift_ok else None
    for j, brk in enumerate(tech.breaks):
        issues += _break_issues(f"{path}.breaks[{j}]", brk, shift_min, horizon)
    return issues


def _reference_issues(path: str, ticket: TicketDoc, defined: set[str]) -> list[Issue]:
    """Pinned, preferred and excluded technicians must exist. (A ticket pinned to a
    technician it also excludes is not an input error: the contract has no such rule, and
    the ticket is left unserved with `pinned_conflict`.)"""
    refs: list[tuple[str, str]] = []
    if ticket.pinned_technician is not None:
        refs.append((f"{path}.pinned_technician", ticket.pinned_technician))
    refs += [
        (f"{path}.preferred_technicians[{j}]", t)
        for j, t in enumerate(ticket.preferred_technicians)
    ]
    refs += [
        (f"{path}.excluded_technicians[{j}]", t) for j, t in enumerate(ticket.excluded_technicians)
    ]
    return [Issue(p, f"technician '{t}' is not defined") for p, t in refs if t not in defined]


def _ticket_issues(
    path: str, ticket: TicketDoc, horizon: WindowDoc | None, techs: set[str]
) -> list[Issue]:
    """Time windows ordered (a single instant is a valid slot) and inside the horizon."""
    issues: list[Issue] = []
    for j, window in enumerate(ticket.time_windows):
        issues += _window_issues(f"{path}.time_windows[{j}]", window, horizon, strict=False)
    return issues + _reference_issues(path, ticket, techs)


def _shape_issues(path: str, matrix: Sequence[Sequence[float]], n: int) -> list[Issue]:
    """A matrix must be n x n, n being the number of location keys."""
    issues: list[Issue] = []
    if len(matrix) != n:
        issues.append(Issue(path, f"must have {n} rows (one per location), has {len(matrix)}"))
    for r, row in enumerate(matrix):
        if len(row) != n:
            issues.append(
                Issue(f"{path}[{r}]", f"must have {n} numbers (one per location), has {len(row)}")
            )
    return issues


def _key_owners(s: _Sections) -> dict[str, list[str]]:
    """What each possible matrix key names: a ticket, a depot, a technician or its end."""
    owners: dict[str, list[str]] = {}
    named = [
        (s.ticket_ids, "a ticket", ""),
        (s.depot_ids, "a depot", ""),
        (s.technician_ids, "a technician", ""),
        (s.technician_ids, "a technician end", "/end"),
    ]
    for ids, what, suffix in named:
        for key in ids:
            owners.setdefault(key + suffix, []).append(what)
    return owners


def _needed_keys(s: _Sections) -> list[str]:
    """Keys the matrix must hold: every ticket, depot, start, and end that differs."""
    keys = [doc.id for _, doc in s.tickets] + [doc.id for _, doc in s.depots]
    keys += [doc.id for _, doc in s.technicians]
    keys += [f"{t.id}/end" for _, t in s.technicians if t.end is not None and t.end != t.start]
    return list(dict.fromkeys(keys))


def _location_key_issues(s: _Sections, locations: list[str]) -> list[Issue]:
    """Matrix keys must be unique, known, unambiguous, and cover every place."""
    owners = _key_owners(s)
    seen: dict[str, int] = {}
    issues: list[Issue] = []
    for j, key in enumerate(locations):
        path = f"travel.locations[{j}]"
        if key in seen:
            issues.append(
                Issue(path, f"duplicate key '{key}' (first at travel.locations[{seen[key]}])")
            )
            continue
        seen[key] = j
        what = owners.get(key, [])
        if not what:
            rule = f"unknown key '{key}': not a ticket, depot, technician or '<technician id>/end'"
            issues.append(Issue(path, rule))
        elif len(what) > 1:
            issues.append(Issue(path, f"ambiguous key '{key}': names {' and '.join(what)}"))
    missing = [k for k in _needed_keys(s) if k not in seen]
    return issues + [Issue("travel.locations", f"missing key '{k}'") for k in missing]


def _matrix_issues(s: _Sections, travel: TravelDoc) -> list[Issue]:
    """Matrix mode: keys and both square matrices are required and must agree."""
    parts = {
        "locations": travel.locations,
        "durations_s": travel.durations_s,
        "distances_m": travel.distances_m,
    }
    issues = [
        Issue(f"travel.{k}", "required for the matrix model") for k, v in parts.items() if v is None
    ]
    if travel.locations is None:
        return issues
    n = len(travel.locations)
    for name in ("durations_s", "distances_m"):
        matrix = parts[name]
        if matrix is not None:
            issues += _shape_issues(f"travel.{name}", matrix, n)
    return issues + _location_key_issues(s, travel.locations)


def _clock_min(text: str) -> int:
    """Minutes after midnight of a schema-valid `HH:MM`."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def road_doc_issues(travel: TravelDoc) -> list[Issue]:
    """road_graph settings: bands ordered, disjoint and uniquely named; a known solver band;
    class speeds for drivable road classes only."""
    from dispatch_opt.travel.roads.bands import CONSERVATIVE, DEFAULT_BANDS, FREE_FLOW
    from dispatch_opt.travel.roads.speeds import DRIVABLE

    issues: list[Issue] = []
    names: set[str] = set()
    spans: list[tuple[int, int, int]] = []
    for i, band in enumerate(travel.speed_bands or []):
        path = f"travel.speed_bands[{i}]"
        lo, hi = _clock_min(band.start), _clock_min(band.end)
        if hi <= lo:
            issues.append(Issue(f"{path}.end", "must be after start (split a band over midnight)"))
        else:
            spans.append((lo, hi, i))
        if band.name in names or band.name in (CONSERVATIVE, FREE_FLOW.name):
            issues.append(Issue(f"{path}.name", f"name '{band.name}' is taken"))
        names.add(band.name)
    spans.sort()
    for (_, hi, i), (lo, _, j) in pairwise(spans):
        if lo < hi:
            issues.append(Issue(f"travel.speed_bands[{j}]", f"overlaps speed_bands[{i}]"))
    known = names if travel.speed_bands is not None else {b.name for b in DEFAULT_BANDS}
    if travel.solver_band != CONSERVATIVE and travel.solver_band not in known | {FREE_FLOW.name}:
        issues.append(Issue("travel.solver_band", f"no band named '{travel.solver_band}'"))
    for cls in travel.class_speeds_kmh or {}:
        if cls not in DRIVABLE:
            issues.append(Issue(f"travel.class_speeds_kmh.{cls}", "not a drivable highway class"))
    return issues


def speed_bands(docs: Sequence[Any] | None) -> tuple[SpeedBand, ...] | None:
    """Domain speed bands of validated band documents (None keeps the defaults)."""
    if docs is None:
        return None
    return tuple(
        SpeedBand(
            name=d.name,
            start_min=_clock_min(d.start),
            end_min=_clock_min(d.end),
            major=d.factors.major,
            arterial=d.factors.arterial,
            minor=d.factors.minor,
        )
        for d in docs
    )


MODEL_FIELDS = {
    TravelModel.ROAD_GRAPH: (
        "graph",
        "speed_bands",
        "class_speeds_kmh",
        "max_snap_m",
        "solver_band",
        "cache_dir",
    ),
    TravelModel.MATRIX: ("locations", "durations_s", "distances_m"),
}
"""The travel fields only one model reads: given to another, they would be ignored."""


def _null_or_default(value: Any, field: Any) -> bool:
    """Whether a given field's value is null or its default."""
    if value is None:
        return True
    default = field.get_default(call_default_factory=True)
    return default is not None and isinstance(value, str | int | float) and value == default


def _travel_issues(s: _Sections) -> list[Issue]:
    """Each travel model's own required fields, and no field of another model (a matrix
    sent with the haversine model must not be silently ignored)."""
    travel = s.travel
    if travel is None:
        return []
    fields = type(travel).model_fields
    foreign = [
        Issue(f"travel.{name}", f"belongs to the {owner.value} model, not {travel.model.value}")
        for owner, names in MODEL_FIELDS.items()
        if owner is not travel.model
        for name in names
        # given with a value of its own: null or the default (a client writing out every
        # field) says nothing the model would ignore
        if name in travel.model_fields_set
        and not _null_or_default(getattr(travel, name), fields[name])
    ]
    if foreign:
        return foreign
    if travel.model is TravelModel.ROAD_GRAPH:
        if travel.graph is None:
            return [Issue("travel.graph", "required for the road_graph model")]
        return road_doc_issues(travel)
    if travel.model is TravelModel.MATRIX:
        return _matrix_issues(s, travel)
    return []


def _cross_issues(s: _Sections) -> list[Issue]:
    """Every rule that spans fields, on the sections that validated."""
    issues: list[Issue] = []
    horizon = s.horizon
    if horizon is not None:
        order = _order_issues("horizon", horizon, strict=True)
        issues += order
        horizon = None if order else horizon
    issues += _travel_issues(s)
    issues += _unique_issues("depots", s.depots)
    for i, depot in s.depots:
        issues += _depot_issues(f"depots[{i}]", depot, horizon)
    issues += _unique_issues("technicians", s.technicians)
    for i, tech in s.technicians:
        issues += _technician_issues(f"technicians[{i}]", tech, horizon)
    issues += _unique_issues("tickets", s.tickets)
    for i, ticket in s.tickets:
        issues += _ticket_issues(f"tickets[{i}]", ticket, horizon, s.technician_ids)
    if s.state is not None:
        issues += _state_issues(s, s.state, horizon)
    return issues


def _inside(path: str, moment: Any, horizon: WindowDoc | None) -> list[Issue]:
    """A moment of the state must lie inside the horizon."""
    if horizon is not None and not horizon.start <= moment <= horizon.end:
        return [Issue(path, f"outside the horizon {_span(horizon)}")]
    return []


def _ref(path: str, value: str, ids: set[str], what: str) -> list[Issue]:
    """A reference to a ticket or technician that must exist."""
    return [] if value in ids else [Issue(path, f"{what} '{value}' is not defined")]


def _tech_state_issues(
    s: _Sections, state: StateDoc, horizon: WindowDoc | None, done: set[str]
) -> list[Issue]:
    """Technician states: known ids, sane times, in-progress visits, breaks, positions."""
    issues = _repeat_issues("state.technicians", enumerate(t.id for t in state.technicians))
    breaks = {t.id: len(t.breaks) for _, t in s.technicians}
    matrix = s.travel is not None and s.travel.model is TravelModel.MATRIX
    busy: dict[str, str] = {}
    for i, ts in enumerate(state.technicians):
        path = f"state.technicians[{i}]"
        issues += _ref(f"{path}.id", ts.id, s.technician_ids, "technician")
        if ts.free_at is not None:
            issues += _inside(f"{path}.free_at", ts.free_at, horizon)
        if ts.location is not None and matrix:
            issues.append(
                Issue(
                    f"{path}.location",
                    "not supported with matrix travel (no matrix row): give place_id",
                )
            )
        if ts.place_id is not None:
            issues += _ref(f"{path}.place_id", ts.place_id, s.ticket_ids | s.depot_ids, "place")
            if ts.location is not None:
                issues.append(Issue(f"{path}.place_id", "give location or place_id, not both"))
        if ts.breaks_taken > breaks.get(ts.id, ts.breaks_taken):
            issues.append(Issue(f"{path}.breaks_taken", f"more than its {breaks[ts.id]} breaks"))
        ip = ts.in_progress
        if ip is None:
            continue
        where = f"{path}.in_progress"
        if not ts.available:
            issues.append(Issue(where, "an unavailable technician has no visit in progress"))
        issues += _ref(f"{where}.ticket", ip.ticket, s.ticket_ids, "ticket")
        if ip.ticket in done:
            issues.append(Issue(f"{where}.ticket", f"ticket '{ip.ticket}' is also done"))
        if ip.ticket in busy:
            issues.append(Issue(f"{where}.ticket", f"also in progress at {busy[ip.ticket]}"))
        busy.setdefault(ip.ticket, where)
        issues += _inside(f"{where}.start", ip.start, horizon)
        if ip.start > state.now:
            issues.append(Issue(f"{where}.start", "after state.now"))
        if ip.expected_end is not None and ip.expected_end < ip.start:
            issues.append(Issue(f"{where}.expected_end", "before start"))
    return issues


def _state_issues(s: _Sections, state: StateDoc, horizon: WindowDoc | None) -> list[Issue]:
    """The state of the day refers to known tickets and technicians, inside the horizon."""
    issues = _inside("state.now", state.now, horizon)
    done = set(state.done)
    issues += _repeat_issues("state.done", enumerate(state.done))
    for j, tid in enumerate(state.done):
        issues += _ref(f"state.done[{j}]", tid, s.ticket_ids, "ticket")
    issues += _tech_state_issues(s, state, horizon, done)
    issues += _repeat_issues("state.previous", enumerate(a.ticket for a in state.previous))
    for j, a in enumerate(state.previous):
        path = f"state.previous[{j}]"
        issues += _ref(f"{path}.ticket", a.ticket, s.ticket_ids, "ticket")
        issues += _ref(f"{path}.technician", a.technician, s.technician_ids, "technician")
        issues += _inside(f"{path}.start", a.start, horizon)
    planned = {a.ticket for a in state.previous}
    for j, tid in enumerate(state.previous_unassigned):
        path = f"state.previous_unassigned[{j}]"
        issues += _ref(path, tid, s.ticket_ids, "ticket")
        if tid in planned:
            issues.append(Issue(path, f"ticket '{tid}' is also in state.previous"))
    return issues


# =========================================================================== to domain


def location_from_doc(doc: LocationDoc) -> Location:
    """GPS point."""
    return Location(lat=doc.lat, lon=doc.lon)


def window_from_doc(doc: WindowDoc) -> TimeWindow:
    """Closed time interval."""
    return TimeWindow(start=doc.start, end=doc.end)


def _depot(doc: DepotDoc, horizon: TimeWindow) -> Depot:
    """Depot; opening hours default to the horizon."""
    return Depot(
        id=doc.id,
        location=location_from_doc(doc.location),
        stock=dict(doc.stock),
        open=horizon if doc.open is None else window_from_doc(doc.open),
        pickup_min=doc.pickup_min,
    )


def _technician(doc: TechnicianDoc) -> Technician:
    """Technician; the end place defaults to the start place."""
    start = location_from_doc(doc.start)
    return Technician(
        id=doc.id,
        start=start,
        end=start if doc.end is None else location_from_doc(doc.end),
        shift=window_from_doc(doc.shift),
        skills=dict(doc.skills),
        stock=dict(doc.stock),
        breaks=tuple(
            Break(window=window_from_doc(b.window), duration_min=b.duration_min) for b in doc.breaks
        ),
        speed_factor=doc.speed_factor,
        max_jobs=doc.max_jobs,
        max_travel_min=doc.max_travel_min,
        overtime_max_min=doc.overtime_max_min,
    )


def _ticket(doc: TicketDoc) -> Ticket:
    """Ticket."""
    return Ticket(
        id=doc.id,
        location=location_from_doc(doc.location),
        duration_min=doc.duration_min,
        type=doc.type,
        time_windows=tuple(window_from_doc(w) for w in doc.time_windows),
        skills=dict(doc.skills),
        parts=dict(doc.parts),
        priority=doc.priority,
        vip=doc.vip,
        sla_due=doc.sla_due,
        required=doc.required,
        pinned_technician=doc.pinned_technician,
        preferred_technicians=tuple(doc.preferred_technicians),
        excluded_technicians=tuple(doc.excluded_technicians),
    )


def _matrix(rows: Sequence[Sequence[float]] | None) -> np.ndarray | None:
    """A validated square matrix (array or nested lists) as float64."""
    return (
        None if rows is None else np.asarray(rows, dtype=np.float64).reshape(len(rows), len(rows))
    )


def _graph_path(graph: str | None, base_dir: Path | None) -> str | None:
    """A relative road graph path taken from the problem file's folder (when there is one)."""
    if graph is None or base_dir is None or Path(graph).expanduser().is_absolute():
        return graph
    return str(base_dir / graph)


def _travel(doc: TravelDoc, base_dir: Path | None = None) -> TravelSpec:
    """Travel settings; keys and matrices are kept in matrix mode only (checked there)."""
    matrix_mode = doc.model is TravelModel.MATRIX
    return TravelSpec(
        model=doc.model,
        speed_kmh=doc.speed_kmh,
        circuity=doc.circuity,
        stop_overhead_min=doc.stop_overhead_min,
        graph=_graph_path(doc.graph, base_dir),
        locations=tuple(doc.locations or ()) if matrix_mode else (),
        durations_s=_matrix(doc.durations_s) if matrix_mode else None,
        distances_m=_matrix(doc.distances_m) if matrix_mode else None,
        speed_bands=speed_bands(doc.speed_bands),
        class_speeds_kmh=dict(doc.class_speeds_kmh or {}),
        max_snap_m=doc.max_snap_m,
        solver_band=doc.solver_band,
        cache_dir=doc.cache_dir,
    )


def _penalties(value: float | PenaltyByPriorityDoc | None) -> dict[Priority, float]:
    """Per-priority penalties: a number scales with the ticket weight (1/2/4/8)."""
    if value is None:
        return dict(DEFAULT_UNASSIGNED_PENALTY)
    if isinstance(value, PenaltyByPriorityDoc):
        given = {p: getattr(value, p.value) for p in Priority}
        return {p: DEFAULT_UNASSIGNED_PENALTY[p] if v is None else v for p, v in given.items()}
    return {p: value * PRIORITY_WEIGHT[p] for p in Priority}


def _objective(doc: ObjectiveDoc) -> Objective:
    """Objective weights."""
    return Objective(
        unassigned_penalty=_penalties(doc.unassigned_penalty),
        sla_late_per_min=doc.sla_late_per_min,
        travel_per_min=doc.travel_per_min,
        travel_per_km=doc.travel_per_km,
        overtime_per_min=doc.overtime_per_min,
        preference_bonus=doc.preference_bonus,
        route_span_per_min=doc.route_span_per_min,
    )


def _solve(doc: SolveDoc) -> SolveOptions:
    """Search options."""
    return SolveOptions(
        time_limit_s=doc.time_limit_s,
        seed=doc.seed,
        workers=doc.workers,
        deterministic=doc.deterministic,
    )


def _state(doc: StateDoc | None) -> DayState | None:
    """The state of the day, when given."""
    if doc is None:
        return None
    techs = tuple(
        TechnicianState(
            id=t.id,
            location=None if t.location is None else location_from_doc(t.location),
            free_at=t.free_at,
            in_progress=None
            if t.in_progress is None
            else InProgress(t.in_progress.ticket, t.in_progress.start, t.in_progress.expected_end),
            available=t.available,
            breaks_taken=t.breaks_taken,
            stock=None if t.stock is None else dict(t.stock),
            driven_min=float(t.driven_min),
            place_id=t.place_id,
        )
        for t in doc.technicians
    )
    return DayState(
        now=doc.now,
        technicians=techs,
        done=tuple(doc.done),
        previous=tuple(
            Assignment(a.ticket, a.technician, a.start, a.confirmed) for a in doc.previous
        ),
        previous_unassigned=tuple(doc.previous_unassigned),
        freeze_min=doc.freeze_min,
        stability=Stability(
            reassign_cost=doc.stability.reassign_cost,
            move_per_min=doc.stability.move_per_min,
            tolerance_min=doc.stability.tolerance_min,
        ),
    )


def _to_problem(doc: ProblemDoc, base_dir: Path | None = None) -> Problem:
    """The domain Problem of a fully valid document."""
    horizon = window_from_doc(doc.horizon)
    return Problem(
        name=doc.name,
        horizon=horizon,
        technicians=tuple(_technician(t) for t in doc.technicians),
        tickets=tuple(_ticket(t) for t in doc.tickets),
        depots=tuple(_depot(d, horizon) for d in doc.depots),
        travel=_travel(doc.travel, base_dir),
        objective=_objective(doc.objective),
        solve=_solve(doc.solve),
        state=_state(doc.state),
    )
