"""Pydantic v2 models of the public JSON contract (problem-v1): the Problem and the Plan.

These models are the single description of the wire format: the io layer validates every
document with them before building domain objects, and the HTTP API generates its OpenAPI
schema from them. Every model forbids unknown fields (a typo must not be silently
ignored), numbers are strict (no "5" for 5), times are RFC 3339 strings with an offset.
Field defaults are read from the domain dataclasses so the two can never drift apart.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    Tag,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from dispatch_opt.domain.plan import Kpis, PlanStatus, ReasonCode
from dispatch_opt.domain.problem import (
    SEED_LIMIT,
    Depot,
    Objective,
    Priority,
    SolveOptions,
    Technician,
    Ticket,
    TravelModel,
    TravelSpec,
)
from dispatch_opt.domain.state import DayState, Stability

# --------------------------------------------------------------------------- helpers


def _default(cls: type, name: str) -> Any:
    """The default of a domain dataclass field, so schema and domain share one value."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            return f.default
    raise LookupError(f"{cls.__name__}.{name}")


_RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?P<offset>[Zz]|[+-]\d\d:\d\d)?"
)
"""RFC 3339 `date-time` (section 5.6): seconds are required, fractions optional; the
offset is matched apart so that its absence gets its own message. A space for the `T` is
allowed, as the RFC's note on readability permits."""


def parse_moment(text: str) -> datetime:
    """An RFC 3339 date-time with an offset, or ValueError saying which rule it breaks
    (for times given outside a document, such as a command-line option)."""
    try:
        checked = _rfc3339_text(text)
    except PydanticCustomError as exc:
        raise ValueError(exc.message()) from None
    return _from_rfc3339(checked)


def _from_rfc3339(text: str) -> datetime:
    """The datetime of RFC 3339 text (`fromisoformat` wants an upper-case T and Z)."""
    return datetime.fromisoformat(text.replace(" ", "T").replace("z", "Z"))


def _rfc3339_text(value: Any) -> Any:
    """Let only RFC 3339 text (or a datetime) through, so numbers are not epoch seconds."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_text", "must be an RFC 3339 date-time string")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise PydanticCustomError(
            "datetime_format", "must be an RFC 3339 date-time such as 2026-11-23T09:00:00+08:00"
        )
    if match.group("offset") is None:
        raise PydanticCustomError("timezone_aware", "must have a UTC offset")
    try:
        _from_rfc3339(value)
    except ValueError:
        raise PydanticCustomError(
            "datetime_range",
            "is not a real date and time: month 01-12, a day the month has, hour 00-23, "
            "minute and second 00-59 (a leap second cannot be planned)",
        ) from None
    return value


def _plain_offset(value: datetime) -> datetime:
    """Swap pydantic's tzinfo for a stdlib fixed offset (picklable, prints the same)."""
    offset = value.utcoffset()
    if offset is None:  # pragma: no cover - AwareDatetime guarantees an offset
        return value
    return value.replace(tzinfo=timezone(offset))


# --------------------------------------------------------------------------- scalar types

Rfc3339 = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339_text),
    AfterValidator(_plain_offset),
]
"""An RFC 3339 date-time that must carry a UTC offset, e.g. 2026-11-23T09:00:00+08:00."""

Id = Annotated[str, Strict(), StringConstraints(min_length=1)]
"""A non-empty identifier, unique within its list."""

Name = Annotated[str, Strict(), StringConstraints(min_length=1)]
"""A non-empty key such as a SKU or a skill name."""

LARGEST = 1_000_000_000
"""Upper bound of every number in a document: a billion minutes, parts or cost units is
beyond any real day, and keeping below it keeps the engine's integer seconds and cost
units (6,000 a unit) inside 64 bits (1e300 minutes overflowed them: an internal error)."""

NonNegative = Annotated[float, Strict(), Field(ge=0, le=LARGEST)]
Positive = Annotated[float, Strict(), Field(gt=0, le=LARGEST)]
Count = Annotated[int, Strict(), Field(ge=0, le=LARGEST)]
Seed = Annotated[int, Strict(), Field(ge=0, le=SEED_LIMIT - 1)]
"""A random seed: any unsigned 32-bit integer."""
SkillLevel = Annotated[int, Strict(), Field(ge=1, le=5)]
Flag = Annotated[bool, Strict()]

Latitude = Annotated[float, Strict(), Field(ge=-90, le=90)]
Longitude = Annotated[float, Strict(), Field(ge=-180, le=180)]

Quantities = dict[Name, Count]
"""Spare-part quantities keyed by SKU."""

Skills = dict[Name, SkillLevel]
"""Skill levels keyed by skill name, 1..5 (5 = most senior)."""


def _fast_matrix(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Check a numeric matrix with numpy (fast for big matrices from a routing engine);
    anything doubtful goes through the per-entry validation that names the bad entry."""
    if isinstance(value, list) and value and all(isinstance(row, list) for row in value):
        try:
            arr = np.array(value)
        except (ValueError, TypeError, OverflowError):
            return handler(value)
        clean = arr.ndim == 2 and arr.dtype.kind in "iuf" and bool(np.isfinite(arr).all())
        if clean and bool((arr >= 0).all()) and not any(type(x) is bool for r in value for x in r):
            return arr.astype(np.float64)
    return handler(value)


def _matrix_as_lists(value: Any) -> Any:
    """Dump a matrix as nested lists, whether it was kept as lists or as an array."""
    return value.tolist() if isinstance(value, np.ndarray) else value


Matrix = Annotated[
    list[list[NonNegative]],
    WrapValidator(_fast_matrix),
    PlainSerializer(_matrix_as_lists, return_type=list[list[float]]),
]
"""A matrix of finite non-negative numbers, one row per location key; once validated it is
either a float64 array or nested lists (when per-entry checks were needed)."""

EXAMPLE_TIME = "2026-11-23T09:00:00+08:00"


class ContractModel(BaseModel):
    """Base of every contract model: unknown fields are errors, NaN and infinities too."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


# --------------------------------------------------------------------------- problem


class WindowDoc(ContractModel):
    """A closed interval of wall-clock time [start, end]."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"start": "2026-11-23T09:00:00+08:00", "end": "2026-11-23T12:00:00+08:00"}]
        },
    )

    start: Rfc3339 = Field(description="Start, RFC 3339 with offset.", examples=[EXAMPLE_TIME])
    end: Rfc3339 = Field(
        description="End, RFC 3339 with offset; after the start.",
        examples=["2026-11-23T12:00:00+08:00"],
    )


class HorizonDoc(WindowDoc):
    """The planning horizon: nothing is planned outside it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"start": "2026-11-23T07:00:00+08:00", "end": "2026-11-23T21:00:00+08:00"}]
        },
    )


class LocationDoc(ContractModel):
    """A WGS84 GPS position in decimal degrees."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"lat": 31.2304, "lon": 121.544}]},
    )

    lat: Latitude = Field(description="Latitude in degrees, -90..90.", examples=[31.2304])
    lon: Longitude = Field(description="Longitude in degrees, -180..180.", examples=[121.544])


ClockTime = Annotated[
    str, Strict(), StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
]
"""A local time of day `HH:MM` (`24:00` = midnight at the end of the day)."""


class BandFactorsDoc(ContractModel):
    """road_graph: speed factor per road group in one hour band (1 = free flow)."""

    major: Positive = Field(default=1.0, description="Motorways and trunk roads.")
    arterial: Positive = Field(default=1.0, description="Primary and secondary roads.")
    minor: Positive = Field(default=1.0, description="Every other drivable road.")


class SpeedBandDoc(ContractModel):
    """road_graph: an hour band of the day (local time of the horizon's offset)."""

    name: Id = Field(description="Band name, unique.", examples=["am_peak"])
    start: ClockTime = Field(description="First minute of the band, `HH:MM`.", examples=["07:00"])
    end: ClockTime = Field(description="End of the band (exclusive), `HH:MM`.", examples=["09:30"])
    factors: BandFactorsDoc = Field(
        default_factory=BandFactorsDoc, description="Free-flow speed factors per road group."
    )


class TravelDoc(ContractModel):
    """How travel times are obtained: haversine (default), road_graph or matrix."""

    model: TravelModel = Field(
        default=TravelModel.HAVERSINE,
        description="`haversine` (default), `road_graph`, or `matrix`.",
        examples=["haversine"],
    )
    speed_kmh: Positive = Field(
        default=_default(TravelSpec, "speed_kmh"),
        description="haversine: average road speed in km/h; time = road distance / speed.",
        examples=[25],
    )
    circuity: Annotated[float, Strict(), Field(ge=1)] = Field(
        default=_default(TravelSpec, "circuity"),
        description="haversine: road distance = circuity x great-circle distance (>= 1).",
        examples=[1.35],
    )
    stop_overhead_min: NonNegative = Field(
        default=_default(TravelSpec, "stop_overhead_min"),
        description=(
            "Minutes added to every arrival at a ticket (parking, stairs, lift), except when "
            "coming from a stop at the very same position."
        ),
        examples=[5],
    )
    graph: Name | None = Field(
        default=None,
        description=(
            "road_graph: the road network file (Overpass JSON, OSM XML or GraphML); GPS "
            "points snap to the nearest node. A relative path is taken from the problem "
            "file's folder (from the working directory when the problem is not a file)."
        ),
        examples=["pudong.graphml"],
    )
    speed_bands: list[SpeedBandDoc] | None = Field(
        default=None,
        description=(
            "road_graph: hour bands with speed factors (default: night, am_peak, day, "
            "pm_peak, evening); hours no band covers run at free flow."
        ),
    )
    class_speeds_kmh: dict[Name, Positive] | None = Field(
        default=None,
        description="road_graph: free-flow km/h per OSM highway class, overriding defaults.",
        examples=[{"residential": 20}],
    )
    max_snap_m: Positive = Field(
        default=_default(TravelSpec, "max_snap_m"),
        description="road_graph: a point farther than this from every road is an input error.",
        examples=[300],
    )
    solver_band: Name = Field(
        default=_default(TravelSpec, "solver_band"),
        description=(
            "road_graph: the matrix the solver plans with: `conservative` (per pair the "
            "slowest band; plans hold at any departure hour) or a band name."
        ),
        examples=["conservative"],
    )
    cache_dir: Name | None = Field(
        default=None,
        description=(
            "road_graph: folder of the on-disk matrix cache (`off` disables it); default "
            "$DISPATCH_OPT_ROAD_CACHE or ~/.cache/dispatch-opt/roads."
        ),
    )
    locations: list[Id] | None = Field(
        default=None,
        description=(
            "matrix: the row/column keys, each a ticket id, a depot id, a technician id (its "
            "start) or `<technician id>/end` (its end, when it differs from the start)."
        ),
        examples=[["T01", "WH-PD", "SR-1001"]],
    )
    durations_s: Matrix | None = Field(
        default=None,
        description="matrix: driving durations in seconds, square, in `locations` order.",
        examples=[[[0, 600, 900], [610, 0, 420], [880, 400, 0]]],
    )
    distances_m: Matrix | None = Field(
        default=None,
        description="matrix: road distances in metres, square, in `locations` order.",
        examples=[[[0, 4200, 6100], [4300, 0, 2500], [6000, 2450, 0]]],
    )


class DepotDoc(ContractModel):
    """A parts warehouse or forward parts depot where vans pick up spare parts."""

    id: Id = Field(description="Depot id, unique among depots.", examples=["WH-PD"])
    location: LocationDoc = Field(description="Where the depot is.")
    stock: Quantities = Field(
        default_factory=dict,
        description="Parts available, `{sku: qty}`.",
        examples=[{"COMP-AC-12K": 4}],
    )
    open: WindowDoc | None = Field(
        default=None, description="Opening hours `{start, end}`; default the horizon."
    )
    pickup_min: NonNegative = Field(
        default=_default(Depot, "pickup_min"),
        description="Time spent loading parts at each visit, minutes.",
        examples=[10],
    )


class BreakDoc(ContractModel):
    """A break of `duration_min` minutes that must start inside `window`."""

    window: WindowDoc = Field(description="The break starts inside this window.")
    duration_min: Positive = Field(description="Length of the break in minutes.", examples=[45])


class TechnicianDoc(ContractModel):
    """A field engineer with the van: shift, skills with levels, van stock, places."""

    id: Id = Field(description="Technician id, unique among technicians.", examples=["T01"])
    start: LocationDoc = Field(description="Where the day starts (home or depot).")
    end: LocationDoc | None = Field(default=None, description="Where it ends; default `start`.")
    shift: WindowDoc = Field(
        description=(
            "Leaves the start no earlier than `start`, back at the end no later than `end` "
            "(+ `overtime_max_min`)."
        )
    )
    skills: Skills = Field(
        default_factory=dict,
        description="`{skill: level}`, level 1..5 (5 = most senior).",
        examples=[{"ac": 4, "fridge": 2}],
    )
    stock: Quantities = Field(
        default_factory=dict,
        description="Parts on the van at the start of the day, `{sku: qty}`.",
        examples=[{"COMP-AC-12K": 1}],
    )
    breaks: list[BreakDoc] = Field(
        default_factory=list,
        description="Breaks: each starts inside its window and lasts `duration_min`.",
    )
    speed_factor: Positive = Field(
        default=_default(Technician, "speed_factor"),
        description="Multiplies travel time (1.0 = normal).",
        examples=[1.0],
    )
    max_jobs: Count | None = Field(
        default=None, description="At most this many tickets (default none).", examples=[6]
    )
    max_travel_min: NonNegative | None = Field(
        default=None, description="Total driving limit in minutes (default none).", examples=[180]
    )
    overtime_max_min: NonNegative = Field(
        default=_default(Technician, "overtime_max_min"),
        description="Overtime allowed after the shift end, minutes (default 0).",
        examples=[60],
    )


class TicketDoc(ContractModel):
    """A service request to place: where, how long, when, who may do it, what it needs."""

    id: Id = Field(description="Ticket id, unique among tickets.", examples=["SR-1001"])
    location: LocationDoc = Field(description="Where the service happens.")
    type: Name = Field(
        default=_default(Ticket, "type"),
        description="`repair`, `install`, `maintenance`, `inspection`, or other text.",
        examples=["repair"],
    )
    duration_min: NonNegative = Field(
        description="Time on site in minutes, for any qualified technician.", examples=[60]
    )
    time_windows: list[WindowDoc] = Field(
        default_factory=list,
        description=(
            "Service must START inside one of them (the appointment slot promised to the "
            "customer); empty or absent = any time in the horizon."
        ),
    )
    skills: Skills = Field(
        default_factory=dict,
        description=(
            "`{skill: min_level}`: the technician needs every skill at that level or above."
        ),
        examples=[{"ac": 3}],
    )
    parts: Quantities = Field(
        default_factory=dict,
        description=(
            "`{sku: qty}` needed on site, from the van's stock or a depot visited earlier on "
            "the same route."
        ),
        examples=[{"COMP-AC-12K": 1}],
    )
    priority: Priority = Field(
        default=Priority.NORMAL,
        description="`low`, `normal` (default), `high`, `urgent`; weights 1, 2, 4, 8.",
        examples=["high"],
    )
    vip: Flag = Field(
        default=False, description="Weighs like one priority step up (doubles the weight)."
    )
    sla_due: Rfc3339 | None = Field(
        default=None,
        description=(
            "Service should start before it (the response-time promise); lateness is "
            "penalised per minute. May lie after the horizon."
        ),
        examples=["2026-11-23T12:00:00+08:00"],
    )
    required: Flag = Field(
        default=False,
        description="Must be served; if no plan can, the answer says why.",
    )
    pinned_technician: Id | None = Field(
        default=None,
        description="Must be served by this technician (already confirmed to the customer).",
        examples=["T01"],
    )
    preferred_technicians: list[Id] = Field(
        default_factory=list,
        description="Served by one of them when it costs little (continuity).",
        examples=[["T03"]],
    )
    excluded_technicians: list[Id] = Field(
        default_factory=list, description="Never these technicians.", examples=[["T02"]]
    )


class PenaltyByPriorityDoc(ContractModel):
    """Cost of leaving a ticket unserved, per priority; a missing priority keeps its default."""

    low: NonNegative | None = Field(default=None, description="Penalty of a low ticket.")
    normal: NonNegative | None = Field(default=None, description="Penalty of a normal ticket.")
    high: NonNegative | None = Field(default=None, description="Penalty of a high ticket.")
    urgent: NonNegative | None = Field(default=None, description="Penalty of an urgent ticket.")


def _penalty_kind(value: Any) -> str | None:
    """Which form of `unassigned_penalty` was given: a number or an object by priority."""
    if isinstance(value, dict | PenaltyByPriorityDoc):
        return "by_priority"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "number"
    return None


UnassignedPenalty = Annotated[
    Annotated[NonNegative, Tag("number")] | Annotated[PenaltyByPriorityDoc, Tag("by_priority")],
    Discriminator(
        _penalty_kind,
        custom_error_type="penalty_type",
        custom_error_message="must be a number or an object keyed by priority",
    ),
]
"""Either a penalty per unit of ticket weight, or an object keyed by priority."""

PENALTY_UNION_TAGS = frozenset({"number", "by_priority"})


class ObjectiveDoc(ContractModel):
    """Weights of the objective, in cost units (one unit = one minute of driving)."""

    unassigned_penalty: UnassignedPenalty | None = Field(
        default=None,
        description=(
            "Cost of leaving a ticket unserved: a number (per unit of ticket weight, so x1/x2/"
            "x4/x8 for low/normal/high/urgent) or `{priority: penalty}`; VIP doubles it."
        ),
        examples=[10000, {"urgent": 100000}],
    )
    sla_late_per_min: NonNegative = Field(
        default=_default(Objective, "sla_late_per_min"),
        description="Cost per minute a service starts after its `sla_due`.",
        examples=[10],
    )
    travel_per_min: NonNegative = Field(
        default=_default(Objective, "travel_per_min"),
        description="Cost per minute of driving.",
        examples=[1],
    )
    travel_per_km: NonNegative = Field(
        default=_default(Objective, "travel_per_km"),
        description="Cost per kilometre driven.",
        examples=[0],
    )
    overtime_per_min: NonNegative = Field(
        default=_default(Objective, "overtime_per_min"),
        description="Cost per minute of overtime.",
        examples=[0.5],
    )
    preference_bonus: NonNegative = Field(
        default=_default(Objective, "preference_bonus"),
        description="Bonus when a ticket goes to one of its preferred technicians.",
        examples=[15],
    )
    route_span_per_min: NonNegative = Field(
        default=_default(Objective, "route_span_per_min"),
        description=(
            "Cost per minute of paid working time, from leaving the start to reaching the end, "
            "waiting included (default 0)."
        ),
        examples=[0],
    )


class SolveDoc(ContractModel):
    """How long and how to search."""

    time_limit_s: Positive | None = Field(
        default=_default(SolveOptions, "time_limit_s"),
        description="Bounds the whole answer, in seconds (default scales with size).",
        examples=[5],
    )
    seed: Seed = Field(
        default=_default(SolveOptions, "seed"), description="Random seed (default 0).", examples=[0]
    )
    workers: Annotated[int, Strict(), Field(ge=1)] | None = Field(
        default=_default(SolveOptions, "workers"),
        description="Number of CPU processes the solve may use (default: all cores).",
        examples=[4],
    )
    deterministic: Flag = Field(
        default=_default(SolveOptions, "deterministic"),
        description="Replace the clock by an effort limit so that reruns give the same plan.",
    )


class InProgressDoc(ContractModel):
    """A visit under way; it stays where it is."""

    ticket: Id = Field(description="Ticket being served.", examples=["SR-1001"])
    start: Rfc3339 = Field(description="When the service started (<= `now`).")
    expected_end: Rfc3339 | None = Field(
        default=None,
        description="When it will end; default start + duration_min (later = an overrun).",
    )


class TechnicianStateDoc(ContractModel):
    """Where a technician is now and when it is free (an addition to contract v1)."""

    id: Id = Field(description="Technician id.", examples=["T01"])
    location: LocationDoc | None = Field(
        default=None,
        description=(
            "Current position (GPS); default the in-progress ticket's place, else the start "
            "place. Not with matrix travel."
        ),
    )
    free_at: Rfc3339 | None = Field(
        default=None,
        description=(
            "When it is free at `location`; default `now`. Before `now` = driving to its next "
            "planned visit, which then stays."
        ),
    )
    in_progress: InProgressDoc | None = Field(default=None, description="The visit under way.")
    available: Flag = Field(
        default=True, description="false: takes no more work today (sick, van broken)."
    )
    breaks_taken: Count = Field(
        default=0, description="How many of its breaks it has already taken today."
    )
    stock: Quantities | None = Field(
        default=None,
        description=(
            "Parts on the van now; default the start stock less the parts of its done tickets."
        ),
    )
    driven_min: NonNegative = Field(
        default=0,
        description=(
            "Minutes driven today so far, including the drive to the visit it is driving "
            "to; counted against its `max_travel_min`."
        ),
    )
    place_id: Id | None = Field(
        default=None,
        description=(
            "The ticket or depot it is at, instead of `location`; with matrix travel its "
            "route starts from that place's row."
        ),
    )


class AssignmentDoc(ContractModel):
    """One visit of the previous plan (what the customer was told)."""

    ticket: Id = Field(description="Ticket id.", examples=["SR-1001"])
    technician: Id = Field(description="Technician it was planned for.", examples=["T01"])
    start: Rfc3339 = Field(description="Planned service start.")
    confirmed: Flag = Field(
        default=False, description="Confirmed to the customer: never moves (time or technician)."
    )


class StabilityDoc(ContractModel):
    """What churn costs in a re-plan, in objective units (1 = a minute of driving)."""

    reassign_cost: NonNegative = Field(
        default=_default(Stability, "reassign_cost"),
        description="Cost of giving a planned ticket to another technician (or dropping it).",
        examples=[30],
    )
    move_per_min: NonNegative = Field(
        default=_default(Stability, "move_per_min"),
        description="Cost per minute a planned start moves later than the tolerance.",
        examples=[1],
    )
    tolerance_min: NonNegative = Field(
        default=_default(Stability, "tolerance_min"),
        description="A start may move this many minutes without a call to the customer.",
        examples=[30],
    )


class StateDoc(ContractModel):
    """The state of the day for a re-plan (an addition to contract v1)."""

    now: Rfc3339 = Field(description="The current moment; nothing before it is re-planned.")
    technicians: list[TechnicianStateDoc] = Field(
        default_factory=list, description="Technicians whose position or state is known."
    )
    done: list[Id] = Field(default_factory=list, description="Tickets already served.")
    previous: list[AssignmentDoc] = Field(
        default_factory=list, description="The previous plan: who had which ticket when."
    )
    previous_unassigned: list[Id] = Field(
        default_factory=list,
        description="Tickets the previous plan left out (not new work).",
    )
    freeze_min: NonNegative = Field(
        default=_default(DayState, "freeze_min"),
        description="Visits planned to start before now + freeze_min stay as they are.",
        examples=[60],
    )
    stability: StabilityDoc = Field(default_factory=StabilityDoc, description="What churn costs.")


class ProblemDoc(ContractModel):
    """A dispatch problem: one batch of tickets and the technicians of the day."""

    name: str = Field(default="", description="Free label.", examples=["shanghai-pudong"])
    horizon: HorizonDoc = Field(description="`{start, end}`: nothing is planned outside it.")
    travel: TravelDoc = Field(
        default_factory=TravelDoc,
        description="How travel times are obtained; default haversine.",
    )
    depots: list[DepotDoc] = Field(
        default_factory=list, description="Parts warehouses / forward parts depots."
    )
    technicians: list[TechnicianDoc] = Field(
        min_length=1, description="Field engineers with their vans, at least 1."
    )
    tickets: list[TicketDoc] = Field(default_factory=list, description="Service requests to place.")
    objective: ObjectiveDoc = Field(
        default_factory=ObjectiveDoc,
        description="Weights; every weight has a documented default.",
    )
    solve: SolveDoc = Field(
        default_factory=SolveDoc,
        description="`time_limit_s`, `seed` (default 0), `workers`, `deterministic`.",
    )
    state: StateDoc | None = Field(
        default=None, description="The state of the day, for re-planning (extra)."
    )


# --------------------------------------------------------------------------- plan


class StartStopDoc(ContractModel):
    """The technician leaves the start place."""

    kind: Literal["start"] = Field(description="Stop kind.")
    at: Rfc3339 = Field(description="When the technician leaves.", examples=[EXAMPLE_TIME])


class EndStopDoc(ContractModel):
    """The technician reaches the end place."""

    kind: Literal["end"] = Field(description="Stop kind.")
    at: Rfc3339 = Field(description="When the technician arrives.", examples=[EXAMPLE_TIME])


class DepotStopDoc(ContractModel):
    """A parts pickup at a depot, wholly inside its opening hours."""

    kind: Literal["depot"] = Field(description="Stop kind.")
    id: Id = Field(description="Depot id.", examples=["WH-PD"])
    arrival: Rfc3339 = Field(description="Arrival at the depot.", examples=[EXAMPLE_TIME])
    start: Rfc3339 = Field(description="Start of loading.", examples=[EXAMPLE_TIME])
    end: Rfc3339 = Field(
        description="End of loading (start + pickup_min).", examples=[EXAMPLE_TIME]
    )
    pickup: Quantities = Field(
        description="Parts loaded, `{sku: qty}`.", examples=[{"PUMP-WM-01": 1}]
    )


class TicketStopDoc(ContractModel):
    """A service at a ticket's place."""

    kind: Literal["ticket"] = Field(description="Stop kind.")
    id: Id = Field(description="Ticket id.", examples=["SR-1001"])
    arrival: Rfc3339 = Field(
        description="Previous stop's end + driving + overhead (at the door).",
        examples=[EXAMPLE_TIME],
    )
    start: Rfc3339 = Field(description="Service start, >= arrival.", examples=[EXAMPLE_TIME])
    end: Rfc3339 = Field(description="Service end = start + duration_min.", examples=[EXAMPLE_TIME])
    wait_min: NonNegative = Field(description="start - arrival, minutes.", examples=[0])
    late_min: NonNegative = Field(
        description="Minutes start is after `sla_due` (0 without one).", examples=[0]
    )
    parts: Quantities = Field(
        description="The ticket's parts, `{sku: qty}`.", examples=[{"PCB-FR-220": 1}]
    )


class BreakStopDoc(ContractModel):
    """A break, in a gap between two stops."""

    kind: Literal["break"] = Field(description="Stop kind.")
    start: Rfc3339 = Field(
        description="Break start, inside the break window.", examples=[EXAMPLE_TIME]
    )
    end: Rfc3339 = Field(description="Break end.", examples=[EXAMPLE_TIME])


StopDoc = Annotated[
    StartStopDoc | DepotStopDoc | TicketStopDoc | BreakStopDoc | EndStopDoc,
    Field(discriminator="kind"),
]
"""One stop of a route; its fields depend on `kind` (start, depot, ticket, break, end)."""

STOP_UNION_TAGS = frozenset({"start", "depot", "ticket", "break", "end"})


class PickLineDoc(ContractModel):
    """One depot stop of a pick list: what to load there and for which tickets."""

    depot: Id = Field(description="Depot id.", examples=["WH-PD"])
    at: Rfc3339 = Field(description="Start of loading.", examples=[EXAMPLE_TIME])
    parts: Quantities = Field(description="Parts to load, `{sku: qty}`.")
    tickets: list[Id] = Field(description="Tickets of this route the parts are for.")


class PickListDoc(ContractModel):
    """A van's parts for the day (an addition to contract v1)."""

    load_at_start: Quantities = Field(description="The van's stock at the start of the day.")
    from_van: Quantities = Field(description="What this route's tickets take from the van.")
    pickups: list[PickLineDoc] = Field(description="Depot stops in order.")


class RouteDoc(ContractModel):
    """A technician's day: timed stops in order and the totals over them."""

    technician: Id = Field(description="Technician id.", examples=["T01"])
    stops: list[StopDoc] = Field(description="Stops in order, from `start` to `end`.")
    travel_km: NonNegative = Field(description="Driving distance, km.", examples=[12.345])
    travel_min: NonNegative = Field(
        description="Driving time (no overhead), minutes.", examples=[41.5]
    )
    work_min: NonNegative = Field(description="Service plus depot time, minutes.", examples=[180])
    overtime_min: NonNegative = Field(description="Minutes past the shift end.", examples=[0])
    pick_list: PickListDoc | None = Field(
        default=None, description="Parts to load at the start and at depots (optional)."
    )


class ReasonDoc(ContractModel):
    """Why a ticket is not in the plan, with a sentence a dispatcher can act on."""

    code: ReasonCode = Field(description="Reason code.", examples=["no_skilled_technician"])
    detail: str = Field(description="Human-readable detail.", examples=["needs ac>=4"])


class UnassignedDoc(ContractModel):
    """A ticket left out of the plan and why."""

    ticket: Id = Field(description="Ticket id.", examples=["SR-9"])
    reasons: list[ReasonDoc] = Field(description="Reasons, most relevant first.")


class KpisDoc(ContractModel):
    """Plan-wide figures as defined in contract v1, plus a few extras."""

    tickets: Count = Field(description="Number of tickets in the problem.", examples=[8])
    assigned: Count = Field(description="Number of tickets served.", examples=[7])
    assigned_by_priority: dict[Name, Count] = Field(
        description="Tickets served per priority.", examples=[{"high": 2, "normal": 3}]
    )
    sla_met_rate: Annotated[float, Strict(), Field(ge=0, le=1)] = Field(
        description="Tickets with an `sla_due` served on time / all tickets with an `sla_due`.",
        examples=[1.0],
    )
    travel_km: NonNegative = Field(description="Total driving distance, km.", examples=[35.2])
    travel_min: NonNegative = Field(description="Total driving time, minutes.", examples=[95.5])
    overtime_min: NonNegative = Field(description="Total overtime, minutes.", examples=[0])
    utilization: NonNegative = Field(
        description="Service minutes / (shift minutes minus breaks) over all technicians.",
        examples=[0.42],
    )
    weighted_served: Count = Field(
        default=_default(Kpis, "weighted_served"),
        description="Sum of the weights of the served tickets (extra).",
        examples=[30],
    )
    weighted_total: Count = Field(
        default=_default(Kpis, "weighted_total"),
        description="Sum of the weights of all tickets (extra).",
        examples=[32],
    )
    late_min: NonNegative = Field(
        default=_default(Kpis, "late_min"),
        description="Total SLA lateness of served tickets, minutes (extra).",
        examples=[0],
    )


class SolverDoc(ContractModel):
    """What the engine did: its name, time, objective and seed."""

    engine: str = Field(description="Engine name.", examples=["dispatch-opt"])
    time_s: NonNegative = Field(description="Wall time of the solve, seconds.", examples=[4.2])
    objective: Annotated[int, Strict()] = Field(description="Objective value.", examples=[1234])
    seed: Seed = Field(description="Seed used.", examples=[0])
    first_solution_s: NonNegative | None = Field(
        default=None, description="Time to the first solution, seconds (extra).", examples=[0.3]
    )
    compile_s: NonNegative | None = Field(
        default=None, description="Time to compile the model, seconds (extra).", examples=[0.1]
    )
    status: str | None = Field(
        default=None, description="Engine status text (extra).", examples=["ROUTING_SUCCESS"]
    )


class ReassignedDoc(ContractModel):
    """A planned ticket that changed technician."""

    ticket: Id = Field(description="Ticket id.")
    previous: Id = Field(description="Technician in the previous plan.")
    to: Id | None = Field(description="Technician now; null when no longer served.")


class MovedDoc(ContractModel):
    """A planned ticket whose start moved beyond the tolerance."""

    ticket: Id = Field(description="Ticket id.")
    previous: Rfc3339 = Field(description="Start in the previous plan.")
    start: Rfc3339 = Field(description="Start now.")
    delta_min: Annotated[float, Strict()] = Field(description="Minutes moved (+ later).")


class ChurnDoc(ContractModel):
    """What a re-plan changed against the previous plan (extra)."""

    reassigned: list[ReassignedDoc] = Field(description="Tickets that changed technician.")
    moved: list[MovedDoc] = Field(description="Starts moved beyond the tolerance.")
    tolerance_min: NonNegative = Field(description="The tolerance used, minutes.")
    calls: list[Id] = Field(description="Customers to call again.")


class PlanDoc(ContractModel):
    """The answer: routes with timed stops, unassigned tickets with reasons, KPIs, solver."""

    status: PlanStatus = Field(
        description=(
            "`solved` (all served), `partial` (some not), `infeasible` (a required one is not)."
        ),
        examples=["partial"],
    )
    routes: list[RouteDoc] = Field(description="One route per technician, unused ones included.")
    unassigned: list[UnassignedDoc] = Field(description="Tickets not served, with reasons.")
    kpis: KpisDoc = Field(description="Plan-wide figures.")
    solver: SolverDoc = Field(description="Engine statistics.")
    churn: ChurnDoc | None = Field(
        default=None, description="Re-plan only: changes against the previous plan (extra)."
    )
