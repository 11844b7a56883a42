"""The audit's GRIM and GRIMMER rows (helpers.audit.grim), means and SDs of whole-number items, and
its subset-n rows (helpers.audit.sums), denominators of subsets of an arm.

Hand-worked: 27 patients' retrieval attempts with mean 1.4 (SD 0.5) fit a total of 37 (1.370 ->
1.4) and a sum of squares of 57 (SD 0.492 -> 0.5); a mean of 1.45 is impossible for 27 whole
numbers (39/27 = 1.444 and 40/27 = 1.481 bracket it), and an SD of 0.1 is impossible with a mean
of 1.4 (at least ten of the 27 values differ from the others by a whole number)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.audit import FAMILIES, INSPECT_SR, run_audit
from helpers.data import load_package


@pytest.fixture
def pkg():
    return load_package()


def _integer_mean_rows(pkg):
    cont = pkg["continuous"]
    return cont[(cont["values"] == "integer") & (cont["summary"] == "mean_sd")]


def _audit_of_row(pkg, row_id, **changes):
    cont = pkg["continuous"].copy()
    for column, value in changes.items():
        cont.loc[cont["id"] == row_id, column] = value
    row = cont[cont["id"] == row_id].iloc[0]
    audit = run_audit({**pkg, "continuous": cont}, study=row["study"])
    return audit[audit["check"].isin(["grim", "grimmer"])
                 & (audit["item"] == f"{row['item']} ({row['arm']})") & (audit["location"] == row["location"])]


def test_every_integer_mean_gets_both_rows(pkg, real_audit):
    rows = _integer_mean_rows(pkg)
    assert len(rows) >= 1, "the data package has no mean of a whole-number item"
    audit = real_audit
    grim = audit[audit["check"] == "grim"]
    assert len(grim) == len(rows) and len(audit[audit["check"] == "grimmer"]) == rows["sd"].notna().sum()
    assert set(grim["verdict"]) == {"consistent"} and set(grim["basis"]) <= {"rounding", "truncation"}
    assert FAMILIES["grim"] == FAMILIES["grimmer"] == "means of whole numbers"
    assert INSPECT_SR["grim"].startswith("4.8")


def test_hand_worked_fit_and_two_impossible_summaries(pkg):
    row = _integer_mean_rows(pkg)
    row = row[(row["n"] == 27) & (row["centre"] == 1.4)]
    assert len(row) == 1, "the hand-worked case is the early group's retrieval attempts (n 27, 1.4 (0.5))"
    rid = row["id"].iloc[0]
    ok = _audit_of_row(pkg, rid)
    assert list(ok["verdict"]) == ["consistent", "consistent"]
    assert "A sum of 37 over 27" in ok["detail"].iloc[0] and "sum of squares 57" in ok["detail"].iloc[1]
    bad_mean = _audit_of_row(pkg, rid, centre=1.45, sd=0.50, decimals=2)
    assert list(bad_mean["verdict"]) == ["inconsistent", "inconsistent"]
    assert list(bad_mean["consequence"]) == ["none", "none"]
    bad_sd = _audit_of_row(pkg, rid, sd=0.1)
    assert list(bad_sd["verdict"]) == ["consistent", "inconsistent"]


def test_missing_n_is_unverifiable_and_non_integer_items_are_skipped(pkg):
    rid = _integer_mean_rows(pkg)["id"].iloc[0]
    none = _audit_of_row(pkg, rid, n=pd.NA)
    assert list(none["check"]) == ["grim"] and list(none["verdict"]) == ["unverifiable"]
    assert "not printed" in none["detail"].iloc[0]
    assert _audit_of_row(pkg, rid, values=pd.NA).empty


def test_subset_denominator_cannot_exceed_its_arm(pkg, real_audit):
    """subset-n (helpers.audit.sums): a printed denominator smaller than its arm is a subset and
    consistent; the same row with a denominator above the arm's size is inconsistent; a
    denominator equal to the arm's size is the whole arm and gets no row."""
    audit = real_audit
    rows = audit[audit["check"] == "subset-n"]
    assert len(rows) >= 1 and set(rows["verdict"]) == {"consistent"} and set(rows["basis"]) == {"exact"}
    props = pkg["proportions"].copy()
    subset = props[props["total_basis"].isin(["printed", "stated"]) & props["total"].notna()]
    arms = pkg["arms"].set_index(["study", "arm"])["n"]
    r = next(r for r in subset.itertuples() if r.total < arms[(r.study, r.arm)])
    n = int(arms[(r.study, r.arm)])
    same = (props["study"] == r.study) & (props["item"] == r.item) & (props["arm"] == r.arm) \
        & (props["location"] == r.location)
    props.loc[same, "total"] = n + 5
    props.loc[same, "count"] = props.loc[same, "count"].clip(upper=n + 5)
    bad = run_audit({**pkg, "proportions": props}, study=r.study)
    bad = bad[(bad["check"] == "subset-n") & (bad["item"] == f"{r.item} ({r.arm})")]
    assert list(bad["verdict"]) == ["inconsistent"] and list(bad["reported"]) == [str(n + 5)]
    props.loc[same, "total"] = n
    whole = run_audit({**pkg, "proportions": props}, study=r.study)
    assert whole[(whole["check"] == "subset-n") & (whole["item"] == f"{r.item} ({r.arm})")].empty
