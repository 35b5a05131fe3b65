"""Great-circle distances between many points at once, vectorised with numpy.

The chord-length form (3-D unit vectors, then arcsine) keeps full precision for short
hops, where the textbook cosine form loses digits, and runs one pass per axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from dispatch_opt.domain.problem import Location

EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius in metres, the value geopy's great_circle uses, so both agree."""


def lat_lon(points: Sequence[Location]) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes of points in degrees, as two float64 arrays."""
    lat = np.fromiter((p.lat for p in points), dtype=np.float64, count=len(points))
    lon = np.fromiter((p.lon for p in points), dtype=np.float64, count=len(points))
    return lat, lon


def _unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Points as 3-D unit vectors, shape (n, 3)."""
    lat = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lon = np.radians(np.asarray(lon_deg, dtype=np.float64))
    cos_lat = np.cos(lat)
    return np.stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)], axis=1)


def great_circle_matrix_m(
    lat_deg: np.ndarray,
    lon_deg: np.ndarray,
    *,
    radius_m: float = EARTH_RADIUS_M,
    dtype: type[np.floating] = np.float64,
) -> np.ndarray:
    """All-pairs great-circle distances in metres, shape (n, n), zero diagonal.

    Computes in float64 by blocks of rows, so temporaries stay in cache and only the
    result is allocated at full size; `dtype=np.float32` halves that (error < 1 cm).
    """
    xyz = _unit_vectors(lat_deg, lon_deg)
    n = xyz.shape[0]
    out = np.empty((n, n), dtype=dtype)
    block = max(1, min(n, (1 << 17) // max(n, 1)))
    acc = np.empty((block, n), dtype=np.float64)
    tmp = np.empty((block, n), dtype=np.float64)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        a = acc[: hi - lo]
        b = tmp[: hi - lo]
        for axis in range(3):
            col = xyz[:, axis]
            np.subtract(col[lo:hi, None], col[None, :], out=a if axis == 0 else b)
            if axis == 0:
                np.multiply(a, a, out=a)
            else:
                np.multiply(b, b, out=b)
                a += b
        np.sqrt(a, out=a)
        a *= 0.5
        np.minimum(a, 1.0, out=a)
        np.arcsin(a, out=a)
        a *= 2.0 * radius_m
        out[lo:hi] = a
    return out


def great_circle_pairs_m(
    lat1_deg: np.ndarray, lon1_deg: np.ndarray, lat2_deg: np.ndarray, lon2_deg: np.ndarray
) -> np.ndarray:
    """Great-circle metres between point `i` of the first arrays and point `i` of the
    second (element-wise, same chord form as the matrix)."""
    chord = np.linalg.norm(
        _unit_vectors(lat1_deg, lon1_deg) - _unit_vectors(lat2_deg, lon2_deg), axis=1
    )
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, 0.5 * chord))


def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points (scalar version)."""
    return float(great_circle_matrix_m(np.array([lat1, lat2]), np.array([lon1, lon2]))[0, 1])
