"""Tests of helpers.printed: parsing of printed numbers and the one tolerance rule.

Reference behaviour comes from the definitions of rounding and truncation (e.g. 17/172 = 9.8837...%
is "9.9" rounded and "9.8" truncated; Brown & Heathers, GRIM, Soc Psychol Personal Sci 2017) and
from the printed forms found in the papers (data/sources).
"""

import math
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from helpers.printed import (
    Printed, agrees, as_printed, how_agrees, parse_count_percent, parse_interval, parse_number,
    value_interval, value_set,
)


@pytest.mark.parametrize(
    "text, value, decimals, relation",
    [
        ("0.834", 0.834, 3, "="),
        ("< 0.001*", 0.001, 3, "<"),
        ("<0.001", 0.001, 3, "<"),
        ("p=0.040", 0.040, 3, "="),
        ("$p < 0.001$", 0.001, 3, "<"),
        ("$p=0.005$", 0.005, 3, "="),
        ("-0.12", -0.12, 2, "="),
        ("\u22120.12", -0.12, 2, "="),  # unicode minus
        ("48.8", 48.8, 1, "="),
        ("88.0", 88.0, 1, "="),
        ("0", 0.0, 0, "="),
        ("1608.9", 1608.9, 1, "="),
        ("17.1 %", 17.1, 1, "="),
        ("55%", 55.0, 0, "="),
        ("<.001", 0.001, 3, "<"),
        ("P ≤ 0.05", 0.05, 2, "≤"),
        ("p >= 0.2", 0.2, 1, "≥"),
        ("<i>p</i> < 0.001", 0.001, 3, "<"),
        ("0·05", 0.05, 2, "="),
        ("0.02†", 0.02, 2, "="),
    ],
)
def test_parse_number_forms(text, value, decimals, relation):
    p = parse_number(text)
    assert p.value == pytest.approx(value, abs=0)
    assert p.decimals == decimals
    assert p.relation == relation
    assert p.text == text


def test_parse_number_flags():
    assert parse_number("17.1 %").percent and not parse_number("17.1").percent
    assert parse_number("-0.00").negative and not parse_number("0.00").negative


@pytest.mark.parametrize("bad", ["", "NS", "0.05 0.06", "1,608.9", "0,05", "abc", "5.", "--1", "< <0.1"])
def test_parse_number_rejects(bad):
    with pytest.raises(ValueError, match="could not be parsed"):
        parse_number(bad)


def test_parse_number_rejects_non_string():
    with pytest.raises(ValueError, match="text"):
        parse_number(0.5)


@pytest.mark.parametrize(
    "text, count, total, percent, decimals",
    [
        ("16 (59.3)", 16, None, 59.3, 1),
        ("22/128 (21.9)", 22, 128, 21.9, 1),
        ("0 (0)", 0, None, 0.0, 0),
        ("77 (98.7%)", 77, None, 98.7, 1),
        ("50/131 (38.2)", 50, 131, 38.2, 1),
    ],
)
def test_parse_count_percent(text, count, total, percent, decimals):
    cp = parse_count_percent(text)
    assert (cp.count, cp.total, cp.percent, cp.decimals) == (count, total, percent, decimals)


@pytest.mark.parametrize("bad", ["16", "(59.3)", "16 (abc)", "a/b (1)", "16 (<5)"])
def test_parse_count_percent_rejects(bad):
    with pytest.raises(ValueError, match="text"):
        parse_count_percent(bad)


def test_parse_count_percent_count_above_total():
    with pytest.raises(ValueError, match="exceeds total"):
        parse_count_percent("30/20 (150)")


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("1.385–37.306", 1.385, 37.306),
        ("0.62–1.96", 0.62, 1.96),
        ("4.77 to 1608.9", 4.77, 1608.9),
        ("-1.73 to -0.22", -1.73, -0.22),
        ("0.32 to 1.83", 0.32, 1.83),
        ("0.04-1.32", 0.04, 1.32),  # hyphen, positive lower bound: only one reading has low <= high
        ("(0.19, 0.88)", 0.19, 0.88),
        ("\u22121.2\u2013\u22120.3", -1.2, -0.3),  # unicode minus signs, en dash separator
    ],
)
def test_parse_interval_unambiguous(text, low, high):
    iv = parse_interval(text)
    assert not iv.ambiguous
    assert (iv.low.value, iv.high.value) == (low, high)


def test_parse_interval_lost_minus_is_reported():
    # Alexandre 2026 Table 2 prints "-1.73-0.22" where the abstract says "-1.73 to -0.22".
    iv = parse_interval("-1.73-0.22")
    assert iv.ambiguous
    assert [(lo.value, hi.value) for lo, hi in iv.readings] == [(-1.73, 0.22), (-1.73, -0.22)]
    with pytest.raises(ValueError, match="ambiguous"):
        iv.low


def test_parse_interval_estimate_resolves_ambiguity():
    # "-0.58-0.33" with estimate -0.12 (Alexandre 2026 Table 2): only -0.58 to 0.33 contains it
    iv = parse_interval("-0.58-0.33", estimate="-0.12")
    assert not iv.ambiguous and iv.high.value == 0.33
    # -1.71-0.35 with estimate -1.03: both readings contain it, stays ambiguous
    assert parse_interval("-1.71-0.35", estimate="-1.03").ambiguous


@pytest.mark.parametrize("bad", ["1.2", "1.2 – ", "a to b", "3.0–1.0"])
def test_parse_interval_rejects(bad):
    with pytest.raises(ValueError, match="text"):
        parse_interval(bad)


# ------------------------------------------------------------------ value sets (the rule)

def test_value_sets_round_truncate_either():
    assert value_interval("59.3", "round") == pytest.approx((59.25, 59.35))
    assert value_interval("59.3", "truncate") == pytest.approx((59.3, 59.4))
    assert value_interval("59.3", "either") == pytest.approx((59.25, 59.4))
    assert value_interval("-0.12", "truncate") == pytest.approx((-0.13, -0.12))
    assert value_interval("-0.12", "either") == pytest.approx((-0.13, -0.115))
    assert value_interval("0", "either") == pytest.approx((-0.5, 1.0))
    vs = value_set("59.3", "truncate")
    assert vs.low_closed and not vs.high_closed


def test_bounds():
    assert value_interval("<0.001") == (-math.inf, 0.001)
    assert agrees(0.00099, "<0.001")
    assert not agrees(0.001, "<0.001")  # literal reading: the bound itself is excluded
    assert not agrees(0.0012, "<0.001")  # would round to 0.001, but "<" is read literally
    assert agrees(0.001, "≤0.001")
    assert agrees(0.3, "> 0.2") and not agrees(0.2, "> 0.2") and agrees(0.2, "≥ 0.2")
    assert how_agrees(0.0001, "< 0.001*") == "both"
    assert how_agrees(0.01, "< 0.001*") is None


def test_grim_edge_cases():
    # 17/172 = 9.8837...%: rounds to 9.9, truncates to 9.8
    assert how_agrees(100 * 17 / 172, "9.8") == "truncation"
    assert how_agrees(100 * 17 / 172, "9.9") == "rounding"
    # 1/3 = 33.333...%: 33.3 both ways
    assert how_agrees(100 / 3, "33.3") == "both"
    # 2/3 = 66.666...%: 66.7 rounded, 66.6 truncated
    assert how_agrees(200 / 3, "66.7") == "rounding"
    assert how_agrees(200 / 3, "66.6") == "truncation"
    assert how_agrees(200 / 3, "66.8") is None
    # ties: 1/8 = 12.5% printed 12 or 13 with no decimals
    assert how_agrees(12.5, "13") == "rounding"
    assert how_agrees(12.5, "12") == "both"
    # negative: -0.125 truncates to -0.12, rounds (half away) to -0.13 or (half even) to -0.12
    assert how_agrees(-0.125, "-0.12") == "both"
    assert how_agrees(-0.125, "-0.13") == "rounding"
    assert how_agrees(-0.129, "-0.12") == "truncation"


def test_float_noise_at_a_boundary():
    # 100 * 29 / 100 is 28.999999999999996 in binary floating point: it is exactly 29
    assert how_agrees(100 * 29 / 100, "29") == "both"
    assert not agrees(100 * 29 / 100, "28", "truncate")
    # a value truly just below the open end is accepted by truncation
    assert agrees(28.9999, "28", "truncate")


def test_mode_and_printed_validation():
    with pytest.raises(ValueError, match="mode"):
        value_set("1.0", mode="ceil")
    with pytest.raises(ValueError, match="printed"):
        agrees(1.0, 1.0)  # a bare number carries no printed precision
    with pytest.raises(ValueError, match="value"):
        agrees(float("nan"), "1.0")
    with pytest.raises(ValueError, match="value"):
        agrees("1.0", "1.0")


def test_as_printed():
    assert as_printed(1.1).decimals == 1
    assert as_printed(88.0).decimals == 1
    assert as_printed(3).decimals == 0
    assert as_printed(55.0, decimals=0).text == "55"
    assert as_printed("0.040").decimals == 3
    p = Printed("x", 1.0, 2)
    assert as_printed(p) is p
    with pytest.raises(ValueError, match="decimals"):
        as_printed(1.0, decimals=-1)
    with pytest.raises(ValueError, match="estimate"):
        as_printed("abc", "estimate")
    with pytest.raises(ValueError, match="estimate"):
        as_printed(None, "estimate")


# ------------------------------------------------------------------ properties

@given(st.integers(0, 5000), st.integers(1, 5000), st.integers(0, 3))
def test_any_percentage_passes_when_rounded_or_truncated(count, total, decimals):
    count = min(count, total)
    exact = Fraction(100 * count, total)
    scale = 10 ** decimals
    truncated = math.floor(exact * scale)
    # round half up, computed exactly
    rounded = math.floor(exact * scale + Fraction(1, 2))
    value = 100 * count / total
    t_text = f"{truncated / scale:.{decimals}f}"
    r_text = f"{rounded / scale:.{decimals}f}"
    assert how_agrees(value, t_text) in ("truncation", "both")
    assert how_agrees(value, r_text) in ("rounding", "both")
    # one step above the truncated (when it is not also the rounded) never agrees
    above = f"{(max(truncated, rounded) + 1) / scale:.{decimals}f}"
    assert not agrees(value, above)


@given(st.floats(-1e4, 1e4, allow_nan=False), st.integers(0, 4))
def test_python_rounding_always_agrees(x, d):
    text = f"{x:.{d}f}"
    assert agrees(x, text, "round")
    assert agrees(x, text, "either")
