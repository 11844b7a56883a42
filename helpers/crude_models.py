"""Crude (unadjusted) two-group effects under the candidate models a paper may have used, and which
of them reproduces a printed estimate, interval and p.

A paper's "unadjusted RR" column can come from several computations that give the same point
estimate but different intervals and p-values, or from a different measure altogether (an odds
ratio). :func:`crude_fits` computes, for one 2x2 table (group a = exposed, group b = reference),
every candidate listed below; :func:`match_printed` compares each with a printed row under the one
tolerance rule of :mod:`helpers.printed` (rounding or truncation at the printed precision).

Candidates (``measure``, ``model``, ``interval``; the p is the one the software prints next to it)
---------------------------------------------------------------------------------------------------
Risk ratio (log link):

* ``2x2 (Katz)`` / ``binomial GLM, log link``, Wald with model-based SE:
  log RR +/- z sqrt(1/a - 1/n_a + 1/c - 1/n_b) (Katz et al., Biometrics 1978;34:469-74; for the
  saturated log-binomial model the model-based SE is exactly Katz's); p = Wald z.
* ``binomial GLM, log link``, profile likelihood (:func:`helpers.effects.risk_ratio`,
  ``method="profile"``); p = Wald z (what R's ``summary(glm)`` prints beside ``confint``).
* ``Poisson GLM, log link``, Wald with model-based SE sqrt(1/a + 1/c) (Poisson variance, too wide
  for binary data); p = Wald z, as R's ``summary(glm(y ~ x, family = poisson))``.
* ``Poisson GLM, log link``, robust sandwich SE, types HC0 (Zou, Am J Epidemiol 2004;159:702-6,
  "modified Poisson"; equals Katz), HC1 (x n/(n-2)) and HC3 (R ``sandwich::vcovHC`` default:
  each group's contribution x (n_g/(n_g-1))^2, the leverage being 1/n_g in the saturated model);
  p = Wald z with that SE.
* ``Poisson GLM, log link``, profile likelihood (R >= 4.4 ``confint(glm)``, MASS before): the
  interval of log RR where the profile deviance of the Poisson likelihood rises by chi2_1(level);
  the baseline rate is profiled out in closed form, lambda(theta) = (a + c) / (n_a e^theta + n_b);
  p = Wald z with the model-based SE.
* ``Poisson GLM, log link``, ``profile, R confint(glm)``: the same profile interval as R
  actually computes it, by sampling and spline interpolation (:func:`mass_profile_interval`); it
  differs from the exact profile bound in the 3rd-4th significant digit, enough to be told apart
  at two printed decimals for wide intervals (e.g. 27.78 exact vs 27.79 in R).
* ``2x2 (score)``: Miettinen-Nurminen score interval (:func:`helpers.effects.risk_ratio`,
  ``method="score"``) with its score-test p (statsmodels ``test_proportions_2indep``).

Odds ratio (logit link):

* ``logistic GLM``, Wald with model-based SE (Woolf); p = Wald z.
* ``logistic GLM``, robust sandwich HC0 (equals the model-based SE in the saturated model), HC1,
  HC3 (as above); p = Wald z with that SE.
* ``logistic GLM``, profile likelihood, exact (root of the profile deviance) and as R's
  ``confint(glm(..., family = binomial))`` computes it (sampled + spline); p = Wald z.
* ``conditional (exact)``: conditional MLE with the exact interval; p = Fisher exact.
* ``Firth penalised``: :func:`helpers.effects.odds_ratio` ``method="firth"``; p = penalised
  likelihood-ratio test (R ``logistf`` default), which for a 2x2 table is the likelihood-ratio test
  of the table with 0.5 added to every cell.

Every candidate also carries ``p_lr``, the likelihood-ratio p of its model (Poisson or binomial;
the binomial LR statistic is the same for the log and logit links).

Reference values in ``tests/fixtures/crude_models`` come from R 4.2.2 (``glm``, ``confint`` via
MASS, ``sandwich::vcovHC``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from numbers import Real

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import xlogy
from scipy.stats import chi2, fisher_exact, norm
from statsmodels.stats.proportion import test_proportions_2indep

from helpers import effects
from helpers.printed import agrees, as_printed
from helpers.validation import (check_level, check_callable, check_finite, check_positive, check_probability, check_reals,
                                check_two_by_two, check_whole, check_work)

__all__ = ["CrudeFit", "crude_fits", "crude_table", "match_printed", "poisson_profile_rr",
           "fmm_spline", "mass_profile_interval", "r_confint_glm"]


@dataclass(frozen=True)
class CrudeFit:
    """One candidate computation of a crude effect of group a versus group b.

    ``estimate``, ``ci_low``, ``ci_high`` on the ratio scale; ``p`` the two-sided p the software
    would print next to this interval (``p_method`` says which test); ``p_lr`` the
    likelihood-ratio p of the same model.
    """

    measure: str
    model: str
    interval: str
    estimate: float
    ci_low: float
    ci_high: float
    p: float
    p_method: str
    p_lr: float


def _z(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


def _wald(log_est, se, level):
    z = _z(level)
    return (math.exp(log_est), math.exp(log_est - z * se), math.exp(log_est + z * se),
            float(2 * norm.sf(abs(log_est / se))))


def _binomial_lr_p(a, na, c, nb) -> float:
    """LR test of p_a = p_b in the two-group binomial model (any link)."""
    b, d = na - a, nb - c
    p = (a + c) / (na + nb)
    sat = xlogy(a, a / na) + xlogy(b, b / na) + xlogy(c, c / nb) + xlogy(d, d / nb)
    null = xlogy(a + c, p) + xlogy(b + d, 1 - p)
    return float(chi2.sf(max(2 * (sat - null), 0.0), 1))


def _poisson_profile_loglik(theta, a, na, c, nb) -> float:
    """Poisson log-likelihood (up to a constant) at log RR ``theta``, baseline rate profiled out."""
    denom = na * math.exp(theta) + nb
    lam = (a + c) / denom
    return float(a * theta + xlogy(a + c, lam) - lam * denom)


def poisson_profile_rr(events_a, total_a, events_b, total_b, level: float = 0.95):
    """Risk ratio with the profile-likelihood interval of the Poisson GLM ``y ~ group`` (log link),
    as R's ``confint(glm(y ~ x, family = poisson))`` returns it.

    Returns ``(estimate, ci_low, ci_high, p_lr)``. Raises ValueError on invalid counts, a level
    outside (0, 1) or zero events in a group (the log RR is then infinite).
    """
    a, na, c, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    level = check_level(level)
    if a == 0 or c == 0:
        raise ValueError("events_a and events_b must both be positive for a Poisson risk ratio")
    theta = math.log((a / na) / (c / nb))
    top = _poisson_profile_loglik(theta, a, na, c, nb)
    cut = float(chi2.ppf(level, 1)) / 2

    def g(t):
        return top - _poisson_profile_loglik(t, a, na, c, nb) - cut

    se = math.sqrt(1 / a + 1 / c)
    bounds = []
    for direction in (-1.0, 1.0):
        step = direction * se
        x = theta + step
        while g(x) < 0:
            step *= 2
            x = theta + step
        lo, hi = sorted((theta, x))
        bounds.append(optimize.brentq(g, lo, hi, xtol=1e-13, rtol=1e-13))
    lr = 2 * (top - _poisson_profile_loglik(0.0, a, na, c, nb))
    return math.exp(theta), math.exp(bounds[0]), math.exp(bounds[1]), float(chi2.sf(max(lr, 0.0), 1))


# --------------------------------------------------------------------------- R's confint(glm)

def fmm_spline(x, y, xout):
    """Evaluate the cubic interpolating spline of Forsythe, Malcolm & Moler (Computer Methods for
    Mathematical Computations, 1977) through ``(x, y)`` at ``xout``: the end conditions match the
    third derivatives of the cubics through the first and last four points. A line-by-line port
    of ``fmm_spline`` and ``spline_eval`` in R's ``src/library/stats/src/splines.c`` (R's
    ``spline(method = "fmm")``, its default). ``x`` must be strictly increasing (n >= 2).
    """
    x = check_reals(x, "x", min_length=2)
    y = check_reals(y, "y", min_length=2)
    if isinstance(xout, Real) and not isinstance(xout, bool):
        xout = [xout]
    u = check_reals(xout, "xout")
    n = x.size
    if x.ndim != 1 or y.shape != x.shape or n < 2:
        raise ValueError("x and y must be 1-d arrays of the same length >= 2")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.all(np.diff(x) > 0)):
        raise ValueError("x must be finite and strictly increasing, y finite")
    b = np.zeros(n); c = np.zeros(n); d = np.zeros(n)  # noqa: E702
    if n < 3:
        b[:] = (y[1] - y[0]) / (x[1] - x[0])
    else:
        # 0-based translation of the 1-based C code
        d[0] = x[1] - x[0]
        c[1] = (y[1] - y[0]) / d[0]
        for i in range(1, n - 1):
            d[i] = x[i + 1] - x[i]
            b[i] = 2.0 * (d[i - 1] + d[i])
            c[i + 1] = (y[i + 1] - y[i]) / d[i]
            c[i] = c[i + 1] - c[i]
        b[0] = -d[0]
        b[n - 1] = -d[n - 2]
        c[0] = c[n - 1] = 0.0
        if n > 3:
            c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
            c[n - 1] = c[n - 2] / (x[n - 1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
            c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
            c[n - 1] = -c[n - 1] * d[n - 2] * d[n - 2] / (x[n - 1] - x[n - 4])
        for i in range(1, n):
            t = d[i - 1] / b[i - 1]
            b[i] = b[i] - t * d[i - 1]
            c[i] = c[i] - t * c[i - 1]
        c[n - 1] = c[n - 1] / b[n - 1]
        for i in range(n - 2, -1, -1):
            c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
        b[n - 1] = (y[n - 1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[n - 1])
        for i in range(n - 1):
            b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
            d[i] = (c[i + 1] - c[i]) / d[i]
            c[i] = 3.0 * c[i]
        c[n - 1] = 3.0 * c[n - 1]
        d[n - 1] = d[n - 2]
    idx = np.clip(np.searchsorted(x, u, side="right") - 1, 0, n - 1)
    dx = u - x[idx]
    return y[idx] + dx * (b[idx] + dx * (c[idx] + dx * d[idx]))


def mass_profile_interval(deviance_at, theta_hat: float, se: float, level: float = 0.95,
                          maxsteps: int = 10):
    """Profile-likelihood interval exactly as R's ``confint(glm)`` computes it (MASS
    ``profile.glm`` + ``confint.profile.glm``; moved unchanged into ``stats`` in R 4.4).

    The profile is *sampled*, not solved: with ``zmax = sqrt(qchisq(1 - (1 - level)/4, 1))`` and
    ``del = zmax / 5``, the signed root deviance ``z = sign * sqrt(deviance_at(theta) -
    deviance_at(theta_hat))`` is evaluated at ``theta_hat +/- k * del * se`` (k = 1, 2, ... while
    ``|z| < zmax`` and ``k < maxsteps``); an FMM cubic spline (:func:`fmm_spline`) through
    (theta, z) is evaluated at 3 x (number of points) equally spaced thetas, and the bounds are
    read off by linear interpolation of theta against z at z = +/- qnorm((1 + level)/2). The
    result therefore differs from the exact profile interval in the third or fourth significant
    digit -- a fingerprint of R. Returns ``(low, high)`` on the parameter (log) scale.
    """
    level = check_level(level)
    check_callable(deviance_at, "deviance_at")
    theta_hat = check_finite(theta_hat, "theta_hat")
    se = check_positive(se, "se")
    maxsteps = check_whole(maxsteps, "maxsteps", 2, 1000)
    zmax = math.sqrt(float(chi2.ppf(1 - (1 - level) / 4, 1)))
    step_size = zmax / 5
    dev0 = deviance_at(theta_hat)
    thetas, zs = [theta_hat], [0.0]
    for sgn in (-1.0, 1.0):
        step, z = 0, 0.0
        while True:
            step += 1
            if not (step < maxsteps and abs(z) < zmax):
                break
            bi = theta_hat + sgn * step * step_size * se
            zz = deviance_at(bi) - dev0
            if zz < -1e-3:
                raise ValueError("profiling found a better solution: the fit had not converged")
            z = sgn * math.sqrt(max(zz, 0.0))
            thetas.append(bi)
            zs.append(z)
    order = np.argsort(zs)
    zs_s = np.asarray(zs)[order]
    th_s = np.asarray(thetas)[order]
    grid = np.linspace(th_s.min(), th_s.max(), 3 * th_s.size)
    # spline(x = par.vals, y = z): x must be increasing, and z increases with theta
    sp_y = fmm_spline(th_s, zs_s, grid)
    cut = float(norm.ppf(0.5 + level / 2))
    o = np.argsort(sp_y)
    low, high = np.interp([-cut, cut], sp_y[o], grid[o], left=np.nan, right=np.nan)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("the sampled profile does not reach the cut-off (R would return NA)")
    return float(low), float(high)


def _logistic_profile_deviance(a, na, c, nb):
    """Profile deviance of the logistic model in log OR theta (intercept profiled out exactly)."""
    from scipy.special import expit

    b, d = na - a, nb - c

    def ll(alpha, theta):
        pa, pb = expit(alpha + theta), expit(alpha)
        return xlogy(a, pa) + xlogy(b, 1 - pa) + xlogy(c, pb) + xlogy(d, 1 - pb)

    def dev(theta):
        score = lambda al: a + c - na * expit(al + theta) - nb * expit(al)  # noqa: E731
        lo, hi = -60.0 - abs(theta), 60.0 + abs(theta)
        alpha = optimize.brentq(score, lo, hi, xtol=1e-14, rtol=1e-14)
        return -2 * ll(alpha, theta)

    return dev


def r_confint_glm(events_a, total_a, events_b, total_b, family: str, level: float = 0.95):
    """Ratio (RR for ``family="poisson"``, OR for ``"binomial"``) with the interval of R's
    ``exp(confint(glm(y ~ group, family = ...)))`` (:func:`mass_profile_interval`).

    Returns ``(estimate, ci_low, ci_high)``. Raises ValueError on invalid counts, an unknown
    family or a zero cell.
    """
    a, na, c, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    b, d = na - a, nb - c
    if family == "poisson":
        if a == 0 or c == 0:
            raise ValueError("events_a and events_b must both be positive")
        theta = math.log((a / na) / (c / nb))
        se = math.sqrt(1 / a + 1 / c)
        top = _poisson_profile_loglik(theta, a, na, c, nb)
        dev = lambda t: 2 * (top - _poisson_profile_loglik(t, a, na, c, nb))  # noqa: E731
    elif family == "binomial":
        if min(a, b, c, d) == 0:
            raise ValueError("every cell must be positive for a logistic profile interval")
        theta = math.log(a * d / (b * c))
        se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        dev = _logistic_profile_deviance(a, na, c, nb)
    else:
        raise ValueError(f"family must be 'poisson' or 'binomial', got {family!r}")
    lo, hi = mass_profile_interval(dev, theta, se, level)
    return math.exp(theta), math.exp(lo), math.exp(hi)


def _sandwich_var(group_var, na, nb, hc):
    """Robust variance of the group contrast from per-group HC0 variances (saturated model)."""
    va, vb = group_var
    if hc == "HC0":
        return va + vb
    if hc == "HC1":
        n = na + nb
        return (va + vb) * n / (n - 2)
    if hc == "HC3":
        return va * (na / (na - 1)) ** 2 + vb * (nb / (nb - 1)) ** 2
    raise ValueError(f"hc must be HC0, HC1 or HC3, got {hc!r}")


def crude_fits(events_a, total_a, events_b, total_b, level: float = 0.95) -> list[CrudeFit]:
    """Every candidate crude RR and OR of the module docstring for one 2x2 table.

    Raises ValueError on invalid counts (see :func:`helpers.validation.check_two_by_two`), a level
    outside (0, 1), or a zero cell (the crude ratios are then 0 or infinite: no candidate applies).
    """
    a, na, c, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    check_work(na + nb, effects.MAX_EXACT_N, "the crude models (one is the conditional exact OR)",
               "total_a + total_b")
    level = check_level(level)
    if min(a, na - a, c, nb - c) == 0:
        raise ValueError("every cell of the 2x2 table must be positive for the crude RR/OR candidates")
    return list(_crude_fits(int(a), int(na), int(c), int(nb), float(level)))


@lru_cache(maxsize=512)
def _crude_fits(a: int, na: int, c: int, nb: int, level: float) -> tuple[CrudeFit, ...]:
    """:func:`crude_fits` on validated counts, remembered: a pure function of the table and the
    level, and the audit, the chapters and the tests ask for the same tables again and again
    (each call fits several profile likelihoods). The fits are frozen dataclasses; the caller
    gets a new list each time."""
    b, d = na - a, nb - c
    pa, pb = a / na, c / nb
    p_lr_bin = _binomial_lr_p(a, na, c, nb)
    out: list[CrudeFit] = []

    # ---- risk ratio
    log_rr = math.log(pa / pb)
    se_katz = math.sqrt(1 / a - 1 / na + 1 / c - 1 / nb)
    est, lo, hi, p_w = _wald(log_rr, se_katz, level)
    out.append(CrudeFit("RR", "binomial GLM, log link", "Wald, model-based SE (= Katz)",
                        est, lo, hi, p_w, "Wald z", p_lr_bin))
    prof = effects.risk_ratio(a, na, c, nb, method="profile", level=level)
    out.append(CrudeFit("RR", "binomial GLM, log link", "profile likelihood", prof.estimate,
                        prof.ci_low, prof.ci_high, p_w, "Wald z (model-based SE)", p_lr_bin))
    score = effects.risk_ratio(a, na, c, nb, method="score", level=level)
    p_score = float(test_proportions_2indep(a, na, c, nb, compare="ratio", method="score").pvalue)
    out.append(CrudeFit("RR", "2x2 (no model)", "score (Miettinen-Nurminen)", score.estimate,
                        score.ci_low, score.ci_high, p_score, "score test", p_lr_bin))
    _, _, _, p_lr_pois = poisson_profile_rr(a, na, c, nb, level)
    se_pois = math.sqrt(1 / a + 1 / c)
    est, lo, hi, p_pois = _wald(log_rr, se_pois, level)
    out.append(CrudeFit("RR", "Poisson GLM, log link", "Wald, model-based SE", est, lo, hi,
                        p_pois, "Wald z", p_lr_pois))
    group_var = ((1 - pa) / a, (1 - pb) / c)
    for hc in ("HC0", "HC1", "HC3"):
        se = math.sqrt(_sandwich_var(group_var, na, nb, hc))
        est, lo, hi, p_r = _wald(log_rr, se, level)
        out.append(CrudeFit("RR", "Poisson GLM, log link", f"Wald, robust SE ({hc})", est, lo, hi,
                            p_r, f"Wald z ({hc})", p_lr_pois))
    est, lo, hi, _ = poisson_profile_rr(a, na, c, nb, level)
    out.append(CrudeFit("RR", "Poisson GLM, log link", "profile likelihood", est, lo, hi, p_pois,
                        "Wald z (model-based SE)", p_lr_pois))
    est, lo, hi = r_confint_glm(a, na, c, nb, "poisson", level)
    out.append(CrudeFit("RR", "Poisson GLM, log link", "profile, R confint(glm) (sampled + spline)",
                        est, lo, hi, p_pois, "Wald z (model-based SE)", p_lr_pois))

    # ---- odds ratio
    log_or = math.log(a * d / (b * c))
    se_woolf = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    est, lo, hi, p_w = _wald(log_or, se_woolf, level)
    out.append(CrudeFit("OR", "logistic GLM", "Wald, model-based SE (= Woolf)", est, lo, hi, p_w,
                        "Wald z", p_lr_bin))
    group_var = (1 / a + 1 / b, 1 / c + 1 / d)
    for hc in ("HC1", "HC3"):  # HC0 equals the model-based SE in the saturated logistic model
        se = math.sqrt(_sandwich_var(group_var, na, nb, hc))
        est, lo, hi, p_r = _wald(log_or, se, level)
        out.append(CrudeFit("OR", "logistic GLM", f"Wald, robust SE ({hc})", est, lo, hi, p_r,
                            f"Wald z ({hc})", p_lr_bin))
    prof = effects.odds_ratio(a, na, c, nb, method="profile", level=level)
    out.append(CrudeFit("OR", "logistic GLM", "profile likelihood", prof.estimate, prof.ci_low,
                        prof.ci_high, p_w, "Wald z (model-based SE)", p_lr_bin))
    est, lo, hi = r_confint_glm(a, na, c, nb, "binomial", level)
    out.append(CrudeFit("OR", "logistic GLM", "profile, R confint(glm) (sampled + spline)",
                        est, lo, hi, p_w, "Wald z (model-based SE)", p_lr_bin))
    exact = effects.odds_ratio(a, na, c, nb, method="exact", level=level)
    p_fisher = float(fisher_exact([[a, b], [c, d]]).pvalue)
    out.append(CrudeFit("OR", "conditional (exact)", "exact conditional", exact.estimate,
                        exact.ci_low, exact.ci_high, p_fisher, "Fisher exact", p_lr_bin))
    firth = effects.odds_ratio(a, na, c, nb, method="firth", level=level)
    p_firth = _binomial_lr_p(a + 0.5, na + 1.0, c + 0.5, nb + 1.0)
    out.append(CrudeFit("OR", "Firth penalised logistic", "profile penalised likelihood",
                        firth.estimate, firth.ci_low, firth.ci_high, p_firth,
                        "penalised likelihood ratio", p_lr_bin))
    return tuple(out)


def crude_table(events_a, total_a, events_b, total_b, level: float = 0.95) -> pd.DataFrame:
    """:func:`crude_fits` as a DataFrame (one row per candidate)."""
    return pd.DataFrame([asdict(f) for f in crude_fits(events_a, total_a, events_b, total_b, level)])


def match_printed(fits, estimate_printed, ci_low_printed, ci_high_printed, p_printed=None) -> pd.DataFrame:
    """Compare every candidate with a printed row under the tolerance rule of
    :mod:`helpers.printed` (rounding or truncation at the printed precision).

    ``fits`` is a list of :class:`CrudeFit` (or a :func:`crude_table` DataFrame); the printed
    values are texts such as ``"4.38"``, ``"1.24"``, ``"27.79"``, ``"0.04"`` (a ``<`` bound is
    read literally). Returns the candidates' table with columns ``estimate_ok``, ``ci_low_ok``,
    ``ci_high_ok``, ``p_ok`` (``p`` agrees), ``p_lr_ok`` (``p_lr`` agrees), ``ci_ok`` (estimate
    and both bounds) and ``all_ok`` (``ci_ok`` and ``p_ok``; ``p_ok`` is True when no p is given).
    Raises ValueError when ``fits`` is empty or a printed value cannot be parsed.
    """
    if isinstance(fits, pd.DataFrame):
        table = fits.copy()
    else:
        if isinstance(fits, (str, bytes)) or not isinstance(fits, Iterable):
            raise ValueError(f"fits must be a non-empty list of CrudeFit or a crude_table DataFrame, "
                             f"got {type(fits).__name__}")
        fits = list(fits)
        if not fits or not all(isinstance(f, CrudeFit) for f in fits):
            raise ValueError("fits must be a non-empty list of CrudeFit or a crude_table DataFrame")
        table = pd.DataFrame([asdict(f) for f in fits])
    if table.empty:
        raise ValueError("fits must not be empty")
    est_p = as_printed(estimate_printed, "estimate_printed")
    lo_p = as_printed(ci_low_printed, "ci_low_printed")
    hi_p = as_printed(ci_high_printed, "ci_high_printed")
    table["estimate_ok"] = [agrees(x, est_p) for x in table["estimate"]]
    table["ci_low_ok"] = [agrees(x, lo_p) for x in table["ci_low"]]
    table["ci_high_ok"] = [agrees(x, hi_p) for x in table["ci_high"]]
    if p_printed is None:
        table["p_ok"] = True
        table["p_lr_ok"] = True
    else:
        pp = as_printed(p_printed, "p_printed")
        table["p_ok"] = [agrees(x, pp) for x in table["p"]]
        table["p_lr_ok"] = [agrees(x, pp) for x in table["p_lr"]]
    table["ci_ok"] = table["estimate_ok"] & table["ci_low_ok"] & table["ci_high_ok"]
    table["all_ok"] = table["ci_ok"] & table["p_ok"]
    return table
