"""Per-pass (per-attempt) recanalisation: reconstruction of the counts behind printed percentages,
and trend tests across passes.

Reconstruction (:func:`reconstruct_passes`)
    A per-pass analysis reports, for each thrombectomy pass k, the share of the patients attempted
    at pass k whose artery opened at that pass. Papers often print the first-pass counts
    (``47/126``) but only percentages for later passes. Given the number of patients, the total
    number of passes and a few structural facts, every set of integer counts consistent with the
    printed percentages (by the one tolerance rule of :mod:`helpers.printed`: rounding **or**
    truncation at the printed decimals) is enumerated. Assumptions, each a parameter:

    * every patient has pass 1 (``n_1 = n_patients``);
    * a patient whose artery opens (the first, "stopping" outcome) has no further pass
      (``stop_on_success=True``): ``n_{k+1} <= n_k - s_k``. Other patients may also stop (rescue
      stenting, abandonment), so this is an inequality;
    * ``min_attempted[k]``: at least this many patients are known to have had pass k (e.g. the
      patients stented after 3 or more passes all had pass 3);
    * the passes beyond the last printed pass K number ``n_passes - sum(n_1..n_K)``, which must be
      at least ``min_tail_passes`` and, if ``min_attempted`` names pass K+1, at least that many, with
      ``n_K - s_K`` patients available to make them;
    * the later outcomes are nested in the first (mTICI 3 is part of mTICI 2b-3): counts
      non-increasing along ``outcomes``.

Trend across passes
    :func:`cochran_armitage`: the Cochran-Armitage test for a linear trend in proportions
    (Cochran WG, Biometrics 1954;10:417-51; Armitage P, Biometrics 1955;11:375-86), in the form of
    R's ``prop.trend.test``: X^2 = N r^2, the squared correlation between score and outcome times
    N (statsmodels' linear-by-linear association test uses N-1 instead). :func:`logistic_trend`:
    logistic regression of the per-pass outcome on the pass score (statsmodels GLM, binomial,
    logit link) with Wald and likelihood-ratio p-values. With per-pass data in which a patient
    leaves after success, the logistic model on pass number is a discrete-time hazard model
    (Allison PD, Sociol Methodol 1982;13:61-98; Singer JD & Willett JB, J Educ Stat 1993;18:155-95):
    the repeated passes of one patient enter as conditionally independent Bernoulli terms, so the
    test is valid *provided that* leaving for reasons other than success (e.g. rescue stenting) is
    unrelated to the chance of success at the next pass (non-informative censoring).

:func:`integer_totals_for_mean` is the GRIM idea (Brown & Heathers, Soc Psychol Personal Sci
2017;8:363-9) for a mean of integers: which integer sums of ``n`` values give the printed mean.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.tools import add_constant
from scipy.stats import chi2, norm

from helpers.printed import as_printed, how_agrees, value_set
from helpers.validation import check_level, check_count, check_count_le_total, check_probability, check_total

__all__ = ["TrendTest", "LogisticTrend", "cochran_armitage", "logistic_trend",
           "integer_totals_for_mean", "reconstruct_passes"]


@dataclass(frozen=True)
class TrendTest:
    """Cochran-Armitage trend test: ``statistic`` is X^2 (1 df), ``z`` its signed root (positive
    when the proportion rises with the score), ``p`` two-sided."""

    statistic: float
    z: float
    p: float
    scores: tuple
    method: str = "Cochran-Armitage (R prop.trend.test)"


@dataclass(frozen=True)
class LogisticTrend:
    """Logistic regression of the outcome on the score: ``odds_ratio`` per unit of score with its
    Wald interval, ``p_wald`` and ``p_lr`` (likelihood-ratio test against the intercept-only
    model), ``intercept`` and ``slope`` on the logit scale with ``se_slope``.

    Under (quasi-)complete separation (``separated``: every pass with an event scores no higher,
    or no lower, than every pass with a non-event, e.g. events [2, 0] of totals [19, 1]) the
    maximum-likelihood slope is infinite: ``slope`` is -inf or +inf, ``odds_ratio`` 0 or inf,
    the Wald interval is [0, inf], ``se_slope`` is inf and ``p_wald`` is NaN (undefined);
    ``intercept`` is NaN; ``p_lr`` stays finite (the deviance of the limiting fit)."""

    odds_ratio: float
    ci_low: float
    ci_high: float
    p_wald: float
    p_lr: float
    intercept: float
    slope: float
    se_slope: float
    level: float
    separated: bool = False


def _rates(events, totals, scores):
    if isinstance(events, (str, bytes)) or isinstance(totals, (str, bytes)):
        raise ValueError("events and totals must be sequences of counts")
    try:
        events, totals = list(events), list(totals)
    except TypeError as err:
        raise ValueError("events and totals must be sequences of counts") from err
    if len(events) != len(totals):
        raise ValueError(f"events ({len(events)}) and totals ({len(totals)}) differ in length")
    if len(events) < 2:
        raise ValueError("a trend needs at least two groups (passes)")
    pairs = [check_count_le_total(e, t, f"events[{i}]", f"totals[{i}]")
             for i, (e, t) in enumerate(zip(events, totals))]
    if scores is None:
        scores = list(range(1, len(pairs) + 1))
    else:
        try:
            scores = [float(s) for s in scores]
        except (TypeError, ValueError) as err:
            raise ValueError(f"scores must be numbers, got {scores!r}") from err
        if len(scores) != len(pairs):
            raise ValueError(f"scores ({len(scores)}) and events ({len(pairs)}) differ in length")
        if not all(math.isfinite(s) for s in scores):
            raise ValueError("scores must be finite")
    if len(set(scores)) < 2:
        raise ValueError("scores must not all be equal")
    e = np.array([p[0] for p in pairs], float)
    n = np.array([p[1] for p in pairs], float)
    if e.sum() == 0 or e.sum() == n.sum():
        raise ValueError("no trend can be tested when every pass has no events or only events")
    return e, n, np.array(scores, float)


def cochran_armitage(events, totals, scores=None) -> TrendTest:
    """Cochran-Armitage test for a linear trend in ``events[i]/totals[i]`` across ordered groups
    with ``scores`` (default 1, 2, ...). X^2 = [sum s_i (e_i - n_i p)]^2 / (p q [sum n_i s_i^2 -
    (sum n_i s_i)^2 / N]), p = E/N: R's ``prop.trend.test``. Raises ValueError for mismatched
    lengths, invalid counts, fewer than two groups, constant scores, or no variation in outcome.
    """
    e, n, s = _rates(events, totals, scores)
    big_n, p = n.sum(), e.sum() / n.sum()
    num = float(np.sum(s * (e - n * p)))
    den = p * (1 - p) * float(np.sum(n * s**2) - np.sum(n * s) ** 2 / big_n)
    z = num / math.sqrt(den)
    return TrendTest(z * z, z, float(2 * norm.sf(abs(z))), tuple(float(x) for x in s))


def logistic_trend(events, totals, scores=None, level: float = 0.95) -> LogisticTrend:
    """Grouped logistic regression logit(p_i) = a + b * score_i (statsmodels GLM, binomial family)
    with the odds ratio exp(b) per unit score, its Wald interval, the Wald p and the
    likelihood-ratio p (deviance difference on 1 df). Validates as :func:`cochran_armitage`."""
    e, n, s = _rates(events, totals, scores)
    level = check_level(level)
    endog = np.column_stack([e, n - e])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # perfect fit warnings are reported through the values
        fit = GLM(endog, add_constant(s), family=families.Binomial()).fit()
    p_lr = float(chi2.sf(max(float(fit.null_deviance - fit.deviance), 0.0), 1))
    with_event, without = s[e > 0], s[n - e > 0]
    if with_event.max() <= without.min() or without.max() <= with_event.min():
        rising = with_event.min() >= without.max()
        return LogisticTrend(math.inf if rising else 0.0, 0.0, math.inf, math.nan, p_lr, math.nan,
                             math.inf if rising else -math.inf, math.inf, level, True)
    a, b = (float(x) for x in fit.params)
    se = float(fit.bse[1])
    z = float(norm.ppf(0.5 + level / 2))

    def exp(x):
        return math.inf if x > 709 else math.exp(x)

    return LogisticTrend(exp(b), exp(b - z * se), exp(b + z * se),
                         float(fit.pvalues[1]), p_lr, a, b, se, level)


def integer_totals_for_mean(printed_mean, n, *, decimals=None, mode: str = "either") -> list[int]:
    """Integer sums ``T`` of ``n`` integer values whose mean ``T/n`` prints as ``printed_mean``
    (rounding or truncation, per ``mode``; Brown & Heathers 2017's GRIM test). Empty when none:
    the printed mean is then impossible for integer data with this ``n``."""
    n = check_total(n, "n")
    pm = as_printed(printed_mean, "printed_mean", decimals)
    vs = value_set(pm, mode)
    if math.isinf(vs.low) or math.isinf(vs.high):
        raise ValueError(f"printed_mean must be a value, not a bound, got {pm.text!r}")
    lo, hi = math.floor(vs.low * n) - 1, math.ceil(vs.high * n) + 1
    return [t for t in range(lo, hi + 1) if vs.contains(t / n)]


def _check_passes(later_passes, outcomes):
    if not isinstance(later_passes, dict) or not later_passes:
        raise ValueError("later_passes must be a non-empty dict {pass number: {outcome: printed %}}")
    ks = sorted(later_passes)
    if ks != list(range(2, 2 + len(ks))):
        raise ValueError(f"later_passes must cover passes 2, 3, ... without gaps, got {ks}")
    out = {}
    for k in ks:
        d = later_passes[k]
        if not isinstance(d, dict) or set(d) != set(outcomes):
            raise ValueError(f"later_passes[{k}] must give a printed percentage for each of {outcomes}")
        out[k] = {o: as_printed(d[o], f"later_passes[{k}][{o!r}]") for o in outcomes}
        for o, p in out[k].items():
            if p.relation != "=" or p.negative or p.value > 100:
                raise ValueError(f"later_passes[{k}][{o!r}] must be a percentage in [0, 100], got {p.text!r}")
    return out


def _counts_for(n, printed, mode):
    vs = value_set(printed, mode)
    lo = max(0, math.floor(vs.low * n / 100) - 1)
    hi = min(n, math.ceil(vs.high * n / 100) + 1)
    return [k for k in range(lo, hi + 1) if vs.contains(100 * k / n)]


def reconstruct_passes(n_patients, n_passes, first_pass, later_passes, *, min_attempted=None,
                       min_tail_passes=0, stop_on_success=True, mode="either") -> pd.DataFrame:
    """Every per-pass reconstruction consistent with the printed numbers (see module docstring).

    ``first_pass``: ``{outcome: count}`` at pass 1, outcomes ordered from the broadest (the one
    that stops a patient, e.g. ``"successful"``) to the narrowest (``"complete"``); its key order
    fixes the outcome order. ``later_passes``: ``{2: {outcome: "32.9"}, 3: {...}}`` printed
    percentages. ``min_attempted``: ``{pass: minimum patients}``. Returns one row per solution,
    columns ``attempted_k``, ``<outcome>_k`` for every pass k, ``tail_passes`` (passes after the
    last printed one), ``how_<outcome>_k`` (``rounding``, ``truncation`` or ``both``: how the
    count reproduces the printed percentage). Raises ValueError on invalid input.
    """
    n1 = check_total(n_patients, "n_patients")
    total = check_total(n_passes, "n_passes")
    if total < n1:
        raise ValueError(f"n_passes ({total}) is below n_patients ({n1}): every patient has pass 1")
    if not isinstance(first_pass, dict) or not first_pass:
        raise ValueError("first_pass must be a non-empty dict {outcome: count at pass 1}")
    outcomes = tuple(first_pass)
    firsts = [check_count_le_total(first_pass[o], n1, f"first_pass[{o!r}]", "n_patients")[0]
              for o in outcomes]
    if any(b > a for a, b in zip(firsts, firsts[1:])):
        raise ValueError("first_pass counts must not increase along the outcomes (nested outcomes)")
    printed = _check_passes(later_passes, outcomes)
    if mode not in ("round", "truncate", "either"):
        raise ValueError(f"mode must be 'round', 'truncate' or 'either', got {mode!r}")
    if not isinstance(stop_on_success, bool):
        raise ValueError("stop_on_success must be True or False")
    last = max(printed)
    mins = {}
    if min_attempted is not None and not isinstance(min_attempted, dict):
        raise ValueError(f"min_attempted must be None or a dict {{pass number: minimum patients}}, "
                         f"got {min_attempted!r}"[:200])
    for k, v in (min_attempted or {}).items():
        if not isinstance(k, int) or k < 2 or k > last + 1:
            raise ValueError(f"min_attempted keys must be pass numbers 2..{last + 1}, got {k!r}")
        mins[k] = check_count(v, f"min_attempted[{k}]")
    min_tail = check_count(min_tail_passes, "min_tail_passes")
    need_next = mins.get(last + 1, 0)
    min_tail = max(min_tail, need_next)

    rows = []

    def recurse(k, prev_n, prev_counts, used, acc):
        if k > last:
            tail = total - used
            if tail < min_tail:
                return
            free = prev_n - (prev_counts[0] if stop_on_success else 0)
            if tail > 0 and free < max(1, need_next):
                return
            row = dict(acc)
            row["tail_passes"] = tail
            rows.append(row)
            return
        cap = prev_n - (prev_counts[0] if stop_on_success else 0)
        cap = min(cap, total - used)
        for n in range(max(1, mins.get(k, 0)), cap + 1):
            choices = [_counts_for(n, printed[k][o], mode) for o in outcomes]
            if not all(choices):
                continue

            def nested(i, upper, chosen):
                if i == len(outcomes):
                    yield tuple(chosen)
                    return
                for c in choices[i]:
                    if c <= upper:
                        yield from nested(i + 1, c, chosen + [c])

            for counts in nested(0, n, []):
                acc2 = dict(acc)
                acc2[f"attempted_{k}"] = n
                for o, c in zip(outcomes, counts):
                    acc2[f"{o}_{k}"] = c
                    acc2[f"how_{o}_{k}"] = how_agrees(100 * c / n, printed[k][o])
                recurse(k + 1, n, counts, used + n, acc2)

    start = {"attempted_1": n1}
    for o, c in zip(outcomes, firsts):
        start[f"{o}_1"] = c
    recurse(2, n1, firsts, n1, start)
    cols = ["attempted_1", *[f"{o}_1" for o in outcomes]]
    for k in range(2, last + 1):
        cols += [f"attempted_{k}", *[f"{o}_{k}" for o in outcomes]]
    cols += ["tail_passes"] + [f"how_{o}_{k}" for k in range(2, last + 1) for o in outcomes]
    return pd.DataFrame(rows, columns=cols)
