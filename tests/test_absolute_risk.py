"""Tests for helpers.absolute_risk.

References: the definition of odds (odds = p / (1 − p); e.g. Altman DG, Practical Statistics for
Medical Research, 1991, section 10.11), which gives exact values by hand: at p0 = 1/2 (odds 1) an
odds ratio of 2 gives odds 2, i.e. p1 = 2/3; at p0 = 1/4 (odds 1/3) an odds ratio of 3 gives odds 1,
i.e. p1 = 1/2. Independently, statsmodels' ``Table2x2`` computes the odds ratio and risk ratio of a
2×2 table; converting its odds ratio back at the table's reference risk must give the table's own
risk and statsmodels' risk ratio (Zhang & Yu, JAMA 1998;280:1690-1).
"""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from statsmodels.stats.contingency_tables import Table2x2

from helpers.absolute_risk import odds_ratio_to_risk_difference, risk_from_odds_ratio


@pytest.mark.parametrize(
    "odds_ratio, p0, expected",
    [(2.0, 0.5, 2 / 3), (3.0, 0.25, 0.5), (1 / 3, 0.5, 0.25), (1.0, 0.37, 0.37)],
)
def test_exact_values_from_the_definition_of_odds(odds_ratio, p0, expected):
    assert risk_from_odds_ratio(odds_ratio, p0) == pytest.approx(expected, rel=1e-12)


def test_statsmodels_table():
    # 150/300 events vs 75/300 events: statsmodels gives OR = 3 and RR = 2
    table = Table2x2(np.array([[150, 150], [75, 225]]))
    assert table.oddsratio == pytest.approx(3.0)
    eff = odds_ratio_to_risk_difference(table.oddsratio, table.oddsratio / 2, table.oddsratio * 2, 0.25)
    assert eff.risk == pytest.approx(0.5)
    assert eff.rd == pytest.approx(0.25)
    assert eff.rr == pytest.approx(table.riskratio)


@given(
    st.integers(1, 199), st.integers(1, 199),
)
def test_roundtrip_against_statsmodels(a, c):
    n = 200
    table = Table2x2(np.array([[a, n - a], [c, n - c]]))
    p1 = risk_from_odds_ratio(table.oddsratio, c / n)
    assert p1 == pytest.approx(a / n, rel=1e-9)
    eff = odds_ratio_to_risk_difference(table.oddsratio, table.oddsratio, table.oddsratio, c / n)
    assert eff.rr == pytest.approx(table.riskratio, rel=1e-9)


@given(
    st.floats(0.05, 20.0), st.floats(0.05, 20.0), st.floats(0.05, 20.0), st.floats(0.01, 0.99),
)
def test_limits_are_ordered_and_odds_ratio_recovered(x, y, z, p0):
    low, est, high = sorted((x, y, z))
    eff = odds_ratio_to_risk_difference(est, low, high, p0)
    assert 0 < eff.risk_low <= eff.risk <= eff.risk_high < 1
    assert eff.rd_low <= eff.rd <= eff.rd_high
    # the implied odds ratio is the one we started from
    odds = lambda p: p / (1 - p)  # noqa: E731
    assert odds(eff.risk) / odds(p0) == pytest.approx(est, rel=1e-9)
    # an odds ratio above 1 means a higher risk, below 1 a lower one; the RR lies between 1 and OR
    if est > 1:
        assert eff.rd > 0
    elif est < 1:
        assert eff.rd < 0
    assert min(1.0, est) - 1e-12 <= eff.rr <= max(1.0, est) + 1e-12


@pytest.mark.parametrize(
    "args, message",
    [
        ((0.0, 0.5), "odds_ratio"),
        ((-1.0, 0.5), "odds_ratio"),
        ((float("inf"), 0.5), "odds_ratio"),
        ((2.0, 0.0), "baseline_risk"),
        ((2.0, 1.0), "baseline_risk"),
        ((2.0, 1.5), "baseline_risk"),
        ((2.0, float("nan")), "baseline_risk"),
    ],
)
def test_bad_input_risk(args, message):
    with pytest.raises(ValueError, match=message):
        risk_from_odds_ratio(*args)


@pytest.mark.parametrize(
    "args, message",
    [
        ((1.1, 1.96, 0.62, 0.5), "wrong order"),
        ((3.0, 0.62, 1.96, 0.5), "outside its CI"),
        ((1.1, -0.62, 1.96, 0.5), "positive"),
        ((1.1, 0.62, 1.96, 0.0), "baseline_risk"),
    ],
)
def test_bad_input_translation(args, message):
    with pytest.raises(ValueError, match=message):
        odds_ratio_to_risk_difference(*args)
