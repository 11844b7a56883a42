"""Tests of helpers.formatting: the book's one number style (true minus, "to" in intervals)."""

import math

import pytest
from hypothesis import given, strategies as st

from helpers.formatting import MINUS, estimate_ci, interval, num, p_value, percent, signed


def test_true_minus_and_no_negative_zero():
    assert num(-0.35) == MINUS + "0.35"
    assert num(-0.004, 2) == "0.00"
    assert num(1.005, 1) == "1.0"
    assert signed(2.31, 1) == "+2.3" and signed(-11.75, 1) == MINUS + "11.8" and signed(0.0) == "0.0"


def test_interval_and_estimate():
    assert interval(-1.73, -0.22) == f"{MINUS}1.73 to {MINUS}0.22"
    assert estimate_ci(1.1, 0.62, 1.96) == "1.10 (0.62 to 1.96)"
    # Python's formatting of the binary values: -10.75 is exact (ties to even: -10.8), 16.65 is
    # stored just below 16.65 (16.6).
    assert estimate_ci(2.31, -10.75, 16.65, 1, signs=True) == f"+2.3 ({MINUS}10.8 to +16.6)"


def test_percent_and_p():
    assert percent(48.78) == "48.8%"
    assert percent(0.4878, proportion=True) == "48.8%"
    assert p_value(0.0004) == "< 0.001"
    assert p_value(0.0147) == "0.015"
    assert p_value(1.0) == "1.000"


@pytest.mark.parametrize("call, name", [
    (lambda: num(float("nan")), "value"),
    (lambda: num(1.0, -1), "decimals"),
    (lambda: interval(2, 1), "wrong order"),
    (lambda: p_value(0.0), "p must lie"),
    (lambda: p_value(1.5), "p must lie"),
    (lambda: percent(math.inf), "value"),
])
def test_bad_input_raises(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(min_value=0, max_value=6))
def test_num_round_trips_with_python_rounding(x, d):
    text = num(x, d)
    assert "-" not in text
    assert float(text.replace(MINUS, "-")) == pytest.approx(float(f"{x:.{d}f}"), abs=10 ** -d)
