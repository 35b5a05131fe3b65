"""Ordinary memory pages for the large travel matrices, unless the user asked otherwise.

NumPy asks Linux for transparent huge pages (madvise) on every array of 4 MB or more.
Where the kernel's THP defrag policy is `madvise`, each such request may stall on memory
compaction: on the 2-core benchmark machine a 5,900^2 float32 matrix took 0.009 s or
0.29-0.31 s to fill with huge pages requested (either, unpredictably), and 0.045-0.078 s
without. A 3,000-ticket day allocates several of them before its first plan (2.13-2.42 s
with ordinary pages against 3.25-3.54 s, four runs each). NumPy reads the choice from
NUMPY_MADVISE_HUGEPAGE at import and offers a runtime switch; we flip it only while
planning, and never when that variable is set.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def _switch() -> Callable[[bool], bool] | None:
    """NumPy's switch (it returns the previous setting): `numpy._core` from NumPy 2,
    `numpy.core` before; None in a NumPy without it."""
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        found = getattr(module, "_set_madvise_hugepage", None)
        if callable(found):
            return found
    return None


_set = _switch()
_lock = threading.Lock()
_depth = [0, True]  # plans under way, and NumPy's setting before the first of them


@contextmanager
def ordinary_pages() -> Iterator[None]:
    """Within the block, new NumPy arrays do not ask for huge pages; the setting from
    before comes back when the last of several overlapping blocks (threads of a server,
    or a re-plan inside a plan) ends. A hint only: it changes speed, never results."""
    if _set is None or "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        yield
        return
    with _lock:
        if _depth[0] == 0:
            _depth[1] = _set(False)
        _depth[0] += 1
    try:
        yield
    finally:
        with _lock:
            _depth[0] -= 1
            if _depth[0] == 0:
                _set(_depth[1])
