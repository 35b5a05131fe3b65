"""Safe building blocks for HTML: escaping text and embedding JSON in a script tag."""

from __future__ import annotations

import html
import json
from typing import Any

_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def esc(value: object) -> str:
    """Text (or any value's str) escaped for HTML content and quoted attributes."""
    return html.escape(str(value), quote=True)


def json_for_script(data: Any) -> str:
    """JSON that can sit inside <script type="application/json"> without ending it."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for char, code in _SCRIPT_UNSAFE.items():
        text = text.replace(char, code)
    return text
