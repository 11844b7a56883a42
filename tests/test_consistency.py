"""Tests of helpers.consistency (percentages, estimate vs CI centre, CI vs p).

References:
* GRIM edge cases by exact arithmetic: 17/172 = 9.8837% (9.9 rounded, 9.8 truncated); 1/3 = 33.33%;
  with n = 78 the attainable percentages near 4% are 3/78 = 3.85% and 4/78 = 5.13%, so "4.0%" is
  unreachable (Baek 2022 prints mortality 4.0% of 78 patients).
* Altman & Bland, BMJ 2011;343:d2090 worked examples: a difference of 17 percentage points with
  P = 0.032 has 95% CI 1.4 to 32.6; a relative risk of 0.30 with P = 0.034 has 95% CI 0.10 to 0.90.
  Read backwards (their d2304), these CIs must give back P = 0.032 and 0.034 at printed precision.
"""

import math

import pytest
from hypothesis import given, strategies as st

from helpers.consistency import (
    candidate_counts, candidate_totals, ci_centre_check, ci_p_check, p_from_ci, percent_check,
)


# ------------------------------------------------------------------ percentages

def test_truncation_only():
    r = percent_check(17, 172, "9.8")
    assert r.verdict == "consistent" and r.how == "truncation"
    assert "truncation" in r.detail


def test_rounding_only_and_both():
    assert percent_check(17, 172, "9.9").how == "rounding"
    assert percent_check(1, 3, "33.3").how == "both"
    assert percent_check(2, 3, "66.7").how == "rounding"


def test_unreachable_percentage():
    r = percent_check(3, 78, "4.0")
    assert r.verdict == "inconsistent" and r.how is None and r.candidates == ()
    assert "no count out of 78" in r.detail
    assert candidate_counts(78, "4.0") == []


def test_inconsistent_with_candidates():
    # Lee 2025 style cell with a wrong percentage: 22/128 = 17.19%, 28/128 = 21.875% -> 21.9
    r = percent_check(22, 128, "21.9")
    assert r.verdict == "inconsistent" and r.candidates == (28,)
    assert "28" in r.detail


def test_papers_cells():
    assert percent_check(16, 27, "59.3").verdict == "consistent"  # Lee 2025 Table 1
    assert percent_check(0, 27, "0").verdict == "consistent"
    assert percent_check(77, 78, "98.7%").verdict == "consistent"  # Baek 2022 abstract
    assert percent_check(61, 111, "55%").verdict == "consistent"  # Al Kasab 2025 abstract


def test_number_with_decimals():
    assert percent_check(61, 111, 55.0, decimals=0).verdict == "consistent"
    # 55.0 read at one decimal would be stricter: 61/111 = 54.95 -> "55.0" by rounding still
    assert percent_check(61, 111, 55.0).how == "rounding"


def test_candidate_counts_and_totals():
    assert candidate_counts(27, "59.3") == [16]
    assert candidate_counts(172, "9.8") == [17]  # by truncation only
    assert candidate_counts(172, "9.8", mode="round") == []
    assert candidate_totals("59.3", count=16, max_total=100) == [(16, 27)]
    pairs = candidate_totals("50", max_total=4)
    assert (1, 2) in pairs and (2, 4) in pairs and all(n <= 4 for _, n in pairs)


@pytest.mark.parametrize(
    "args, kwargs, word",
    [
        ((30, 20, "150"), {}, "count"),
        ((-1, 20, "5"), {}, "count"),
        ((1.5, 20, "5"), {}, "count"),
        ((1, 0, "5"), {}, "total"),
        ((1, 20, "150"), {}, "exceed 100"),
        ((1, 20, "-5"), {}, "negative"),
        ((1, 20, 5.0), {"decimals": -1}, "decimals"),
        ((1, 20, "abc"), {}, "printed_percent"),
    ],
)
def test_percent_check_bad_input(args, kwargs, word):
    with pytest.raises(ValueError, match=word):
        percent_check(*args, **kwargs)


def test_candidate_totals_bad_input():
    with pytest.raises(ValueError, match="max_total"):
        candidate_totals("5", min_total=10, max_total=5)
    with pytest.raises(ValueError, match="min_total"):
        candidate_totals("5", min_total=0)
    with pytest.raises(ValueError, match="count"):
        candidate_totals("5", count=-2)


@given(st.integers(0, 2000), st.integers(1, 2000), st.integers(0, 2))
def test_computed_percentage_always_consistent(count, total, d):
    count = min(count, total)
    exact = 100 * count / total
    rounded = f"{exact:.{d}f}"
    truncated = f"{math.floor(exact * 10 ** d + 1e-9) / 10 ** d:.{d}f}"
    assert percent_check(count, total, rounded).verdict == "consistent"
    assert percent_check(count, total, truncated).verdict == "consistent"
    assert count in candidate_counts(total, rounded)


# ------------------------------------------------------------------ estimate vs CI centre

def test_centre_log_consistent():
    # Lee 2025: OR 7.187 (1.385-37.306): sqrt(1.385 * 37.306) = 7.188
    r = ci_centre_check("7.187", "1.385", "37.306", "log")
    assert r.verdict == "consistent"
    assert r.centre == pytest.approx(math.sqrt(1.385 * 37.306))


def test_centre_log_inconsistent_and_symmetric_bound():
    # Alexandre 2026: RR 4.38 (1.24-27.79): geometric centre 5.87, not 4.38 (not a Wald CI)
    r = ci_centre_check("4.38", "1.24", "27.79", "log")
    assert r.verdict == "inconsistent"
    assert r.symmetric_high == pytest.approx(4.38 ** 2 / 1.24)
    assert r.symmetric_low == pytest.approx(4.38 ** 2 / 27.79)
    assert r.symmetric_high_range[0] <= r.symmetric_high <= r.symmetric_high_range[1]


def test_centre_linear():
    # ATE -0.98 (-1.73 to -0.22): arithmetic centre -0.975
    r = ci_centre_check("-0.98", "-1.73", "-0.22", "linear")
    assert r.verdict == "consistent" and r.centre == pytest.approx(-0.975)
    # the other reading of "-1.71-0.35" for an ATE of -1.03: centre -0.68, not -1.03
    r = ci_centre_check("-1.03", "-1.71", "0.35", "linear")
    assert r.verdict == "inconsistent"
    assert r.symmetric_high == pytest.approx(-0.35)


def test_centre_precision_matters():
    # 1.10 (0.62-1.96): centre 1.1024 -> consistent; but 1.12 printed is outside every reading
    assert ci_centre_check("1.10", "0.62", "1.96").verdict == "consistent"
    assert ci_centre_check("1.14", "0.62", "1.96").verdict == "inconsistent"


@given(st.floats(-3, 3), st.floats(0.01, 2))
def test_log_symmetric_ci_passes(log_est, half_width):
    est = math.exp(log_est)
    lo, hi = math.exp(log_est - half_width), math.exp(log_est + half_width)
    texts = [f"{x:.2f}" for x in (est, lo, hi)]
    if float(texts[1]) <= 0:
        return
    assert ci_centre_check(*texts, scale="log").verdict == "consistent"


@pytest.mark.parametrize(
    "args, word",
    [
        (("1.2", "2.0", "1.0", "log"), "wrong order"),
        (("3.0", "1.0", "2.0", "log"), "outside"),
        (("-1.0", "-2.0", "-0.5", "log"), "positive"),
        (("1.0", "0.5", "2.0", "sqrt"), "scale"),
        (("abc", "0.5", "2.0", "log"), "estimate"),
        (("1.0", "<0.5", "2.0", "log"), "ci_low"),
    ],
)
def test_centre_bad_input(args, word):
    with pytest.raises(ValueError, match=word):
        ci_centre_check(*args)


# ------------------------------------------------------------------ CI -> p

def test_p_from_ci_altman_bland_examples():
    # d2090 (a): difference 17, 95% CI 1.4 to 32.6, from P = 0.032; SE given there as 7.940
    se, z, p = p_from_ci(17, 1.4, 32.6, "linear")
    assert se == pytest.approx(7.94, abs=0.03)
    assert p == pytest.approx(0.032, abs=0.002)
    # d2090 (b): RR 0.30, 95% CI 0.10 to 0.90, from P = 0.034; SE of log RR given as 0.569
    se, z, p = p_from_ci(0.30, 0.10, 0.90, "log")
    assert se == pytest.approx(0.569, abs=0.015)
    assert z < 0
    assert ci_p_check("17.0", "1.4", "32.6", "0.032", "linear").verdict == "consistent"
    assert ci_p_check("0.30", "0.10", "0.90", "0.034", "log").verdict == "consistent"


def test_ci_p_printed_forms():
    # Alexandre 2026: RR 1.65 (1.37-1.98), p < 0.001
    assert ci_p_check("1.65", "1.37", "1.98", "$p < 0.001$").verdict == "consistent"
    # Lee 2025: OR 7.187 (1.385-37.306), p = 0.019
    r = ci_p_check("7.187", "1.385", "37.306", "p=0.019")
    assert r.verdict == "consistent" and r.p_range[0] <= r.p <= r.p_range[1]
    # the same CI with a printed p of 0.19 or < 0.001 does not agree
    assert ci_p_check("7.187", "1.385", "37.306", "0.19").verdict == "inconsistent"
    assert ci_p_check("7.187", "1.385", "37.306", "< 0.001*").verdict == "inconsistent"
    # "> 0.05" for a CI that includes 1
    assert ci_p_check("1.10", "0.62", "1.96", "> 0.05").verdict == "consistent"


@given(st.floats(-2, 2), st.floats(0.05, 1.5))
def test_p_from_ci_recovers_se(log_est, se):
    zc = 1.959963984540054
    lo, hi = math.exp(log_est - zc * se), math.exp(log_est + zc * se)
    got_se, z, p = p_from_ci(math.exp(log_est), lo, hi, "log")
    assert got_se == pytest.approx(se, rel=1e-9)
    assert z == pytest.approx(log_est / se, rel=1e-6, abs=1e-9)
    got_se, _, _ = p_from_ci(log_est, log_est - 1.644853626951472 * se, log_est + 1.644853626951472 * se,
                             "linear", level=0.90)
    assert got_se == pytest.approx(se, rel=1e-9)


@pytest.mark.parametrize(
    "args, kwargs, word",
    [
        ((1.0, 2.0, 1.0), {}, "ci_low"),
        ((1.0, 0.0, 2.0), {}, "ci_low"),
        ((1.0, 0.5, 2.0), {"scale": "ln"}, "scale"),
        ((1.0, 0.5, 2.0), {"level": 95}, "level"),
        ((float("nan"), 0.5, 2.0), {}, "estimate"),
    ],
)
def test_p_from_ci_bad_input(args, kwargs, word):
    with pytest.raises(ValueError, match=word):
        p_from_ci(*args, **kwargs)


@pytest.mark.parametrize("bad_p, word", [("1.5", "printed_p"), ("abc", "printed_p"), ("< 2", "printed_p")])
def test_ci_p_check_bad_p(bad_p, word):
    with pytest.raises(ValueError, match=word):
        ci_p_check("1.10", "0.62", "1.96", bad_p)
