"""Could patients lost to follow-up explain a printed p-value?

When two printed percentages were computed over fewer patients than the group sizes (patients
without an outcome left out), the printed p-value came from the smaller table. This module
searches every pair of denominators at which both printed percentages can arise
(:func:`helpers.consistency.candidate_totals`: rounding or truncation at the printed precision)
and recomputes the usual tests of a 2×2 table on each: Fisher's exact, Pearson's χ² with and
without Yates' correction (:func:`helpers.pvalues.categorical_pvalues`) and Student's and Welch's
t-tests on the 0/1 codes (:func:`helpers.pvalues.binary_ttest_pvalues`). A table is a *hit* when
any of these tests prints as the paper's p (:func:`helpers.pvalues.matching_tests`).
"""

from __future__ import annotations

from helpers.consistency import candidate_totals
from helpers.pvalues import binary_ttest_pvalues, categorical_pvalues, matching_tests
from helpers.validation import check_whole, check_work

#: the largest denominator searched, and the most (count, denominator) pairs of tables tested:
#: each table costs five tests, so these keep a search to a few seconds
MAX_DENOMINATOR = 100_000
MAX_TABLES = 20_000


def denominator_search(printed_a: str, max_a: int, printed_b: str, max_b: int, p_printed: str):
    """Search the denominators 1..``max_a`` and 1..``max_b`` of two printed percentages.

    Returns ``(fits_a, fits_b, hits)``: the ``(count, denominator)`` pairs at which each printed
    percentage arises, and the ``(k_a, n_a, k_b, n_b)`` tables whose recomputed p (any of the
    five tests) prints as ``p_printed``. Raises ``ValueError`` naming the argument on bad input.
    """
    for name, value in (("max_a", max_a), ("max_b", max_b)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
        check_whole(value, name, 1, MAX_DENOMINATOR)
    if not isinstance(p_printed, str) or not p_printed.strip():
        raise ValueError(f"p_printed must be the p as printed, got {p_printed!r}")
    fits = []
    for name, printed, top in (("printed_a", printed_a, max_a), ("printed_b", printed_b, max_b)):
        try:
            fits.append(candidate_totals(printed, min_total=1, max_total=top))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    fits_a, fits_b = fits
    check_work(len(fits_a) * len(fits_b), MAX_TABLES, "the pairs of tables tested", "max_a × max_b")
    try:
        matching_tests({"fisher": 0.5}, p_printed)
    except ValueError as exc:
        raise ValueError(f"p_printed: {exc}") from None
    hits = []
    for ka, da in fits_a:
        for kb, db in fits_b:
            tests = categorical_pvalues([[ka, da - ka], [kb, db - kb]])["p"]
            t01 = binary_ttest_pvalues(ka, da, kb, db)
            tests = {**tests, "student": t01["student"], "welch": t01["welch"]}
            if matching_tests(tests, p_printed):
                hits.append((ka, da, kb, db))
    return fits_a, fits_b, hits
