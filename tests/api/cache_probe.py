"""A worker-process target that reports the road files already in its network cache; a
module of its own, so that importing it in the worker loads no network itself."""

from __future__ import annotations

from multiprocessing.connection import Connection

from dispatch_opt.travel.roads import network


def cached_files(conn: Connection) -> None:
    """Send the sorted file paths of this process's network cache."""
    conn.send(sorted(key[0] for key in network._LOADED))
    conn.close()
