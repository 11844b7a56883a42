"""Check family ``crude-ratio``, ``ci-centre`` and ``ci-p``: estimates against their intervals, p-values
and printed counts (see :mod:`helpers.audit`)."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import pandas as pd
from scipy import stats

from helpers.crude_models import crude_fits, match_printed
from helpers.consistency import ci_centre_check, ci_p_check
from helpers.printed import Printed, as_printed, parse_interval, value_set

from helpers.audit.common import (_LOG_MEASURES, _contains, _core, _fmt_p, _g, _hair, _location_key,
                                  _missing, _or_list, _p, _p_consequence, _row, _s, _verbatim,
                                  _words)
from helpers.audit.pvalues import (_p_in_range)


# --------------------------------------------------------------------------- estimates

def _ci_bounds(e) -> tuple[Printed, Printed, str]:
    """The printed bounds, as the data reads them (with each bound's own printed precision)."""
    note = ""
    try:
        parsed = parse_interval(str(e.ci_printed))
        readings = parsed.readings
        pick = next((rd for rd in readings if math.isclose(rd[0].value, e.ci_low)
                     and math.isclose(rd[1].value, e.ci_high)), None)
        if pick is None:
            raise ValueError("no reading matches the data")
        if parsed.ambiguous:
            note = (f" (the CI printed as {_verbatim(str(e.ci_printed).strip())} is read as "
                    f"{e.ci_low:g} to {e.ci_high:g}; a minus sign may have been lost in print)")
        return pick[0], pick[1], note
    except ValueError:
        d = int(e.ci_decimals)
        return (as_printed(float(e.ci_low), "ci_low", d), as_printed(float(e.ci_high), "ci_high", d),
                note)


def _est_label(e) -> str:
    return e.item + (f" ({e.subgroup})" if _s(e.subgroup) else "") + \
        (f", {e.adjustment}" if _s(e.adjustment) and e.adjustment != "not_stated" else "")


def _scaled(printed: Printed, scale: str, mode: str) -> tuple[float, float]:
    vs = value_set(printed, mode)
    if scale == "log":
        return math.log(max(vs.low, 1e-300)), math.log(max(vs.high, 1e-300))
    return vs.low, vs.high


def _centre_ranges(est, lo, hi, scale: str, mode: str):
    """(centre range, estimate range) on the natural scale, every printed number read under
    ``mode`` (the arithmetic of :func:`helpers.consistency.ci_centre_check`)."""
    e1, e2 = _scaled(est, scale, mode)
    l1, l2 = _scaled(lo, scale, mode)
    h1, h2 = _scaled(hi, scale, mode)
    back = math.exp if scale == "log" else (lambda x: x)
    return (back((l1 + h1) / 2), back((l2 + h2) / 2)), (back(e1), back(e2))


def _implied_p_range(est, lo, hi, scale: str, level: float, mode: str, df: float | None = None):
    """Lowest and highest two-sided p implied by the CI (Altman & Bland 2011: SE from the CI width)
    over every true value of the printed estimate and bounds under ``mode``; with ``df`` the CI
    and the p use a t reference distribution with ``df`` degrees of freedom instead of the normal
    (the arithmetic of :func:`helpers.consistency.ci_p_check`)."""
    # stats.t.ppf(q, df) rather than a frozen stats.t(df): freezing builds a docstring each time
    if df is None:
        ppf, sf = stats.norm.ppf, stats.norm.sf
    else:
        ppf, sf = functools.partial(stats.t.ppf, df=df), functools.partial(stats.t.sf, df=df)
    crit = float(ppf(0.5 + level / 2))
    e1, e2 = _scaled(est, scale, mode)
    l1, l2 = _scaled(lo, scale, mode)
    h1, h2 = _scaled(hi, scale, mode)
    abs_min = 0.0 if e1 <= 0 <= e2 else min(abs(e1), abs(e2))
    abs_max = max(abs(e1), abs(e2))
    se_max, se_min = (h2 - l1) / (2 * crit), (h1 - l2) / (2 * crit)
    z_min = abs_min / se_max
    z_max = math.inf if se_min <= 0 else abs_max / se_min
    return float(2 * sf(z_max)), float(2 * sf(z_min))


def _t_df_that_fit(est, lo, hi, scale, level, pp: Printed) -> tuple[int, int] | None:
    """The smallest and largest degrees of freedom (whole numbers up to 10^6) for which a t
    reference distribution would make the CI and the printed p agree; None when none does. Used
    only for a near miss in which the normal reference gives too small a p: the implied p then
    grows as the degrees of freedom fall, so the fitting values form one run, found by a scan of
    1 to 200 and a bisection above."""
    def fits(df):
        return _p_in_range(*_implied_p_range(est, lo, hi, scale, level, "either", df), pp)
    small = [df for df in range(1, 201) if fits(df)]
    if not small:
        return None
    top = small[-1]
    if top == 200:
        lo_df, hi_df = 200, 10 ** 6
        if fits(hi_df):
            return small[0], hi_df
        while hi_df - lo_df > 1:
            mid = (lo_df + hi_df) // 2
            lo_df, hi_df = (mid, hi_df) if fits(mid) else (lo_df, mid)
        top = lo_df
    return small[0], top


def _df_span(dfs: tuple[int, int]) -> str:
    a, b = dfs
    if a == b:
        return f"{a} degree{'s' if a > 1 else ''} of freedom"
    return f"{a} to {b} degrees of freedom"


# --------------------------------------------------------------------------- crude ratios

#: subgroup labels that mean the whole comparison (no subset of the arms)
_WHOLE = frozenset({"", "entire cohort", "all patients", "overall", "all", "whole cohort"})


def _crude_counts(e, props: pd.DataFrame, arm_labels: dict):
    """The printed counts behind an unadjusted OR or RR: for each of its two compared arms, the
    proportions row (no category, count and total printed) of the same study whose item, as
    words, contains or is contained in the estimate's item, from the first location that has both
    arms. None when the subgroup is a subset of the arms or no such rows exist."""
    sub = _s(e.subgroup).strip().lower()
    if sub not in _WHOLE and sub not in arm_labels.get(e.study, set()):
        return None
    if sub and sub not in _WHOLE:
        return None
    arms = str(e.comparison).split("|")
    if len(arms) != 2:
        return None
    words = _core(_words(e.item))
    cand = props[(props["study"] == e.study) & props["category"].isna() & props["count"].notna()
                 & props["total"].notna() & props["arm"].isin(arms)]
    for loc in sorted(cand["location"].unique(), key=_location_key):
        g = cand[cand["location"] == loc]
        g = g[[_contains(_core(_words(i)), words) or _contains(words, _core(_words(i)))
               for i in g["item"]]]
        rows = [g[g["arm"] == a] for a in arms]
        if all(len(r) == 1 for r in rows) and g["item"].nunique() == 1:
            return [(int(r["count"].iloc[0]), int(r["total"].iloc[0]), r["id"].iloc[0]) for r in rows], loc
    return None


def _crude_rows(pkg: Mapping, out: list) -> dict:
    """``crude-ratio``: an unadjusted OR or RR recomputed from the printed counts under every
    candidate model of :mod:`helpers.crude_models`. Returns {estimate id: the reproducing
    candidates (a DataFrame, maybe empty)}, used by the ci-centre and ci-p rows."""
    found = {}
    ests, props = pkg["estimates"], pkg["proportions"]
    labels = {}
    for st, lab, arm in zip(pkg["arms"]["study"], pkg["arms"]["label"], pkg["arms"]["arm"]):
        labels.setdefault(st, set()).update({_s(lab).lower(), _s(arm).lower()})
    for e in ests.itertuples(index=False):
        if e.measure not in ("OR", "RR") or e.adjustment != "unadjusted" or _missing(e.ci_low):
            continue
        hit = _crude_counts(e, props, labels)
        if hit is None:
            continue
        ((a, na, _), (c, nb, _)), loc = hit
        try:
            fits = crude_fits(a, na, c, nb)  # remembered per table by helpers.crude_models
        except ValueError:
            continue
        lo, hi, _ = _ci_bounds(e)
        pp = _s(e.p_printed) or None
        m = match_printed(list(fits), str(e.estimate_printed), lo.text.strip(), hi.text.strip(), pp)
        ok = m[m["all_ok"]]
        found[e.id] = ok
        label = _est_label(e)
        reported = f"{e.measure} {e.estimate_printed} ({e.ci_printed})" + (f", p {pp}" if pp else "")
        first = m.drop_duplicates("measure").set_index("measure")["estimate"]
        recomputed = (f"counts {a}/{na} vs {c}/{nb} ({loc}): crude RR {_g(first.get('RR', math.nan))}, "
                      f"crude OR {_g(first.get('OR', math.nan))}")
        same = ok[ok["measure"] == e.measure]
        other = ok[ok["measure"] != e.measure]
        tried = (f"{len(m)} candidate computations (risk ratios from 2×2 tables, log-binomial and "
                 "Poisson models; odds ratios from logistic, exact conditional and Firth models; "
                 "Wald, robust, score and profile-likelihood intervals)")
        if not same.empty:
            verdict, basis = "consistent", _candidates(same)
            detail = (f"From the printed counts, {basis} reproduce"
                      f"{'s' if len(same.groupby(['measure', 'model'])) == 1 else ''} "
                      f"the printed {e.measure}, its CI" + (" and p" if pp else "") + ".")
        elif not other.empty:
            verdict, basis = "explained", _candidates(other)
            detail = (f"No {e.measure} computed from the printed counts reproduces the printed "
                      f"estimate and CI" + (" and p" if pp else "") + f", but {basis} does: the "
                      f"column is headed {e.measure}, the number is {'an odds' if other['measure'].iloc[0] == 'OR' else 'a risk'} ratio.")
        else:
            verdict, basis = "inconsistent", f"tried: {tried}"
            parts = [n for n, col in (("the estimate", "estimate_ok"), ("the lower bound", "ci_low_ok"),
                                      ("the upper bound", "ci_high_ok")) if m[col].any()]
            detail = (f"None of {tried} reproduces the printed {e.measure}, its CI"
                      + (" and p" if pp else "") + " together"
                      + (f" ({_or_list(parts)} alone is matched by some candidate)" if parts else "")
                      + ".")
        cons = "none"
        r0 = m[m["measure"] == e.measure]
        if verdict == "inconsistent" and not r0.empty:
            r0 = r0.iloc[0]
            if (r0["estimate"] > 1) != (float(e.estimate) > 1):
                cons = "direction"
            elif (r0["ci_low"] > 1 or r0["ci_high"] < 1) != (lo.value > 1 or hi.value < 1):
                cons = "CI crosses the null"
        _row(out, e.study, e.location, label, "crude-ratio", reported, recomputed, verdict, detail,
             basis, cons)
    return found


def _candidates(ok: pd.DataFrame) -> str:
    """The reproducing candidates in words: 'the odds ratio of a logistic GLM (profile
    likelihood; Wald, model-based SE)'."""
    parts = []
    for (measure, model), g in ok.groupby(["measure", "model"], sort=False):
        what = "the odds ratio" if measure == "OR" else "the risk ratio"
        parts.append(f"{what} of a {model} ({'; '.join(dict.fromkeys(g['interval']))})")
    return _or_list(parts)


def _asymmetric(ok: pd.DataFrame) -> pd.DataFrame:
    """The candidates whose interval is not a Wald interval (profile likelihood, score, exact)."""
    return ok[~ok["interval"].str.contains("Wald")]


def _estimate_rows(ests, out, crude: dict | None = None) -> None:
    crude = crude or {}
    # locations whose crude ratios are reproduced only by asymmetric (non-Wald) intervals
    profile_locs = {}
    for e in ests.itertuples(index=False):
        ok = crude.get(e.id)
        if ok is not None and not ok.empty and not _asymmetric(ok).empty \
                and _asymmetric(ok).equals(ok):
            profile_locs.setdefault((e.study, e.location, e.measure, e.adjustment), []).append(e.item)
    for e in ests.itertuples(index=False):
        label = _est_label(e)
        scale = "log" if e.measure in _LOG_MEASURES else "linear"
        has_ci = not _missing(e.ci_low) and not _missing(e.ci_high)
        has_p = _s(e.p_printed) != ""
        if not has_ci:
            if has_p:
                _row(out, e.study, e.location, label, "ci-p", e.p_printed, "", "unverifiable",
                     f"No CI is printed for this {e.measure}, so the p cannot be checked against it.")
            continue
        est = as_printed(str(e.estimate_printed), "estimate_printed")
        lo, hi, note = _ci_bounds(e)
        level = 0.95 if _missing(e.ci_level) else float(e.ci_level)
        reported = f"{e.measure} {e.estimate_printed} ({e.ci_printed})"
        try:
            cc = ci_centre_check(est, lo, hi, scale)
        except ValueError as exc:  # the estimate outside its CI, or bounds in the wrong order
            why = str(exc).split(" (")[0] if "outside" not in str(exc) else \
                f"the estimate {est.text} lies outside its CI {lo.text} to {hi.text}"
            _row(out, e.study, e.location, label, "ci-centre", reported, "", "inconsistent",
                 f"The printed numbers cannot belong together: {why}, even allowing for printed "
                 f"precision{note}.", "tried: the estimate against its interval", "direction"
                 if (lo.value - (1.0 if scale == "log" else 0.0)) * (est.value - (1.0 if scale == "log" else 0.0)) < 0
                 else "none")
            if has_p:
                _row(out, e.study, e.location, label, "ci-p", e.p_printed, "", "unverifiable",
                     "The estimate is not inside its CI (see ci-centre), so no p can be derived "
                     "from them.")
            continue
        # the interval as the book writes it ("lo to hi", never "lo–hi": "−1.73 to −0.22")
        c_detail = cc.detail.replace(f"of {lo.text}–{hi.text} is", f"of {lo.text} to {hi.text} is")
        c_detail = c_detail[:-1] + note + "."
        (c1, c2), (r1, r2) = _centre_ranges(est, lo, hi, scale, "round")
        if cc.verdict == "consistent" and (c2 < r1 or c1 > r2):
            c_detail += (" It fits only by truncation of some printed numbers (not by rounding all "
                         "of them).")
        elif cc.verdict == "inconsistent":
            c_detail += _hair(*cc.centre_range, est, "the centre lies at", fmt=_g)
        ok = crude.get(e.id)
        c_verdict, c_basis, c_cons = cc.verdict, "", "none"
        inside = lo.value < est.value < hi.value
        peers = profile_locs.get((e.study, e.location, e.measure, e.adjustment), [])
        if cc.verdict == "inconsistent" and ok is not None and not _asymmetric(ok).empty:
            c_verdict = "explained"
            c_basis = f"an asymmetric interval: {_candidates(_asymmetric(ok))}"
            c_detail += (f" The printed counts reproduce it with {_candidates(_asymmetric(ok))} "
                         "(see crude-ratio): asymmetric by design, not an error.")
        elif cc.verdict == "inconsistent" and ok is None and inside and peers:
            c_verdict = "explained"
            c_basis = ("an asymmetric (profile-likelihood) interval, as the crude rows of the same "
                       f"table ({', '.join(dict.fromkeys(peers))}) are reproduced only by such intervals")
            c_detail += (f" The crude rows of this table ({', '.join(dict.fromkeys(peers))}) are "
                         "reproduced from their counts only by asymmetric intervals (see crude-ratio); "
                         "this one has no printed counts, so that reading cannot be confirmed here.")
        elif cc.verdict == "inconsistent":
            try:
                p_seen = as_printed(str(e.p_printed), "p_printed") if has_p else None
            except ValueError:
                p_seen = None
            if p_seen is not None and not 0 < p_seen.value < 1:
                p_seen = None
            c_cons = _ci_consequence(est, lo, hi, scale, p_seen, level)
        _row(out, e.study, e.location, label, "ci-centre", reported,
             f"{'geometric' if scale == 'log' else 'arithmetic'} centre {_g(cc.centre)} "
             f"(range {_g(cc.centre_range[0])} to {_g(cc.centre_range[1])})",
             c_verdict, c_detail, c_basis, c_cons)
        if has_p:
            pp = _p(e.p_printed)
            cp = ci_p_check(est, lo, hi, pp, scale, level)
            p_detail = cp.detail[:-1] + note + "."
            if cp.verdict == "consistent":
                if not _p_in_range(*_implied_p_range(est, lo, hi, scale, level, "round"), pp, "round"):
                    p_detail += (" It agrees only by truncation of some printed numbers (not by "
                                 "rounding all of them).")
            else:
                hair = _hair(*cp.p_range, pp, "the CI implies p =")
                if hair:
                    dfs = _t_df_that_fit(est, lo, hi, scale, level, pp)
                    if dfs:
                        hair += (f" A CI and p from a t distribution with {_df_span(dfs)} (instead "
                                 "of the normal) would fit.")
                p_detail += hair
            p_verdict, p_basis, p_cons = cp.verdict, "", "none"
            if cc.verdict == "inconsistent":
                p_detail += (f" The interval is not symmetric about the estimate on the "
                             f"{'log' if scale == 'log' else 'linear'} scale (see ci-centre), so it "
                             "is not a Wald-type interval and the p it implies is only approximate: "
                             "this comparison is not evidence of an error.")
            if cp.verdict == "inconsistent" and ok is not None and not ok.empty:
                p_verdict, p_basis = "explained", f"the p beside {_candidates(ok)}"
                p_detail += (f" From the printed counts, {_candidates(ok)} gives this p with "
                             "this interval (see crude-ratio).")
            elif cp.verdict == "inconsistent" and c_verdict == "explained":
                b_lo, b_hi = _half_interval_p_range(est, lo, hi, scale, level)
                bracket = f"{_fmt_p(b_lo)} to {_fmt_p(b_hi)}"
                if _p_in_range(b_lo, b_hi, pp):
                    p_verdict = "explained"
                    p_basis = ("a Wald p beside an asymmetric interval: between the p-values its "
                               f"two halves imply ({bracket})")
                    p_detail += (f" Read as a Wald p beside an asymmetric interval, it lies between "
                                 f"the p-values implied by the interval's lower and upper halves "
                                 f"({bracket}, allowing for printed precision).")
                else:
                    p_verdict, p_cons = "inconsistent", _p_consequence((b_lo, b_hi), pp)
                    p_basis = f"tried: the whole interval and each of its halves ({bracket})"
                    p_detail += (f" Even read as a Wald p beside an asymmetric interval, it is "
                                 f"outside the p-values the interval's two halves imply ({bracket}).")
            elif cp.verdict == "inconsistent":
                p_cons = _p_consequence(cp.p_range, pp)
            _row(out, e.study, e.location, label, "ci-p", e.p_printed,
                 f"p = {_fmt_p(cp.p)} (range {_fmt_p(cp.p_range[0])} to {_fmt_p(cp.p_range[1])})",
                 p_verdict, p_detail, p_basis, p_cons)


def _half_interval_p_range(est, lo, hi, scale: str, level: float) -> tuple[float, float]:
    """Lowest and highest two-sided Wald p implied by either half of an asymmetric interval (SE
    from estimate minus lower bound, or upper bound minus estimate, over the critical value),
    every printed number ranging over its true values. A Wald p printed beside a profile-likelihood
    interval lies between them when the profile is as skewed as the interval suggests."""
    crit = float(stats.norm.ppf(0.5 + level / 2))
    ps = []
    for e in _scaled(est, scale, "either"):
        for lv in _scaled(lo, scale, "either"):
            for hv in _scaled(hi, scale, "either"):
                for half in (e - lv, hv - e):
                    if half > 0:
                        ps.append(float(2 * stats.norm.sf(abs(e) / (half / crit))))
    return (min(ps), max(ps)) if ps else (0.0, 1.0)


def _ci_consequence(est: Printed, lo: Printed, hi: Printed, scale: str, p=None,
                    level: float = 0.95) -> str:
    """"CI crosses the null" when an interval symmetric about the estimate (on its scale) through
    either printed bound would contain the null value where the printed one does not, or the
    reverse; else "none". When a printed p (``p``, a :class:`Printed`) agrees with the Wald p of
    only one of the two repairs (within 10% or at its printed precision), that repair alone is
    judged: the p then says which bound is the odd one out."""
    from helpers.printed import agrees

    null = 1.0 if scale == "log" else 0.0
    tr = (math.log, math.exp) if scale == "log" else ((lambda x: x), (lambda x: x))
    if scale == "log" and min(est.value, lo.value, hi.value) <= 0:
        return "none"
    e, l, h = (tr[0](x.value) for x in (est, lo, hi))
    z = float(stats.norm.ppf(0.5 + level / 2))
    repairs = [(l, 2 * e - l), (2 * e - h, h)]
    if p is not None:
        def fits(kept):
            se = abs(e - kept) / z
            if se <= 0:
                return False
            implied = float(2 * stats.norm.sf(abs(e - tr[0](null)) / se))
            return agrees(implied, p) or (implied > 0 and abs(math.log(implied / p.value)) < 0.1)
        fitting = [r for r, kept in zip(repairs, (l, h)) if fits(kept)]
        if len(fitting) == 1:
            repairs = fitting
    excludes = not (lo.value <= null <= hi.value)
    for a, b in repairs:
        a, b = sorted((tr[1](a), tr[1](b)))
        if (not (a <= null <= b)) != excludes:
            return "CI crosses the null"
    return "none"


def run(pkg, arm_n: dict, out: list, state: dict) -> None:
    """Registry entry: crude ratios first, then the centre and CI-p checks that use them."""
    crude = _crude_rows(pkg, out)
    _estimate_rows(pkg["estimates"], out, crude)
