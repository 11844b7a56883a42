"""Tests for helpers.fragility.

Reference values: an independent implementation of the same algorithms in R 4.x with
``fisher.test`` (script below; output quoted), and Fisher p-values from R.

    fi <- function(a, n1, c, n2) {   # add events to the lower-risk group until p >= 0.05
      p <- fisher.test(matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE))$p.value; k <- 0; ps <- p
      while (p < 0.05) { if (a / n1 <= c / n2) a <- a + 1 else c <- c + 1; k <- k + 1
        p <- fisher.test(matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE))$p.value; ps <- c(ps, p) }
      cat(k, sprintf("%.10f", ps), "\n") }
    # rfi: the same loop with "a - 1 / c - 1" (remove events from the lower-risk group), while p >= 0.05
"""

import pytest
from hypothesis import assume, given, strategies as st
from scipy.stats import fisher_exact

from helpers.fragility import fragility_index, reverse_fragility_index

R_FI = [
    ((0, 10, 5, 10), 1, [0.0325077399, 0.1408668731]),
    ((1, 100, 10, 100), 2, [0.0096581159, 0.0330401093, 0.0817940530]),
    ((10, 100, 25, 100), 4, [0.0085035715, 0.0159003651, 0.0279427061, 0.0464466523, 0.0734193357]),
    ((2, 150, 15, 150), 4, [0.0017756294, 0.0059240942, 0.0156553332, 0.0348684701, 0.0680340039]),
    ((30, 50, 15, 50), 5, [0.0046350202, 0.0087546513, 0.0157732822, 0.0271840751, 0.0449239313,
                           0.0713424035]),
]

R_RFI = [
    ((15, 148, 8, 120), 4, [0.3832821954, 0.2643527751, 0.1695768333, 0.0997921709, 0.0331734076]),
    ((10, 100, 15, 100), 5, [0.3928296158, 0.2764480450, 0.1826606985, 0.1120542510, 0.0629127157,
                             0.0317200391]),
    ((5, 50, 9, 50), 4, [0.3880624716, 0.2336027684, 0.1212449575, 0.0511209337, 0.0156604899]),
]


@pytest.mark.parametrize("table,index,path", R_FI)
def test_fragility_matches_r(table, index, path):
    f = fragility_index(*table)
    assert f.index == index
    assert f.p_path == pytest.approx(path, abs=1e-9)
    assert f.original == table


def test_fragility_modified_table():
    f = fragility_index(30, 50, 15, 50)  # group b has fewer events and the lower risk
    assert f.table == (30, 50, 20, 50)
    assert f.groups_modified == ("b",) * 5
    f = fragility_index(1, 100, 10, 100)
    assert f.table == (3, 100, 10, 100)


@pytest.mark.parametrize("table,index,path", R_RFI)
def test_reverse_fragility_matches_r(table, index, path):
    r = reverse_fragility_index(*table)
    assert r.index == index
    assert r.p_path == pytest.approx(path, abs=1e-9)
    assert r.kind == "reverse fragility"


def test_smaller_event_count_is_not_a_bound():
    # the often-quoted "FI <= smaller event count" fails when that count is 0
    f = fragility_index(0, 100, 10, 20)
    assert f.index >= 1 > 0


def test_reverse_runs_out_of_events_then_adds():
    # 1/10 vs 3/10 (p = 0.58): removing a's only event gives 0/10 vs 3/10 (p = 0.21), then events
    # are added to b: 0/10 vs 4/10 has p = 0.087, 0/10 vs 5/10 has p = 0.0325 (R fisher.test)
    r = reverse_fragility_index(1, 10, 3, 10)
    assert r.groups_modified == ("a", "b", "b")
    assert r.table == (0, 10, 5, 10)
    assert r.p_path[-1] == pytest.approx(0.0325077399, abs=1e-9)


def test_not_reachable():
    with pytest.raises(ValueError, match="no outcome changes"):
        reverse_fragility_index(1, 1, 0, 1)


def test_wrong_direction_raises():
    with pytest.raises(ValueError, match="not significant"):
        fragility_index(15, 148, 8, 120)
    with pytest.raises(ValueError, match="already significant"):
        reverse_fragility_index(0, 10, 5, 10)


@pytest.mark.parametrize("func", [fragility_index, reverse_fragility_index])
@pytest.mark.parametrize(
    "args,kwargs,word",
    [
        ((11, 10, 3, 10), {}, "events_a"),
        ((1, 10, -3, 10), {}, "events_b"),
        ((1, 10, 3, 0), {}, "total_b"),
        ((1, 10.5, 3, 10), {}, "total_a"),
        ((1, 10, 3, 10), {"alpha": 0}, "alpha"),
        ((1, 10, 3, 10), {"alpha": 1.2}, "alpha"),
        ((1, 10, 3, 10), {"test": "chisq"}, "test"),
    ],
)
def test_bad_input(func, args, kwargs, word):
    with pytest.raises(ValueError, match=word):
        func(*args, **kwargs)


tables = st.integers(2, 60).flatmap(
    lambda na: st.integers(2, 60).flatmap(
        lambda nb: st.tuples(st.integers(0, na), st.just(na), st.integers(0, nb), st.just(nb))))


def _p(t):
    return fisher_exact([[t[0], t[1] - t[0]], [t[2], t[3] - t[2]]]).pvalue


@given(tables)
def test_fragility_path_properties(t):
    assume(_p(t) < 0.05)
    f = fragility_index(*t)
    assert f.index >= 1 and len(f.p_path) == f.index + 1
    assert f.p_path[-1] >= 0.05 and all(p < 0.05 for p in f.p_path[:-1])
    assert f.p_path[-1] == pytest.approx(_p(f.table))
    # never more changes than non-events available in the modified group
    for g, (e, n) in (("a", t[:2]), ("b", t[2:])):
        assert f.groups_modified.count(g) <= n - e
    assert f.table[1] == t[1] and f.table[3] == t[3]


@given(tables)
def test_reverse_path_properties(t):
    assume(_p(t) >= 0.05)
    try:
        r = reverse_fragility_index(*t)
    except ValueError as err:
        assert "no outcome changes" in str(err)
        return
    assert r.p_path[-1] < 0.05 and all(p >= 0.05 for p in r.p_path[:-1])
    assert r.p_path[-1] == pytest.approx(_p(r.table))
