"""The search's share of a time limit: the whole reserve while a second search may be
forked (its answer can come late), only building's when the search is too short for one."""

from itertools import pairwise

import pytest

from dispatch_opt.planner import build_reserve_s, reserve_s, search_budget_s
from dispatch_opt.solver.portfolio import FORK_FROM_S


@pytest.mark.parametrize("n", [10, 200, 1000, 3000, 5000])
def test_the_search_never_gets_less_than_the_full_reserve_leaves_or_less_than_a_tenth(n):
    for limit in (0.5, 1.0, 2.0, 3.0, 5.0, 30.0):
        for elapsed in (0.0, 0.3, 1.0, 2.5):
            budget = search_budget_s(limit, elapsed, n)
            assert budget >= 0.1
            assert budget >= limit - elapsed - reserve_s(n) - 1e-12
            assert budget <= max(0.1, limit - elapsed - build_reserve_s(n)) + 1e-12


def test_a_short_search_keeps_only_the_building_reserve_and_cannot_fork():
    budget = search_budget_s(1.0, 0.5, 3000)  # 3,000 tickets at 1 s, 0.5 s compiling
    assert budget == pytest.approx(1.0 - 0.5 - build_reserve_s(3000))
    assert budget < FORK_FROM_S
    assert budget > 1.0 - 0.5 - reserve_s(3000)  # more than the whole reserve would leave


def test_a_search_long_enough_to_fork_keeps_the_whole_reserve():
    budget = search_budget_s(30.0, 1.0, 1000)
    assert budget == pytest.approx(30.0 - 1.0 - reserve_s(1000))
    assert build_reserve_s(5000) < reserve_s(5000)


@pytest.mark.parametrize("n", [10, 200, 1000, 3000, 5000])
def test_more_time_never_leaves_the_search_less(n):
    """Compiling faster, or a longer limit, never shortens the search: where building's
    reserve gives way to the whole one the budget stays put instead of dropping."""
    steps = [x / 100 for x in range(0, 601)]
    for elapsed in (0.0, 0.3, 0.6, 1.0):
        budgets = [search_budget_s(limit, elapsed, n) for limit in steps]
        assert all(later >= earlier - 1e-12 for earlier, later in pairwise(budgets))
    for limit in (1.0, 2.0, 3.0, 5.0):
        budgets = [search_budget_s(limit, elapsed, n) for elapsed in steps]
        assert all(later <= earlier + 1e-12 for earlier, later in pairwise(budgets))
