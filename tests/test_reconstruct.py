"""Tests for helpers.reconstruct: 2×2 tables from margins, crude odds ratios, events per variable."""

import math

import pytest
from hypothesis import given, strategies as st
from scipy.stats import fisher_exact, hypergeom

from helpers.consistency import candidate_counts, candidate_totals
from helpers.reconstruct import (candidate_tables, crude_odds_ratio, events_per_variable,
                                 tables_with_margins, undefined_tables)


def test_crude_or_physicians_health_study():
    # Agresti, Categorical Data Analysis (2nd ed., 2002), section 2.3.3: Physicians' Health Study,
    # myocardial infarction 189/11034 on placebo vs 104/11037 on aspirin; sample odds ratio 1.832.
    assert round(crude_odds_ratio(189, 11034 - 189, 104, 11037 - 104), 3) == 1.832


def test_crude_or_agrees_with_scipy_sample_or():
    # scipy's unconditional sample odds ratio (an independent implementation) on a few tables
    for table in [(3, 1, 1, 3), (12, 5, 7, 20), (51, 13, 1, 13)]:
        a, b, c, d = table
        assert crude_odds_ratio(*table) == pytest.approx(fisher_exact([[a, b], [c, d]])[0])


def test_crude_or_separation_limits():
    assert crude_odds_ratio(52, 12, 0, 14) == math.inf
    assert crude_odds_ratio(38, 26, 14, 0) == 0.0
    with pytest.raises(ValueError, match="undefined"):
        crude_odds_ratio(0, 0, 3, 4)
    with pytest.raises(ValueError, match="a"):
        crude_odds_ratio(-1, 2, 3, 4)
    with pytest.raises(ValueError):
        crude_odds_ratio(1.5, 2, 3, 4)


def test_tea_tasting_support():
    # Fisher's tea-tasting experiment (Agresti 2002, Table 3.8): 8 cups, 4 milk-first, 4 guessed
    # milk-first; n11 runs 0..4 with hypergeometric probabilities 0.014, 0.229, 0.514, 0.229, 0.014.
    t = tables_with_margins(8, 4, 4)
    assert list(t["a"]) == [0, 1, 2, 3, 4]
    probs = [round(float(hypergeom(8, 4, 4).pmf(a)), 3) for a in t["a"]]
    assert probs == [0.014, 0.229, 0.514, 0.229, 0.014]
    assert list(t["zero_cell"]) == [True, False, False, False, True]
    assert t["odds_ratio"].iloc[0] == 0.0 and t["odds_ratio"].iloc[-1] == math.inf
    assert t.loc[t["a"] == 3, "odds_ratio"].item() == 9.0   # Agresti: sample odds ratio 9


def test_frechet_bounds_hand_example():
    # 78 patients, 64 exposed, 52 events: a from 64 + 52 - 78 = 38 to min(64, 52) = 52 (15 tables)
    t = tables_with_margins(78, 64, 52)
    assert (t["a"].min(), t["a"].max(), len(t)) == (38, 52, 15)
    last = t.iloc[-1]
    assert (last["b"], last["c"], last["d"]) == (12, 0, 14)


@pytest.mark.parametrize("args", [(0, 1, 1), (10, 0, 3), (10, 10, 3), (10, 3, 0), (10, 3, 10),
                                  (10, 11, 3), (10, 3, -1), (10.5, 3, 3)])
def test_tables_with_margins_bad_input(args):
    with pytest.raises(ValueError):
        tables_with_margins(*args)


@given(st.integers(2, 60).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n - 1),
                                                       st.integers(1, n - 1))))
def test_margins_and_monotone_or(nke):
    n, k, e = nke
    t = tables_with_margins(n, k, e)
    assert len(t) == min(k, e) - max(0, k + e - n) + 1
    assert ((t["a"] + t["b"]) == k).all() and ((t["a"] + t["c"]) == e).all()
    assert ((t[["a", "b", "c", "d"]] >= 0).all().all())
    assert ((t["a"] + t["b"] + t["c"] + t["d"]) == n).all()
    ors = list(t["odds_ratio"])
    assert all(x < y for x, y in zip(ors, ors[1:]))          # the OR increases strictly with a


def test_candidate_tables_full_cohort():
    t = candidate_tables(52, 78, "82.1%", subset_totals=[78])
    assert set(t["exposed"]) == {64} and list(t["a"]) == list(range(38, 53))
    assert (t["missing"] == 0).all()


def test_candidate_tables_subset_sizes_match_candidate_totals():
    t = candidate_tables(52, 78, "82.1%")
    expected = {total for _, total in candidate_totals("82.1%", max_total=78)}
    assert set(t["total"]) == expected
    # events among m patients can never exceed the cohort's events nor fall below what the
    # patients without the assessment can absorb
    assert (t["events"] <= 52).all()
    assert (t["events"] >= 52 - t["missing"]).all()
    assert not ((t["events"] == 0) | (t["events"] == t["total"])).any()


def test_candidate_tables_bad_input():
    with pytest.raises(ValueError, match="subset_totals"):
        candidate_tables(52, 78, "82.1%", subset_totals=[79])
    with pytest.raises(ValueError, match="events_total"):
        candidate_tables(80, 78, "82.1%")
    with pytest.raises(ValueError, match="prints as"):
        candidate_tables(52, 78, "82.1%", subset_totals=[10, 11])
    with pytest.raises(ValueError):
        candidate_tables(52, 78, "82.1%", subset_totals=[])


def test_undefined_tables_hand_example():
    # Worked by hand: 52 of 78 favourable, "82.1%" patent in a subset of m. m = 28 (23/28 = 82.14%)
    # leaves 50 patients outside, so 2..28 of the 28 can be favourable; with all 28 favourable the
    # table is 23, 0 | 5, 0 and a*d = b*c = 0. Likewise m = 39 (32/39 = 82.05%): 13..39 favourable,
    # all 39 gives 32, 0 | 7, 0. From m = 56 on, at most 52 < m can be favourable, and at least
    # 52 - (78 - m) > 0 are: no other table has an empty outcome column.
    u = undefined_tables(52, 78, "82.1%")
    assert [tuple(r) for r in u[["total", "exposed", "events", "a", "b", "c", "d", "missing"]]
            .itertuples(index=False)] == [(39, 32, 39, 32, 0, 7, 0, 39), (28, 23, 28, 23, 0, 5, 0, 50)]
    for r in u.itertuples():
        with pytest.raises(ValueError, match="undefined"):
            crude_odds_ratio(r.a, r.b, r.c, r.d)
    assert undefined_tables(52, 78, "82.1%", subset_totals=[78]).empty
    # 2 events in a cohort of 10, exposure "50%" of m = 2 (1 exposed): 0, 1 or 2 events among the
    # two; 0 gives 0, 1 | 0, 1 and 2 gives 1, 0 | 1, 0 (1 event gives the two defined tables)
    u0 = undefined_tables(2, 10, "50%", subset_totals=[2])
    assert [tuple(r) for r in u0[["a", "b", "c", "d"]].itertuples(index=False)] == [(0, 1, 0, 1), (1, 0, 1, 0)]


def test_undefined_tables_bad_input():
    with pytest.raises(ValueError, match="subset_totals"):
        undefined_tables(52, 78, "82.1%", subset_totals=[79])
    with pytest.raises(ValueError, match="events_total"):
        undefined_tables(80, 78, "82.1%")
    with pytest.raises(ValueError, match="mode"):
        undefined_tables(52, 78, "82.1%", mode="ceil")


@given(st.integers(2, 20).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
       st.sampled_from(["25%", "50%", "33.3%", "66.7%"]), st.sampled_from(["round", "truncate", "either"]))
def test_candidate_and_undefined_tables_cover_every_event_count(ne, printed, mode):
    # Together the two lists hold, for every (m, k), each possible number of events among the m
    # exactly once per table; the undefined ones are exactly those with 0 or m events.
    n, e_tot = ne
    try:
        t = candidate_tables(e_tot, n, printed, mode=mode)
    except ValueError:
        t = None
    u = undefined_tables(e_tot, n, printed, mode=mode)
    assert ((u["events"] == 0) | (u["events"] == u["total"])).all()
    assert ((u["a"] + u["b"]) == u["exposed"]).all() and ((u["a"] + u["c"]) == u["events"]).all()
    assert ((u["a"] + u["b"] + u["c"] + u["d"]) == u["total"]).all()
    pairs = {(m, k) for m in range(1, n + 1)
             for k in candidate_counts(m, printed, mode=mode) if 0 < k < m}
    for m, k in pairs:
        e_range = set(range(max(0, e_tot - (n - m)), min(e_tot, m) + 1))
        got = set(u.loc[(u["total"] == m) & (u["exposed"] == k), "events"])
        if t is not None:
            got |= set(t.loc[(t["total"] == m) & (t["exposed"] == k), "events"])
        assert got == e_range
    if t is None:
        assert not pairs or all(set(range(max(0, e_tot - (n - m)), min(e_tot, m) + 1)) <= {0, m}
                                for m, _ in pairs)


def test_events_per_variable():
    # Peduzzi et al. 1996: EPV = events of the rarer outcome / number of predictor variables
    assert events_per_variable(26, 52, 3) == pytest.approx(26 / 3)
    assert events_per_variable(52, 26, 1) == 26.0
    for bad in [(-1, 5, 1), (3, 5, 0), (0, 0, 2), (3, 5, 1.5)]:
        with pytest.raises(ValueError):
            events_per_variable(*bad)
