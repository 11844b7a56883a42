"""Check family ``p-fisher``, ``p-chisq``, ``p-chisq-yates``, ``p-rxc-*``, ``p-rule``, ``p-ttest01``,
``p-ttest``, ``p-median`` and ``p-model``: printed p-values of comparisons against the tests the
printed counts or summaries allow (see :mod:`helpers.audit`)."""

from __future__ import annotations

import itertools
import math


from helpers.printed import Printed, agrees, as_printed, value_set
from helpers.pvalues import categorical_pvalues, ordinal_ttest_pvalues, ttest_pvalues

from helpers.audit.common import (_MAX_COMBINATIONS, _RXC_NAMES, _TEST_NAMES, _cap, _fmt_p, _gap,
                                  _hair, _missing, _or_list, _p, _p_consequence, _row, _s)


# --------------------------------------------------------------------------- p-values

def _allowed(stated: str, shape2: bool) -> tuple[str, ...]:
    if stated == "fisher":
        return ("fisher",)
    if stated == "chisq":
        return ("chisq", "chisq_yates") if shape2 else ("chisq",)
    return ("fisher", "chisq", "chisq_yates") if shape2 else ("fisher", "chisq")


def _check_name(test: str, shape2: bool) -> str:
    base = {"fisher": "fisher", "chisq": "chisq", "chisq_yates": "chisq-yates"}[test]
    return f"p-{base}" if shape2 else f"p-rxc-{base}"


def _categorical_row(c, groups: list, out: list, inferred: bool = False) -> None:
    """``groups``: per arm, a dict category -> tuple of possible counts, and the arm total;
    ``inferred``: some counts were inferred from printed percentages."""
    pp = _p(c.p_printed)
    cats = sorted({k for g, _ in groups for k in g}, key=str)
    binary = cats == [""]
    # the categories in printed order (the data keeps the paper's order), coded 0, 1, 2, ...
    printed_order = list(dict.fromkeys(k for g, _ in groups for k in g))
    # every combination of possible counts (inferred counts may leave several)
    options = []
    for g, total in groups:
        per_cat = [g.get(k, (0,)) for k in cats]
        combos = [combo for combo in itertools.product(*per_cat)]
        if binary:
            options.append([(combo[0], total - combo[0]) for combo in combos])
        else:  # the patients in no printed category form one more column (dropped when empty)
            options.append([tuple(combo) + (total - sum(combo),)
                            for combo in combos if sum(combo) <= total])
    n_comb = math.prod(len(o) for o in options)
    if n_comb == 0 or n_comb > _MAX_COMBINATIONS:
        _row(out, c.study, c.location, c.item, "p-model", c.p_printed, "", "unverifiable",
             "The counts behind this p are not printed and too many counts fit the percentages.")
        return
    results = []
    for table in itertools.product(*options):
        try:
            results.append((table, categorical_pvalues([list(t) for t in table])))
        except ValueError:
            continue
    if not results:
        _row(out, c.study, c.location, c.item, "p-model", c.p_printed, "", "unverifiable",
             "The table of counts has fewer than two non-empty rows or columns, so no test applies.")
        return
    table0, res0 = results[0]
    shape2 = res0["shape"] == (2, 2)
    names = _TEST_NAMES if shape2 else _RXC_NAMES
    allowed = _allowed(c.test_stated, shape2)
    rule = res0["rule_test"] if c.test_stated == "chisq_or_fisher" else None
    # which tests reproduce the p for some compatible table
    repro = [t for t in res0["p"] if any(agrees(r["p"][t], pp) for _, r in results)]
    # the one table shown: the first reproducing one for the preferred test, else the first
    preferred = [t for t in ([rule] if rule else []) + list(allowed) if t in repro]
    test = preferred[0] if preferred else (rule or allowed[0])
    table, res = next(((tb, r) for tb, r in results if agrees(r["p"][test], pp)), results[0])
    # t-tests on the codes (not a test for categorical data; recognised, never counted as one)
    codes_t, t_tried = _codes_ttest(results, cats, printed_order, binary, pp)
    if binary:
        cells = " vs ".join(f"{row[0]}/{sum(row)}" for row in table)
    else:
        keep = [j for j in range(len(table[0])) if any(row[j] for row in table)]
        cells = " vs ".join("/".join(str(row[j]) for j in keep) for row in table)
    ps = ", ".join(f"{t} {_fmt_p(res['p'][t])}" for t in res["p"])
    recomputed = f"{names[test]} p = {_fmt_p(res['p'][test])} ({ps}; counts {cells})"
    src = " using counts inferred from the printed percentages" if inferred else ""
    who = ", ".join(names[t] for t in repro) if repro else "no candidate test"
    ok = bool(preferred)
    # truncation only: no allowed test reproduces the p by rounding, for any compatible table
    by_trunc = ok and not any(agrees(r["p"][t], pp, "round") for t in preferred for _, r in results)
    tried = [names[t] for t in res0["p"]]
    if t_tried:
        tried.append(f"a t-test (Student's or Welch's) on {t_tried}")
    none_of = f"none of {_or_list(tried)} reproduces it"
    if ok:
        how = " by truncation only (not by rounding)" if by_trunc else ""
        detail = (f"{_cap(names[test])} gives p = {_fmt_p(res['p'][test])}{src}, which prints as "
                  f"{pp.text.strip()}{how}; reproduced by {who}.")
    else:
        detail = (f"{_cap(names[test])} gives p = {_fmt_p(res['p'][test])}{src}, which does not "
                  f"print as {pp.text.strip()}; "
                  + (f"reproduced by {who} (not a test the paper's wording allows)." if repro else
                     f"{none_of}." if codes_t is None else
                     f"none of {_or_list([names[t] for t in res0['p']])} reproduces it."))
        # near miss: the nearest test the paper's wording allows, over every compatible table
        near = []
        for t in allowed:
            vals = [r["p"][t] for _, r in results]
            near.append((_gap(min(vals), max(vals), value_set(pp)), t, min(vals), max(vals)))
        _, t_near, lo_near, hi_near = min(near)
        detail += _hair(lo_near, hi_near, pp, f"{names[t_near]} gives p =")
    unnamed = ("the paper names no test" if c.test_stated == "not_stated"
               else "not a test the methods name")
    if codes_t is not None:
        plural = len(codes_t["which"]) > 1
        detail += (f" {_cap(codes_t['sentence'])} also give{'' if plural else 's'} it ({unnamed})."
                   if ok else f" {_cap(codes_t['sentence'])} reproduce{'' if plural else 's'} it, "
                   f"but {'those are' if plural else 'that is'} {unnamed}.")
    # explained: a test the wording does not allow, or a t-test on the codes, reproduces the p
    verdict, basis = ("consistent", "") if ok else ("inconsistent", "")
    if not ok and repro:
        verdict, basis = "explained", f"{who} (not a test the paper's wording allows)"
    elif not ok and codes_t is not None:
        verdict, basis = "explained", f"{codes_t['short']} ({unnamed})"
    elif not ok:
        basis = f"tried: {_or_list(tried)}"
    _row(out, c.study, c.location, c.item, _check_name(test, shape2), c.p_printed, recomputed,
         verdict, detail, basis, _p_consequence([r["p"][test] for _, r in results], pp))
    if codes_t is not None and not ok:
        _row(out, c.study, c.location, c.item, "p-ttest01", c.p_printed, codes_t["recomputed"],
             "consistent",
             f"{_cap(codes_t['sentence'])} print{'' if len(codes_t['which']) > 1 else 's'} as "
             f"{pp.text.strip()} ({unnamed}); the "
             f"{_check_name(test, shape2)} row is explained by it, not consistent.",
             "truncation" if codes_t["trunc"] else "rounding")
    if rule:
        min_e = res0["min_expected"]
        why = (f"the smallest expected count is {min_e:.2f}, for which the paper's rule (Fisher's "
               f"exact test when an expected count is below 5) calls for {names[rule]}")
        if rule in repro:
            verdict = "consistent"
            detail = f"The test the rule calls for reproduces the printed p: {why}."
        elif repro:
            verdict = "explained"
            detail = f"The printed p is reproduced only by {who}, but {why}."
        elif codes_t is not None:
            verdict = "unverifiable"
            detail = (f"No test for categorical data reproduces the printed p ({codes_t['sentence']} "
                      f"do{'' if len(codes_t['which']) > 1 else 'es'}; see p-ttest01), so the rule "
                      f"cannot be checked; {why}.")
        else:
            verdict = "unverifiable"
            detail = (f"No candidate test reproduces the printed p ({none_of}), so the test used "
                      f"cannot be told; {why}.")
        _row(out, c.study, c.location, c.item, "p-rule", c.p_printed,
             f"rule picks {names[rule]}; reproduced by {who}", verdict, detail,
             f"{who} (not the test the rule calls for)" if verdict == "explained" else
             ("" if verdict == "consistent" else "no candidate test reproduces the p"),
             _p_consequence([r["p"][rule] for _, r in results], pp))


def _codes_ttest(results, cats, printed_order, binary, pp):
    """Student's and Welch's t on the codes (1 = event, 0 = none; or 0, 1, 2, ... for categories in
    printed order) for every compatible table; None unless one of them reproduces ``pp``.
    Tables whose patients are not all in a printed category (codes unknown), or in which neither
    group varies (t undefined), give no t candidate."""
    if binary:
        scores, label = (1, 0), "the 0/1 codes"
    else:
        order = [printed_order.index(k) for k in cats]
        scores = tuple(order)
        label = ("the 0/1 codes" if len(cats) == 2 else
                 f"the codes 0–{len(cats) - 1} of the categories in printed order")
    hits = []
    tried = ""
    for table, _ in results:
        rows = [list(r) for r in table]
        if not binary and any(r[-1] for r in rows):  # patients in no printed category
            continue
        rows = rows if binary else [r[:-1] for r in rows]
        try:
            t = ordinal_ttest_pvalues(rows, scores)
        except ValueError:
            continue
        tried = label
        which = [k for k in ("student", "welch") if agrees(t[k], pp)]
        if which:
            hits.append((rows, t, which))
    if not hits:
        return None, tried
    rows, t, which = hits[0]
    names = {"student": "Student's", "welch": "Welch's"}
    shown = which[0]
    who = " and ".join(names[k] for k in which)
    if binary:
        cells = " vs ".join(f"{r[0]}/{sum(r)}" for r in rows)
    else:
        cells = "by category " + " vs ".join("/".join(str(x) for x in r) for r in rows)
    trunc = not any(agrees(tt[k], pp, "round") for _, tt, ws in hits for k in ws)
    return {"which": which, "trunc": trunc,
            "short": f"{who} t-test{'s' if len(which) > 1 else ''} on {label}",
            "sentence": (f"{who} t-test{'s' if len(which) > 1 else ''} on {label} "
                         f"(p = {_fmt_p(t[shown])}"
                         f"{', by truncation only' if trunc else ''})"),
            "recomputed": (f"t on {label}: Student p = {_fmt_p(t['student'])}, Welch p = "
                           f"{_fmt_p(t['welch'])} (counts {cells})")}, tried


def _corners(printed: Printed, mode: str = "either") -> tuple[float, float]:
    vs = value_set(printed, mode)
    return vs.low, vs.high


def _ttest_ranges(pa, pb, na: int, nb: int, mode: str) -> dict:
    """(lowest, highest) Student and Welch p over every corner of the printed means and SDs
    (under ``mode``); the highest is 1 when the mean difference can pass through zero."""
    base = ttest_pvalues(pa[0].value, pa[1].value, na, pb[0].value, pb[1].value, nb)
    ranges = {"student": [base["student"]], "welch": [base["welch"]]}
    for ma, sa, mb, sb in itertools.product(_corners(pa[0], mode), _corners(pa[1], mode),
                                            _corners(pb[0], mode), _corners(pb[1], mode)):
        if sa <= 0 or sb <= 0:
            continue
        r = ttest_pvalues(ma, sa, na, mb, sb, nb)
        ranges["student"].append(r["student"])
        ranges["welch"].append(r["welch"])
    lo_d = value_set(pa[0], mode).low - value_set(pb[0], mode).high
    hi_d = value_set(pa[0], mode).high - value_set(pb[0], mode).low
    through_zero = lo_d <= 0 <= hi_d
    return {t: (min(v), 1.0 if through_zero else max(v)) for t, v in ranges.items()}


def _p_in_range(lo: float, hi: float, pp: Printed, mode: str = "either") -> bool:
    ps = value_set(pp, mode)
    return not (ps.high < lo or ps.low > hi) and not (pp.relation == "<" and lo >= ps.high)


def _ttest_row(c, a, b, out: list) -> None:
    pp = _p(c.p_printed)
    pa = [as_printed(float(x), "continuous", int(a.decimals)) for x in (a.centre, a.sd)]
    pb = [as_printed(float(x), "continuous", int(b.decimals)) for x in (b.centre, b.sd)]
    base = ttest_pvalues(pa[0].value, pa[1].value, int(a.n), pb[0].value, pb[1].value, int(b.n))
    either = _ttest_ranges(pa, pb, int(a.n), int(b.n), "either")
    rounded = _ttest_ranges(pa, pb, int(a.n), int(b.n), "round")
    repro = [t for t in ("student", "welch") if _p_in_range(*either[t], pp)]
    names = {"student": "Student's t-test", "welch": "Welch's t-test"}
    recomputed = f"Student p = {_fmt_p(base['student'])}, Welch p = {_fmt_p(base['welch'])}"
    if repro:
        who = " and ".join(names[t] for t in repro)
        verdict = "consistent"
        trunc = not any(_p_in_range(*rounded[t], pp, "round") for t in repro)
        how = " only by truncation of some printed numbers (not by rounding all of them)" if trunc else ""
        detail = (f"From the printed means and SDs, {who} can give {pp.text.strip()}{how} "
                  "(allowing for the printed precision of every number).")
    else:
        verdict = "inconsistent"
        detail = (f"From the printed means and SDs neither Student's (p = {_fmt_p(base['student'])}) nor "
                  f"Welch's t-test (p = {_fmt_p(base['welch'])}) can give {pp.text.strip()}, even allowing "
                  "for printed precision.")
        gap, t = min((_gap(*either[t], value_set(pp)), t) for t in ("student", "welch"))
        detail += _hair(*either[t], pp, f"{names[t]} gives p =")
    _row(out, c.study, c.location, c.item, "p-ttest", c.p_printed, recomputed, verdict, detail,
         "" if repro else "tried: Student's and Welch's t-tests",
         _p_consequence([base["student"], base["welch"]], pp))


def _comparison_rows(comps, props, conts, arm_n, possible, out) -> None:
    prop_groups: dict = {}
    for r in props.itertuples(index=False):
        prop_groups.setdefault((r.study, r.location, r.item, r.arm), []).append(r)
    cont_groups: dict = {}
    for r in conts.itertuples(index=False):
        cont_groups.setdefault((r.study, r.location, r.item, r.arm), []).append(r)
    for c in comps.itertuples(index=False):
        arms = str(c.arms).split("|")
        key = (c.study, c.location, c.item)
        if c.test_stated in ("logistic", "interaction"):
            _row(out, c.study, c.location, c.item, "p-model", c.p_printed, "", "unverifiable",
                 f"This p comes from a regression model ({c.test_stated}), which cannot be refitted "
                 "from the printed numbers.")
            continue
        if c.outcome_type == "continuous":
            rows = [cont_groups.get(key + (arm,), []) for arm in arms]
            if all(len(x) == 1 for x in rows):
                rs = [x[0] for x in rows]
                if (len(rs) == 2 and all(r.summary == "mean_sd" for r in rs)
                        and all(not _missing(r.sd) and not _missing(r.n) for r in rs)
                        and c.test_stated in ("ttest", "ttest_or_mannwhitney", "not_stated")):
                    _ttest_row(c, rs[0], rs[1], out)
                    continue
                if all(r.summary == "median_iqr" for r in rs):
                    _row(out, c.study, c.location, c.item, "p-median", c.p_printed, "", "unverifiable",
                         "A rank test on medians needs the individual values, so this p cannot be "
                         "recomputed from the printed medians.")
                    continue
            _row(out, c.study, c.location, c.item, "p-model", c.p_printed, "", "unverifiable",
                 "The summaries behind this p are not all printed, so it cannot be recomputed.")
            continue
        groups = []
        inferred = False
        for arm in arms:
            ga = prop_groups.get(key + (arm,), [])
            tot = [r.total for r in ga if not _missing(r.total)]
            total = int(tot[0]) if tot else arm_n.get((c.study, arm))
            if len(ga) == 0 or _missing(total):
                groups = []
                break
            cats = {_s(r.category): possible.get(r.id, ()) for r in ga}
            if any(len(v) == 0 for v in cats.values()):
                groups = []
                break
            groups.append((cats, int(total)))
            inferred = inferred or any(_missing(r.count) for r in ga)
        if len(groups) != len(arms) or len(groups) < 2:
            _row(out, c.study, c.location, c.item, "p-model", c.p_printed, "", "unverifiable",
                 "The counts behind this p (or their totals) are not printed, so it cannot be recomputed.")
            continue
        _categorical_row(c, groups, out, inferred)


def run(pkg, arm_n: dict, out: list, state: dict) -> None:
    """Registry entry."""
    _comparison_rows(pkg["comparisons"], pkg["proportions"], pkg["continuous"], arm_n,
                     state.get("possible", {}), out)
