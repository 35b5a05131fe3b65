"""Seeded generator of realistic after-sales field-service days, in contract v1 JSON form.

A day of home-appliance service (air conditioners, fridges, washers, TVs, water heaters)
in a Chinese city: tickets clustered around district sub-centres, technicians starting
from homes spread over the city (some from a parts depot), vans stocked with the common
spare parts, rare parts at the depots and a few on back-order everywhere. Everything is
drawn from one `numpy.random.default_rng(seed)`, so the same arguments always give the
same problem, byte for byte once serialised with `dumps`.

`load` sets demand against capacity: ticket durations (kept inside each type's realistic
range) are scaled so that service minutes plus an estimated 20 minutes of travel per
ticket come to about `load` x the technicians' shift minutes minus breaks. The counts of
tickets, technicians and depots are always exactly as asked.

    python -m benchmarks.generate --tickets 150 --technicians 20 --depots 2 \
        --city shenzhen --seed 1 --name shenzhen-default --out scenarios/default.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

Rng = np.random.Generator
JsonDict = dict[str, Any]
Slot = tuple[int, int]
"""A wall-clock interval in minutes after local midnight, [start, end]."""

KM_PER_DEG_LAT = 111.2
TRAVEL_ESTIMATE_MIN = 20
"""Travel minutes per ticket assumed when relating demand to capacity."""

# --------------------------------------------------------------------------- cities


@dataclass(frozen=True, slots=True)
class District:
    """A demand cluster: a district sub-centre, its share of tickets and its spread."""

    code: str
    name: str
    lat: float
    lon: float
    weight: float
    sigma_km: float


@dataclass(frozen=True, slots=True)
class City:
    """A city: its centre, district sub-centres, UTC offset and the box all points stay in."""

    name: str
    lat: float
    lon: float
    utc_offset_h: int
    box: tuple[float, float, float, float]
    """Sampling box (lat_min, lat_max, lon_min, lon_max); every generated point is inside."""
    districts: tuple[District, ...]


CITIES: dict[str, City] = {
    # Shenzhen stays within lat 22.49-22.59, lon 113.96-114.09 (the road extract used by
    # the road-graph benchmarks); the box also keeps points off the bay and the border river.
    "shenzhen": City(
        "shenzhen",
        22.5431,
        114.0579,
        8,
        (22.520, 22.588, 113.962, 114.088),
        (
            District("FT", "Futian CBD", 22.5405, 114.0560, 0.22, 1.6),
            District("ML", "Meilin", 22.5680, 114.0420, 0.16, 1.6),
            District("CGM", "Chegongmiao", 22.5375, 114.0230, 0.15, 1.4),
            District("OCT", "Overseas Chinese Town", 22.5395, 113.9850, 0.15, 1.5),
            District("HQB", "Huaqiangbei", 22.5470, 114.0800, 0.14, 1.2),
            District("XMH", "Xiangmihu", 22.5500, 114.0120, 0.10, 1.3),
            District("ZZL", "Zhuzilin", 22.5330, 114.0000, 0.08, 1.2),
        ),
    ),
    "shanghai": City(
        "shanghai",
        31.2304,
        121.4737,
        8,
        (31.05, 31.40, 121.30, 121.70),
        (
            District("HP", "Huangpu / People's Square", 31.2304, 121.4737, 0.12, 2.0),
            District("LJZ", "Lujiazui", 31.2397, 121.4998, 0.12, 2.5),
            District("XJH", "Xujiahui", 31.1950, 121.4370, 0.12, 2.5),
            District("JA", "Jing'an", 31.2286, 121.4480, 0.10, 2.0),
            District("HK", "Hongkou", 31.2646, 121.5050, 0.09, 2.0),
            District("WJC", "Wujiaochang, Yangpu", 31.3015, 121.5140, 0.10, 2.5),
            District("ZJ", "Zhangjiang", 31.2040, 121.5900, 0.10, 3.0),
            District("XZ", "Xinzhuang, Minhang", 31.1110, 121.3850, 0.09, 3.0),
            District("ZSP", "Zhongshan Park, Changning", 31.2190, 121.4170, 0.08, 2.0),
            District("CF", "Changfeng, Putuo", 31.2400, 121.4000, 0.08, 2.5),
        ),
    ),
    "guangzhou": City(
        "guangzhou",
        23.1291,
        113.2644,
        8,
        (22.90, 23.30, 113.15, 113.55),
        (
            District("TH", "Tianhe", 23.1246, 113.3612, 0.22, 2.5),
            District("YX", "Yuexiu", 23.1290, 113.2668, 0.16, 1.8),
            District("HZ", "Haizhu", 23.0840, 113.3172, 0.17, 2.5),
            District("LW", "Liwan", 23.1258, 113.2443, 0.12, 2.0),
            District("BY", "Baiyun", 23.1570, 113.2730, 0.13, 3.0),
            District("PY", "Panyu", 22.9380, 113.3840, 0.12, 3.5),
            District("HPU", "Huangpu", 23.1060, 113.4590, 0.08, 3.0),
        ),
    ),
    "beijing": City(
        "beijing",
        39.9042,
        116.4074,
        8,
        (39.75, 40.08, 116.15, 116.72),
        (
            District("CBD", "Chaoyang CBD", 39.9087, 116.4600, 0.18, 2.5),
            District("ZGC", "Zhongguancun, Haidian", 39.9834, 116.3162, 0.16, 3.0),
            District("DC", "Dongcheng", 39.9289, 116.4160, 0.12, 2.0),
            District("XC", "Xicheng", 39.9123, 116.3660, 0.12, 2.0),
            District("FTB", "Fengtai", 39.8585, 116.2870, 0.12, 3.0),
            District("WJ", "Wangjing", 39.9960, 116.4810, 0.13, 2.5),
            District("TZ", "Tongzhou", 39.9090, 116.6570, 0.10, 3.0),
            District("SJS", "Shijingshan", 39.9066, 116.2230, 0.07, 2.5),
        ),
    ),
    "chengdu": City(
        "chengdu",
        30.6598,
        104.0633,
        8,
        (30.45, 30.80, 103.90, 104.25),
        (
            District("CX", "Chunxi Road, Jinjiang", 30.6570, 104.0810, 0.18, 2.0),
            District("QY", "Qingyang", 30.6740, 104.0610, 0.14, 2.0),
            District("WH", "Wuhou", 30.6420, 104.0430, 0.16, 2.5),
            District("CH", "Chenghua", 30.6600, 104.1010, 0.14, 2.5),
            District("JN", "Jinniu", 30.6910, 104.0520, 0.14, 2.5),
            District("GX", "Hi-tech Zone", 30.5790, 104.0650, 0.14, 3.0),
            District("TF", "Tianfu New Area", 30.5060, 104.0750, 0.10, 3.0),
        ),
    ),
}

# --------------------------------------------------------------------------- parts

APPLIANCES: tuple[str, ...] = ("ac", "fridge", "washer", "tv", "water_heater")
APPLIANCE_SHARE: dict[str, float] = {
    "ac": 0.32,
    "fridge": 0.20,
    "washer": 0.20,
    "tv": 0.12,
    "water_heater": 0.16,
}
"""How often each appliance appears in technicians' skill sets (follows demand)."""


@dataclass(frozen=True, slots=True)
class Part:
    """A spare-part SKU: its appliance, how often it fails, and where it is stocked."""

    sku: str
    appliance: str
    description: str
    demand: float
    """Relative frequency among the parted repairs of its appliance."""
    van_share: float
    """Chance that the van of a technician skilled on the appliance carries it."""
    van_qty: tuple[int, int]
    depot_qty: tuple[int, int]
    """Quantity range at a depot; (0, 0) means on back-order, stocked nowhere."""


CATALOGUE: tuple[Part, ...] = (
    Part("CAP-AC-35UF", "ac", "run capacitor 35uF", 5.0, 0.85, (1, 4), (30, 60)),
    Part("SENSOR-AC-01", "ac", "coil temperature sensor", 3.0, 0.70, (1, 3), (20, 50)),
    Part("FAN-AC-01", "ac", "indoor fan motor", 2.0, 0.35, (1, 1), (6, 15)),
    Part("PCB-AC-INV", "ac", "inverter control board", 2.0, 0.0, (0, 0), (3, 8)),
    Part("COMP-AC-12K", "ac", "compressor 12k BTU", 1.0, 0.0, (0, 0), (2, 5)),
    Part("SENSOR-FR-01", "fridge", "defrost sensor", 4.0, 0.75, (1, 3), (20, 40)),
    Part("PCB-FR-220", "fridge", "main control board 220V", 3.0, 0.30, (1, 1), (5, 12)),
    Part("GASKET-FR-01", "fridge", "door gasket", 2.0, 0.25, (1, 1), (4, 10)),
    Part("COMP-FR-R600", "fridge", "compressor R600a", 0.6, 0.0, (0, 0), (0, 0)),
    Part("BELT-WM-02", "washer", "drum belt", 3.0, 0.80, (1, 3), (20, 40)),
    Part("VALVE-WM-01", "washer", "inlet valve", 3.0, 0.70, (1, 3), (15, 35)),
    Part("PUMP-WM-01", "washer", "drain pump", 3.0, 0.45, (1, 2), (8, 20)),
    Part("MOTOR-WM-DD", "washer", "direct-drive motor", 1.0, 0.0, (0, 0), (1, 4)),
    Part("PSU-TV-55", "tv", "power supply board 55in", 3.0, 0.30, (1, 1), (4, 10)),
    Part("LED-TV-55", "tv", "backlight strip set 55in", 2.0, 0.0, (0, 0), (2, 6)),
    Part("PANEL-TV-65", "tv", "display panel 65in", 0.8, 0.0, (0, 0), (0, 0)),
    Part("THERM-WH-01", "water_heater", "thermostat", 4.0, 0.70, (1, 3), (15, 30)),
    Part("ANODE-WH-01", "water_heater", "magnesium anode", 2.0, 0.60, (1, 3), (15, 30)),
    Part("ELEM-WH-2K", "water_heater", "heating element 2kW", 3.0, 0.40, (1, 2), (6, 15)),
)
RARE_VAN_SHARE = 0.10
"""Parts carried by fewer vans than this (van_share 0: depot only) are rare: a depot may
be out of them."""
DEPOT_OUT_OF_RARE = 0.2

# --------------------------------------------------------------------------- the day

HORIZON: Slot = (7 * 60, 21 * 60)
SHIFT_EARLY: Slot = (8 * 60 + 30, 17 * 60 + 30)
SHIFT_DAY: Slot = (9 * 60, 18 * 60)
SHIFT_LATE: Slot = (12 * 60, 21 * 60)
LUNCH_WINDOW: Slot = (11 * 60 + 30, 13 * 60 + 30)
LATE_BREAK_WINDOW: Slot = (16 * 60 + 30, 18 * 60 + 30)
DEPOT_OPEN: Slot = (8 * 60, 20 * 60)
LATE_SHIFT_SHARE = 0.15

HALF_DAY_SLOTS: tuple[Slot, ...] = ((540, 720), (780, 1020), (1080, 1260))
HALF_DAY_WEIGHTS: tuple[float, ...] = (0.46, 0.46, 0.08)
TWO_HOUR_SLOTS: tuple[Slot, ...] = (
    (540, 660),
    (600, 720),
    (780, 900),
    (840, 960),
    (900, 1020),
    (960, 1080),
    (1080, 1200),
    (1140, 1260),
)
TWO_HOUR_WEIGHTS: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.3, 0.2)
REQUIRED_WINDOW: Slot = (13 * 60, 17 * 60)

TICKET_TYPES: dict[str, float] = {
    "repair": 0.55,
    "install": 0.15,
    "maintenance": 0.20,
    "inspection": 0.10,
}
DURATION_RANGE: dict[str, tuple[int, int, int]] = {
    "repair": (30, 45, 90),
    "install": (60, 90, 150),
    "maintenance": (30, 40, 60),
    "inspection": (15, 20, 30),
}
"""Per type: (min, mode, max) minutes on site."""
TYPE_APPLIANCES: dict[str, dict[str, float]] = {
    "repair": {"ac": 0.30, "fridge": 0.22, "washer": 0.22, "tv": 0.11, "water_heater": 0.15},
    "install": {"ac": 0.45, "fridge": 0.05, "washer": 0.15, "tv": 0.15, "water_heater": 0.20},
    "maintenance": {"ac": 0.50, "fridge": 0.10, "washer": 0.15, "water_heater": 0.25},
    "inspection": {"ac": 0.30, "fridge": 0.20, "washer": 0.20, "tv": 0.10, "water_heater": 0.20},
}
BIG_UNITS = frozenset({"ac", "fridge", "washer"})
PRIORITIES: dict[str, float] = {"low": 0.20, "normal": 0.55, "high": 0.18, "urgent": 0.07}


@dataclass(slots=True)
class _Tech:
    """A technician while being generated (times in minutes after local midnight)."""

    id: str
    lat: float
    lon: float
    shift: Slot
    break_window: Slot
    break_min: int
    overtime_max_min: int
    speed_factor: float
    max_jobs: int | None
    skills: dict[str, int]
    stock: dict[str, int]

    @property
    def capacity_min(self) -> int:
        """Shift minutes minus the break: the working time the load ratio counts."""
        return self.shift[1] - self.shift[0] - self.break_min

    def qualified(self, appliance: str, level: int) -> bool:
        """True when the technician has `appliance` at `level` or above."""
        return self.skills.get(appliance, 0) >= level


@dataclass(slots=True)
class _Ticket:
    """A ticket while being generated (times in minutes after local midnight)."""

    id: str
    lat: float
    lon: float
    type: str
    appliance: str
    level: int
    raw_duration: float
    windows: list[Slot]
    parts: dict[str, int]
    priority: str
    vip: bool
    duration_min: int = 0
    sla_due: int | None = None
    required: bool = False
    pinned: str | None = None
    preferred: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def _pick(rng: Rng, items: Sequence[Any], weights: Sequence[float]) -> Any:
    """One item drawn with the given relative weights (keeps Python types, not numpy's)."""
    p = np.asarray(weights, dtype=np.float64)
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def _pick_many(rng: Rng, items: Sequence[Any], weights: Sequence[float], k: int) -> list[Any]:
    """`k` distinct items drawn without replacement with the given relative weights."""
    p = np.asarray(weights, dtype=np.float64)
    idx = rng.choice(len(items), size=min(k, len(items)), replace=False, p=p / p.sum())
    return [items[int(i)] for i in idx]


def _round5(x: float) -> int:
    """Round to the nearest multiple of 5 (half up), as planners quote durations."""
    return math.floor(x / 5.0 + 0.5) * 5


def _clamp(x: int, lo: int, hi: int) -> int:
    """`x` limited to [lo, hi]."""
    return max(lo, min(hi, x))


def _in_box(lat: float, lon: float, box: tuple[float, float, float, float]) -> bool:
    """True when the point lies inside the (lat_min, lat_max, lon_min, lon_max) box."""
    return box[0] <= lat <= box[1] and box[2] <= lon <= box[3]


def _gauss_point(
    rng: Rng, lat: float, lon: float, sigma_km: float, box: tuple[float, float, float, float]
) -> tuple[float, float]:
    """A point around (lat, lon) with a Gaussian spread of `sigma_km`, redrawn until in the box."""
    km_per_deg_lon = KM_PER_DEG_LAT * math.cos(math.radians(lat))
    for _ in range(100):
        dy, dx = rng.normal(0.0, sigma_km, size=2)
        plat, plon = lat + float(dy) / KM_PER_DEG_LAT, lon + float(dx) / km_per_deg_lon
        if _in_box(plat, plon, box):
            return round(plat, 5), round(plon, 5)
    return round(min(max(lat, box[0]), box[1]), 5), round(min(max(lon, box[2]), box[3]), 5)


def _overlaps(a: Slot, b: Slot) -> bool:
    """True when two slots share more than an end point."""
    return a[0] < b[1] and b[0] < a[1]


def _default_time_limit(tickets: int) -> float:
    """Solve time limit that scales with size: 10 s, 30 s, 60 s, then 120 s."""
    if tickets <= 60:
        return 10.0
    if tickets <= 300:
        return 30.0
    return 60.0 if tickets <= 1500 else 120.0


# --------------------------------------------------------------------------- depots


def _depot_sites(rng: Rng, city: City, count: int) -> list[tuple[str, float, float]]:
    """Depot ids and positions at district centres, busiest districts most likely first."""
    order = _pick_many(rng, city.districts, [d.weight for d in city.districts], len(city.districts))
    sites: list[tuple[str, float, float]] = []
    for i in range(count):
        d, rnd = order[i % len(order)], i // len(order)
        if rnd == 0:
            sites.append((f"WH-{d.code}", d.lat, d.lon))
        else:
            lat, lon = _gauss_point(rng, d.lat, d.lon, d.sigma_km, city.box)
            sites.append((f"WH-{d.code}{rnd + 1}", lat, lon))
    return sites


def _depot_stock(rng: Rng) -> dict[str, int]:
    """A depot's shelves: every stocked SKU in depot quantities, rare ones sometimes out."""
    stock: dict[str, int] = {}
    for part in CATALOGUE:
        lo, hi = part.depot_qty
        if hi == 0:
            continue
        if part.van_share < RARE_VAN_SHARE and rng.random() < DEPOT_OUT_OF_RARE:
            continue
        stock[part.sku] = int(rng.integers(lo, hi + 1))
    return stock


def _make_depots(rng: Rng, city: City, count: int) -> list[JsonDict]:
    """Depots as contract dicts (times still in minutes, formatted at the end)."""
    return [
        {
            "id": sid,
            "location": {"lat": lat, "lon": lon},
            "stock": _depot_stock(rng),
            "open": DEPOT_OPEN,
            "pickup_min": 10,
        }
        for sid, lat, lon in _depot_sites(rng, city, count)
    ]


# --------------------------------------------------------------------------- technicians


def _shift_kinds(rng: Rng, count: int) -> list[Slot]:
    """Shifts of the crew: ~15% late (at least one in crews of 4+), the rest early or day."""
    late = round(LATE_SHIFT_SHARE * count)
    if count >= 4:
        late = max(late, 1)
    shifts = [SHIFT_LATE] * late
    shifts += [SHIFT_EARLY if rng.random() < 0.53 else SHIFT_DAY for _ in range(count - late)]
    return [shifts[int(i)] for i in rng.permutation(count)]


def _tech_skills(rng: Rng) -> dict[str, int]:
    """2-4 appliance skills with levels by seniority: junior 1-2, mid 3, senior 4-5."""
    k = int(_pick(rng, (2, 3, 4), (0.35, 0.40, 0.25)))
    chosen = _pick_many(rng, APPLIANCES, [APPLIANCE_SHARE[a] for a in APPLIANCES], k)
    tier = _pick(rng, ("junior", "mid", "senior"), (0.35, 0.40, 0.25))
    skills: dict[str, int] = {}
    for i, appliance in enumerate(chosen):
        if tier == "junior":
            level = int(rng.integers(1, 3))
        elif tier == "mid":
            level = 3 if i == 0 else int(rng.integers(2, 4))
        else:
            level = (5 if rng.random() < 0.3 else 4) if i == 0 else int(rng.integers(3, 5))
        skills[appliance] = level
    return dict(sorted(skills.items(), key=lambda kv: APPLIANCES.index(kv[0])))


def _van_stock(rng: Rng, skills: dict[str, int]) -> dict[str, int]:
    """Parts on the van: for each skill, the SKUs a van usually carries for it."""
    stock: dict[str, int] = {}
    for part in CATALOGUE:
        if part.appliance in skills and part.van_share > 0 and rng.random() < part.van_share:
            stock[part.sku] = int(rng.integers(part.van_qty[0], part.van_qty[1] + 1))
    return stock


def _tech_home(rng: Rng, city: City, depots: list[JsonDict]) -> tuple[float, float]:
    """Where a technician starts: a depot for ~20%, else a home somewhere in the city."""
    if depots and rng.random() < 0.2:
        loc = depots[int(rng.integers(len(depots)))]["location"]
        return loc["lat"], loc["lon"]
    d = _pick(rng, city.districts, [d.weight for d in city.districts])
    return _gauss_point(rng, d.lat, d.lon, min(2.0 * d.sigma_km, 4.0), city.box)


def _make_technician(
    rng: Rng, index: int, width: int, shift: Slot, city: City, depots: list[JsonDict]
) -> _Tech:
    """One technician: start, shift, break, overtime, speed, skills and van stock."""
    lat, lon = _tech_home(rng, city, depots)
    late = shift == SHIFT_LATE
    overtime = 0 if late else int(_pick(rng, (0, 30, 60), (0.40, 0.35, 0.25)))
    speed = 1.0 if rng.random() < 0.8 else float(_pick(rng, (1.1, 1.15, 1.2), (1, 1, 1)))
    max_jobs = int(rng.integers(4, 7)) if rng.random() < 0.1 else None
    skills = _tech_skills(rng)
    return _Tech(
        id=f"T{index:0{width}d}",
        lat=lat,
        lon=lon,
        shift=shift,
        break_window=LATE_BREAK_WINDOW if late else LUNCH_WINDOW,
        break_min=int(_pick(rng, (45, 50, 55, 60), (0.4, 0.15, 0.15, 0.3))),
        overtime_max_min=overtime,
        speed_factor=speed,
        max_jobs=max_jobs,
        skills=skills,
        stock={},
    )


def _ensure_coverage(rng: Rng, techs: list[_Tech]) -> None:
    """Give each appliance a level-4 technician, as rosters cover every product line.

    The most senior holder of the skill is promoted (or, if nobody has it, someone with
    fewer than 4 skills learns it); level 5 stays rare on purpose.
    """
    for appliance in APPLIANCES:
        if any(t.skills.get(appliance, 0) >= 4 for t in techs):
            continue
        pool = [t for t in techs if appliance in t.skills or len(t.skills) < 4]
        if not pool:
            continue
        best = max(t.skills.get(appliance, 0) for t in pool)
        candidates = [t for t in pool if t.skills.get(appliance, 0) == best]
        tech = candidates[int(rng.integers(len(candidates)))]
        tech.skills[appliance] = 4
        tech.skills = dict(sorted(tech.skills.items(), key=lambda kv: APPLIANCES.index(kv[0])))


def _make_technicians(rng: Rng, city: City, count: int, depots: list[JsonDict]) -> list[_Tech]:
    """The crew of the day, ids T01, T02, ... (wider when there are 100 or more)."""
    width = max(2, len(str(count)))
    shifts = _shift_kinds(rng, count)
    techs = [_make_technician(rng, i + 1, width, shifts[i], city, depots) for i in range(count)]
    _ensure_coverage(rng, techs)
    for tech in techs:
        tech.stock = _van_stock(rng, tech.skills)
    return techs


# --------------------------------------------------------------------------- tickets


def _ticket_location(rng: Rng, city: City, previous: list[_Ticket]) -> tuple[float, float]:
    """A customer address clustered around a district; ~3% share a building with another."""
    if previous and rng.random() < 0.03:
        other = previous[int(rng.integers(len(previous)))]
        return other.lat, other.lon
    d = _pick(rng, city.districts, [d.weight for d in city.districts])
    return _gauss_point(rng, d.lat, d.lon, d.sigma_km, city.box)


def _skill_level(rng: Rng, ticket_type: str, appliance: str) -> int:
    """Minimum level: big repairs/installs 3-4, small ones 2-3, routine work 1-2, rarely 5."""
    if ticket_type in ("repair", "install"):
        if rng.random() < 0.045:
            return 5
        if appliance in BIG_UNITS:
            return int(_pick(rng, (3, 4), (0.65, 0.35)))
        return int(_pick(rng, (2, 3), (0.5, 0.5)))
    return int(_pick(rng, (1, 2), (0.6, 0.4)))


def _two_slots(rng: Rng, slots: Sequence[Slot], weights: Sequence[float]) -> list[Slot]:
    """Two non-overlapping alternative slots, earliest first."""
    first = _pick(rng, slots, weights)
    rest = [(s, w) for s, w in zip(slots, weights, strict=True) if not _overlaps(s, first)]
    second = _pick(rng, [s for s, _ in rest], [w for _, w in rest])
    return sorted([first, second])


def _windows(rng: Rng) -> list[Slot]:
    """Appointment slots: ~80% one half-day or 2-hour slot, ~10% two choices, ~10% none."""
    u = rng.random()
    if u < 0.10:
        return []
    half_day = rng.random() < 0.6
    slots, weights = (
        (HALF_DAY_SLOTS, HALF_DAY_WEIGHTS) if half_day else (TWO_HOUR_SLOTS, TWO_HOUR_WEIGHTS)
    )
    if u < 0.20:
        return _two_slots(rng, slots, weights)
    return [_pick(rng, slots, weights)]


def _parts(rng: Rng, ticket_type: str, appliance: str) -> dict[str, int]:
    """Parts a repair needs (~70% of repairs): one SKU, sometimes 2 units or a second SKU."""
    if ticket_type != "repair" or rng.random() >= 0.7:
        return {}
    pool = [p for p in CATALOGUE if p.appliance == appliance]
    demand = [p.demand for p in pool]
    u = rng.random()
    if u < 0.10:
        return {p.sku: 1 for p in _pick_many(rng, pool, demand, 2)}
    return {_pick(rng, pool, demand).sku: 2 if u < 0.20 else 1}


def _make_ticket(rng: Rng, number: int, city: City, previous: list[_Ticket]) -> _Ticket:
    """One service request before the cross-cutting choices (pins, SLAs, durations)."""
    lat, lon = _ticket_location(rng, city, previous)
    ticket_type = _pick(rng, list(TICKET_TYPES), list(TICKET_TYPES.values()))
    mix = TYPE_APPLIANCES[ticket_type]
    appliance = _pick(rng, list(mix), list(mix.values()))
    lo, mode, hi = DURATION_RANGE[ticket_type]
    return _Ticket(
        id=f"SR-{10000 + number}",
        lat=lat,
        lon=lon,
        type=ticket_type,
        appliance=appliance,
        level=_skill_level(rng, ticket_type, appliance),
        raw_duration=float(rng.triangular(lo, mode, hi)),
        windows=_windows(rng),
        parts=_parts(rng, ticket_type, appliance),
        priority=_pick(rng, list(PRIORITIES), list(PRIORITIES.values())),
        vip=bool(rng.random() < 0.10),
    )


def _slot_in_shift(rng: Rng, shift: Slot) -> Slot:
    """A 2-hour customer slot lying wholly inside `shift`."""
    inside = [s for s in TWO_HOUR_SLOTS if s[0] >= shift[0] and s[1] <= shift[1]]
    return _pick(rng, inside, [1.0] * len(inside))


def _pin(rng: Rng, tickets: list[_Ticket], techs: list[_Tech]) -> None:
    """Pin ~2% of tickets to a qualified technician, keeping the slots inside that shift."""
    for t in tickets:
        if rng.random() >= 0.02:
            continue
        able = [x for x in techs if x.qualified(t.appliance, t.level)]
        if not able:
            continue
        tech = able[int(rng.integers(len(able)))]
        t.pinned = tech.id
        t.windows = [w for w in t.windows if w[0] >= tech.shift[0] and w[1] <= tech.shift[1]]
        if not t.windows:
            t.windows = [_slot_in_shift(rng, tech.shift)]


def _mark_required(rng: Rng, tickets: list[_Ticket], techs: list[_Tech]) -> None:
    """Make a few simple urgent tickets required, with a wide afternoon window."""
    cap = max(1, len(tickets) // 50)
    for t in tickets:
        if cap == 0:
            return
        simple = t.priority == "urgent" and t.level <= 3 and not t.parts and t.pinned is None
        coverable = any(
            x.qualified(t.appliance, t.level)
            and x.shift[0] <= REQUIRED_WINDOW[0]
            and x.shift[1] >= REQUIRED_WINDOW[1]
            for x in techs
        )
        if simple and coverable and rng.random() < 0.4:
            t.required, t.windows, cap = True, [REQUIRED_WINDOW], cap - 1


def _affinities(rng: Rng, tickets: list[_Ticket], techs: list[_Tech]) -> None:
    """Preferred technicians (~10%, continuity) and excluded ones (~3%, complaints)."""
    for t in tickets:
        if rng.random() < 0.10:
            able = [x.id for x in techs if x.qualified(t.appliance, t.level)] or [
                x.id for x in techs
            ]
            k = 1 if len(able) == 1 or rng.random() < 0.7 else 2
            t.preferred = sorted(_pick_many(rng, able, [1.0] * len(able), k))
        if t.required or rng.random() >= 0.03:
            continue
        others = [x.id for x in techs if x.id != t.pinned and x.id not in t.preferred]
        if others:
            t.excluded = [others[int(rng.integers(len(others)))]]


def _sla(rng: Rng, tickets: list[_Ticket]) -> None:
    """`sla_due` = creation + 4-8 h for urgent/high/VIP and ~40% of the rest."""
    for t in tickets:
        if not (t.priority in ("urgent", "high") or t.vip or rng.random() < 0.4):
            continue
        first = min((w[0] for w in t.windows), default=HORIZON[0])
        created = max(6 * 60, first - int(rng.integers(0, 241)))
        if not t.windows:
            created = int(rng.integers(6 * 60, 10 * 60 + 1))
        due = _round5(created + float(rng.uniform(240, 480)))
        t.sla_due = max(due, first + 30)


def _scaled_durations(tickets: list[_Ticket], target_min: float) -> list[int]:
    """Durations scaled by one factor so they sum near `target_min`, each in its type's range."""

    def at(scale: float) -> list[int]:
        """Durations at a given scale factor, rounded to 5 and clipped to the type range."""
        out = []
        for t in tickets:
            lo, _, hi = DURATION_RANGE[t.type]
            out.append(_clamp(_round5(t.raw_duration * scale), lo, hi))
        return out

    lo_s, hi_s = 0.1, 10.0
    for _ in range(60):
        mid = 0.5 * (lo_s + hi_s)
        if sum(at(mid)) < target_min:
            lo_s = mid
        else:
            hi_s = mid
    return min(at(lo_s), at(hi_s), key=lambda d: abs(sum(d) - target_min))


def _make_tickets(
    rng: Rng, city: City, count: int, techs: list[_Tech], load: float
) -> list[_Ticket]:
    """All tickets of the day, decorated and with durations matched to `load`."""
    tickets: list[_Ticket] = []
    for i in range(count):
        tickets.append(_make_ticket(rng, i + 1, city, tickets))
    _pin(rng, tickets, techs)
    _mark_required(rng, tickets, techs)
    _affinities(rng, tickets, techs)
    _sla(rng, tickets)
    capacity = sum(x.capacity_min for x in techs)
    target = load * capacity - TRAVEL_ESTIMATE_MIN * count
    for t, d in zip(tickets, _scaled_durations(tickets, target), strict=True):
        t.duration_min = d
    return tickets


# --------------------------------------------------------------------------- JSON


class _Clock:
    """Formats minutes after local midnight of the day as RFC 3339 with the city's offset."""

    def __init__(self, day: Date, utc_offset_h: int) -> None:
        """Remember the local midnight of `day`."""
        tz = timezone(timedelta(hours=utc_offset_h))
        self.midnight = datetime(day.year, day.month, day.day, tzinfo=tz)

    def at(self, minutes: int) -> str:
        """RFC 3339 time `minutes` after midnight (rolls over to the next day if needed)."""
        return (self.midnight + timedelta(minutes=minutes)).isoformat()

    def window(self, slot: Slot) -> JsonDict:
        """A contract `{start, end}` object."""
        return {"start": self.at(slot[0]), "end": self.at(slot[1])}


def _tech_json(t: _Tech, clock: _Clock) -> JsonDict:
    """A technician in contract form (defaults left out except overtime)."""
    out: JsonDict = {
        "id": t.id,
        "start": {"lat": t.lat, "lon": t.lon},
        "shift": clock.window(t.shift),
        "skills": dict(t.skills),
        "stock": dict(t.stock),
        "breaks": [{"window": clock.window(t.break_window), "duration_min": t.break_min}],
        "overtime_max_min": t.overtime_max_min,
    }
    if t.speed_factor != 1.0:
        out["speed_factor"] = t.speed_factor
    if t.max_jobs is not None:
        out["max_jobs"] = t.max_jobs
    return out


def _ticket_json(t: _Ticket, clock: _Clock) -> JsonDict:
    """A ticket in contract form (optional fields only when they say something)."""
    out: JsonDict = {
        "id": t.id,
        "location": {"lat": t.lat, "lon": t.lon},
        "type": t.type,
        "duration_min": t.duration_min,
    }
    if t.windows:
        out["time_windows"] = [clock.window(w) for w in t.windows]
    out["skills"] = {t.appliance: t.level}
    if t.parts:
        out["parts"] = dict(t.parts)
    out["priority"] = t.priority
    if t.vip:
        out["vip"] = True
    if t.sla_due is not None:
        out["sla_due"] = clock.at(t.sla_due)
    if t.required:
        out["required"] = True
    if t.pinned is not None:
        out["pinned_technician"] = t.pinned
    if t.preferred:
        out["preferred_technicians"] = list(t.preferred)
    if t.excluded:
        out["excluded_technicians"] = list(t.excluded)
    return out


def _depot_json(d: JsonDict, clock: _Clock) -> JsonDict:
    """A depot in contract form, its opening hours formatted."""
    return {**d, "open": clock.window(d["open"])}


# --------------------------------------------------------------------------- public API


def _check_args(tickets: int, technicians: int, depots: int, city: str, load: float) -> None:
    """Reject arguments that cannot make a valid problem, with a clear message."""
    if tickets < 0:
        raise ValueError(f"tickets must be >= 0, got {tickets}")
    if technicians < 1:
        raise ValueError(f"technicians must be >= 1, got {technicians}")
    if depots < 0:
        raise ValueError(f"depots must be >= 0, got {depots}")
    if city not in CITIES:
        raise ValueError(f"unknown city {city!r}; known: {', '.join(sorted(CITIES))}")
    if not load > 0:
        raise ValueError(f"load must be > 0, got {load}")


def generate_problem(
    *,
    tickets: int,
    technicians: int,
    depots: int = 2,
    city: str = "shenzhen",
    seed: int = 0,
    date: str = "2026-11-23",
    time_limit_s: float | None = None,
    load: float = 1.1,
    name: str | None = None,
) -> dict:
    """A realistic field-service day as a contract v1 problem dict, fully determined by the args."""
    _check_args(tickets, technicians, depots, city, load)
    spec = CITIES[city]
    clock = _Clock(Date.fromisoformat(date), spec.utc_offset_h)
    rng = np.random.default_rng(seed)
    depot_list = _make_depots(rng, spec, depots)
    techs = _make_technicians(rng, spec, technicians, depot_list)
    ticket_list = _make_tickets(rng, spec, tickets, techs, load)
    limit = _default_time_limit(tickets) if time_limit_s is None else float(time_limit_s)
    return {
        "name": name or f"{city}-{tickets}x{technicians}-seed{seed}",
        "horizon": clock.window(HORIZON),
        "travel": {"model": "haversine", "speed_kmh": 25, "circuity": 1.35, "stop_overhead_min": 5},
        "depots": [_depot_json(d, clock) for d in depot_list],
        "technicians": [_tech_json(t, clock) for t in techs],
        "tickets": [_ticket_json(t, clock) for t in ticket_list],
        "solve": {"time_limit_s": limit, "seed": 0},
    }


def dumps(problem: dict) -> str:
    """The canonical serialisation of a generated problem (stable bytes for a given seed)."""
    return json.dumps(problem, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def _minutes(a: str, b: str) -> float:
    """Minutes from RFC 3339 time `a` to `b`."""
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds() / 60.0


def capacity_min(problem: dict) -> float:
    """Technicians' total shift minutes minus break minutes (overtime not counted)."""
    total = 0.0
    for t in problem["technicians"]:
        total += _minutes(t["shift"]["start"], t["shift"]["end"])
        total -= sum(b["duration_min"] for b in t.get("breaks", []))
    return total


def load_ratio(problem: dict) -> float:
    """(Service minutes + 20 min travel per ticket) / capacity: above 1 means over capacity."""
    demand = sum(t["duration_min"] + TRAVEL_ESTIMATE_MIN for t in problem["tickets"])
    capacity = capacity_min(problem)
    return demand / capacity if capacity > 0 else math.inf


def _ordered_counts(values: list[str], order: Sequence[str]) -> dict[str, int]:
    """Counts of `values`, keys in the given canonical order, unknown values last."""
    counts = Counter(values)
    keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order)
    return {k: counts[k] for k in keys}


def describe(problem: dict) -> JsonDict:
    """Headline statistics of a problem: counts, mixes, hours and the load ratio."""
    tickets = problem["tickets"]
    return {
        "name": problem["name"],
        "tickets": len(tickets),
        "technicians": len(problem["technicians"]),
        "depots": len(problem["depots"]),
        "by_priority": _ordered_counts([t.get("priority", "normal") for t in tickets], PRIORITIES),
        "by_type": _ordered_counts([t.get("type", "repair") for t in tickets], TICKET_TYPES),
        "vip": sum(1 for t in tickets if t.get("vip")),
        "required": sum(1 for t in tickets if t.get("required")),
        "with_parts": sum(1 for t in tickets if t.get("parts")),
        "with_sla": sum(1 for t in tickets if "sla_due" in t),
        "service_h": round(sum(t["duration_min"] for t in tickets) / 60.0, 1),
        "capacity_h": round(capacity_min(problem) / 60.0, 1),
        "load_ratio": round(load_ratio(problem), 3),
    }


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options of the generator."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.generate",
        description="Generate a seeded, realistic technician dispatch problem (contract v1 JSON).",
    )
    p.add_argument("--tickets", type=int, required=True, help="number of tickets")
    p.add_argument("--technicians", type=int, required=True, help="number of technicians")
    p.add_argument("--depots", type=int, default=2, help="number of parts depots (default 2)")
    p.add_argument("--city", default="shenzhen", choices=sorted(CITIES), help="city")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--date", default="2026-11-23", help="service day, YYYY-MM-DD")
    p.add_argument(
        "--load",
        type=float,
        default=1.1,
        help="(service + 20 min/ticket travel) / shift capacity (default 1.1)",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=None,
        dest="time_limit",
        help="solve.time_limit_s (default scales with the number of tickets)",
    )
    p.add_argument("--name", default=None, help="problem name")
    p.add_argument("--out", type=Path, default=None, help="output file (default stdout)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry: generate, write the JSON, report the load ratio and mixes on stderr."""
    args = _parse_args(argv)
    problem = generate_problem(
        tickets=args.tickets,
        technicians=args.technicians,
        depots=args.depots,
        city=args.city,
        seed=args.seed,
        date=args.date,
        time_limit_s=args.time_limit,
        load=args.load,
        name=args.name,
    )
    text = dumps(problem)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    stats = describe(problem)
    print(
        f"{stats['name']}: {stats['tickets']} tickets, {stats['technicians']} technicians, "
        f"{stats['depots']} depots; service {stats['service_h']} h + travel estimate "
        f"{TRAVEL_ESTIMATE_MIN * stats['tickets'] / 60:.1f} h vs capacity "
        f"{stats['capacity_h']} h -> load ratio {stats['load_ratio']:.2f} "
        f"(asked {args.load:.2f}); priorities {stats['by_priority']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
