"""Reporting consistency: do a paper's numbers agree with each other at their printed precision?

Every check here uses the one tolerance rule of :mod:`helpers.printed`: a printed number stands
for every true value that rounds **or** truncates to it at its printed decimals; ``< x`` is read
literally. Checks that combine several printed numbers (estimate and CI bounds) use *interval
arithmetic*: each printed number is replaced by its whole set of possible true values and the
check passes when some combination of true values satisfies it. No fixed tolerance is ever added.

* :func:`percent_check`, :func:`candidate_counts`, :func:`candidate_totals`: a printed percentage
  against a count and a total, the GRIM idea (Brown & Heathers, Soc Psychol Personal Sci 2017;
  8:363-9) applied to proportions.
* :func:`ci_centre_check`: is the estimate at the centre of its CI (geometric centre on the log
  scale for ratios, arithmetic centre for differences)?
* :func:`p_from_ci`, :func:`ci_p_check`: the p-value a CI implies (Altman & Bland, How to obtain
  the P value from a confidence interval, BMJ 2011;343:d2304; companion of d2090), compared with the
  printed p.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from helpers.printed import Printed, ValueSet, as_printed, how_agrees, value_set
from helpers.validation import check_work, check_level, check_count, check_count_le_total, check_finite, check_total

#: largest max_total of candidate_totals (every total up to it is tried)
MAX_CANDIDATE_TOTAL = 50_000

__all__ = [
    "PercentCheck",
    "CentreCheck",
    "CIPCheck",
    "percent_check",
    "candidate_counts",
    "candidate_totals",
    "ci_centre_check",
    "p_from_ci",
    "ci_p_check",
]


@dataclass(frozen=True)
class PercentCheck:
    """Result of :func:`percent_check`. ``how`` is ``rounding``, ``truncation``, ``both`` or None;
    ``candidates`` the counts out of ``total`` that would print as the percentage."""

    count: int
    total: int
    printed: Printed
    exact: float
    verdict: str
    how: str | None
    candidates: tuple[int, ...]
    detail: str


@dataclass(frozen=True)
class CentreCheck:
    """Result of :func:`ci_centre_check` (ranges allow for the printed precision of all numbers)."""

    scale: str
    verdict: str
    centre: float
    centre_range: tuple[float, float]
    estimate_range: tuple[float, float]
    symmetric_high: float
    symmetric_high_range: tuple[float, float]
    symmetric_low: float
    symmetric_low_range: tuple[float, float]
    position: float
    detail: str


@dataclass(frozen=True)
class CIPCheck:
    """Result of :func:`ci_p_check`."""

    scale: str
    verdict: str
    se: float
    z: float
    p: float
    p_range: tuple[float, float]
    printed_p: Printed
    detail: str


def _fmt(x: float, sig: int = 3) -> str:
    if not math.isfinite(x) or abs(x) < 1000:
        return f"{x:.{sig}g}"
    return f"{x:.0f}"


def _percent_printed(printed_percent, decimals, name="printed_percent") -> Printed:
    p = as_printed(printed_percent, name, decimals)
    if p.relation == "=":
        if p.negative or p.value < 0:
            raise ValueError(f"{name} must not be negative, got {p.text!r}")
        if p.value > 100:
            raise ValueError(f"{name} must not exceed 100, got {p.text!r}")
    return p


# --------------------------------------------------------------------------- percentages

def candidate_counts(total, printed_percent, *, decimals=None, mode: str = "either") -> list[int]:
    """Counts ``k`` in 0..``total`` whose percentage 100·k/total prints as ``printed_percent``
    (by rounding or truncation, per ``mode``). ``printed_percent`` is the printed text, a
    :class:`Printed`, or a number with ``decimals``."""
    total = check_total(total, "total")
    p = _percent_printed(printed_percent, decimals)
    vs = value_set(p, mode)
    lo = 0 if vs.low == -math.inf else max(0, math.floor(vs.low * total / 100) - 1)
    hi = total if vs.high == math.inf else min(total, math.ceil(vs.high * total / 100) + 1)
    return [k for k in range(lo, hi + 1) if vs.contains(100 * k / total)]


def candidate_totals(printed_percent, count=None, min_total: int = 1, max_total: int = 1000, *,
                     decimals=None, mode: str = "either") -> list[tuple[int, int]]:
    """Pairs ``(count, total)`` with ``min_total <= total <= max_total`` whose percentage prints as
    ``printed_percent``; when ``count`` is given only that count is considered. Useful when a paper
    prints a percentage without its denominator."""
    p = _percent_printed(printed_percent, decimals)
    min_total = check_total(min_total, "min_total")
    max_total = check_total(max_total, "max_total")
    check_work(max_total, MAX_CANDIDATE_TOTAL, "the totals tried", "max_total")
    if max_total < min_total:
        raise ValueError(f"max_total ({max_total}) is below min_total ({min_total})")
    if count is not None:
        count = check_count(count, "count")
    out = []
    for n in range(max(min_total, count or 1), max_total + 1):
        ks = candidate_counts(n, p, mode=mode)
        if count is None:
            out.extend((k, n) for k in ks)
        elif count in ks:
            out.append((count, n))
    return out


def percent_check(count, total, printed_percent, *, decimals=None) -> PercentCheck:
    """Is the printed percentage reachable as 100·count/total at its printed precision?

    ``printed_percent`` is the printed text (``"59.3"``, ``"17.1 %"``), a :class:`Printed`, or a
    number with ``decimals`` (the printed decimals, e.g. from the data package). Verdict
    ``consistent`` when rounding or truncation explains it (``how`` says which), else
    ``inconsistent``, with the counts that would have fitted in ``candidates`` and ``detail``.
    """
    count, total = check_count_le_total(count, total, "count", "total")
    p = _percent_printed(printed_percent, decimals)
    exact = 100 * count / total
    how = how_agrees(exact, p)
    cands = tuple(candidate_counts(total, p))
    shown = p.text.strip()
    if how is not None:
        verdict = "consistent"
        if how == "both":
            detail = f"{count}/{total} = {exact:.4g}%, which prints as {shown} by rounding or truncation."
        elif how == "rounding":
            detail = f"{count}/{total} = {exact:.4g}%, which prints as {shown} by rounding."
        else:
            detail = (f"{count}/{total} = {exact:.4g}%, which prints as {shown} only by truncation "
                      f"(rounding gives {exact:.{p.decimals}f}).")
    else:
        verdict = "inconsistent"
        if cands:
            which = ", ".join(str(k) for k in cands)
            detail = (f"{count}/{total} = {exact:.4g}%, which does not print as {shown}; "
                      f"a count of {which} out of {total} would.")
        else:
            lower = max((k for k in range(total + 1) if 100 * k / total < p.value), default=None)
            near = (f" (the nearest are {lower}/{total} = {100 * lower / total:.4g}% and "
                    f"{lower + 1}/{total} = {100 * (lower + 1) / total:.4g}%)"
                    if lower is not None and lower < total else "")
            detail = (f"{count}/{total} = {exact:.4g}%, which does not print as {shown}; "
                      f"no count out of {total} gives {shown}{near}.")
    return PercentCheck(count, total, p, exact, verdict, how, cands, detail)


# --------------------------------------------------------------------------- estimate vs CI

def _scale(scale) -> str:
    if scale not in ("log", "linear"):
        raise ValueError(f"scale must be 'log' (ratios: OR, RR, HR) or 'linear' (differences), got {scale!r}")
    return scale


def _three(estimate, ci_low, ci_high, scale, *, need_estimate=True):
    est = None if (estimate is None and not need_estimate) else as_printed(estimate, "estimate")
    lo = as_printed(ci_low, "ci_low")
    hi = as_printed(ci_high, "ci_high")
    for p, name in ((est, "estimate"), (lo, "ci_low"), (hi, "ci_high")):
        if p is not None and p.relation != "=":
            raise ValueError(f"{name} must be a plain number, not a bound ({p.text!r})")
    if lo.value > hi.value:
        raise ValueError(f"ci_low ({lo.text}) is above ci_high ({hi.text}): CI bounds in the wrong order")
    if scale == "log":
        for p, name in ((est, "estimate"), (lo, "ci_low"), (hi, "ci_high")):
            if p is not None and p.value <= 0 and value_set(p).high <= 0:
                raise ValueError(f"{name} must be positive on the log scale (a ratio), got {p.text!r}")
    if est is not None:
        e, l_, h = value_set(est), value_set(lo), value_set(hi)
        if e.high < l_.low or e.low > h.high:
            raise ValueError(f"estimate ({est.text}) lies outside its CI [{lo.text}, {hi.text}] "
                             "even allowing for printed precision")
    return est, lo, hi


def _g(x: float, scale: str) -> float:
    """Transform to the analysis scale (log for ratios), clamping printed zeros just above 0."""
    if scale == "log":
        return math.log(max(x, 1e-300))
    return x


def _ginv(x: float, scale: str) -> float:
    return math.exp(x) if scale == "log" else x


def _range(vs: ValueSet, scale: str) -> tuple[float, float]:
    lo, hi = vs.low, vs.high
    if scale == "log":
        lo = max(lo, 1e-300)
    return _g(lo, scale), _g(hi, scale)


def ci_centre_check(estimate, ci_low, ci_high, scale: str = "log") -> CentreCheck:
    """Is the estimate at the centre of its CI, allowing for the printed precision of all three?

    On the ``log`` scale (OR, RR, HR) the centre is the geometric mean √(low·high); on the
    ``linear`` scale (differences) the arithmetic mean. Each argument may be the printed text (its
    precision is then known: pass text whenever you can), a :class:`Printed`, or a number (read at
    the decimals of its shortest representation). Every true value compatible with the three
    printed numbers (rounding or truncation) is considered: the check is ``consistent`` when the
    range of possible centres overlaps the range of possible estimates. Also returned: the upper
    bound that would make the CI symmetric about the estimate given the lower bound
    (high = est²/low on the log scale, 2·est − low on the linear scale), the lower bound given the
    upper, both with their ranges, and ``position``: where the estimate sits in the CI on the
    analysis scale (0 = lower bound, 0.5 = centre, 1 = upper bound).

    Symmetry holds for Wald-type intervals; profile-likelihood, exact or bootstrap intervals may be
    legitimately asymmetric, so an ``inconsistent`` verdict says "not a Wald interval about this
    estimate", not "wrong".
    """
    scale = _scale(scale)
    est, lo, hi = _three(estimate, ci_low, ci_high, scale)
    e1, e2 = _range(value_set(est), scale)
    l1, l2 = _range(value_set(lo), scale)
    h1, h2 = _range(value_set(hi), scale)
    ge, gl, gh = _g(max(est.value, 1e-300) if scale == "log" else est.value, scale), \
        _g(lo.value, scale), _g(hi.value, scale)
    c_rng = ((l1 + h1) / 2, (l2 + h2) / 2)
    centre = _ginv((gl + gh) / 2, scale)
    ok = not (c_rng[1] < e1 or c_rng[0] > e2)
    sym_hi = _ginv(2 * ge - gl, scale)
    sym_hi_rng = (_ginv(2 * e1 - l2, scale), _ginv(2 * e2 - l1, scale))
    sym_lo = _ginv(2 * ge - gh, scale)
    sym_lo_rng = (_ginv(2 * e1 - h2, scale), _ginv(2 * e2 - h1, scale))
    position = (ge - gl) / (gh - gl) if gh > gl else 0.5
    kind = "geometric (log-scale)" if scale == "log" else "arithmetic"
    c_lo, c_hi = _ginv(c_rng[0], scale), _ginv(c_rng[1], scale)
    if ok:
        detail = (f"The {kind} centre of {lo.text}–{hi.text} is {_fmt(centre)} (between {_fmt(c_lo, 4)} and "
                  f"{_fmt(c_hi, 4)} allowing for printed precision), compatible with the estimate {est.text}.")
        verdict = "consistent"
    else:
        detail = (f"The {kind} centre of {lo.text}–{hi.text} is {_fmt(centre)} (between {_fmt(c_lo, 4)} and "
                  f"{_fmt(c_hi, 4)} allowing for printed precision), not the estimate {est.text}; a CI "
                  f"symmetric about {est.text} with lower bound {lo.text} would end at {_fmt(sym_hi)}, "
                  f"or with upper bound {hi.text} would start at {_fmt(sym_lo)}.")
        verdict = "inconsistent"
    return CentreCheck(scale, verdict, centre, (c_lo, c_hi), (_ginv(e1, scale), _ginv(e2, scale)),
                       sym_hi, sym_hi_rng, sym_lo, sym_lo_rng, position, detail)


# --------------------------------------------------------------------------- CI vs p

def _zcrit(level) -> float:
    level = check_level(level)
    return float(stats.norm.ppf(0.5 + level / 2))


def p_from_ci(estimate, ci_low, ci_high, scale: str = "log", level: float = 0.95) -> tuple[float, float, float]:
    """SE, z and two-sided p implied by a CI (Altman & Bland, BMJ 2011;343:d2304).

    On the analysis scale (natural log for ratios), SE = (high − low) / (2·z_crit) with
    z_crit = 1.959964 for a 95% CI; z = estimate / SE; p = 2·(1 − Φ(|z|)). We use the exact normal
    tail rather than Altman & Bland's approximation exp(−0.717·z − 0.416·z²). The SE comes from the
    CI *width* only, so it does not depend on where the estimate sits in the interval; if
    ``estimate`` is None, the CI centre is used as the estimate.
    """
    scale = _scale(scale)
    zc = _zcrit(level)
    est, lo, hi = (check_finite(x, n) if x is not None else None
                   for x, n in ((estimate, "estimate"), (ci_low, "ci_low"), (ci_high, "ci_high")))
    if lo is None or hi is None:
        raise ValueError("ci_low and ci_high are required")
    if lo >= hi:
        raise ValueError(f"ci_low ({lo}) must be below ci_high ({hi})")
    if est is not None and not lo <= est <= hi:
        raise ValueError(f"estimate ({est}) lies outside its CI [{lo}, {hi}]")
    if scale == "log":
        for v, n in ((est, "estimate"), (lo, "ci_low"), (hi, "ci_high")):
            if v is not None and v <= 0:
                raise ValueError(f"{n} must be positive on the log scale (a ratio), got {v}")
    gl, gh = _g(lo, scale), _g(hi, scale)
    ge = (gl + gh) / 2 if est is None else _g(est, scale)
    se = (gh - gl) / (2 * zc)
    z = ge / se
    p = float(2 * stats.norm.sf(abs(z)))
    return se, z, p


def ci_p_check(estimate, ci_low, ci_high, printed_p, scale: str = "log", level: float = 0.95) -> CIPCheck:
    """Does the printed p agree with the p implied by the estimate and its CI?

    Uses :func:`p_from_ci` over every combination of true values compatible with the printed
    estimate and bounds (interval arithmetic: the smallest |z| comes from the smallest |estimate|
    and the widest CI, the largest |z| from the largest |estimate| and the narrowest CI), giving
    the range of implied p. The printed p (``0.019``, ``< 0.001``) is consistent when its own set
    of true values (the rule of :mod:`helpers.printed`) meets that range. The implied p assumes a
    Wald (normal) interval; papers using t-based or profile intervals can differ slightly.
    """
    scale = _scale(scale)
    zc = _zcrit(level)
    est, lo, hi = _three(estimate, ci_low, ci_high, scale)
    pp = as_printed(printed_p, "printed_p")
    if pp.relation == "=" and not (0 < pp.value <= 1) and not (pp.value == 0 and pp.decimals > 0):
        raise ValueError(f"printed_p must lie in (0, 1], got {pp.text!r}")
    if pp.relation in ("<", "≤") and not (0 < pp.value <= 1):
        raise ValueError(f"printed_p bound must lie in (0, 1], got {pp.text!r}")
    if hi.value <= lo.value:
        raise ValueError(f"ci_low ({lo.text}) must be below ci_high ({hi.text}) to imply an SE")
    se, z, p = p_from_ci(est.value, lo.value, hi.value, scale, level)
    e1, e2 = _range(value_set(est), scale)
    l1, l2 = _range(value_set(lo), scale)
    h1, h2 = _range(value_set(hi), scale)
    abs_min = 0.0 if e1 <= 0 <= e2 else min(abs(e1), abs(e2))
    abs_max = max(abs(e1), abs(e2))
    se_max = (h2 - l1) / (2 * zc)
    se_min = (h1 - l2) / (2 * zc)
    z_min = abs_min / se_max
    z_max = math.inf if se_min <= 0 else abs_max / se_min
    p_lo = float(2 * stats.norm.sf(z_max))
    p_hi = float(2 * stats.norm.sf(z_min))
    ps = value_set(pp)
    ok = not (ps.high < p_lo or ps.low > p_hi)
    if ok and pp.relation == "<" and p_lo >= ps.high:
        ok = False
    if ok and pp.relation == ">" and p_hi <= ps.low:
        ok = False
    verdict = "consistent" if ok else "inconsistent"
    detail = (f"The CI implies SE = {_fmt(se)} on the {'log' if scale == 'log' else 'linear'} scale, "
              f"z = {z:.2f}, p = {_fmt(p)} (between {_fmt(p_lo)} and {_fmt(p_hi)} allowing for printed "
              f"precision); the printed p {pp.text.strip()} {'agrees' if ok else 'does not agree'}.")
    return CIPCheck(scale, verdict, se, z, p, (p_lo, p_hi), pp, detail)
