"""Tests for helpers.effects.

Reference values:
* Newcombe RG, Stat Med 1998;17:873-90, Table II (method 10 = hybrid score; method 1 = Wald).
* R 4.x ``confint(glm(cbind(y, n - y) ~ x, binomial))`` (profile likelihood, MASS/stats method)
  and ``glm(..., binomial(link = "log"))`` for the RR, and ``fisher.test`` for the conditional
  exact OR; generated with this script (R values are computed by spline interpolation of the
  profile on a grid, so agreement is to about 1e-4 relative):

      d <- data.frame(x = c(1, 0), y = c(ya, yb), n = c(na, nb))
      exp(confint(glm(cbind(y, n - y) ~ x, binomial, d))["x", ])
      exp(confint(glm(cbind(y, n - y) ~ x, binomial(link = "log"), d,
                      start = c(log(yb / nb), 0.1)))["x", ])
      fisher.test(matrix(c(ya, na - ya, yb, nb - yb), 2, byrow = TRUE))$conf.int
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from conftest import examples
from scipy import optimize
from scipy.special import expit
from scipy.stats import norm

from helpers.effects import nnt, odds_ratio, risk_difference, risk_ratio
from helpers.proportions import wilson

Z = norm.ppf(0.975)

# --------------------------------------------------------------------------- risk difference

# Newcombe 1998 Table II, method 10 (examples a, e, f, g, h)
NEWCOMBE_RD = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize("table,expected", NEWCOMBE_RD)
def test_newcombe_rd_published(table, expected):
    rd = risk_difference(*table)
    assert (round(rd.ci_low, 4), round(rd.ci_high, 4)) == expected
    assert rd.measure == "RD" and rd.level == 0.95


def test_newcombe_rd_equals_hand_formula():
    # Newcombe's method 10 by hand from the two Wilson intervals:
    # L = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), U = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
    for t in [(6, 7, 2, 7), (9, 10, 3, 10), (5, 56, 0, 29), (15, 148, 8, 120)]:
        w1, w2 = wilson(t[0], t[1]), wilson(t[2], t[3])
        p1, p2 = w1.estimate, w2.estimate
        low = p1 - p2 - math.hypot(p1 - w1.ci_low, w2.ci_high - p2)
        high = p1 - p2 + math.hypot(w1.ci_high - p1, p2 - w2.ci_low)
        rd = risk_difference(*t)
        assert rd.ci_low == pytest.approx(low, abs=1e-10)
        assert rd.ci_high == pytest.approx(high, abs=1e-10)


def test_wald_rd_published():
    # Newcombe 1998 Table II, method 1, example (a): 0.0575 to 0.3425
    rd = risk_difference(56, 70, 48, 80, method="wald")
    assert rd.estimate == pytest.approx(0.2)
    assert (round(rd.ci_low, 4), round(rd.ci_high, 4)) == (0.0575, 0.3425)


# --------------------------------------------------------------------------- risk ratio / odds ratio

R_PROFILE = [
    # table, R profile OR (logit GLM), R profile RR (log-link GLM), R fisher.test conditional CI
    ((56, 70, 48, 80), (1.29632453, 5.70382407), (1.08125351, 1.67169167), (1.20911815, 6.04056145)),
    ((9, 10, 3, 10), (2.41179848, 491.66623950), (1.38124570, 10.76417403), (1.38712702, 1039.29096760)),
    ((5, 56, 1, 29), (0.41537552, 53.98054231), (0.44393627, 48.37879554), (0.28352287, 134.31566557)),
    ((15, 148, 8, 120), (0.66061271, 4.04857005), (0.68467322, 3.66398660), (0.60105628, 4.45981014)),
]


@pytest.mark.parametrize("table,or_ci,rr_ci,exact_ci", R_PROFILE)
def test_profile_intervals_match_r(table, or_ci, rr_ci, exact_ci):
    o = odds_ratio(*table, method="profile")
    assert (o.ci_low, o.ci_high) == pytest.approx(or_ci, rel=2e-3)
    r = risk_ratio(*table, method="profile")
    assert (r.ci_low, r.ci_high) == pytest.approx(rr_ci, rel=2e-3)
    e = odds_ratio(*table, method="exact")
    # R's fisher.test uses uniroot with default tolerance: agreement to about 1e-2 relative
    assert (e.ci_low, e.ci_high) == pytest.approx(exact_ci, rel=1e-2)


def test_profile_deviance_at_bounds_is_chi2_cutoff():
    # independent check: at each profile bound the constrained maximum log-likelihood is
    # chi2_1(0.95)/2 below the unconstrained one (maximised here with scipy, not statsmodels)
    ea, na, eb, nb = 56, 70, 48, 80

    def ll(alpha, psi):
        pa, pb = expit(alpha + psi), expit(alpha)
        return ea * np.log(pa) + (na - ea) * np.log1p(-pa) + eb * np.log(pb) + (nb - eb) * np.log1p(-pb)

    full = ll(math.log(48 / 32), math.log((56 * 32) / (14 * 48)))
    o = odds_ratio(ea, na, eb, nb, method="profile")
    for bound in (o.ci_low, o.ci_high):
        res = optimize.minimize_scalar(lambda a: -ll(a, math.log(bound)))
        assert 2 * (full + res.fun) == pytest.approx(3.841458820694124, abs=1e-6)


def test_wald_rr_and_or_hand_formulas():
    # Katz: log RR +/- z sqrt(1/a - 1/n1 + 1/c - 1/n2); Woolf: log OR +/- z sqrt(sum 1/cell)
    a, n1, c, n2 = 56, 70, 48, 80
    se_rr = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    rr = risk_ratio(a, n1, c, n2)
    assert rr.estimate == pytest.approx((56 / 70) / (48 / 80))
    assert rr.ci_low == pytest.approx(rr.estimate * math.exp(-Z * se_rr))
    assert rr.ci_high == pytest.approx(rr.estimate * math.exp(Z * se_rr))
    se_or = math.sqrt(1 / 56 + 1 / 14 + 1 / 48 + 1 / 32)
    o = odds_ratio(a, n1, c, n2)
    assert o.estimate == pytest.approx(56 * 32 / (14 * 48))
    assert o.ci_high == pytest.approx(o.estimate * math.exp(Z * se_or))


def test_wald_or_textbook():
    # Agresti, Categorical Data Analysis (2nd ed., 2002) Table 2.3 / section 2.4.3: aspirin and
    # myocardial infarction (Physicians' Health Study); placebo 189/11034 vs aspirin 104/11037:
    # OR 1.832, 95% Wald CI (1.440, 2.331); RR 1.818.
    o = odds_ratio(189, 11034, 104, 11037)
    assert round(o.estimate, 3) == 1.832
    assert (round(o.ci_low, 3), round(o.ci_high, 3)) == (1.440, 2.331)
    assert round(risk_ratio(189, 11034, 104, 11037).estimate, 3) == 1.818


def test_score_rr_is_miettinen_nurminen():
    # independent check: at each bound Koopman's (1984) chi-square with the Miettinen-Nurminen
    # (1985) factor (N - 1)/N equals z^2.
    a, n1, c, n2 = 56, 70, 48, 80
    r = risk_ratio(a, n1, c, n2, method="score")
    for phi in (r.ci_low, r.ci_high):
        # constrained MLE of p2 under p1 = phi * p2 (Koopman 1984, eq. 2): root of a quadratic
        A = phi * (n1 + n2)
        B = -(phi * n1 + a + n2 + c * phi)
        C = a + c
        p2 = (-B - math.sqrt(B * B - 4 * A * C)) / (2 * A)
        p1 = phi * p2
        u = (a - n1 * p1) ** 2 / (n1 * p1 * (1 - p1)) + (c - n2 * p2) ** 2 / (n2 * p2 * (1 - p2))
        # Miettinen & Nurminen 1985: Koopman's statistic times (N - 1)/N
        assert u * (n1 + n2 - 1) / (n1 + n2) == pytest.approx(Z**2, rel=1e-6)
    assert r.ci_low < r.estimate < r.ci_high


def test_firth_equals_penalised_likelihood_maximum():
    # Firth (1993): maximise l(beta) + 0.5 log det I(beta) directly for the logistic model with
    # design [[1, 1], [1, 0]]; compare with the OR of the table with 0.5 added to each cell.
    ea, na, eb, nb = 10, 10, 5, 10
    X = np.array([[1.0, 1.0], [1.0, 0.0]])
    y, n = np.array([ea, eb]), np.array([na, nb])

    def negpen(beta):
        p = expit(X @ beta)
        ll = np.sum(y * np.log(p) + (n - y) * np.log1p(-p))
        info = X.T @ np.diag(n * p * (1 - p)) @ X
        return -(ll + 0.5 * np.log(np.linalg.det(info)))

    beta = optimize.minimize(negpen, np.zeros(2), method="BFGS", options={"gtol": 1e-10}).x
    f = odds_ratio(ea, na, eb, nb, method="firth")
    assert f.estimate == pytest.approx(math.exp(beta[1]), rel=1e-5)
    assert f.estimate == pytest.approx((10.5 * 5.5) / (0.5 * 5.5))
    assert f.ci_low < f.estimate < f.ci_high and math.isfinite(f.ci_high)
    assert f.correction == "firth"


def test_zero_cells():
    with pytest.raises(ValueError, match="zero"):
        odds_ratio(5, 56, 0, 29)
    with pytest.raises(ValueError, match="correction"):
        risk_ratio(5, 56, 0, 29)
    h = odds_ratio(5, 56, 0, 29, correction="haldane")
    assert h.table == (5.5, 51.5, 0.5, 29.5)
    assert h.estimate == pytest.approx(5.5 * 29.5 / (51.5 * 0.5))
    # 'haldane' leaves a table without zeros alone; 'haldane_always' always adds 0.5
    assert odds_ratio(56, 70, 48, 80, correction="haldane").correction == "none"
    assert odds_ratio(56, 70, 48, 80, correction="haldane_always").table == (56.5, 14.5, 48.5, 32.5)
    rr = risk_ratio(0, 10, 0, 20, correction="haldane")
    assert rr.estimate == pytest.approx((0.5 / 11) / (0.5 / 21))
    # all events in group a: the RR is finite and its profile interval still works
    r = risk_ratio(10, 10, 5, 10, method="profile")
    assert r.ci_low < 2.0 < r.ci_high and math.isfinite(r.ci_high)
    # exact conditional OR is infinite with a zero cell, and said so (not NaN)
    e = odds_ratio(10, 10, 5, 10, method="exact")
    assert math.isinf(e.estimate) and e.ci_low == pytest.approx(1.19539604, rel=1e-2)


# --------------------------------------------------------------------------- NNT


def test_nnt_altman_example():
    # Altman, BMJ 1998;317:1309, worked example: RD 0.229 benefit with 95% CI 0.102 to 0.357
    # gives NNT 4.4 (2.8 to 9.8). Rebuilt from the inversion rule with our interval:
    n = nnt(56, 70, 48, 80, outcome_is_good=True)
    assert n.kind == "NNT" and not n.crosses_zero
    assert n.estimate == pytest.approx(5.0)
    assert n.ci_low == pytest.approx(1 / 0.33387265, rel=1e-6)
    assert n.ci_high == pytest.approx(1 / 0.05243147, rel=1e-6)
    assert (round(1 / 0.357, 1), round(1 / 0.102, 1)) == (2.8, 9.8)


def test_nnt_crossing_zero():
    n = nnt(15, 148, 8, 120)  # harmful outcome, more events with a: NNH; RD CI crosses 0
    rd = risk_difference(15, 148, 8, 120)
    assert rd.ci_low < 0 < rd.ci_high
    assert n.kind == "NNH" and n.crosses_zero
    assert n.ci_low == pytest.approx(1 / abs(rd.ci_low))  # NNT(benefit) bound
    assert n.ci_high == pytest.approx(1 / rd.ci_high)  # NNT(harm) bound
    assert "infinity" in n.text
    assert math.isinf(nnt(3, 10, 3, 10).estimate)


# --------------------------------------------------------------------------- bad input

FUNCS = [risk_difference, risk_ratio, odds_ratio, nnt]


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize(
    "args,word",
    [
        ((11, 10, 3, 10), "events_a"),
        ((1, 10, 12, 10), "events_b"),
        ((-1, 10, 3, 10), "events_a"),
        ((1.5, 10, 3, 10), "events_a"),
        ((1, 0, 3, 10), "total_a"),
        ((1, 10, 0, 0), "total_b"),
    ],
)
def test_bad_counts(func, args, word):
    with pytest.raises(ValueError, match=word):
        func(*args)


@pytest.mark.parametrize("func", FUNCS)
def test_bad_level_and_method(func):
    with pytest.raises(ValueError, match="level"):
        func(3, 10, 5, 10, level=1.0)
    with pytest.raises(ValueError, match="method"):
        func(3, 10, 5, 10, method="bogus")


def test_bad_correction():
    with pytest.raises(ValueError, match="correction"):
        odds_ratio(3, 10, 5, 10, correction="yes")


# --------------------------------------------------------------------------- properties

tables = st.integers(1, 300).flatmap(
    lambda na: st.integers(1, 300).flatmap(
        lambda nb: st.tuples(st.integers(0, na), st.just(na), st.integers(0, nb), st.just(nb))))


@given(tables)
def test_rd_contains_estimate_and_negates_on_swap(t):
    ea, na, eb, nb = t
    for m in ("newcombe", "wald"):
        rd = risk_difference(*t, method=m)
        assert -1 <= rd.ci_low <= rd.estimate <= rd.ci_high <= 1
        sw = risk_difference(eb, nb, ea, na, method=m)
        assert sw.estimate == pytest.approx(-rd.estimate, abs=1e-12)
        assert sw.ci_low == pytest.approx(-rd.ci_high, abs=1e-9)
        assert sw.ci_high == pytest.approx(-rd.ci_low, abs=1e-9)


@given(tables)
def test_ratios_contain_estimate_and_invert_on_swap(t):
    ea, na, eb, nb = t
    for m in ("wald", "score"):
        rr = risk_ratio(*t, method=m, correction="haldane")
        assert rr.ci_low <= rr.estimate <= rr.ci_high
        sw = risk_ratio(eb, nb, ea, na, method=m, correction="haldane")
        assert sw.estimate == pytest.approx(1 / rr.estimate, rel=1e-9)
        if m == "wald":
            assert sw.ci_low == pytest.approx(1 / rr.ci_high, rel=1e-9)
    o = odds_ratio(*t, correction="haldane")
    sw = odds_ratio(eb, nb, ea, na, correction="haldane")
    assert o.ci_low <= o.estimate <= o.ci_high
    assert sw.estimate == pytest.approx(1 / o.estimate, rel=1e-9)
    assert sw.ci_high == pytest.approx(1 / o.ci_low, rel=1e-9)


@settings(max_examples=examples(10))
@given(st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(1, 40), st.integers(1, 40)))
def test_profile_or_inverts_on_swap(cells):
    a, b, c, d = cells
    o = odds_ratio(a, a + b, c, c + d, method="profile")
    sw = odds_ratio(c, c + d, a, a + b, method="profile")
    assert o.ci_low <= o.estimate <= o.ci_high
    assert sw.ci_low == pytest.approx(1 / o.ci_high, rel=1e-6)
    assert sw.ci_high == pytest.approx(1 / o.ci_low, rel=1e-6)
