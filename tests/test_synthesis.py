"""Tests of helpers.synthesis (per-study events/total from proportion rows).

References (exact arithmetic, checked by hand):
* 20/41 = 48.78% prints as 48.8; 19/41 = 46.34% and 21/41 = 51.22% do not (Guo 2023 prints 48.8 %
  of the 41 stented patients).
* With n = 78, 3/78 = 3.85% and 4/78 = 5.13%: "4.0%" is unreachable (Baek 2022's mortality). The
  totals up to 78 that give 4.0 are 25 (1), 49 and 50 (2), 74 (3/74 = 4.054%, truncated) and 75
  (3/75 = 4.000%), so the largest is 3/75.
* "50%" of 201 (no decimals): 100/201 = 49.75% rounds to 50, 101/201 = 50.25% rounds and truncates
  to 50, 102/201 = 50.75% truncates to 50: three counts fit; 50% × 201 = 100.5, nearest 100 and 101
  (tie: the smaller, 100).
* Lee 2025 Table 2: successful recanalisation 25 of 27 (early) and 25 of 29 (late) → 50 of 56.
"""

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from helpers.data import load_package
from helpers.synthesis import HOW, log_odds_ratios, rate_table, study_rate


def _rows(*rows):
    cols = ["id", "study", "count", "total", "percent", "percent_decimals"]
    return pd.DataFrame(rows, columns=cols).astype({"count": "Int64", "total": "Int64"})


FRAME = _rows(
    ("a-printed", "a", 25, 27, 92.6, 1),
    ("a-printed2", "a", 25, 29, 86.2, 1),
    ("a-pct", "a", None, 41, 48.8, 1),
    ("a-none", "a", None, 78, 4.0, 1),
    ("a-amb", "a", None, 201, 50.0, 0),
    ("a-unknown", "a", None, None, 82.1, 1),
    ("b-printed", "b", 3, 10, 30.0, 1),
)


def test_printed_counts_are_summed():
    r = study_rate(FRAME, ["a-printed", "a-printed2"])
    assert (r.events, r.total) == (50, 56)
    assert r.how == ("printed", "printed") and not r.rebuilt


def test_unique_reconstruction():
    r = study_rate(FRAME, "a-pct")
    assert (r.events, r.total) == (20, 41) and r.how == ("unique",)
    assert r.rebuilt and not r.ambiguous and not r.denominator_changed


def test_unreachable_percentage_lowers_the_denominator():
    r = study_rate(FRAME, "a-none")
    assert (r.events, r.total) == (3, 75) and r.denominator_changed
    assert r.candidates[0] == ((1, 25), (2, 49), (2, 50), (3, 74), (3, 75))


def test_ambiguous_reconstruction_takes_the_nearest_smaller():
    r = study_rate(FRAME, "a-amb")
    assert r.ambiguous and (r.events, r.total) == (100, 201)
    assert r.candidates[0] == ((100, 201), (101, 201), (102, 201))


def test_rate_table_columns_and_order():
    t = rate_table(FRAME, {"B": "b-printed", "A": ["a-printed", "a-pct"]})
    assert list(t["study"]) == ["B", "A"]
    assert list(t["events"]) == [3, 45] and list(t["total"]) == [10, 68]
    assert t.loc[1, "how"] == f"{HOW['printed']}; {HOW['unique']}"
    assert t.loc[0, "proportion"] == pytest.approx(0.3)


def test_real_package_rates():
    props = load_package()["proportions"]
    lee = study_rate(props, ["lee2025-t2-successful-recanalization-early",
                             "lee2025-t2-successful-recanalization-late"])
    assert (lee.events, lee.total) == (50, 56)
    guo = study_rate(props, "guo2023-abs-mrs02-rs")
    assert (guo.events, guo.total) == (20, 41)
    baek = study_rate(props, "baek2022-abs-mortality")
    assert (baek.events, baek.total) == (3, 75) and baek.denominator_changed
    # the index form of the table works too
    assert study_rate(props.set_index("id"), "guo2023-abs-mrs02-rs").events == 20


@pytest.mark.parametrize("ids, message", [
    ("nope", "unknown proportion row"),
    (["a-printed", "b-printed"], "one study"),
    (["a-pct", "a-pct"], "must not repeat"),
    ([], "non-empty"),
    ("a-unknown", "no known total"),
])
def test_bad_ids(ids, message):
    with pytest.raises(ValueError, match=message):
        study_rate(FRAME, ids)


def test_bad_frames_and_specs():
    with pytest.raises(ValueError, match="DataFrame"):
        study_rate([1, 2], "a-pct")
    with pytest.raises(ValueError, match="missing the column"):
        study_rate(FRAME.drop(columns="percent"), "a-pct")
    with pytest.raises(ValueError, match="count of"):
        study_rate(_rows(("x", "x", 5, 4, 50.0, 1)), "x")
    with pytest.raises(ValueError, match="spec"):
        rate_table(FRAME, {})


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0, 1]))
def test_reconstruction_contains_the_true_count(kn, decimals):
    k, n = kn
    pct = round(100 * k / n, decimals)
    frame = _rows(("x", "x", None, n, pct, decimals))
    r = study_rate(frame, "x")
    assert r.total == n and not r.denominator_changed
    assert (k, n) in r.candidates[0]
    assert abs(r.events - k) <= max(1, n // 100) or r.ambiguous


# Woolf log odds ratio by hand: 7/41 vs 14/86 -> cells 7, 34, 14, 72;
# log(7*72/(34*14)) = log(504/476) = 0.0571584138, v = 1/7 + 1/34 + 1/14 + 1/72 = 0.2575863678.
# A zero cell: 0/10 vs 3/10 -> cells 0.5, 10.5, 3.5, 7.5; log(0.5*7.5/(10.5*3.5)) = log(3.75/36.75)
# = -2.2823823857, v = 2 + 1/10.5 + 1/3.5 + 1/7.5 = 2.5142857143.
def test_log_odds_ratios_by_hand():
    yi, vi = log_odds_ratios([7, 0], [41, 10], [14, 3], [86, 10])
    assert yi == pytest.approx([0.0571584138, -2.2823823857], abs=1e-9)
    assert vi == pytest.approx([0.2575863678, 2.5142857143], abs=1e-9)


@pytest.mark.parametrize("args, message", [
    (([5], [4], [1], [10]), "table 0"),
    (([0], [10], [0], [12]), "undefined"),
    (([1, 2], [10], [1], [10]), "same length"),
    (("1", [10], [1], [10]), "not a string"),
])
def test_log_odds_ratios_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        log_odds_ratios(*args)


@given(st.integers(1, 60), st.integers(1, 60), st.data())
def test_log_odds_ratio_swaps_sign_with_groups(n1, n2, data):
    a = data.draw(st.integers(0, n1))
    c = data.draw(st.integers(0, n2))
    if (a == 0 and c == 0) or (a == n1 and c == n2):
        return
    y1, v1 = log_odds_ratios([a], [n1], [c], [n2])
    y2, v2 = log_odds_ratios([c], [n2], [a], [n1])
    assert y1[0] == pytest.approx(-y2[0]) and v1[0] == pytest.approx(v2[0]) and v1[0] > 0
