"""Simulation of a data-driven stenosis cut-off search under no effect modification.

Alexandre et al. (Clin Neuroradiol 2026) tested stenosis thresholds t = 40, 45, ..., 90 % and, for
each, fitted an overlap-weighted linear model of the ordinal 90-day mRS on
``treatment * (stenosis above t)`` with a robust (sandwich) variance (R: *lmtest*, *sandwich*).
The "optimal" cut-off was the threshold with the largest absolute difference of the two
stratum-specific average treatment effects (ATEs), i.e. the largest absolute interaction
coefficient; they reported 75 %, difference of ATEs -2.06, p-interaction < 0.001.

This module repeats that procedure on data simulated under the null of **no treatment x stenosis
interaction**, so that the distribution of the selected p-interaction can be read off.

Closed forms (why no per-replicate regression is needed)
--------------------------------------------------------
For one threshold the model ``mrs ~ treat * high`` is saturated in the four cells
(arm x stratum): its fitted values are the weighted cell means
``m_c = sum_c w_i y_i / sum_c w_i``, and the interaction coefficient equals
``(m_TH - m_CH) - (m_TL - m_CL)`` = ATE(high) - ATE(low). Because every observation belongs to
exactly one cell, the bread ``(X'WX)^-1`` and the meat of the sandwich are block diagonal in the
cell-indicator parametrisation, so the robust variance of the interaction is the sum of the four
cell-mean variances (the sandwich is equivariant under the linear reparametrisation to
``treat * high``). With residuals ``e_i = y_i - m_c`` and leverages ``h_i = w_i / sum_c w``
(the diagonal of the weighted hat matrix of a saturated cell-means model):

* HC0 (White 1980): ``var(m_c) = sum_c w_i^2 e_i^2 / (sum_c w)^2``
* HC1 (MacKinnon & White 1985): HC0 x n / (n - 4)
* HC2: ``sum_c w_i^2 e_i^2 / (1 - h_i) / (sum_c w)^2`` (with unit weights this is Welch's
  unequal-variance standard error; Imbens & Kolesar 2016)
* HC3 (Davidson & MacKinnon 1993; the default of R's ``sandwich::vcovHC``):
  ``sum_c w_i^2 e_i^2 / (1 - h_i)^2 / (sum_c w)^2``

These are exactly what ``statsmodels`` WLS ``fit(cov_type="HC*")`` and R's ``vcovHC(lm(...,
weights = w), type = "HC*")`` compute (both whiten with ``sqrt(w)``); :func:`cutoff_search_statsmodels`
is the straightforward loop used as the reference in the tests.

p-values use Student's t with ``n - 4`` degrees of freedom by default (``dist="t"``), which is what
``lmtest::coeftest(fit, vcov = vcovHC(fit))`` does for an ``lm`` fit; ``dist="normal"`` gives
the z-test (statsmodels' default for robust covariances).

Degenerate thresholds
---------------------
A threshold is *skipped* for a replicate when any of its four cells holds fewer than
``min_cell`` (default 2) patients: with one patient the cell's residual is 0 and its HC3 leverage
is 1 (0/0), and with none the cell mean does not exist. It is also skipped when the interaction's
variance is 0 (every outcome in every cell equal). Skipped entries are ``NaN`` in the per-threshold
arrays and flagged ``False`` in ``valid``; their number per threshold is reported in
``SimulationResult.skipped``. The selection is made among the valid thresholds only. A replicate
with no valid threshold at all raises ``ValueError`` (the design is too small), so no summary ever
contains a silent ``NaN``.

Ties
----
``high`` means stenosis **strictly above** the threshold (``tie="low"``, the default): a value
equal to t is counted in the low stratum, following the paper's label ">75%" for the high group.
``tie="high"`` uses ``stenosis >= t``. With stenosis rounded to multiples of 5 or 10 (as
clinicians report it), many patients sit exactly on a threshold, so the choice matters; with
rounding to 10, pairs of adjacent thresholds define the same dichotomy (e.g. > 50 and > 55 both
mean >= 60), which lowers the number of distinct tests from 11 to 6. When two thresholds have the
same largest |difference| the lowest threshold is selected (``numpy.argmax``).

What drives the result (qualitative; see the chapter for numbers)
------------------------------------------------------------------
Selecting by the largest |difference of ATEs| favours the thresholds with the smallest cells,
whose differences are noisiest -- with the default tails these are the extreme thresholds (90 and
40). The share of replicates with |difference| >= 2.06 is therefore sensitive to the tails of the
stenosis distribution and to rounding and tie handling (they set the size of the smallest cells),
much more than the share with p < 0.05 or < 0.001, which depends mainly on the number of
distinct dichotomies and on the HC type (HC0/HC1 are liberal with small cells, HC3 slightly
conservative). Overlap weights from a propensity model in stenosis, and a constant treatment
effect (``outcome="by_arm"``), change the null distribution of the selected p very little.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Mapping, Sequence

import numpy as np
from scipy import special

from helpers.validation import check_alpha, check_finite

__all__ = [
    "MRS_COUNTS_TABLE1",
    "SimulationResult",
    "stenosis_quantile_function",
    "sample_stenosis",
    "mrs_probabilities",
    "overlap_weights",
    "cutoff_search",
    "cutoff_search_statsmodels",
    "simulate_cutoff_search",
    "prob_p_below",
    "prob_abs_diff_at_least",
    "median_abs_diff",
    "selected_threshold_frequencies",
    "summarise",
]

HC_TYPES = ("HC0", "HC1", "HC2", "HC3")

#: Pseudo-counts of the 90-day mRS (0..6) per arm, consistent with every outcome row of Table 1
#: of Alexandre et al. 2026. Fixed by the table: mRS 0-2 (64/131, 84/172), mRS 0-3 (77/131,
#: 112/172) and 90-day mortality = mRS 6 (20/131, 21/172). Assumed, within the limits set by the
#: printed quartiles, median 3 (1-5) and 3 (1-4): the split of mRS 0/1/2 (Q1 = 1 needs
#: #mRS 0 < n/4 <= #mRS 0-1) and of mRS 4/5 (MT-only Q3 = 5 needs #mRS 0-4 < 3n/4; MT+RS Q3 = 4
#: needs #mRS 0-4 >= 3n/4). Under the null the p-value distribution hardly depends on this
#: split (the interaction t-statistic is location-scale invariant); the size of the ATEs scales
#: with the outcome's standard deviation.
MRS_COUNTS_TABLE1 = {
    "control": (14, 26, 24, 13, 17, 17, 20),  # MT-only, n = 131
    "treated": (20, 32, 32, 28, 22, 17, 21),  # MT + RS, n = 172
}


# --------------------------------------------------------------------------- validation helpers

#: bounds that keep a call to seconds and a few hundred MB: replicates, patients per arm, and
#: replicates x patients (one float array of that many values is 8 bytes each)
MAX_REPS = 1_000_000
MAX_PATIENTS = 100_000
MAX_CELLS = 50_000_000


def _check_int(value, name: str, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,} (the limit that keeps the work bounded), "
                         f"got {value}")
    return value


def _float_array(values, name: str) -> np.ndarray:
    """``values`` as a float array of 1 or 2 dimensions; raise ValueError naming ``name``."""
    if values is None or isinstance(values, (str, bytes, Mapping)):
        raise ValueError(f"{name} must be an array of numbers, got {values!r}"[:200])
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {values!r}"[:200]) from None
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (n,) or (reps, n), got shape {arr.shape}")
    if arr.size > MAX_CELLS:
        raise ValueError(f"{name} has {arr.size:,} values, above the limit of {MAX_CELLS:,}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite: {int(np.sum(~np.isfinite(arr)))} value(s) are NaN or "
                         "infinite (they are not dropped silently)")
    return arr


def _bool_array(values, name: str = "treated") -> np.ndarray:
    """A 1-d boolean array from booleans or 0/1 values; raise ValueError naming ``name``."""
    if values is None or isinstance(values, (str, bytes, Mapping)):
        raise ValueError(f"{name} must be an array of booleans or 0/1, got {values!r}"[:200])
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of booleans or 0/1, got {values!r}"[:200]) from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    if arr.dtype != bool:
        if arr.dtype.kind not in "iuf" or not np.all(np.isin(arr, (0, 1))):
            raise ValueError(f"{name} must be boolean or 0/1")
        arr = arr.astype(bool)
    return arr


def _check_hc(hc) -> str:
    if not isinstance(hc, str) or hc.upper() not in HC_TYPES:
        raise ValueError(f"hc must be one of {HC_TYPES}, got {hc!r}")
    return hc.upper()


def _check_choice(value, name: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value


def _check_thresholds(thresholds) -> np.ndarray:
    if isinstance(thresholds, (str, bytes, Mapping)) or thresholds is None:
        raise ValueError(f"thresholds must be a sequence of numbers, got {thresholds!r}")
    try:
        arr = np.asarray(list(thresholds), dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"thresholds must be a sequence of numbers, got {thresholds!r}") from exc
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("thresholds must be a non-empty sequence of numbers")
    if not np.all(np.isfinite(arr)):
        raise ValueError("thresholds must be finite")
    if np.any((arr < 0) | (arr > 100)):
        raise ValueError(f"thresholds must lie in [0, 100] (percent stenosis), got {arr.tolist()}")
    if np.unique(arr).size != arr.size:
        raise ValueError("thresholds must not repeat")
    return arr


def _check_quantiles(q, name: str, lower: float, upper: float) -> tuple[float, float, float]:
    try:
        vals = tuple(check_finite(v, name) for v in q)
    except TypeError as exc:
        raise ValueError(f"{name} must be three numbers (Q1, median, Q3), got {q!r}") from exc
    if len(vals) != 3:
        raise ValueError(f"{name} must be three numbers (Q1, median, Q3), got {q!r}")
    q1, med, q3 = vals
    if not (q1 < med < q3):
        raise ValueError(f"{name} must be strictly increasing (Q1 < median < Q3), got {vals}")
    if q1 < lower or q3 > upper:
        raise ValueError(f"{name} {vals} must lie within stenosis_range [{lower}, {upper}]")
    return vals


def _check_range(stenosis_range) -> tuple[float, float]:
    try:
        lo, hi = (check_finite(v, "stenosis_range") for v in stenosis_range)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"stenosis_range must be two numbers (min, max), got {stenosis_range!r}") from exc
    if not (0 <= lo < hi <= 100):
        raise ValueError(f"stenosis_range must satisfy 0 <= min < max <= 100, got {(lo, hi)}")
    return lo, hi


# --------------------------------------------------------------------------- data generation

def stenosis_quantile_function(quantiles, stenosis_range=(0.0, 100.0)):
    """Return the piecewise-linear quantile function through (min, Q1, median, Q3, max).

    The distribution is uniform within each quarter: Q(u) interpolates linearly between the
    points (0, min), (0.25, Q1), (0.5, median), (0.75, Q3), (1, max). Its median and quartiles are
    exactly the printed ones; the tails (first and last quarter) run to the ends of
    ``stenosis_range``. Returns a vectorised callable ``u -> stenosis``.
    """
    lo, hi = _check_range(stenosis_range)
    q1, med, q3 = _check_quantiles(quantiles, "quantiles", lo, hi)
    probs = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    values = np.array([lo, q1, med, q3, hi])

    def quantile(u):
        return np.interp(u, probs, values)

    return quantile


def sample_stenosis(rng: np.random.Generator, size, quantiles, stenosis_range=(0.0, 100.0),
                    rounding: float | None = 5):
    """Draw stenosis degrees (%) by inverse-transform sampling from
    :func:`stenosis_quantile_function`, then round to the nearest multiple of ``rounding``
    (``None``: no rounding), staying inside ``stenosis_range``."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    dims = (size,) if not isinstance(size, tuple) else size
    dims = tuple(_check_int(d, "size", 1) for d in dims)
    if not dims or math.prod(dims) > MAX_CELLS:
        raise ValueError(f"size must be a whole number or a tuple of them with at most {MAX_CELLS:,} values "
                         f"in all, got {size!r}")
    quantile = stenosis_quantile_function(quantiles, stenosis_range)
    x = quantile(rng.random(dims if isinstance(size, tuple) else dims[0]))
    if rounding is not None:
        r = check_finite(rounding, "rounding")
        if r <= 0:
            raise ValueError(f"rounding must be positive or None, got {rounding!r}")
        lo, hi = _check_range(stenosis_range)
        x = np.clip(np.round(x / r) * r, lo, hi)
    return x


def mrs_probabilities(counts) -> np.ndarray:
    """Normalise seven non-negative mRS counts (or probabilities) for mRS 0..6 to probabilities."""
    if counts is None or isinstance(counts, (str, bytes, Mapping)):
        raise ValueError(f"counts (an mRS distribution) must be 7 numbers for mRS 0..6, got {counts!r}")
    try:
        arr = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"counts (an mRS distribution) must be 7 numbers for mRS 0..6, got {counts!r}") from None
    if arr.shape != (7,):
        raise ValueError(f"counts (an mRS distribution) must have 7 entries (mRS 0..6), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("counts (an mRS distribution) must be finite and non-negative")
    total = arr.sum()
    if total <= 0:
        raise ValueError("counts (an mRS distribution) must not be all zero")
    return arr / total


def _outcome_probabilities(outcome) -> tuple[np.ndarray, np.ndarray]:
    """(treated, control) mRS probabilities for an ``outcome`` specification."""
    if isinstance(outcome, str):
        _check_choice(outcome, "outcome", ("null", "by_arm"))
        t = np.asarray(MRS_COUNTS_TABLE1["treated"], float)
        c = np.asarray(MRS_COUNTS_TABLE1["control"], float)
        if outcome == "null":
            pooled = mrs_probabilities(t + c)
            return pooled, pooled
        return mrs_probabilities(t), mrs_probabilities(c)
    if isinstance(outcome, Mapping):
        if set(outcome) != {"treated", "control"}:
            raise ValueError("outcome mapping must have exactly the keys 'treated' and 'control'")
        return mrs_probabilities(outcome["treated"]), mrs_probabilities(outcome["control"])
    raise ValueError(f"outcome must be 'null', 'by_arm' or a mapping of mRS distributions, got {outcome!r}")


def overlap_weights(stenosis, treated, *, max_iter: int = 50, tol: float = 1e-12) -> np.ndarray:
    """Overlap weights (Li, Morgan & Zaslavsky 2018) from a logistic propensity model
    ``treated ~ stenosis``, fitted by Newton-Raphson, vectorised over replicates.

    ``stenosis``: array (n,) or (reps, n); ``treated``: boolean array (n,) (same arms in every
    replicate). Returns weights of the same shape as ``stenosis``: ``1 - e`` for treated and ``e``
    for controls, where ``e`` is the fitted propensity. With an intercept in the logistic model the
    weighted mean stenosis is exactly equal in both arms (the exact-balance property).
    Raises ``ValueError`` when the model does not converge (e.g. perfect separation).
    """
    max_iter = _check_int(max_iter, "max_iter", 1, 10_000)
    tol = check_finite(tol, "tol")
    if not 0 < tol < 1:
        raise ValueError(f"tol must lie in (0, 1), got {tol!r}")
    s = _float_array(stenosis, "stenosis")
    z = _bool_array(treated)
    single = s.ndim == 1
    if single:
        s = s[None, :]
    if s.ndim != 2 or z.ndim != 1 or s.shape[1] != z.size:
        raise ValueError("stenosis must be (n,) or (reps, n) and treated (n,) with the same n")
    if z.all() or not z.any():
        raise ValueError("treated must contain both treated and control patients")
    # centre and scale for a well-conditioned Newton step
    mu = s.mean(axis=1, keepdims=True)
    sd = s.std(axis=1, keepdims=True)
    if np.any(sd == 0):
        raise ValueError("stenosis must vary within each replicate to fit a propensity model")
    x = (s - mu) / sd
    y = z.astype(float)[None, :]
    beta = np.zeros((s.shape[0], 2))
    for _ in range(max_iter):
        eta = beta[:, :1] + beta[:, 1:] * x
        p = special.expit(eta)
        r = y - p
        g0, g1 = r.sum(1), (r * x).sum(1)
        v = p * (1 - p)
        h00, h01, h11 = v.sum(1), (v * x).sum(1), (v * x * x).sum(1)
        det = h00 * h11 - h01 ** 2
        step0 = (h11 * g0 - h01 * g1) / det
        step1 = (h00 * g1 - h01 * g0) / det
        beta[:, 0] += step0
        beta[:, 1] += step1
        if np.all(np.abs(np.stack([step0, step1])) < tol * (1 + np.abs(beta.T))):
            break
    else:
        raise ValueError("propensity model did not converge (separation of arms by stenosis?)")
    e = special.expit(beta[:, :1] + beta[:, 1:] * x)
    w = np.where(z[None, :], 1 - e, e)
    return w[0] if single else w


# --------------------------------------------------------------------------- the vectorised search

def _stat_arrays(s, y, w, thr, tie, hc, min_cell):
    """Per-arm sums for one arm: returns dict of arrays shaped (reps, T) for high and low."""
    high = (s[:, None, :] > thr[None, :, None]) if tie == "low" else (s[:, None, :] >= thr[None, :, None])
    wy = w * y
    W_tot = w.sum(1)[:, None]
    WY_tot = wy.sum(1)[:, None]
    n_tot = s.shape[1]
    hf = high.astype(float)
    W_h = np.einsum("rtn,rn->rt", hf, w)
    WY_h = np.einsum("rtn,rn->rt", hf, wy)
    n_h = high.sum(-1)
    W_l = W_tot - W_h
    WY_l = WY_tot - WY_h
    n_l = n_tot - n_h
    with np.errstate(invalid="ignore", divide="ignore"):
        m_h = WY_h / W_h
        m_l = WY_l / W_l
        m_cell = np.where(high, m_h[..., None], m_l[..., None])
        e2w2 = (w[:, None, :] * (y[:, None, :] - m_cell)) ** 2
        if hc in ("HC2", "HC3"):
            W_cell = np.where(high, W_h[..., None], W_l[..., None])
            one_minus_h = 1.0 - w[:, None, :] / W_cell
            e2w2 = e2w2 / (one_minus_h if hc == "HC2" else one_minus_h ** 2)
        meat_h = np.einsum("rtn,rtn->rt", e2w2, hf)
        meat_l = e2w2.sum(-1) - meat_h
        var_h = meat_h / W_h ** 2
        var_l = meat_l / W_l ** 2
    ok = (n_h >= min_cell) & (n_l >= min_cell)
    return m_h, m_l, var_h, var_l, ok


def cutoff_search(stenosis, treated, mrs, weights=None, thresholds=range(40, 95, 5), *,
                  hc: str = "HC3", tie: str = "low", dist: str = "t", min_cell: int = 2,
                  chunk_size: int = 500) -> dict:
    """Vectorised cut-off search on given data (one or many replicates).

    ``stenosis``, ``mrs`` and ``weights`` are arrays (n,) or (reps, n); ``treated`` is a boolean
    array (n,) shared by all replicates; ``weights=None`` means unit weights. For every replicate
    and threshold this computes the stratum ATEs (differences of weighted cell means), their
    difference (= the interaction coefficient of ``mrs ~ treat * high``), its robust standard
    error (``hc`` in HC0, HC1, HC2, HC3; see the module docstring for the closed forms) and the
    two-sided p-value (``dist="t"``: t with n - 4 df as in ``lmtest::coeftest``; ``"normal"``).

    Returns a dict of arrays shaped (reps, T) -- ``ate_high``, ``ate_low``, ``diff``, ``se``,
    ``p`` (``NaN`` where not valid) and ``valid`` (bool) -- plus, per replicate (reps,),
    ``selected_index`` (-1 never occurs: a replicate without a valid threshold raises),
    ``selected_threshold``, ``diff_selected``, ``p_selected``, ``p_min``, ``n_valid``; and
    ``thresholds`` (T,). Inputs of shape (n,) are treated as one replicate.
    """
    thr = _check_thresholds(thresholds)
    hc = _check_hc(hc)
    tie = _check_choice(tie, "tie", ("low", "high"))
    dist = _check_choice(dist, "dist", ("t", "normal"))
    min_cell = _check_int(min_cell, "min_cell", 1)
    chunk_size = _check_int(chunk_size, "chunk_size", 1, MAX_REPS)
    s = _float_array(stenosis, "stenosis")
    y = _float_array(mrs, "mrs")
    z = _bool_array(treated)
    if s.ndim == 1:
        s = s[None, :]
    if y.ndim == 1:
        y = y[None, :]
    if s.ndim != 2 or y.shape != s.shape:
        raise ValueError(f"stenosis and mrs must have the same shape (n,) or (reps, n); got {s.shape} and {y.shape}")
    if z.ndim != 1 or z.size != s.shape[1]:
        raise ValueError(f"treated must be a 1-d array of length n = {s.shape[1]}")
    n_t, n_c = int(z.sum()), int((~z).sum())
    if n_t < 2 or n_c < 2:
        raise ValueError(f"treated must hold at least 2 treated and 2 control patients, got {n_t} and {n_c}")
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(y))):
        raise ValueError("stenosis and mrs must be finite")
    if weights is None:
        w = np.ones_like(s)
    else:
        w = np.asarray(weights, dtype=float)
        if w.ndim == 1:
            w = w[None, :]
        if w.shape != s.shape:
            raise ValueError(f"weights must have the shape of stenosis {s.shape}, got {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError("weights must be finite and positive")
    n = s.shape[1]
    reps, T = s.shape[0], thr.size
    df = n - 4
    if df < 1:
        raise ValueError(f"need n >= 5 patients for the 4-parameter model, got n = {n}")
    out = {k: np.empty((reps, T)) for k in ("ate_high", "ate_low", "diff", "se")}
    valid = np.empty((reps, T), dtype=bool)
    for start in range(0, reps, chunk_size):
        sl = slice(start, min(start + chunk_size, reps))
        parts = []
        for arm in (z, ~z):
            parts.append(_stat_arrays(s[sl][:, arm], y[sl][:, arm], w[sl][:, arm], thr, tie, hc, min_cell))
        (mth, mtl, vth, vtl, okt), (mch, mcl, vch, vcl, okc) = parts
        ate_h = mth - mch
        ate_l = mtl - mcl
        var = vth + vtl + vch + vcl
        if hc == "HC1":
            var = var * n / df
        ok = okt & okc
        with np.errstate(invalid="ignore"):
            ok &= var > 0
        out["ate_high"][sl] = ate_h
        out["ate_low"][sl] = ate_l
        out["diff"][sl] = ate_h - ate_l
        with np.errstate(invalid="ignore"):
            out["se"][sl] = np.sqrt(var)
        valid[sl] = ok
    for k in out:
        out[k][~valid] = np.nan
    stat = np.abs(out["diff"]) / out["se"]
    p = np.full((reps, T), np.nan)
    if dist == "t":
        p[valid] = 2.0 * special.stdtr(df, -stat[valid])
    else:
        p[valid] = 2.0 * special.ndtr(-stat[valid])
    out["p"] = p
    out["valid"] = valid
    n_valid = valid.sum(1)
    if np.any(n_valid == 0):
        bad = int(np.flatnonzero(n_valid == 0)[0])
        raise ValueError(
            f"replicate {bad} has no threshold with at least min_cell = {min_cell} patients in each "
            "of the four arm x stratum cells: too few patients (n_treated, n_control) or thresholds "
            "outside the stenosis distribution")
    absdiff = np.where(valid, np.abs(out["diff"]), -np.inf)
    idx = absdiff.argmax(1)
    rows = np.arange(reps)
    out.update(
        thresholds=thr,
        selected_index=idx,
        selected_threshold=thr[idx],
        diff_selected=out["diff"][rows, idx],
        p_selected=p[rows, idx],
        p_min=np.nanmin(p, axis=1),
        n_valid=n_valid,
    )
    return out


def cutoff_search_statsmodels(stenosis, treated, mrs, weights=None, thresholds=range(40, 95, 5),
                              hc="HC3", *, tie: str = "low", dist: str = "t",
                              min_cell: int = 2) -> dict:
    """Reference implementation for ONE data set: a plain loop over thresholds fitting
    ``smf.wls("mrs ~ treat * high", weights=w)`` with statsmodels and taking the robust
    covariance ``hc`` (``fit(cov_type=hc, use_t=...)``, here via ``get_robustcov_results`` so one
    fit serves several types).

    ``hc`` is one type ("HC0".."HC3") or a sequence of types. Returns, for one type, a dict with
    per-threshold lists ``diff``, ``se``, ``p`` (``None`` for skipped thresholds, same rule as
    :func:`cutoff_search`) and ``selected_threshold``, ``diff_selected``, ``p_selected``,
    ``p_min``; for a sequence, a dict of such dicts keyed by type.
    """
    import pandas as pd
    import statsmodels.formula.api as smf

    thr = _check_thresholds(thresholds)
    if not isinstance(hc, (str, list, tuple)):
        raise ValueError(f"hc must be one of {HC_TYPES} or a list of them, got {hc!r}")
    hcs = [_check_hc(hc)] if isinstance(hc, str) else [_check_hc(h) for h in hc]
    if not hcs:
        raise ValueError("hc must name at least one covariance type")
    tie = _check_choice(tie, "tie", ("low", "high"))
    dist = _check_choice(dist, "dist", ("t", "normal"))
    min_cell = _check_int(min_cell, "min_cell", 1)
    s = _float_array(stenosis, "stenosis")
    z = _bool_array(treated)
    y = _float_array(mrs, "mrs")
    if s.ndim != 1 or s.shape != y.shape or s.shape != z.shape:
        raise ValueError("stenosis, treated and mrs must be 1-d arrays of the same length")
    for arr, name in ((s, "stenosis"), (y, "mrs")):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite: {int(np.sum(~np.isfinite(arr)))} value(s) are NaN or "
                             "infinite (they are not dropped silently)")
    w = np.ones_like(s) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != s.shape or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("weights must be finite, positive and of the same length as stenosis")
    rows = {h: {"diff": [], "se": [], "p": []} for h in hcs}
    for t in thr:
        high = (s > t) if tie == "low" else (s >= t)
        cells = [np.sum(z & high), np.sum(z & ~high), np.sum(~z & high), np.sum(~z & ~high)]
        fit = None
        if min(cells) >= min_cell:
            data = pd.DataFrame({"mrs": y, "treat": z.astype(float), "high": high.astype(float)})
            fit = smf.wls("mrs ~ treat * high", data=data, weights=w).fit()
        for h in hcs:
            r = rows[h]
            if fit is None:
                r["diff"].append(None), r["se"].append(None), r["p"].append(None)
                continue
            rob = fit.get_robustcov_results(cov_type=h, use_t=(dist == "t"))
            names = list(fit.params.index)
            k = names.index("treat:high")
            se = float(np.asarray(rob.bse)[k])
            if not se > 0:
                r["diff"].append(None), r["se"].append(None), r["p"].append(None)
                continue
            r["diff"].append(float(np.asarray(rob.params)[k]))
            r["se"].append(se)
            r["p"].append(float(np.asarray(rob.pvalues)[k]))
    out = {}
    for h in hcs:
        r = rows[h]
        ok = [i for i, d in enumerate(r["diff"]) if d is not None]
        if not ok:
            raise ValueError(f"no threshold has at least min_cell = {min_cell} patients in all four cells "
                             f"(thresholds {thr.tolist()})")
        best = max(ok, key=lambda i: (abs(r["diff"][i]), -i))
        out[h] = {
            "thresholds": thr, **r,
            "selected_threshold": float(thr[best]), "diff_selected": r["diff"][best],
            "p_selected": r["p"][best], "p_min": min(r["p"][i] for i in ok),
        }
    return out[hcs[0]] if isinstance(hc, str) else out


# --------------------------------------------------------------------------- the simulation

@dataclass(frozen=True)
class SimulationResult:
    """Per-replicate results of :func:`simulate_cutoff_search`.

    Arrays of length ``n_reps``: ``selected_threshold``, ``diff_selected`` (difference of ATEs,
    high minus low, at the selected threshold), ``p_selected`` (its p-interaction), ``p_min``
    (smallest p over the valid thresholds), ``n_valid`` (number of valid thresholds). Arrays
    (n_reps, T): ``diff`` and ``p`` (``NaN`` where ``valid`` is False). ``skipped``: per threshold,
    the number of replicates in which it was degenerate. ``settings``: the arguments used.
    """

    thresholds: np.ndarray
    selected_threshold: np.ndarray
    diff_selected: np.ndarray
    p_selected: np.ndarray
    p_min: np.ndarray
    n_valid: np.ndarray
    diff: np.ndarray
    p: np.ndarray
    valid: np.ndarray
    skipped: np.ndarray
    settings: dict = field(default_factory=dict)

    @property
    def n_reps(self) -> int:
        return int(self.p_selected.size)


def simulate_cutoff_search(n_reps: int = 10_000, n_treated: int = 172, n_control: int = 131,
                           thresholds=range(40, 95, 5),
                           stenosis_quantiles=None, outcome="null", hc: str = "HC3",
                           weights: str = "none", seed: int = 20260213, *,
                           stenosis_range=(0.0, 100.0), rounding: float | None = 5,
                           tie: str = "low", dist: str = "t", min_cell: int = 2,
                           chunk_size: int = 500) -> SimulationResult:
    """Simulate the paper's cut-off search under no treatment x stenosis interaction.

    Data-generating model (every replicate; arms of fixed size ``n_treated`` and ``n_control``):

    * stenosis per arm: inverse-transform draw from the piecewise-linear quantile function
      through (min, Q1, median, Q3, max) = (``stenosis_range[0]``, *quantiles*,
      ``stenosis_range[1]``) -- uniform within each quarter, matching the printed median and IQR
      exactly (Table 1: MT+RS 80 (70-90), MT-only 40 (30-80)); default range 0-100, the natural
      range of the paper's formula (1 - D_stenosis/D_normal) x 100; then rounded to multiples of
      ``rounding`` (default 5; ``None`` keeps it continuous);
    * 90-day mRS drawn independently of stenosis: ``outcome="null"`` draws both arms from the
      pooled Table 1 distribution (:data:`MRS_COUNTS_TABLE1`; no effect at all);
      ``outcome="by_arm"`` draws each arm from its own Table 1 distribution (a treatment effect
      that is the same at every stenosis level); or a mapping ``{"treated": 7 probabilities,
      "control": 7 probabilities}``. Either way the true interaction is zero.
    * ``weights="none"``: unit weights; ``"overlap"``: overlap weights from a logistic propensity
      model of treatment on stenosis fitted in each replicate (:func:`overlap_weights`).

    The search is :func:`cutoff_search` (selection by the largest absolute difference of ATEs;
    ``hc`` default "HC3" = R ``sandwich::vcovHC`` default; ``tie="low"``: a value equal to the
    threshold belongs to the low stratum). Random numbers: ``numpy.random.Generator(PCG64(seed))``,
    all data drawn up front, so results do not depend on ``chunk_size``.
    """
    n_reps = _check_int(n_reps, "n_reps", 1, MAX_REPS)
    n_treated = _check_int(n_treated, "n_treated", 2, MAX_PATIENTS)
    n_control = _check_int(n_control, "n_control", 2, MAX_PATIENTS)
    if n_reps * (n_treated + n_control) > MAX_CELLS:
        raise ValueError(f"n_reps x (n_treated + n_control) = {n_reps * (n_treated + n_control):,} is above the "
                         f"limit of {MAX_CELLS:,} simulated patients (about {8 * MAX_CELLS // 10**6} MB per array)")
    thr = _check_thresholds(thresholds)
    hc = _check_hc(hc)
    weights = _check_choice(weights, "weights", ("none", "overlap"))
    chunk_size = _check_int(chunk_size, "chunk_size", 1, MAX_REPS)
    seed = _check_int(seed, "seed", 0)
    lo, hi = _check_range(stenosis_range)
    if stenosis_quantiles is None:
        stenosis_quantiles = {"treated": (70, 80, 90), "control": (30, 40, 80)}
    if not isinstance(stenosis_quantiles, Mapping) or set(stenosis_quantiles) != {"treated", "control"}:
        raise ValueError("stenosis_quantiles must be a mapping with keys 'treated' and 'control'")
    q_t = _check_quantiles(stenosis_quantiles["treated"], "stenosis_quantiles['treated']", lo, hi)
    q_c = _check_quantiles(stenosis_quantiles["control"], "stenosis_quantiles['control']", lo, hi)
    if rounding is not None:
        r = check_finite(rounding, "rounding")
        if r <= 0:
            raise ValueError(f"rounding must be positive or None, got {rounding!r}")
    p_t, p_c = _outcome_probabilities(outcome)

    rng = np.random.Generator(np.random.PCG64(seed))
    s_t = sample_stenosis(rng, (n_reps, n_treated), q_t, (lo, hi), rounding)
    s_c = sample_stenosis(rng, (n_reps, n_control), q_c, (lo, hi), rounding)
    cum_t = np.cumsum(p_t)[:-1]
    cum_c = np.cumsum(p_c)[:-1]
    y_t = np.searchsorted(cum_t, rng.random((n_reps, n_treated)), side="right").astype(np.int8)
    y_c = np.searchsorted(cum_c, rng.random((n_reps, n_control)), side="right").astype(np.int8)
    stenosis = np.concatenate([s_t, s_c], axis=1)
    mrs = np.concatenate([y_t, y_c], axis=1)
    del s_t, s_c, y_t, y_c
    treated = np.r_[np.ones(n_treated, bool), np.zeros(n_control, bool)]
    w = overlap_weights(stenosis, treated) if weights == "overlap" else None

    res = cutoff_search(stenosis, treated, mrs, w, thr, hc=hc, tie=tie, dist=dist,
                        min_cell=min_cell, chunk_size=chunk_size)
    settings = dict(n_reps=n_reps, n_treated=n_treated, n_control=n_control,
                    thresholds=thr.tolist(), stenosis_quantiles={"treated": q_t, "control": q_c},
                    outcome=outcome, hc=hc, weights=weights, seed=seed, stenosis_range=(lo, hi),
                    rounding=rounding, tie=tie, dist=dist, min_cell=min_cell,
                    mrs_probabilities={"treated": p_t.tolist(), "control": p_c.tolist()})
    return SimulationResult(
        thresholds=thr,
        selected_threshold=res["selected_threshold"],
        diff_selected=res["diff_selected"],
        p_selected=res["p_selected"],
        p_min=res["p_min"],
        n_valid=res["n_valid"],
        diff=res["diff"],
        p=res["p"],
        valid=res["valid"],
        skipped=(~res["valid"]).sum(0),
        settings=settings,
    )


# --------------------------------------------------------------------------- summaries

def _check_result(result) -> SimulationResult:
    if not isinstance(result, SimulationResult):
        raise ValueError(f"result must be a SimulationResult, got {type(result).__name__}")
    return result


def prob_p_below(result: SimulationResult, alpha: float, which: str = "selected") -> float:
    """Share of replicates whose p-interaction is below ``alpha``: ``which="selected"`` (at the
    selected threshold), ``"min"`` (minimum over thresholds), or a threshold value (e.g. 75) for
    the p at that fixed threshold among replicates where it is valid."""
    result = _check_result(result)
    alpha = check_alpha(alpha)
    if which == "selected":
        return float(np.mean(result.p_selected < alpha))
    if which == "min":
        return float(np.mean(result.p_min < alpha))
    if isinstance(which, Real) and not isinstance(which, bool):
        hit = np.flatnonzero(result.thresholds == float(which))
        if hit.size == 1:
            j = int(hit[0])
            v = result.valid[:, j]
            if not v.any():
                raise ValueError(f"threshold {which} is degenerate in every replicate")
            return float(np.mean(result.p[v, j] < alpha))
    raise ValueError(f"which must be 'selected', 'min' or one of the thresholds {result.thresholds.tolist()}, got {which!r}")


def prob_abs_diff_at_least(result: SimulationResult, value: float) -> float:
    """Share of replicates whose selected |difference of ATEs| is at least ``abs(value)``."""
    result = _check_result(result)
    value = abs(check_finite(value, "value"))
    return float(np.mean(np.abs(result.diff_selected) >= value))


def median_abs_diff(result: SimulationResult) -> float:
    """Median of the selected |difference of ATEs| over replicates."""
    return float(np.median(np.abs(_check_result(result).diff_selected)))


def selected_threshold_frequencies(result: SimulationResult) -> dict:
    """Share of replicates selecting each threshold (all thresholds listed, zeros included)."""
    result = _check_result(result)
    return {float(t): float(np.mean(result.selected_threshold == t)) for t in result.thresholds}


def summarise(result: SimulationResult, reported_diff: float = -2.06, alphas=(0.05, 0.01, 0.001)) -> dict:
    """Headline numbers with Wilson 95% Monte Carlo intervals (statsmodels ``proportion_confint``):
    P(selected p < alpha) and P(min p < alpha) for each alpha, the median selected |difference of
    ATEs| and P(|difference| >= |reported_diff|)."""
    from statsmodels.stats.proportion import proportion_confint

    result = _check_result(result)
    reported_diff = check_finite(reported_diff, "reported_diff")
    if alphas is None or isinstance(alphas, (str, bytes, Mapping)):
        raise ValueError(f"alphas must be a non-empty sequence of significance levels, got {alphas!r}")
    try:
        alphas = [check_alpha(a, f"alphas[{i}]") for i, a in enumerate(alphas)]
    except TypeError:
        raise ValueError(f"alphas must be a non-empty sequence of significance levels, got {alphas!r}") from None
    if not alphas:
        raise ValueError("alphas must not be empty")
    n = result.n_reps

    def with_ci(share):
        k = int(round(share * n))
        lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
        return {"estimate": share, "count": k, "ci_low": float(lo), "ci_high": float(hi)}

    out = {"n_reps": n}
    for a in alphas:
        out[f"p_selected_below_{a}"] = with_ci(prob_p_below(result, a, "selected"))
        out[f"p_min_below_{a}"] = with_ci(prob_p_below(result, a, "min"))
    out["median_abs_diff"] = median_abs_diff(result)
    out["abs_diff_at_least_reported"] = with_ci(prob_abs_diff_at_least(result, reported_diff))
    out["selected_threshold_frequencies"] = selected_threshold_frequencies(result)
    out["skipped"] = dict(zip(result.thresholds.tolist(), result.skipped.tolist()))
    return out
