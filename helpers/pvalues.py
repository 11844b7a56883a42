"""P-value reproduction from the counts and summary statistics a paper prints.

* :func:`categorical_pvalues`: for a 2×2 table, Fisher's exact test (two-sided, scipy's
  ``fisher_exact``: sum of the probabilities of all tables with the same margins that are no more
  likely than the observed one) and Pearson's chi-square without and with Yates' continuity
  correction (``scipy.stats.chi2_contingency``). For an r×c table, Pearson's chi-square and the
  Fisher–Freeman–Halton exact test (Freeman & Halton, Biometrika 1951;38:141-9), computed here by
  exact enumeration of every table with the observed margins because scipy 1.17's
  ``fisher_exact`` handles r×c tables only by Monte Carlo or permutation resampling. As in R's
  ``fisher.test``, tables whose probability is within a relative 1e-7 of the observed one count
  as "as extreme". :func:`fisher_freeman_halton` refuses (ValueError) beyond ``max_tables`` tables;
  :func:`categorical_pvalues` then falls back, openly (``fisher_method``), to scipy's Monte Carlo
  version with a fixed seed.
* :func:`ttest_pvalues`: Student's and Welch's two-sample t-tests from means, SDs and sizes
  (``scipy.stats.ttest_ind_from_stats``).
* :func:`binary_ttest_pvalues` and :func:`ordinal_ttest_pvalues`: Student's and Welch's t-tests
  applied to a yes/no variable coded 0/1 (the mean is then the proportion), or to a categorical
  variable coded by numeric scores (e.g. 0, 1, 2, 3 for ordered grades). This is what a statistics
  program does when a coded categorical variable is analysed as a number; it is not a test for
  categorical data that methods sections usually name, and it is offered so that such a p-value
  can be *recognised*, not recommended. The group means and SDs follow from the counts
  (SD of a 0/1 variable = sqrt(k(n − k) / (n(n − 1)))), so the result equals
  ``scipy.stats.ttest_ind`` on the expanded individual codes and R's ``t.test``.
* :func:`matching_tests`: which candidate p-values print as the paper's p, by the one tolerance
  rule of :mod:`helpers.printed`.

Rows or columns of a contingency table that are entirely zero (a category nobody fell into, e.g.
``0 (0)`` in both groups) carry no information for either test and are dropped before testing;
the result says how many were dropped.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats
from scipy.special import gammaln

from helpers.printed import agrees, as_printed
from helpers.validation import (check_count, check_finite, check_positive, check_total, check_two_by_two,
                                check_whole)

#: the most tables an exact test may enumerate (about a minute of work)
MAX_TABLES = 20_000_000

__all__ = ["categorical_pvalues", "fisher_freeman_halton", "ttest_pvalues", "binary_ttest_pvalues",
           "ordinal_ttest_pvalues", "matching_tests"]

_REL_ERR = 1 + 1e-7  # R fisher.test's tolerance for ties in table probability


class _TooManyTables(ValueError):
    """Raised when exact enumeration would exceed ``max_tables``."""


def _clean_table(table) -> tuple[np.ndarray, int, int]:
    try:
        rows = [list(r) for r in table]
    except TypeError:
        raise ValueError(f"table must be a 2-D array of counts (rows = groups), got {table!r}") from None
    if len(rows) < 2 or any(len(r) != len(rows[0]) for r in rows) or len(rows[0]) < 2:
        raise ValueError("table must be rectangular with at least 2 rows and 2 columns")
    arr = np.array([[check_count(x, f"table[{i}][{j}]") for j, x in enumerate(r)]
                    for i, r in enumerate(rows)], dtype=np.int64)
    keep_r = arr.sum(axis=1) > 0
    keep_c = arr.sum(axis=0) > 0
    dropped_r = int((~keep_r).sum())
    dropped_c = int((~keep_c).sum())
    arr = arr[keep_r][:, keep_c]
    if arr.shape[0] < 2 or arr.shape[1] < 2:
        raise ValueError("table has fewer than 2 non-empty rows or columns: nothing to compare")
    return arr, dropped_r, dropped_c


def fisher_freeman_halton(table, max_tables: int = 2_000_000) -> float:
    """Two-sided Fisher–Freeman–Halton exact p for an r×c table, by exact enumeration.

    p = Σ P(T) over all tables T with the observed margins and P(T) ≤ P(observed)·(1 + 1e-7),
    where P(T) = Π r_i! Π c_j! / (N! Π t_ij!) (multivariate hypergeometric). Raises ValueError if
    more than ``max_tables`` tables would have to be enumerated.
    """
    arr, _, _ = _clean_table(table)
    max_tables = check_whole(max_tables, "max_tables", 1, MAX_TABLES)
    if arr.shape[0] > arr.shape[1]:
        arr = arr.T
    r_tot = arr.sum(axis=1)
    c_tot = arr.sum(axis=0)
    n = int(arr.sum())
    const = gammaln(r_tot + 1).sum() + gammaln(c_tot + 1).sum() - gammaln(n + 1)
    lf = gammaln(np.arange(n + 1) + 1)
    obs = const - lf[arr].sum()
    threshold = obs + math.log(_REL_ERR)
    nrow, ncol = arr.shape
    total = 0.0
    count = 0

    # enumerate column by column; a column is a composition of c_j into nrow parts bounded by the
    # remaining row totals; the last column is forced
    def columns(cj, remaining):
        if len(remaining) == 1:
            if cj <= remaining[0]:
                yield (cj,)
            return
        rest_cap = sum(remaining[1:])
        for x in range(max(0, cj - rest_cap), min(cj, remaining[0]) + 1):
            for tail in columns(cj - x, remaining[1:]):
                yield (x,) + tail

    def recurse(j, remaining, logsum):
        nonlocal total, count
        if j == ncol - 1:
            count += 1
            if count > max_tables:
                raise _TooManyTables(f"table needs more than max_tables={max_tables} tables to enumerate")
            lp = const - logsum - sum(lf[x] for x in remaining)
            if lp <= threshold:
                total += math.exp(lp)
            return
        for col in columns(int(c_tot[j]), remaining):
            recurse(j + 1, tuple(r - x for r, x in zip(remaining, col)), logsum + sum(lf[x] for x in col))

    recurse(0, tuple(int(x) for x in r_tot), 0.0)
    return min(1.0, total)


MC_SEED = 20250101
MC_RESAMPLES = 100_000


def categorical_pvalues(table, max_tables: int = 50_000) -> dict:
    """P-values of the usual tests for a contingency table (rows = groups, columns = categories).

    Returns a dict with:

    * ``p``: ``{"fisher": ..., "chisq": ..., "chisq_yates": ...}`` for a 2×2 table;
      ``{"fisher": ..., "chisq": ...}`` for larger tables (``fisher`` is then Fisher–Freeman–Halton);
    * ``chisq_statistic``, ``df``: Pearson's X² (uncorrected) and its degrees of freedom;
    * ``min_expected``: the smallest expected count under independence;
    * ``rule_picks_fisher``: True when any expected count is below 5, i.e. the usual rule
      "chi-square, or Fisher's exact test when an expected count is < 5" would pick Fisher;
      ``rule_test``: ``"fisher"`` or ``"chisq"`` accordingly;
    * ``shape``: the table's shape after dropping empty rows/columns; ``dropped``: how many were dropped;
    * ``fisher_method``: ``"exact"``, or for an r×c table needing more than ``max_tables`` tables,
      ``"monte carlo"``: scipy's ``fisher_exact`` with ``MonteCarloMethod`` (100,000 random tables
      with the observed margins, fixed seed ``MC_SEED``, so reruns give the same number; Monte Carlo
      standard error at most 0.0016), with ``fisher_mc_se`` its standard error.
    """
    arr, dr, dc = _clean_table(table)
    max_tables = check_whole(max_tables, "max_tables", 1, MAX_TABLES)
    chi = stats.chi2_contingency(arr, correction=False)
    p = {}
    method, mc_se = "exact", 0.0
    if arr.shape == (2, 2):
        p["fisher"] = float(stats.fisher_exact(arr).pvalue)
        p["chisq"] = float(chi.pvalue)
        p["chisq_yates"] = float(stats.chi2_contingency(arr, correction=True).pvalue)
    else:
        try:
            p["fisher"] = fisher_freeman_halton(arr, max_tables=max_tables)
            method, mc_se = "exact", 0.0
        except _TooManyTables:
            res = stats.fisher_exact(arr, method=stats.MonteCarloMethod(
                n_resamples=MC_RESAMPLES, rng=np.random.default_rng(MC_SEED)))
            p["fisher"] = float(res.pvalue)
            method = "monte carlo"
            mc_se = math.sqrt(p["fisher"] * (1 - p["fisher"]) / MC_RESAMPLES)
        p["chisq"] = float(chi.pvalue)
    min_exp = float(chi.expected_freq.min())
    picks = min_exp < 5
    return {
        "p": p,
        "chisq_statistic": float(chi.statistic),
        "df": int(chi.dof),
        "min_expected": min_exp,
        "rule_picks_fisher": picks,
        "rule_test": "fisher" if picks else "chisq",
        "shape": tuple(int(s) for s in arr.shape),
        "dropped": dr + dc,
        "fisher_method": method,
        "fisher_mc_se": mc_se,
    }


def ttest_pvalues(mean_a, sd_a, n_a, mean_b, sd_b, n_b) -> dict:
    """Two-sided p of Student's (pooled variance) and Welch's t-tests from summary statistics
    (``scipy.stats.ttest_ind_from_stats``). Returns ``{"student": p, "welch": p}`` plus
    ``t_student``, ``t_welch``. SDs must be positive, group sizes at least 2."""
    ma = check_finite(mean_a, "mean_a")
    mb = check_finite(mean_b, "mean_b")
    sa = check_positive(sd_a, "sd_a")
    sb = check_positive(sd_b, "sd_b")
    na = check_total(n_a, "n_a")
    nb = check_total(n_b, "n_b")
    for n, name in ((na, "n_a"), (nb, "n_b")):
        if n < 2:
            raise ValueError(f"{name} must be at least 2 for a t-test, got {n}")
    st = stats.ttest_ind_from_stats(ma, sa, na, mb, sb, nb, equal_var=True)
    wt = stats.ttest_ind_from_stats(ma, sa, na, mb, sb, nb, equal_var=False)
    return {"student": float(st.pvalue), "welch": float(wt.pvalue),
            "t_student": float(st.statistic), "t_welch": float(wt.statistic)}


def ordinal_ttest_pvalues(table, scores) -> dict:
    """Student's and Welch's t-tests on a categorical variable coded by numeric ``scores``.

    ``table`` has two rows (the groups) and one column per category, holding counts; ``scores``
    gives the numeric code of each column (e.g. ``(0, 1, 2, 3)`` for mTICI 1, 2a, 2b, 3 coded in
    order; ``(1, 0)`` for yes/no). Each group's mean and SD are those of its patients' codes
    (SD with divisor n − 1), and the two-sample t-tests follow
    (``scipy.stats.ttest_ind_from_stats``), exactly as ``scipy.stats.ttest_ind`` or R's
    ``t.test(x, y, var.equal = TRUE / FALSE)`` would give on the individual codes. Student's test
    pools the variances (df = n_a + n_b − 2); Welch's uses separate variances and the
    Welch–Satterthwaite df (Welch, Biometrika 1947;34:28-35).

    Returns ``{"student": p, "welch": p, "t_student": t, "t_welch": t, "df_welch": df,
    "mean_a": ..., "mean_b": ...}`` (two-sided p).

    Raises ValueError (naming the argument) for a table that is not 2 rows of non-negative integer
    counts, scores that are not finite numbers (one per column, not all equal), a group with fewer
    than 2 patients, or when neither group varies (every patient of each group has the same code,
    e.g. 0/27 vs 0/29 events): the t statistic is then 0/0 or ±∞ and R's ``t.test`` gives NaN or
    stops with "data are essentially constant". When exactly one group does not vary both tests are
    defined (Welch's df is then n − 1 of the other group).
    """
    try:
        rows = [list(r) for r in table]
    except TypeError:
        raise ValueError(f"table must be 2 rows of counts (one column per category), got {table!r}") from None
    if len(rows) != 2 or len(rows[0]) != len(rows[1]) or len(rows[0]) < 2:
        raise ValueError("table must have exactly 2 rows (the groups) of equal length, with at least "
                         f"2 columns (categories), got {table!r}")
    counts = np.array([[check_count(x, f"table[{i}][{j}]") for j, x in enumerate(r)]
                       for i, r in enumerate(rows)], dtype=np.int64)
    try:
        sc = [check_finite(x, f"scores[{j}]") for j, x in enumerate(scores)]
    except TypeError:
        raise ValueError(f"scores must be a sequence of numbers, one per column, got {scores!r}") from None
    if len(sc) != counts.shape[1]:
        raise ValueError(f"scores must give one number per column ({counts.shape[1]}), got {len(sc)}")
    if len(set(sc)) < 2:
        raise ValueError(f"scores must not all be equal, got {scores!r}")
    x = np.array(sc, dtype=float)
    summ = []
    for i, name in ((0, "table[0]"), (1, "table[1]")):
        n = int(counts[i].sum())
        if n < 2:
            raise ValueError(f"{name} must hold at least 2 patients for a t-test, got {n}")
        mean = float((counts[i] * x).sum() / n)
        if len({sc[j] for j in range(len(sc)) if counts[i][j] > 0}) == 1:  # one code only
            mean, var = float(x[counts[i] > 0][0]), 0.0
        else:
            var = float((counts[i] * (x - mean) ** 2).sum() / (n - 1))
        summ.append((mean, math.sqrt(var), n))
    (ma, sa, na), (mb, sb, nb) = summ
    if sa == 0 and sb == 0:
        raise ValueError("table: neither group varies (every patient of each group has the same "
                         f"code; group means {ma:g} and {mb:g}), so the t statistic is undefined")
    st = stats.ttest_ind_from_stats(ma, sa, na, mb, sb, nb, equal_var=True)
    wt = stats.ttest_ind_from_stats(ma, sa, na, mb, sb, nb, equal_var=False)
    va, vb = sa ** 2 / na, sb ** 2 / nb
    df_w = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1))
    return {"student": float(st.pvalue), "welch": float(wt.pvalue),
            "t_student": float(st.statistic), "t_welch": float(wt.statistic), "df_welch": float(df_w),
            "mean_a": ma, "mean_b": mb}


def binary_ttest_pvalues(events_a, total_a, events_b, total_b) -> dict:
    """Student's and Welch's t-tests on a yes/no variable coded 1 (event) and 0 (no event).

    The group means are the proportions events/total; the result equals R's
    ``t.test(c(rep(1, k1), rep(0, n1 - k1)), c(rep(1, k2), rep(0, n2 - k2)), var.equal = TRUE/FALSE)``.
    Returns the dict of :func:`ordinal_ttest_pvalues` (``student``, ``welch``, ``t_student``,
    ``t_welch``, ``df_welch``, ``mean_a``, ``mean_b``).

    Raises ValueError naming the argument for negative or non-integer counts, events above the
    total, totals below 2, and when neither group varies (0/n vs 0/m, n/n vs m/m, 0/n vs m/m):
    the t statistic is then undefined.
    """
    ka = check_count(events_a, "events_a")
    na = check_total(total_a, "total_a")
    kb = check_count(events_b, "events_b")
    nb = check_total(total_b, "total_b")
    for k, n, kn, nn in ((ka, na, "events_a", "total_a"), (kb, nb, "events_b", "total_b")):
        if k > n:
            raise ValueError(f"{kn} ({k}) must not exceed {nn} ({n})")
        if n < 2:
            raise ValueError(f"{nn} must be at least 2 for a t-test, got {n}")
    if ka in (0, na) and kb in (0, nb):
        raise ValueError(f"events_a/total_a = {ka}/{na} and events_b/total_b = {kb}/{nb}: neither group "
                         "varies (all 0 or all 1 codes), so the t statistic is undefined")
    return ordinal_ttest_pvalues([[ka, na - ka], [kb, nb - kb]], (1, 0))


def barnard_pvalue(events_a, total_a, events_b, total_b) -> float:
    """Two-sided p of Barnard's unconditional exact test for two independent binomial samples.

    Unlike Fisher's test it does not condition on the total number of events: the nuisance common
    risk is maximised over (Barnard 1945; Mehta & Senchaudhuri 2003), with the pooled-variance Wald
    statistic as the ordering. Computed by :func:`scipy.stats.barnard_exact` on the table with one
    column per group (the orientation matters: scipy treats the columns as the two binomial
    samples). Raises ValueError naming the argument for negative or non-integer counts, events
    above the total, or zero totals.
    """
    ka, na, kb, nb = check_two_by_two(events_a, total_a, events_b, total_b)
    return float(stats.barnard_exact([[ka, kb], [na - ka, nb - kb]], pooled=True).pvalue)


def matching_tests(candidates: dict, printed_p) -> list[str]:
    """Names of the candidate tests whose p prints as ``printed_p`` (``"0.014"``, ``"< 0.001*"``)
    under the one tolerance rule of :mod:`helpers.printed` (rounding or truncation at the printed
    decimals; ``<`` read literally). Order follows ``candidates``."""
    if not isinstance(candidates, dict) or not candidates:
        raise ValueError(f"candidates must be a non-empty dict of test name -> p, got {candidates!r}")
    pp = as_printed(printed_p, "printed_p")
    if pp.negative or pp.value > 1:
        raise ValueError(f"printed_p must lie in [0, 1], got {pp.text!r}")
    out = []
    for name, p in candidates.items():
        p = check_finite(p, f"candidates[{name!r}]")
        if not 0 <= p <= 1:
            raise ValueError(f"candidates[{name!r}] must lie in [0, 1], got {p}")
        if agrees(p, pp):
            out.append(name)
    return out
