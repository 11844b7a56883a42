"""Tests for helpers.cutoff_simulation.

References are independent of the helper: statsmodels WLS with robust covariances (the loop in
``cutoff_search_statsmodels`` only calls statsmodels), scipy's Welch t-test (HC2 with unit
weights in a saturated cell-means model equals Welch's standard error; Imbens & Kolesar 2016,
Rev Econ Stat 98:701), statsmodels' Logit for the propensity model, and the exact-balance property
of overlap weights (Li, Morgan & Zaslavsky 2018, JASA 113:390, Theorem 3).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

from helpers.cutoff_simulation import (
    MRS_COUNTS_TABLE1,
    SimulationResult,
    cutoff_search,
    cutoff_search_statsmodels,
    median_abs_diff,
    mrs_probabilities,
    overlap_weights,
    prob_abs_diff_at_least,
    prob_p_below,
    sample_stenosis,
    selected_threshold_frequencies,
    simulate_cutoff_search,
    stenosis_quantile_function,
    summarise,
)

THRESHOLDS = list(range(40, 95, 5))


def _data(n_reps=20, seed=7, nt=172, nc=131, rounding=5):
    rng = np.random.default_rng(seed)
    s = np.concatenate([
        sample_stenosis(rng, (n_reps, nt), (70, 80, 90), rounding=rounding),
        sample_stenosis(rng, (n_reps, nc), (30, 40, 80), rounding=rounding),
    ], axis=1)
    y = rng.integers(0, 7, size=s.shape).astype(float)
    z = np.r_[np.ones(nt, bool), np.zeros(nc, bool)]
    return s, z, y


# ----------------------------------------------------------------- agreement with statsmodels

@pytest.mark.parametrize("n_reps", [3, pytest.param(20, marks=pytest.mark.slow)])
@pytest.mark.parametrize("weighted", [False, True])
def test_vectorised_matches_statsmodels_loop(weighted, n_reps):
    # n_reps replicates x 11 thresholds, HC0/HC1/HC2/HC3, unit and non-unit weights, to 1e-8.
    # The statsmodels reference loop is the slow part: 3 replicates in the fast tier, 20 in the slow.
    hcs = ("HC0", "HC1", "HC2", "HC3")
    s, z, y = _data(n_reps=n_reps)
    w = np.random.default_rng(3).uniform(0.05, 1.0, size=s.shape) if weighted else None
    vec = {hc: cutoff_search(s, z, y, w, THRESHOLDS, hc=hc) for hc in hcs}
    for r in range(s.shape[0]):
        refs = cutoff_search_statsmodels(s[r], z, y[r], None if w is None else w[r], THRESHOLDS, hcs)
        for hc in hcs:
            ref, got = refs[hc], vec[hc]
            for j in range(len(THRESHOLDS)):
                assert got["valid"][r, j] == (ref["diff"][j] is not None)
                if ref["diff"][j] is not None:
                    assert got["diff"][r, j] == pytest.approx(ref["diff"][j], abs=1e-8)
                    assert got["se"][r, j] == pytest.approx(ref["se"][j], abs=1e-8)
                    assert got["p"][r, j] == pytest.approx(ref["p"][j], abs=1e-8)
            assert got["selected_threshold"][r] == ref["selected_threshold"]
            assert got["p_selected"][r] == pytest.approx(ref["p_selected"], abs=1e-8)
            assert got["p_min"][r] == pytest.approx(ref["p_min"], abs=1e-8)


def test_statsmodels_reference_single_type_equals_fit_with_cov_type():
    # the reference's get_robustcov_results route equals statsmodels' fit(cov_type="HC3")
    import pandas as pd
    import statsmodels.formula.api as smf

    s, z, y = _data(n_reps=1, seed=4)
    ref = cutoff_search_statsmodels(s[0], z, y[0], None, [75], "HC3")
    data = pd.DataFrame({"mrs": y[0], "treat": z.astype(float), "high": (s[0] > 75).astype(float)})
    fit = smf.wls("mrs ~ treat * high", data=data, weights=np.ones(z.size)).fit(cov_type="HC3", use_t=True)
    assert ref["p"][0] == pytest.approx(float(fit.pvalues["treat:high"]), abs=1e-12)
    assert ref["diff"][0] == pytest.approx(float(fit.params["treat:high"]), abs=1e-12)


def test_vectorised_matches_statsmodels_normal_and_tie_high_with_overlap_weights():
    s, z, y = _data(n_reps=5, seed=11)
    w = overlap_weights(s, z)
    vec = cutoff_search(s, z, y, w, THRESHOLDS, hc="HC3", tie="high", dist="normal")
    for r in range(5):
        ref = cutoff_search_statsmodels(s[r], z, y[r], w[r], THRESHOLDS, "HC3", tie="high", dist="normal")
        np.testing.assert_allclose(vec["p"][r], np.array(ref["p"], float), atol=1e-8)
        np.testing.assert_allclose(vec["diff"][r], np.array(ref["diff"], float), atol=1e-8)


def test_hc2_unit_weights_equals_welch_standard_errors():
    # Saturated model, unit weights: HC2 stratum SE = Welch SE (Imbens & Kolesar 2016).
    s, z, y = _data(n_reps=1, seed=5)
    s, y = s[0], y[0]
    t = 75
    res = cutoff_search(s, z, y, None, [t], hc="HC2")
    high = s > t
    welch_var = 0.0
    for stratum in (high, ~high):
        a, b = y[z & stratum], y[~z & stratum]
        tt = stats.ttest_ind(a, b, equal_var=False)
        se = (a.mean() - b.mean()) / tt.statistic
        welch_var += se ** 2
    assert res["se"][0, 0] == pytest.approx(np.sqrt(welch_var), rel=1e-10)


def test_hc0_cell_mean_variance_textbook_example():
    # Two observations per cell, unit weights: HC0 var of a cell mean = sum (y - ybar)^2 / n^2
    # (White 1980). Cells: TH {0, 2} -> 2/4; TL {1, 1} -> 0; CH {3, 5} -> 2/4; CL {0, 4} -> 8/4.
    s = np.array([90, 90, 10, 10, 90, 90, 10, 10.0])
    z = np.array([1, 1, 1, 1, 0, 0, 0, 0], bool)
    y = np.array([0, 2, 1, 1, 3, 5, 0, 4.0])
    res = cutoff_search(s, z, y, None, [50], hc="HC0", dist="normal")
    # ATE high = 1 - 4 = -3, ATE low = 1 - 2 = -1, diff = -2, var = 0.5 + 0 + 0.5 + 2 = 3
    assert res["diff"][0, 0] == pytest.approx(-2.0)
    assert res["se"][0, 0] == pytest.approx(np.sqrt(3.0))
    assert res["p"][0, 0] == pytest.approx(2 * stats.norm.sf(2 / np.sqrt(3)))


# ----------------------------------------------------------------- degenerate thresholds

def test_degenerate_thresholds_are_skipped_not_nan():
    s = np.array([90, 90, 10, 10, 90, 90, 10, 10, 60.0])
    z = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0], bool)
    y = np.array([0, 2, 1, 1, 3, 5, 0, 4, 2.0])
    res = cutoff_search(s, z, y, None, [50, 70, 95], hc="HC3")
    # 95: no one above -> empty high cells -> skipped; 50 and 70 valid
    assert res["valid"][0].tolist() == [True, True, False]
    assert res["n_valid"][0] == 2
    assert np.isfinite(res["p_selected"][0]) and np.isfinite(res["p_min"][0])
    with pytest.raises(ValueError, match="no threshold"):
        cutoff_search(s, z, y, None, [95], hc="HC3")


def test_single_patient_cell_is_skipped():
    s = np.array([90, 10, 10, 90, 90, 10, 10.0])
    z = np.array([1, 1, 1, 0, 0, 0, 0], bool)
    y = np.array([0, 1, 2, 3, 5, 0, 4.0])
    with pytest.raises(ValueError, match="min_cell"):
        cutoff_search(s, z, y, None, [50], hc="HC3")
    res = cutoff_search(s, z, y, None, [50], hc="HC0", min_cell=1)
    assert res["valid"][0, 0]


# ----------------------------------------------------------------- validation

@pytest.mark.parametrize("kwargs, name", [
    (dict(n_reps=0), "n_reps"),
    (dict(n_treated=1), "n_treated"),
    (dict(n_control=1), "n_control"),
    (dict(thresholds=[]), "thresholds"),
    (dict(thresholds=[40, 140]), "thresholds"),
    (dict(stenosis_quantiles={"treated": (80, 70, 90), "control": (30, 40, 80)}), "stenosis_quantiles"),
    (dict(stenosis_quantiles={"treated": (70, 80, 120), "control": (30, 40, 80)}), "stenosis_quantiles"),
    (dict(stenosis_quantiles={"treated": (-5, 80, 90), "control": (30, 40, 80)}), "stenosis_quantiles"),
    (dict(stenosis_quantiles={"treated": (70, 80, 90)}), "stenosis_quantiles"),
    (dict(hc="HC4"), "hc"),
    (dict(weights="ipw"), "weights"),
    (dict(outcome="alternative"), "outcome"),
    (dict(rounding=0), "rounding"),
    (dict(stenosis_range=(50, 40)), "stenosis_range"),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        simulate_cutoff_search(**{"n_reps": 5, **kwargs})


def test_bad_arrays_raise():
    s, z, y = _data(n_reps=1)
    with pytest.raises(ValueError, match="weights"):
        cutoff_search(s, z, y, -np.ones_like(s))
    with pytest.raises(ValueError, match="treated"):
        cutoff_search(s, z[:-1], y)
    with pytest.raises(ValueError, match="mrs"):
        cutoff_search(s, z, y[:, :-1])


# ----------------------------------------------------------------- data generation

def test_stenosis_distribution_matches_printed_quartiles():
    q = stenosis_quantile_function((30, 40, 80))
    assert q(np.array([0, 0.25, 0.5, 0.75, 1.0])).tolist() == [0, 30, 40, 80, 100]
    rng = np.random.default_rng(0)
    x = sample_stenosis(rng, 200_000, (70, 80, 90), rounding=None)
    assert np.quantile(x, [0.25, 0.5, 0.75]) == pytest.approx([70, 80, 90], abs=0.3)
    xr = sample_stenosis(rng, 1000, (70, 80, 90), rounding=10)
    assert np.all(xr % 10 == 0)


def test_mrs_pseudo_counts_reproduce_table1():
    # Table 1: MT-only 64/131 mRS 0-2, 77/131 mRS 0-3, 20/131 deaths; MT+RS 84/172, 112/172, 21/172.
    for arm, n, le2, le3, dead, q in (("control", 131, 64, 77, 20, (1, 3, 5)),
                                      ("treated", 172, 84, 112, 21, (1, 3, 4))):
        c = np.array(MRS_COUNTS_TABLE1[arm])
        assert c.sum() == n and c[:3].sum() == le2 and c[:4].sum() == le3 and c[6] == dead
        values = np.repeat(np.arange(7), c)
        assert tuple(np.quantile(values, [0.25, 0.5, 0.75], method="inverted_cdf")) == q
        assert tuple(np.quantile(values, [0.25, 0.5, 0.75])) == q  # R type 7 as well
    assert mrs_probabilities([1] * 7) == pytest.approx(np.full(7, 1 / 7))


def test_overlap_weights_match_statsmodels_logit_and_balance_exactly():
    import statsmodels.api as sm

    s, z, _ = _data(n_reps=2, seed=2)
    w = overlap_weights(s, z)
    for r in range(2):
        fit = sm.Logit(z.astype(float), sm.add_constant(s[r])).fit(disp=0)
        e = fit.predict()
        np.testing.assert_allclose(w[r], np.where(z, 1 - e, e), atol=1e-9)
        # exact balance of the weighted mean stenosis (Li, Morgan & Zaslavsky 2018)
        mt = np.average(s[r][z], weights=w[r][z])
        mc = np.average(s[r][~z], weights=w[r][~z])
        assert mt == pytest.approx(mc, abs=1e-8)


# ----------------------------------------------------------------- determinism and chunking

def test_same_seed_same_results_and_chunk_independent():
    a = simulate_cutoff_search(n_reps=300, seed=99)
    b = simulate_cutoff_search(n_reps=300, seed=99, chunk_size=7)
    c = simulate_cutoff_search(n_reps=300, seed=100)
    np.testing.assert_array_equal(a.p_selected, b.p_selected)
    np.testing.assert_array_equal(a.selected_threshold, b.selected_threshold)
    np.testing.assert_array_equal(a.diff_selected, b.diff_selected)
    assert not np.array_equal(a.p_selected, c.p_selected)


# ----------------------------------------------------------------- statistical sanity

def test_single_fixed_threshold_null_p_is_roughly_uniform():
    # No selection: P(p < 0.05) should be 0.05 up to Monte Carlo error. Binomial SD for 2,000
    # replicates is sqrt(0.05*0.95/2000) = 0.0049; the tolerance 0.05 +/- 0.02 (about 4 SD) has a
    # false-alarm probability below 1e-4 for a correctly sized test and still leaves room for
    # HC3's known slight conservativeness; a liberal test of size >= 0.075 would fail it.
    res = simulate_cutoff_search(n_reps=2000, thresholds=[75], hc="HC3", seed=20260213)
    share = prob_p_below(res, 0.05)
    assert 0.03 <= share <= 0.07
    # and the whole distribution: Kolmogorov-Smirnov against U(0, 1) at level 0.001
    # (p-values of a discrete outcome are close to continuous here: hundreds of distinct values)
    assert stats.kstest(res.p_selected, "uniform").pvalue > 0.001


def test_selection_makes_p_stochastically_smaller():
    res = simulate_cutoff_search(n_reps=2000, hc="HC3", seed=1)
    j75 = int(np.flatnonzero(res.thresholds == 75)[0])
    single = res.p[:, j75]
    assert np.all(res.p_min <= single + 1e-15)
    # selected p below 0.05 much more often than a pre-specified threshold's p
    assert prob_p_below(res, 0.05, "selected") > prob_p_below(res, 0.05, 75) + 0.05
    # one-sided KS: the selected p's CDF lies above the single-threshold CDF
    assert stats.ks_2samp(res.p_selected, single, alternative="greater").pvalue < 1e-6


def test_overlap_weights_change_the_null_little():
    a = simulate_cutoff_search(n_reps=2000, seed=5, weights="none")
    b = simulate_cutoff_search(n_reps=2000, seed=5, weights="overlap")
    assert abs(prob_p_below(a, 0.05) - prob_p_below(b, 0.05)) < 0.04


# ----------------------------------------------------------------- properties

@settings(max_examples=25, deadline=None)
@given(shift=st.floats(-10, 10), scale=st.floats(0.1, 10), seed=st.integers(0, 10_000))
def test_invariances(shift, scale, seed):
    s, z, y = _data(n_reps=2, seed=seed, nt=40, nc=30)
    w = np.random.default_rng(seed).uniform(0.1, 1, size=s.shape)
    base = cutoff_search(s, z, y, w, THRESHOLDS, hc="HC3")
    # outcome location shift: diff and p unchanged; weight rescaling: nothing changes
    moved = cutoff_search(s, z, y + shift, w * scale, THRESHOLDS, hc="HC3")
    np.testing.assert_allclose(moved["diff"], base["diff"], atol=1e-8, equal_nan=True)
    np.testing.assert_allclose(moved["p"], base["p"], rtol=1e-7, equal_nan=True)
    # outcome rescaling: diff scales, p unchanged
    stretched = cutoff_search(s, z, y * scale, w, THRESHOLDS, hc="HC3")
    np.testing.assert_allclose(stretched["diff"], base["diff"] * scale, atol=1e-8, equal_nan=True)
    np.testing.assert_allclose(stretched["p"], base["p"], rtol=1e-7, equal_nan=True)
    # p values in (0, 1]; p_min never above p_selected
    v = base["valid"]
    assert np.all((base["p"][v] > 0) & (base["p"][v] <= 1))
    assert np.all(base["p_min"] <= base["p_selected"])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_swapping_arms_flips_the_sign(seed):
    s, z, y = _data(n_reps=1, seed=seed, nt=40, nc=40)
    a = cutoff_search(s, z, y, None, THRESHOLDS)
    b = cutoff_search(s, ~z, y, None, THRESHOLDS)
    np.testing.assert_allclose(b["diff"], -a["diff"], atol=1e-10, equal_nan=True)
    np.testing.assert_allclose(b["p"], a["p"], rtol=1e-9, equal_nan=True)


# ----------------------------------------------------------------- summaries

def test_summaries():
    res = simulate_cutoff_search(n_reps=200, seed=3)
    assert isinstance(res, SimulationResult) and res.n_reps == 200
    freqs = selected_threshold_frequencies(res)
    assert sum(freqs.values()) == pytest.approx(1.0)
    assert prob_abs_diff_at_least(res, 0) == 1.0
    assert median_abs_diff(res) == pytest.approx(np.median(np.abs(res.diff_selected)))
    out = summarise(res)
    e = out["p_selected_below_0.05"]
    assert e["ci_low"] <= e["estimate"] <= e["ci_high"]
    with pytest.raises(ValueError, match="alpha"):
        prob_p_below(res, 1.5)
    with pytest.raises(ValueError, match="which"):
        prob_p_below(res, 0.05, which=77)
    with pytest.raises(ValueError, match="result"):
        median_abs_diff("not a result")


def test_zero_variance_threshold_is_skipped_and_reported():
    # every outcome equal: the interaction's variance is 0, so no threshold is usable -> ValueError
    s, z, _ = _data(n_reps=1, nt=30, nc=30)
    with pytest.raises(ValueError, match="no threshold"):
        cutoff_search(s, z, np.full(s.shape, 3.0), None, THRESHOLDS)
