"""helpers.audit_view: the Audit page's rows in a reader's words, on a made-up package and audit
(and once on the real audit table, against the shipped CSV's row count)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import audit_view as av
from helpers.audit import COLUMNS, VERDICT_WORDS

PKG = {
    "studies": pd.DataFrame({"study": ["smith2020", "jones2021"], "label": ["Smith 2020", "Jones 2021"]}),
    "arms": pd.DataFrame({"study": ["smith2020", "smith2020", "jones2021"],
                          "arm": ["rs", "mt_only", "all"],
                          "label": ["Stent group", "MT alone", "patients"]}),
}


def _row(**values):
    row = dict.fromkeys(COLUMNS, "")
    row.update(values)
    return row


AUDIT = pd.DataFrame([
    _row(study="smith2020", location="Table 1", item="Age** (rs)", check="percent", reported="41.0%",
         recomputed="17/41 = 41.5% (both)", verdict="inconsistent", detail="17/41 is 41.46%."),
    _row(study="smith2020", location="Arms", item="rs + mt_only", check="n-sum", reported="41 + 86",
         recomputed="127", verdict="consistent", detail="adds up"),
    _row(study="jones2021", location="Table 2", item="sICH", check="p-fisher", reported="0.04",
         recomputed="fisher <0.001, chisq 0.039", verdict="explained", detail="chi-square fits",
         basis="Pearson's chi-square (not the named test)", consequence="none"),
], columns=list(COLUMNS))


def test_item_in_words_drops_footnote_marks_and_names_groups():
    assert av.item_in_words(PKG, "smith2020", "Age** (rs)", "percent") == "Age (Stent group)"
    assert av.item_in_words(PKG, "smith2020", "rs + mt_only", "n-sum") == "Stent group; MT alone"
    assert av.item_in_words(PKG, "smith2020", "Age (unknown_arm)", "percent") == "Age (unknown_arm)"
    with pytest.raises(ValueError, match="study must be a study key"):
        av.item_in_words(PKG, "nobody1999", "Age", "percent")
    with pytest.raises(ValueError, match="check must be one of"):
        av.item_in_words(PKG, "smith2020", "Age", "no-such-check")


def test_reader_table_words_every_code():
    table = av.reader_table(AUDIT, PKG)
    assert list(table.columns) == list(av.READER_COLUMNS) and len(table) == len(AUDIT)
    first = table.iloc[0]
    assert first["Paper"] == "Smith 2020" and first["Item (as printed)"] == "Age (Stent group)"
    assert first["Verdict"] == VERDICT_WORDS["inconsistent"]
    assert "by rounding or truncation" in first["Recomputed"]
    assert table.iloc[2]["Recomputed"].startswith("Fisher's exact <0.001, Pearson χ² 0.039")
    assert table["In plain words"].str.endswith("?").all()


def test_findings_markdown_lists_only_the_verdict_asked_for_with_escaped_marks():
    text = av.findings_markdown(AUDIT, PKG)
    assert text.startswith("**Smith 2020** (1 finding)")
    assert "Jones 2021" not in text and "(`percent`): printed 41.0%. 17/41 is 41.46%." in text
    assert "Age (Stent group)" in text
    explained = av.findings_markdown(AUDIT, PKG, verdict="explained")
    assert explained.startswith("**Jones 2021** (1 finding)")
    assert av.findings_markdown(AUDIT, PKG, verdict="unverifiable") == "No check of any paper is unverifiable."
    with pytest.raises(ValueError, match="verdict must be one of"):
        av.findings_markdown(AUDIT, PKG, verdict="wrong")


def test_questions_by_paper_numbers_each_papers_questions():
    text = av.questions_by_paper_markdown(AUDIT, PKG)
    assert text.index("**Smith 2020** (1 question)") < text.index("**Jones 2021** (1 question)")
    assert "\n1. Table 1, Age\\*\\* (rs): the printed 41.0%" in text


def test_small_words():
    assert av.plural(1, "finding") == "1 finding" and av.plural(0, "question") == "0 questions"
    assert av.md_escape("IVT** and x_y") == "IVT\\*\\* and x\\_y"
    assert av.paper_labels(PKG) == {"smith2020": "Smith 2020", "jones2021": "Jones 2021"}
    with pytest.raises(ValueError, match="package must be"):
        av.paper_labels({"studies": PKG["studies"]})
    with pytest.raises(ValueError, match="audit must be a DataFrame"):
        av.reader_table(pd.DataFrame({"study": []}), PKG)


def test_real_audit_page_table_has_a_row_per_shipped_row():
    from conftest import ROOT
    from helpers.data import load_package

    shipped = pd.read_csv(ROOT / "chapters" / "audit-table.csv", dtype=str, keep_default_na=False)
    table = av.reader_table(shipped, load_package())
    assert len(table) == len(shipped)
    codes = r"\((?:" + "|".join(load_package()["arms"]["arm"].unique()) + r")\)$"
    assert not table["Item (as printed)"].str.contains(codes).any(), "a group code left in an item label"
