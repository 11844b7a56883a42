"""Appraisal arithmetic: E-values, standardised mean differences, GRADE certainty, absolute effects.

* **E-values** (VanderWeele TJ, Ding P. Sensitivity analysis in observational research: introducing
  the E-value. *Ann Intern Med* 2017;167:268-74). The E-value is the minimum strength of
  association, on the risk-ratio scale, that an unmeasured confounder would need to have with both
  the treatment and the outcome, conditional on the measured covariates, to fully explain away an
  observed risk ratio. For RR > 1, E = RR + √(RR·(RR − 1)); for RR < 1 the formula is applied to
  1/RR. For the confidence interval the E-value is computed for the limit nearer the null; when
  the interval includes 1 it is 1 (no confounding is needed to move the interval to the null).
  Hazard ratios of a rare outcome and odds ratios of a rare outcome (< 15 %) are used as risk
  ratios; an odds ratio of a *common* outcome is first converted with the authors' square-root
  approximation RR ≈ √OR, and a hazard ratio of a common outcome with
  RR ≈ (1 − 0.5^√HR) / (1 − 0.5^√(1/HR)) (VanderWeele & Ding 2017, Table; VanderWeele 2017
  *Biometrics* 73:1139).
* **Standardised mean differences** for covariate balance (Austin PC. Balance diagnostics for
  comparing the distribution of baseline covariates between treatment groups in propensity-score
  matched samples. *Stat Med* 2009;28:3083-107): for a binary covariate
  d = (p₁ − p₂) / √((p₁(1 − p₁) + p₂(1 − p₂)) / 2), for a continuous one
  d = (m₁ − m₂) / √((s₁² + s₂²) / 2). Where a paper prints only a median and IQR, the mean is
  approximated by the median and the SD by IQR / 1.35 (the normal-distribution approximation of
  Wan X et al., *BMC Med Res Methodol* 2014;14:135), and the result is flagged as approximate.
  |d| < 0.1 is the usual threshold for adequate balance (Austin 2009).
* **GRADE certainty** (Guyatt GH et al. GRADE guidelines, *J Clin Epidemiol* 2011;64:383-415 and
  the GRADE Handbook): four levels (high, moderate, low, very low); evidence from observational
  studies starts at *low*; each of five domains (risk of bias, inconsistency, indirectness,
  imprecision, publication bias) rates down by 0, 1 or 2 levels; large effect, dose–response and
  plausible residual confounding that would reduce the effect rate up by 0, 1 or 2 (upgrading is
  allowed only when nothing was rated down, GRADE guidelines 9, Guyatt 2011;64:1311). The floor
  is very low and the ceiling high. :func:`imprecision_levels` applies the GRADE rule of thumb
  for a ratio (Guyatt et al. GRADE guidelines 6, *J Clin Epidemiol* 2011;64:1283): rate down once
  when the CI includes no effect and an appreciable effect (default thresholds RR 0.75 and 1.25),
  twice when it includes appreciable benefit *and* appreciable harm, and once when the interval
  is narrow but the total number of events is below the optimal-information-size rule of thumb
  of 300.
* **Absolute effects per 1000** for a Summary of Findings table (Cochrane Handbook, chapter 14):
  the corresponding risk with the intervention = assumed risk × RR (with its CI limits), per 1000
  patients; for odds ratios use :mod:`helpers.absolute_risk`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from helpers.validation import (check_ci, check_count, check_count_le_total, check_finite, check_positive,
                                check_probability, check_whole)

__all__ = [
    "EValue", "evalue_point", "evalue", "smd_binary", "smd_continuous", "smd_from_median_iqr",
    "CERTAINTY", "DOWNGRADE_DOMAINS", "UPGRADE_DOMAINS", "Certainty", "grade_certainty",
    "imprecision_levels", "per_1000", "evalue_table",
]

MEASURES = ("RR", "HR", "OR")


@dataclass(frozen=True)
class EValue:
    """E-values of one ratio estimate, on the risk-ratio scale.

    ``rr``, ``rr_low``, ``rr_high``: the estimate and CI on the risk-ratio scale (after the
    conversion named in ``conversion``); ``point``: E-value of the estimate; ``ci``: E-value of the
    confidence limit nearer the null (1 when the CI includes 1, ``None`` without a CI);
    ``direction``: "harmful" (RR > 1), "protective" (RR < 1) or "null" (RR = 1).
    """

    measure: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    rare: bool
    conversion: str
    rr: float
    rr_low: float | None
    rr_high: float | None
    point: float
    ci: float | None
    direction: str


def evalue_point(rr) -> float:
    """E-value of a risk ratio: RR + √(RR(RR − 1)) for RR ≥ 1, applied to 1/RR for RR < 1."""
    rr = check_positive(rr, "rr")
    if rr < 1:
        rr = 1.0 / rr
    return rr + math.sqrt(rr * (rr - 1.0))


def _to_rr(value: float, measure: str, rare: bool) -> float:
    if measure == "RR" or rare:
        return value
    if measure == "OR":
        return math.sqrt(value)
    return (1.0 - 0.5 ** math.sqrt(value)) / (1.0 - 0.5 ** math.sqrt(1.0 / value))  # HR, common


def evalue(estimate, ci_low=None, ci_high=None, *, measure: str = "RR", rare: bool | None = None) -> EValue:
    """E-values (VanderWeele & Ding 2017) of a ratio estimate and of its CI limit nearer the null.

    ``measure`` is "RR", "HR" or "OR". ``rare`` says whether the outcome is rare (< 15 %): it
    must be given for "OR" and "HR" (a rare-outcome OR or HR is used as a risk ratio; a common one
    is converted, OR by √OR, HR by (1 − 0.5^√HR)/(1 − 0.5^√(1/HR))), and is ignored for "RR".
    ``ci_low`` and ``ci_high`` are given together or not at all. Raises ``ValueError`` naming the
    argument for non-positive or non-finite values, limits in the wrong order or not around the
    estimate, an unknown measure, or a missing ``rare``.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    if measure == "RR":
        rare = False if rare is None else rare
    elif rare is None:
        raise ValueError(f"rare must be True or False for measure {measure} (is the outcome below 15%?)")
    if not isinstance(rare, bool):
        raise ValueError(f"rare must be True or False, got {rare!r}")
    estimate = check_positive(estimate, "estimate")
    if (ci_low is None) != (ci_high is None):
        raise ValueError("ci_low and ci_high must be given together")
    if ci_low is not None:
        check_ci(estimate, ci_low, ci_high, ratio=True)
        ci_low, ci_high = float(ci_low), float(ci_high)
    if measure == "RR" or rare:
        conversion = "none (used as a risk ratio" + ("; rare outcome)" if measure != "RR" else ")")
    elif measure == "OR":
        conversion = "RR ≈ √OR (common outcome; VanderWeele & Ding 2017)"
    else:
        conversion = "RR ≈ (1 − 0.5^√HR)/(1 − 0.5^√(1/HR)) (common outcome; VanderWeele & Ding 2017)"
    rr = _to_rr(estimate, measure, rare)
    lo = _to_rr(ci_low, measure, rare) if ci_low is not None else None
    hi = _to_rr(ci_high, measure, rare) if ci_high is not None else None
    direction = "harmful" if rr > 1 else ("protective" if rr < 1 else "null")
    ci_e = None
    if lo is not None:
        if lo <= 1.0 <= hi:
            ci_e = 1.0
        else:
            ci_e = evalue_point(lo if rr > 1 else hi)
    return EValue(measure=measure, estimate=estimate, ci_low=ci_low, ci_high=ci_high, rare=rare,
                  conversion=conversion, rr=rr, rr_low=lo, rr_high=hi, point=evalue_point(rr),
                  ci=ci_e, direction=direction)


# ------------------------------------------------------------------------------------------------
# standardised mean differences
# ------------------------------------------------------------------------------------------------

def smd_binary(count_a, total_a, count_b, total_b) -> float:
    """Standardised difference of two proportions (Austin 2009, eq. for a dichotomous variable):
    (p_a − p_b) / √((p_a(1 − p_a) + p_b(1 − p_b)) / 2); 0 when both groups are all-or-none alike.
    Raises ``ValueError`` for counts above totals, negative or non-integer counts, zero totals."""
    ka, na = check_count_le_total(count_a, total_a, "count_a", "total_a")
    kb, nb = check_count_le_total(count_b, total_b, "count_b", "total_b")
    if na == 0:
        raise ValueError("total_a must be positive")
    if nb == 0:
        raise ValueError("total_b must be positive")
    pa, pb = ka / na, kb / nb
    pooled = (pa * (1 - pa) + pb * (1 - pb)) / 2.0
    if pooled == 0.0:
        if pa == pb:
            return 0.0
        return math.copysign(math.inf, pa - pb)
    return (pa - pb) / math.sqrt(pooled)


def smd_continuous(mean_a, sd_a, mean_b, sd_b) -> float:
    """Standardised mean difference (Austin 2009): (m_a − m_b) / √((s_a² + s_b²) / 2).
    Raises ``ValueError`` for non-finite means, negative SDs, or two zero SDs."""
    ma, mb = check_finite(mean_a, "mean_a"), check_finite(mean_b, "mean_b")
    sa, sb = check_finite(sd_a, "sd_a"), check_finite(sd_b, "sd_b")
    if sa < 0:
        raise ValueError(f"sd_a must not be negative, got {sd_a!r}")
    if sb < 0:
        raise ValueError(f"sd_b must not be negative, got {sd_b!r}")
    for name, sd in (("sd_a", sa), ("sd_b", sb)):
        if sd > 1e150:  # its square would overflow; no covariate has such a spread
            raise ValueError(f"{name} must be at most 1e150, got {sd!r}")
    pooled = math.sqrt((sa ** 2 + sb ** 2) / 2.0)
    if pooled == 0:
        raise ValueError("sd_a and sd_b are both zero: the standardised difference is undefined")
    return (ma - mb) / pooled


def smd_from_median_iqr(median_a, q1_a, q3_a, median_b, q1_b, q3_b) -> float:
    """Approximate standardised difference from medians and IQRs: mean ≈ median,
    SD ≈ IQR / 1.35 (Wan et al. 2014, normal data); then :func:`smd_continuous`.
    Raises ``ValueError`` when a quartile is outside the order q1 ≤ median ≤ q3."""
    for name, (lo, mid, hi) in {"a": (q1_a, median_a, q3_a), "b": (q1_b, median_b, q3_b)}.items():
        lo, mid, hi = (check_finite(lo, f"q1_{name}"), check_finite(mid, f"median_{name}"),
                       check_finite(hi, f"q3_{name}"))
        if not lo <= mid <= hi:
            raise ValueError(f"median_{name} must lie within [q1_{name}, q3_{name}], got {mid} and [{lo}, {hi}]")
    return smd_continuous(median_a, (q3_a - q1_a) / 1.35, median_b, (q3_b - q1_b) / 1.35)


# ------------------------------------------------------------------------------------------------
# GRADE
# ------------------------------------------------------------------------------------------------

#: GRADE levels, lowest first, with their symbols and words
CERTAINTY = (
    ("very low", "⊕◯◯◯"),
    ("low", "⊕⊕◯◯"),
    ("moderate", "⊕⊕⊕◯"),
    ("high", "⊕⊕⊕⊕"),
)
DOWNGRADE_DOMAINS = ("risk of bias", "inconsistency", "indirectness", "imprecision", "publication bias")
UPGRADE_DOMAINS = ("large effect", "dose-response", "residual confounding")
_LEVELS = [name for name, _ in CERTAINTY]


@dataclass(frozen=True)
class Certainty:
    """A GRADE rating: ``level`` (word), ``symbols`` (⊕/◯), the starting level, and the reasons:
    ``down`` and ``up`` map a domain to (levels, reason) for every domain that moved the rating."""

    level: str
    symbols: str
    start: str
    down: tuple[tuple[str, int, str], ...]
    up: tuple[tuple[str, int, str], ...]

    @property
    def label(self) -> str:
        """Symbols and words, e.g. "⊕◯◯◯ Very low"."""
        return f"{self.symbols} {self.level.capitalize()}"

    def reasons(self) -> str:
        """One sentence per domain that moved the rating, e.g. "Risk of bias −1: ..."."""
        parts = [f"{d.capitalize()} −{n}: {r}" for d, n, r in self.down if n]
        parts += [f"{d.capitalize()} +{n}: {r}" for d, n, r in self.up if n]
        return "; ".join(parts) if parts else "not rated down or up"


def _domain_moves(moves, allowed, name):
    if moves is None:
        return ()
    if not isinstance(moves, Mapping):
        raise ValueError(f"{name} must map a domain to (levels, reason), got {type(moves).__name__}")
    out = []
    for domain, value in moves.items():
        if domain not in allowed:
            raise ValueError(f"{name}: unknown domain {domain!r} (one of {', '.join(allowed)})")
        if not (isinstance(value, tuple) and len(value) == 2):
            raise ValueError(f"{name}[{domain!r}] must be a (levels, reason) pair, got {value!r}")
        levels, reason = value
        top = 3 if domain == "risk of bias" else 2  # GRADE guidance 18: critical ROBINS-I → 3 levels
        if isinstance(levels, bool) or not isinstance(levels, int) or not 0 <= levels <= top:
            raise ValueError(f"{name}[{domain!r}]: levels must be a whole number from 0 to {top}, got {levels!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{name}[{domain!r}]: every rating needs a stated reason")
        out.append((domain, levels, reason.strip()))
    return tuple(out)


def grade_certainty(start: str = "low", down=None, up=None) -> Certainty:
    """GRADE certainty of a body of evidence for one outcome.

    ``start``: "high" for randomised trials, "low" for observational studies (the default).
    ``down``: {domain of :data:`DOWNGRADE_DOMAINS`: (levels 0–2, reason)}; ``up``: the same for
    :data:`UPGRADE_DOMAINS`. Rating up is refused (``ValueError``) when anything was rated down,
    as GRADE allows upgrading only evidence without serious limitations. The result never falls
    below very low nor rises above high.
    """
    if start not in _LEVELS:
        raise ValueError(f"start must be one of {', '.join(_LEVELS)}, got {start!r}")
    down_t = _domain_moves(down, DOWNGRADE_DOMAINS, "down")
    up_t = _domain_moves(up, UPGRADE_DOMAINS, "up")
    n_down = sum(n for _, n, _ in down_t)
    n_up = sum(n for _, n, _ in up_t)
    if n_down and n_up:
        raise ValueError("up: evidence rated down may not be rated up (GRADE guidelines 9)")
    index = min(max(_LEVELS.index(start) - n_down + n_up, 0), len(_LEVELS) - 1)
    name, symbols = CERTAINTY[index]
    return Certainty(level=name, symbols=symbols, start=start, down=down_t, up=up_t)


def imprecision_levels(ci_low, ci_high, *, events=None, thresholds=(0.75, 1.25), ois_events: int = 300) -> int:
    """GRADE imprecision for a ratio with CI [ci_low, ci_high]: 2 when the CI includes both an
    appreciable benefit (below ``thresholds[0]``) and an appreciable harm (above
    ``thresholds[1]``); 1 when it includes no effect (1) and one appreciable effect, or when it
    is narrow but fewer than ``ois_events`` events were observed (``events`` given); else 0."""
    lo, hi = check_positive(ci_low, "ci_low"), check_positive(ci_high, "ci_high")
    ois_events = check_whole(ois_events, "ois_events", 1, 10**6)
    if events is not None:
        events = check_count(events, "events")
    if lo > hi:
        raise ValueError(f"ci_low must not exceed ci_high, got {lo} and {hi}")
    if not (isinstance(thresholds, tuple) and len(thresholds) == 2 and 0 < thresholds[0] < 1 < thresholds[1]):
        raise ValueError(f"thresholds must be a pair (below 1, above 1), got {thresholds!r}")
    if lo < thresholds[0] and hi > thresholds[1]:
        return 2
    if lo <= 1 <= hi and (lo < thresholds[0] or hi > thresholds[1]):
        return 1
    if events is not None:
        if events < ois_events:
            return 1
    return 0


def per_1000(assumed_risk, rr, rr_low, rr_high) -> tuple[int, int, int, int]:
    """Assumed risk and the corresponding risk (with its CI) per 1000, from a risk ratio:
    (assumed, corresponding, low, high), each rounded to whole patients and capped at 1000."""
    p0 = check_probability(assumed_risk, "assumed_risk")
    if rr is None:
        raise ValueError("rr must be a risk ratio, got None")
    rr, rr_low, rr_high = check_ci(rr, rr_low, rr_high, ratio=True, names=("rr", "rr_low", "rr_high"))

    def cap(x):
        return int(round(min(1000.0, 1000.0 * x)))

    return cap(p0), cap(p0 * rr), cap(p0 * rr_low), cap(p0 * rr_high)


def evalue_table(estimates, *, rare=False):
    """E-values of every adjusted ratio (OR, RR, HR with a CI) of the package's estimates table.

    ``estimates`` is ``load_package()["estimates"]``; rows repeating the same study, comparison,
    subgroup, measure and numbers (an abstract restating a table) are kept once, the first.
    ``rare``: whether the outcomes of odds and hazard ratios are rare (< 15 %): one bool for all
    rows, or a mapping from row id to bool (rows not in it count as common). Columns: ``id``,
    ``study``, ``location``, ``item``, ``subgroup``, ``comparison``, ``measure``, ``estimate``,
    ``ci_low``, ``ci_high``, ``conversion``, ``rr``, ``e_point``, ``e_ci``, ``direction``.
    """
    import pandas as pd

    if not isinstance(estimates, pd.DataFrame) or not {"id", "measure", "adjustment", "estimate"} <= set(estimates.columns):
        raise ValueError("estimates must be the estimates table of helpers.data.load_package()")
    if not isinstance(rare, (bool, Mapping)):
        raise ValueError(f"rare must be True, False or a mapping of row id to bool, got {rare!r}")
    est = estimates.reset_index() if "id" not in estimates.columns else estimates
    rows = est[(est["adjustment"] == "adjusted") & est["measure"].isin(MEASURES)
               & est["ci_low"].notna() & est["ci_high"].notna()]
    rows = rows.drop_duplicates(subset=["study", "comparison", "subgroup", "measure", "estimate",
                                        "ci_low", "ci_high"])
    out = []
    for r in rows.itertuples(index=False):
        is_rare = rare.get(r.id, False) if isinstance(rare, Mapping) else rare
        e = evalue(float(r.estimate), float(r.ci_low), float(r.ci_high), measure=str(r.measure),
                   rare=None if r.measure == "RR" else bool(is_rare))
        out.append({"id": r.id, "study": r.study, "location": r.location, "item": r.item,
                    "subgroup": r.subgroup, "comparison": r.comparison, "measure": r.measure,
                    "estimate": e.estimate, "ci_low": e.ci_low, "ci_high": e.ci_high, "conversion": e.conversion,
                    "rr": e.rr, "e_point": e.point, "e_ci": e.ci, "direction": e.direction})
    return pd.DataFrame(out)
