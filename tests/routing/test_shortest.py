"""Shortest driving on a given matrix: exact against Floyd-Warshall, bounded when sparse."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch_opt.routing import shortest
from dispatch_opt.routing.shortest import ShortestDrive


def _matrix(seed: int, m: int) -> np.ndarray:
    """Euclidean seconds with 0-60% noise per leg: many legs break the triangle inequality;
    a few zero legs between distinct places (one building)."""
    rng = np.random.default_rng(seed)
    xy = rng.random((m, 2)) * 20_000
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) / 8.0
    d *= rng.uniform(1.0, 1.6, (m, m))
    d[rng.random((m, m)) < 0.02] = 0.0
    np.fill_diagonal(d, 0.0)
    return d


def _floyd(d: np.ndarray) -> np.ndarray:
    """All-pairs shortest ways, the plain way."""
    best = d.copy()
    for j in range(len(d)):
        np.minimum(best, best[:, j : j + 1] + best[j : j + 1, :], out=best)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_exact_search_matches_floyd_warshall_both_ways(seed: int) -> None:
    d = _matrix(seed, 60)
    truth = _floyd(d)
    sd = ShortestDrive(d)
    src = np.array([0, 7, 7, 30])
    out = sd.between(src[:, None], np.arange(60)[None, :])  # forward: few sources
    np.testing.assert_allclose(out, truth[src], atol=1e-6)
    back = sd.between(np.arange(60)[:, None], src[None, :])  # backward: few targets
    np.testing.assert_allclose(back, truth[:, src], atol=1e-6)
    assert sd.between(np.array(3), np.array(5)) == pytest.approx(truth[3, 5])
    assert (truth < d - 1).any()  # the case is not trivial


@pytest.mark.parametrize("seed", range(3))
def test_the_sparse_search_lies_between_the_shortest_way_and_the_direct_leg(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shortest, "EXACT_UP_TO", 10)
    monkeypatch.setattr(shortest, "NEIGHBOURS", 5)
    d = _matrix(seed, 80)
    truth = _floyd(d)
    out = ShortestDrive(d).between(np.arange(6)[:, None], np.arange(80)[None, :])
    assert (out >= truth[:6] - 1e-6).all()
    assert (out <= d[:6] + 1e-6).all()
    assert (out < d[:6] - 1).any()  # it still finds shortcuts


def test_no_pair_asked_is_an_empty_answer_not_an_error() -> None:
    # found by a re-plan sweep (audit p140): a matrix day with no tickets left asked for
    # the drives from every start to no ticket, and numpy refused to stack nothing
    search = ShortestDrive(_matrix(0, 6))
    rows, cols = np.ix_(np.arange(3), np.zeros(0, dtype=np.int64))
    assert search.between(rows, cols).shape == (3, 0)
    assert search.between(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)).shape == (0,)
