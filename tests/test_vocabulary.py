"""helpers.vocabulary: every code a page shows has its words, once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from helpers import vocabulary as v
from helpers.audit import CHECKS, VERDICTS
from helpers.data import load_package


def test_every_audit_check_and_verdict_has_words():
    assert set(v.CHECK_QUESTIONS) == set(CHECKS) == set(v.CHECK_SHORT)
    assert set(v.VERDICT_WORDS) == set(VERDICTS)
    assert all(q.strip() and (q[0].isupper() or q.startswith("p ")) for q in v.CHECK_SHORT.values())


def test_every_stated_test_of_the_data_has_words():
    comps = load_package()["comparisons"]
    assert set(comps["test_stated"].dropna()) <= set(v.TEST_STATED)


def test_every_measure_of_the_data_has_words():
    assert set(load_package()["estimates"]["measure"].dropna()) <= set(v.MEASURE_WORDS)


def test_crude_model_names_have_words():
    from helpers.crude_models import crude_fits
    fits = crude_fits(12, 40, 5, 38)
    # every model, interval and p method the helper reports has its words
    assert {f.model for f in fits} <= set(v.MODEL_WORDS)
    assert {f.interval for f in fits} <= set(v.INTERVAL_WORDS)
    assert {f.p_method for f in fits} <= set(v.P_WORDS)
    assert v.words("model", "Poisson GLM, log link") == "Poisson model"
    assert v.words("interval", "Wald, robust SE (HC0)") == "robust Wald (HC0)"


def test_words_names_the_argument():
    assert v.words("test", "fisher") == "Fisher's exact"
    with pytest.raises(ValueError, match="kind must be one of"):
        v.words("colour", "fisher")
    with pytest.raises(ValueError, match="code 'fishr' has no words for kind 'test'"):
        v.words("test", "fishr")


def test_arm_words_from_arms_csv():
    pkg = load_package()
    study = pkg["studies"]["study"].iloc[0]
    words = v.arm_words(pkg, study)
    arms = pkg["arms"][pkg["arms"]["study"] == study]
    assert set(words) == set(arms["arm"])
    for r in arms.itertuples():
        assert words[r.arm] == (v.ALL_PATIENTS if r.arm == "all" else r.label)
    with pytest.raises(ValueError, match="study 'nobody1999' is not in the package"):
        v.arm_words(pkg, "nobody1999")
    # a paper listed in studies.csv but without arms yet (just scaffolded) has no words
    no_arms = dict(pkg)
    no_arms["arms"] = pkg["arms"][pkg["arms"]["study"] != study]
    assert v.arm_words(no_arms, study) == {}
    with pytest.raises(ValueError, match="study must be"):
        v.arm_words(pkg, 3)


def test_replace_codes_whole_words_longest_first():
    codes = {"rs": "RS group", "non_rs": "non-RS group", "all": "all patients"}
    assert v.replace_codes("mortality (non_rs)", codes) == "mortality (non-RS group)"
    assert v.replace_codes("non_rs + rs", codes) == "non-RS group + RS group"
    assert v.replace_codes("first (all) of them, overall", codes) == "first (all patients) of them, overall"
    assert v.replace_codes("mrs-rs lrs", codes) == "mrs-rs lrs"
    with pytest.raises(ValueError, match="text must be a string"):
        v.replace_codes(None, codes)


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="abc _-()", max_size=30))
def test_replace_codes_without_codes_is_identity(text):
    assert v.replace_codes(text, {}) == text
    assert v.replace_codes(text, {"zzz": "Z"}) == text


def test_plain_recomputed():
    assert v.plain_recomputed("77/78 = 98.718% (both)") == "77/78 = 98.718% (by rounding or truncation)"
    assert v.plain_recomputed("41/127 = 32.283% (rounding)") == "41/127 = 32.283% (by rounding)"
    assert v.plain_recomputed("p = 0.0026 (range 0.0026 to 0.0026)") == \
        "p = 0.0026 (the printed precision leaves no room)"
    assert v.plain_recomputed("centre 5.725 (range 5.708 to 5.757)") == \
        "centre 5.725 (5.708 to 5.757 allowing for the printed precision)"


def test_plain_item_drops_footnote_marks_only():
    assert v.plain_item("Intact stent patency on follow-up**") == "Intact stent patency on follow-up"
    assert v.plain_item("Sex, male* (early)") == "Sex, male (early)"
    assert v.plain_item("a*b") == "a*b"


def test_test_codes_in_words():
    assert v.test_codes_in_words("(fisher 0.8496, chisq 0.7086, chisq_yates 0.8541)") == \
        "(Fisher's exact 0.8496, Pearson χ² 0.7086, Pearson χ² (Yates) 0.8541)"
    assert v.test_codes_in_words("fisher's test, chisq") == "fisher's test, chisq"
    assert v.test_codes_in_words("fisher <0.001") == "Fisher's exact <0.001"


def test_item_name():
    assert v.item_name("Prior anticoagulants, n/N (%)") == "prior anticoagulants"
    assert v.item_name("IVT, n/N (%)") == "IVT"
    assert v.item_name("90-day mortality, n/N (%)") == "90-day mortality"
    assert v.item_name("NIHSS score, median (IQR)") == "NIHSS score"


def test_fits_in_words():
    import pandas as pd
    fits = pd.DataFrame({"measure": ["OR", "OR", "RR"], "model": ["logistic GLM"] * 2 + ["Poisson GLM, log link"],
                         "interval": ["Wald, model-based SE (= Woolf)", "profile likelihood",
                                      "Wald, robust SE (HC0)"]})
    assert v.fits_in_words(fits) == ("odds ratio from a logistic model; interval: Wald (Woolf) or "
                                     "profile likelihood (exact); risk ratio from a Poisson model; "
                                     "interval: robust Wald (HC0)")
    assert v.fits_in_words(fits.iloc[:0]) == "none"


def test_favours_sides_follow_the_outcome():
    from helpers.vocabulary import favours

    assert favours("stenting", "no stenting", higher_is_better=True) == ("← favours no stenting", "favours stenting →")
    assert favours("stenting", "no stenting", higher_is_better=False) == ("← favours stenting", "favours no stenting →")
    assert favours("RS", "non-RS", higher_is_better=None) == ("← lower with RS", "higher with RS →")
    with pytest.raises(ValueError, match="treated"):
        favours("", "x", higher_is_better=True)
    with pytest.raises(ValueError, match="higher_is_better"):
        favours("a", "b", higher_is_better="yes")
