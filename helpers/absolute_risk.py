"""Translate a published odds ratio into absolute risks at an assumed baseline risk.

An odds ratio alone does not say how many more (or fewer) patients per 100 have the outcome: that
depends on how common the outcome is in the reference group. Given an assumed reference
("baseline") risk p0, the risk in the compared group that an odds ratio OR implies is

    p1 = OR · p0 / (1 − p0 + OR · p0)

(the odds p0 / (1 − p0) multiplied by OR and turned back into a risk). This is the conversion the
Cochrane Handbook uses to express a pooled odds ratio as an absolute effect at an assumed control
risk (Higgins JPT et al., eds. Cochrane Handbook for Systematic Reviews of Interventions,
version 6, chapter 15.4.4) and, divided by p0, the risk ratio of Zhang & Yu (JAMA
1998;280:1690-1), RR = OR / (1 − p0 + p0 · OR).

Because p1 increases strictly with OR for a fixed p0, the confidence limits of the odds ratio map
to limits of p1 and of the risk difference p1 − p0 *at that baseline*. The result treats p0 as
known: the uncertainty of the baseline itself is not included, so the interval is a translation
of the published interval, not a new confidence interval. Applying the conversion to an
**adjusted** odds ratio (logistic regression, inverse probability weighting) gives the absolute
effect for a patient whose reference risk is p0; it is an illustration across plausible baselines,
not an estimate of the population risk difference.

* :func:`risk_from_odds_ratio`: p1 for one OR and one p0.
* :func:`odds_ratio_to_risk_difference`: an OR with its CI translated at a baseline risk,
  returned as an :class:`AbsoluteEffect` (risks and risk differences with their limits).
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.validation import check_ci, check_positive, check_probability

__all__ = ["AbsoluteEffect", "risk_from_odds_ratio", "odds_ratio_to_risk_difference"]


@dataclass(frozen=True)
class AbsoluteEffect:
    """An odds ratio and its CI translated at ``baseline_risk`` (all risks on the 0–1 scale).

    ``risk``, ``risk_low``, ``risk_high``: the compared group's risk implied by the odds ratio and
    by its lower and upper confidence limits; ``rd``, ``rd_low``, ``rd_high``: the same minus
    ``baseline_risk``; ``rr``, ``rr_low``, ``rr_high``: divided by ``baseline_risk`` (Zhang & Yu).
    """

    odds_ratio: float
    ci_low: float
    ci_high: float
    baseline_risk: float
    risk: float
    risk_low: float
    risk_high: float
    rd: float
    rd_low: float
    rd_high: float
    rr: float
    rr_low: float
    rr_high: float


def risk_from_odds_ratio(odds_ratio, baseline_risk) -> float:
    """Risk p1 = OR·p0 / (1 − p0 + OR·p0) implied by ``odds_ratio`` at ``baseline_risk`` p0.

    ``odds_ratio`` must be positive and finite, ``baseline_risk`` in the open interval (0, 1)
    (at 0 or 1 the baseline odds are 0 or infinite and no odds ratio can move them). Raises
    ValueError naming the argument otherwise.
    """
    odds_ratio = check_positive(odds_ratio, "odds_ratio")
    p0 = check_probability(baseline_risk, "baseline_risk", open_low=True, open_high=True)
    return odds_ratio * p0 / (1.0 - p0 + odds_ratio * p0)


def odds_ratio_to_risk_difference(odds_ratio, ci_low, ci_high, baseline_risk) -> AbsoluteEffect:
    """Translate an odds ratio and its confidence limits into risks, risk differences and risk
    ratios at ``baseline_risk`` (see the module docstring for the formula and its limits).

    Raises ValueError when a ratio is not positive, the bounds are in the wrong order, the
    estimate lies outside its interval, or ``baseline_risk`` is not in (0, 1).
    """
    est, low, high = check_ci(odds_ratio, ci_low, ci_high, ratio=True,
                              names=("odds_ratio", "ci_low", "ci_high"))
    p0 = check_probability(baseline_risk, "baseline_risk", open_low=True, open_high=True)
    risk, risk_low, risk_high = (risk_from_odds_ratio(x, p0) for x in (est, low, high))
    return AbsoluteEffect(
        odds_ratio=est, ci_low=low, ci_high=high, baseline_risk=p0,
        risk=risk, risk_low=risk_low, risk_high=risk_high,
        rd=risk - p0, rd_low=risk_low - p0, rd_high=risk_high - p0,
        rr=risk / p0, rr_low=risk_low / p0, rr_high=risk_high / p0,
    )
