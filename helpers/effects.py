"""Effect sizes for two groups: risk difference, risk ratio, odds ratio and NNT/NNH.

Convention for every function: arguments ``(events_a, total_a, events_b, total_b)``; group *a* is
the exposed/treated group (rescue stenting, early RS, SES, ...), group *b* the reference; the effect
is *a versus b* (RD = p_a - p_b, RR = p_a / p_b, OR = odds_a / odds_b).

Methods
-------
Risk difference (:func:`risk_difference`)
    ``"newcombe"`` (default): Newcombe's hybrid score interval, method 10 of Newcombe RG, Interval
    estimation for the difference between independent proportions: comparison of eleven methods,
    Stat Med 1998;17:873-90, computed by statsmodels ``confint_proportions_2indep(compare="diff",
    method="newcomb")``. ``"wald"``: p_a - p_b +/- z * sqrt(p_a q_a / n_a + p_b q_b / n_b).
Risk ratio (:func:`risk_ratio`)
    ``"wald"`` (default): Katz et al., Biometrics 1978;34:469-74, log RR +/- z * sqrt(1/a - 1/n_a +
    1/c - 1/n_b). ``"score"``: Miettinen & Nurminen's score interval (Stat Med 1985;4:213-26; Koopman's
    1984 statistic with the variance multiplied by N/(N-1)), statsmodels ``confint_proportions_2indep(compare="ratio", method="score")``.
    ``"profile"``: profile-likelihood interval of the binomial likelihood with a **log link**
    (statsmodels GLM, Binomial family, log link; the log RR is fixed through an offset and the
    interval is where the profile deviance rises by chi2_1(level) above its minimum).
Odds ratio (:func:`odds_ratio`)
    ``"wald"`` (default): Woolf, Ann Hum Genet 1955;19:251-3, log OR +/- z * sqrt(1/a+1/b+1/c+1/d).
    ``"profile"``: profile-likelihood interval of the logistic model (statsmodels GLM, Binomial family,
    logit link, log OR fixed through an offset), what R's ``confint(glm(...))`` returns.
    ``"exact"``: conditional maximum-likelihood estimate with the exact conditional interval
    (Cornfield), :func:`scipy.stats.contingency.odds_ratio` with ``kind="conditional"``.
    ``"firth"``: Firth's penalised likelihood (Biometrika 1993;80:27-38; Heinze & Schemper, Stat Med
    2002;21:2409-19). For a 2x2 table the Jeffreys penalty 1/2 log|I(beta)| equals
    1/2 sum_g log(p_g (1 - p_g)) + const, so the penalised likelihood is exactly the likelihood of the
    table with 0.5 added to every cell: the Firth estimate is the OR of that augmented table and the
    profile penalised-likelihood interval (Heinze & Schemper's recommendation, R ``logistf``) is the
    profile-likelihood interval of the augmented table. ``correction`` is ignored for ``"firth"``.

Zero cells
----------
``correction="none"`` (default) leaves the table alone; if a zero cell makes the estimate 0 or
infinite (any zero cell for the OR; zero events in a group for the RR) a ValueError says so and
suggests a correction. ``correction="haldane"`` adds 0.5 to **every** cell **only when some cell is
zero** (Haldane 1956 / Anscombe 1956; the Cochrane RevMan and metafor ``to="only0"`` convention);
``correction="haldane_always"`` adds 0.5 to every cell of every table. The risk difference needs no
correction (Newcombe's interval handles zeros).

NNT (:func:`nnt`)
    1 / |RD| with the interval from inverting the RD interval (Altman DG, Confidence intervals for
    the number needed to treat, BMJ 1998;317:1309-12), including the case where the RD interval
    crosses 0 and the NNT interval runs from NNT(benefit) through infinity to NNT(harm).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
# The two statsmodels modules used, not statsmodels.api (which imports all of statsmodels: about
# 0.3 s more in every kernel and process that imports the helpers).
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from scipy import optimize
from scipy.special import expit, xlogy
from scipy.stats import chi2, norm
from scipy.stats.contingency import odds_ratio as _scipy_odds_ratio
from statsmodels.stats.proportion import confint_proportions_2indep

from helpers.validation import check_level, check_probability, check_two_by_two, check_work

#: largest total_a + total_b for the conditional exact odds ratio (a few seconds on one core)
MAX_EXACT_N = 10_000

__all__ = ["Effect", "NNT", "risk_difference", "risk_ratio", "odds_ratio", "nnt"]

_CORRECTIONS = ("none", "haldane", "haldane_always")


@dataclass(frozen=True)
class Effect:
    """An effect estimate for group a versus group b with its confidence interval.

    ``estimate``, ``ci_low`` and ``ci_high`` are on the natural scale (a difference, or a ratio);
    ``table`` is the 2x2 table actually analysed as (events_a, nonevents_a, events_b, nonevents_b),
    after any continuity correction.
    """

    measure: str
    estimate: float
    ci_low: float
    ci_high: float
    method: str
    level: float
    correction: str
    table: tuple


@dataclass(frozen=True)
class NNT:
    """Number needed to treat (benefit) or harm with Altman's (1998) interval.

    ``kind`` is ``"NNT"`` when the risk difference is negative (fewer events with a, the outcome
    being harmful such as death), else ``"NNH"``; set ``outcome_is_good=True`` for outcomes such as
    good functional recovery, where a positive RD is a benefit. ``estimate`` is 1/|RD| (``inf`` when
    RD = 0). If the RD interval excludes 0, ``ci_low``/``ci_high`` bound the NNT (or NNH) and
    ``crosses_zero`` is False. If it includes 0, the confidence set is two pieces:
    ``[nnt_benefit_bound, inf)`` of NNT and ``[nnh_bound, inf)`` of NNH; then ``ci_low`` is
    ``nnt_benefit_bound`` and ``ci_high`` is ``nnh_bound`` (Altman's "NNT(benefit) x to infinity to
    NNT(harm) y") and ``text`` spells it out.
    """

    kind: str
    estimate: float
    ci_low: float
    ci_high: float
    crosses_zero: bool
    risk_difference: Effect
    level: float
    text: str
    method: str = "Altman 1998, inverted risk-difference interval"


# --------------------------------------------------------------------------- helpers


def _check_level(level) -> float:
    return check_level(level)


def _z(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


def _check_correction(correction) -> str:
    if correction not in _CORRECTIONS:
        raise ValueError(f"correction must be one of {_CORRECTIONS}, got {correction!r}")
    return correction


def _cells(events_a, total_a, events_b, total_b, correction):
    """Return (a, b, c, d) = (events_a, nonevents_a, events_b, nonevents_b) after correction."""
    ea, na, eb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    cells = (float(ea), float(na - ea), float(eb), float(nb - eb))
    add = correction == "haldane_always" or (correction == "haldane" and min(cells) == 0)
    if add:
        cells = tuple(x + 0.5 for x in cells)
    return cells, add


def _expand_bracket(f, start, step):
    """Find a point where f changes sign, walking from ``start`` by doubling ``step``."""
    x = start
    for _ in range(200):
        x_new = x + step
        if f(x_new) > 0:
            return x, x_new
        x, step = x_new, step * 2
    return None


def _profile_interval(deviance_at, theta_hat, se_hint, level):
    """Interval of theta where deviance_at(theta) - deviance_at(theta_hat) <= chi2_1(level).

    Returns +/- inf for a side on which the deviance never crosses the cut-off.
    """
    dev_hat = deviance_at(theta_hat)
    cut = float(chi2.ppf(level, 1))

    def g(theta):
        return deviance_at(theta) - dev_hat - cut

    step = max(se_hint, 1e-3)
    bounds = []
    for direction in (-1.0, 1.0):
        bracket = _expand_bracket(g, theta_hat, direction * step)
        if bracket is None:
            bounds.append(direction * math.inf)
            continue
        lo, hi = sorted(bracket)
        bounds.append(optimize.brentq(g, lo, hi, xtol=1e-12, rtol=1e-12))
    return bounds[0], bounds[1]


def _grouped_glm_deviance(cells, link, theta, start):
    """Profile deviance at a fixed group effect ``theta`` (log OR or log RR).

    Fits the intercept-only binomial GLM (statsmodels, ``link`` = Logit or Log) with ``theta``
    entering as an offset on group a. Because IRLS can diverge far from the estimate (seen for the
    logit link at |theta| of a few units with small counts), the same constrained maximum is also
    found by bounded one-dimensional maximisation of the binomial log-likelihood over the
    intercept, and the smaller deviance (the better maximum) is returned.
    """
    a, b, c, d = cells
    endog = np.array([[a, b], [c, d]])
    exog = np.ones((2, 1))
    offset = np.array([theta, 0.0])
    candidates = [_direct_deviance(cells, link, theta)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = GLM(endog, exog, family=families.Binomial(link), offset=offset).fit(
                start_params=np.array([start]), tol=1e-12, maxiter=200)
            mu = np.asarray(fit.fittedvalues)
            dev = float(fit.deviance)
        if fit.converged and np.all((mu > 0) & (mu < 1)) and np.isfinite(dev):
            candidates.append(dev)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        pass
    return min(candidates)


def _direct_deviance(cells, link, theta):
    """2 x (saturated - constrained maximum) binomial log-likelihood at group effect ``theta``."""
    a, b, c, d = cells
    if isinstance(link, families.links.Logit):
        def probs(alpha):
            return expit(alpha + theta), expit(alpha)
        span = 50.0 + abs(theta)
        bounds = (-span, span)
    else:  # log link: p_b = exp(alpha), p_a = exp(alpha + theta), both <= 1
        def probs(alpha):
            return math.exp(alpha + theta), math.exp(alpha)
        bounds = (-700.0, min(0.0, -theta))
    res = optimize.minimize_scalar(lambda al: -_binomial_loglik(cells, *probs(al)),
                                   bounds=bounds, method="bounded",
                                   options={"xatol": 1e-13, "maxiter": 2000})
    sat = _binomial_loglik(cells, a / (a + b), c / (c + d))
    return 2 * (sat + float(res.fun))


def _binomial_loglik(cells, pa, pb):
    a, b, c, d = cells
    return float(xlogy(a, pa) + xlogy(b, 1 - pa) + xlogy(c, pb) + xlogy(d, 1 - pb))


# --------------------------------------------------------------------------- risk difference


def risk_difference(events_a, total_a, events_b, total_b, method: str = "newcombe",
                    level: float = 0.95) -> Effect:
    """Risk difference p_a - p_b with a Newcombe (1998, method 10) or Wald interval.

    See the module docstring for the formulas and references. Raises ValueError on invalid counts,
    an unknown ``method`` or a ``level`` outside (0, 1).
    """
    ea, na, eb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    level = _check_level(level)
    pa, pb = ea / na, eb / nb
    est = pa - pb
    if method == "newcombe":
        low, high = confint_proportions_2indep(ea, na, eb, nb, compare="diff", method="newcomb",
                                               alpha=1 - level)
        label = "Newcombe hybrid score (method 10)"
    elif method == "wald":
        se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
        low, high = est - _z(level) * se, est + _z(level) * se
        label = "Wald"
    else:
        raise ValueError(f"method must be 'newcombe' or 'wald', got {method!r}")
    low, high = max(float(low), -1.0), min(float(high), 1.0)
    # guard floating-point residue so that the interval always contains the estimate
    low, high = min(low, est), max(high, est)
    return Effect("RD", est, low, high, label, level, "none",
                  (ea, na - ea, eb, nb - eb))


# --------------------------------------------------------------------------- risk ratio


def risk_ratio(events_a, total_a, events_b, total_b, method: str = "wald", level: float = 0.95,
               correction: str = "none") -> Effect:
    """Risk ratio p_a / p_b with a Katz (Wald, log scale), score or profile-likelihood interval.

    ``method="profile"`` uses a statsmodels GLM with Binomial family and log link (not Poisson).
    Raises ValueError on invalid counts, an unknown ``method``/``correction``, a ``level`` outside
    (0, 1), or (with ``correction="none"``) zero events in a group, where the RR is 0 or infinite.
    """
    level = _check_level(level)
    correction = _check_correction(correction)
    cells, corrected = _cells(events_a, total_a, events_b, total_b, correction)
    a, b, c, d = cells
    if a == 0 or c == 0:
        raise ValueError("events_a and events_b must both be positive for a risk ratio without "
                         "correction (the RR would be 0, infinite or undefined); use "
                         "correction='haldane'")
    na, nb = a + b, c + d
    pa, pb = a / na, c / nb
    log_rr = math.log(pa / pb)
    se = math.sqrt(1 / a - 1 / na + 1 / c - 1 / nb)
    if method == "wald":
        low, high = math.exp(log_rr - _z(level) * se), math.exp(log_rr + _z(level) * se)
        label = "Wald (Katz, log scale)"
    elif method == "score":
        low, high = confint_proportions_2indep(a, na, c, nb, compare="ratio", method="score",
                                               alpha=1 - level)
        low, high = float(low), float(high)
        label = "score (Miettinen-Nurminen)"
    elif method == "profile":
        def deviance_at(theta):
            # start from the MLE of log p_b under the constraint p_a = p_b * exp(theta) <= 1
            start = min(math.log(pb), math.log(pa) - theta, -max(theta, 0.0)) - 1e-6
            return _grouped_glm_deviance(cells, families.links.Log(), theta, start)

        lo, hi = _profile_interval(deviance_at, log_rr, se, level)
        low, high = math.exp(lo), math.exp(hi)
        label = "profile likelihood (binomial GLM, log link)"
    else:
        raise ValueError(f"method must be 'wald', 'score' or 'profile', got {method!r}")
    low, high = min(low, pa / pb), max(high, pa / pb)
    return Effect("RR", pa / pb, low, high, label, level,
                  correction if corrected else "none", cells)


# --------------------------------------------------------------------------- odds ratio


def odds_ratio(events_a, total_a, events_b, total_b, method: str = "wald", level: float = 0.95,
               correction: str = "none") -> Effect:
    """Odds ratio (odds_a / odds_b) with a Woolf (Wald), profile-likelihood, conditional exact or
    Firth interval; see the module docstring for each method and its reference.

    Raises ValueError on invalid counts, an unknown ``method``/``correction``, a ``level`` outside
    (0, 1), or (for ``"wald"``/``"profile"`` with ``correction="none"``) a zero cell. With
    ``method="exact"`` a zero cell off the diagonal gives ``estimate`` and ``ci_high`` = ``inf``
    (and one on the diagonal ``estimate`` = ``ci_low`` = 0): the conditional MLE is then on the
    boundary, and the interval is one-sided.
    """
    level = _check_level(level)
    correction = _check_correction(correction)
    if method == "firth":
        cells, _ = _cells(events_a, total_a, events_b, total_b, "haldane_always")
        return _profile_or(cells, level, "Firth penalised likelihood (profile)", "firth")
    if method == "exact":
        ea, na, eb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
        check_work(na + nb, MAX_EXACT_N, "the conditional exact odds ratio", "total_a + total_b")
        table = [[ea, na - ea], [eb, nb - eb]]
        if (ea + eb == 0) or (na - ea + nb - eb == 0):
            raise ValueError("the exact conditional OR is undefined when a column of the table "
                             "(all events or all non-events) is empty")
        res = _scipy_odds_ratio(table, kind="conditional")
        ci = res.confidence_interval(confidence_level=level)
        return Effect("OR", float(res.statistic), float(ci.low), float(ci.high),
                      "conditional exact (Cornfield)", level, "none",
                      tuple(float(x) for x in (ea, na - ea, eb, nb - eb)))
    if method not in ("wald", "profile"):
        raise ValueError(f"method must be 'wald', 'profile', 'exact' or 'firth', got {method!r}")
    cells, corrected = _cells(events_a, total_a, events_b, total_b, correction)
    if min(cells) == 0:
        raise ValueError("a cell of the 2x2 table is zero, so the odds ratio is 0 or infinite; "
                         "use correction='haldane', method='firth' or method='exact'")
    used = correction if corrected else "none"
    if method == "profile":
        return _profile_or(cells, level, "profile likelihood (logistic GLM)", used)
    a, b, c, d = cells
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    est = math.exp(log_or)
    return Effect("OR", est, math.exp(log_or - _z(level) * se), math.exp(log_or + _z(level) * se),
                  "Wald (Woolf, log scale)", level, used, cells)


def _profile_or(cells, level, label, correction) -> Effect:
    a, b, c, d = cells
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    logit_b = math.log(c / d)

    def deviance_at(theta):
        return _grouped_glm_deviance(cells, families.links.Logit(), theta, logit_b)

    lo, hi = _profile_interval(deviance_at, log_or, se, level)
    est = math.exp(log_or)
    return Effect("OR", est, min(math.exp(lo), est), max(math.exp(hi), est), label, level,
                  correction, cells)


# --------------------------------------------------------------------------- NNT


def nnt(events_a, total_a, events_b, total_b, method: str = "newcombe", level: float = 0.95,
        outcome_is_good: bool = False) -> NNT:
    """Number needed to treat or harm for a versus b, with Altman's (BMJ 1998;317:1309) interval
    obtained by inverting the risk-difference interval (:func:`risk_difference`, ``method``).

    The outcome is taken as harmful (death, sICH) unless ``outcome_is_good`` is True (e.g. mRS 0-2).
    Raises ValueError as :func:`risk_difference` does, or if ``outcome_is_good`` is not a bool.
    """
    if not isinstance(outcome_is_good, bool):
        raise ValueError(f"outcome_is_good must be True or False, got {outcome_is_good!r}")
    rd = risk_difference(events_a, total_a, events_b, total_b, method=method, level=level)
    sign = 1.0 if outcome_is_good else -1.0
    benefit, low, high = sign * rd.estimate, *sorted((sign * rd.ci_low, sign * rd.ci_high))

    def inv(x):
        return math.inf if x == 0 else 1.0 / abs(x)

    kind = "NNT" if benefit > 0 else "NNH"
    est = inv(benefit)
    pct = f"{100 * level:g}%"
    if low > 0 or high < 0:  # interval on one side of zero
        lo_n, hi_n = sorted((inv(low), inv(high)))
        text = f"{kind} {est:.1f} ({pct} CI {lo_n:.1f} to {hi_n:.1f})"
        return NNT(kind, est, lo_n, hi_n, False, rd, level, text)
    # interval includes zero: NNT(benefit) 1/high to infinity to NNT(harm) 1/|low|
    nnt_b, nnh = inv(high), inv(low)
    est_txt = "infinite" if math.isinf(est) else f"{est:.1f}"
    text = (f"{kind} {est_txt} ({pct} CI NNT(benefit) {nnt_b:.1f} to infinity to "
            f"NNT(harm) {nnh:.1f})")
    return NNT(kind, est, nnt_b, nnh, True, rd, level, text)
