"""Bayesian re-reading of a published ratio estimate (OR, RR, HR) with normal priors.

The published estimate and its confidence interval are turned into a normal likelihood on the log
scale (mean = log estimate, sd = (log upper - log lower) / (2 z)), combined with a normal prior by
the conjugate normal-normal rule, and the posterior is reported back on the ratio scale:

    posterior precision = 1/sd_prior^2 + 1/sd_lik^2
    posterior mean      = (mean_prior/sd_prior^2 + mean_lik/sd_lik^2) / posterior precision

Priors (Spiegelhalter DJ, Freedman LS, Parmar MKB. Bayesian approaches to randomized trials.
J R Stat Soc A 1994;157:357-416; Spiegelhalter, Abrams & Myles, Bayesian Approaches to Clinical
Trials and Health-Care Evaluation, Wiley 2004, section 5.5), on the log ratio scale, with the
clinically important effect taken as a ratio of 2 (``CLINICAL_RATIO``):

* ``sceptical``: mean 0 (no effect), sd = log(2)/1.645 = 0.421, so P(ratio > 2) = 5%: a sceptic
  thinks an effect as large as the clinically important one improbable (Spiegelhalter et al.'s
  sceptical prior, with the 5% tail on the alternative).
* ``enthusiastic``: mean log(2), same sd, so P(ratio < 1) = 5%: an enthusiast expects the
  clinically important effect and gives only 5% to no benefit. The centre is this fixed clinical
  value, **not** the study's own estimate (which would use the data twice).
* ``neutral``: mean 0, sd 10 -- so flat over any plausible range that the posterior is essentially
  the likelihood (a reference analysis).

"Above" a threshold means ratio > threshold (e.g. OR > 1 means higher odds in group a).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from scipy.stats import norm

from helpers.validation import check_level, check_ci, check_finite, check_positive, check_probability

__all__ = ["Prior", "Posterior", "PRIORS", "CLINICAL_RATIO", "normal_from_ci", "reread",
           "reread_all"]

CLINICAL_RATIO = 2.0
_Z95 = float(norm.ppf(0.95))


@dataclass(frozen=True)
class Prior:
    """Normal prior on the analysis scale (log ratio when ``scale="log"``)."""

    mean: float
    sd: float
    name: str = "custom"

    def __post_init__(self):
        check_finite(self.mean, "prior mean")
        check_positive(self.sd, "prior sd")


PRIORS = {
    "sceptical": Prior(0.0, math.log(CLINICAL_RATIO) / _Z95, "sceptical"),
    "neutral": Prior(0.0, 10.0, "neutral"),
    "enthusiastic": Prior(math.log(CLINICAL_RATIO), math.log(CLINICAL_RATIO) / _Z95, "enthusiastic"),
}


@dataclass(frozen=True)
class Posterior:
    """Posterior of the effect, on the ratio scale when ``scale="log"`` (else the linear scale).

    ``median`` and ``ci_low``/``ci_high`` (equal-tailed credible interval at ``level``) are
    back-transformed; ``prob_above[t]`` = P(effect > t), ``prob_below[t]`` = P(effect < t);
    ``mean``/``sd`` are the normal posterior on the analysis scale; ``prior`` and ``likelihood``
    are (mean, sd) pairs on the analysis scale.
    """

    median: float
    ci_low: float
    ci_high: float
    prob_above: dict
    prob_below: dict
    prior: Prior
    likelihood: tuple
    mean: float
    sd: float
    level: float
    scale: str


def _check_scale(scale):
    if scale not in ("log", "linear"):
        raise ValueError(f"scale must be 'log' or 'linear', got {scale!r}")
    return scale


def _check_level(level):
    return check_level(level)


def normal_from_ci(estimate, ci_low, ci_high, scale: str = "log", level: float = 0.95):
    """Normal approximation (mean, sd) on the analysis scale from a point estimate and its CI.

    ``scale="log"``: mean = log(estimate), sd = (log ci_high - log ci_low) / (2 z_{(1+level)/2})
    (Altman & Bland, BMJ 2011;343:d2090); ``"linear"`` uses the bounds unchanged. Raises ValueError
    for bounds in the wrong order, an estimate outside its CI, non-positive ratios on the log scale,
    equal bounds, or a ``level`` outside (0, 1).
    """
    scale = _check_scale(scale)
    level = _check_level(level)
    if estimate is None:
        raise ValueError("estimate is required (a number inside its CI), got None")
    est, low, high = check_ci(estimate, ci_low, ci_high, ratio=(scale == "log"))
    if low == high:
        raise ValueError("ci_low equals ci_high: a CI of zero width has no standard error")
    z = float(norm.ppf(0.5 + level / 2))
    if scale == "log":
        return math.log(est), (math.log(high) - math.log(low)) / (2 * z)
    return est, (high - low) / (2 * z)


def _resolve_prior(prior) -> Prior:
    if isinstance(prior, Prior):
        return prior
    if isinstance(prior, str) and prior in PRIORS:
        return PRIORS[prior]
    raise ValueError(f"prior must be one of {sorted(PRIORS)} or a Prior(mean, sd), got {prior!r}")


def reread(estimate, ci_low, ci_high, prior="sceptical", scale: str = "log",
           thresholds=(1.0, 1.25), level: float = 0.95, ci_level: float = 0.95) -> Posterior:
    """Conjugate normal-normal re-reading of a published estimate (see module docstring).

    ``ci_level`` is the level of the published CI, ``level`` that of the credible interval.
    ``thresholds`` are on the reported scale (ratios when ``scale="log"``, so they must be > 0).
    """
    scale = _check_scale(scale)
    prior = _resolve_prior(prior)
    level = _check_level(level)
    ci_level = check_level(ci_level, "ci_level")
    m_lik, s_lik = normal_from_ci(estimate, ci_low, ci_high, scale=scale, level=ci_level)
    if thresholds is None or isinstance(thresholds, (str, bytes, dict)):
        raise ValueError(f"thresholds must be a non-empty sequence of numbers, got {thresholds!r}")
    try:
        ts = list(thresholds)
    except TypeError as err:
        raise ValueError(f"thresholds must be a non-empty sequence of numbers, got {thresholds!r}") from err
    if not ts:
        raise ValueError("thresholds must not be empty")
    ts = [check_positive(t, "thresholds") if scale == "log" else check_finite(t, "thresholds")
          for t in ts]
    w_prior, w_lik = 1 / prior.sd**2, 1 / s_lik**2
    prec = w_prior + w_lik
    mean = (prior.mean * w_prior + m_lik * w_lik) / prec
    sd = math.sqrt(1 / prec)
    z = float(norm.ppf(0.5 + level / 2))
    back = math.exp if scale == "log" else (lambda x: x)
    fwd = math.log if scale == "log" else (lambda x: x)
    above = {t: float(norm.sf((fwd(t) - mean) / sd)) for t in ts}
    below = {t: float(norm.cdf((fwd(t) - mean) / sd)) for t in ts}
    return Posterior(back(mean), back(mean - z * sd), back(mean + z * sd), above, below, prior,
                     (m_lik, s_lik), mean, sd, level, scale)


def reread_all(estimate, ci_low, ci_high, scale: str = "log", thresholds=(1.0, 1.25),
               level: float = 0.95, ci_level: float = 0.95) -> pd.DataFrame:
    """:func:`reread` under the sceptical, neutral and enthusiastic priors, one row each, with
    columns prior, prior_mean, prior_sd, median, ci_low, ci_high and P(> t) / P(< t) per threshold.
    """
    rows = []
    for name in ("sceptical", "neutral", "enthusiastic"):
        post = reread(estimate, ci_low, ci_high, name, scale, thresholds, level, ci_level)
        row = {"prior": name, "prior_mean": post.prior.mean, "prior_sd": post.prior.sd,
               "median": post.median, "ci_low": post.ci_low, "ci_high": post.ci_high}
        row.update({f"P(> {t:g})": p for t, p in post.prob_above.items()})
        row.update({f"P(< {t:g})": p for t, p in post.prob_below.items()})
        rows.append(row)
    return pd.DataFrame(rows)
