"""helpers.chapter: the guards and the shared pieces of the paper chapters."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import chapter as ch
from helpers.data import load_package
from helpers.proportions import clopper_pearson, wilson
from helpers.vocabulary import CHECK_SHORT, VERDICT_WORDS, arm_words


@pytest.fixture(scope="module")
def pkg():
    return load_package()


def test_claim_passes_silently_and_fails_naming_the_claim():
    assert ch.claim(np.bool_(True), "the abstract rounds") is None
    with pytest.raises(ch.ClaimError, match=r"The text claims: the abstract rounds\. This no longer holds; now: 'truncation'"):
        ch.claim(False, "the abstract rounds", now="truncation")
    with pytest.raises(AssertionError):      # a ClaimError is an AssertionError
        ch.claim(0, "x is positive")
    with pytest.raises(ValueError, match="text must say the claim"):
        ch.claim(True, "")


def test_claim_equal_reports_both_values():
    ch.claim_equal(3, 3, "three tables")
    ch.claim_equal(pd.Series([1, 2]), pd.Series([1, 2]), "the same counts")
    with pytest.raises(ch.ClaimError, match=r"three tables\. Expected 3, the data now give 4"):
        ch.claim_equal(4, 3, "three tables")


def test_pct_text_and_ratio_text():
    assert ch.pct_text({"percent": 98.7, "percent_decimals": 1}) == "98.7%"
    assert ch.pct_text(pd.Series({"percent": 55.0, "percent_decimals": 0})) == "55%"
    with pytest.raises(ValueError, match="no printed percentage"):
        ch.pct_text({"percent": None, "percent_decimals": 1})
    with pytest.raises(ValueError, match="row must be"):
        ch.pct_text(3)
    assert ch.ratio_text(math.inf) == "∞ (separation)" and ch.ratio_text(0.0) == "0 (separation)"
    assert ch.ratio_text(87.61) == "87.61"
    with pytest.raises(ValueError, match="x must be a number"):
        ch.ratio_text("87")
    assert ch.listing([1, 2, 3]) == "1, 2, 3"


def test_study_label_and_definitions(pkg):
    studies = pkg["studies"].set_index("study")
    for s in studies.index:
        assert ch.study_label(pkg, s) == studies.loc[s, "label"]
    with pytest.raises(ValueError, match="study must be a key of data/studies.csv, got 'nobody1999'"):
        ch.study_label(pkg, "nobody1999")
    d = pkg["definitions"].iloc[0]
    assert d["definition"] in ch.definition(pkg, d["study"], d["outcome"])
    abstract = studies.index[studies["text_scope"] == "abstract"][0]
    assert ch.definition(pkg, abstract, "no_such_outcome") == ch.NOT_DEFINED
    assert ch.definition_shown(pkg, abstract, "no_such_outcome") == "not defined in the abstract"


def test_compare_studies_one_row_per_paper(pkg):
    s0 = pkg["studies"]["study"].iloc[0]
    table = ch.compare_studies(pkg, notes={(s0, "no_such"): "x", (s0, "sich"): "(note)"})
    assert list(table["Study"]) == list(pkg["studies"]["label"])
    assert table.loc[0, "Definition of sICH"].endswith(" (note)")
    assert list(table["Patients"]) == ["not stated" if pd.isna(n) else n for n in pkg["studies"]["n_total"]]


def test_design_facts_computed_from_studies_csv(pkg):
    studies = pkg["studies"].set_index("study")
    singles = list(studies.index[studies["comparison_type"] == "single_arm"])
    for s in studies.index:
        f = ch.design_facts(pkg, s)
        assert f["n_studies"] == len(studies)
        assert f["only_single_arm"] == (singles == [s])
        assert s not in sum(f["others_by_comparison"].values(), [])
        assert sum(map(len, f["others_by_comparison"].values())) == len(studies) - 1
    # a second single-arm paper makes the claim false
    edited = dict(pkg)
    st = pkg["studies"].copy()
    st.loc[:, "comparison_type"] = "single_arm"
    edited["studies"] = st
    assert not any(ch.design_facts(edited, s)["only_single_arm"] for s in studies.index)


def test_audit_slice_in_words(pkg, real_audit):
    full = real_audit
    for s in pkg["studies"]["study"]:
        audit = full[full["study"] == s]
        table = ch.audit_slice(audit, arm_words(pkg, s), sort=True)
        assert tuple(table.columns) == ch.AUDIT_COLUMNS and len(table) == len(audit)
        assert set(table["What the check asks"]) <= set(CHECK_SHORT.values())
        assert table.iloc[:, 0].map(lambda t: t[:1] == t[:1].upper()).all()
        assert set(table["Verdict"]) <= set(VERDICT_WORDS.values())
        # no arm code in parentheses and no test code before a number is left for the reader
        codes = "|".join(a for a in pkg["arms"].loc[pkg["arms"]["study"] == s, "arm"])
        assert not table.iloc[:, 0].str.contains(rf"\((?:{codes})\)").any()
        assert not table["Recomputed"].str.contains(r"\b(?:fisher|chisq|chisq_yates) \d").any()
    empty = ch.audit_slice(full.iloc[:0], {})          # a paper scaffolded by make new-paper
    assert tuple(empty.columns) == ch.AUDIT_COLUMNS and empty.empty
    assert not empty.iloc[:, 0].str.contains("x").any()
    with pytest.raises(ValueError, match="check_words has no words"):
        ch.audit_slice(full, {}, check_words={})
    counts = ch.audit_counts(audit)
    assert counts["checks"] == len(audit) == sum(counts[v] for v in VERDICT_WORDS)


def test_rate_table_matches_the_interval_helpers():
    t = ch.rate_table([{"label": "Death", "printed": "4.0%", "count": 3, "total": 75, "note": "assumed"},
                       {"label": "sICH", "printed": "5.1%", "count": 4, "total": 78}])
    w, cp = wilson(3, 75), clopper_pearson(3, 75)
    assert t.loc[0, "Wilson 95% CI (%)"] == f"{100 * w.ci_low:.1f} to {100 * w.ci_high:.1f}"
    assert t.loc[0, "Clopper–Pearson 95% CI (%)"] == f"{100 * cp.ci_low:.1f} to {100 * cp.ci_high:.1f}"
    assert t.loc[1, "Note"] == "" and t.loc[0, "Count/denominator"] == "3/75"
    with pytest.raises(ValueError, match=r"rates\[0\] must have"):
        ch.rate_table([{"label": "x"}])
    with pytest.raises(ValueError, match="rates must be a sequence"):
        ch.rate_table({"label": "x"})


def test_rates_figure_has_two_panels():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig = ch.rates_figure(["a", "b"], [3, 40], [75, 78])
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["Wilson score interval",
                                                            "Clopper–Pearson exact interval"]
    plt.close(fig)


def test_verdict_box_bottom_line_first_and_escaped():
    box = ch.verdict_box("The counts agree <mostly>.", {"Holds up": ["a & b"], "Cannot tell": [],
                                                         "Does not hold up": ["c"]}).data
    assert box.index("Bottom line") < box.index("Holds up") < box.index("Does not hold up")
    assert "&lt;mostly&gt;" in box and "a &amp; b" in box and "Cannot tell" not in box
    with pytest.raises(ValueError, match="unknown headings"):
        ch.verdict_box("x", {"Fine": ["y"]})
    with pytest.raises(ValueError, match="must be a list of bullets"):
        ch.verdict_box("x", {"Holds up": "y"})


def test_effect_text_fares_and_table_reached():
    from types import SimpleNamespace as NS
    from helpers.effects import risk_difference
    rd = risk_difference(7, 41, 14, 86)
    assert ch.effect_text(rd, 100, 1).startswith(f"{100 * rd.estimate:.1f} (")
    with pytest.raises(ValueError, match="effect must have"):
        ch.effect_text(3.0)
    # a bad outcome (death) that becomes more frequent in group a: a fares worse
    assert ch.fares(NS(direction="a_higher"), False) == "worse"
    assert ch.fares(NS(direction="a_higher"), True) == "better"
    assert ch.fares(NS(direction="a_lower"), False) == "better"
    with pytest.raises(ValueError, match="good must be True or False"):
        ch.fares(NS(direction="a_lower"), 1)
    with pytest.raises(ValueError, match="direction a_higher/a_lower"):
        ch.fares(NS(direction="up"), True)
    assert ch.table_reached(NS(table=(2, 39, 14, 72), p=0.04123), 41, 86) == "2/41; 14/86 (p = 0.041)"


def test_paper_accessors(pkg):
    row = pkg["proportions"].dropna(subset=["count", "total"]).iloc[0]
    paper = ch.Paper(pkg, row["study"])
    slug = row["id"][len(row["study"]) + 1:]
    assert paper.count(slug) == row["count"] and paper.total(row["id"]) == row["total"]
    assert set(paper.prop["study"]) == {row["study"]} and paper.label == ch.study_label(pkg, row["study"])
    arm = paper.arms.dropna(subset=["n"]).index[0]
    assert paper.n(arm) == paper.arms.loc[arm, "n"]
    with pytest.raises(ValueError, match="slug 'nope': no proportions row"):
        paper.count("nope")
    with pytest.raises(ValueError, match="arm 'nope' has no size"):
        paper.n("nope")
    with pytest.raises(ValueError, match="study must be a key"):
        ch.Paper(pkg, "nobody1999")


def test_comparisons_in_words(pkg):
    studies = pkg["studies"].set_index("study")
    s0 = studies.index[0]
    text = ch.comparisons_in_words(pkg, s0)
    for s in studies.index[1:]:
        assert studies.loc[s, "label"] in text
    assert studies.loc[s0, "label"] not in text
    edited = dict(pkg)
    st = pkg["studies"].copy()
    st.loc[:, "comparison_type"] = "stent_device"
    edited["studies"] = st
    labels = list(studies["label"])[1:]
    if len(labels) >= 2:
            assert ch.comparisons_in_words(edited, s0) == (", ".join(labels[:-1]) + " and " + labels[-1]
                                                       + " compare two kinds of stent")
