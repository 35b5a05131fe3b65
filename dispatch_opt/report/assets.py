"""Packaged static files of the report (Leaflet and our own script and style), made ready
to inline: no source-map comment, CSS images as data URIs, nothing left to fetch."""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources

_STATIC = resources.files("dispatch_opt.report") / "static"
_CSS_URL = re.compile(r"url\((['\"]?)images/([\w.-]+\.png)\1\)")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


def read(name: str) -> str:
    """A text asset under static/, e.g. 'report.js' or 'leaflet/leaflet.css'."""
    return (_STATIC / name).read_text(encoding="utf-8")


def _png_data_uri(name: str) -> str:
    """A Leaflet image as a data URI."""
    data = (_STATIC / "leaflet" / "images" / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


@cache
def leaflet_js() -> str:
    """Leaflet's release script without its source-map comment."""
    return _SOURCE_MAP.sub("", read("leaflet/leaflet.js"))


@cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images inlined."""
    return _CSS_URL.sub(
        lambda m: f'url("{_png_data_uri(m.group(2))}")', read("leaflet/leaflet.css")
    )


def script_safe(text: str) -> str:
    """Text that can sit inside <script> or <style>: no closing tag sequence."""
    if re.search(r"</(script|style)", text, re.IGNORECASE):
        raise ValueError("asset contains a closing script/style tag")
    return text
