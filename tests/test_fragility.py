"""Tests for helpers.fragility.

Reference values: an independent implementation of the same algorithms in R 4.x with
``fisher.test`` (script below; output quoted), and Fisher p-values from R.

    fi <- function(a, n1, c, n2) {   # add events to the lower-risk group until p >= 0.05
      p <- fisher.test(matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE))$p.value; k <- 0; ps <- p
      while (p < 0.05) { if (a / n1 <= c / n2) a <- a + 1 else c <- c + 1; k <- k + 1
        p <- fisher.test(matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE))$p.value; ps <- c(ps, p) }
      cat(k, sprintf("%.10f", ps), "\n") }
    # rfi: the same loop with "a - 1 / c - 1" (remove events from the lower-risk group), while p >= 0.05

Minimal reverse fragility index: an independent brute force in R 4.2.2 (fisher.test), written for
these tests; it scans k = 1, 2, ... over every (da, db) with |da| + |db| = k and keeps the
significant table with the smallest p (first in the loop order on ties):

    p <- function(a, n1, c, n2) fisher.test(matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE))$p.value
    rfi <- function(a, n1, c, n2, dir = "either", both = TRUE, alpha = 0.05) {
      for (k in 1:(n1 + n2)) {
        best <- NULL
        for (da in -k:k) for (s in c(-1, 1)) {
          db <- s * (k - abs(da)); if (!both && da != 0 && db != 0) next
          A <- a + da; C <- c + db
          if (A < 0 || A > n1 || C < 0 || C > n2) next
          if (dir == "a_higher" && A * n2 <= C * n1) next
          if (dir == "a_lower" && A * n2 >= C * n1) next
          pv <- p(A, n1, C, n2)
          if (pv < alpha && (is.null(best) || pv < best[3])) best <- c(A, C, pv)
        }
        if (!is.null(best)) return(sprintf("k=%d  %d/%d vs %d/%d  p=%.10f", k, best[1], n1, best[2], n2, best[3]))
      }
      "unreachable"
    }

Output quoted in R_MINIMAL (table, direction, both groups -> k, modified table, p). The first
three tables are Guo 2023's sICH, death and mRS 0-2 (RS vs non-RS); the stepwise path gives
10 / 9 / 7 for them (same R loop as above), the minimum 6 / 6 / 7.
"""

import pytest
from hypothesis import assume, given, settings, strategies as st
from conftest import examples
from scipy.stats import fisher_exact

from helpers.fragility import (fragility_index, reverse_fragility_index,
                               stepwise_reverse_fragility_index)

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
def test_stepwise_reverse_fragility_matches_r(table, index, path):
    r = stepwise_reverse_fragility_index(*table)
    assert r.index == index
    assert r.p_path == pytest.approx(path, abs=1e-9)
    assert r.kind == "reverse fragility (stepwise)"


# (table, direction, both_groups) -> (k, modified table, p), R 4.2.2 brute force (module docstring)
R_MINIMAL = [
    ((7, 41, 14, 86), "either", True, 6, (1, 41, 14, 86), 0.0359277594),
    ((7, 41, 14, 86), "a_higher", True, 7, (13, 41, 13, 86), 0.0364821560),
    ((7, 41, 14, 86), "a_higher", False, 7, (14, 41, 14, 86), 0.0378287960),
    ((6, 41, 11, 86), "either", True, 6, (0, 41, 11, 86), 0.0160151874),
    ((6, 41, 11, 86), "a_higher", True, 6, (12, 41, 11, 86), 0.0292009831),
    ((20, 41, 45, 86), "either", True, 7, (13, 41, 45, 86), 0.0364398259),
    ((20, 41, 45, 86), "a_higher", True, 10, (30, 41, 45, 86), 0.0335732851),
    ((15, 148, 8, 120), "either", True, 4, (15, 148, 4, 120), 0.0331734076),
    ((15, 148, 8, 120), "a_lower", True, 13, (3, 148, 9, 120), 0.0387907291),
    ((15, 148, 8, 120), "a_lower", False, 13, (2, 148, 8, 120), 0.0463840944),
    ((10, 100, 15, 100), "a_higher", True, 13, (10, 100, 2, 100), 0.0330401093),
    ((5, 50, 9, 50), "either", True, 4, (1, 50, 9, 50), 0.0156604899),
    ((5, 50, 9, 50), "a_higher", True, 10, (6, 50, 0, 50), 0.0266610763),
    ((5, 50, 9, 50), "a_higher", False, 14, (19, 50, 9, 50), 0.0439614478),
    ((1, 10, 3, 10), "either", True, 3, (0, 10, 5, 10), 0.0325077399),
    ((1, 10, 3, 10), "either", False, 4, (1, 10, 7, 10), 0.0197666111),
    ((1, 10, 3, 10), "a_higher", True, 7, (5, 10, 0, 10), 0.0325077399),
]


@pytest.mark.parametrize("table,direction,both,k,modified,p", R_MINIMAL)
def test_minimal_reverse_fragility_matches_r(table, direction, both, k, modified, p):
    r = reverse_fragility_index(*table, direction=direction, both_groups=both)
    assert r.index == k
    assert r.table == modified
    assert r.p == pytest.approx(p, abs=1e-9)
    assert r.original == table and r.search == direction and r.both_groups is both
    assert abs(r.changes[0]) + abs(r.changes[1]) == k
    if direction != "either":
        assert r.direction == direction


def test_guo_minimal_below_stepwise():
    # the review's finding: stepwise 10 / 9 / 7, minimum 6 / 6 / 7 (R, module docstring)
    guo = [(7, 41, 14, 86), (6, 41, 11, 86), (20, 41, 45, 86)]
    assert [stepwise_reverse_fragility_index(*t).index for t in guo] == [10, 9, 7]
    assert [reverse_fragility_index(*t).index for t in guo] == [6, 6, 7]
    assert reverse_fragility_index(*guo[0]).direction == "a_lower"


def test_smaller_event_count_is_not_a_bound():
    # the often-quoted "FI <= smaller event count" fails when that count is 0
    f = fragility_index(0, 100, 10, 20)
    assert f.index >= 1 > 0


def test_stepwise_runs_out_of_events_then_adds():
    # 1/10 vs 3/10 (p = 0.58): removing a's only event gives 0/10 vs 3/10 (p = 0.21), then events
    # are added to b: 0/10 vs 4/10 has p = 0.087, 0/10 vs 5/10 has p = 0.0325 (R fisher.test)
    r = stepwise_reverse_fragility_index(1, 10, 3, 10)
    assert r.groups_modified == ("a", "b", "b")
    assert r.table == (0, 10, 5, 10)
    assert r.p_path[-1] == pytest.approx(0.0325077399, abs=1e-9)


def test_not_reachable():
    with pytest.raises(ValueError, match="no outcome changes"):
        stepwise_reverse_fragility_index(1, 1, 0, 1)
    with pytest.raises(ValueError, match="no outcome changes"):
        reverse_fragility_index(1, 1, 0, 1)
    # 3/3 vs 0/3 has p = 0.1 (R fisher.test): no 3 + 3 table is significant
    with pytest.raises(ValueError, match="no outcome changes"):
        reverse_fragility_index(1, 3, 1, 3)


def test_wrong_direction_raises():
    with pytest.raises(ValueError, match="not significant"):
        fragility_index(15, 148, 8, 120)
    with pytest.raises(ValueError, match="already significant"):
        reverse_fragility_index(0, 10, 5, 10)
    with pytest.raises(ValueError, match="already significant"):
        stepwise_reverse_fragility_index(0, 10, 5, 10)


@pytest.mark.parametrize("kwargs,word", [({"direction": "harm"}, "direction"),
                                         ({"direction": None}, "direction"),
                                         ({"both_groups": 1}, "both_groups"),
                                         ({"both_groups": "yes"}, "both_groups")])
def test_minimal_bad_options(kwargs, word):
    with pytest.raises(ValueError, match=word):
        reverse_fragility_index(7, 41, 14, 86, **kwargs)


@pytest.mark.parametrize("func", [fragility_index, reverse_fragility_index,
                                  stepwise_reverse_fragility_index])
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
def test_stepwise_reverse_path_properties(t):
    assume(_p(t) >= 0.05)
    try:
        r = stepwise_reverse_fragility_index(*t)
    except ValueError as err:
        assert "no outcome changes" in str(err)
        return
    assert r.p_path[-1] < 0.05 and all(p >= 0.05 for p in r.p_path[:-1])
    assert r.p_path[-1] == pytest.approx(_p(r.table))


small_tables = st.integers(1, 12).flatmap(
    lambda na: st.integers(1, 12).flatmap(
        lambda nb: st.tuples(st.integers(0, na), st.just(na), st.integers(0, nb), st.just(nb))))


def _brute_force(t, direction="either", both=True):
    """Every table with the same group sizes: the smallest distance to a significant one."""
    ea, na, eb, nb = t
    dists = [abs(a - ea) + abs(b - eb) for a in range(na + 1) for b in range(nb + 1)
             if (both or a == ea or b == eb)
             and (direction != "a_higher" or a * nb > b * na)
             and (direction != "a_lower" or a * nb < b * na)
             and _p((a, na, b, nb)) < 0.05]
    return min(dists) if dists else None


@given(small_tables, st.sampled_from(["either", "a_higher", "a_lower"]), st.booleans())
def test_minimal_equals_brute_force(t, direction, both):
    assume(_p(t) >= 0.05)
    expected = _brute_force(t, direction, both)
    if expected is None:
        with pytest.raises(ValueError, match="no outcome changes"):
            reverse_fragility_index(*t, direction=direction, both_groups=both)
        return
    r = reverse_fragility_index(*t, direction=direction, both_groups=both)
    assert r.index == expected
    # the returned table is significant, at the stated distance, in the stated direction
    assert r.p < 0.05 and r.p == pytest.approx(_p(r.table))
    assert abs(r.table[0] - t[0]) + abs(r.table[2] - t[2]) == r.index
    assert r.direction == ("a_higher" if r.table[0] * t[3] > r.table[2] * t[1] else "a_lower")
    if not both:
        assert 0 in r.changes


@settings(max_examples=examples(15), deadline=None)
@given(tables)
def test_minimal_not_above_stepwise(t):
    assume(_p(t) >= 0.05)
    try:
        step = stepwise_reverse_fragility_index(*t)
    except ValueError:
        return
    both = reverse_fragility_index(*t)
    assert 1 <= both.index <= step.index
    if len(set(step.groups_modified)) == 1:  # the stepwise path changed one group only
        assert reverse_fragility_index(*t, both_groups=False).index <= step.index


@settings(max_examples=examples(12))
@given(small_tables)
def test_either_is_the_smaller_direction(t):
    assume(_p(t) >= 0.05)
    found = []
    for d in ("a_higher", "a_lower"):
        try:
            found.append(reverse_fragility_index(*t, direction=d).index)
        except ValueError:
            pass
    assume(found)
    assert reverse_fragility_index(*t).index == min(found)
    single = reverse_fragility_index(*t, both_groups=False) if _brute_force(t, both=False) else None
    if single is not None:
        assert single.index >= min(found)
