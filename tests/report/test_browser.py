"""Proof in a real browser: the default scenario's report opens in headless Chromium with
the network offline, without console errors or remote requests, and shows one route per
technician, the board and the unassigned list. A screenshot is kept under artifacts/."""

import re

import pytest

from dispatch_opt.report.html import render_report
from dispatch_opt.report.places import is_used
from tests.report.chromium import find_chromium, load_offline
from tests.report.conftest import NASTY_TECH, NASTY_TICKET

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary (install Debian's chromium, as .ci/run does, or set $CHROMIUM)",
)

PROBES = {
    "route_lines": "document.querySelectorAll('#map path.route-line').length",
    "drawn": "document.body.dataset.routesDrawn",
    "board_rows": "document.querySelectorAll('#board g.row').length",
    "legend": "document.querySelectorAll('#legend input[data-tech]').length",
    "unassigned_rows": "document.querySelectorAll('#unassigned tr.unassigned-row').length",
    "unassigned_markers": "document.querySelectorAll('#map .mk-unassigned').length",
    "ticket_markers": "document.querySelectorAll('#map .mk-ticket').length",
    "map_width": "document.getElementById('map').getBoundingClientRect().width",
    "online": "navigator.onLine",
    "notice": "document.getElementById('map-notice').textContent",
    "kpis": "document.querySelectorAll('#kpis .kpi').length",
    "hover_tip": (
        "(() => { const r = document.querySelector('#board rect.b-service');"
        " r.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));"
        " const t = document.getElementById('tip'); return t.hidden ? null : t.textContent; })()"
    ),
    "popup": (
        "(() => { document.querySelector('#map .mk-ticket').click();"
        " const p = document.querySelector('.leaflet-popup-content');"
        " return p ? p.textContent : null; })()"
    ),
    "hidden_after_toggle": (
        "(() => { const b = document.querySelector('#legend input[data-tech]'); b.click();"
        " return document.querySelectorAll('#map path.route-line').length; })()"
    ),
}


def test_default_report_in_headless_chromium(default_problem, default_plan, artifacts, capsys):
    page = artifacts / "default-report.html"
    page.write_text(render_report(default_problem, default_plan), encoding="utf-8")
    shot = artifacts / "default-report.png"
    run = load_offline(CHROMIUM, page, PROBES, screenshot=shot)
    with capsys.disabled():
        print(f"\nreport screenshot: {shot} (page {page}, {page.stat().st_size:,} bytes)")

    assert run.errors == []
    assert run.remote_requests == []
    values = run.values
    used = sum(1 for r in default_plan.routes if is_used(r))
    assert values["route_lines"] == used == int(values["drawn"])
    assert values["board_rows"] == values["legend"] == len(default_problem.technicians)
    assert values["unassigned_rows"] == values["unassigned_markers"]
    assert values["unassigned_rows"] == len(default_plan.unassigned)
    served = sum(len(r.ticket_ids) for r in default_plan.routes)
    assert values["ticket_markers"] == served
    assert values["map_width"] > 400 and values["kpis"] == 8
    assert values["online"] is False and "Offline" in values["notice"]
    assert values["hover_tip"].startswith("ticket SR-") and "slot" in values["hover_tip"]
    # the first ticket marker's popup: its stop number (#2 when a depot stop comes first)
    assert re.search(r"#\d+ ticket SR-", values["popup"]) and "ETA" in values["popup"]
    assert values["hidden_after_toggle"] == used - 1  # the legend hides the first route
    assert shot.stat().st_size > 10_000


def test_hostile_ids_stay_text_in_the_browser(small_problem, small_plan, tmp_path):
    page = tmp_path / "nasty.html"
    page.write_text(render_report(small_problem, small_plan), encoding="utf-8")
    open_popup = (
        "(() => { const m = [...document.querySelectorAll('#map .mk-ticket')]"
        ".find(e => e.textContent === '2'); m.click();"
        " const p = document.querySelector('.leaflet-popup-content');"
        " return p ? p.querySelector('.pop-title').textContent : null; })()"
    )
    probes = {
        "xss": "window.__xss === undefined ? 'none' : 'ran'",
        "popup_title": open_popup,
        "injected": "document.querySelectorAll('.leaflet-popup-content img, #board img').length",
        "legend_text": "document.querySelector('#legend li').textContent",
    }
    run = load_offline(CHROMIUM, page, probes)
    assert run.errors == []
    assert run.values["xss"] == "none"
    assert run.values["popup_title"] == f"#2 ticket {NASTY_TICKET} ({NASTY_TECH})"
    assert run.values["injected"] == 0
    assert NASTY_TECH in run.values["legend_text"]


def test_the_harness_sees_errors_and_remote_requests(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><body><script>console.error('boom');"
        "fetch('https://example.invalid/x').catch(() => {});"
        "document.body.dataset.ready = '1'; undefinedFunction();</script></body></html>"
    )
    run = load_offline(CHROMIUM, page, {})
    assert any("boom" in e for e in run.errors)
    assert any("undefinedFunction" in e for e in run.errors)
    assert run.remote_requests == ["https://example.invalid/x"]
