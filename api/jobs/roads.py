"""Road networks every worker process starts with.

A worker process is forked from the forkserver, which imports this module first: the
networks named in `DISPATCH_API_PRELOAD_ROADS` are parsed there once, so each road-day
request finds its network in memory instead of parsing the file again in its own
process (0.4 s of its time limit for the Shenzhen extract). A file that changes later is
read again (the cache is keyed by path, size and modification time).
"""

from __future__ import annotations

import contextlib
import os

from dispatch_opt.travel.roads.network import load_network
from dispatch_opt.travel.roads.osm_load import RoadFileError

ENV = "DISPATCH_API_PRELOAD_ROADS"
"""Comma-separated road files; the `preload_roads` setting, passed on to the forkserver."""


def road_files(text: str) -> list[str]:
    """The file names of a comma-separated setting (blanks dropped)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def preload(text: str) -> None:
    """Parse each named road file into this process's network cache; a RoadFileError
    names the file that cannot be used."""
    for name in road_files(text):
        try:
            load_network(os.path.expanduser(name))
        except RoadFileError as exc:
            raise RoadFileError(f"{name}: {exc}") from None


def _preload_from_env() -> None:
    """At import in the forkserver: what the server checked at start-up; a file that went
    bad since is left to each request to report."""
    with contextlib.suppress(RoadFileError):
        preload(os.environ.get(ENV, ""))


_preload_from_env()
