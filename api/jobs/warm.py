"""Imported by the forkserver only (its preload list, `api.jobs.process.context`): parses
the road networks of `DISPATCH_API_PRELOAD_ROADS` there, so that every worker process
forked from it starts with them in memory. The server checked the files at start-up; one
that went bad since is left to each request to report."""

from __future__ import annotations

import contextlib
import os

from api.jobs.roads import ENV, preload
from dispatch_opt.travel.roads.osm_load import RoadFileError

with contextlib.suppress(RoadFileError):
    preload(os.environ.get(ENV, ""))
