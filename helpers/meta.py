"""Meta-analysis: random effects (DL, REML, PM), fixed effect, Mantel–Haenszel, logit pooling.

Every result follows the conventions of R's **metafor** package (Viechtbauer 2010, *J Stat Softw*
36(3)), so that numbers in the book can be checked against ``metafor::rma`` line by line:

* the between-study variance τ² is never below zero (DerSimonian–Laird is truncated at zero;
  Paule–Mandel and REML return zero when their estimating equation has no positive root);
* with ``knha=False`` confidence and prediction intervals use normal quantiles; with ``knha=True``
  (metafor's ``test="knha"``) the standard error is multiplied by the Knapp–Hartung factor
  √(Σwᵢ(yᵢ−μ̂)²/(k−1)) — *not* truncated at one, as in metafor's default — and both intervals use
  the t distribution with k−1 degrees of freedom (Knapp & Hartung 2003; Hartung & Knapp 2001);
* the prediction interval is μ̂ ± crit·√(SE² + τ²) (Higgins, Thompson & Spiegelhalter 2009;
  metafor's ``predict.rma``);
* I² = 100·τ²/(τ² + s²) with s² the "typical" within-study variance
  (k−1)·Σwᵢ / ((Σwᵢ)² − Σwᵢ²), wᵢ = 1/vᵢ (Higgins & Thompson 2002, eq. 9);
* Cochran's Q uses the inverse-variance (fixed-effect) weights and is referred to χ² with k−1 df.

τ² estimators: DerSimonian & Laird (1986) and Paule & Mandel (1982) come from
:func:`statsmodels.stats.meta_analysis.combine_effects` (the DL value truncated at zero, the PM
iteration run to a tolerance of 1e-12 on its estimating equation); restricted maximum likelihood
(Viechtbauer 2005, *J Educ Behav Stat* 30:261) is solved here as the root of the REML score
equation with Brent's method, i.e. fully converged, as metafor's Fisher scoring is with a tight
threshold.

Reference values for the tests come from metafor itself: ``tests/fixtures/metafor/make_reference.R``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.meta_analysis import combine_effects

from .validation import check_count_le_total, check_level, check_two_by_two

__all__ = [
    "MetaResult",
    "MantelHaenszelResult",
    "ProportionPoolResult",
    "random_effects",
    "fixed_effect",
    "mantel_haenszel",
    "pool_proportions",
    "leave_one_out",
    "logit_proportions",
]

METHODS = ("DL", "REML", "PM")


@dataclass(frozen=True)
class MetaResult:
    """A pooled estimate with its heterogeneity statistics (all on the analysis scale, e.g. log RR).

    ``estimate, se, ci_low, ci_high``: pooled effect, its standard error (Knapp–Hartung scaled when
    ``knha``) and confidence interval; ``tau2``: between-study variance; ``i2``: I² in per cent;
    ``q, q_p``: Cochran's Q and its χ² p-value (k−1 df); ``pi_low, pi_high``: prediction interval;
    ``stat, p_value``: z (or t when ``knha``) statistic for μ = 0 and its two-sided p-value;
    ``weights``: per-study weights in per cent; ``k``: number of studies; ``method``: "DL", "REML",
    "PM" or "FE"; ``knha``: Knapp–Hartung used; ``level``: confidence level (e.g. 0.95).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float
    q: float
    q_p: float
    pi_low: float
    pi_high: float
    stat: float
    p_value: float
    weights: tuple[float, ...]
    k: int
    method: str
    knha: bool
    level: float


@dataclass(frozen=True)
class MantelHaenszelResult:
    """Mantel–Haenszel pooled odds or risk ratio.

    ``estimate, ci_low, ci_high`` are on the ratio scale; ``log_estimate, se`` on the log scale
    (se from Robins–Breslow–Greenland for OR, Greenland–Robins for RR); ``stat, p_value``: z test of
    log ratio = 0; ``q, q_p, i2``: Cochran's Q (from the per-table log ratios with 1/2 added to every
    cell of tables with a zero cell, tables without events in either group dropped, as metafor's
    ``rma.mh``), its p-value and I² = max(0, (Q − (k−1))/Q)·100; ``k``: tables used for Q.
    """

    measure: str
    estimate: float
    ci_low: float
    ci_high: float
    log_estimate: float
    se: float
    stat: float
    p_value: float
    q: float
    q_p: float
    i2: float
    k: int
    level: float


@dataclass(frozen=True)
class ProportionPoolResult:
    """Proportions pooled on the logit scale and back-transformed with the inverse logit.

    ``estimate, ci_low, ci_high, pi_low, pi_high`` are proportions (0–1); ``logit`` holds the full
    :class:`MetaResult` on the logit scale (τ², I², Q, ...); ``yi, vi`` the per-study logits and
    variances actually pooled (after the 1/2 correction of zero cells).
    """

    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    logit: MetaResult
    yi: tuple[float, ...]
    vi: tuple[float, ...]

    @property
    def tau2(self) -> float:
        return self.logit.tau2

    @property
    def i2(self) -> float:
        return self.logit.i2

    @property
    def k(self) -> int:
        return self.logit.k


# --------------------------------------------------------------------------- input checks


def _as_vector(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of real numbers, got {values!r}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers, got {arr.tolist()}")
    return arr


def _check_yi_vi(yi, vi) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(yi, (str, bytes)) or isinstance(vi, (str, bytes)):
        raise ValueError("yi and vi must be sequences of numbers, not strings")
    y = _as_vector(yi, "yi")
    v = _as_vector(vi, "vi")
    if y.shape != v.shape:
        raise ValueError(f"yi and vi must have the same length, got {y.size} and {v.size}")
    if y.size < 2:
        raise ValueError(f"yi: a meta-analysis needs at least two studies, got {y.size}")
    if np.any(v <= 0):
        raise ValueError(f"vi: sampling variances must be positive, got {v.tolist()}")
    return y, v


def _check_level(level) -> float:
    if isinstance(level, np.floating):
        level = float(level)
    return check_level(level)


# --------------------------------------------------------------------------- building blocks


def _q_statistic(y: np.ndarray, v: np.ndarray) -> float:
    w = 1.0 / v
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2))


def _typical_variance(v: np.ndarray) -> float:
    """Higgins & Thompson (2002) typical within-study variance, as metafor's ``vt``."""
    w = 1.0 / v
    k = v.size
    return float((k - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2)))


def _tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    with warnings.catch_warnings():  # a negative DL value makes statsmodels take sqrt of < 0
        warnings.simplefilter("ignore", RuntimeWarning)
        res = combine_effects(y, v, method_re="dl")
    return max(0.0, float(res.tau2))  # statsmodels does not truncate DL at zero


def _pm_equation(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    w = 1.0 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * (y - mu) ** 2) - (y.size - 1))


def _tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    if _pm_equation(0.0, y, v) <= 0:
        return 0.0
    res = combine_effects(y, v, method_re="pm", atol=1e-12, maxiter=1000)
    tau2 = float(res.tau2)
    if abs(_pm_equation(tau2, y, v)) > 1e-9:  # statsmodels did not converge: bracket and solve
        tau2 = _solve_decreasing(lambda t: _pm_equation(t, y, v))
    return tau2


def _reml_score(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    """Derivative of the restricted log-likelihood with respect to τ² (times 2)."""
    w = 1.0 / (v + tau2)
    sw = np.sum(w)
    mu = np.sum(w * y) / sw
    return float(np.sum(w**2 * (y - mu) ** 2) - (sw - np.sum(w**2) / sw))


def _solve_decreasing(func) -> float:
    """Root of a function positive at 0 that turns negative further out (first sign change)."""
    hi = 1.0
    while func(hi) > 0:
        hi *= 2.0
        if hi > 1e12:
            raise ValueError("yi: the heterogeneity estimating equation has no finite root")
    return float(optimize.brentq(func, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=1000))


def _tau2_reml(y: np.ndarray, v: np.ndarray) -> float:
    if _reml_score(0.0, y, v) <= 0:
        return 0.0
    return _solve_decreasing(lambda t: _reml_score(t, y, v))


def _pool(y, v, tau2, *, method, knha, level, k_for_q=None) -> MetaResult:
    k = y.size
    alpha = 1.0 - level
    w = 1.0 / (v + tau2)
    sw = float(np.sum(w))
    mu = float(np.sum(w * y) / sw)
    se = math.sqrt(1.0 / sw)
    if knha:
        rss = float(np.sum(w * (y - mu) ** 2))
        # metafor: s2w = 0 when RSS <= machine epsilon; s2w is NOT truncated at 1 (test="knha")
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - 1)
        se = math.sqrt(s2w) * se
        dist = stats.t(df=k - 1)
    else:
        dist = stats.norm()
    crit = float(dist.ppf(1.0 - alpha / 2.0))
    q = _q_statistic(y, v)
    if method == "FE":
        i2 = 0.0 if q <= 0 else max(0.0, 100.0 * (q - (k - 1)) / q)
        pi_half = crit * se
    else:
        s2 = _typical_variance(v)
        i2 = 100.0 * tau2 / (tau2 + s2)
        pi_half = crit * math.sqrt(se**2 + tau2)
    if se > 0:
        stat = mu / se
        p_value = float(2.0 * dist.sf(abs(stat)))
    else:  # reachable only with knha when all yi are identical: no evidence of spread at all
        raise ValueError("yi: all effects are identical, so the Knapp–Hartung standard error is zero")
    return MetaResult(
        estimate=mu,
        se=se,
        ci_low=mu - crit * se,
        ci_high=mu + crit * se,
        tau2=float(tau2),
        i2=float(i2),
        q=q,
        q_p=float(stats.chi2.sf(q, k - 1)),
        pi_low=mu - pi_half,
        pi_high=mu + pi_half,
        stat=float(stat),
        p_value=p_value,
        weights=tuple(float(x) for x in 100.0 * w / sw),
        k=int(k),
        method=method,
        knha=bool(knha),
        level=float(level),
    )


# --------------------------------------------------------------------------- public API


def random_effects(yi, vi, method="REML", knha=False, *, level=0.95) -> MetaResult:
    """Random-effects meta-analysis of effects ``yi`` with sampling variances ``vi``.

    ``method`` chooses the τ² estimator: "DL" (DerSimonian & Laird 1986, truncated at zero),
    "REML" (restricted maximum likelihood, Viechtbauer 2005) or "PM" (Paule & Mandel 1982).
    ``knha=True`` applies the Knapp–Hartung (2003) adjustment exactly as metafor's ``test="knha"``:
    SE scaled by √(Σwᵢ(yᵢ−μ̂)²/(k−1)) without truncation, t quantiles with k−1 df for the CI and
    the prediction interval. Returns a :class:`MetaResult` (analysis scale; exponentiate yourself
    for ratios). Raises ``ValueError`` for fewer than two studies, mismatched lengths, non-finite
    values, non-positive variances or an unknown method.
    """
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    method = method.upper()
    if not isinstance(knha, (bool, np.bool_)):
        raise ValueError(f"knha must be True or False, got {knha!r}")
    level = _check_level(level)
    y, v = _check_yi_vi(yi, vi)
    tau2 = {"DL": _tau2_dl, "REML": _tau2_reml, "PM": _tau2_pm}[method](y, v)
    return _pool(y, v, tau2, method=method, knha=bool(knha), level=level)


def fixed_effect(yi, vi, *, level=0.95) -> MetaResult:
    """Fixed-effect (inverse-variance, "equal-effects") meta-analysis, as metafor's ``method="EE"``.

    τ² is 0 by construction; I² is Higgins & Thompson's max(0, (Q − (k−1))/Q)·100; the
    "prediction interval" equals the confidence interval; ``method`` is "FE".
    """
    level = _check_level(level)
    y, v = _check_yi_vi(yi, vi)
    return _pool(y, v, 0.0, method="FE", knha=False, level=level)


def _check_table_vectors(events_a, total_a, events_b, total_b, *, min_tables: int = 2):
    """Validate per-study 2×2 counts given as four equal-length vectors; return a (k, 4) float
    array of (events_a, total_a, events_b, total_b). Used by the pooling functions here and by
    :func:`helpers.synthesis.log_odds_ratios` (``min_tables=1``)."""
    names = ("events_a", "total_a", "events_b", "total_b")
    vecs = []
    for values, name in zip((events_a, total_a, events_b, total_b), names):
        if isinstance(values, (str, bytes)):
            raise ValueError(f"{name} must be a sequence of counts, not a string")
        vecs.append(list(np.atleast_1d(np.asarray(values, dtype=object)).tolist()))
    lengths = {len(x) for x in vecs}
    if len(lengths) != 1:
        raise ValueError(
            "events_a, total_a, events_b and total_b must have the same length, got "
            + ", ".join(str(len(x)) for x in vecs)
        )
    rows = []
    for i, (ea, na, eb, nb) in enumerate(zip(*vecs)):
        try:
            rows.append(check_two_by_two(ea, na, eb, nb))
        except ValueError as exc:
            raise ValueError(f"table {i}: {exc}") from None
    if len(rows) < min_tables:
        if min_tables == 2:
            raise ValueError(f"events_a: a meta-analysis needs at least two studies, got {len(rows)}")
        raise ValueError(f"events_a: at least {min_tables} table(s) needed, got {len(rows)}")
    return np.array(rows, dtype=float)


def mantel_haenszel(events_a, total_a, events_b, total_b, measure="OR", *, level=0.95) -> MantelHaenszelResult:
    """Mantel–Haenszel pooled odds ratio or risk ratio of group a versus group b over 2×2 tables.

    OR: Σ(aᵢdᵢ/nᵢ) / Σ(bᵢcᵢ/nᵢ) with the Robins, Breslow & Greenland (1986) variance of log OR;
    RR: Σ(aᵢn₂ᵢ/nᵢ) / Σ(cᵢn₁ᵢ/nᵢ) with the Greenland & Robins (1985) variance of log RR; no
    continuity correction for the pooled estimate (metafor's ``rma.mh`` default). The
    heterogeneity Q follows ``rma.mh``: per-table log ratios with 1/2 added to every cell of tables
    with a zero cell, tables with no events (or only events) in both groups left out.
    """
    if not isinstance(measure, str) or measure.upper() not in ("OR", "RR"):
        raise ValueError(f"measure must be 'OR' or 'RR', got {measure!r}")
    measure = measure.upper()
    level = _check_level(level)
    tab = _check_table_vectors(events_a, total_a, events_b, total_b)
    a, n1, c, n2 = tab.T
    b, d = n1 - a, n2 - c
    n = n1 + n2
    if measure == "OR":
        r_i, s_i = a * d / n, b * c / n
        R, S = r_i.sum(), s_i.sum()
        if R == 0 or S == 0:
            raise ValueError("events_a/events_b: the Mantel–Haenszel odds ratio is 0 or infinite for these tables")
        P, Qc = (a + d) / n, (b + c) / n
        var = (np.sum(P * r_i) / (2 * R**2) + np.sum(P * s_i + Qc * r_i) / (2 * R * S)
               + np.sum(Qc * s_i) / (2 * S**2))
    else:
        r_i, s_i = a * n2 / n, c * n1 / n
        R, S = r_i.sum(), s_i.sum()
        if R == 0 or S == 0:
            raise ValueError("events_a/events_b: the Mantel–Haenszel risk ratio is 0 or infinite for these tables")
        var = np.sum((n1 * n2 * (a + c) - a * c * n) / n**2) / (R * S)
    if not var > 0:
        raise ValueError("events_a/events_b: the Mantel–Haenszel variance is zero for these tables "
                         "(every participant had the event, or none did)")
    log_est = float(math.log(R / S))
    se = float(math.sqrt(var))
    crit = float(stats.norm.ppf(1 - (1 - level) / 2))
    # heterogeneity, as rma.mh: escalc with add=1/2, to="only0", drop00=TRUE
    if measure == "OR":
        keep = ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
    else:
        keep = ~((a == 0) & (c == 0))
    a2, b2, c2, d2 = (x[keep].copy() for x in (a, b, c, d))
    zero = (a2 == 0) | (b2 == 0) | (c2 == 0) | (d2 == 0)
    for x in (a2, b2, c2, d2):
        x[zero] += 0.5
    if measure == "OR":
        yi = np.log(a2 * d2 / (b2 * c2))
        vi = 1 / a2 + 1 / b2 + 1 / c2 + 1 / d2
    else:
        yi = np.log((a2 / (a2 + b2)) / (c2 / (c2 + d2)))
        vi = 1 / a2 - 1 / (a2 + b2) + 1 / c2 - 1 / (c2 + d2)
    k = int(keep.sum())
    if k >= 2:
        q = float(np.sum((yi - log_est) ** 2 / vi))
        q_p = float(stats.chi2.sf(q, k - 1))
        i2 = 0.0 if q <= 0 else max(0.0, 100.0 * (q - (k - 1)) / q)
    else:
        raise ValueError("events_a/events_b: fewer than two tables have events, heterogeneity is undefined")
    z = log_est / se
    return MantelHaenszelResult(
        measure=measure,
        estimate=math.exp(log_est),
        ci_low=math.exp(log_est - crit * se),
        ci_high=math.exp(log_est + crit * se),
        log_estimate=log_est,
        se=se,
        stat=float(z),
        p_value=float(2 * stats.norm.sf(abs(z))),
        q=q,
        q_p=q_p,
        i2=float(i2),
        k=k,
        level=level,
    )


def logit_proportions(events, totals) -> tuple[np.ndarray, np.ndarray]:
    """Per-study logits and their variances, metafor's ``escalc("PLO")`` with ``add=1/2, to="only0"``.

    yᵢ = log(xᵢ/(nᵢ−xᵢ)), vᵢ = 1/xᵢ + 1/(nᵢ−xᵢ); a study with xᵢ = 0 or xᵢ = nᵢ gets 1/2 added to
    both cells (events and non-events) first.
    """
    if isinstance(events, (str, bytes)) or isinstance(totals, (str, bytes)):
        raise ValueError("events and totals must be sequences of counts, not strings")
    ev = list(np.atleast_1d(np.asarray(events, dtype=object)).tolist())
    tot = list(np.atleast_1d(np.asarray(totals, dtype=object)).tolist())
    if len(ev) != len(tot):
        raise ValueError(f"events and totals must have the same length, got {len(ev)} and {len(tot)}")
    pairs = []
    for i, (x, n) in enumerate(zip(ev, tot)):
        pairs.append(check_count_le_total(x, n, f"events[{i}]", f"totals[{i}]"))
    x = np.array([p[0] for p in pairs], dtype=float)
    n = np.array([p[1] for p in pairs], dtype=float)
    nonev = n - x
    zero = (x == 0) | (nonev == 0)
    x = np.where(zero, x + 0.5, x)
    nonev = np.where(zero, nonev + 0.5, nonev)
    return np.log(x / nonev), 1.0 / x + 1.0 / nonev


def pool_proportions(events, totals, method="REML", knha=True, *, level=0.95) -> ProportionPoolResult:
    """Random-effects pooling of single proportions on the logit scale (metafor: ``escalc("PLO")``
    then ``rma``; ``predict(..., transf=transf.ilogit)``).

    Estimate, CI and prediction interval are back-transformed with the inverse logit. ``knha``
    defaults to True (Knapp–Hartung), which is the better-calibrated choice for few studies.
    """
    yi, vi = logit_proportions(events, totals)
    try:
        res = random_effects(yi, vi, method=method, knha=knha, level=level)
    except ValueError as exc:
        if "identical" in str(exc):
            raise ValueError("events: every study has the same logit proportion, so the Knapp–Hartung "
                             "standard error is zero; use knha=False") from None
        raise
    expit = lambda t: float(1.0 / (1.0 + math.exp(-t)))  # noqa: E731
    return ProportionPoolResult(
        estimate=expit(res.estimate),
        ci_low=expit(res.ci_low),
        ci_high=expit(res.ci_high),
        pi_low=expit(res.pi_low),
        pi_high=expit(res.pi_high),
        logit=res,
        yi=tuple(float(t) for t in yi),
        vi=tuple(float(t) for t in vi),
    )


def leave_one_out(yi, vi, labels=None, **kwargs) -> pd.DataFrame:
    """Refit the random-effects model leaving out each study in turn (metafor's ``leave1out``).

    ``kwargs`` go to :func:`random_effects` (``method``, ``knha``, ``level``). Returns a DataFrame
    indexed by the omitted study's label (default 1..k) with columns ``estimate, se, ci_low,
    ci_high, tau2, i2, q, q_p, pi_low, pi_high, p_value``. Needs at least three studies.
    """
    y, v = _check_yi_vi(yi, vi)
    if y.size < 3:
        raise ValueError(f"yi: leave-one-out needs at least three studies, got {y.size}")
    if labels is None:
        labels = list(range(1, y.size + 1))
    else:
        if isinstance(labels, (str, bytes)) or not isinstance(labels, Iterable):
            raise ValueError(f"labels must be a sequence of study labels, got {labels!r}"[:200])
        labels = list(labels)
        if len(labels) != y.size:
            raise ValueError(f"labels must have one entry per study ({y.size}), got {len(labels)}")
    cols = ["estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q", "q_p", "pi_low", "pi_high", "p_value"]
    rows = []
    for i in range(y.size):
        keep = np.arange(y.size) != i
        res = random_effects(y[keep], v[keep], **kwargs)
        rows.append([getattr(res, c) for c in cols])
    return pd.DataFrame(rows, columns=cols, index=pd.Index(labels, name="omitted"))
