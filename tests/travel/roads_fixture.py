"""A small hand-made road network (Overpass JSON and OSM XML) with known shortest paths.

Grid nodes at 22.5 + 0.001 r, 114 + 0.001 c (r, c = row, column):

    1(0,0) -res- 2(0,1) -res- 3(0,2)          ways: 1-2-3 residential, two way
      |tert      |motorway    ^ tert (oneway=-1: 6 -> 3 only)
    4(1,0) -pri> 5(1,1) -pri> 6(1,2) -> 9(2,2) -> 10(2,3) -> 6   (roundabout)

1-4 tertiary two way; 4-5-6 primary oneway=yes; 2-5 motorway (implied one way 2 -> 5);
dropped: 5-3 footway, 5-2 residential access=no, 1-5 busway. Island far south: 7 -> 8
residential oneway=yes (unreachable from the rest).
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

GRID = {1: (0, 0), 2: (0, 1), 3: (0, 2), 4: (1, 0), 5: (1, 1), 6: (1, 2), 9: (2, 2), 10: (2, 3)}
GRID |= {7: (6, 0), 8: (6, 1)}
WAYS: list[tuple[int, list[int], dict[str, str]]] = [
    (101, [1, 2, 3], {"highway": "residential"}),
    (102, [4, 5, 6], {"highway": "primary", "oneway": "yes"}),
    (103, [1, 4], {"highway": "tertiary"}),
    (104, [3, 6], {"highway": "tertiary", "oneway": "-1"}),
    (105, [2, 5], {"highway": "motorway"}),
    (106, [5, 3], {"highway": "footway"}),
    (107, [5, 2], {"highway": "residential", "access": "no"}),
    (108, [1, 5], {"highway": "busway"}),
    (109, [6, 9, 10, 6], {"highway": "tertiary", "junction": "roundabout"}),
    (110, [7, 8], {"highway": "residential", "oneway": "yes"}),
]


def lat_lon(node: int) -> tuple[float, float]:
    """GPS of a grid node."""
    r, c = GRID[node]
    return 22.5 - 0.001 * r, 114.0 + 0.001 * c


def write_overpass(path: Path) -> Path:
    """The network as an Overpass JSON file."""
    elements: list[dict] = [
        {"type": "node", "id": n, "lat": lat_lon(n)[0], "lon": lat_lon(n)[1]} for n in GRID
    ]
    elements += [{"type": "way", "id": w, "nodes": refs, "tags": tags} for w, refs, tags in WAYS]
    path.write_text(json.dumps({"version": 0.6, "elements": elements}), encoding="utf-8")
    return path


def write_osm_xml(path: Path) -> Path:
    """The same network as OSM XML."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    for n in GRID:
        la, lo = lat_lon(n)
        lines.append(f'  <node id="{n}" lat="{la}" lon="{lo}"/>')
    for w, refs, tags in WAYS:
        lines.append(f'  <way id="{w}">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
