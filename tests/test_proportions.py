"""Tests for helpers.proportions against Newcombe (1998) Table II and closed forms."""

import math

import pytest
from hypothesis import given, strategies as st
from scipy.stats import norm

from helpers.proportions import clopper_pearson, wilson

# Newcombe RG. Stat Med 1998;17:857-72, Table II: method 3 (Wilson score) and method 5
# (Clopper-Pearson exact), 95% intervals, printed to 4 decimals.
NEWCOMBE_TABLE_II = [
    # count, total, wilson (low, high), clopper-pearson (low, high)
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]


@pytest.mark.parametrize("count,total,wil,cp", NEWCOMBE_TABLE_II)
def test_newcombe_table(count, total, wil, cp):
    w = wilson(count, total)
    c = clopper_pearson(count, total)
    assert (round(w.ci_low, 4), round(w.ci_high, 4)) == wil
    assert (round(c.ci_low, 4), round(c.ci_high, 4)) == cp
    assert w.estimate == c.estimate == count / total


def test_zero_and_all_events_closed_forms():
    # Closed forms: Wilson upper bound for 0/n is z^2/(n + z^2); Clopper-Pearson upper bound for
    # 0/n is 1 - (alpha/2)^(1/n); by symmetry n/n mirrors them.
    z = norm.ppf(0.975)
    n = 10
    assert wilson(0, n).ci_low == 0.0
    assert wilson(0, n).ci_high == pytest.approx(z**2 / (n + z**2), abs=1e-12)
    assert clopper_pearson(0, n).ci_high == pytest.approx(1 - 0.025 ** (1 / n), abs=1e-12)
    assert wilson(n, n).ci_high == 1.0
    assert wilson(n, n).ci_low == pytest.approx(n / (n + z**2), abs=1e-12)
    assert clopper_pearson(n, n).ci_low == pytest.approx(0.025 ** (1 / n), abs=1e-12)
    assert clopper_pearson(n, n).ci_high == 1.0


def test_level_changes_width():
    assert wilson(81, 263, level=0.99).ci_low < wilson(81, 263).ci_low
    assert wilson(81, 263).level == 0.95


@pytest.mark.parametrize("func", [wilson, clopper_pearson])
@pytest.mark.parametrize(
    "args,word",
    [
        ((5, 4), "exceeds"),
        ((-1, 4), "count"),
        ((1.5, 4), "count"),
        ((0, 0), "total"),
        ((1, 4.2), "total"),
        (("1", 4), "count"),
    ],
)
def test_bad_input(func, args, word):
    with pytest.raises(ValueError, match=word):
        func(*args)


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, float("nan")])
def test_bad_level(level):
    with pytest.raises(ValueError, match="level"):
        wilson(3, 10, level=level)


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_intervals_in_unit_interval_and_contain_estimate(cn):
    count, total = cn
    for iv in (wilson(count, total), clopper_pearson(count, total)):
        assert 0.0 <= iv.ci_low <= iv.estimate <= iv.ci_high <= 1.0
        assert not math.isnan(iv.ci_low) and not math.isnan(iv.ci_high)
