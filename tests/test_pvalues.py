"""Tests of helpers.pvalues against independent reference values.

R 4.2.2 (Debian r-base-core) output, script run by hand (column-major matrix fill):
    fisher.test(matrix(c(8,1,2,5,3,4), nrow=2))$p.value          # [[8,2,3],[1,5,4]] -> 0.0571470527050004
    chisq.test(matrix(c(8,1,2,5,3,4), nrow=2), correct=FALSE)$p.value          -> 0.0369959253918191
    fisher.test(matrix(c(2,4,12,13,13,12), nrow=2))$p.value      # [[2,12,13],[4,13,12]] -> 0.801209682948981
    chisq.test(matrix(c(2,4,12,13,13,12), nrow=2))$p.value       -> 0.71315946204463
    fisher.test(matrix(c(1,2,3,4,5,6,2,0,7), nrow=3))$p.value   # 3x3 -> 0.306953901790074
    m <- matrix(c(12,5,7,7), nrow=2)                             # [[12,7],[5,7]]
    chisq.test(m, correct=FALSE)$p.value -> 0.241529274763687; chisq.test(m)$p.value -> 0.423305424322418
    fisher.test(m)$p.value -> 0.28830810401251
Agresti, Categorical Data Analysis (2002), Table 3.8, tea tasting [[3,1],[1,3]]: two-sided Fisher
P = 0.486 (R: 0.485714285714286).
R's own ?fisher.test example: Job satisfaction 4x4 table, p-value = 0.7827.
Student/Welch: scipy.stats.ttest_ind_from_stats docstring example (n 13 and 11, means 15.0 and 12.0,
variances 87.5 and 39.0; raw data a = 1 3 4 6 11 13 15 19 22 24 25 26 26, b = 2 4 6 9 11 13 14 15 18
19 21). R 4.2.2 on the raw data: t.test(a, b, var.equal=TRUE): t = 0.905135809331027,
p = 0.375199679758149; t.test(a, b) (Welch): t = 0.935846193555605, p = 0.359998186932442.
"""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy import stats

from helpers.pvalues import (barnard_pvalue, binary_ttest_pvalues, categorical_pvalues, fisher_freeman_halton,
                             matching_tests, ordinal_ttest_pvalues, ttest_pvalues)


def test_tea_tasting_fisher():
    r = categorical_pvalues([[3, 1], [1, 3]])
    assert r["p"]["fisher"] == pytest.approx(0.485714285714286, rel=1e-9)
    assert r["rule_picks_fisher"] and r["rule_test"] == "fisher" and r["min_expected"] == 2.0


def test_two_by_two_against_r():
    r = categorical_pvalues([[12, 7], [5, 7]])
    assert r["p"]["chisq"] == pytest.approx(0.241529274763687, rel=1e-9)
    assert r["p"]["chisq_yates"] == pytest.approx(0.423305424322418, rel=1e-9)
    assert r["p"]["fisher"] == pytest.approx(0.28830810401251, rel=1e-9)
    assert not r["rule_picks_fisher"] and r["df"] == 1


@pytest.mark.parametrize(
    "table, fisher, chisq",
    [
        ([[8, 2, 3], [1, 5, 4]], 0.0571470527050004, 0.0369959253918191),
        ([[2, 12, 13], [4, 13, 12]], 0.801209682948981, 0.71315946204463),
        ([[1, 4, 2], [2, 5, 0], [3, 6, 7]], 0.306953901790074, None),
    ],
)
def test_r_by_c_against_r(table, fisher, chisq):
    r = categorical_pvalues(table)
    assert r["fisher_method"] == "exact"
    assert r["p"]["fisher"] == pytest.approx(fisher, rel=1e-9)
    assert "chisq_yates" not in r["p"]
    if chisq is not None:
        assert r["p"]["chisq"] == pytest.approx(chisq, rel=1e-9)
    # transposing the table does not change the exact p
    assert fisher_freeman_halton([list(c) for c in zip(*table)]) == pytest.approx(fisher, rel=1e-9)


def test_empty_category_dropped():
    # Lee 2025 Table 2 Final mTICI: grade 1 is 0 (0) in both groups
    r = categorical_pvalues([[0, 2, 12, 13], [0, 4, 13, 12]])
    assert r["dropped"] == 1 and r["shape"] == (2, 3)
    assert r["p"]["fisher"] == pytest.approx(0.801209682948981, rel=1e-9)


def test_large_table_falls_back_to_monte_carlo():
    job = [[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]]
    r = categorical_pvalues(job)
    assert r["fisher_method"] == "monte carlo"
    assert r["p"]["fisher"] == pytest.approx(0.7827, abs=4 * r["fisher_mc_se"])
    assert categorical_pvalues(job)["p"]["fisher"] == r["p"]["fisher"]  # fixed seed
    with pytest.raises(ValueError, match="max_tables"):
        fisher_freeman_halton(job, max_tables=1000)


@pytest.mark.parametrize(
    "table, word",
    [
        ([[1, 2]], "at least 2 rows"),
        ([[1, 2], [3]], "rectangular"),
        ([[1, -2], [3, 4]], r"table\[0\]\[1\]"),
        ([[1, 2.5], [3, 4]], r"table\[0\]\[1\]"),
        ([[0, 0], [3, 4]], "fewer than 2"),
        (5, "table"),
    ],
)
def test_bad_tables(table, word):
    with pytest.raises(ValueError, match=word):
        categorical_pvalues(table)


@given(st.integers(0, 15), st.integers(1, 15), st.integers(0, 15), st.integers(1, 15))
def test_two_by_two_exact_enumeration_matches_scipy(a, n1, c, n2):
    a, c = min(a, n1), min(c, n2)
    table = [[a, n1 - a], [c, n2 - c]]
    if a + c == 0 or a + c == n1 + n2:
        return
    r = categorical_pvalues(table)
    assert fisher_freeman_halton(table) == pytest.approx(r["p"]["fisher"], rel=1e-7)
    assert 0 < r["p"]["chisq"] <= 1 and 0 < r["p"]["chisq_yates"] <= 1
    assert r["p"]["chisq_yates"] >= r["p"]["chisq"] - 1e-12


def test_ttest_against_r():
    r = ttest_pvalues(15.0, 87.5 ** 0.5, 13, 12.0, 39.0 ** 0.5, 11)
    assert r["student"] == pytest.approx(0.375199679758149, rel=1e-9)
    assert r["t_student"] == pytest.approx(0.905135809331027, rel=1e-9)
    assert r["welch"] == pytest.approx(0.359998186932442, rel=1e-9)
    assert r["t_welch"] == pytest.approx(0.935846193555605, rel=1e-9)


@pytest.mark.parametrize(
    "args, word",
    [
        ((1, 0, 10, 2, 1, 10), "sd_a"),
        ((1, 1, 1, 2, 1, 10), "n_a"),
        ((1, 1, 10, 2, 1, 2.5), "n_b"),
        ((float("nan"), 1, 10, 2, 1, 10), "mean_a"),
    ],
)
def test_ttest_bad_input(args, word):
    with pytest.raises(ValueError, match=word):
        ttest_pvalues(*args)


def test_matching_tests():
    cands = categorical_pvalues([[12, 7], [5, 7]])["p"]
    assert matching_tests(cands, "0.288") == ["fisher"]
    assert matching_tests(cands, "0.42") == ["chisq_yates"]  # 0.4233 truncates/rounds to 0.42
    assert matching_tests(cands, "0.24") == ["chisq"]
    assert matching_tests({"fisher": 0.0004, "chisq": 0.0011}, "< 0.001*") == ["fisher"]
    assert matching_tests({"fisher": 0.0571}, "0.057") == ["fisher"]
    assert matching_tests({"x": 0.5}, "0.05") == []


@pytest.mark.parametrize(
    "cands, printed, word",
    [
        ({}, "0.05", "candidates"),
        ({"a": 1.5}, "0.05", "candidates"),
        ({"a": float("nan")}, "0.05", "candidates"),
        ({"a": 0.5}, "1.5", "printed_p"),
        ({"a": 0.5}, "n.s.", "printed_p"),
    ],
)
def test_matching_tests_bad_input(cands, printed, word):
    with pytest.raises(ValueError, match=word):
        matching_tests(cands, printed)


# --------------------------------------------------------------------------- t-tests on codes

def test_binary_ttest_against_r():
    """Reference values from R 4.2.2 (Rscript, run by hand), b <- function(k, n) c(rep(1, k), rep(0, n - k)):

        t.test(b(3, 10), b(7, 12), var.equal = TRUE)   # t = -1.3212479572, p = 0.2013359479
        t.test(b(3, 10), b(7, 12))                     # t = -1.3293204389, df = 19.67820482, p = 0.1989490450
        t.test(b(32, 39), b(7, 12), var.equal = TRUE)  # t = 1.7090219036, p = 0.0937743162
        t.test(b(32, 39), b(7, 12))                    # p = 0.1616770281
        t.test(b(18, 70), b(4, 38))                    # Welch p = 0.0397906516 (Student 0.0621800099)
        t.test(b(23, 70), b(6, 38))                    # Welch p = 0.0411227730 (Student 0.0567434829)
        t.test(b(5, 27), b(4, 29))                     # Welch p = 0.6393519717 (Student 0.6378216353)
        t.test(b(6, 39), b(3, 17))                     # Welch p = 0.8411220736 (Student 0.8358357063)
        t.test(b(24, 27), b(18, 29), var.equal = TRUE) # p = 0.0202815346; Welch p = 0.0189749682
        t.test(b(0, 10), b(3, 12))                     # Welch t = -1.9148542155, df = 11, p = 0.0818642312
                                                       # Student p = 0.0970864910
    """
    ref = [  # (k1, n1, k2, n2, student, welch)
        (3, 10, 7, 12, 0.2013359479, 0.1989490450),
        (32, 39, 7, 12, 0.0937743162, 0.1616770281),
        (18, 70, 4, 38, 0.0621800099, 0.0397906516),
        (23, 70, 6, 38, 0.0567434829, 0.0411227730),
        (5, 27, 4, 29, 0.6378216353, 0.6393519717),
        (6, 39, 3, 17, 0.8358357063, 0.8411220736),
        (24, 27, 18, 29, 0.0202815346, 0.0189749682),
        (0, 10, 3, 12, 0.0970864910, 0.0818642312),
    ]
    for k1, n1, k2, n2, student, welch in ref:
        r = binary_ttest_pvalues(k1, n1, k2, n2)
        assert r["student"] == pytest.approx(student, rel=1e-8), (k1, n1, k2, n2)
        assert r["welch"] == pytest.approx(welch, rel=1e-8), (k1, n1, k2, n2)
    r = binary_ttest_pvalues(3, 10, 7, 12)
    assert r["t_student"] == pytest.approx(-1.3212479572, rel=1e-8)
    assert r["t_welch"] == pytest.approx(-1.3293204389, rel=1e-8)
    assert r["df_welch"] == pytest.approx(19.67820482, rel=1e-8)
    assert binary_ttest_pvalues(0, 10, 3, 12)["df_welch"] == pytest.approx(11.0)


def test_ordinal_ttest_against_r():
    """R 4.2.2 (Rscript, run by hand), o <- function(cnt, sc) rep(sc, cnt):

        x <- o(c(0, 2, 12, 13), 0:3); y <- o(c(0, 4, 13, 12), 0:3)   # mTICI 1/2a/2b/3 coded 0..3
        t.test(x, y, var.equal = TRUE)$p.value   # 0.4666792986
        t.test(x, y)$p.value                     # 0.4650971561 (t = 0.7357031488)
        x <- o(c(1, 4, 3, 2), c(1, 2, 3, 5)); y <- o(c(3, 3, 1, 0), c(1, 2, 3, 5))
        t.test(x, y, var.equal = TRUE)$p.value   # 0.0693444058
        t.test(x, y)$p.value                     # 0.0487196839
    """
    r = ordinal_ttest_pvalues([[0, 2, 12, 13], [0, 4, 13, 12]], (0, 1, 2, 3))
    assert r["student"] == pytest.approx(0.4666792986, rel=1e-8)
    assert r["welch"] == pytest.approx(0.4650971561, rel=1e-8)
    assert r["t_welch"] == pytest.approx(0.7357031488, rel=1e-8)
    r = ordinal_ttest_pvalues([[1, 4, 3, 2], [3, 3, 1, 0]], [1, 2, 3, 5])
    assert r["student"] == pytest.approx(0.0693444058, rel=1e-8)
    assert r["welch"] == pytest.approx(0.0487196839, rel=1e-8)


@pytest.mark.parametrize("args", [(0, 10, 0, 12), (10, 10, 12, 12), (0, 10, 12, 12)])
def test_binary_ttest_no_variation_raises(args):
    # R: t.test(b(0,10), b(0,12)) gives t = NaN, p = NA; t.test(b(0,10), b(12,12)) stops with
    # "data are essentially constant": undefined, so a ValueError, never a NaN
    with pytest.raises(ValueError, match="neither group varies"):
        binary_ttest_pvalues(*args)


@pytest.mark.parametrize(
    "args, word",
    [
        ((-1, 10, 2, 10), "events_a"),
        ((1.5, 10, 2, 10), "events_a"),
        ((11, 10, 2, 10), "events_a"),
        ((1, 10, 2, 1), "total_b"),
        ((1, 10, 2, 0), "total_b"),
        ((1, 10, float("nan"), 10), "events_b"),
    ],
)
def test_binary_ttest_bad_input(args, word):
    with pytest.raises(ValueError, match=word):
        binary_ttest_pvalues(*args)


@pytest.mark.parametrize(
    "table, scores, word",
    [
        ([[1, 2], [3, 4], [5, 6]], (0, 1), "table"),
        ([[1, 2, 3], [3, 4]], (0, 1, 2), "table"),
        ([[1, -2], [3, 4]], (0, 1), r"table\[0\]\[1\]"),
        ([[1, 2], [3, 4]], (0, 1, 2), "scores"),
        ([[1, 2], [3, 4]], (1, 1), "scores"),
        ([[1, 2], [3, 4]], (0, float("inf")), r"scores\[1\]"),
        ([[1, 0], [3, 4]], (0, 1), r"table\[0\]"),
        ([[0, 5, 0], [0, 7, 0]], (0, 1, 2), "neither group varies"),
        (5, (0, 1), "table"),
    ],
)
def test_ordinal_ttest_bad_input(table, scores, word):
    with pytest.raises(ValueError, match=word):
        ordinal_ttest_pvalues(table, scores)


def _codes(k, n):
    return np.r_[np.ones(k), np.zeros(n - k)]


# the reference (scipy on the raw codes) warns about precision when one group is constant
_REF_WARNING = "ignore:Precision loss occurred:RuntimeWarning"


@pytest.mark.filterwarnings(_REF_WARNING)
@given(st.integers(2, 60), st.integers(2, 60), st.data())
def test_binary_ttest_equals_scipy_on_expanded_codes(n1, n2, data):
    k1 = data.draw(st.integers(0, n1))
    k2 = data.draw(st.integers(0, n2))
    if k1 in (0, n1) and k2 in (0, n2):
        with pytest.raises(ValueError):
            binary_ttest_pvalues(k1, n1, k2, n2)
        return
    r = binary_ttest_pvalues(k1, n1, k2, n2)
    for key, equal_var in (("student", True), ("welch", False)):
        ref = stats.ttest_ind(_codes(k1, n1), _codes(k2, n2), equal_var=equal_var)
        assert r[key] == pytest.approx(float(ref.pvalue), rel=1e-9, abs=1e-14)
        assert 0 <= r[key] <= 1
    # coding events as 0 and non-events as 1 gives the same p
    assert ordinal_ttest_pvalues([[k1, n1 - k1], [k2, n2 - k2]], (0, 1))["welch"] == \
        pytest.approx(r["welch"], rel=1e-9, abs=1e-14)


@pytest.mark.filterwarnings(_REF_WARNING)
@given(st.lists(st.integers(0, 8), min_size=3, max_size=3), st.lists(st.integers(0, 8), min_size=3, max_size=3),
       st.floats(0.1, 10), st.floats(-5, 5))
def test_ordinal_ttest_equals_scipy_and_is_affine_invariant(a, b, scale, shift):
    scores = (0, 1, 3)
    expand = lambda cnt, sc: np.repeat(np.array(sc, dtype=float), cnt)
    xa, xb = expand(a, scores), expand(b, scores)
    if len(xa) < 2 or len(xb) < 2 or (np.ptp(xa) == 0 and np.ptp(xb) == 0):
        return
    r = ordinal_ttest_pvalues([a, b], scores)
    ref = stats.ttest_ind(xa, xb, equal_var=False)
    assert r["welch"] == pytest.approx(float(ref.pvalue), rel=1e-8, abs=1e-12)
    moved = ordinal_ttest_pvalues([a, b], [shift + scale * s for s in scores])
    assert moved["student"] == pytest.approx(r["student"], rel=1e-7, abs=1e-12)


# --- Barnard's unconditional exact test -------------------------------------------------------


def _barnard_brute_force(ka, na, kb, nb, grid=4001):
    """Independent implementation: enumerate every pair of binomial outcomes, order them by the
    pooled-variance Wald statistic, and maximise the tail probability over a fine grid of the
    common risk (Barnard 1945; Mehta & Senchaudhuri 2003)."""
    from scipy.stats import binom

    xa = np.arange(na + 1)[:, None]
    xb = np.arange(nb + 1)[None, :]
    pooled = (xa + xb) / (na + nb)
    var = pooled * (1 - pooled) * (1 / na + 1 / nb)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(var > 0, (xa / na - xb / nb) / np.sqrt(np.where(var > 0, var, 1)), 0.0)
    extreme = np.abs(t) >= abs(t[ka, kb]) - 1e-12
    best = 0.0
    for pi in np.linspace(0, 1, grid):
        prob = binom.pmf(xa, na, pi) * binom.pmf(xb, nb, pi)
        best = max(best, float(prob[extreme].sum()))
    return min(best, 1.0)


# The Guo-sized tables (n = 127) take seconds each by brute force: slow tier (they are also checked
# against independent R values below, in the fast tier); the small tables stay in the fast tier.
@pytest.mark.parametrize("table", [pytest.param(t, marks=pytest.mark.slow) for t in
                                   [(7, 41, 14, 86), (6, 41, 11, 86), (20, 41, 45, 86)]]
                         + [(3, 10, 8, 12), (0, 15, 5, 15)])
def test_barnard_matches_independent_brute_force(table):
    assert barnard_pvalue(*table) == pytest.approx(_barnard_brute_force(*table), rel=2e-3)


def test_barnard_matches_independent_r_values_for_guo2023():
    """An independent reviewer's own R implementation (pooled Wald ordering, nuisance risk
    maximised) gave 0.936, 0.835 and 0.756 for 7/41 vs 14/86, 6/41 vs 11/86 and 20/41 vs 45/86."""
    got = [barnard_pvalue(*t) for t in [(7, 41, 14, 86), (6, 41, 11, 86), (20, 41, 45, 86)]]
    assert [round(p, 3) for p in got] == [0.936, 0.835, 0.756]


@pytest.mark.parametrize("args, name", [((5, 4, 1, 10), "events_a"), ((1, 10, -1, 10), "events_b"),
                                        ((1, 0, 1, 10), "total_a"), ((1.5, 10, 1, 10), "events_a")])
def test_barnard_rejects_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        barnard_pvalue(*args)
