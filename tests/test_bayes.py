"""Tests for helpers.bayes (conjugate normal-normal re-reading)."""

import math

import pytest
from hypothesis import given, strategies as st
from scipy.stats import norm

from helpers.bayes import PRIORS, Prior, normal_from_ci, reread, reread_all


def test_normal_from_ci_hand():
    # OR 2 (95% CI 1 to 4): mean log 2, sd = log 4 / (2 x 1.959964) = 0.353653
    m, s = normal_from_ci(2.0, 1.0, 4.0)
    assert m == pytest.approx(0.693147, abs=1e-6)
    assert s == pytest.approx(0.353653, abs=1e-6)
    m, s = normal_from_ci(0.2, 0.1, 0.3, scale="linear", level=0.90)
    assert s == pytest.approx(0.2 / (2 * 1.644854), abs=1e-6)


def test_conjugate_hand_example():
    # prior N(0, 0.5^2), likelihood N(0.693147, 0.353653^2):
    # precisions 4 and 7.995493; posterior mean 0.693147 x 7.995493 / 11.995493 = 0.462011,
    # posterior sd 1/sqrt(11.995493) = 0.288729
    post = reread(2.0, 1.0, 4.0, prior=Prior(0.0, 0.5), thresholds=(1.0,))
    assert post.mean == pytest.approx(0.462011, abs=1e-5)
    assert post.sd == pytest.approx(0.288729, abs=1e-5)
    assert post.median == pytest.approx(math.exp(0.462011), rel=1e-5)
    assert post.ci_low == pytest.approx(math.exp(0.462011 - 1.959964 * 0.288729), rel=1e-5)
    assert post.prob_above[1.0] == pytest.approx(norm.cdf(0.462011 / 0.288729), abs=1e-5)
    assert post.prob_above[1.0] + post.prob_below[1.0] == pytest.approx(1.0)


def test_great_trial_published():
    # Spiegelhalter, Abrams & Myles, Bayesian Approaches to Clinical Trials and Health-Care
    # Evaluation (Wiley 2004), GREAT trial example (Pocock & Spiegelhalter, BMJ 1992;305:1015):
    # likelihood log OR -0.74 (sd 0.36), prior -0.26 (sd 0.12); posterior OR 0.73 (0.58 to 0.93).
    # The book rounds its inputs to two decimals, so the bounds are compared to +/- 0.015.
    est, lo, hi = (math.exp(-0.74 + k * 1.959964 * 0.36) for k in (0, -1, 1))
    post = reread(est, lo, hi, prior=Prior(-0.26, 0.12))
    assert post.median == pytest.approx(0.73, abs=0.01)
    assert post.ci_low == pytest.approx(0.58, abs=0.015)
    assert post.ci_high == pytest.approx(0.93, abs=0.015)


def test_prior_definitions():
    s, e, n = PRIORS["sceptical"], PRIORS["enthusiastic"], PRIORS["neutral"]
    assert norm.sf(math.log(2), s.mean, s.sd) == pytest.approx(0.05)  # P(OR > 2) = 5%
    assert norm.cdf(0.0, e.mean, e.sd) == pytest.approx(0.05)  # P(OR < 1) = 5%
    assert (n.mean, n.sd) == (0.0, 10.0)


def test_reread_all_frame():
    df = reread_all(2.0, 1.2, 3.33, thresholds=(1.0, 1.25))
    assert list(df["prior"]) == ["sceptical", "neutral", "enthusiastic"]
    assert {"median", "ci_low", "ci_high", "P(> 1)", "P(> 1.25)", "P(< 1)"} <= set(df.columns)
    assert df.loc[0, "median"] < df.loc[1, "median"]  # sceptical pulls towards 1


@pytest.mark.parametrize(
    "args,kwargs,word",
    [
        ((2.0, 3.0, 1.0), {}, "wrong order"),
        ((5.0, 1.0, 4.0), {}, "outside"),
        ((2.0, 0.0, 4.0), {}, "positive"),
        ((2.0, 2.0, 2.0), {}, "zero width"),
        ((2.0, 1.0, 4.0), {"scale": "exp"}, "scale"),
        ((2.0, 1.0, 4.0), {"level": 1.0}, "level"),
        ((2.0, 1.0, 4.0), {"prior": "optimistic"}, "prior"),
        ((2.0, 1.0, 4.0), {"thresholds": (0.0,)}, "thresholds"),
        ((2.0, 1.0, float("nan")), {}, "ci_high"),
    ],
)
def test_bad_input(args, kwargs, word):
    with pytest.raises(ValueError, match=word):
        reread(*args, **kwargs)


def test_bad_prior_sd():
    with pytest.raises(ValueError, match="prior sd"):
        Prior(0.0, 0.0)


cis = st.tuples(st.floats(-3, 3), st.floats(0.01, 2)).map(
    lambda ms: (math.exp(ms[0]), math.exp(ms[0] - 1.96 * ms[1]), math.exp(ms[0] + 1.96 * ms[1])))


@given(cis, st.floats(-2, 2), st.floats(0.05, 5))
def test_posterior_between_prior_and_likelihood(ci, pm, ps):
    post = reread(*ci, prior=Prior(pm, ps))
    lik_mean, lik_sd = post.likelihood
    assert min(pm, lik_mean) - 1e-9 <= post.mean <= max(pm, lik_mean) + 1e-9
    assert post.sd <= min(ps, lik_sd) + 1e-12
    assert post.ci_low <= post.median <= post.ci_high


@given(cis)
def test_neutral_is_close_to_likelihood(ci):
    post = reread(*ci, prior="neutral")
    lik_mean, lik_sd = post.likelihood
    # the shift towards the prior mean 0 is lik_mean x w_prior / (w_prior + w_lik), at most
    # |lik_mean| x (lik_sd / 10)^2
    assert abs(post.mean - lik_mean) <= abs(lik_mean) * (lik_sd / 10) ** 2 + 1e-12
    assert lik_sd * (1 - (lik_sd / 10) ** 2) <= post.sd <= lik_sd
