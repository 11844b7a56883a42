"""One account of the audit across the book (issue #16): the audit counts every page states agree
with the audit CSV and with each other, read from the stored notebooks (what the site shows).

Every page states its counts through helpers.chapter.glue_audit_counts, under the glue names
``audit_checks`` and ``audit_<verdict>``: a paper's chapter (chapters/<study key>) for its own rows,
any other page for the whole audit. The Audit page's "Summary per paper" table must give, row by
row, the same counts as the CSV."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from helpers.audit import COLUMNS, VERDICTS, count
from helpers.audit_view import paper_labels
from helpers.chapter import AUDIT_GLUE_PREFIX
from helpers.data import load_package
from helpers.vocabulary import VERDICT_WORDS

CHAPTERS = ROOT / "chapters"
KEYS = ("checks", *VERDICTS)


def shipped() -> pd.DataFrame:
    table = pd.read_csv(CHAPTERS / "audit-table.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == list(COLUMNS)
    return table


def expected(audit: pd.DataFrame, study: str | None) -> dict[str, int]:
    rows = audit if study is None else audit[audit["study"] == study]
    if rows.empty:
        return {k: 0 for k in KEYS}
    return {"checks": len(rows), **{v: count(rows, verdict=v) for v in VERDICTS}}


def glued(nb: dict) -> dict[str, object]:
    """{glue name: stored value} of a notebook's glue records."""
    out = {}
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                text = "".join(output["data"].get(record["mime_prefix"] + "text/plain", ""))
                try:
                    out[record["name"]] = ast.literal_eval(text)
                except (ValueError, SyntaxError):  # a Markdown or HTML object: its repr
                    out[record["name"]] = text
    return out


def audit_glue(nb: dict) -> dict[str, int]:
    values = glued(nb)
    return {k: int(values[AUDIT_GLUE_PREFIX + k]) for k in KEYS if AUDIT_GLUE_PREFIX + k in values}


def disagreements(stated: dict[str, int], want: dict[str, int], page: str) -> list[str]:
    return [f"{page}: {AUDIT_GLUE_PREFIX}{k} is {stated.get(k)} on the page, {want[k]} in the audit CSV"
            for k in KEYS if stated.get(k) != want[k]]


def summary_rows(nb: dict) -> dict[str, dict[str, int]]:
    """The Audit page's "Summary per paper" table: {paper label: {checks, verdict: n}}."""
    from bs4 import BeautifulSoup

    words = [VERDICT_WORDS[v] for v in VERDICTS]
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            html = "".join(output.get("data", {}).get("text/html", ""))
            if "<table" not in html:
                continue
            table = BeautifulSoup(html, "html.parser").find("table")
            head = [th.get_text(strip=True) for th in table.select("thead th")]
            if head == ["Paper", *words, "Total"]:
                rows = {}
                for tr in table.select("tbody tr"):
                    cells = [td.get_text(strip=True) for td in tr.find_all("td")]
                    rows[cells[0]] = {"checks": int(cells[-1]),
                                      **{v: int(n) for v, n in zip(VERDICTS, cells[1:-1])}}
                return rows
    return {}


def pages() -> list[Path]:
    return sorted(CHAPTERS.glob("*.ipynb"))


def test_the_comparison_can_fail():
    want = {"checks": 10, "consistent": 8, "explained": 0, "inconsistent": 1, "unverifiable": 1}
    assert disagreements(dict(want), want, "p") == []
    assert disagreements({**want, "inconsistent": 2}, want, "p") == [
        "p: audit_inconsistent is 2 on the page, 1 in the audit CSV"]
    nb = {"cells": [{"outputs": [{"data": {"application/papermill.record/text/plain": "'7'"},
                                  "metadata": {"scrapbook": {"name": "audit_checks",
                                                             "mime_prefix": "application/papermill.record/"}}}]}]}
    assert audit_glue(nb) == {"checks": 7}


@pytest.mark.parametrize("page", pages(), ids=[p.stem for p in pages()])
def test_each_page_states_the_audit_csv_counts(page):
    nb = json.loads(page.read_text(encoding="utf-8"))
    studies = set(load_package()["studies"]["study"])
    stated = audit_glue(nb)
    source = page.with_suffix(".md").read_text(encoding="utf-8")
    if "run_audit(" in source:  # a page that runs the audit states its counts, all of them
        assert set(stated) == set(KEYS), f"{page.name} runs the audit but glues {sorted(stated)}"
    if not stated:
        return
    study = page.stem if page.stem in studies else None
    assert disagreements(stated, expected(shipped(), study), page.name) == []


def test_audit_page_summary_and_chapters_agree_with_the_csv_and_each_other():
    audit = shipped()
    labels = paper_labels(load_package())
    nb = json.loads((CHAPTERS / "audit.ipynb").read_text(encoding="utf-8"))
    rows = summary_rows(nb)
    audited = list(dict.fromkeys(audit["study"]))
    assert list(rows) == [labels[s] for s in audited], "the summary has one row per audited paper, in order"
    problems = []
    for study in audited:
        problems += disagreements(rows[labels[study]], expected(audit, study), f"audit.ipynb summary, {study}")
    # each paper chapter's counts are its row of the Audit page's summary, and together the whole
    chapters = {p.stem: audit_glue(json.loads(p.read_text(encoding="utf-8"))) for p in pages()}
    for study in audited:
        if chapters.get(study):
            problems += disagreements(chapters[study], rows[labels[study]], f"{study}.ipynb vs the Audit page")
    whole = audit_glue(nb)
    if all(chapters.get(s) for s in audited):
        total = {k: sum(chapters[s][k] for s in audited) for k in KEYS}
        problems += disagreements(total, whole, "the paper chapters together vs the Audit page")
    assert problems == []
