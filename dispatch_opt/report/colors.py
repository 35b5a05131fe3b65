"""One distinct, stable colour per technician route."""

from __future__ import annotations

import colorsys
from collections.abc import Sequence

GOLDEN_ANGLE = 137.508


def route_color(index: int) -> str:
    """The colour of the route at `index`: hues spread by the golden angle, as #rrggbb."""
    hue = (index * GOLDEN_ANGLE + 210.0) % 360.0 / 360.0
    lightness = (0.38, 0.48, 0.30)[index % 3]
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, 0.75)
    return "#" + "".join(f"{round(255 * c):02x}" for c in (red, green, blue))


def route_colors(technicians: Sequence[str]) -> dict[str, str]:
    """Technician id to colour, in the given order."""
    return {tech: route_color(i) for i, tech in enumerate(technicians)}
