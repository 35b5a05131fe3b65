"""Road networks every worker process starts with.

The networks named in `DISPATCH_API_PRELOAD_ROADS` are parsed once in the server and
once in the forkserver every worker process is forked from (`api.jobs.warm`), so each
road-day request finds its network in memory instead of parsing the file again in its
own process (0.4 s of its time limit for the Shenzhen extract). A file that changes later
is read again (the cache is keyed by path, size and modification time).
"""

from __future__ import annotations

import os

from dispatch_opt.travel.roads.network import load_network
from dispatch_opt.travel.roads.osm_load import RoadFileError

ENV = "DISPATCH_API_PRELOAD_ROADS"
"""Comma-separated road files; the `preload_roads` setting, passed on to the forkserver."""


def preload(text: str) -> None:
    """Parse each road file of a comma-separated list (blanks skipped) into this
    process's network cache; a RoadFileError names the file that cannot be used."""
    for name in filter(None, (part.strip() for part in text.split(","))):
        try:
            load_network(os.path.expanduser(name))
        except RoadFileError as exc:
            raise RoadFileError(f"{name}: {exc}") from None
