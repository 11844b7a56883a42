"""Tests of the appraisal tables (data/appraisal/) and helpers.rob.

The real tables must validate (schema, domains complete, quotes verbatim, links resolvable);
ROBINS-I's overall rule is checked on hand-made cases; bad-data tests work on temporary copies of
the data package and never touch the real files.
"""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest

from helpers import data as hd
from helpers.rob import (DOMAINS, JBI_QUESTIONS, JUDGEMENTS, QUOTE_SEP, jbi_summary, load_appraisal,
                         overall_judgement, resolve_audit_links, robins_summary)

ROOT = hd.default_root()


@pytest.fixture(scope="module")
def tables():
    return load_appraisal()


def test_real_appraisal_tables_validate(tables):
    assert set(tables) == {"robins_i", "jbi_case_series", "target_trial", "synthesis_inputs", "grade",
                           "overlap"}
    rob = tables["robins_i"]
    # every comparative study in studies.csv with a comparison has all seven domains
    assert all(sorted(g) == sorted(DOMAINS) for _, g in rob.groupby(["study", "comparison"])["domain"])
    assert set(rob["judgement"]) <= set(JUDGEMENTS) | {"no_information"}
    jbi = tables["jbi_case_series"]
    assert all(sorted(g) == sorted(JBI_QUESTIONS) for _, g in jbi.groupby(["study", "arm"])["question"])
    # each ROBINS-I comparison has a target-trial framing
    framed = set(zip(tables["target_trial"]["study"], tables["target_trial"]["comparison"]))
    assert set(zip(rob["study"], rob["comparison"])) == framed


def test_every_quote_part_is_verbatim(tables):
    for kind in ("robins_i", "jbi_case_series", "target_trial"):
        for r in tables[kind].itertuples():
            text = hd.normalise_whitespace((ROOT / "sources" / f"{r.study}.txt").read_text(encoding="utf-8"))
            for part in r.quote.split(QUOTE_SEP):
                assert hd.normalise_whitespace(part) in text, (r.id, part[:60])


def test_overlap_pairs_are_distinct_studies_with_verbatim_quotes(tables):
    overlap = tables["overlap"]
    assert len(overlap) >= 1 and (overlap["study_a"] != overlap["study_b"]).all()
    assert len({frozenset(p) for p in zip(overlap["study_a"], overlap["study_b"])}) == len(overlap)
    for r in overlap.itertuples():
        for study, quote in ((r.study_a, r.quote_a), (r.study_b, r.quote_b)):
            text = hd.normalise_whitespace((ROOT / "sources" / f"{study}.txt").read_text(encoding="utf-8"))
            assert all(hd.normalise_whitespace(part) in text for part in quote.split(QUOTE_SEP)), (r.id, study)


def test_overlap_pair_of_a_study_with_itself_is_reported(pkg):
    _edit(pkg / "appraisal" / "overlap.csv", 2, "study_b", "alkasab2025")
    with pytest.raises(hd.DataValidationError, match="cannot overlap with itself"):
        load_appraisal(pkg)


def test_audit_links_resolve_to_one_row_each(tables, real_audit):
    audit = real_audit
    for kind in ("robins_i", "jbi_case_series"):
        links = resolve_audit_links(tables[kind], audit)
        n_links = sum(len([x for x in str(v).split(";") if x]) for v in tables[kind]["audit_links"].dropna())
        assert len(links) == n_links > 0
    bad = tables["robins_i"].iloc[[0]].assign(audit_links="p-fisher|no such item")
    with pytest.raises(ValueError, match="no such item"):
        resolve_audit_links(bad, audit)


def test_overall_rule():
    assert overall_judgement(["low"] * 7) == "low"
    assert overall_judgement(["low"] * 6 + ["moderate"]) == "moderate"
    assert overall_judgement(["moderate", "serious", "low"]) == "serious"
    assert overall_judgement(["critical", "serious", "no_information"]) == "critical"
    assert overall_judgement(["low", "no_information"]) == "no_information"
    assert overall_judgement(["moderate", "no_information", "serious"]) == "serious"
    with pytest.raises(ValueError, match="judgements"):
        overall_judgement([])
    with pytest.raises(ValueError, match="unknown judgement"):
        overall_judgement(["low", "high"])


def test_overall_at_least_as_severe_as_every_domain(tables):
    summary = robins_summary(tables["robins_i"])
    order = {j: i for i, j in enumerate(JUDGEMENTS)}
    for r in summary.itertuples():
        rated = [getattr(r, d) for d in DOMAINS if getattr(r, d) != "no_information"]
        assert order[r.overall] >= max(order[j] for j in rated)
        assert r.main_domains and all(getattr(r, d) == r.overall for d in r.main_domains)
    # the readings the book states: Guo critical (confounding and selection), the others serious
    by = summary.set_index("study")["overall"].to_dict()
    assert by["guo2023"] == "critical"
    assert {by[s] for s in by if s != "guo2023"} == {"serious"}


def test_jbi_summary_counts_yes(tables):
    s = jbi_summary(tables["jbi_case_series"])
    row = s.iloc[0]
    assert row["yes"] == sum(row[q] == "yes" for q in JBI_QUESTIONS) and row["of"] == 10
    with pytest.raises(ValueError, match="jbi"):
        jbi_summary(pd.DataFrame({"x": [1]}))


def test_synthesis_inputs_pool_one_estimand_per_outcome(tables):
    inputs = tables["synthesis_inputs"]
    pooled = inputs[(inputs["use"] == "pool") & (inputs["analysis"] == "comparative")]
    assert (pooled.groupby("outcome")["estimand"].nunique() == 1).all()
    # the stented-failures-versus-successes comparison is never pooled
    assert not (pooled["estimand"] == "stented_failures_vs_unstented_successes").any()


# ---- bad data on a copy ------------------------------------------------------------------------

@pytest.fixture()
def pkg(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(ROOT, dest)
    return dest


def _edit(path, line, column, value):
    with path.open(encoding="utf-8", newline="") as h:
        rows = list(csv.reader(h))
    col = rows[0].index(column)
    rows[line - 1][col] = value
    with path.open("w", encoding="utf-8", newline="") as h:
        csv.writer(h, lineterminator="\n").writerows(rows)


BAD_EDITS = [  # (file, CSV line, column, value, expected message); one edit per line
    ("robins_i.csv", 2, "judgement", "high", "judgement 'high' is not one of"),
    ("robins_i.csv", 3, "domain", "D8", "domain 'D8' is not one of"),
    ("robins_i.csv", 4, "quote", "Words that no paper prints.", "quote not found verbatim"),
    ("robins_i.csv", 5, "comparison", "rs|nobody", "unknown arm 'nobody'"),
    ("robins_i.csv", 6, "data_rows", "guo2023-no-such-row", "unknown data row"),
    ("robins_i.csv", 7, "audit_links", "no-bar-here", "must be '<check>|<item>'"),
    ("robins_i.csv", 8, "rationale", "", "rationale is required"),
    ("robins_i.csv", 9, "signalling", "2.1 Y (wrong domain); 1.2 NA", "'2.1' is not a question of domain D1"),
    ("jbi_case_series.csv", 2, "answer", "maybe", "answer 'maybe' is not one of"),
    ("synthesis_inputs.csv", 2, "data_row", "alexandre2026-t2-sich-all-adj", "needs a proportions row"),
    ("target_trial.csv", 3, "after_time_zero_items", "No such row", "prints no item 'No such row'"),
    ("overlap.csv", 2, "quote_b", "Words that no paper prints.", "quote_b not found verbatim"),
    ("overlap.csv", 3, "study_b", "nobody2099", "study_b: unknown study key 'nobody2099'"),
    ("overlap.csv", 4, "status", "likely", "status 'likely' is not one of"),
]


def test_bad_appraisal_rows_are_each_reported_with_file_and_line(pkg):
    for file, line, column, value, _ in BAD_EDITS:
        _edit(pkg / "appraisal" / file, line, column, value)
    with pytest.raises(hd.DataValidationError) as err:
        load_appraisal(pkg)
    for file, line, _, _, message in BAD_EDITS:
        assert any(p.startswith(f"data/appraisal/{file}:{line}: ") and message in p for p in err.value.problems), \
            (file, line, message, err.value.problems)


def test_missing_domain_is_reported(pkg):
    path = pkg / "appraisal" / "robins_i.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2] + lines[3:]), encoding="utf-8")  # drop guo2023's D2
    with pytest.raises(hd.DataValidationError, match="needs each ROBINS-I domain"):
        load_appraisal(pkg)


def test_validate_package_includes_the_appraisal(pkg):
    _edit(pkg / "appraisal" / "target_trial.csv", 2, "quote", "Not in the paper.")
    hd.load_package(pkg)  # the number tables are untouched and still load
    with pytest.raises(hd.DataValidationError, match="target_trial.csv:2: quote not found"):
        hd.validate_package(pkg, use_frictionless=False)



def test_baseline_balance_from_table1(tables):
    from helpers.rob import baseline_balance

    pkg = hd.load_package()
    trials = tables["target_trial"].set_index("study", drop=False)
    lee = baseline_balance(pkg, trials.loc["lee2025"])
    sex = lee[lee["item"] == "Sex, male"].iloc[0]
    # 16/27 vs 18/29: (0.59259 - 0.62069) / sqrt((0.24143 + 0.23543) / 2) = -0.0575
    assert sex["smd"] == pytest.approx(-0.05754, abs=1e-4) and not sex["approximate"]
    assert "Total number of stent retrieval attempts" not in set(lee["item"])  # after time zero
    alex = baseline_balance(pkg, trials.loc["alexandre2026"])
    assert "sICH, n/N (%)" not in set(alex["item"])  # an outcome, not a baseline row
    assert not alex["item"].str.startswith("Type of peri-procedural").any()  # one arm only
    af = alex[alex["item"] == "Atrial fibrillation, n/N (%)"].iloc[0]
    assert af["smd"] == pytest.approx(-0.491, abs=1e-3)
    assert alex.loc[alex["kind"] == "median_iqr", "approximate"].all()
    assert baseline_balance(pkg, trials.loc["guo2023"]).empty  # an abstract: no Table 1
    with pytest.raises(ValueError, match="trial"):
        baseline_balance(pkg, {"study": "lee2025"})
    with pytest.raises(ValueError, match="pkg"):
        baseline_balance({}, trials.loc["lee2025"])

