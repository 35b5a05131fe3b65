"""Tests of the seeded scenario generator: determinism, referential integrity, mixes, bounds."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from benchmarks.generate import (
    CATALOGUE,
    CITIES,
    dumps,
    generate_problem,
    load_ratio,
    main,
)

REPO = Path(__file__).resolve().parents[2]
SHENZHEN_BOX = (22.49, 22.59, 113.96, 114.09)

PROBLEM_KEYS = {"name", "horizon", "travel", "depots", "technicians", "tickets", "solve"}
DEPOT_KEYS = {"id", "location", "stock", "open", "pickup_min"}
TECH_KEYS = {
    "id", "start", "end", "shift", "skills", "stock", "breaks", "speed_factor",
    "max_jobs", "max_travel_min", "overtime_max_min",
}  # fmt: skip
TICKET_KEYS = {
    "id", "location", "type", "duration_min", "time_windows", "skills", "parts",
    "priority", "vip", "sla_due", "required", "pinned_technician",
    "preferred_technicians", "excluded_technicians",
}  # fmt: skip


@pytest.fixture(scope="module")
def default() -> dict:
    """The default scenario's arguments, generated once."""
    return generate_problem(tickets=150, technicians=20, depots=2, seed=1, name="shenzhen-default")


@pytest.fixture(scope="module")
def sample() -> dict:
    """A 1000-ticket day for checking the mixes statistically."""
    return generate_problem(tickets=1000, technicians=120, depots=3, city="shanghai", seed=7)


def _t(s: str) -> datetime:
    """Parse an RFC 3339 time, insisting on an explicit offset."""
    moment = datetime.fromisoformat(s)
    assert moment.utcoffset() is not None, s
    return moment


def _inside(window: dict, horizon: dict) -> bool:
    """True when a {start, end} window is non-empty and inside the horizon."""
    return _t(horizon["start"]) <= _t(window["start"]) <= _t(window["end"]) <= _t(horizon["end"])


def test_same_seed_same_problem() -> None:
    """Identical arguments give identical dicts and identical bytes."""
    a = generate_problem(tickets=60, technicians=8, seed=11)
    b = generate_problem(tickets=60, technicians=8, seed=11)
    assert a == b
    assert dumps(a) == dumps(b)


def test_different_seeds_differ() -> None:
    """Another seed gives another day."""
    a = generate_problem(tickets=60, technicians=8, seed=11)
    b = generate_problem(tickets=60, technicians=8, seed=12)
    assert a["tickets"] != b["tickets"]
    assert a["technicians"] != b["technicians"]


@pytest.mark.parametrize("city", sorted(CITIES))
def test_counts_and_ids(city: str) -> None:
    """Exactly the asked counts, with unique ids in the documented forms."""
    p = generate_problem(tickets=45, technicians=7, depots=3, city=city, seed=3)
    assert len(p["tickets"]) == 45
    assert len(p["technicians"]) == 7
    assert len(p["depots"]) == 3
    for kind, prefix in (("tickets", "SR-1"), ("technicians", "T"), ("depots", "WH-")):
        ids = [x["id"] for x in p[kind]]
        assert len(set(ids)) == len(ids)
        assert all(i.startswith(prefix) for i in ids)
    assert p["tickets"][0]["id"] == "SR-10001"
    assert p["technicians"][0]["id"] == "T01"


def test_only_contract_fields(default: dict) -> None:
    """No field outside contract v1 (the parser rejects unknown fields)."""
    assert set(default) <= PROBLEM_KEYS
    assert all(set(d) <= DEPOT_KEYS for d in default["depots"])
    assert all(set(t) <= TECH_KEYS for t in default["technicians"])
    assert all(set(t) <= TICKET_KEYS for t in default["tickets"])


def test_references_resolve(sample: dict) -> None:
    """Every technician id a ticket names exists, and skills/parts use known names."""
    techs = {t["id"]: t for t in sample["technicians"]}
    skus = {p.sku for p in CATALOGUE}
    for k in sample["tickets"]:
        named = list(k.get("preferred_technicians", [])) + list(k.get("excluded_technicians", []))
        if "pinned_technician" in k:
            named.append(k["pinned_technician"])
            assert k["pinned_technician"] not in k.get("excluded_technicians", [])
        assert all(n in techs for n in named), k["id"]
        assert set(k.get("parts", {})) <= skus
        assert len(k["skills"]) == 1 and 1 <= next(iter(k["skills"].values())) <= 5
    for holder in [*sample["technicians"], *sample["depots"]]:
        assert set(holder["stock"]) <= skus
        assert all(q > 0 for q in holder["stock"].values())


def test_times_inside_horizon(sample: dict) -> None:
    """Shifts, breaks, windows and depot hours lie inside 07:00-21:00 with +08:00."""
    h = sample["horizon"]
    assert h["start"].endswith("T07:00:00+08:00") and h["end"].endswith("T21:00:00+08:00")
    for d in sample["depots"]:
        assert _inside(d["open"], h)
    for t in sample["technicians"]:
        assert _inside(t["shift"], h)
        for b in t["breaks"]:
            assert _inside(b["window"], h) and 45 <= b["duration_min"] <= 60
    for k in sample["tickets"]:
        for w in k.get("time_windows", []):
            assert _inside(w, h)
        if "sla_due" in k:
            _t(k["sla_due"])


def test_pinned_windows_inside_the_pinned_shift(sample: dict) -> None:
    """A pinned ticket's tech is qualified and its slots fit that tech's shift."""
    techs = {t["id"]: t for t in sample["technicians"]}
    pinned = [k for k in sample["tickets"] if "pinned_technician" in k]
    assert pinned
    for k in pinned:
        tech = techs[k["pinned_technician"]]
        ((skill, level),) = k["skills"].items()
        assert tech["skills"].get(skill, 0) >= level
        assert k["time_windows"]
        for w in k["time_windows"]:
            assert _inside(w, tech["shift"])


def test_required_tickets_are_simple(sample: dict) -> None:
    """Required tickets are urgent, partless, level <= 3, with a wide afternoon window."""
    required = [k for k in sample["tickets"] if k.get("required")]
    assert 1 <= len(required) <= len(sample["tickets"]) // 50
    for k in required:
        assert k["priority"] == "urgent" and not k.get("parts")
        assert max(k["skills"].values()) <= 3
        assert [w["start"][11:16] for w in k["time_windows"]] == ["13:00"]


def test_mixes(sample: dict) -> None:
    """Types, priorities, VIPs, windows and parts follow the specified shares roughly."""
    tickets = sample["tickets"]
    n = len(tickets)
    types = Counter(k["type"] for k in tickets)
    for name, share in {"repair": 0.55, "install": 0.15, "maintenance": 0.20,
                        "inspection": 0.10}.items():  # fmt: skip
        assert abs(types[name] / n - share) < 0.05, (name, types)
    prios = Counter(k["priority"] for k in tickets)
    for name, share in {"low": 0.20, "normal": 0.55, "high": 0.18, "urgent": 0.07}.items():
        assert abs(prios[name] / n - share) < 0.05, (name, prios)
    assert 0.06 < sum(1 for k in tickets if k.get("vip")) / n < 0.14
    assert 0.06 < sum(1 for k in tickets if not k.get("time_windows")) / n < 0.14
    assert 0.06 < sum(1 for k in tickets if len(k.get("time_windows", [])) == 2) / n < 0.14
    repairs = [k for k in tickets if k["type"] == "repair"]
    assert 0.6 < sum(1 for k in repairs if k.get("parts")) / len(repairs) < 0.8
    level5 = sum(1 for k in tickets if 5 in k["skills"].values())
    assert 0.01 < level5 / n < 0.06


def test_durations_in_type_ranges(sample: dict) -> None:
    """Durations are multiples of 5 inside each type's realistic range."""
    ranges = {"repair": (30, 90), "install": (60, 150), "maintenance": (30, 60),
              "inspection": (15, 30)}  # fmt: skip
    for k in sample["tickets"]:
        lo, hi = ranges[k["type"]]
        assert lo <= k["duration_min"] <= hi and k["duration_min"] % 5 == 0


@pytest.mark.parametrize("load", [0.9, 1.1, 1.3])
def test_load_ratio_follows_load(load: float) -> None:
    """Service + 20 min/ticket over shift-minus-break capacity comes out near `load`."""
    p = generate_problem(tickets=150, technicians=20, seed=5, load=load)
    assert abs(load_ratio(p) - load) < 0.02


def test_technicians_realistic(sample: dict) -> None:
    """2-4 skills per technician, known shifts, some late shifts, some at a depot."""
    depots = {(d["location"]["lat"], d["location"]["lon"]) for d in sample["depots"]}
    shifts = Counter(t["shift"]["start"][11:16] for t in sample["technicians"])
    assert set(shifts) <= {"08:30", "09:00", "12:00"} and shifts["12:00"] > 0
    at_depot = sum((t["start"]["lat"], t["start"]["lon"]) in depots for t in sample["technicians"])
    assert 0 < at_depot < len(sample["technicians"]) / 2
    for t in sample["technicians"]:
        assert 2 <= len(t["skills"]) <= 4
        assert t["overtime_max_min"] in (0, 30, 60)
        assert 1.0 <= t.get("speed_factor", 1.0) <= 1.2


def test_shenzhen_inside_road_box() -> None:
    """Every Shenzhen point lies in the road extract's bounding box."""
    p = generate_problem(tickets=400, technicians=30, depots=4, seed=9)
    lat0, lat1, lon0, lon1 = SHENZHEN_BOX
    points = [k["location"] for k in p["tickets"]] + [t["start"] for t in p["technicians"]]
    points += [d["location"] for d in p["depots"]]
    assert all(lat0 <= q["lat"] <= lat1 and lon0 <= q["lon"] <= lon1 for q in points)


def test_default_time_limits() -> None:
    """Time limit scales with size unless given."""
    assert generate_problem(tickets=40, technicians=5)["solve"]["time_limit_s"] == 10
    assert generate_problem(tickets=61, technicians=5)["solve"]["time_limit_s"] == 30
    assert generate_problem(tickets=10, technicians=2, time_limit_s=3)["solve"] == {
        "time_limit_s": 3,
        "seed": 0,
    }


def test_bad_arguments() -> None:
    """Impossible arguments are refused with a clear message."""
    with pytest.raises(ValueError, match="unknown city"):
        generate_problem(tickets=5, technicians=2, city="atlantis")
    with pytest.raises(ValueError, match="technicians"):
        generate_problem(tickets=5, technicians=0)


def test_cli_writes_the_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI writes exactly `dumps(generate_problem(...))` and reports the load ratio."""
    out = tmp_path / "p.json"
    argv = ["--tickets", "30", "--technicians", "4", "--seed", "4", "--out", str(out)]
    assert main(argv) == 0
    expected = dumps(generate_problem(tickets=30, technicians=4, seed=4))
    assert out.read_text(encoding="utf-8") == expected
    assert "load ratio" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("path", "kwargs"),
    [
        ("scenarios/default.json", {"tickets": 150, "technicians": 20, "depots": 2,
                                    "city": "shenzhen", "seed": 1, "name": "shenzhen-default"}),
        ("scenarios/small.json", {"tickets": 40, "technicians": 6, "depots": 2,
                                  "city": "shenzhen", "seed": 2, "name": "shenzhen-small"}),
        ("scenarios/large.json", {"tickets": 800, "technicians": 100, "depots": 4,
                                  "city": "shanghai", "seed": 3, "name": "shanghai-large"}),
    ],
)  # fmt: skip
def test_committed_scenarios_are_reproducible(path: str, kwargs: dict) -> None:
    """The checked-in scenarios are exactly what the generator makes from their arguments."""
    text = (REPO / path).read_text(encoding="utf-8")
    assert text == dumps(generate_problem(**kwargs))
    assert json.loads(text)["name"] == kwargs["name"]
