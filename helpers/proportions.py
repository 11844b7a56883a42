"""Confidence intervals for a single proportion.

Both intervals are computed by :func:`statsmodels.stats.proportion.proportion_confint`:

* :func:`wilson` -- the Wilson (1927) score interval, "method 3" in Newcombe (1998a), the interval
  recommended for routine use (good coverage, never outside [0, 1]).
* :func:`clopper_pearson` -- the Clopper & Pearson (1934) "exact" interval from the binomial
  (beta) quantiles, "method 5" in Newcombe (1998a); conservative (coverage >= nominal).

Reference: Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of
seven methods. Stat Med 1998;17:857-72.
"""

from __future__ import annotations

from dataclasses import dataclass

from statsmodels.stats.proportion import proportion_confint

from helpers.validation import check_level, check_alpha, check_count_le_total, check_probability

__all__ = ["Interval", "wilson", "clopper_pearson"]


@dataclass(frozen=True)
class Interval:
    """A proportion with its confidence interval (all on the 0-1 scale)."""

    estimate: float
    ci_low: float
    ci_high: float
    method: str
    level: float = 0.95
    count: int | None = None
    total: int | None = None


def _check_level(level) -> float:
    level = check_level(level)
    check_alpha(1 - level, "1 - level")
    return level


def _interval(count, total, level, sm_method: str, label: str) -> Interval:
    count, total = check_count_le_total(count, total, "count", "total")
    level = _check_level(level)
    low, high = proportion_confint(count, total, alpha=1 - level, method=sm_method)
    low = min(max(float(low), 0.0), 1.0)
    high = min(max(float(high), 0.0), 1.0)
    # Both intervals reach exactly 0 at count == 0 and exactly 1 at count == total; snap the
    # floating-point residue (Wilson gives 0.9999999999999999 for 10/10).
    if count == 0:
        low = 0.0
    if count == total:
        high = 1.0
    return Interval(count / total, low, high, label, level, count, total)


def wilson(count, total, level: float = 0.95) -> Interval:
    """Wilson score interval for ``count``/``total`` (Wilson 1927; Newcombe 1998 method 3).

    Raises ValueError when ``count`` or ``total`` is not a whole number, ``total`` < 1,
    ``count`` > ``total`` or ``level`` is not in (0, 1).
    """
    return _interval(count, total, level, "wilson", "Wilson score")


def clopper_pearson(count, total, level: float = 0.95) -> Interval:
    """Clopper-Pearson exact interval for ``count``/``total`` (Clopper & Pearson 1934;
    Newcombe 1998 method 5), from beta quantiles.

    Raises ValueError as :func:`wilson` does.
    """
    return _interval(count, total, level, "beta", "Clopper-Pearson exact")
