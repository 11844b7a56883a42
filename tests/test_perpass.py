"""Tests for helpers.perpass.

Reference values from R 4.2.2 (``prop.trend.test`` and ``glm``), script and output quoted:

    prop.trend.test(c(48,38,5,1,1), c(17114,14502,793,127,38), score=c(0,.5,1.5,4,7))
    # X-squared = 6.570133945, p-value = 0.0103704146
    # (Agresti, Categorical Data Analysis 2nd ed. 2002, Table 3.7 / section 3.4.5: maternal alcohol
    #  consumption and malformation; Agresti's M^2 = (N-1) r^2 = 6.57, P = 0.01)
    y <- c(24,35,21,30); m <- c(1379,638,213,254); s <- c(0,2,4,5)     # Agresti's snoring data
    glm(cbind(y,m-y) ~ s, family=binomial)
    # (Intercept) -3.866248101377  se 0.1662143629467 ; s 0.397336620449 se 0.0500106596955
    # confint.default: s 0.299317528602 0.495355712295; Agresti 2007 ICDA section 3.2.2: -3.87 + 0.40x
    prop.trend.test(y, m, score=s)       # X-squared = 72.6880865
    y <- c(47,23,6); m <- c(126,70,38); s <- 1:3
    prop.trend.test(y, m, score=s)       # X-squared = 5.37230975, p-value = 0.0204588688
    f <- glm(cbind(y,m-y) ~ s, family=binomial)
    # s -0.46169691038458 se 0.201463639402 p 0.0219221900052; anova LRT p 0.018085 (dev 5.587930265)
"""

import math

import numpy as np
import pytest
import statsmodels.stats.contingency_tables as ct
from hypothesis import given, settings, strategies as st

from helpers.perpass import (cochran_armitage, integer_totals_for_mean, logistic_trend,
                             reconstruct_passes)


def test_cochran_armitage_matches_r_alcohol():
    r = cochran_armitage([48, 38, 5, 1, 1], [17114, 14502, 793, 127, 38], [0, .5, 1.5, 4, 7])
    assert r.statistic == pytest.approx(6.570133945, rel=1e-8)
    assert r.p == pytest.approx(0.0103704146, rel=1e-7)
    assert r.z > 0


def test_cochran_armitage_matches_r_snoring_and_passes():
    assert cochran_armitage([24, 35, 21, 30], [1379, 638, 213, 254], [0, 2, 4, 5]).statistic == \
        pytest.approx(72.6880865, rel=1e-8)
    r = cochran_armitage([47, 23, 6], [126, 70, 38])
    assert r.statistic == pytest.approx(5.37230975, rel=1e-8)
    assert r.p == pytest.approx(0.0204588688, rel=1e-7)
    assert r.z < 0


def test_cochran_armitage_is_linear_by_linear_times_n_over_n_minus_1():
    table = np.array([[17066, 48], [14464, 38], [788, 5], [126, 1], [37, 1]])
    ll = ct.Table(table).test_ordinal_association(row_scores=np.array([0, .5, 1.5, 4, 7]),
                                                  col_scores=np.array([0, 1]))
    n = table.sum()
    r = cochran_armitage(table[:, 1], table.sum(axis=1), [0, .5, 1.5, 4, 7])
    assert r.statistic == pytest.approx(ll.zscore ** 2 * n / (n - 1), rel=1e-9)


def test_logistic_trend_matches_r():
    r = logistic_trend([24, 35, 21, 30], [1379, 638, 213, 254], [0, 2, 4, 5])
    assert r.intercept == pytest.approx(-3.866248101377, rel=1e-7)
    assert r.slope == pytest.approx(0.397336620449, rel=1e-7)
    assert r.se_slope == pytest.approx(0.0500106596955, rel=1e-6)
    assert math.log(r.ci_low) == pytest.approx(0.299317528602, rel=1e-6)
    assert math.log(r.ci_high) == pytest.approx(0.495355712295, rel=1e-6)
    p = logistic_trend([47, 23, 6], [126, 70, 38])
    assert p.slope == pytest.approx(-0.46169691038458, rel=1e-6)
    assert p.p_wald == pytest.approx(0.0219221900052, rel=1e-5)
    assert p.p_lr == pytest.approx(0.018085, rel=1e-4)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), min_size=2, max_size=5))
def test_trend_sign_flips_with_reversed_scores(groups):
    ev = [min(e, n) for e, n in groups]
    tot = [n for _, n in groups]
    if sum(ev) in (0, sum(tot)):
        return
    a = cochran_armitage(ev, tot)
    b = cochran_armitage(ev, tot, scores=list(range(len(ev), 0, -1)))
    assert a.statistic == pytest.approx(b.statistic, rel=1e-9, abs=1e-12)
    assert a.z == pytest.approx(-b.z, rel=1e-9, abs=1e-12)
    assert 0 <= a.p <= 1


@pytest.mark.parametrize("args", [
    ([1, 2], [3]),                 # lengths differ
    ([1], [3]),                    # one group
    ([4, 1], [3, 3]),              # count above total
    ([0, 0], [3, 3]),              # no events
    ([1, 2], [3, 3], [1, 1]),      # constant scores
])
def test_trend_rejects_bad_input(args):
    with pytest.raises(ValueError):
        cochran_armitage(*args)
    with pytest.raises(ValueError):
        logistic_trend(*args)


def test_integer_totals_for_mean_by_hand():
    # 3.7 with n = 29 stands for [3.65, 3.8): 105.85 <= T < 110.2 -> 106..110; rounding only
    # [3.65, 3.75]: 105.85 <= T <= 108.75 -> 106..108 (hand computation)
    assert integer_totals_for_mean("3.7", 29) == [106, 107, 108, 109, 110]
    assert integer_totals_for_mean("3.7", 29, mode="round") == [106, 107, 108]
    # GRIM example of Brown & Heathers 2017: a mean of 5.19 is impossible with n = 28 integers
    assert integer_totals_for_mean("5.19", 28, mode="round") == []
    with pytest.raises(ValueError):
        integer_totals_for_mean("< 3", 10)
    with pytest.raises(ValueError):
        integer_totals_for_mean("3.7", 0)


def test_reconstruction_small_example_by_hand():
    # 10 patients, 16 passes, 4 open at pass 1 -> at most 6 at pass 2; "50" % at pass 2 needs an
    # even n2 (1/2, 2/4, 3/6); tails 4, 2, 0 passes, all possible: three solutions.
    d = reconstruct_passes(10, 16, {"s": 4}, {2: {"s": "50"}})
    assert list(d["attempted_2"]) == [2, 4, 6]
    assert list(d["s_2"]) == [1, 2, 3]
    assert list(d["tail_passes"]) == [4, 2, 0]
    d = reconstruct_passes(10, 16, {"s": 4}, {2: {"s": "50"}}, min_attempted={2: 3})
    assert list(d["attempted_2"]) == [4, 6]


def test_reconstruction_lee2025_unique_and_needs_truncation():
    first = {"successful": 47, "complete": 36}
    later = {2: {"successful": "32.9", "complete": "25.7"}, 3: {"successful": "15.7", "complete": "10.5"}}
    d = reconstruct_passes(126, 257, first, later, min_attempted={2: 40, 3: 29, 4: 15}, min_tail_passes=19)
    assert len(d) == 1
    row = d.iloc[0]
    # hand check: 23/70 = 32.857 -> 32.9; 18/70 = 25.714 -> 25.7; 6/38 = 15.789 (truncated 15.7);
    # 4/38 = 10.526 -> 10.5; 257 - 126 - 70 - 38 = 23
    assert (row.attempted_2, row.successful_2, row.complete_2) == (70, 23, 18)
    assert (row.attempted_3, row.successful_3, row.complete_3, row.tail_passes) == (38, 6, 4, 23)
    assert row.how_successful_3 == "truncation"
    assert reconstruct_passes(126, 257, first, later, min_attempted={2: 40, 3: 29, 4: 15},
                              min_tail_passes=19, mode="round").empty


@settings(max_examples=30, deadline=None)
@given(st.integers(5, 40), st.integers(0, 40), st.integers(0, 30))
def test_reconstruction_solutions_satisfy_constraints(n, s1, extra):
    s1 = min(s1, n)
    total = n + extra
    d = reconstruct_passes(n, total, {"s": s1}, {2: {"s": "50"}})
    for _, r in d.iterrows():
        assert r.attempted_2 <= n - s1
        assert r.tail_passes == total - n - r.attempted_2 >= 0
        assert r.how_s_2 is not None


@pytest.mark.parametrize("kwargs", [
    dict(n_patients=10, n_passes=5, first_pass={"s": 1}, later_passes={2: {"s": "50"}}),
    dict(n_patients=10, n_passes=20, first_pass={"s": 11}, later_passes={2: {"s": "50"}}),
    dict(n_patients=10, n_passes=20, first_pass={"s": 1}, later_passes={3: {"s": "50"}}),
    dict(n_patients=10, n_passes=20, first_pass={"s": 1, "c": 2}, later_passes={2: {"s": "5", "c": "5"}}),
    dict(n_patients=10, n_passes=20, first_pass={"s": 1}, later_passes={2: {"s": "150"}}),
    dict(n_patients=10, n_passes=20, first_pass={"s": 1}, later_passes={2: {"t": "50"}}),
    dict(n_patients=10, n_passes=20, first_pass={"s": 1}, later_passes={2: {"s": "50"}}, mode="up"),
])
def test_reconstruction_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        reconstruct_passes(**kwargs)
