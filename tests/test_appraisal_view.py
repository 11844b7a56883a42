"""Tests of helpers.appraisal_view: the reader's tables carry the data's judgements faithfully."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import appraisal_view as v  # noqa: E402
from helpers.data import load_package  # noqa: E402
from helpers.rob import load_appraisal, robins_summary  # noqa: E402


@pytest.fixture(scope="module")
def pkg():
    return load_package()


@pytest.fixture(scope="module")
def appraisal():
    return load_appraisal()


def test_overall_table_matches_the_rule(pkg, appraisal):
    table = v.overall_table(pkg, appraisal)
    summary = robins_summary(appraisal["robins_i"])
    assert len(table) == len(summary)
    assert [t.split(" ", 1)[1].lower().replace(" ", "_") for t in table["Overall"]] == list(summary["overall"])


def test_domain_and_jbi_tables(pkg, appraisal):
    for study in appraisal["robins_i"]["study"].unique():
        t = v.domain_table(pkg, appraisal, study)
        assert len(t) == 7 and t["The paper says"].str.startswith("“").all()
    for study in appraisal["jbi_case_series"]["study"].unique():
        assert len(v.jbi_table(pkg, appraisal, study)) == 10
    with pytest.raises(ValueError, match="study"):
        v.domain_table(pkg, appraisal, "nobody2020")


def test_rob_line_names_the_overall_and_its_domains(pkg, appraisal):
    for r in robins_summary(appraisal["robins_i"]).itertuples():
        line = v.rob_line(pkg, appraisal, r.study)
        assert line.startswith("Risk of bias (ROBINS-I V2): ") and r.overall in line
    scope = dict(zip(pkg["studies"]["study"], pkg["studies"]["text_scope"]))
    for study in set(appraisal["jbi_case_series"]["study"]) - set(appraisal["robins_i"]["study"]):
        line = v.rob_line(pkg, appraisal, study)
        assert "JBI" in line
        # a case series appraised from its abstract alone says so (fairness to the full paper)
        assert ("judged on the abstract" in line) == (scope[study] == "abstract"), line


def test_balance_and_evalues(pkg, appraisal):
    for study in appraisal["target_trial"]["study"]:
        t = v.balance_table(pkg, appraisal, study)
        assert set(t["Balance"]) <= {"balanced", "imbalanced", ""}
    e = v.evalue_display(pkg)
    assert len(e) > 0 and (e["E-value, estimate"].astype(float) >= e["E-value, CI limit"].astype(float)).all()


def test_figures_draw(pkg, appraisal):
    for fig in (v.rob_traffic_light(pkg, appraisal), v.rob_summary(pkg, appraisal)):
        assert fig.axes
        plt.close(fig)
