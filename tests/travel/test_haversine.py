"""The vectorised great-circle matrix agrees with geopy and is fast enough to matter."""

import numpy as np
from geopy.distance import great_circle
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_opt.domain import Location, TravelModel, TravelSpec
from dispatch_opt.travel import build_travel, great_circle_matrix_m
from dispatch_opt.travel.haversine import great_circle_pairs_m

lat = st.floats(-80, 80, allow_nan=False)
lon = st.floats(-179, 179, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(lat, lon), min_size=2, max_size=8))
def test_matches_geopy_great_circle(points):
    arr = np.array(points)
    mat = great_circle_matrix_m(arr[:, 0], arr[:, 1])
    for i in range(len(points)):
        for j in range(len(points)):
            ref = great_circle(points[i], points[j]).m
            assert abs(mat[i, j] - ref) <= 1e-6 * max(1.0, ref) + 0.05


def test_symmetric_zero_diagonal_and_float32_close():
    rng = np.random.default_rng(1)
    la, lo = rng.uniform(22.4, 22.7, 300), rng.uniform(113.9, 114.2, 300)
    d64 = great_circle_matrix_m(la, lo)
    d32 = great_circle_matrix_m(la, lo, dtype=np.float32)
    assert np.allclose(d64, d64.T)
    assert np.all(np.diag(d64) == 0)
    assert np.max(np.abs(d64 - d32)) < 0.05


def test_pairs_equal_the_matrix_entries():
    rng = np.random.default_rng(2)
    la, lo = rng.uniform(22.4, 22.7, 40), rng.uniform(113.9, 114.2, 40)
    mat = great_circle_matrix_m(la, lo)
    i, j = rng.integers(0, 40, 200), rng.integers(0, 40, 200)
    pairs = great_circle_pairs_m(la[i], lo[i], la[j], lo[j])
    assert np.allclose(pairs, mat[i, j], rtol=0, atol=1e-6)


def test_haversine_travel_applies_circuity_and_speed():
    spec = TravelSpec(speed_kmh=36.0, circuity=1.5)
    a, b = Location(22.5, 114.0), Location(22.6, 114.1)
    tm = build_travel([a, b], ["a", "b"], spec)
    gc = great_circle((a.lat, a.lon), (b.lat, b.lon)).m
    assert abs(tm.distances_m[0, 1] - 1.5 * gc) < 0.01
    assert abs(tm.durations_s[0, 1] - 1.5 * gc / 10.0) < 0.01
    assert not tm.durations_s.flags.writeable


def test_given_matrix_is_reordered_by_keys():
    dur = np.array([[0, 10, 20], [11, 0, 30], [21, 31, 0]], dtype=float)
    spec = TravelSpec(
        model=TravelModel.MATRIX, locations=("x", "y", "z"), durations_s=dur, distances_m=dur * 10
    )
    tm = build_travel([Location(0, 0)] * 2, ["z", "x"], spec)
    assert tm.durations_s.tolist() == [[0, 21], [20, 0]]
    assert tm.distances_m[0, 1] == 210
