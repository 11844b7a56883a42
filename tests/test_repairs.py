"""Tests for helpers.repairs.

Reference (hand computation, Altman & Bland BMJ 2011;343:d2304): for OR 2.549 with CI 0.463–14.044
the geometric centre is sqrt(0.463 * 14.044) = 2.550 and SE = (ln 14.044 - ln 0.463) / 3.92 = 0.8703,
z = ln 2.549 / 0.8703 = 1.075, p = 0.282: the printed p of Lee et al. 2025, Table 3.
"""

import math

import pytest
from hypothesis import given, strategies as st

from helpers.repairs import ratio_ci_repairs, single_edits


def test_single_edits_examples():
    e = single_edits("4.044")
    for s in ("14.044", "4.04", "4.144", "40.44", "4.404", "4.0440"):
        assert s in e
    assert "4.044" not in e
    assert all(not s.startswith(".") for s in e)
    assert single_edits("1") == sorted(single_edits("1"), key=lambda s: (float(s), s))


@given(st.from_regex(r"[1-9]\d{0,2}\.\d{1,3}", fullmatch=True))
def test_single_edits_are_parseable_numbers(text):
    for s in single_edits(text):
        assert math.isfinite(float(s)) and s != text


def test_repair_of_lee2025_table3_successful_recanalisation():
    d = ratio_ci_repairs("2.549", "0.463", "4.044", "0.282")
    assert list(zip(d.field, d.repaired)) == [("ci_high", "14.044")]
    assert d.centre.iloc[0] == pytest.approx(math.sqrt(0.463 * 14.044), rel=1e-9)
    assert round(d.implied_p.iloc[0], 3) == 0.282
    assert set(d.attrs["tried"]) == {"estimate", "ci_low", "ci_high", "p"}


def test_coherent_input_is_reported_as_printed():
    d = ratio_ci_repairs("7.187", "1.385", "37.306", "0.019")
    assert d.field.iloc[0] == "(as printed)"


@pytest.mark.parametrize("args", [("-2.5", "0.4", "4.0", "0.2"), ("2.5", "0.4", "x", "0.2"),
                                  (2.5, "0.4", "4.0", "0.2")])
def test_repairs_reject_bad_input(args):
    with pytest.raises(ValueError):
        ratio_ci_repairs(*args)
