"""Shared report helpers of the benchmarks."""

from benchmarks.tables import cell, median_or_none


def test_a_missing_value_is_a_dash_and_others_follow_the_spec():
    assert cell(None) == "-" and cell(float("nan")) == "-"
    assert cell(1.23456) == "1.23" and cell(2445, "g") == "2445" and cell(0.5, ".1f") == "0.5"


def test_the_median_of_nothing_is_none():
    assert median_or_none([]) is None and median_or_none(iter([3, 1, 2])) == 2
