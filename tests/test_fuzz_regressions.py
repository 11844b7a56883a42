"""Regression tests for the crashes and silent wrong answers listed in issue #15.

Each test pins one case the issue's fuzzing found: before the fix it crashed with another
exception or returned an answer without a word; now it gives a documented result or a clean
``ValueError`` naming the argument.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import audit, consistency, cutoff_simulation, perpass, printed, synthesis, validation
from helpers.data import load_package


def test_logistic_trend_separation_is_documented_not_an_overflow():
    fit = perpass.logistic_trend([2, 0], [19, 1])
    assert fit.separated
    assert fit.odds_ratio == 0.0 and fit.slope == -math.inf
    assert (fit.ci_low, fit.ci_high) == (0.0, math.inf)
    assert math.isnan(fit.p_wald)
    # likelihood-ratio test of the limiting fit: null deviance of 2/19 vs 0/1, saturated model
    e, n = np.array([2, 0]), np.array([19, 1])
    p0 = e.sum() / n.sum()
    ll = lambda k, m, p: (k * math.log(p) if k else 0) + ((m - k) * math.log(1 - p) if m - k else 0)
    dev0 = -2 * (sum(ll(k, m, p0) for k, m in zip(e, n)) - sum(ll(k, m, k / m) for k, m in zip(e, n)))
    from scipy.stats import chi2
    assert fit.p_lr == pytest.approx(float(chi2.sf(dev0, 1)), rel=1e-6)
    rising = perpass.logistic_trend([0, 2], [1, 19])
    assert rising.separated and rising.odds_ratio == math.inf and rising.slope == math.inf


def test_logistic_trend_without_separation_is_unchanged_in_kind():
    fit = perpass.logistic_trend([5, 3, 1], [20, 20, 20])
    assert not fit.separated
    assert all(math.isfinite(x) for x in (fit.odds_ratio, fit.ci_low, fit.ci_high, fit.p_wald, fit.p_lr))
    assert fit.ci_low < fit.odds_ratio < fit.ci_high


@pytest.mark.parametrize("value", [10**400, -(10**400)])
def test_check_finite_refuses_huge_integers_cleanly(value):
    with pytest.raises(ValueError, match="^x must be a finite real number"):
        validation.check_finite(value, "x")


def test_check_count_bounds_the_work():
    with pytest.raises(ValueError, match=r"^n must be at most 1,000,000"):
        validation.check_count(10**9, "n")
    assert validation.check_count(validation.MAX_COUNT, "n") == validation.MAX_COUNT


def test_study_rate_refuses_a_fractional_count():
    props = load_package()["proportions"]
    row = props[props["count"].notna()].iloc[0]
    broken = props.copy()
    broken["count"] = broken["count"].astype("float64")
    broken.loc[row.name, "count"] = 61.7
    with pytest.raises(ValueError, match=r"count of .* must be a whole number .* 61\.7"):
        synthesis.study_rate(broken, row["id"])
    # the untouched row still works, and gives the printed count
    assert synthesis.study_rate(props, row["id"]).events == int(row["count"])


def _cutoff_data(n=40, seed=1):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0, 100, n).round()
    z = np.arange(n) % 2 == 0
    y = rng.integers(0, 7, n).astype(float)
    return s, z, y


@pytest.mark.parametrize("which", ["stenosis", "mrs"])
def test_cutoff_search_statsmodels_refuses_nan_instead_of_dropping_it(which):
    s, z, y = _cutoff_data()
    (s if which == "stenosis" else y)[3] = np.nan
    with pytest.raises(ValueError, match=f"^{which} must be finite: 1 value"):
        cutoff_simulation.cutoff_search_statsmodels(s, z, y, thresholds=[50])


def test_run_audit_refuses_a_negative_arm_size():
    pkg = load_package()
    pkg["arms"].loc[0, "n"] = -5
    with pytest.raises(ValueError, match=r"package\['arms'\]\['n'\] row 0 must not be negative"):
        audit.run_audit(pkg)


def test_run_audit_refuses_a_count_above_its_total():
    pkg = load_package()
    props = pkg["proportions"]
    i = props.index[props["count"].notna() & props["total"].notna()][0]
    props.loc[i, "count"] = props.loc[i, "total"] + 1
    with pytest.raises(ValueError, match=r"exceeds total"):
        audit.run_audit(pkg)


def test_summary_refuses_unknown_verdicts_instead_of_dropping_rows():
    rows = [["s", "Table 1", "x", "percent", "1", "1", "consistent", ""],
            ["s", "Table 1", "y", "percent", "1", "1", "maybe", ""]]
    pad = [""] * (len(audit.COLUMNS) - len(rows[0]))  # the later columns (basis, consequence, ...)
    table = pd.DataFrame([r + pad for r in rows], columns=audit.COLUMNS)
    with pytest.raises(ValueError, match=r"^audit has verdict\(s\) \['maybe'\]"):
        audit.summary(table)
    by_verdict, _ = audit.summary(table.iloc[:1])
    assert int(by_verdict["total"].sum()) == 1


@pytest.mark.parametrize("estimate", [0.5, 4.0])
def test_p_from_ci_refuses_an_estimate_outside_its_interval(estimate):
    with pytest.raises(ValueError, match=r"^estimate \(.*\) lies outside its CI"):
        consistency.p_from_ci(estimate, 1.2, 3.4)
    se, z, p = consistency.p_from_ci(2.0, 1.2, 3.4)
    assert 0 < p < 1 and se > 0


def test_parse_count_percent_refuses_a_percentage_above_100():
    with pytest.raises(ValueError, match=r"^text '3 \(150\)': the percentage 150 is above 100"):
        printed.parse_count_percent("3 (150)")
    assert printed.parse_count_percent("3 (100)").percent == 100


@pytest.mark.parametrize("text", ["1.000000000000001", "0.0000000001", "12.3456789012"])
def test_agrees_matches_how_agrees_on_high_precision_text(text):
    base = float(text)
    step = 10.0 ** -len(text.split(".")[1])
    for k in range(-40, 41):
        value = base + k * step / 8
        assert printed.agrees(value, text) == (printed.how_agrees(value, text) is not None), (value, text)


def test_printed_text_is_bounded():
    with pytest.raises(ValueError, match="above the limit of 200"):
        printed.parse_number("1" * 5000)


from helpers import effects, fragility, reconstruct  # noqa: E402


@pytest.mark.parametrize("call, limit", [
    (lambda: fragility.fragility_index(4000, 10**4, 5000, 10**4 + 1), "20,000"),
    (lambda: fragility.reverse_fragility_index(500, 1000, 502, 1001), "2,000"),
    (lambda: effects.odds_ratio(2500, 5000, 2000, 5001, method="exact"), "10,000"),
    (lambda: consistency.candidate_totals("33.3", max_total=50_001), "50,000"),
    (lambda: reconstruct.candidate_tables(600, 1001, "50.0"), "1,000"),
    (lambda: reconstruct.tables_with_margins(200_001, 100, 100), "200,000"),
    (lambda: cutoff_simulation.simulate_cutoff_search(n_reps=200_000, n_treated=172, n_control=131), "50,000,000"),
    (lambda: validation.check_count(10**9, "n"), "1,000,000"),
])
def test_unbounded_work_is_refused_up_front_with_the_limit(call, limit):
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match=limit):
        call()
    assert time.perf_counter() - start < 1.0
