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
through either printed bound would put the null on the other side (through the one bound that
the printed p agrees with, when it agrees with only one), ``direction`` when the
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
    Not centred is ``explained`` when the printed counts reproduce the interval with a non-Wald
    (profile, score or exact) interval (``crude-ratio``), or, for a row without counts whose
    estimate lies inside its interval, when the other crude rows of the same table, measure and
    adjustment are reproduced only by such intervals; ``inconsistent`` otherwise (an estimate
    outside its interval is inconsistent). The ``ci-p`` row of an explained interval that the
    symmetric reading does not fit is ``explained`` when the counts reproduce the p, or when the
    p lies between the Wald p-values implied by the interval's lower and upper halves (a Wald p
    beside a profile-likelihood interval), and ``inconsistent`` otherwise.
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
``subset-n``
    A printed or stated denominator of a proportion (patients with follow-up imaging, say) is a
    subset of its arm: ``consistent`` when it is at most the arm's size, ``inconsistent`` otherwise.
``grim``, ``grimmer``
    For a mean (SD) of an item whose values are whole numbers (``continuous.values`` =
    ``integer``): can a whole-number total over the group size give the printed mean (GRIM, Brown
    & Heathers 2017), and can such whole numbers also have the printed SD (GRIMMER, Anaya 2016)?
    ``unverifiable`` when the group size is not printed (:mod:`helpers.audit.grim`).

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
import sys
from collections.abc import Mapping

import pandas as pd

from helpers.formatting import md_escape


from helpers.audit.common import (CHECKS, COLUMNS, CONSEQUENCES, FAMILIES, VERDICTS, _REQUIRED,
                                  _location_key, _missing)
from helpers.audit.common import (CHECK_WORDS, INSPECT_SR, VERDICT_WORDS)
from helpers.audit import duplicates, estimates, grim, percentages, pvalues, sums

#: the check families, in the order they run (a later family may use what an earlier one left in
#: the shared state: the p-value checks use the counts that printed percentages allow). Adding a
#: check kind means adding a module with a ``run(pkg, arm_n, out, state)`` function, listing it
#: here, and adding its names to CHECKS, INSPECT_SR, FAMILIES and CHECK_WORDS in
#: :mod:`helpers.audit.common`.
REGISTRY = (percentages, pvalues, estimates, duplicates, sums, grim)

__all__ = ["COLUMNS", "VERDICTS", "CHECKS", "CONSEQUENCES", "INSPECT_SR", "FAMILIES", "CHECK_WORDS",
           "VERDICT_WORDS", "run_audit", "summary", "account", "count", "questions",
           "questions_markdown", "questions_box", "main", "REGISTRY", "SHIPPED_TABLE"]


# --------------------------------------------------------------------------- engine

def _check_package(package) -> Mapping:
    if not isinstance(package, Mapping):
        raise ValueError(f"package must be a dict of DataFrames by table kind (as load_package() "
                         f"returns), got {type(package).__name__}")
    for kind in _REQUIRED:
        if kind not in package or not isinstance(package[kind], pd.DataFrame):
            raise ValueError(f"package is missing the table kind {kind!r}")
    _check_counts(package)
    return package


#: count columns of a package passed to run_audit, checked at the boundary (load_package already
#: guarantees them; a hand-built package may not)
_COUNT_COLUMNS = {"arms": ("n",), "proportions": ("count", "total")}


def _check_counts(package) -> None:
    from helpers.validation import check_count

    for kind, columns in _COUNT_COLUMNS.items():
        frame = package[kind]
        for column in columns:
            if column not in frame.columns:
                raise ValueError(f"package[{kind!r}] is missing the column {column!r}")
            for i, value in enumerate(frame[column]):
                if _missing(value):
                    continue
                where = f"package[{kind!r}][{column!r}] row {i}"
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError(f"{where} must be a whole number (a count), got {value!r}")
                check_count(int(value) if isinstance(value, float) else value, where)
        if kind == "proportions":
            for i, (k, n) in enumerate(zip(frame["count"], frame["total"])):
                if not _missing(k) and not _missing(n) and k > n:
                    raise ValueError(f"package['proportions'] row {i}: count {k} exceeds total {n}")


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
        # this repository's data: remembered per study and per state of the files (the same key
        # as helpers.data.load_package's cache), since a chapter asks for its study's audit twice
        # (the questions box and the verdict counts); each caller gets its own copy
        from helpers.data import _fingerprint, default_root

        if study is not None and not isinstance(study, str):
            raise ValueError(f"study must be a study key (a string), got {study!r}")
        root = default_root()
        return _audit_of_files(str(root), _fingerprint(root), study).copy()
    return _run_audit(package, study)


@functools.lru_cache(maxsize=16)
def _audit_of_files(root: str, fingerprint: tuple, study: str | None) -> pd.DataFrame:
    from helpers.data import load_package

    return _run_audit(load_package(root), study)


def _run_audit(package, study: str | None) -> pd.DataFrame:
    pkg = dict(_check_package(package))
    order = list(dict.fromkeys(pkg["studies"]["study"].astype(str)))
    if study is not None:
        if not isinstance(study, str) or study not in order:
            raise ValueError(f"study must be one of {order}, got {study!r}")
        pkg = {k: (v[v["study"] == study] if "study" in v.columns else v) for k, v in pkg.items()}
    arm_n = {(s, a): (None if _missing(n) else int(n))
             for s, a, n in zip(pkg["arms"]["study"], pkg["arms"]["arm"], pkg["arms"]["n"])}
    out: list = []
    state: dict = {}
    for family in REGISTRY:
        family.run(pkg, arm_n, out, state)
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
    unknown = sorted(set(map(str, audit["verdict"])) - set(VERDICTS))
    if unknown:  # a row with another verdict would vanish from the counts
        raise ValueError(f"audit has verdict(s) {unknown} outside {VERDICTS}")
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
        if isinstance(value, str):
            values = {value}
        elif isinstance(value, (list, tuple, set, frozenset)):
            values = set(value)
        else:
            raise ValueError(f"{name} must be a value or a collection of values, got {value!r}"[:160])
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
    if r.check == "subset-n":
        return (f"{where}: the denominator {r.reported} is larger than the group it is part of. "
                "Could you confirm the denominator and the group size?")
    if r.check in ("grim", "grimmer"):
        what = "mean" if r.check == "grim" else "mean and SD"
        return (f"{where}: no {what} of whole numbers over the group prints as {r.reported}. Could "
                "you confirm the summary and the number of patients it covers?")
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
    if audit is None and isinstance(study, str):
        audit = run_audit(study=study)  # one study's checks only: a chapter's cost stays flat as papers are added
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
    if not isinstance(study, str):
        raise ValueError(f"study must be a study key, got {study!r}")
    q = questions(audit, study)
    if q.empty:
        return "The audit found nothing to ask the authors about: every checked number fits."
    lines = []
    for i, r in enumerate(q.itertuples(index=False), 1):
        lead = (f"**Changes a conclusion ({r.consequence}).** " if r.consequence not in ("none", "")
                else "")
        text, ev = md_escape(f"{r.question}"), md_escape(r.evidence)
        lines.append(f"{i}. {lead}{text} *Evidence ({r.check}):* {ev}")
    return "\n".join(lines)


def questions_box(study: str, audit=None):
    """:func:`questions_markdown` under a bold heading, as an IPython Markdown object: the one
    call a paper's chapter makes after its Verdict box."""
    from IPython.display import Markdown
    text = questions_markdown(study, audit)
    return Markdown(f"**Questions for the authors** (from the audit's inconsistent and explained "
                    f"rows, those that would change a conclusion first):\n\n{text}")


#: the tracked copy of the audit table that the Audit chapter ships (regenerated by ``make audit-table``)
SHIPPED_TABLE = "chapters/audit-table.csv"

_EPILOG = """exit status:
  0  the audit ran (and the table was written, when asked)
  1  the data package is malformed or unreadable, or the output file was refused
     (it exists and --force was not given, git tracks it, it is a source file, its
     directory is missing or not writable); one line per problem, no traceback
  2  bad command-line arguments (e.g. an unknown --study)

No option overwrites a file tracked by git; the shipped table chapters/audit-table.csv
is regenerated only by --update-shipped (what `make audit-table` runs)."""


def main(argv=None) -> int:
    """Command line: ``python -m helpers.audit [--root DIR] [--study KEY] [--csv PATH [--force]]``."""
    from helpers.data import load_package_for_cli
    from helpers.safe_io import REPO_ROOT, WriteRefused, check_output_path, write_text_safely

    parser = argparse.ArgumentParser(prog="python -m helpers.audit",
                                     description="Audit every printed number of the data package.",
                                     epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", metavar="DIR", default=None,
                        help="data folder holding datapackage.json (default: this repository's data/)")
    parser.add_argument("--csv", metavar="PATH",
                        help="write the full audit table to this new CSV file (never a tracked file)")
    parser.add_argument("--force", action="store_true",
                        help="with --csv, replace an existing untracked file")
    parser.add_argument("--update-shipped", action="store_true",
                        help=f"regenerate the tracked {SHIPPED_TABLE} from this repository's data/")
    parser.add_argument("--study", help="audit one study only (a study key)")
    args = parser.parse_args(argv)
    if args.update_shipped and (args.csv or args.root or args.study):
        print("error: --update-shipped takes no --csv, --root or --study", file=sys.stderr)
        return 2
    target = REPO_ROOT / SHIPPED_TABLE if args.update_shipped else args.csv
    allow = (SHIPPED_TABLE,) if args.update_shipped else ()
    if target:
        try:  # refuse a bad output path before the work
            check_output_path(target, force=args.force, allow_tracked=allow)
        except WriteRefused as exc:
            print(str(exc), file=sys.stderr)
            return 1
    package, problems = load_package_for_cli(args.root)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        return 1
    try:
        audit = run_audit(package, study=args.study)
    except ValueError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    if target:
        try:
            write_text_safely(target, audit.to_csv(index=False, lineterminator="\n"), force=args.force,
                              allow_tracked=allow)
        except WriteRefused as exc:
            print(str(exc), file=sys.stderr)
            return 1
    by_verdict, by_check = summary(audit)
    with pd.option_context("display.width", 200, "display.max_columns", 50):
        print(f"Audit of {len(audit)} checks over {len(by_verdict)} studies\n")
        print("Checks by verdict:")
        print(by_verdict.to_string())
        print("\nChecks by kind:")
        print(by_check.to_string())
    if target:
        print(f"\nFull table written to {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
