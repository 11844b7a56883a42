"""Tests of helpers.audit: constructed packages for every check kind, the CSV, the real package.

Reference values are computed by hand or quoted from an independent source:
* 2/3 = 66.666...% (arithmetic); 3/78 = 3.85%, 4/78 = 5.13% (arithmetic);
* Fisher's "lady tasting tea" table [[3, 1], [1, 3]]: two-sided Fisher p = 0.4857 (Fisher 1935;
  R 4.x ``fisher.test(matrix(c(3,1,1,3),2))$p.value`` = 0.4857143); Pearson X² = 2.0, p = 0.1573;
  with Yates' correction X² = 0.5, p = 0.4795 (R ``chisq.test(..., correct=FALSE/TRUE)``);
* t-test, means 5 and 6, SD 1, n 10 each: t = 1/sqrt(0.2) = 2.236, df 18, p = 0.0382
  (R ``2*pt(-sqrt(5), 18)`` = 0.03818);
* t-tests on 0/1 or category codes (R 4.2.2, b <- function(k, n) c(rep(1, k), rep(0, n - k))):
  5/27 vs 4/29: Welch ``t.test(b(5, 27), b(4, 29))`` p = 0.6393519717, Student 0.6378216353;
  ``fisher.test(matrix(c(5,4,22,25),2))`` p = 0.7248998227, Pearson 0.6304380937, Yates 0.9068387886.
  23/27 vs 16/29: Pearson ``chisq.test(matrix(c(23,16,4,13),2), correct=FALSE)`` p = 0.0146565846,
  Fisher 0.0204507241, Yates 0.0315598147; Student t p = 0.01415916, Welch 0.01330611.
  mTICI 1/2a/2b/3 counts 0/2/12/13 vs 0/4/13/12 coded 0..3: Welch p = 0.4650971561, Student
  0.4666792986; Fisher–Freeman–Halton 0.8012096829, Pearson 0.7131594620;
* OR 2.00 (1.00–4.00): SE = ln 4 / (2·1.96) = 0.3537, z = ln 2 / SE = 1.96, p = 0.050
  (Altman & Bland, BMJ 2011;343:d2304).
"""

from __future__ import annotations

import io
import re
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.audit import CHECKS, COLUMNS, VERDICTS, main, run_audit, summary
from helpers.data import load_package

ROOT = Path(__file__).resolve().parents[1]
STUDY = "toy2020"


@pytest.fixture(scope="module")
def real():
    return load_package()


def _package(real, *, arms=(), proportions=(), comparisons=(), continuous=(), estimates=(),
             quantities=()):
    """An empty copy of the real package's frames with the given rows (dicts) added."""
    pkg = {}
    studies = real["studies"].iloc[:0].copy()
    studies = pd.concat([studies, pd.DataFrame([{"study": STUDY, "n_total": 25}])], ignore_index=True)
    pkg["studies"] = studies
    for kind, rows in (("arms", arms), ("proportions", proportions), ("comparisons", comparisons),
                       ("continuous", continuous), ("estimates", estimates),
                       ("quantities", quantities), ("definitions", ())):
        base = real[kind].iloc[:0].copy()
        rows = [{"study": STUDY, **r} for r in rows]
        for i, r in enumerate(rows):
            r.setdefault("id", f"{STUDY}-{kind}-{i}")
        pkg[kind] = pd.concat([base, pd.DataFrame(rows, columns=base.columns)], ignore_index=True) \
            if rows else base
    return pkg


def _arms(na=10, nb=15, nall=25):
    return [{"arm": "a", "n": na}, {"arm": "b", "n": nb}, {"arm": "all", "n": nall}]


def _prop(item, arm, count, total, percent, decimals=1, location="Table 1", category=None,
          basis="arm"):
    return {"location": location, "item": item, "category": category, "arm": arm, "count": count,
            "total": total, "total_basis": basis, "percent": percent, "percent_decimals": decimals,
            "printed": f"{'' if count is None else count} ({percent})"}


def _only(df, check, item=None):
    sel = df[df["check"] == check]
    if item is not None:
        sel = sel[sel["item"].str.startswith(item)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


# --------------------------------------------------------------------------- percent

@pytest.mark.parametrize("percent, verdict, how", [
    (66.7, "consistent", "rounding"),      # 66.666... rounds to 66.7
    (66.6, "consistent", "truncation"),    # ... and truncates to 66.6
    (66.5, "inconsistent", None),          # neither
    (66.8, "inconsistent", None),
])
def test_percent_rounding_and_truncation(real, percent, verdict, how):
    pkg = _package(real, arms=_arms(na=3), proportions=[_prop("Event", "a", 2, 3, percent)])
    row = _only(run_audit(pkg), "percent")
    assert row["verdict"] == verdict
    if how == "truncation":
        assert "only by truncation" in row["detail"]
    if how == "rounding":
        assert "by rounding" in row["detail"]
    if verdict == "inconsistent":
        assert f"no count out of 3 gives {percent}" in row["detail"]


def test_percent_inconsistent_lists_totals_that_fit_this_count(real):
    # 5/30 = 16.7%, printed 17.9: no count out of 30 gives it, but 5/28 = 17.857% would
    pkg = _package(real, arms=_arms(), proportions=[_prop("X", "a", 5, 30, 17.9, basis="printed")])
    row = _only(run_audit(pkg), "percent")
    assert row["verdict"] == "inconsistent"
    assert "no count out of 30 gives 17.9" in row["detail"]
    assert "5 out of a total of 28 would also fit" in row["detail"]


# --------------------------------------------------------------------------- percent-reachable

def test_percent_reachable(real):
    props = [_prop("mortality", "all", None, 78, 4.0), _prop("sICH", "all", None, 78, 5.1),
             _prop("patency", "all", None, None, 82.1, basis="unknown")]
    pkg = _package(real, arms=[{"arm": "all", "n": 78}], proportions=props)
    df = run_audit(pkg)
    mort = _only(df, "percent-reachable", "mortality")
    assert mort["verdict"] == "inconsistent"          # 3/78 = 3.85%, 4/78 = 5.13%: no 4.0
    assert "3/78 = 3.85%" in mort["detail"] and "4/78 = 5.13%" in mort["detail"]
    sich = _only(df, "percent-reachable", "sICH")
    assert sich["verdict"] == "consistent" and "4/78" in sich["detail"]  # 4/78 = 5.128%
    pat = _only(df, "percent-reachable", "patency")
    assert pat["verdict"] == "unverifiable"
    assert "39" in pat["recomputed"]                  # 32/39 = 82.05% (rounds to 82.1): smallest total


# --------------------------------------------------------------------------- arm-sum

def test_arm_sum(real):
    good = [_prop("Site", "a", 4, 10, 40.0, category="ICA"), _prop("Site", "a", 6, 10, 60.0, category="M1")]
    over = [_prop("Site", "b", 9, 15, 60.0, category="ICA"), _prop("Site", "b", 9, 15, 60.0, category="M1")]
    under = [_prop("Other", "b", 3, 15, 20.0, category="x"), _prop("Other", "b", 3, 15, 20.0, category="y")]
    df = run_audit(_package(real, arms=_arms(), proportions=good + over + under))
    assert _only(df, "arm-sum", "Site (a)")["verdict"] == "consistent"
    assert _only(df, "arm-sum", "Site (b)")["verdict"] == "inconsistent"
    assert _only(df, "arm-sum", "Other (b)")["verdict"] == "unverifiable"


def test_arm_sum_percentages_must_reach_100(real):
    # counts 1+1+1 of 3 add up, but 33 + 33 + 33 (0 decimals) can reach at most 99 + 3·1 > 100;
    # 30 + 30 + 30 can reach at most 93: not 100 -> inconsistent
    ok = [_prop("T", "a", 1, 3, 33.3, category=c) for c in "xyz"]
    bad = [_prop("U", "a", 1, 3, 30.0, decimals=0, category=c) for c in "xyz"]
    df = run_audit(_package(real, arms=_arms(na=3), proportions=ok + bad))
    assert _only(df, "arm-sum", "T (a)")["verdict"] == "consistent"
    assert _only(df, "arm-sum", "U (a)")["verdict"] == "inconsistent"


# --------------------------------------------------------------------------- p-values of counts

def _tea(real, p_printed, stated, **kw):
    props = [_prop("Tea", "a", 3, 4, 75.0), _prop("Tea", "b", 1, 4, 25.0)]
    p = p_printed.replace("<", "").strip()
    comp = {"location": "Table 1", "item": "Tea", "arms": "a|b", "test_stated": stated,
            "outcome_type": "binary", "p_printed": p_printed, "p_value": float(p),
            "p_relation": "<" if "<" in p_printed else "=", "p_decimals": len(p.split(".")[1])}
    return run_audit(_package(real, arms=_arms(na=4, nb=4, nall=8), proportions=props,
                              comparisons=[comp]))


@pytest.mark.parametrize("printed", ["0.486", "0.485", "0.49", "0.48"])
def test_p_fisher_rounding_or_truncation(real, printed):
    # Fisher p = 0.4857: rounds to 0.486 / 0.49, truncates to 0.485 / 0.48
    row = _only(_tea(real, printed, "fisher"), "p-fisher")
    assert row["verdict"] == "consistent"


@pytest.mark.parametrize("printed, verdict, basis", [
    ("0.487", "inconsistent", "tried: "),
    ("< 0.05", "inconsistent", "tried: "),
    # Yates p = 0.4795 truncates to 0.47; Pearson X² = 2, p = 0.1573 rounds to 0.157: the stated
    # test (Fisher) does not reproduce them, a named alternative does
    ("0.47", "explained", "Pearson's chi-square with Yates' correction (not a test"),
    ("0.157", "explained", "Pearson's chi-square (not a test"),
])
def test_p_fisher_inconsistent_or_explained(real, printed, verdict, basis):
    row = _only(_tea(real, printed, "fisher"), "p-fisher")
    assert row["verdict"] == verdict
    assert row["basis"].startswith(basis)
    # Fisher's 0.4857 is above 0.05, like every printed p but "< 0.05"
    assert row["consequence"] == ("p crosses 0.05" if printed == "< 0.05" else "none")
    if printed == "0.157":
        assert "reproduced by Pearson's chi-square" in row["detail"]


def test_p_chisq_with_or_without_yates(real):
    assert _only(_tea(real, "0.157", "chisq"), "p-chisq")["verdict"] == "consistent"
    assert _only(_tea(real, "0.479", "chisq"), "p-chisq-yates")["verdict"] == "consistent"
    assert _only(_tea(real, "0.30", "chisq"), "p-chisq")["verdict"] == "inconsistent"


def test_p_rule_flags_a_test_the_rule_does_not_call_for(real):
    # expected counts are 2 (< 5): the rule calls for Fisher (0.4857), but 0.157 is chi-square's
    df = _tea(real, "0.157", "chisq_or_fisher")
    assert _only(df, "p-chisq")["verdict"] == "consistent"
    rule = _only(df, "p-rule")
    assert rule["verdict"] == "explained"      # the number fits, by a test the rule does not pick
    assert rule["basis"] == "Pearson's chi-square (not the test the rule calls for)"
    assert "Fisher's exact test" in rule["detail"] and "only by Pearson's chi-square" in rule["detail"]
    df = _tea(real, "0.486", "chisq_or_fisher")
    assert _only(df, "p-fisher")["verdict"] == "consistent"
    assert _only(df, "p-rule")["verdict"] == "consistent"
    df = _tea(real, "0.30", "chisq_or_fisher")
    assert _only(df, "p-rule")["verdict"] == "unverifiable"


def test_p_below_bound_read_literally(real):
    props = [_prop("Big", "a", 30, 30, 100.0), _prop("Big", "b", 0, 30, 0.0)]
    comps = [{"location": "Table 1", "item": "Big", "arms": "a|b", "test_stated": "fisher",
              "outcome_type": "binary", "p_printed": pp, "p_value": 0.001, "p_relation": rel,
              "p_decimals": 3} for pp, rel in (("< 0.001", "<"),)]
    df = run_audit(_package(real, arms=_arms(na=30, nb=30, nall=60), proportions=props,
                            comparisons=comps))
    assert _only(df, "p-fisher")["verdict"] == "consistent"
    comps[0].update(p_printed="0.001", p_relation="=")   # p ~ 1e-17 is not "0.001"
    df = run_audit(_package(real, arms=_arms(na=30, nb=30, nall=60), proportions=props,
                            comparisons=comps))
    assert _only(df, "p-fisher")["verdict"] == "inconsistent"


def test_p_from_counts_inferred_from_percentages(real):
    # abstract style: only percentages; 75.0% and 25.0% of 4 leave exactly 3 and 1
    props = [_prop("Tea", "a", None, 4, 75.0), _prop("Tea", "b", None, 4, 25.0)]
    comp = {"location": "Table 1", "item": "Tea", "arms": "a|b", "test_stated": "not_stated",
            "outcome_type": "binary", "p_printed": "0.49", "p_value": 0.49, "p_relation": "=",
            "p_decimals": 2}
    df = run_audit(_package(real, arms=_arms(na=4, nb=4, nall=8), proportions=props, comparisons=[comp]))
    row = _only(df, "p-fisher")
    assert row["verdict"] == "consistent" and "inferred" in row["detail"]


# --------------------------------------------------------------------------- t-test on 0/1 codes

def _binary(real, ka, na, kb, nb, printed, stated="chisq_or_fisher", item="Thing"):
    props = [_prop(item, "a", ka, na, round(100 * ka / na, 1)), _prop(item, "b", kb, nb, round(100 * kb / nb, 1))]
    comp = {"location": "Table 1", "item": item, "arms": "a|b", "test_stated": stated,
            "outcome_type": "binary", "p_printed": printed, "p_value": float(printed),
            "p_relation": "=", "p_decimals": len(printed.split(".")[1])}
    return run_audit(_package(real, arms=_arms(na=na, nb=nb, nall=na + nb), proportions=props,
                              comparisons=[comp]))


def test_ttest01_never_makes_the_named_test_row_consistent(real):
    # 5/27 vs 4/29, printed 0.639: only Welch's t on 0/1 codes (0.63935) gives it; Fisher 0.7249,
    # Pearson 0.6304, Yates 0.9068 do not, and the rule (expected count 4.34 < 5) calls for Fisher
    df = _binary(real, 5, 27, 4, 29, "0.639")
    named = _only(df, "p-fisher")
    assert named["verdict"] == "explained"
    assert named["basis"] == "Welch's t-test on the 0/1 codes (not a test the methods name)"
    assert ("none of Fisher's exact test, Pearson's chi-square or Pearson's chi-square with "
            "Yates' correction reproduces it") in named["detail"]
    assert "Welch's t-test on the 0/1 codes (p = 0.6394) reproduces it" in named["detail"]
    assert "not a test the methods name" in named["detail"]
    alt = _only(df, "p-ttest01")
    assert alt["verdict"] == "consistent"
    assert "Welch p = 0.6394" in alt["recomputed"] and "Student p = 0.6378" in alt["recomputed"]
    assert "the p-fisher row is explained by it, not consistent" in alt["detail"]
    rule = _only(df, "p-rule")
    assert rule["verdict"] == "unverifiable" and "p-ttest01" in rule["detail"]
    # the paper naming no test does not make the t-test a named one either
    df = _binary(real, 5, 27, 4, 29, "0.639", stated="not_stated")
    assert _only(df, "p-fisher")["verdict"] == "explained"
    assert _only(df, "p-fisher")["basis"].endswith("(the paper names no test)")
    assert "the paper names no test" in _only(df, "p-ttest01")["detail"]


def test_ttest01_when_the_named_test_also_fits(real):
    # 23/27 vs 16/29, printed 0.014: Pearson 0.01466 (truncation) and Student t 0.01416 both fit
    df = _binary(real, 23, 27, 16, 29, "0.014")
    named = _only(df, "p-chisq")
    assert named["verdict"] == "consistent"
    assert "Student's t-test on the 0/1 codes (p = 0.0142) also gives it" in named["detail"]
    assert "p-ttest01" not in set(df["check"])       # nothing to explain: the named test fits


def test_ttest01_absent_when_no_test_fits_or_t_undefined(real):
    # 0.30 is given by none of Fisher 0.7249, Pearson 0.6304, Yates 0.9068, t 0.6378/0.6394
    df = _binary(real, 5, 27, 4, 29, "0.30")
    assert _only(df, "p-fisher")["verdict"] == "inconsistent"
    detail = _only(df, "p-fisher")["detail"]
    assert "p-ttest01" not in set(df["check"])
    # the t-test on the codes was tried (and is named among the candidates), but it does not fit
    assert detail.endswith("or a t-test (Student's or Welch's) on the 0/1 codes reproduces it.")
    # 0/10 vs 0/12: nobody varies, t undefined; no crash, no t candidate (none named as tried)
    df = _binary(real, 0, 10, 0, 12, "1.000", stated="fisher")
    assert "p-ttest01" not in set(df["check"]) and "t-test" not in " ".join(df["detail"])


def _mtici(real, printed, late_3=12):
    cats = [("1", 0, 0), ("2a", 2, 4), ("2b", 12, 13), ("3", 13, late_3)]
    props = []
    for cat, a, b in cats:
        props += [_prop("Final mTICI", "a", a, 27, round(100 * a / 27, 1), category=cat, location="Table 2"),
                  _prop("Final mTICI", "b", b, 29, round(100 * b / 29, 1), category=cat, location="Table 2")]
    comp = {"location": "Table 2", "item": "Final mTICI", "arms": "a|b", "test_stated": "chisq_or_fisher",
            "outcome_type": "categorical", "p_printed": printed, "p_value": float(printed),
            "p_relation": "=", "p_decimals": 3}
    return run_audit(_package(real, arms=_arms(na=27, nb=29, nall=56), proportions=props,
                              comparisons=[comp]))


def test_ttest01_on_ordered_category_codes(real):
    # mTICI 1/2a/2b/3 coded 0..3 in printed order: Welch 0.4651 prints as 0.465; FFH 0.8012
    df = _mtici(real, "0.465")
    assert _only(df, "p-rxc-fisher")["verdict"] == "explained"
    alt = _only(df, "p-ttest01")
    assert alt["verdict"] == "consistent" and "codes 0–3" in alt["detail"]
    assert "Welch p = 0.4651" in alt["recomputed"] and "Student p = 0.4667" in alt["recomputed"]
    # categories that do not cover the arm (11 of the late arm's 29 in no printed grade): codes
    # unknown, so no t candidate
    df = _mtici(real, "0.465", late_3=1)
    assert "p-ttest01" not in set(df["check"])


def test_ttest01_rows_on_the_real_package(audit):
    alt = audit[audit["check"] == "p-ttest01"]
    assert not alt.empty and (alt["verdict"] == "consistent").all()
    # a p-ttest01 row only ever accompanies a named-test row of the same item that the named
    # tests do not reproduce: explained (by the t-test, or by another candidate test), never
    # consistent
    named = audit[audit["check"].str.match(r"p-(rxc-)?(fisher|chisq|chisq-yates)$")]
    keyed = {(r.study, r.location, r.item): (r.verdict, r.basis) for r in named.itertuples()}
    for r in alt.itertuples():
        verdict, basis = keyed[(r.study, r.location, r.item)]
        assert verdict == "explained" and "not a test" in basis


# --------------------------------------------------------------------------- t-test, medians, models

def _cont(arm, mean, sd, n, summary="mean_sd", item="Age"):
    return {"location": "Table 1", "item": item, "arm": arm, "n": n, "summary": summary,
            "centre": mean, "sd": sd if summary == "mean_sd" else None,
            "q1": None if summary == "mean_sd" else mean - 1, "q3": None if summary == "mean_sd" else mean + 1,
            "decimals": 1, "printed": f"{mean} ± {sd}"}


@pytest.mark.parametrize("printed, verdict", [("0.038", "consistent"), ("0.04", "consistent"),
                                              ("0.15", "inconsistent"), ("< 0.001", "inconsistent")])
def test_p_ttest(real, printed, verdict):
    # t = 2.236, df 18, p = 0.0382; the printed precision (means 4.95-5.05 etc., SDs 0.95-1.05)
    # (rounding or truncation: means 4.95-5.1, 5.95-6.1; SDs 0.95-1.1) allows p up to about
    # 0.10 (|difference| 0.85, SD 1.1), so 0.15 cannot be reached
    conts = [_cont("a", 5.0, 1.0, 10), _cont("b", 6.0, 1.0, 10)]
    p = printed.replace("<", "").strip()
    comp = {"location": "Table 1", "item": "Age", "arms": "a|b", "test_stated": "ttest",
            "outcome_type": "continuous", "p_printed": printed, "p_value": float(p),
            "p_relation": "<" if "<" in printed else "=", "p_decimals": len(p.split(".")[1])}
    df = run_audit(_package(real, arms=_arms(na=10, nb=10, nall=20), continuous=conts, comparisons=[comp]))
    assert _only(df, "p-ttest")["verdict"] == verdict


def test_p_median_and_model_are_unverifiable(real):
    conts = [_cont("a", 5.0, None, 10, "median_iqr", "NIHSS"), _cont("b", 6.0, None, 10, "median_iqr", "NIHSS")]
    comps = [{"location": "Table 1", "item": "NIHSS", "arms": "a|b", "test_stated": "mannwhitney",
              "outcome_type": "continuous", "p_printed": "0.20", "p_value": 0.2, "p_relation": "=",
              "p_decimals": 2},
             {"location": "Table 2", "item": "mRS p-int", "arms": "a|b", "test_stated": "interaction",
              "outcome_type": "binary", "p_printed": "0.02", "p_value": 0.02, "p_relation": "=",
              "p_decimals": 2}]
    df = run_audit(_package(real, arms=_arms(), continuous=conts, comparisons=comps))
    assert _only(df, "p-median")["verdict"] == "unverifiable"
    assert _only(df, "p-model")["verdict"] == "unverifiable"


# --------------------------------------------------------------------------- estimates

def _est(estimate, ci, p, measure="OR", location="Table 2", item="Outcome"):
    lo, hi = (float(x) for x in ci.split("–"))
    dec = len(estimate.split(".")[1]) if "." in estimate else 0
    cdec = len(ci.split("–")[0].split(".")[1])
    return {"location": location, "item": item, "subgroup": None, "measure": measure,
            "adjustment": "unadjusted", "model": "m", "comparison": "a|b",
            "estimate": float(estimate), "ci_low": lo, "ci_high": hi, "ci_level": 0.95,
            "estimate_printed": estimate, "ci_printed": ci, "estimate_decimals": dec,
            "ci_decimals": cdec, "p_printed": p, "p_value": float(p.replace("<", "")),
            "p_relation": "<" if "<" in p else "=", "p_decimals": len(p.split(".")[1])}


@pytest.mark.parametrize("est, ci, measure, verdict", [
    ("2.00", "1.00–4.00", "OR", "consistent"),     # sqrt(1·4) = 2
    ("2.50", "1.00–4.00", "OR", "inconsistent"),
    ("1.0", "0.0–2.0", "MD", "consistent"),        # linear centre
    ("1.3", "0.0–2.0", "MD", "inconsistent"),
])
def test_ci_centre(real, est, ci, measure, verdict):
    df = run_audit(_package(real, arms=_arms(), estimates=[_est(est, ci, "0.05", measure)]))
    assert _only(df, "ci-centre")["verdict"] == verdict


@pytest.mark.parametrize("est, ci, p, verdict", [
    ("2.00", "1.00–4.00", "0.05", "consistent"),    # z = 1.96 exactly
    ("2.00", "1.00–4.00", "0.01", "inconsistent"),
    ("4.00", "3.00–5.33", "< 0.001", "consistent"), # z = 9.5
    ("4.00", "3.00–5.33", "0.001", "inconsistent"),
])
def test_ci_p(real, est, ci, p, verdict):
    df = run_audit(_package(real, arms=_arms(), estimates=[_est(est, ci, p)]))
    assert _only(df, "ci-p")["verdict"] == verdict


# --------------------------------------------------------------------------- duplicates, n-sum

def test_duplicate(real):
    props = [_prop("Favorable outcome", "a", 23, 27, 85.2, location="Table 2"),
             _prop("Favorable outcome", "a", None, 27, 85.2, location="Abstract"),
             _prop("Mortality", "a", 2, 27, 7.4, location="Table 2"),
             _prop("Mortality", "a", None, 27, 8.0, location="Abstract")]
    df = run_audit(_package(real, arms=_arms(na=27), proportions=props))
    assert _only(df, "duplicate", "Favorable")["verdict"] == "consistent"
    assert _only(df, "duplicate", "Mortality")["verdict"] == "inconsistent"
    # a p printed as "< 0.001" in one place and "0.01" in another cannot be the same p
    comps = [{"location": loc, "item": "sICH p-int (adjusted)", "arms": "a|b", "test_stated": "interaction",
              "outcome_type": "binary", "p_printed": pp, "p_value": 0.001 if "<" in pp else 0.01,
              "p_relation": "<" if "<" in pp else "=", "p_decimals": 3 if "<" in pp else 2}
             for loc, pp in (("Table 2", "0.01"), ("Results", "< 0.001"))]
    df = run_audit(_package(real, arms=_arms(), comparisons=comps))
    assert _only(df, "duplicate")["verdict"] == "inconsistent"
    # an estimate repeated with its CI printed with another dash is the same estimate
    ests = [_est("7.187", "1.385–37.306", "0.019", location="Table 3", item="Early RS (vs. late RS)"),
            _est("7.187", "1.385–37.306", "0.019", location="Abstract", item="Early RS")]
    df = run_audit(_package(real, arms=_arms(), estimates=ests))
    assert _only(df, "duplicate")["verdict"] == "consistent"


def test_n_sum(real):
    comps = [{"location": "Table 1", "item": "X", "arms": "a|b", "test_stated": "interaction",
              "outcome_type": "binary", "p_printed": "0.5", "p_value": 0.5, "p_relation": "=",
              "p_decimals": 1}]
    df = run_audit(_package(real, arms=_arms(na=10, nb=15, nall=25), comparisons=comps))
    assert _only(df, "n-sum")["verdict"] == "consistent"       # 10 + 15 = 25 = n_total
    df = run_audit(_package(real, arms=_arms(na=10, nb=14, nall=30), comparisons=comps))
    assert _only(df, "n-sum")["verdict"] == "unverifiable"


# --------------------------------------------------------------------------- detail sentences

def test_no_candidate_names_every_test_tried(real):
    # Tea 3/4 vs 1/4 printed 0.30: Fisher 0.4857, Pearson 0.1573, Yates 0.4795 (see the module
    # docstring) and Student's/Welch's t on the 0/1 codes (both SDs 0.5: t = 0.5 / sqrt(0.25/2)
    # = 1.414 with 6 df, p = 0.2070), none of which prints as 0.30
    row = _only(_tea(real, "0.30", "fisher"), "p-fisher")
    assert row["verdict"] == "inconsistent"
    assert ("none of Fisher's exact test, Pearson's chi-square, Pearson's chi-square with Yates' "
            "correction or a t-test (Student's or Welch's) on the 0/1 codes reproduces it"
            ) in row["detail"]
    assert "no candidate test" not in row["detail"] and "hair" not in row["detail"]
    # the p-rule row names them too
    rule = _only(_tea(real, "0.30", "chisq_or_fisher"), "p-rule")
    assert rule["verdict"] == "unverifiable" and "none of Fisher's exact test" in rule["detail"]


@pytest.mark.parametrize("printed, truncation_only", [("0.485", True), ("0.48", True),
                                                      ("0.486", False), ("0.49", False)])
def test_p_truncation_only_is_said(real, printed, truncation_only):
    # Fisher p = 0.4857 rounds to 0.486 / 0.49 and truncates to 0.485 / 0.48
    row = _only(_tea(real, printed, "fisher"), "p-fisher")
    assert row["verdict"] == "consistent"
    assert ("by truncation only" in row["detail"]) is truncation_only


def test_ci_p_truncation_only_is_said(real):
    # OR 2.00 (1.00–4.00) implies p = 0.0500 (z = 1.96). All three rounded: the smallest implied p
    # is 2·Φ(−ln 2.005 / ((ln 3.995 − ln 1.005)/3.92)) = 2·Φ(−1.976) = 0.048, not in [0.035, 0.045]
    # (0.04 rounded); truncated estimate up to 2.01 and lower bound up to 1.01 give
    # 2·Φ(−ln 2.01 / ((ln 3.995 − ln 1.01)/3.92)) = 2·Φ(−1.990) = 0.0466, which truncates to 0.04
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("2.00", "1.00–4.00", "0.04")]))
    row = _only(df, "ci-p")
    assert row["verdict"] == "consistent" and "only by truncation" in row["detail"]
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("2.00", "1.00–4.00", "0.05")]))
    assert "truncation" not in _only(df, "ci-p")["detail"]


def test_ci_centre_truncation_only_is_said(real):
    # MD 1.0 (0.00–2.20): centre 1.10 (1.095 to 1.105 rounded); 1.0 rounded is 0.95 to 1.05 (no),
    # truncated 1.0 to 1.1 (yes): consistent only by truncation
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("1.0", "0.00–2.20", "0.05", "MD")]))
    row = _only(df, "ci-centre")
    assert row["verdict"] == "consistent" and "only by truncation" in row["detail"]
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("1.1", "0.00–2.20", "0.05", "MD")]))
    assert "truncation" not in _only(df, "ci-centre")["detail"]


def test_ci_p_of_an_asymmetric_interval_is_not_evidence_of_an_error(real):
    # OR 2.50 (1.00–4.00): centre 2.00, so not a Wald interval about 2.50
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("2.50", "1.00–4.00", "0.05")]))
    assert _only(df, "ci-centre")["verdict"] == "inconsistent"
    detail = _only(df, "ci-p")["detail"]
    assert "not symmetric" in detail and "not a Wald-type interval" in detail
    assert "not evidence of an error" in detail
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("2.00", "1.00–4.00", "0.01")]))
    assert "not symmetric" not in _only(df, "ci-p")["detail"]


@pytest.mark.parametrize("printed, hair", [("0.487", True), ("0.47", True), ("0.30", False),
                                           ("0.157", False)])
def test_p_near_miss(real, printed, hair):
    # Fisher p = 0.4857: 0.487 stands for [0.4865, 0.488), 0.0008 away (< 0.001); 0.47 for
    # [0.465, 0.48), 0.0057 away (< 0.01); 0.30 and 0.157 are far from 0.4857
    row = _only(_tea(real, printed, "fisher"), "p-fisher")
    # 0.47 (Yates' 0.4795, truncated) and 0.157 (Pearson's) are explained by another test; the
    # near-miss sentence is about the stated test either way
    assert row["verdict"] == ("explained" if printed in ("0.47", "0.157") else "inconsistent")
    assert ("misses by a hair" in row["detail"]) is hair
    if printed == "0.487":
        assert "Fisher's exact test gives p = 0.4857" in row["detail"]
        assert "stands for 0.4865 to 0.4880" in row["detail"]


def test_ci_p_near_miss_names_both_ranges_and_a_t_reference(real):
    # OR 2.00 (1.00–4.00): implied p between 2·Φ(−1.990) = 0.0466 and 2·Φ(−1.942) = 0.0521
    # (interval arithmetic over the printed precision); printed 0.06 stands for [0.055, 0.07),
    # 0.003 away: a near miss. A t reference (heavier tails) raises the implied p.
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("2.00", "1.00–4.00", "0.06")]))
    row = _only(df, "ci-p")
    assert row["verdict"] == "inconsistent"
    assert "misses by a hair: the CI implies p = 0.0466 to 0.0521" in row["detail"]
    assert "stands for 0.0550 to 0.0700" in row["detail"]
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("2.00", "1.00–4.00", "0.08")]))
    assert "hair" not in _only(df, "ci-p")["detail"]


def test_ci_p_near_miss_fitted_by_a_t_reference(real):
    # Alexandre 2026's printed MD 1.03 (0.35–1.71) p 0.004 (sign dropped): SE = 1.36/3.92 = 0.347,
    # z = 2.97, p = 0.0030; over the printed precision 0.0024 to 0.0035 (interval arithmetic),
    # just below 0.004's [0.0035, 0.005). With a t reference the CI's SE shrinks by 1.96/t_crit
    # but the tails grow: 2·(1 − F_t,df(2.97·t_crit,df/1.96)) reaches 0.0035 for moderate df
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("1.03", "0.35–1.71", "0.004", "MD")]))
    row = _only(df, "ci-p")
    assert row["verdict"] == "inconsistent"
    assert "misses by a hair: the CI implies p = 0.0024 to 0.0035" in row["detail"]
    assert "stands for 0.0035 to 0.0050" in row["detail"]
    assert "A CI and p from a t distribution with 15 to" in row["detail"]


def test_percent_near_miss(real):
    # 2/3 = 66.667%: 66.8 stands for [66.75, 66.9), 0.083 away (< 0.1); 66.0 is 0.57 away
    df = run_audit(_package(real, arms=_arms(na=3), proportions=[_prop("E", "a", 2, 3, 66.8)]))
    assert "misses by a hair" in _only(df, "percent")["detail"]
    df = run_audit(_package(real, arms=_arms(na=3), proportions=[_prop("E", "a", 2, 3, 66.0)]))
    assert "hair" not in _only(df, "percent")["detail"]


# --------------------------------------------------------------------------- order

def test_rows_follow_the_order_of_the_studies_table(real):
    # two studies listed out of alphabetical order: results and summaries keep the table's order
    pkg = _package(real, arms=_arms(), proportions=[_prop("B item", "a", 1, 10, 10.0, location="Table 2"),
                                                    _prop("A item", "a", 1, 10, 10.0, location="Table 2"),
                                                    _prop("Z item", "a", 1, 10, 10.0, location="Abstract")])
    other = {k: v.assign(study="aardvark1999") if "study" in v.columns else v for k, v in pkg.items()}
    for kind in ("proportions", "arms"):
        if "id" in other[kind].columns:
            other[kind] = other[kind].assign(id=other[kind]["id"] + "-x")
    both = {k: pd.concat([pkg[k], other[k]], ignore_index=True) for k in pkg}
    df = run_audit(both)
    assert list(dict.fromkeys(df["study"])) == [STUDY, "aardvark1999"]
    # within a study: location (Abstract before tables), then item, then check
    toy = df[df["study"] == STUDY]
    assert list(toy["item"]) == ["Z item (a)", "A item (a)", "B item (a)"]
    by_verdict, by_check = summary(df)
    assert list(by_verdict.index) == list(by_check.index) == [STUDY, "aardvark1999"]


def _with_numbers(real) -> list:
    """The papers of studies.csv (in its order) with at least one number row; a paper just
    scaffolded by `make new-paper` has none yet."""
    kinds = ("arms", "proportions", "comparisons", "continuous", "estimates", "quantities")
    return [s for s in real["studies"]["study"] if any((real[k]["study"] == s).any() for k in kinds)]


def test_real_package_in_publication_order(audit, real):
    # data/studies.csv lists the papers by publication year
    assert list(real["studies"]["year"]) == sorted(real["studies"]["year"])
    assert list(dict.fromkeys(audit["study"])) == _with_numbers(real)
    loc_order = ("Abstract", "Table 1", "Table 2", "Table 3", "Table 4", "Table 5", "Results",
                 "Discussion", "Methods")
    key = [(list(real["studies"]["study"]).index(r.study),
            loc_order.index(r.location) if r.location in loc_order else len(loc_order), r.location,
            r.item, CHECKS.index(r.check)) for r in audit.itertuples()]
    assert key == sorted(key)


# --------------------------------------------------------------------------- properties

@settings(max_examples=30, deadline=None)
@given(total=st.integers(1, 400), data=st.data(), mode=st.sampled_from(["round", "truncate"]))
def test_percent_printed_either_way_is_consistent(real, total, data, mode):
    count = data.draw(st.integers(0, total))
    exact = 100 * count / total
    shown = round(exact, 1) if mode == "round" else math.floor(exact * 10 + 1e-9) / 10
    pkg = _package(real, arms=_arms(na=total), proportions=[_prop("E", "a", count, total, shown)])
    assert _only(run_audit(pkg), "percent")["verdict"] == "consistent"


# --------------------------------------------------------------------------- the real package, CSV

@pytest.fixture()
def audit(real_audit):
    return real_audit


def test_columns_and_verdicts(audit):
    assert tuple(audit.columns) == COLUMNS
    assert set(audit["verdict"]) <= set(VERDICTS)
    assert set(audit["check"]) <= set(CHECKS)
    assert (audit["detail"].str.len() > 0).all()


def test_real_package_covers_every_study(audit, real):
    assert set(audit["study"]) == set(_with_numbers(real)) and _with_numbers(real)
    # the known example of the brief: baek2022 mortality 4.0% of 78 cannot be a count of 78
    row = audit[(audit["study"] == "baek2022") & (audit["item"].str.startswith("mortality"))]
    assert list(row["verdict"]) == ["inconsistent"]


def test_study_slice_equals_filtered_full_audit(audit, real):
    for key in real["studies"]["study"]:
        one = run_audit(real, study=key)
        full = audit[audit["study"] == key].reset_index(drop=True)
        # n-sum and duplicates are within a study, so a slice is exactly the study's rows
        pd.testing.assert_frame_equal(one, full)


def test_deterministic(audit, real):
    pd.testing.assert_frame_equal(audit, run_audit(real))


def test_csv_has_exactly_the_columns(tmp_path, capsys):
    path = tmp_path / "audit.csv"
    assert main(["--csv", str(path)]) == 0
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert tuple(df.columns) == COLUMNS
    assert set(df["verdict"]) <= set(VERDICTS)
    out = capsys.readouterr().out
    assert "Checks by verdict" in out and "Checks by kind" in out


def test_committed_csv_is_current(audit):
    committed = ROOT / "chapters" / "audit-table.csv"
    buf = io.StringIO()
    audit.to_csv(buf, index=False, lineterminator="\n")
    assert committed.read_text(encoding="utf-8") == buf.getvalue(), \
        "chapters/audit-table.csv is stale: regenerate with make audit-table"


def test_summary_counts(audit):
    by_verdict, by_check = summary(audit)
    assert by_verdict["total"].sum() == len(audit)
    assert by_check.to_numpy().sum() == len(audit)


def test_bad_input():
    with pytest.raises(ValueError, match="study must be one of"):
        run_audit(study="nope2000")
    with pytest.raises(ValueError, match="package"):
        run_audit(package=[1, 2])
    with pytest.raises(ValueError, match="missing the table kind"):
        run_audit(package={"studies": pd.DataFrame()})
    with pytest.raises(ValueError, match="audit must be"):
        summary(pd.DataFrame({"x": [1]}))


# --------------------------------------------------------------------------- number style

#: a hyphen-minus used as a minus sign (at the start, after a space, "(" or "=")
_HYPHEN_SIGN = r"(?:^|[\s(=])-\d"


def _without_printed_quotes(row) -> str:
    """A row's recomputed and detail text with the printed text it quotes verbatim removed: the
    compared printed values of a duplicate, and a CI "printed as ... is read as" (the paper's
    hyphens are kept as printed, so only the engine's own numbers remain)."""
    text = f"{row['recomputed']}\n{row['detail']}"
    if row["check"] == "duplicate":
        text = text.replace(row["reported"], "")
        text = text.replace(row["recomputed"].split(": ", 1)[1], "")
    return re.sub(r"printed as \S+ is read as", "", text)


def test_our_numbers_use_a_true_minus_and_lo_to_hi(real):
    # MD −1.10 (−2.00 to −0.20): centre (−2.00 − 0.20)/2 = −1.10 (arithmetic); SE = 1.80/(2·1.96)
    # = 0.459, z = −1.10/0.459 = −2.40, p = 2·Φ(−2.395) = 0.0166 (Altman & Bland 2011); the centre
    # range runs from (−2.01 − 0.21)/2 = −1.11 (both bounds truncated) to (−1.995 − 0.195)/2 = −1.095.
    df = run_audit(_package(real, arms=_arms(), estimates=[_est("-1.10", "-2.00–-0.20", "0.017", "MD")]))
    centre, cip = _only(df, "ci-centre"), _only(df, "ci-p")
    assert centre["verdict"] == "consistent" and cip["verdict"] == "consistent"
    assert centre["recomputed"].startswith("arithmetic centre −1.1 (range −1.11 to −1.095)")
    assert "centre of −2.00 to −0.20 is −1.1" in centre["detail"]
    assert "estimate −1.10" in centre["detail"] and "z = −2.40" in cip["detail"]
    assert centre["reported"] == "MD -1.10 (-2.00–-0.20)"  # the printed value stays as printed
    for row in (centre, cip):
        text = row["recomputed"] + row["detail"]
        assert not re.search(_HYPHEN_SIGN, text) and "–" not in text


def test_real_audit_text_has_no_hyphen_minus(audit, real):
    for _, row in audit.iterrows():
        text = _without_printed_quotes(row)
        assert not re.search(_HYPHEN_SIGN, text), (row["study"], row["item"], row["check"], text)
        assert not re.search(r"\d\s*–\s*[-−]\d", text), text  # no "−1.73–−0.22"
        assert not re.search(r"\de[-+]?\d", text), text        # "3.7 × 10⁻⁵", not "3.7e-05"
    # the verbatim quotes that were exempted are the paper's own text
    quoted = audit[audit["detail"].str.contains("printed as ", regex=False)]
    for _, row in quoted.iterrows():
        ci = re.search(r"printed as (\S+) is read as", row["detail"]).group(1)
        assert ci in set(real["estimates"]["ci_printed"].str.strip())
    tiny = audit[audit["recomputed"].str.contains("× 10⁻", regex=False)]
    assert len(tiny) > 0


# --------------------------------------------------------------------------- new columns, crude ratios

def test_new_columns_and_inspect_sr(audit):
    from helpers.audit import CONSEQUENCES, INSPECT_SR
    assert set(audit["consequence"]) <= set(CONSEQUENCES)
    assert (audit["inspect_sr"] == audit["check"].map(INSPECT_SR)).all()
    flagged = audit["verdict"].isin(["explained", "inconsistent"])
    # a consequence for every finding, none for the others; every explained row names its alternative
    assert (audit.loc[flagged, "consequence"] != "").all()
    assert (audit.loc[~flagged, "consequence"] == "").all()
    assert (audit.loc[audit["verdict"] == "explained", "basis"].str.len() > 0).all()
    ok = audit[audit["verdict"] == "consistent"]
    assert set(ok["basis"]) <= {"rounding", "truncation", "exact", "overlap of the printed values"} | \
        set(ok.loc[ok["check"] == "crude-ratio", "basis"])
    # "by truncation only" in the detail and the basis say the same
    numeric = ok[~ok["check"].isin(["crude-ratio", "duplicate", "n-sum", "arm-sum"])]
    trunc = numeric["detail"].str.contains("truncation only|only by truncation")
    assert ((numeric["basis"] == "truncation") == trunc).all()


def test_percent_basis_rounding_or_truncation(real):
    row = _only(run_audit(_package(real, arms=_arms(na=3), proportions=[_prop("E", "a", 2, 3, 66.6)])),
                "percent")
    assert row["verdict"] == "consistent" and row["basis"] == "truncation"
    row = _only(run_audit(_package(real, arms=_arms(na=3), proportions=[_prop("E", "a", 2, 3, 66.7)])),
                "percent")
    assert row["basis"] == "rounding"


def _crude_pkg(real, est, ci, p, measure="RR"):
    # 84/172 vs 64/131 (R 4.2.2, tests/fixtures/crude_models/reference.json, "mrs02"): Poisson
    # Wald RR 0.9996 (0.7221 to 1.3838), p 0.9983; logistic Wald OR 0.9993 (0.6342 to 1.5746),
    # p 0.9976
    props = [_prop("Good outcome, n/N (%)", "a", 84, 172, 48.8, location="Table 1"),
             _prop("Good outcome, n/N (%)", "b", 64, 131, 48.9, location="Table 1")]
    return run_audit(_package(real, arms=_arms(na=172, nb=131, nall=303), proportions=props,
                              estimates=[_est(est, ci, p, measure=measure, item="Good outcome")]))


def test_crude_ratio_consistent_explained_inconsistent(real):
    row = _only(_crude_pkg(real, "1.00", "0.72–1.38", "0.99"), "crude-ratio")
    assert row["verdict"] == "consistent" and "risk ratio" in row["basis"]
    # the odds ratio printed under an "RR" header: explained, the alternative named
    row = _only(_crude_pkg(real, "1.00", "0.63–1.57", "0.99"), "crude-ratio")
    assert row["verdict"] == "explained" and row["basis"].startswith("the odds ratio of a logistic GLM")
    assert "the column is headed RR, the number is an odds ratio" in row["detail"]
    row = _only(_crude_pkg(real, "1.40", "0.90–2.10", "0.13"), "crude-ratio")
    assert row["verdict"] == "inconsistent" and row["basis"].startswith("tried: 16 candidate")
    assert row["consequence"] == "direction"        # crude RR 0.9996 < 1 < 1.40
    assert "84/172 vs 64/131" in row["recomputed"]


def test_asymmetric_intervals_are_explained_not_inconsistent(audit):
    alex = audit[audit["study"] == "alexandre2026"]
    reocc = alex[(alex["location"] == "Table 2")
                 & (alex["item"] == "Post-procedure re-occlusion (Entire cohort), unadjusted")]
    verdicts = dict(zip(reocc["check"], reocc["verdict"]))
    # 15/149 vs 2/87: only R's confint(glm) for a Poisson model gives 1.24 to 27.79 (see the
    # alexandre2026 chapter and tests/test_crude_models.py)
    assert verdicts == {"crude-ratio": "consistent", "ci-centre": "explained", "ci-p": "explained"}
    assert "profile" in reocc.set_index("check").loc["ci-centre", "basis"]
    centre = alex[(alex["check"] == "ci-centre") & (alex["location"] == "Table 2")]
    assert not (centre["verdict"] == "inconsistent").any()
    assert (centre["verdict"] == "explained").sum() == 12
    # the crude mortality RR is reproduced by no candidate; mRS 0-2 and 0-3 are odds ratios
    crude = alex[alex["check"] == "crude-ratio"].set_index("item")["verdict"]
    assert crude["90-day mortality (Entire cohort), unadjusted"] == "inconsistent"
    assert crude["90-day mRS 0-2 (Entire cohort), unadjusted"] == "explained"
    assert crude["90-day mRS 0-3 (Entire cohort), unadjusted"] == "explained"


def test_consequence_p_crosses(audit):
    # Lee 2025 Table 3 patency: printed 0.094, Pearson's chi-square on the printed counts 0.0022
    lee = audit[(audit["study"] == "lee2025") & (audit["location"] == "Table 3")
                & audit["item"].str.startswith("Intact stent patency") & (audit["check"] == "p-chisq")]
    assert list(lee["verdict"]) == ["inconsistent"] and list(lee["consequence"]) == ["p crosses 0.05"]


# --------------------------------------------------------------------------- one account

def test_one_account_agrees_with_the_csv(audit):
    """Every count the pages state comes from helpers.audit.count; it must agree with the CSV
    offered for download, by paper, by kind and by verdict."""
    from helpers.audit import FAMILIES, account, count
    shipped = pd.read_csv(ROOT / "chapters" / "audit-table.csv", dtype=str, keep_default_na=False)
    acc = account(audit)
    assert int(acc["n"].sum()) == len(shipped) == count(audit)
    for (study, verdict), n in shipped.groupby(["study", "verdict"]).size().items():
        assert count(audit, study=study, verdict=verdict) == n
    fam = shipped["check"].map(FAMILIES)
    assert not fam.isna().any()
    for (f, verdict), n in shipped.groupby([fam, "verdict"]).size().items():
        assert count(audit, family=f, verdict=verdict) == n
    for (check, cons), n in shipped.groupby(["check", "consequence"]).size().items():
        assert count(audit, check=check, consequence=cons) == n
    # ... and with summary(), which the command line prints
    by_verdict, by_check = summary(audit)
    for study in by_verdict.index:
        for v in VERDICTS:
            assert by_verdict.loc[study, v] == count(audit, study=study, verdict=v)
    # filters take one value or several; an unknown value names the filter
    assert count(audit, verdict=["explained", "inconsistent"]) == \
        count(audit, verdict="explained") + count(audit, verdict="inconsistent")
    with pytest.raises(ValueError, match="verdict must be among"):
        count(audit, verdict="wrong")
    with pytest.raises(ValueError, match="family must be among"):
        count(audit, family="p-value")


def test_questions_for_the_authors(audit):
    from helpers.audit import questions, questions_markdown
    q = questions(audit)
    flagged = audit[audit["verdict"].isin(["explained", "inconsistent"]) & (audit["check"] != "p-ttest01")]
    assert len(q) == len(flagged)
    for study, g in q.groupby("study", sort=False):
        # conclusions first: no row with consequence "none" before one that changes a conclusion
        changes = (g["consequence"] != "none").to_list()
        assert changes == sorted(changes, reverse=True)
        assert g["question"].str.endswith("?").all() and (g["evidence"].str.len() > 0).all()
    # neutral words: no verdicts of people
    assert not q["question"].str.contains(r"error|wrong|mistake|fabricat|misconduct", case=False).any()
    lee = questions(audit, "lee2025")
    assert lee.iloc[0]["consequence"] == "p crosses 0.05"
    assert "Intact stent patency" in lee.iloc[0]["item"]
    md = questions_markdown("alkasab2025", audit)
    assert md.startswith("The audit found nothing to ask")   # no explained or inconsistent row
    md = questions_markdown("baek2022", audit)
    assert md.startswith("1. ") and "mortality" in md
    with pytest.raises(ValueError, match="study must be one of"):
        questions(audit, "nobody2020")


def test_p_beside_an_asymmetric_interval(audit):
    # Alexandre 2026 Table 2, sICH (>75% stenosis): RR 2.84 (0.54-52.21), p 0.31. The interval is
    # explained (asymmetric, as the table's crude rows); the p implied by the whole interval is
    # 0.371, but the halves give SE ln(2.84/0.54)/1.96 = 0.847 -> p 0.218 and
    # ln(52.21/2.84)/1.96 = 1.486 -> p 0.482 (z = ln 2.84 / SE): 0.31 lies between
    row = audit[(audit["study"] == "alexandre2026") & (audit["check"] == "ci-p")
                & (audit["item"] == "sICH (>75% stenosis), unadjusted")].iloc[0]
    assert row["verdict"] == "explained" and "two halves" in row["basis"]
    # ... and a typo that takes the p outside that range is inconsistent, not hidden
    from helpers.audit import mutation as M
    pkg = load_package()
    m = M.Mutant("p of an estimate", "estimates", "alexandre2026-t2-sich-gt75-unadj", "p", "0.31", "0.91")
    after = run_audit(M.plant(pkg, m), study="alexandre2026")
    row = after[(after["check"] == "ci-p") & (after["item"] == "sICH (>75% stenosis), unadjusted")].iloc[0]
    assert row["verdict"] == "inconsistent"


def test_ci_consequence_uses_the_printed_p_to_pick_the_odd_bound():
    """OR 2.549 (0.463 to 4.044), p 0.282: estimate, lower bound and p agree (SE 0.870 gives p
    0.282 and an upper bound of about 14.0, which still contains 1), so the upper bound is the odd
    one out and no conclusion changes; without the p, the repair through the upper bound (1.61 to
    4.044) would exclude 1."""
    from helpers.audit.estimates import _ci_consequence
    from helpers.printed import as_printed

    est, lo, hi = (as_printed(t) for t in ("2.549", "0.463", "4.044"))
    assert _ci_consequence(est, lo, hi, "log") == "CI crosses the null"
    assert _ci_consequence(est, lo, hi, "log", as_printed("0.282")) == "none"
    # a p that fits the other repair (through the upper bound) keeps that reading
    assert _ci_consequence(est, lo, hi, "log", as_printed("<0.001")) == "CI crosses the null"


def test_audit_of_this_repository_is_remembered_but_each_caller_gets_a_copy(real):
    first = run_audit(study="lee2025")
    first.loc[:, "verdict"] = "changed by the caller"
    again = run_audit(study="lee2025")
    assert not (again["verdict"] == "changed by the caller").any()
    pd.testing.assert_frame_equal(again, run_audit(real, study="lee2025"))  # the same as computing it
    with pytest.raises(ValueError, match="study"):
        run_audit(study=["lee2025"])
