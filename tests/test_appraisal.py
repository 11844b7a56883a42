"""Tests of helpers.appraisal: E-values, standardised differences, GRADE, absolute effects.

Reference values are worked by hand from the published formulas:
* VanderWeele & Ding, Ann Intern Med 2017;167:268-74: E = RR + sqrt(RR (RR - 1)); their worked
  example (breastfeeding and infant death, RR 3.9, 95% CI 1.8 to 8.7) gives E = 7.26 for the
  estimate and 3.00 for the lower limit (printed in the paper as 7.2 and 3.0).
* Austin, Stat Med 2009;28:3083-107: d = (p1 - p2) / sqrt((p1 q1 + p2 q2) / 2) and
  d = (m1 - m2) / sqrt((s1^2 + s2^2) / 2).
"""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.appraisal import (evalue, evalue_point, grade_certainty, imprecision_levels, per_1000,
                               smd_binary, smd_continuous, smd_from_median_iqr)


# ---- E-values -------------------------------------------------------------------------------

def test_evalue_published_example():
    e = evalue(3.9, 1.8, 8.7, measure="RR")
    # 3.9 + sqrt(3.9 * 2.9) = 3.9 + 3.3630 = 7.2630; 1.8 + sqrt(1.8 * 0.8) = 1.8 + 1.2 = 3.0
    assert e.point == pytest.approx(7.263034, abs=1e-6)
    assert e.ci == pytest.approx(3.0, abs=1e-12)
    assert e.direction == "harmful"


def test_evalue_protective_uses_reciprocal_and_upper_limit():
    e = evalue(0.80, 0.71, 0.89, measure="RR")
    # 1/0.8 = 1.25: 1.25 + sqrt(1.25 * 0.25) = 1.809017; upper limit 1/0.89 = 1.123596 -> 1.496250
    assert e.point == pytest.approx(1.809017, abs=1e-6)
    assert e.ci == pytest.approx(1.496250, abs=1e-6)
    assert e.direction == "protective"
    # symmetric: RR and 1/RR have the same E-value
    assert evalue_point(0.8) == pytest.approx(evalue_point(1.25))


def test_evalue_ci_crossing_one_is_one():
    assert evalue(1.10, 0.62, 1.96, measure="OR", rare=False).ci == 1.0
    assert evalue(0.84, 0.48, 1.47).ci == 1.0
    assert evalue(1.0, 0.5, 2.0).point == 1.0


def test_evalue_common_odds_ratio_square_root():
    e = evalue(4.0, measure="OR", rare=False)
    assert e.rr == pytest.approx(2.0)
    assert e.point == pytest.approx(2 + math.sqrt(2), abs=1e-12)  # 3.414214
    assert "√OR" in e.conversion
    assert e.ci is None
    # a rare-outcome OR is used as a risk ratio
    assert evalue(4.0, measure="OR", rare=True).point == pytest.approx(4 + math.sqrt(12))


def test_evalue_common_hazard_ratio():
    # HR 2 -> RR = (1 - 0.5^sqrt(2)) / (1 - 0.5^sqrt(1/2)) = 1.612547 -> E = 2.606409
    e = evalue(2.0, measure="HR", rare=False)
    assert e.rr == pytest.approx(1.612547, abs=1e-6)
    assert e.point == pytest.approx(2.606409, abs=1e-6)


@pytest.mark.parametrize("kwargs, word", [
    ({"estimate": 0}, "estimate"),
    ({"estimate": -1.2}, "estimate"),
    ({"estimate": float("nan")}, "estimate"),
    ({"estimate": 2.0, "ci_low": 1.0}, "ci_high"),
    ({"estimate": 2.0, "ci_low": 3.0, "ci_high": 1.0}, "ci_low"),
    ({"estimate": 2.0, "ci_low": 2.5, "ci_high": 3.0}, "estimate"),
    ({"estimate": 2.0, "ci_low": 0.0, "ci_high": 3.0}, "ci_low"),
    ({"estimate": 2.0, "measure": "RD"}, "measure"),
    ({"estimate": 2.0, "measure": "OR"}, "rare"),
    ({"estimate": 2.0, "measure": "OR", "rare": "yes"}, "rare"),
])
def test_evalue_bad_input_names_argument(kwargs, word):
    with pytest.raises(ValueError, match=word):
        evalue(**kwargs)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.05, 20), st.floats(1.01, 3))
def test_evalue_properties(rr, width):
    lo, hi = rr / width, rr * width
    e = evalue(rr, lo, hi)
    assert e.point >= 1
    assert 1 <= e.ci <= e.point + 1e-9  # the limit is nearer the null than the estimate
    if lo <= 1 <= hi:
        assert e.ci == 1
    assert evalue_point(rr) == pytest.approx(evalue_point(1 / rr))


# ---- standardised differences ---------------------------------------------------------------

def test_smd_binary_austin_formula():
    # 50% vs 25%: 0.25 / sqrt((0.25 + 0.1875) / 2) = 0.534522
    assert smd_binary(10, 20, 5, 20) == pytest.approx(0.534522, abs=1e-6)
    assert smd_binary(5, 20, 10, 20) == pytest.approx(-0.534522, abs=1e-6)
    assert smd_binary(0, 10, 0, 12) == 0.0


def test_smd_continuous_and_median_iqr():
    # Lee 2025 Table 1 age: 70.4 (11.3) vs 68.8 (12.7): 1.6 / sqrt(144.49) = 0.133107
    assert smd_continuous(70.4, 11.3, 68.8, 12.7) == pytest.approx(0.133107, abs=1e-6)
    # median 10 (IQR 5-15) vs 8 (6-12): SDs 10/1.35 and 6/1.35; d = 2 / sqrt((54.870 + 19.753) / 2) = 2 / 6.1083
    d = smd_from_median_iqr(10, 5, 15, 8, 6, 12)
    assert d == pytest.approx(2 / math.sqrt(((10 / 1.35) ** 2 + (6 / 1.35) ** 2) / 2), abs=1e-12)
    assert d == pytest.approx(0.327423, abs=1e-6)


@pytest.mark.parametrize("call, word", [
    (lambda: smd_binary(5, 4, 1, 10), "count_a"),
    (lambda: smd_binary(1, 10, -1, 10), "count_b"),
    (lambda: smd_binary(1, 10, 1, 0), "total_b"),
    (lambda: smd_continuous(1, -1, 2, 1), "sd_a"),
    (lambda: smd_continuous(1, 0, 2, 0), "sd_a and sd_b"),
    (lambda: smd_continuous(float("inf"), 1, 2, 1), "mean_a"),
    (lambda: smd_from_median_iqr(10, 11, 15, 8, 6, 12), "median_a"),
])
def test_smd_bad_input(call, word):
    with pytest.raises(ValueError, match=word):
        call()


# ---- GRADE ------------------------------------------------------------------------------------

def test_grade_observational_starts_low_and_rates_down():
    c = grade_certainty("low", down={"risk of bias": (1, "serious risk of bias (ROBINS-I)")})
    assert (c.level, c.symbols) == ("very low", "⊕◯◯◯")
    assert c.label == "⊕◯◯◯ Very low"
    assert "Risk of bias −1: serious" in c.reasons()
    # the floor is very low
    c2 = grade_certainty("low", down={"risk of bias": (2, "critical"), "imprecision": (2, "wide")})
    assert c2.level == "very low"
    assert grade_certainty().level == "low" and grade_certainty().symbols == "⊕⊕◯◯"
    assert grade_certainty("high", down={"imprecision": (1, "few events")}).level == "moderate"


def test_grade_rating_up_only_without_rating_down():
    assert grade_certainty("low", up={"large effect": (1, "RR above 2")}).level == "moderate"
    assert grade_certainty("high", up={"large effect": (2, "RR above 5")}).level == "high"  # ceiling
    with pytest.raises(ValueError, match="up"):
        grade_certainty("low", down={"imprecision": (1, "wide")}, up={"large effect": (1, "big")})


@pytest.mark.parametrize("kwargs, word", [
    ({"start": "medium"}, "start"),
    ({"down": {"bias": (1, "x")}}, "unknown domain"),
    ({"down": {"imprecision": (3, "x")}}, "levels"),
    ({"down": {"imprecision": (True, "x")}}, "levels"),
    ({"down": {"imprecision": (1, " ")}}, "reason"),
    ({"down": {"imprecision": 1}}, "pair"),
    ({"down": [("imprecision", 1)]}, "down"),
    ({"up": {"imprecision": (1, "x")}}, "unknown domain"),
])
def test_grade_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        grade_certainty(**kwargs)


def test_imprecision_rule():
    assert imprecision_levels(0.48, 1.47) == 2        # appreciable benefit and harm
    assert imprecision_levels(0.95, 1.60) == 1        # no effect and appreciable harm
    assert imprecision_levels(1.78, 14.9) == 0        # clearly away from 1, no events given
    assert imprecision_levels(1.78, 14.9, events=40) == 1  # but fewer than 300 events
    assert imprecision_levels(0.9, 1.1, events=500) == 0
    with pytest.raises(ValueError, match="ci_low"):
        imprecision_levels(2, 1)
    with pytest.raises(ValueError, match="events"):
        imprecision_levels(1.5, 2, events=-3)
    with pytest.raises(ValueError, match="thresholds"):
        imprecision_levels(1.5, 2, thresholds=(1.2, 0.8))


def test_per_1000():
    # assumed 40/131 = 0.305; RR 0.84 (0.48 to 1.47) -> 305, 256, 147, 449 per 1000
    assert per_1000(40 / 131, 0.84, 0.48, 1.47) == (305, 256, 147, 449)
    assert per_1000(0.5, 3.0, 2.5, 4.0) == (500, 1000, 1000, 1000)  # capped at 1000
    with pytest.raises(ValueError, match="assumed_risk"):
        per_1000(1.2, 1, 0.5, 2)
    with pytest.raises(ValueError, match="rr_low"):
        per_1000(0.2, 1, 2, 1.5)


def test_evalue_table_on_the_package():
    from helpers.appraisal import evalue_table
    from helpers.data import load_package

    est = load_package()["estimates"]
    t = evalue_table(est).set_index("id")
    # Alexandre 2026 sICH, RR 5.15 (1.78 to 14.86): 5.15 + sqrt(5.15 * 4.15) = 9.773; 1.78 + sqrt(1.78 * 0.78) = 2.958
    assert t.loc["alexandre2026-t2-sich-all-adj", "e_point"] == pytest.approx(9.773, abs=1e-3)
    assert t.loc["alexandre2026-t2-sich-all-adj", "e_ci"] == pytest.approx(2.958, abs=1e-3)
    # Lee 2025 early RS, OR 7.187 of a common outcome: sqrt -> 2.681; E = 2.681 + sqrt(2.681 * 1.681) = 4.804
    assert t.loc["lee2025-t3-early-rs-or", "rr"] == pytest.approx(math.sqrt(7.187))
    assert t.loc["lee2025-t3-early-rs-or", "e_point"] == pytest.approx(4.804, abs=1e-3)
    assert "lee2025-abstract-early-rs-or" not in t.index  # the abstract repeats Table 3
    assert set(est.loc[est["id"].isin(t.index), "adjustment"]) == {"adjusted"}
    # rare outcome: the OR is used as it is
    t2 = evalue_table(est, rare={"lee2025-t3-early-rs-or": True}).set_index("id")
    assert t2.loc["lee2025-t3-early-rs-or", "rr"] == pytest.approx(7.187)
    with pytest.raises(ValueError, match="estimates"):
        evalue_table(est[["id"]])
    with pytest.raises(ValueError, match="rare"):
        evalue_table(est, rare="no")
