"""The reporting audit: every applicable consistency check over every row of the data package.

``run_audit(package=None, study=None)`` returns one row per check with the columns
``study, location, item, check, reported, recomputed, verdict, detail, basis, consequence,
inspect_sr`` (:data:`COLUMNS`). Command line::

    python -m helpers.audit                 # summary per study (counts by verdict and by check)
    python -m helpers.audit --csv PATH      # the full table as CSV
    python -m helpers.audit --study lee2025 # one study only

Verdicts (the ``verdict`` column) and the three columns that qualify them
-------------------------------------------------------------------------
``consistent``
    The method the paper states reproduces the printed number at its printed precision;
    ``basis`` says how: ``rounding`` or ``truncation`` (only truncation fits), ``exact`` for sums
    of counts, ``overlap of the printed values`` for duplicates, or the model for ``crude-ratio``.
``explained``
    The stated method does not reproduce it, but a named alternative does; ``basis`` names it:
    another test for counts (chi-square where the methods name Fisher's), a t-test on the 0/1 or
    grade codes, a test the paper's rule does not call for (``p-rule``), an odds ratio printed
    under an "RR" heading, or an asymmetric (profile-likelihood) interval. A method mismatch, not
    a numeric error.
``inconsistent``
    No candidate reproduces it (``basis`` lists what was tried). A likely typo found by the repair
    search stays inconsistent, with the repair in the detail.
``unverifiable``
    The printed numbers do not allow the check; the detail says what is missing.

``consequence`` (explained and inconsistent rows only, :data:`CONSEQUENCES`): ``p crosses 0.05``
when the stated method's p lies on the other side of 0.05 from the printed p (for a duplicate:
the two printed copies do), ``CI crosses the null`` when an interval symmetric about the estimate
through either printed bound would put the null on the other side, ``direction`` when the
recomputed effect points the other way, else ``none``. ``inspect_sr``: the check of INSPECT-SR
(Wilkinson et al. 2025, domain 4, "results in the study") the row contributes to
(:data:`INSPECT_SR`). :data:`FAMILIES` groups the checks into kinds of finding; :func:`account`
and :func:`count` are the one account every page counts from; :func:`questions` turns the
explained and inconsistent rows into neutral questions for the authors.

The tolerance rule
------------------
Every comparison of a recomputed value with a printed one uses the one rule of
:mod:`helpers.printed` (:func:`~helpers.printed.agrees`): a printed number stands for every true
value that **rounds or truncates** to it at its printed decimals (``59.3`` accepts [59.25, 59.4));
``< 0.001`` is read literally (below 0.001). A value is called ``inconsistent`` only when neither
rounding nor truncation explains it (or ``explained`` when a named alternative does). Checks that
combine several printed numbers (an estimate and its CI, means and SDs) let each printed number
range over all its possible true values.

Check kinds (the ``check`` column)
----------------------------------
``percent``
    A proportions row with count, total and percentage: does 100·count/total print as the
    percentage (:func:`helpers.consistency.percent_check`)? The detail says whether rounding or
    only truncation explains it; an inconsistent row lists the counts that would fit this total
    and the nearby totals that would fit this count.
``percent-reachable``
    A percentage printed without its count (abstracts): which counts of the stated (or arm) total
    give it. ``consistent`` when one or more counts can, with the candidates in the detail;
    ``inconsistent`` when no count of that total can; ``unverifiable`` when the total is unknown,
    with the smallest totals that would fit.
``arm-sum``
    The categories of a multi-category item (rows with a ``category``) in one arm: counts summing
    to the arm size and printed percentages compatible with a sum of 100. ``inconsistent`` when the
    counts exceed the total or the percentages cannot add to 100 although the counts do;
    ``unverifiable`` when the counts fall short (the categories printed may not be exhaustive).
``p-fisher``, ``p-chisq``, ``p-chisq-yates``, ``p-rxc-fisher``, ``p-rxc-chisq``
    A comparisons row of a binary or categorical item whose counts are in the proportions table
    (same study, location and item; one row per arm, and per category when categorical). Every
    candidate test is computed (:func:`helpers.pvalues.categorical_pvalues`: Fisher's exact test,
    Pearson's chi-square with and without Yates' correction for 2×2 tables; Fisher–Freeman–Halton
    and Pearson's chi-square for larger tables). The row is named after the test that reproduces
    the printed p among those the paper says it used (``fisher`` → Fisher; ``chisq`` → Pearson's
    chi-square with or without Yates' correction; ``chisq_or_fisher`` → either; ``not_stated`` →
    any), preferring the test the paper's own rule calls for; it is ``consistent`` when such a test
    reproduces the p and ``inconsistent`` otherwise (named then after the test the paper's wording
    or rule points to). The detail lists every candidate's p and which reproduce it. When a
    percentage was printed without its count, the counts it allows (``percent-reachable``) are
    used and the row is consistent when some allowed counts reproduce the p. A t-test on the
    codes (``p-ttest01`` below) is never one of these candidates: it cannot make this row
    consistent; when it reproduces the printed p the detail says so ("not a test the methods
    name", or "the paper names no test"). Not reproduced by the allowed tests but by another
    candidate test, or by a t-test on the codes: ``explained``, with that test in ``basis``.
``p-rule``
    Only for comparisons whose methods say "chi-square or Fisher's exact test, as appropriate"
    (``chisq_or_fisher``). The usual rule picks Fisher's exact test when any expected count is
    below 5, else chi-square. ``consistent`` when the test the rule picks reproduces the printed p;
    ``explained`` when the p is reproduced only by a test the rule does not call for (the
    numbers agree, the choice of test does not); ``unverifiable`` when no candidate reproduces it
    (then the ``p-…`` row is not consistent either). So each problem is counted once: the ``p-…``
    row asks "is the number reproducible?", ``p-rule`` asks "by the right test?".
``p-ttest01``
    Student's or Welch's t-test applied to the yes/no variable coded 1/0, or to a categorical
    variable coded 0, 1, 2, ... in the printed order of its categories
    (:func:`helpers.pvalues.binary_ttest_pvalues`, :func:`helpers.pvalues.ordinal_ttest_pvalues`):
    what a statistics program gives when a coded categorical variable is analysed as a number.
    The encoding keeps the methods and the numbers apart. The row exists **only** when the tests
    the paper's wording allows do **not** reproduce the printed p (its ``p-<test>`` row is
    ``explained``, with this t-test in its basis) **and** such a t-test does; its verdict is then
    always ``consistent``, meaning "the printed p is what the printed counts give under a test the
    methods do not name". So an unnamed test never counts as agreement with the paper's methods,
    the reporting problem is counted once (in the ``p-<test>`` row), and this row says which
    computation most likely produced the number. No row when the named test reproduces the p
    (its detail still mentions a t-test that also does), when no t-test does either, when
    neither group varies (t undefined), or when some patients fall in no printed category (their
    code is unknown). The ``p-rule`` row of such an item is ``unverifiable`` and points here.
``p-ttest``
    A comparison of two mean (SD) rows: Student's and Welch's t-tests
    (:func:`helpers.pvalues.ttest_pvalues`), evaluated over every combination of the extreme true
    values of the printed means and SDs; ``consistent`` when either test can give the printed p.
``p-median``
    Comparisons of median (IQR) rows (Mann–Whitney): always ``unverifiable``, because a rank test
    needs the individual values.
``p-model``
    Comparisons from a regression model (interaction, logistic) or whose summaries are not in the
    package: ``unverifiable``.
``crude-ratio``
    An unadjusted OR or RR whose two compared arms have printed counts (proportions rows of the
    same study whose item, as words without a time qualifier or "score", contains or is contained
    in the estimate's item, one per arm, from the first location that has both; subgroup estimates
    are skipped): every candidate of :func:`helpers.crude_models.crude_fits` (Katz, score,
    log-binomial, Poisson model-based/robust/profile, logistic Wald/robust/profile, exact
    conditional, Firth) is compared with the printed estimate, both bounds and the p
    (:func:`helpers.crude_models.match_printed`). ``consistent`` when a candidate of the printed
    measure reproduces all of them, ``explained`` when only one of the other measure does (an
    odds ratio under an "RR" heading), ``inconsistent`` when none does.
``ci-centre``
    An estimate and its CI: is the estimate at the centre of its CI, on the log scale for OR, RR
    and HR and the linear scale for ATE, beta, RD and MD (:func:`helpers.consistency.ci_centre_check`)?
``ci-p``
    An estimate with a CI and a p: the p implied by the CI (Altman & Bland, BMJ 2011;343:d2304)
    against the printed p, allowing for the printed precision of all numbers
    (:func:`helpers.consistency.ci_p_check`). Estimates with a p but no CI are ``unverifiable``.
``duplicate``
    The same quantity printed in two places (e.g. Abstract and Table 2). Rows of the same study and
    table kind match when they are in different locations, have the same arm (proportions,
    continuous), the same category, the same compared arms (comparisons) or the same measure,
    comparison, subgroup and adjustment (estimates), and the item of one, as words (lower case,
    footnote markers and suffixes such as ``, n/N (%)`` removed), appears in the item of the other
    (so ``Early RS`` matches ``Early RS (vs. late RS)`` and ``Stent patency`` matches ``Intact stent
    patency on follow-up``). Each row is compared with the first matching row in an earlier
    location (Abstract first): ``consistent`` when each pair of printed values can stand for the
    same true value (their sets of true values overlap; counts must be equal), ``inconsistent``
    otherwise. Quantities (single numbers) match on equal unit and the same word rule. Items worded
    differently in two places are not matched: the data has no link column.
``n-sum``
    For each set of arms compared in the paper (comparisons and estimates), the arm sizes add up to
    the study's total or to the size of another arm (``consistent``); ``unverifiable`` when an arm
    size is not printed or the sum matches no printed size.

What the ``detail`` sentences say (verdicts are never changed by them)
---------------------------------------------------------------------
* A p that no candidate test reproduces names every candidate tried ("none of Fisher's exact
  test, Pearson's chi-square, Pearson's chi-square with Yates' correction or a t-test (Student's
  or Welch's) on the 0/1 codes reproduces it"); the t-test is named only when it could be computed.
* **By truncation only**: a ``consistent`` verdict that rounding of the printed numbers cannot
  give and truncation can (``percent``, the ``p-…`` rows of counts, ``p-ttest01``, ``p-ttest``,
  ``ci-centre``, ``ci-p``) says so.
* A ``ci-p`` row whose ``ci-centre`` row is ``inconsistent`` says the interval is not symmetric
  on its scale, so not a Wald-type interval, and the p it implies is only approximate: that
  comparison is not evidence of an error.
* **Misses by a hair**: an ``inconsistent`` row whose recomputed range misses the printed
  value's range of true values by less than one unit in the printed value's last digit gives
  both ranges (``percent``, the ``p-…`` rows of counts (nearest allowed test), ``p-ttest``,
  ``ci-centre``, ``ci-p``). For ``ci-p`` it adds the degrees of freedom for which a t reference
  distribution (instead of the normal) would make CI and p agree, when some do.

Numbers in ``recomputed`` and ``detail`` follow the book's style (:mod:`helpers.formatting`): a
true minus sign "−", intervals "lo to hi", very small p as "3.7 × 10⁻⁵". Printed text quoted
verbatim keeps its printed form: the ``reported`` column, the compared values of a ``duplicate``
row, and a CI "printed as -1.73-0.22". Verdicts never depend on this wording.

Rows are sorted by study (the row order of ``studies.csv``: publication order), location
(Abstract, Table 1, Table 2, ..., Results, Discussion, Methods, then any other alphabetically),
item and check (the order of :data:`CHECKS`), then the printed value, so the output is
deterministic; :func:`summary` keeps the same study order.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import math
import re
import sys
from collections.abc import Mapping

import pandas as pd
from scipy import stats

from helpers.formatting import MINUS
from helpers.crude_models import crude_fits, match_printed
from helpers.consistency import (candidate_counts, candidate_totals, ci_centre_check, ci_p_check,
                                 percent_check)
from helpers.printed import Printed, agrees, as_printed, parse_interval, value_set
from helpers.pvalues import categorical_pvalues, ordinal_ttest_pvalues, ttest_pvalues

__all__ = ["COLUMNS", "VERDICTS", "CHECKS", "CONSEQUENCES", "INSPECT_SR", "FAMILIES", "CHECK_WORDS",
           "VERDICT_WORDS", "run_audit", "summary", "account", "count", "questions",
           "questions_markdown", "questions_box", "main"]

#: the columns of the audit table, in order (the first eight are those of the first audit)
COLUMNS = ("study", "location", "item", "check", "reported", "recomputed", "verdict", "detail",
           "basis", "consequence", "inspect_sr")
#: the only verdicts: the stated method reproduces the number; a named alternative does; nothing
#: does; it cannot be checked from the printed numbers
VERDICTS = ("consistent", "explained", "inconsistent", "unverifiable")
#: the values of the ``consequence`` column ("" for consistent and unverifiable rows)
CONSEQUENCES = ("", "none", "p crosses 0.05", "CI crosses the null", "direction")
#: every check name (documented in the module docstring)
CHECKS = ("percent", "percent-reachable", "arm-sum", "p-fisher", "p-chisq", "p-chisq-yates",
          "p-rxc-fisher", "p-rxc-chisq", "p-rule", "p-ttest01", "p-ttest", "p-median", "p-model", "crude-ratio",
          "ci-centre", "ci-p", "duplicate", "n-sum")

#: the INSPECT-SR check (Wilkinson et al. 2025, medRxiv 10.1101/2025.09.03.25334905, domain 4
#: "Inspecting results in the study") each check kind contributes to
INSPECT_SR = {
    **dict.fromkeys(("percent", "percent-reachable"),
                    "4.8 impossible means or percentages of integer data"),
    **dict.fromkeys(("arm-sum", "n-sum"), "4.6 inconsistent numbers of participants"),
    **dict.fromkeys(("p-fisher", "p-chisq", "p-chisq-yates", "p-rxc-fisher", "p-rxc-chisq", "p-rule",
                     "p-ttest01", "p-ttest", "p-median", "p-model", "crude-ratio", "ci-centre",
                     "ci-p", "duplicate"), "4.9 errors in the statistical results"),
}
#: the family ("kind of finding") of each check, the grouping every page counts by
FAMILIES = {
    **dict.fromkeys(("percent", "percent-reachable"), "percentages"),
    **dict.fromkeys(("arm-sum", "n-sum"), "sums"),
    **dict.fromkeys(("p-fisher", "p-chisq", "p-chisq-yates", "p-rxc-fisher", "p-rxc-chisq",
                     "p-ttest01", "p-ttest", "p-median", "p-model"), "p-values"),
    "p-rule": "choice of test",
    **dict.fromkeys(("crude-ratio", "ci-centre", "ci-p"), "estimates and intervals"),
    "duplicate": "duplicates",
}

#: one plain-words sentence per check kind, for every page that shows the audit to a reader
CHECK_WORDS = {
    "percent": "Is the printed percentage the printed count divided by the printed (or group) total?",
    "percent-reachable": "A percentage printed without its count: can any count out of the group size give it?",
    "arm-sum": "Do the categories of one item add up to the group size, and their percentages to 100?",
    "p-fisher": "Does Fisher's exact test on the printed counts give the printed p?",
    "p-chisq": "Does Pearson's chi-square test on the printed counts give the printed p?",
    "p-chisq-yates": "Does Pearson's chi-square test with Yates' correction give the printed p?",
    "p-rxc-fisher": "For a table with more than two categories: does the exact (Fisher–Freeman–Halton) test give the printed p?",
    "p-rxc-chisq": "For a table with more than two categories: does Pearson's chi-square test give the printed p?",
    "p-rule": "Is the test that gives the printed p the one the paper's rule ('chi-square or Fisher's test, as appropriate') calls for?",
    "p-ttest01": "When the named tests fail: does a t-test on the yes/no codes (1 = yes, 0 = no) or grade codes give the printed p?",
    "p-ttest": "Does Student's or Welch's t-test on the printed means and SDs give the printed p?",
    "p-median": "A p comparing medians with a rank test: it needs the patient data, so it cannot be checked.",
    "p-model": "A p from a regression model, or whose numbers are not printed: it cannot be checked.",
    "crude-ratio": "An unadjusted odds or risk ratio: which of the usual models gives it, its interval and p from the printed counts?",
    "ci-centre": "Is the estimate in the middle of its confidence interval (on the log scale for ratios)?",
    "ci-p": "Does the p implied by the confidence interval match the printed p?",
    "duplicate": "Is a number printed twice (for example abstract and table) the same both times?",
    "n-sum": "Do the sizes of the compared groups add up to the study total (or to a larger group)?",
}
#: the verdicts in words
VERDICT_WORDS = {"consistent": "Consistent", "explained": "Explained", "inconsistent": "Inconsistent",
                 "unverifiable": "Unverifiable"}

_REQUIRED = ("studies", "arms", "proportions", "comparisons", "continuous", "estimates")
_LOG_MEASURES = frozenset({"OR", "RR", "HR"})
_TEST_NAMES = {"fisher": "Fisher's exact test", "chisq": "Pearson's chi-square",
               "chisq_yates": "Pearson's chi-square with Yates' correction"}
_RXC_NAMES = {"fisher": "the Fisher–Freeman–Halton exact test", "chisq": "Pearson's chi-square"}
_LOCATION_ORDER = ("Abstract", "Table 1", "Table 2", "Table 3", "Table 4", "Table 5", "Results",
                   "Discussion", "Methods")
#: how many candidate counts (per arm) the p-value checks combine at most, when counts are inferred
_MAX_COMBINATIONS = 64


# --------------------------------------------------------------------------- small helpers

def _missing(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _s(x) -> str:
    return "" if _missing(x) else str(x)


def _fmt_p(p: float) -> str:
    if p < 0.0001:
        return f"{p:.1e}"  # written "3.7 × 10⁻⁵" by _ours
    if p < 0.001:
        return f"{p:.5f}"
    return f"{p:.4f}"


def _g(x: float, sig: int = 4) -> str:
    """``x`` to ``sig`` significant digits (the minus sign is made true by :func:`_ours`)."""
    return f"{x:.{sig}g}"


# A verbatim quote of printed text is wrapped in these two marks, so that :func:`_ours` leaves
# it exactly as printed; :func:`_row` removes the marks.
_QUOTE_OPEN, _QUOTE_CLOSE = "\x02", "\x03"
_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
#: a hyphen-minus used as a sign: not after a letter, digit, point or closing bracket
_SIGN = re.compile(r"(?<![\w.)\]%])-(?=\.?\d)")
_SCI = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)e([+-]\d+)\b")


def _verbatim(text) -> str:
    """Printed text quoted as printed (kept with its hyphens and dashes)."""
    return f"{_QUOTE_OPEN}{_s(text)}{_QUOTE_CLOSE}"


def _sci(m: re.Match) -> str:
    exp = str(int(m.group(2))).translate(_SUPERSCRIPT)
    return f"{m.group(1)} × 10{exp}"


def _ours(text: str) -> str:
    """The book's number style (helpers.formatting) for the numbers the engine writes: a true
    minus sign "−" instead of a hyphen-minus, and "3.7 × 10⁻⁵" instead of "3.7e-05"; text between
    the quote marks of :func:`_verbatim` is kept exactly as printed, without the marks."""
    parts = re.split(f"({_QUOTE_OPEN}[^{_QUOTE_CLOSE}]*{_QUOTE_CLOSE})", text)
    return "".join(part[1:-1] if part.startswith(_QUOTE_OPEN)
                   else _SIGN.sub(MINUS, _SCI.sub(_sci, part)) for part in parts)


#: checks whose agreement is an exact equality of counts (no rounding involved)
_EXACT = frozenset({"n-sum", "arm-sum"})


def _row(out, study, location, item, check, reported, recomputed, verdict, detail, basis="",
         consequence=""):
    """One audit row. ``basis``: for a consistent row "rounding" or "truncation" (read from the
    detail's "truncation only" sentence when not given), "exact" for sums of counts; for an
    explained row the alternative that reproduces the number (required); for an inconsistent or
    unverifiable row what was tried or is missing (defaults to ""). ``consequence``: for explained
    and inconsistent rows, one of :data:`CONSEQUENCES` ("none" when not given)."""
    if verdict == "consistent" and not basis:
        basis = ("exact" if check in _EXACT else
                 "overlap of the printed values" if check == "duplicate" else
                 "truncation" if re.search(r"truncation only|only by truncation", detail) else
                 "rounding")
    if verdict == "explained" and not basis:  # pragma: no cover - a programming error
        raise RuntimeError(f"an explained {check} row must name its alternative")
    if verdict in ("explained", "inconsistent"):
        consequence = consequence or "none"
    else:
        consequence = ""
    out.append((_s(study), _s(location), _s(item), check, _s(reported), _ours(_s(recomputed)),
                verdict, _ours(detail), _ours(basis), consequence, INSPECT_SR[check]))


def _pct(x, decimals) -> Printed:
    return as_printed(float(x), "percent", int(decimals))


def _p(text) -> Printed:
    return as_printed(str(text), "p_printed")


def _overlap(a: Printed, b: Printed) -> bool:
    """Can two printed numbers stand for the same true value (their value sets overlap)?"""
    sa, sb = value_set(a), value_set(b)
    lo_ok = sa.high > sb.low or (sa.high == sb.low and sa.high_closed and sb.low_closed)
    hi_ok = sb.high > sa.low or (sb.high == sa.low and sb.high_closed and sa.low_closed)
    return lo_ok and hi_ok


def _words(item: str) -> tuple[str, ...]:
    s = item.lower().replace("–", "-").replace("—", "-")
    s = re.sub(r",?\s*(n/n \(%\)|n \(%\)|mean \(sd\)|median \(iqr\))\s*$", "", s)
    s = re.sub(r"[*†‡§¶#]+", "", s)
    s = re.sub(r"[^\w%<>≥≤.+-]+", " ", s)
    return tuple(w for w in s.split() if w)


def _contains(big: tuple, small: tuple) -> bool:
    n = len(small)
    return n > 0 and any(big[i:i + n] == small for i in range(len(big) - n + 1))


def _location_key(loc: str):
    return (_LOCATION_ORDER.index(loc) if loc in _LOCATION_ORDER else len(_LOCATION_ORDER), loc)


def _gap(lo: float, hi: float, vs) -> float:
    """Distance from the interval [lo, hi] to a set of printed values (0 when they meet)."""
    if hi < vs.low:
        return vs.low - hi
    if lo > vs.high:
        return lo - vs.high
    return 0.0


def _hair(lo: float, hi: float, printed: Printed, what: str, fmt=None) -> str:
    """The near-miss sentence: the recomputed range [lo, hi] misses the printed value's range by
    less than one unit in the printed value's last digit ('' otherwise, and for bounds)."""
    if printed.relation != "=":
        return ""
    vs = value_set(printed)
    gap = _gap(lo, hi, vs)
    if not 0 < gap < printed.step:
        return ""
    fmt = fmt or _fmt_p
    rec = fmt(lo) if math.isclose(lo, hi, rel_tol=1e-12, abs_tol=0) else f"{fmt(lo)} to {fmt(hi)}"
    return (f" It misses by a hair: {what} {rec}, while the printed {printed.text.strip()} stands "
            f"for {fmt(vs.low)} to {fmt(vs.high)} (less than one unit in its last printed digit "
            "apart).")


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


def _below(pp: Printed) -> bool:
    """Is the printed p below 0.05 (a bound "< x" with x <= 0.05 counts as below)?"""
    return pp.value <= 0.05 if pp.relation == "<" else pp.value < 0.05


def _p_consequence(values, pp: Printed) -> str:
    """"p crosses 0.05" when every recomputed p under the stated method lies on the other side of
    0.05 from the printed p, else "none"."""
    vals = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if vals and all((v < 0.05) != _below(pp) for v in vals):
        return "p crosses 0.05"
    return "none"


def _or_list(items: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    dist = stats.norm if df is None else stats.t(df)
    crit = float(dist.ppf(0.5 + level / 2))
    e1, e2 = _scaled(est, scale, mode)
    l1, l2 = _scaled(lo, scale, mode)
    h1, h2 = _scaled(hi, scale, mode)
    abs_min = 0.0 if e1 <= 0 <= e2 else min(abs(e1), abs(e2))
    abs_max = max(abs(e1), abs(e2))
    se_max, se_min = (h2 - l1) / (2 * crit), (h1 - l2) / (2 * crit)
    z_min = abs_min / se_max
    z_max = math.inf if se_min <= 0 else abs_max / se_min
    return float(2 * dist.sf(z_max)), float(2 * dist.sf(z_min))


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


@functools.lru_cache(maxsize=256)
def _crude_fits(a: int, na: int, c: int, nb: int):
    return tuple(crude_fits(a, na, c, nb))


def _core(words: tuple) -> tuple:
    """Item words without a time qualifier ("90-day", "90d") or the word "score", so that
    "90-day mRS 0-2" (an effect) meets "mRS score 0–2" (its counts)."""
    return tuple(w for w in words if w != "score" and not re.fullmatch(r"\d+-?d(ay)?s?", w))


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
            fits = _crude_fits(a, na, c, nb)
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
            c_cons = _ci_consequence(est, lo, hi, scale)
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
                p_verdict, p_basis = "unverifiable", ("the interval is asymmetric by design, so no "
                                                      "p can be derived from it")
                p_detail += " No printed counts allow the p to be recomputed another way."
            elif cp.verdict == "inconsistent":
                p_cons = _p_consequence(cp.p_range, pp)
            _row(out, e.study, e.location, label, "ci-p", e.p_printed,
                 f"p = {_fmt_p(cp.p)} (range {_fmt_p(cp.p_range[0])} to {_fmt_p(cp.p_range[1])})",
                 p_verdict, p_detail, p_basis, p_cons)


def _ci_consequence(est: Printed, lo: Printed, hi: Printed, scale: str) -> str:
    """"CI crosses the null" when an interval symmetric about the estimate (on its scale) through
    either printed bound would contain the null value where the printed one does not, or the
    reverse; else "none"."""
    null = 1.0 if scale == "log" else 0.0
    tr = (math.log, math.exp) if scale == "log" else ((lambda x: x), (lambda x: x))
    if scale == "log" and min(est.value, lo.value, hi.value) <= 0:
        return "none"
    e, l, h = (tr[0](x.value) for x in (est, lo, hi))
    excludes = not (lo.value <= null <= hi.value)
    for a, b in ((l, 2 * e - l), (2 * e - h, h)):
        a, b = sorted((tr[1](a), tr[1](b)))
        if (not (a <= null <= b)) != excludes:
            return "CI crosses the null"
    return "none"


# --------------------------------------------------------------------------- duplicates

def _dup_values(kind: str, r) -> list[tuple[str, Printed | int]]:
    """The printed numbers of a row that a duplicate must match: (name, Printed or exact int)."""
    if kind == "proportions":
        vals = []
        if not _missing(r.percent):
            vals.append(("percentage", _pct(r.percent, r.percent_decimals)))
        if not _missing(r.count):
            vals.append(("count", int(r.count)))
        if not _missing(r.total) and r.total_basis == "printed":
            vals.append(("total", int(r.total)))
        return vals
    if kind == "comparisons":
        return [("p", _p(r.p_printed))]
    if kind == "continuous":
        d = int(r.decimals)
        vals = [("centre", as_printed(float(r.centre), "centre", d))]
        for name in ("sd", "q1", "q3"):
            v = getattr(r, name)
            if not _missing(v):
                vals.append((name, as_printed(float(v), name, d)))
        return vals
    if kind == "estimates":
        vals = [("estimate", as_printed(str(r.estimate_printed), "estimate"))]
        if not _missing(r.ci_low):
            lo, hi, _ = _ci_bounds(r)
            vals += [("lower bound", lo), ("upper bound", hi)]
        if _s(r.p_printed):
            vals.append(("p", _p(r.p_printed)))
        return vals
    return [("value", as_printed(str(r.printed), "value")) if _numeric(r.printed)
            else ("value", as_printed(float(r.value), "value"))]


def _numeric(text) -> bool:
    try:
        as_printed(str(text), "value")
        return True
    except ValueError:
        return False


def _dup_shown(kind: str, r) -> str:
    if kind == "estimates":
        return f"{r.estimate_printed} ({_s(r.ci_printed)}), p {_s(r.p_printed)}".replace(" ()", "")
    if kind == "comparisons":
        return f"p {r.p_printed}"
    return _s(r.printed)


_DUP_KEYS = {
    "proportions": ("study", "arm", "category"),
    "continuous": ("study", "arm", "summary"),
    "comparisons": ("study", "arms"),
    "estimates": ("study", "measure", "comparison", "subgroup", "adjustment"),
    "quantities": ("study", "unit"),
}


def _duplicate_rows(pkg: Mapping, out: list) -> None:
    for kind, keys in _DUP_KEYS.items():
        frame = pkg.get(kind)
        if frame is None or frame.empty:
            continue
        frame = frame.assign(**{k: frame[k].astype("string").fillna("") for k in keys})
        for _, g in frame.groupby(list(keys), sort=False):
            if g["location"].nunique() < 2:
                continue
            rows = sorted(g.itertuples(index=False), key=lambda r: (_location_key(r.location), r.id))
            words = [_words(r.item) for r in rows]
            for j, r in enumerate(rows):
                for i in range(j):
                    ref = rows[i]
                    if ref.location == r.location:
                        continue
                    if not (_contains(words[i], words[j]) or _contains(words[j], words[i])):
                        continue
                    _compare_dup(kind, ref, r, out)
                    break


def _compare_dup(kind, ref, r, out) -> None:
    a, b = dict(_dup_values(kind, ref)), dict(_dup_values(kind, r))
    common = [k for k in a if k in b]
    if not common:
        return
    bad = []
    for k in common:
        x, y = a[k], b[k]
        same = (x == y) if isinstance(x, int) else _overlap(x, y)
        if not same:
            bad.append(k)
    shown_ref, shown = _dup_shown(kind, ref), _dup_shown(kind, r)
    q_ref, q = _verbatim(shown_ref), _verbatim(shown)
    cons = "none"
    if bad:
        verdict = "inconsistent"
        detail = (f"The {' and '.join(bad)} printed here ({q}) cannot be the same as in "
                  f"{ref.location} ({q_ref}), even allowing for printed precision.")
        if "p" in bad and _below(a["p"]) != _below(b["p"]):
            cons = "p crosses 0.05"
        elif kind == "estimates" and "estimate" in bad:
            null = 1.0 if ref.measure in _LOG_MEASURES else 0.0
            if (a["estimate"].value > null) != (b["estimate"].value > null):
                cons = "direction"
    else:
        verdict = "consistent"
        detail = f"Agrees with {ref.location} ({q_ref}) within printed precision."
    label = {"proportions": _label, "estimates": _est_label}.get(kind, lambda x: x.item)(r)
    if kind == "continuous":
        label = f"{r.item} ({r.arm})"
    _row(out, r.study, r.location, label, "duplicate", shown, f"{ref.location}: {q_ref}", verdict,
         detail, "" if verdict == "consistent" else f"compared with {ref.location}", cons)


# --------------------------------------------------------------------------- arm sizes

def _n_sum_rows(pkg: Mapping, arm_n: dict, out: list) -> None:
    studies = pkg["studies"].set_index("study")["n_total"].to_dict()
    sets = {}
    for frame, col in ((pkg["comparisons"], "arms"), (pkg["estimates"], "comparison")):
        for study, arms, loc in zip(frame["study"], frame[col], frame["location"]):
            if _missing(arms) or "|" not in str(arms):
                continue
            key = (study, tuple(sorted(str(arms).split("|"))))
            if key not in sets and all((study, a) in arm_n for a in key[1]):
                sets[key] = loc
    by_study: dict = {}
    for (st, a), n in arm_n.items():
        by_study.setdefault(st, []).append((a, n))
    for (study, arms), loc in sets.items():
        ns = [arm_n[(study, a)] for a in arms]
        label = " + ".join(arms)
        if any(_missing(n) for n in ns):
            _row(out, study, "Arms", label, "n-sum", "", "", "unverifiable",
                 "The size of at least one of these arms is not printed.")
            continue
        s = int(sum(int(n) for n in ns))
        parents = sorted(a for a, n in by_study.get(study, [])
                         if a not in arms and not _missing(n) and int(n) == s)
        reported = " + ".join(str(int(n)) for n in ns)
        n_total = studies.get(study)
        if not _missing(n_total) and int(n_total) == s:
            _row(out, study, "Arms", label, "n-sum", reported, f"{s}", "consistent",
                 f"The arm sizes add up to {s}, the study's total.")
        elif parents:
            _row(out, study, "Arms", label, "n-sum", reported, f"{s}", "consistent",
                 f"The arm sizes add up to {s}, the size of the arm '{parents[0]}'.")
        else:
            _row(out, study, "Arms", label, "n-sum", reported, f"{s}", "unverifiable",
                 f"The arm sizes add up to {s}, which matches neither the study's total nor any "
                 "printed arm size.")


# --------------------------------------------------------------------------- engine

def _check_package(package) -> Mapping:
    if not isinstance(package, Mapping):
        raise ValueError(f"package must be a dict of DataFrames by table kind (as load_package() "
                         f"returns), got {type(package).__name__}")
    for kind in _REQUIRED:
        if kind not in package or not isinstance(package[kind], pd.DataFrame):
            raise ValueError(f"package is missing the table kind {kind!r}")
    return package


def run_audit(package=None, study: str | None = None) -> pd.DataFrame:
    """Run every applicable check over every row of the data package (or of one study).

    Parameters
    ----------
    package : dict of DataFrames or None
        As returned by :func:`helpers.data.load_package` (``None`` loads this repository's data).
    study : str or None
        A study key (``studies.study``) to audit that study only.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS` (all strings), one row per check, verdicts in :data:`VERDICTS`,
        sorted by study (package order), location, item and check. See the module docstring for
        the check kinds and the tolerance rule.
    """
    if package is None:
        from helpers.data import load_package
        package = load_package()
    pkg = dict(_check_package(package))
    order = list(dict.fromkeys(pkg["studies"]["study"].astype(str)))
    if study is not None:
        if not isinstance(study, str) or study not in order:
            raise ValueError(f"study must be one of {order}, got {study!r}")
        pkg = {k: (v[v["study"] == study] if "study" in v.columns else v) for k, v in pkg.items()}
    arm_n = {(s, a): (None if _missing(n) else int(n))
             for s, a, n in zip(pkg["arms"]["study"], pkg["arms"]["arm"], pkg["arms"]["n"])}
    out: list = []
    possible = _percent_rows(pkg["proportions"], arm_n, out)
    _arm_sum_rows(pkg["proportions"], arm_n, out)
    _comparison_rows(pkg["comparisons"], pkg["proportions"], pkg["continuous"], arm_n, possible, out)
    crude = _crude_rows(pkg, out)
    _estimate_rows(pkg["estimates"], out, crude)
    _duplicate_rows(pkg, out)
    _n_sum_rows(pkg, arm_n, out)
    df = pd.DataFrame(out, columns=list(COLUMNS), dtype=object)
    rank = {s: i for i, s in enumerate(order)}
    loc_rank = {loc: _location_key(loc) for loc in df["location"].unique()}
    keys = sorted(range(len(df)), key=lambda i: (rank.get(out[i][0], len(rank)), loc_rank[out[i][1]],
                                                 out[i][2], CHECKS.index(out[i][3]), out[i][4]))
    df = df.iloc[keys].reset_index(drop=True)
    bad = set(df["verdict"]) - set(VERDICTS)
    if bad:  # pragma: no cover - a programming error, never data
        raise RuntimeError(f"audit produced verdicts outside {VERDICTS}: {bad}")
    return df.astype("string").astype(object)


def summary(audit: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts of an audit table: (study × verdict, study × check), with zero-filled cells."""
    if not isinstance(audit, pd.DataFrame) or not set(COLUMNS) <= set(audit.columns):
        raise ValueError(f"audit must be a DataFrame with the columns {COLUMNS}")
    order = list(dict.fromkeys(audit["study"]))
    by_verdict = (pd.crosstab(audit["study"], audit["verdict"])
                  .reindex(index=order, columns=list(VERDICTS), fill_value=0))
    by_verdict["total"] = by_verdict.sum(axis=1)
    checks = [c for c in CHECKS if c in set(audit["check"])]
    by_check = pd.crosstab(audit["study"], audit["check"]).reindex(index=order, columns=checks,
                                                                   fill_value=0)
    by_verdict.columns.name = by_check.columns.name = None
    return by_verdict, by_check


def _check_audit(audit) -> pd.DataFrame:
    if audit is None:
        return run_audit()
    if not isinstance(audit, pd.DataFrame) or not set(COLUMNS) <= set(audit.columns):
        raise ValueError(f"audit must be a DataFrame with the columns {COLUMNS} (run_audit() returns one)")
    return audit


def account(audit=None) -> pd.DataFrame:
    """The one account of the audit's findings, from which every page of the book counts.

    Returns one row per study, family (:data:`FAMILIES`: the kind of finding), check, verdict and
    consequence with the number of rows ``n``; ``audit`` is a :func:`run_audit` table (``None``
    runs the audit on this repository's data). Studies keep the audit's order."""
    audit = _check_audit(audit)
    keys = ["study", "family", "check", "verdict", "consequence"]
    frame = audit.assign(family=audit["check"].map(FAMILIES))
    out = frame.groupby(keys, sort=False, dropna=False).size().rename("n").reset_index()
    return out


def count(audit=None, *, study=None, family=None, check=None, verdict=None, consequence=None) -> int:
    """How many audit rows match every given filter (each a value or a collection of values):
    ``study``, ``family`` (:data:`FAMILIES`), ``check`` (:data:`CHECKS`), ``verdict``
    (:data:`VERDICTS`) and ``consequence`` (:data:`CONSEQUENCES`). Counted from :func:`account`,
    so that every number the book states about the audit comes from one place. Raises ValueError
    naming the filter when a value is not one the audit knows."""
    acc = account(audit)
    known = {"study": set(acc["study"]), "family": set(FAMILIES.values()), "check": set(CHECKS),
             "verdict": set(VERDICTS), "consequence": set(CONSEQUENCES)}
    mask = pd.Series(True, index=acc.index)
    for name, value in (("study", study), ("family", family), ("check", check),
                        ("verdict", verdict), ("consequence", consequence)):
        if value is None:
            continue
        values = {value} if isinstance(value, str) else set(value)
        if not values or not values <= known[name]:
            raise ValueError(f"{name} must be among {sorted(known[name])}, got {value!r}")
        mask &= acc[name].isin(values)
    return int(acc.loc[mask, "n"].sum())


_CONSEQUENCE_RANK = {"p crosses 0.05": 0, "CI crosses the null": 0, "direction": 0, "none": 1, "": 2}


def _question(r) -> str:
    """A neutral question to the authors about one explained or inconsistent row."""
    where = f"{r.location}, {r.item}"
    if r.check in ("p-fisher", "p-chisq", "p-chisq-yates", "p-rxc-fisher", "p-rxc-chisq"):
        if r.verdict == "explained":
            return (f"{where}: the printed p = {r.reported} is reproduced from the printed counts by "
                    f"{r.basis.split(' (')[0]}, not by the test the methods name. Which test "
                    "produced it?")
        return (f"{where}: we could not reproduce the printed p = {r.reported} from the printed "
                "counts with any usual test. Could you confirm the p, the counts and the test?")
    if r.check == "p-rule":
        return (f"{where}: the printed p = {r.reported} fits {r.basis.split(' (')[0]}, while the "
                "stated rule (Fisher's exact test when an expected count is below 5) calls for "
                "the other test. Which rule was applied?")
    if r.check == "p-ttest":
        return (f"{where}: the printed p = {r.reported} does not follow from the printed means and "
                "SDs by a t-test. Which test was used, and are the summaries as intended?")
    if r.check in ("percent", "percent-reachable"):
        return (f"{where}: the printed {r.reported} does not follow from the count and the "
                "denominator. Could you confirm the count, the denominator and the percentage?")
    if r.check == "arm-sum":
        return f"{where}: the categories do not add up to the group. Could you confirm them?"
    if r.check == "crude-ratio":
        if r.verdict == "explained":
            return (f"{where}: the printed {r.reported} matches {r.basis.split(' (')[0]} of the "
                    "printed counts. Is the measure the one the column heading names?")
        return (f"{where}: we could not reproduce the printed {r.reported} from the printed counts "
                "under any usual model. Which model and counts produced it?")
    if r.check == "ci-centre":
        if r.verdict == "explained":
            return (f"{where}: the interval of {r.reported} is not symmetric about the estimate; "
                    "was it a profile-likelihood (or other non-Wald) interval?")
        return (f"{where}: the estimate of {r.reported} is not at the centre of its interval on "
                "the scale of the measure. Could you confirm the estimate and both bounds?")
    if r.check == "ci-p":
        if r.verdict == "explained":
            return (f"{where}: the printed p = {r.reported} fits {r.basis.replace('the p beside ', '')}. "
                    "Could you confirm the model behind the estimate, interval and p?")
        return (f"{where}: the printed p = {r.reported} does not agree with the printed estimate "
                "and interval. Could you confirm the three numbers?")
    if r.check == "duplicate":
        return (f"{where}: the value printed here ({r.reported}) differs from the one in "
                f"{r.basis.replace('compared with ', '')}. Which is correct?")
    return f"{where} ({r.check}): could you confirm the printed {r.reported}?"  # pragma: no cover


def questions(audit=None, study: str | None = None) -> pd.DataFrame:
    """Questions a peer reviewer would send the authors: one per ``inconsistent`` or
    ``explained`` row of the audit (of one study, or of every study), in neutral words, those
    whose consequence changes a conclusion first, then inconsistent before explained, then in the
    audit's order. Columns ``study, location, item, check, verdict, consequence, question,
    evidence`` (the evidence is the audit's detail)."""
    audit = _check_audit(audit)
    if study is not None:
        if not isinstance(study, str) or study not in set(audit["study"]):
            raise ValueError(f"study must be one of {list(dict.fromkeys(audit['study']))}, got {study!r}")
        audit = audit[audit["study"] == study]
    rows = audit[audit["verdict"].isin(["inconsistent", "explained"])].copy()
    # one question per printed number: a p-ttest01 row is the evidence of its named-test row
    rows = rows[rows["check"] != "p-ttest01"]
    rows["_order"] = range(len(rows))
    rows["_c"] = rows["consequence"].map(_CONSEQUENCE_RANK)
    rows["_v"] = (rows["verdict"] == "explained").astype(int)
    rows = rows.sort_values(["_c", "_v", "_order"], kind="stable")
    out = rows[["study", "location", "item", "check", "verdict", "consequence"]].copy()
    out["question"] = [_question(r) for r in rows.itertuples(index=False)]
    out["evidence"] = rows["detail"].to_numpy()
    return out.reset_index(drop=True)


def questions_markdown(study: str, audit=None) -> str:
    """:func:`questions` for one study as a numbered Markdown list (the question, then its
    evidence in italics; a consequence that changes a conclusion is said first)."""
    q = questions(audit, study)
    if q.empty:
        return "The audit found nothing to ask the authors about: every checked number fits."
    lines = []
    for i, r in enumerate(q.itertuples(index=False), 1):
        lead = (f"**Changes a conclusion ({r.consequence}).** " if r.consequence not in ("none", "")
                else "")
        text = re.sub(r"([*_`])", r"\\\1", f"{r.question}")
        ev = re.sub(r"([*_`])", r"\\\1", r.evidence)
        lines.append(f"{i}. {lead}{text} *Evidence ({r.check}):* {ev}")
    return "\n".join(lines)


def questions_box(study: str, audit=None):
    """:func:`questions_markdown` under a bold heading, as an IPython Markdown object: the one
    call a paper's chapter makes after its Verdict box."""
    from IPython.display import Markdown
    text = questions_markdown(study, audit)
    return Markdown(f"**Questions for the authors** (from the audit's inconsistent and explained "
                    f"rows, those that would change a conclusion first):\n\n{text}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.audit",
                                     description="Audit every printed number of the data package.")
    parser.add_argument("--csv", metavar="PATH", help="write the full audit table to this CSV file")
    parser.add_argument("--study", help="audit one study only (a study key)")
    args = parser.parse_args(argv)
    try:
        audit = run_audit(study=args.study)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.csv:
        audit.to_csv(args.csv, index=False, lineterminator="\n")
    by_verdict, by_check = summary(audit)
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print(f"Audit of {len(audit)} checks over {len(by_verdict)} studies\n")
        print("Checks by verdict:")
        print(by_verdict.to_string())
        print("\nChecks by kind:")
        print(by_check.to_string())
    if args.csv:
        print(f"\nFull table written to {args.csv}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
