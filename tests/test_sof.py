"""Tests of helpers.sof: the Summary of Findings rows come from the synthesis inputs and GRADE rules."""

from pathlib import Path

import pytest

from helpers.data import load_package
from helpers.rob import load_appraisal
from helpers.sof import OUTCOMES, comparative_row, single_arm_row, sof_table, summary_of_findings


@pytest.fixture(scope="module")
def pkg():
    return load_package()


@pytest.fixture(scope="module")
def appraisal():
    return load_appraisal()  # the appraisal tables, validated


def test_comparative_rows_use_the_adjusted_ratio_and_the_control_risk(pkg, appraisal):
    row = comparative_row(pkg, appraisal, "favourable")
    est = pkg["estimates"].set_index("id").loc["alexandre2026-t2-mrs02-all-adj"]
    assert (row.rr, row.rr_low, row.rr_high) == (est["estimate"], est["ci_low"], est["ci_high"])
    assert row.adjusted
    # assumed 64/131 = 0.48855 -> 489; x 0.84 = 410; x 0.48 = 235; x 1.47 = 718 (per 1000)
    assert (row.assumed, row.corresponding, row.corresponding_low, row.corresponding_high) == (489, 410, 235, 718)
    assert row.participants == 303
    # observational, serious risk of bias, CI with benefit and harm: very low
    assert row.certainty.level == "very low"
    assert dict((d, n) for d, n, _ in row.certainty.down)["imprecision"] == 2
    assert "stented_failures_vs_unstented_successes" in row.context
    # beside it, the crude risk seen in the stented arm: sICH 20/172 = 0.1163 -> 116 per 1000
    sich = comparative_row(pkg, appraisal, "sich")
    assert sich.observed == 116 and sich.corresponding > sich.observed


def test_recanalisation_not_estimable_at_the_crude_control_risk(pkg, appraisal):
    row = comparative_row(pkg, appraisal, "recanalisation")
    assert row.assumed == 802 and row.corresponding is None  # 0.802 x 1.65 > 1
    assert "not estimable" in sof_table([row], pkg).iloc[0]["Corresponding risk with rescue stenting (95% CI)"]


def test_mixing_estimands_is_refused(pkg, appraisal):
    inputs = appraisal["synthesis_inputs"].copy()
    inputs.loc[inputs["estimand"] == "stented_failures_vs_unstented_successes", "use"] = "pool"
    with pytest.raises(ValueError, match="estimate different things"):
        comparative_row(pkg, {**appraisal, "synthesis_inputs": inputs}, "sich")


def test_single_arm_rows_pool_the_stented_arms(pkg, appraisal):
    row = single_arm_row(pkg, appraisal, "favourable")
    assert len(row.studies) == 4 and row.assumed is None
    downs = {d: n for d, n, _ in row.certainty.down}
    assert downs["inconsistency"] == 1  # the favourable rates disagree (I2 >= 50%)
    assert row.corresponding_low < row.corresponding < row.corresponding_high


def test_table_layout_and_bad_input(pkg, appraisal):
    rows = summary_of_findings(pkg, appraisal)
    table = sof_table(rows, pkg)
    assert list(table["Outcome"]) == list(OUTCOMES.values())
    assert list(table.columns) == ["Outcome", "Participants (studies)", "Assumed risk with thrombectomy alone",
                                   "Corresponding risk with rescue stenting (95% CI)", "Relative effect (95% CI)",
                                   "Certainty", "Comments"]
    assert table["Certainty"].str.match(r"^[⊕◯]{4} ").all()
    assert not table["Comments"].str.contains(r"\.\.").any()
    with pytest.raises(ValueError, match="analysis"):
        summary_of_findings(pkg, appraisal, "pooled")
    with pytest.raises(ValueError, match="outcome"):
        comparative_row(pkg, appraisal, "stroke")
    with pytest.raises(ValueError, match="appraisal"):
        comparative_row(pkg, {}, "sich")
    with pytest.raises(ValueError, match="rows"):
        sof_table(["x"], pkg)


def test_no_study_key_in_the_synthesis_code(pkg):
    code = Path(__file__).resolve().parent.parent.joinpath("helpers", "sof.py").read_text(encoding="utf-8")
    assert not any(s in code for s in pkg["studies"]["study"])


def test_comparative_evidence_starts_high_and_robins_i_sets_the_rating_down():
    """GRADE guidance 18: with ROBINS-I, non-randomised comparisons start at high; serious risk of
    bias rates down two levels and critical three, so confounding is not counted twice."""
    from helpers.sof import ROBINS_I_LEVELS

    assert ROBINS_I_LEVELS == {"low": 0, "moderate": 1, "serious": 2, "critical": 3, "no_information": 1}
    from helpers.appraisal import grade_certainty

    assert grade_certainty("high", down={"risk of bias": (2, "ROBINS-I serious")}).level == "low"
    assert grade_certainty("high", down={"risk of bias": (3, "ROBINS-I critical")}).level == "very low"
    with pytest.raises(ValueError, match="levels"):
        grade_certainty("high", down={"imprecision": (3, "three levels are for risk of bias only")})


def test_study_certainty_one_per_study_comparison_first():
    from helpers.rob import load_appraisal
    from helpers.sof import study_certainty

    appraisal = load_appraisal()
    got = study_certainty(appraisal)
    robins = set(appraisal["robins_i"]["study"])
    jbi = set(appraisal["jbi_case_series"]["study"])
    assert set(got) == robins | jbi
    for s in robins:
        assert got[s].start == "high"
    for s in jbi - robins:
        assert got[s].start == "low"
    with pytest.raises(ValueError, match="appraisal"):
        study_certainty({})
