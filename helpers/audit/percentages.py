"""Check family ``percent``, ``percent-reachable`` and ``arm-sum``: percentages against counts and
denominators, and categories against their arm (see :mod:`helpers.audit`)."""

from __future__ import annotations

import math

import pandas as pd

from helpers.consistency import candidate_counts, candidate_totals, percent_check
from helpers.printed import value_set

from helpers.audit.common import (_hair, _missing, _pct, _row, _s)


# --------------------------------------------------------------------------- percentages

def _percent_rows(props: pd.DataFrame, arm_n: dict, out: list) -> dict:
    """``percent`` and ``percent-reachable``; returns {row id: tuple of possible counts} used by
    the p-value checks (a printed count, or the counts a printed percentage allows)."""
    possible = {}
    for r in props.itertuples(index=False):
        count, total, pct = r.count, r.total, r.percent
        if _missing(total) and r.total_basis == "arm" and not _missing(arm_n.get((r.study, r.arm))):
            total = arm_n[(r.study, r.arm)]
        has_c, has_t, has_p = not _missing(count), not _missing(total), not _missing(pct)
        if has_c:
            possible[r.id] = (int(count),) if has_t else ()
        if not has_p:
            continue
        printed = _pct(pct, r.percent_decimals)
        if has_c and has_t:
            res = percent_check(int(count), int(total), printed)
            detail = res.detail
            if res.verdict == "inconsistent":
                detail += _hair(res.exact, res.exact, printed, f"{int(count)}/{int(total)} =",
                                fmt=lambda x: f"{x:.{printed.decimals + 2}f}%")
                near = [n for _, n in candidate_totals(printed, count=int(count),
                                                       min_total=max(1, int(count), int(total) - 25),
                                                       max_total=int(total) + 25)]
                near = sorted(near, key=lambda n: (abs(n - int(total)), n))[:3]
                if near:
                    detail = detail[:-1] + (f"; {int(count)} out of a total of "
                                            f"{', '.join(str(n) for n in sorted(near))} would also fit.")
            how = f" ({res.how})" if res.how else ""
            _row(out, r.study, r.location, _label(r), "percent", r.printed,
                 f"{int(count)}/{int(total)} = {res.exact:.3f}%{how}", res.verdict, detail)
        elif has_t:
            t = int(total)
            ks = candidate_counts(t, printed)
            possible[r.id] = tuple(ks)
            basis = "the arm size" if r.total_basis == "arm" else "the stated total"
            if ks:
                which = ", ".join(f"{k}/{t} = {100 * k / t:.3f}%" for k in ks)
                _row(out, r.study, r.location, _label(r), "percent-reachable", r.printed,
                     f"counts out of {t}: {', '.join(str(k) for k in ks)}", "consistent",
                     f"No count is printed; out of {basis} {t}, {which} prints as {printed.text}.")
            else:
                below = max(k for k in range(t + 1) if 100 * k / t < printed.value) \
                    if printed.value > 0 else None
                near = (f" (the nearest are {below}/{t} = {100 * below / t:.2f}% and {below + 1}/{t} = "
                        f"{100 * (below + 1) / t:.2f}%)" if below is not None and below < t else "")
                _row(out, r.study, r.location, _label(r), "percent-reachable", r.printed,
                     f"no count out of {t}", "inconsistent",
                     f"No count out of {basis} {t} gives {printed.text}%{near}.")
        else:
            totals = []
            for top in (100, 1000):  # the smallest totals are usually small: search those first
                fits = candidate_totals(printed, count=int(count) if has_c else None, max_total=top)
                totals = sorted({n for _, n in fits})[:5]
                if len(totals) == 5:
                    break
            shown = ", ".join(str(n) for n in totals) if totals else "none up to 1000"
            what = f"{int(count)} out of" if has_c else "a count out of"
            _row(out, r.study, r.location, _label(r), "percent-reachable", r.printed,
                 f"smallest totals: {shown}", "unverifiable",
                 f"The total is not printed; {what} {shown} (the smallest totals) would give "
                 f"{printed.text}%.")
    return possible


def _label(r) -> str:
    """A proportions row's label: the printed item, its category and (in brackets) the arm."""
    item = _s(r.item)
    cat = _s(getattr(r, "category", ""))
    return (f"{item}: {cat}" if cat else item) + f" ({_s(r.arm)})"


def _arm_sum_rows(props: pd.DataFrame, arm_n: dict, out: list) -> None:
    cat = props[props["category"].notna()]
    for (study, location, item, arm), g in cat.groupby(["study", "location", "item", "arm"], sort=False):
        if len(g) < 2:
            continue
        totals = {int(t) for t in g["total"].dropna()}
        total = totals.pop() if len(totals) == 1 else arm_n.get((study, arm))
        total = None if _missing(total) else int(total)
        label = f"{item} ({arm})"
        reported = "; ".join(_s(x) for x in g["printed"])
        counts_ok = None
        parts = []
        if g["count"].notna().all() and total is not None:
            s = int(g["count"].sum())
            counts_ok = "equal" if s == total else ("over" if s > total else "under")
            parts.append(f"counts sum to {s} of {total}")
        pct_ok = None
        if g["percent"].notna().all():
            sets = [value_set(_pct(p, d)) for p, d in zip(g["percent"], g["percent_decimals"])]
            lo, hi = sum(v.low for v in sets), sum(v.high for v in sets)
            pct_ok = lo <= 100 + 1e-9 and (hi > 100 or math.isclose(hi, 100))
            parts.append(f"percentages sum to {g['percent'].sum():.1f} (true values {lo:.2f} to {hi:.2f})")
        if counts_ok is None and pct_ok is None:
            continue
        recomputed = "; ".join(parts)
        if counts_ok == "over":
            verdict, detail = "inconsistent", (f"The {len(g)} categories add up to more patients than "
                                               f"the {total} in the arm, which is impossible unless a "
                                               "patient can be in more than one category.")
        elif counts_ok == "under":
            verdict, detail = "unverifiable", (f"The {len(g)} categories account for "
                                               f"{int(g['count'].sum())} of {total} patients; the "
                                               "printed categories may not be exhaustive.")
        elif pct_ok is False and counts_ok == "equal":
            verdict, detail = "inconsistent", ("The counts add up to the arm size but the printed "
                                               "percentages cannot add up to 100 at their precision.")
        elif pct_ok is False:
            verdict, detail = "unverifiable", ("The printed percentages cannot add up to 100; the "
                                               "categories may not be exhaustive.")
        else:
            verdict = "consistent"
            detail = ("The categories add up to the arm size and their percentages to 100 within "
                      "printed precision." if counts_ok == "equal" else
                      "The percentages of the categories add up to 100 within printed precision.")
        _row(out, study, location, label, "arm-sum", reported, recomputed, verdict, detail)


def run(pkg, arm_n: dict, out: list, state: dict) -> None:
    """Registry entry: percentages first, so that the p-value checks can use the counts that
    printed percentages allow (``state["possible"]``)."""
    state["possible"] = _percent_rows(pkg["proportions"], arm_n, out)
    _arm_sum_rows(pkg["proportions"], arm_n, out)
