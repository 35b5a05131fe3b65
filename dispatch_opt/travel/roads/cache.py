"""On-disk cache of road matrices, keyed by the graph file's hash, the points and the speeds.

A re-plan of the same day (same graph file, same GPS points, same speed settings) reads
the solver's matrix back instead of running the shortest paths again. Entries are `.npz`
files of exact integers (milliseconds and decimetres), written atomically, so a reader
never sees half a file and a cached answer equals a fresh one bit for bit.

Location: `travel.cache_dir`, else `$DISPATCH_OPT_ROAD_CACHE`, else
`$XDG_CACHE_HOME/dispatch-opt/roads` (`~/.cache/...`). The value `off` disables it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

CACHE_VERSION = 2
"""Bump when the meaning of cached numbers changes (speeds, snapping, packing)."""
_UNREACHABLE = np.iinfo(np.uint32).max


def cache_root(setting: str | None) -> Path | None:
    """The cache folder to use, or None when caching is off."""
    value = setting or os.environ.get("DISPATCH_OPT_ROAD_CACHE")
    if value == "off":
        return None
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dispatch-opt" / "roads"


def cache_key(graph_digest: str, lat: np.ndarray, lon: np.ndarray, profile: Any) -> str:
    """Hex key of (graph file hash, exact float64 points, JSON-able speed profile)."""
    sha = hashlib.sha256()
    sha.update(f"v{CACHE_VERSION}:{graph_digest}:".encode())
    sha.update(np.ascontiguousarray(lat, dtype=np.float64).tobytes())
    sha.update(np.ascontiguousarray(lon, dtype=np.float64).tobytes())
    sha.update(json.dumps(profile, sort_keys=True).encode())
    return sha.hexdigest()


def _encode(values: np.ndarray, per_unit: float) -> np.ndarray:
    """Seconds or metres as exact uint32 counts (ms, dm: `per_unit` per unit; inf -> max)."""
    out = np.full(values.shape, _UNREACHABLE, dtype=np.uint32)
    finite = np.isfinite(values)
    out[finite] = np.rint(values[finite] * per_unit).astype(np.uint32)
    return out


def _decode(counts: np.ndarray, per_unit: float) -> np.ndarray:
    """Inverse of `_encode`, dividing as `shortest` does so the floats are identical."""
    out = counts.astype(np.float64) / per_unit
    out[counts == _UNREACHABLE] = np.inf
    return out


def load(root: Path | None, key: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The cached (seconds, metres), or None on a miss or an unreadable entry."""
    if root is None:
        return None
    try:
        with np.load(root / f"{key}.npz") as data:
            return _decode(data["s"], 1000.0), _decode(data["m"], 10.0)
    except (OSError, ValueError, KeyError):
        return None


def store(root: Path | None, key: str, seconds: np.ndarray, metres: np.ndarray) -> None:
    """Write an entry atomically; a cache that cannot be written is silently skipped."""
    if root is None:
        return
    arrays = {"s": _encode(seconds, 1000.0), "m": _encode(metres, 10.0)}
    with contextlib.suppress(OSError):
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=root, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, root / f"{key}.npz")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
