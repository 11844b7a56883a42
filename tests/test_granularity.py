"""GRIM, GRIMMER and DEBIT (helpers.granularity) on hand-worked cases.

* GRIM (Brown & Heathers 2017, the paper's illustration): a mean of 5.19 from N = 28 whole
  numbers: 145/28 = 5.1786 and 146/28 = 5.2143, so no sum prints as 5.19 (by rounding or
  truncation); 5.18 (145/28) does. With 3 items per respondent the denominator is 84:
  436/84 = 5.1905 prints as 5.19.
* GRIMMER (Anaya 2016): 1, 2, 3, 4, 5: S = 15, Q = 55, mean 3, SD sqrt((55 - 45)/4) = 1.5811
  -> "1.58" fits; "1.60" needs Q in [55.18, 55.30): no whole number. 1, 3, 3, 3, 5 (S = 15,
  Q = 53, SD sqrt(2) = 1.414) fits "1.41". Mean 2.80 (S = 14) with SD "1.41" needs
  Q = 4 SD^2 + 39.2 in [47.10, 47.26): only Q = 47, odd while S is even; but x^2 and x have the
  same parity, so a whole-number sum of squares has the parity of the sum: impossible, although
  the arithmetic alone would allow it.
* DEBIT (Heathers & Brown 2019): ten 0/1 values with three ones: mean 0.30, sample SD
  sqrt(10/9 x 0.3 x 0.7) = 0.4830 -> "0.48" fits; "0.50" fits no count (k = 5 gives mean 0.50).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.granularity import debit, grim, grimmer


def test_grim_brown_heathers_example():
    r = grim("5.19", 28)
    assert r.verdict == "inconsistent" and r.fits == ()
    assert "145/28" in r.detail or "146/28" in r.detail
    assert grim("5.18", 28).verdict == "consistent" and 145 in grim("5.18", 28).fits
    assert grim("5.19", 28, items=3).verdict == "consistent" and 436 in grim("5.19", 28, items=3).fits


def test_grimmer_refuses_a_sum_of_squares_below_the_least_possible():
    # 27 whole numbers with total 37 (mean 1.370): the least sum of squares is 17 ones and ten 2s,
    # 17 + 40 = 57 (SD 0.492); an SD printed 0.1 would need a sum of squares near 51
    assert grimmer("1.4", "0.1", 27).verdict == "inconsistent"
    assert grimmer("1.4", "0.5", 27).verdict == "consistent"
    assert all(q >= 57 for t, q in grimmer("1.4", "0.5", 27).fits if t == 37)


def test_grimmer_hand_worked():
    assert grimmer("3.00", "1.58", 5).verdict == "consistent"
    assert (15, 55) in grimmer("3.00", "1.58", 5).fits
    assert grimmer("3.00", "1.60", 5).verdict == "inconsistent"
    # 1, 3, 3, 3, 5: S = 15, Q = 1 + 27 + 25 = 53, SD = sqrt(8/4) = 1.414
    assert grimmer("3.00", "1.41", 5).verdict == "consistent"
    # S = 14, SD 1.41: only Q = 47 is in range, and it is odd while S is even (parity rule)
    assert grimmer("2.80", "1.41", 5).verdict == "inconsistent"
    assert grimmer("5.19", "1.00", 28).verdict == "inconsistent"      # GRIM already fails


def test_debit_hand_worked():
    r = debit("0.30", "0.48", 10)
    assert r.verdict == "consistent" and r.fits == (3,)
    assert debit("0.30", "0.50", 10).verdict == "inconsistent"


@settings(max_examples=30)
@given(st.lists(st.integers(0, 10), min_size=2, max_size=40))
def test_real_whole_number_data_always_pass(values):
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in values) / (n - 1))
    assert grim(f"{mean:.2f}", n).verdict == "consistent"
    assert grimmer(f"{mean:.2f}", f"{sd:.2f}", n).verdict == "consistent"
    ones = [1 if x > 5 else 0 for x in values]
    p = sum(ones) / n
    assert debit(f"{p:.2f}", f"{math.sqrt(n / (n - 1) * p * (1 - p)):.2f}", n).verdict == "consistent"


def test_bad_input():
    with pytest.raises(ValueError, match="n must be"):
        grim("5.19", 0)
    with pytest.raises(ValueError, match="mean must be"):
        grim(5.19, 28)
    with pytest.raises(ValueError, match="n must be at least 2"):
        grimmer("3.00", "1.00", 1)
    with pytest.raises(ValueError, match="n must be at least 2"):
        debit("0.5", "0.5", 1)
