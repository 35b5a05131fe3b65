"""Road network travel: load OSM/GraphML roads, snap points, banded many-to-many matrices.

Modules, one job each: `osm_load` (files -> networkx graph), `speeds` (free-flow speed
per edge), `bands` (rush-hour bands), `network` (graph + arrays, parsed once per process),
`snap` (KD-tree nearest node), `shortest` (csgraph Dijkstra with exact lengths),
`matrices` (points -> band matrices), `cache` (on-disk matrices), `inputs` (input checks
with field paths).
"""
