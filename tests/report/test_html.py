"""The HTML report is one self-contained page, escapes every user string, and carries the
KPI header, map data, board and unassigned list; the comparison page sets KPIs side by side."""

import json
import re

import pytest

from dispatch_opt.report import assets
from dispatch_opt.report.html import render_comparison, render_report
from dispatch_opt.report.markup import json_for_script
from tests.report.conftest import NASTY_DETAIL, NASTY_TECH, NASTY_TICKET


def _data(page: str) -> dict:
    """The JSON the map script reads."""
    raw = re.search(r'<script type="application/json" id="dispatch-data">(.*?)</script>', page)
    assert raw is not None
    return json.loads(raw.group(1))


def test_every_user_string_is_escaped(small_problem, small_plan):
    page = render_report(small_problem, small_plan, title="<i>plan</i>")
    for raw in (NASTY_TICKET, NASTY_TECH, NASTY_DETAIL, "<i>plan</i>", "WH&1"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; more" in page
    assert "&lt;i&gt;plan&lt;/i&gt;" in page
    assert page.count("<script") == 3 and page.count("</script>") == 3
    data = _data(page)  # hostile ids survive the JSON block intact
    assert data["routes"][0]["tech"] == NASTY_TECH
    assert any(
        s["title"].startswith(f"#2 ticket {NASTY_TICKET}") for s in data["routes"][0]["stops"]
    )
    assert data["unassigned"][0]["rows"][-1] == ["capacity", NASTY_DETAIL]


def test_json_for_script_cannot_close_the_tag():
    text = json_for_script({"a": "</script><!-- \u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028"}


def test_page_is_self_contained(small_problem, small_plan):
    page = render_report(small_problem, small_plan)
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert "sourceMappingURL" not in page
    assert "url(images/" not in page  # Leaflet's images are data URIs
    assert "Leaflet 1.9.4" in page and "data:image/png;base64," in page
    assert not re.search(r"""src=["']?https?:""", page)
    assert "@import" not in page and "<link" not in page
    assert _data(page)["tiles"]["attribution"] == "© OpenStreetMap contributors"


def test_sections_kpis_and_unassigned(small_problem, small_plan):
    page = render_report(small_problem, small_plan)
    for section in ('id="kpis"', 'id="map"', 'id="board"', 'id="unassigned"', 'id="legend"'):
        assert section in page
    assert "urgent 1/1 · normal 1/2" in page
    assert 'data-kpi="sla"' in page and "0.0%" in page
    assert "12.5 km" in page and "15 min" in page and "30.0%" in page
    assert page.count('class="unassigned-row"') == 1
    assert page.count('<input type="checkbox" data-tech=') == 2
    data = _data(page)
    first, idle = data["routes"]
    assert first["used"] and not idle["used"]
    assert [s["mark"] for s in first["stops"]] == ["S", "1", "2", "3", "E"]
    assert [s["mark"] for s in idle["stops"]] == ["S"]  # start and end in one marker
    late = [s for s in first["stops"] if s["late"]]
    assert [s["title"] for s in late] == [f"#3 ticket SR-2 ({NASTY_TECH})"]
    rows = dict(map(tuple, late[0]["rows"]))
    assert rows["ETA"] == "12:20" and rows["lateness"] == "20 min" and rows["slot"] == "any time"
    assert first["path"][0] == [
        small_problem.technicians[0].start.lat,
        small_problem.technicians[0].start.lon,
    ]


def test_leaflet_ships_with_its_licence():
    assert "BSD 2-Clause" in assets.read("leaflet/LICENSE")
    assert "L.version" not in assets.leaflet_js()  # smoke: the release bundle, not a stub
    assert 'version="1.9.4"' in assets.leaflet_js()


def test_comparison_puts_kpis_side_by_side(
    small_problem, small_plan, default_problem, default_plan
):
    page = render_comparison(
        [
            ("baseline <b>", default_problem, default_plan),
            ("what-if", small_problem, small_plan),
        ]
    )
    assert "baseline &lt;b&gt;" in page and "<b>" not in page
    assert page.count("<tr data-kpi=") == 7
    row = re.search(r'<tr data-kpi="km">(.*?)</tr>', page).group(1)
    assert row.count('class="best"') == 1 and "12.5 km" in row.split('class="best"')[1]
    assert "<script" not in page


def test_comparison_needs_a_plan():
    with pytest.raises(ValueError):
        render_comparison([])


def test_default_report_size_is_reasonable(default_problem, default_plan):
    page = render_report(default_problem, default_plan)
    assert len(default_plan.routes) == len(_data(page)["routes"]) == 20
    assert len(page.encode()) < 1_000_000
