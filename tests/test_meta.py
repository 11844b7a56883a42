"""Tests for helpers.meta against R's metafor.

Reference values: tests/fixtures/metafor/reference.json, written by
tests/fixtures/metafor/make_reference.R (R and metafor versions recorded in the file; fully
converged fits). The suite itself never runs R. A few values are also quoted from the literature:
Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw 2010;36(3),
section 4 (REML fit of the BCG data, log risk ratios).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.meta import (
    fixed_effect,
    leave_one_out,
    logit_proportions,
    mantel_haenszel,
    pool_proportions,
    random_effects,
)

REF = json.loads((Path(__file__).parent / "fixtures" / "metafor" / "reference.json").read_text())
REL = 1e-6  # the brief asks for at least 5 significant digits (1e-5); we hold 1e-6


def approx(value):
    # absolute floor only for values that are exactly zero in metafor (tau2 = 0, I2 = 0)
    return pytest.approx(value, rel=REL, abs=1e-12)


def _ids(rec):
    return f"{rec['data']}-{rec['method']}-{rec['test']}"


def test_fixture_records_versions():
    assert REF["r_version"].startswith("R version")
    assert REF["metafor_version"].count(".") == 2
    assert len(REF["random_effects"]) == 12  # 2 data sets x 3 methods x (z, knha)


@pytest.mark.parametrize("rec", REF["random_effects"], ids=_ids)
def test_random_effects_matches_metafor(rec):
    data = REF[rec["data"]]
    res = random_effects(data["yi"], data["vi"], method=rec["method"], knha=rec["test"] == "knha")
    pairs = {
        "estimate": "estimate", "se": "se", "ci_low": "ci_lb", "ci_high": "ci_ub", "tau2": "tau2",
        "i2": "I2", "q": "QE", "q_p": "QEp", "pi_low": "pi_lb", "pi_high": "pi_ub",
        "stat": "stat", "p_value": "pval",
    }
    for ours, theirs in pairs.items():
        assert getattr(res, ours) == approx(rec[theirs]), ours
    assert np.allclose(res.weights, rec["weights"], rtol=REL)
    assert res.k == len(data["yi"]) and res.method == rec["method"] and res.knha == (rec["test"] == "knha")


def test_zero_set_really_has_zero_tau2():
    recs = [r for r in REF["random_effects"] if r["data"] == "zero"]
    assert len(recs) == 6 and all(r["tau2"] == 0 for r in recs)
    for method in ("DL", "REML", "PM"):
        assert random_effects(REF["zero"]["yi"], REF["zero"]["vi"], method).tau2 == 0.0


def test_bcg_reml_matches_viechtbauer_2010():
    # J Stat Softw 36(3), section 4: estimate -0.7145, se 0.1798, tau^2 0.3132, I^2 92.22%, Q 152.2330
    d = REF["bcg"]
    res = random_effects(d["yi"], d["vi"])
    assert round(res.estimate, 4) == -0.7145
    assert round(res.se, 4) == 0.1798
    assert round(res.tau2, 4) == 0.3132
    assert round(res.i2, 2) == 92.22
    assert round(res.q, 4) == 152.2330


def test_escalc_rr_reproduced_from_counts():
    d = REF["bcg"]
    a, b, c, dd = (np.array(d[k], float) for k in ("tpos", "tneg", "cpos", "cneg"))
    yi = np.log(a / (a + b)) - np.log(c / (c + dd))
    assert np.allclose(yi, d["yi"], rtol=1e-12)


@pytest.mark.parametrize("rec", REF["fixed_effect"], ids=lambda r: r["data"])
def test_fixed_effect_matches_metafor(rec):
    data = REF[rec["data"]]
    res = fixed_effect(data["yi"], data["vi"])
    for ours, theirs in {"estimate": "estimate", "se": "se", "ci_low": "ci_lb", "ci_high": "ci_ub",
                         "i2": "I2", "q": "QE", "q_p": "QEp", "stat": "stat", "p_value": "pval"}.items():
        assert getattr(res, ours) == approx(rec[theirs]), ours
    assert res.tau2 == 0.0 and res.method == "FE"
    assert (res.pi_low, res.pi_high) == (res.ci_low, res.ci_high)


@pytest.mark.parametrize("rec", REF["mantel_haenszel"], ids=lambda r: f"{r['data']}-{r['measure']}")
def test_mantel_haenszel_matches_rma_mh(rec):
    res = mantel_haenszel(
        [int(x) for x in rec["events_a"]], [int(x) for x in rec["total_a"]],
        [int(x) for x in rec["events_b"]], [int(x) for x in rec["total_b"]], measure=rec["measure"],
    )
    for ours, theirs in {"log_estimate": "log_estimate", "se": "se", "stat": "stat", "p_value": "pval",
                         "q": "QE", "q_p": "QEp", "i2": "I2"}.items():
        assert getattr(res, ours) == approx(rec[theirs]), ours
    assert res.estimate == approx(math.exp(rec["log_estimate"]))
    assert res.ci_low == approx(math.exp(rec["ci_lb"]))
    assert res.ci_high == approx(math.exp(rec["ci_ub"]))
    assert res.k == rec["k"]


@pytest.mark.parametrize("rec", REF["proportions_logit"], ids=lambda r: f"{r['method']}-{r['test']}")
def test_pool_proportions_matches_metafor(rec):
    events = [int(x) for x in rec["events"]]
    totals = [int(x) for x in rec["totals"]]
    yi, vi = logit_proportions(events, totals)
    assert np.allclose(yi, rec["yi"], rtol=1e-12) and np.allclose(vi, rec["vi"], rtol=1e-12)
    res = pool_proportions(events, totals, method=rec["method"], knha=rec["test"] == "knha")
    for ours, theirs in {"estimate": "pred", "ci_low": "ci_lb", "ci_high": "ci_ub", "pi_low": "pi_lb",
                         "pi_high": "pi_ub", "tau2": "tau2", "i2": "I2"}.items():
        assert getattr(res, ours) == approx(rec[theirs]), ours
    assert res.logit.estimate == approx(rec["logit_estimate"])


def test_leave_one_out_matches_metafor():
    d = REF["bcg"]
    ref = REF["leave1out_bcg_reml"]
    out = leave_one_out(d["yi"], d["vi"], method="REML")
    assert isinstance(out, pd.DataFrame) and len(out) == 13
    for ours, theirs in {"estimate": "estimate", "se": "se", "ci_low": "ci_lb", "ci_high": "ci_ub",
                         "tau2": "tau2", "i2": "I2", "q": "QE", "q_p": "QEp"}.items():
        assert np.allclose(out[ours].to_numpy(), ref[theirs], rtol=REL, atol=1e-12), ours


def test_leave_one_out_labels():
    d = REF["bcg"]
    labels = [f"trial {i}" for i in range(13)]
    out = leave_one_out(d["yi"], d["vi"], labels=labels, method="DL", knha=True)
    assert list(out.index) == labels
    with pytest.raises(ValueError, match="labels"):
        leave_one_out(d["yi"], d["vi"], labels=labels[:3])
    with pytest.raises(ValueError, match="three"):
        leave_one_out([0.1, 0.2], [0.1, 0.1])


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "yi, vi, kwargs, match",
    [
        ([0.1], [0.1], {}, "at least two"),
        ([0.1, 0.2], [0.1, 0.0], {}, "vi"),
        ([0.1, 0.2], [0.1, -0.1], {}, "vi"),
        ([0.1, float("nan")], [0.1, 0.1], {}, "yi"),
        ([0.1, 0.2], [0.1, float("inf")], {}, "vi"),
        ([0.1, 0.2, 0.3], [0.1, 0.1], {}, "same length"),
        ([0.1, 0.2], [0.1, 0.1], {"method": "HS"}, "method"),
        ([0.1, 0.2], [0.1, 0.1], {"method": None}, "method"),
        ([0.1, 0.2], [0.1, 0.1], {"knha": "yes"}, "knha"),
        ([0.1, 0.2], [0.1, 0.1], {"level": 95}, "level"),
        ("ab", [0.1, 0.1], {}, "strings"),
        ([[0.1, 0.2]], [[0.1, 0.1]], {}, "one-dimensional"),
    ],
)
def test_random_effects_rejects_bad_input(yi, vi, kwargs, match):
    with pytest.raises(ValueError, match=match):
        random_effects(yi, vi, **kwargs)


def test_fixed_effect_rejects_bad_input():
    with pytest.raises(ValueError, match="at least two"):
        fixed_effect([0.1], [0.1])
    with pytest.raises(ValueError, match="vi"):
        fixed_effect([0.1, 0.2], [0.1, 0])


def test_knha_with_identical_effects_is_an_error_not_nan():
    with pytest.raises(ValueError, match="identical"):
        random_effects([0.3, 0.3, 0.3], [0.1, 0.2, 0.3], knha=True)
    with pytest.raises(ValueError, match="events"):
        pool_proportions([2, 2], [10, 10], knha=True)
    assert pool_proportions([2, 2], [10, 10], knha=False).estimate == pytest.approx(0.2)


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([5, 3], [4, 10], [1, 2], [10, 10]), {}, "exceeds"),
        (([-1, 3], [10, 10], [1, 2], [10, 10]), {}, "negative"),
        (([1.5, 3], [10, 10], [1, 2], [10, 10]), {}, "whole"),
        (([1, 3], [0, 10], [1, 2], [10, 10]), {}, "at least 1"),
        (([1, 3], [10, 10], [1], [10, 10]), {}, "same length"),
        (([1], [10], [1], [10]), {}, "at least two"),
        (([1, 3], [10, 10], [1, 2], [10, 10]), {"measure": "RD"}, "measure"),
        (([0, 0], [10, 10], [1, 2], [10, 10]), {}, "infinite"),
    ],
)
def test_mantel_haenszel_rejects_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mantel_haenszel(*args, **kwargs)


@pytest.mark.parametrize(
    "events, totals, match",
    [([3, 12], [10, 10], "exceeds"), ([3, -1], [10, 10], "negative"), ([3, 1], [10, 0], "at least 1"),
     ([3], [10, 10], "same length"), ([3], [10], "at least two")],
)
def test_pool_proportions_rejects_bad_input(events, totals, match):
    with pytest.raises(ValueError, match=match):
        pool_proportions(events, totals)


# ----------------------------------------------------------------------------- properties

studies = st.integers(min_value=2, max_value=8).flatmap(
    lambda k: st.tuples(
        st.lists(st.floats(-3, 3, allow_nan=False), min_size=k, max_size=k),
        st.lists(st.floats(0.01, 2.0, allow_nan=False), min_size=k, max_size=k),
    )
)


@settings(max_examples=60, deadline=None)
@given(studies, st.sampled_from(["DL", "REML", "PM"]), st.booleans())
def test_intervals_nest_and_tau2_nonnegative(data, method, knha):
    yi, vi = data
    if knha and np.ptp(yi) == 0:
        return  # Knapp–Hartung SE is zero by definition; covered by its own test
    res = random_effects(yi, vi, method=method, knha=knha)
    assert res.tau2 >= 0
    assert 0 <= res.i2 < 100
    assert res.ci_low <= res.estimate <= res.ci_high
    assert res.pi_low <= res.ci_low + 1e-12 and res.ci_high <= res.pi_high + 1e-12
    assert min(yi) - 1e-9 <= res.estimate <= max(yi) + 1e-9
    assert sum(res.weights) == pytest.approx(100.0)


@settings(max_examples=40, deadline=None)
@given(studies, st.sampled_from(["DL", "REML", "PM"]), st.floats(-5, 5))
def test_shift_and_permutation_equivariance(data, method, shift):
    yi, vi = data
    base = random_effects(yi, vi, method=method)
    moved = random_effects([y + shift for y in yi], vi, method=method)
    flipped = random_effects(yi[::-1], vi[::-1], method=method)
    assert moved.estimate == pytest.approx(base.estimate + shift, abs=1e-7)
    assert moved.tau2 == pytest.approx(base.tau2, rel=1e-6, abs=1e-10)
    assert flipped.estimate == pytest.approx(base.estimate, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(0, 30), st.integers(1, 30), st.integers(0, 30)),
                min_size=2, max_size=6))
def test_mantel_haenszel_swapping_groups_inverts_ratio(tables):
    ea = [t[0] for t in tables]
    na = [t[0] + t[1] for t in tables]
    eb = [t[2] for t in tables]
    nb = [t[2] + t[3] for t in tables]
    for measure in ("OR", "RR"):
        try:
            ab = mantel_haenszel(ea, na, eb, nb, measure)
        except ValueError:
            continue  # e.g. every table without non-events: OR infinite
        ba = mantel_haenszel(eb, nb, ea, na, measure)
        assert ab.estimate * ba.estimate == pytest.approx(1.0)
        assert ab.se == pytest.approx(ba.se)
        assert ab.ci_low <= ab.estimate <= ab.ci_high
