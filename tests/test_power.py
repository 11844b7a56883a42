"""Tests for helpers.power.

References: Cohen J, Statistical Power Analysis for the Behavioral Sciences (2nd ed., 1988),
Table 6.4.1: two-sided alpha 0.05, power 0.80 needs n = 392 per group for h = 0.2, 63 for h = 0.5
and 25 for h = 0.8. TOST checked against a hand computation and statsmodels'
``tost_proportions_2indep(method="wald", compare="diff")``.
"""

import math

import pytest
from hypothesis import given, strategies as st
from scipy.stats import norm
from statsmodels.stats.proportion import tost_proportions_2indep

from helpers.power import minimal_detectable_difference, power_two_proportions, tost_risk_difference


def _p_for_h(h, p_b):
    # p_a with Cohen's h = 2 asin sqrt(p_a) - 2 asin sqrt(p_b)
    return math.sin(h / 2 + math.asin(math.sqrt(p_b))) ** 2


@pytest.mark.parametrize("h,n", [(0.2, 392), (0.5, 63), (0.8, 25)])
def test_cohen_table(h, n):
    pw = power_two_proportions(_p_for_h(h, 0.3), 0.3, n, n)
    assert pw.cohens_h == pytest.approx(h, abs=1e-9)
    assert pw.power == pytest.approx(0.80, abs=0.01)


def test_unpooled_hand():
    # p 0.5 vs 0.3, 100 per group: se = sqrt(.25/100 + .21/100) = 0.067823,
    # power = Phi(0.2/0.067823 - 1.959964) + Phi(-0.2/0.067823 - 1.959964) = Phi(0.98890) = 0.8386
    pw = power_two_proportions(0.5, 0.3, 100, 100)
    se = math.sqrt(0.25 / 100 + 0.21 / 100)
    assert pw.power_unpooled == pytest.approx(norm.cdf(0.2 / se - 1.959964) + norm.cdf(-0.2 / se - 1.959964), abs=1e-6)
    assert pw.power_unpooled == pytest.approx(0.8386, abs=1e-3)


def test_mdd_reaches_target_power():
    m = minimal_detectable_difference(0.3, 100, 100)
    assert m.increase > 0 > m.decrease
    assert power_two_proportions(m.p_a_high, 0.3, 100, 100).power == pytest.approx(0.8, abs=1e-8)
    assert power_two_proportions(m.p_a_low, 0.3, 100, 100).power == pytest.approx(0.8, abs=1e-8)
    # with 392 per group and p_b = 0.3 the detectable h is about 0.2 (Cohen's table)
    m = minimal_detectable_difference(0.3, 392, 392)
    assert m.p_a_high == pytest.approx(_p_for_h(0.2, 0.3), abs=2e-3)
    # from p_b = 0.01 with 10 per group no decrease is detectable
    assert minimal_detectable_difference(0.01, 10, 10).p_a_low is None


def test_tost_hand_example():
    # 56/70 vs 48/80, margin 0.3: RD 0.2, se = sqrt(.8*.2/70 + .6*.4/80) = 0.072703;
    # z_lower = 0.5/0.072703 = 6.877, z_upper = -0.1/0.072703 = -1.3755 -> p_upper = 0.0845;
    # 90% CI 0.2 +/- 1.644854 x 0.072703 = 0.0804 to 0.3196: not inside +/-0.3.
    t = tost_risk_difference(56, 70, 48, 80, margin=0.3)
    assert t.p_upper == pytest.approx(0.0845, abs=1e-4)
    assert t.p_lower == pytest.approx(norm.sf(6.8773), abs=1e-12)
    assert (round(t.ci_low, 4), round(t.ci_high, 4)) == (0.0804, 0.3196)
    assert not t.equivalent and t.level == pytest.approx(0.90)
    sm = tost_proportions_2indep(56, 70, 48, 80, -0.3, 0.3, method="wald", compare="diff")
    assert t.p_tost == pytest.approx(sm.pvalue, abs=1e-12)
    t = tost_risk_difference(56, 70, 48, 80, margin=0.35)
    assert t.equivalent and "equivalent" in t.conclusion


@given(st.integers(1, 200), st.integers(0, 200), st.integers(1, 200), st.integers(0, 200),
       st.floats(0.01, 0.5))
def test_tost_agrees_with_ci(na, ea, nb, eb, margin):
    ea, eb = min(ea, na), min(eb, nb)
    if (ea in (0, na)) and (eb in (0, nb)):
        return
    t = tost_risk_difference(ea, na, eb, nb, margin)
    inside = -margin < t.ci_low and t.ci_high < margin
    if abs(abs(t.ci_low) - margin) > 1e-9 and abs(abs(t.ci_high) - margin) > 1e-9:
        assert t.equivalent == inside


@pytest.mark.parametrize(
    "call,word",
    [
        (lambda: power_two_proportions(1.2, 0.3, 10, 10), "p_a"),
        (lambda: power_two_proportions(0.2, 0.3, 0, 10), "n_a"),
        (lambda: power_two_proportions(0.2, 0.3, 10, 10.5), "n_b"),
        (lambda: power_two_proportions(0.2, 0.3, 10, 10, alpha=1), "alpha"),
        (lambda: minimal_detectable_difference(0.3, 10, 10, power=1.0), "power"),
        (lambda: tost_risk_difference(5, 10, 3, 10, margin=0), "margin"),
        (lambda: tost_risk_difference(5, 10, 3, 10, margin=-0.1), "margin"),
        (lambda: tost_risk_difference(11, 10, 3, 10, margin=0.1), "events_a"),
        (lambda: tost_risk_difference(5, 10, 3, 10, margin=0.1, alpha=0), "alpha"),
        (lambda: tost_risk_difference(0, 10, 0, 10, margin=0.1), "standard error"),
    ],
)
def test_bad_input(call, word):
    with pytest.raises(ValueError, match=word):
        call()
