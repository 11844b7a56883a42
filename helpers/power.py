"""What a two-group study could detect: power, minimal detectable difference, TOST equivalence.

Power (:func:`power_two_proportions`)
    **Primary**: Cohen's effect size h = 2 arcsin sqrt(p_a) - 2 arcsin sqrt(p_b) with the normal
    power of :class:`statsmodels.stats.power.NormalIndPower` (two-sided; Cohen J, Statistical Power
    Analysis for the Behavioral Sciences, 2nd ed., 1988, chapter 6). **Secondary** (also returned):
    the unpooled normal approximation, power = Phi(|p_a - p_b| / se - z_{1-alpha/2}) +
    Phi(-|p_a - p_b| / se - z_{1-alpha/2}), se = sqrt(p_a q_a / n_a + p_b q_b / n_b).
Minimal detectable difference (:func:`minimal_detectable_difference`)
    The p_a above and below p_b at which the primary (Cohen's h) power reaches ``power``, found by
    root-finding; ``None`` when no p_a in [0, 1] reaches it on that side.
TOST (:func:`tost_risk_difference`)
    Schuirmann DJ, J Pharmacokinet Biopharm 1987;15:657-80: two one-sided Wald z-tests of
    H0: RD <= -margin and H0: RD >= +margin, z = (RD + margin)/se and (RD - margin)/se with the
    unpooled se; equivalence is concluded when both one-sided p < alpha, which is the same as the
    (1 - 2 alpha) Wald CI lying inside (-margin, +margin).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import optimize
from scipy.stats import norm
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize

from helpers.validation import (check_alpha, check_positive, check_probability, check_total,
                                check_two_by_two)

__all__ = ["Power", "DetectableDifference", "TOST", "power_two_proportions",
           "minimal_detectable_difference", "tost_risk_difference"]


@dataclass(frozen=True)
class Power:
    """``power`` (primary, Cohen's h) and ``power_unpooled`` (normal approximation)."""

    power: float
    power_unpooled: float
    cohens_h: float
    p_a: float
    p_b: float
    n_a: int
    n_b: int
    alpha: float
    method: str = "Cohen's h, NormalIndPower (two-sided)"


@dataclass(frozen=True)
class DetectableDifference:
    """Smallest detectable p_a above (``p_a_high``) and below (``p_a_low``) p_b, and the
    corresponding risk differences; ``None`` where not reachable."""

    p_b: float
    p_a_high: float | None
    p_a_low: float | None
    increase: float | None
    decrease: float | None
    power: float
    alpha: float
    n_a: int
    n_b: int
    method: str = "Cohen's h, NormalIndPower (two-sided)"


@dataclass(frozen=True)
class TOST:
    """Two one-sided tests on the risk difference (a - b)."""

    estimate: float
    ci_low: float
    ci_high: float
    level: float
    p_lower: float
    p_upper: float
    p_tost: float
    margin: float
    equivalent: bool
    conclusion: str
    method: str = "TOST, Wald z with unpooled SE (Schuirmann 1987)"


def _power_h(p_a, p_b, n_a, n_b, alpha):
    h = float(proportion_effectsize(p_a, p_b))
    if h == 0:
        return alpha, 0.0
    pw = NormalIndPower().power(effect_size=abs(h), nobs1=n_a, alpha=alpha, ratio=n_b / n_a,
                                alternative="two-sided")
    return float(pw), h


def power_two_proportions(p_a, p_b, n_a, n_b, alpha: float = 0.05) -> Power:
    """Two-sided power to detect p_a vs p_b with n_a and n_b per group (see module docstring).

    Raises ValueError for probabilities outside [0, 1], group sizes that are not whole numbers
    >= 1, or ``alpha`` outside (0, 1).
    """
    p_a = check_probability(p_a, "p_a")
    p_b = check_probability(p_b, "p_b")
    n_a, n_b = check_total(n_a, "n_a"), check_total(n_b, "n_b")
    alpha = check_alpha(alpha)
    pw, h = _power_h(p_a, p_b, n_a, n_b, alpha)
    z = norm.ppf(1 - alpha / 2)
    se = math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    d = abs(p_a - p_b)
    if se == 0:
        unpooled = alpha if d == 0 else 1.0
    else:
        unpooled = float(norm.cdf(d / se - z) + norm.cdf(-d / se - z))
    return Power(pw, unpooled, h, p_a, p_b, n_a, n_b, alpha)


def minimal_detectable_difference(p_b, n_a, n_b, power: float = 0.8,
                                  alpha: float = 0.05) -> DetectableDifference:
    """Smallest increase and decrease from p_b detectable with the given power (two-sided alpha).

    Raises ValueError for ``p_b`` outside [0, 1], invalid group sizes, or ``power``/``alpha``
    outside (0, 1); ``power`` must exceed ``alpha``.
    """
    p_b = check_probability(p_b, "p_b")
    n_a, n_b = check_total(n_a, "n_a"), check_total(n_b, "n_b")
    power = check_probability(power, "power", open_low=True, open_high=True)
    alpha = check_alpha(alpha)
    if power <= alpha:
        raise ValueError(f"power ({power}) must exceed alpha ({alpha})")

    def gap(p_a):
        return _power_h(p_a, p_b, n_a, n_b, alpha)[0] - power

    high = low = None
    if p_b < 1 and gap(1.0) >= 0:
        high = optimize.brentq(gap, p_b, 1.0, xtol=1e-12) if gap(p_b) < 0 else p_b
    if p_b > 0 and gap(0.0) >= 0:
        low = optimize.brentq(gap, 0.0, p_b, xtol=1e-12)
    return DetectableDifference(p_b, high, low, None if high is None else high - p_b,
                                None if low is None else low - p_b, power, alpha, n_a, n_b)


def tost_risk_difference(events_a, total_a, events_b, total_b, margin,
                         alpha: float = 0.05) -> TOST:
    """Schuirmann's two one-sided tests for equivalence of two risks within +/- ``margin``.

    Raises ValueError for invalid counts, ``margin`` not in (0, 1], ``alpha`` outside (0, 0.5),
    or a table whose Wald standard error is zero (both risks 0 or 1).
    """
    ea, na, eb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    margin = check_positive(margin, "margin")
    if margin > 1:
        raise ValueError(f"margin is a risk difference and must be at most 1, got {margin}")
    alpha = check_alpha(alpha)
    if alpha >= 0.5:
        raise ValueError(f"alpha must be below 0.5 for a (1 - 2 alpha) interval, got {alpha}")
    pa, pb = ea / na, eb / nb
    d = pa - pb
    se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
    if se == 0:
        raise ValueError("the Wald standard error is zero (every risk is 0 or 1): TOST undefined")
    p_lower = float(norm.sf((d + margin) / se))  # H0: RD <= -margin
    p_upper = float(norm.cdf((d - margin) / se))  # H0: RD >= +margin
    z = norm.ppf(1 - alpha)
    low, high = d - z * se, d + z * se
    p = max(p_lower, p_upper)
    eq = p < alpha
    level = 1 - 2 * alpha
    verdict = ("equivalent" if eq else "equivalence not shown")
    text = (f"RD {d:.3f} ({100 * level:g}% CI {low:.3f} to {high:.3f}); margin +/-{margin:g}: "
            f"{verdict} (TOST p = {p:.3g})")
    return TOST(d, low, high, level, p_lower, p_upper, p, margin, eq, text)
