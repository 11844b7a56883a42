"""helpers.site: the landing page's findings table, verdict classes, repository buttons, footer,
the data zip; and the bibliography keyword that puts each paper under "Papers re-analysed"."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from types import SimpleNamespace

import pytest

from conftest import ROOT
from helpers import site


def studies() -> list[str]:
    with (ROOT / "data" / "studies.csv").open(encoding="utf-8", newline="") as handle:
        return [row["study"] for row in csv.DictReader(handle)]


def test_claims_cover_every_study_in_order_and_quote_the_source():
    claims = site.load_claims()
    assert [c["study"] for c in claims] == studies()
    for claim in claims:
        text = " ".join((ROOT / "data" / "sources" / f"{claim['study']}.txt").read_text(encoding="utf-8").split())
        assert " ".join(claim["claim"].split()) in text
        assert claim["verdict"] in site.VERDICT_HEADINGS


def test_claims_verdict_is_a_heading_of_the_chapters_verdict_box():
    for claim in site.load_claims():
        chapter = (ROOT / "chapters" / f"{claim['study']}.md").read_text(encoding="utf-8")
        box = chapter[chapter.index("{admonition} Verdict"):]
        box = box[:box.index("\n```")]
        assert f"**{claim['verdict']}:**" in box, claim["study"]


def test_findings_markdown_has_one_linked_row_per_paper():
    text = site.findings_markdown()
    rows = [line for line in text.splitlines()[2:] if line.startswith("|")]
    assert len(rows) == len(studies())
    for study, row in zip(studies(), rows):
        assert f"</chapters/{study}>`" in row
    assert "Baek 2022" in text  # first author's surname and year, from studies.csv


def _copy_data(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


@pytest.mark.parametrize("edit, message", [
    (lambda rows: rows[0].update(claim="words the paper never printed"), "verbatim quote"),
    (lambda rows: rows[0].update(verdict="Fine"), "verdict"),
    (lambda rows: rows[0].update(study="nobody2020"), "not in studies.csv"),
    (lambda rows: rows.append(dict(rows[0])), "second row"),
    (lambda rows: rows.pop(), "no row for"),
    (lambda rows: rows[0].update(reason=" "), "reason"),
])
def test_load_claims_rejects_bad_rows(tmp_path, edit, message):
    root = _copy_data(tmp_path)
    path = root / "data" / "claims.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ValueError, match=message):
        site.load_claims(root)


def test_verdict_class():
    assert site.verdict_class("Holds up, with caveats") == "verdict-holds-up-with-caveats"
    assert len({site.verdict_class(h) for h in site.VERDICT_HEADINGS}) == len(site.VERDICT_HEADINGS)
    with pytest.raises(ValueError, match="heading"):
        site.verdict_class("Holds")


def test_repository_buttons_follow_repository_url():
    for url, shown in (("", False), ("https://example.org/owner/book", True)):
        config = SimpleNamespace(html_theme_options={"repository_url": url})
        site._configure(SimpleNamespace(srcdir=str(ROOT)), config)
        options = config.html_theme_options
        assert [options[k] for k in ("use_repository_button", "use_issues_button", "use_edit_page_button")] == [shown] * 3
        assert ("/commit/" in options["extra_footer"]) == (shown and (ROOT / ".git").exists())


def test_footer_outside_git_says_so(tmp_path):
    assert "commit unknown" in site.git_footer(tmp_path)


def test_data_zip_is_deterministic_and_complete(tmp_path):
    a = site.write_data_zip(ROOT / "data", tmp_path / "a.zip")
    b = site.write_data_zip(ROOT / "data", tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {"data/datapackage.json", "data/studies.csv", "data/claims.csv"} <= set(names)
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    with pytest.raises(ValueError, match="data"):
        site.write_data_zip(tmp_path / "missing", tmp_path / "c.zip")


def test_every_paper_is_tagged_re_analysed_in_the_bibliography():
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    tagged = set(re.findall(r"@\w+\{(\w+),\s*\n\s*keywords\s*=\s*\{re-analysed\}", bib))
    assert tagged == set(studies())


def test_page_buttons_offer_md_source_data_and_pdf_and_edit_the_md():
    chapter = f"chapters/{studies()[0]}"
    edit = {"label": "source-edit-button", "url": f"https://example.org/r/edit/main/{chapter}.ipynb"}
    context = {
        "page_source_suffix": ".ipynb",
        "pathto": lambda target, flag=0: f"../{target}",
        "header_buttons": [
            {"type": "group", "label": "download-buttons", "buttons": [
                {"label": "download-source-button", "url": f"../_sources/{chapter}.ipynb"},
                {"label": "download-pdf-button", "javascript": "window.print()"}]},
            {"type": "group", "label": "source-buttons", "buttons": [edit]},
        ],
    }
    site._download_buttons(SimpleNamespace(srcdir=str(ROOT)), chapter, "page.html", context, None)
    labels = [b["label"] for b in context["header_buttons"][0]["buttons"]]
    assert labels == ["download-source-button", "download-md-button", "download-data-button",
                      "download-audit-button", "download-book-pdf-button"]
    urls = {b["label"]: b["url"] for b in context["header_buttons"][0]["buttons"]}
    assert urls["download-md-button"] == f"../_sources/{chapter}.md"
    assert urls["download-data-button"] == f"../{site.DATA_ZIP}"
    assert edit["url"].endswith(f"{chapter}.md")


def test_png_width_is_pixels_at_one_to_one(tmp_path):
    from docutils import nodes
    from docutils.utils import new_document
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from PIL import Image

    Image.new("RGB", (1600, 400), "white").save(tmp_path / "twice.png", dpi=(200, 200))
    Image.new("RGB", (300, 100), "white").save(tmp_path / "plain.png")  # no dpi: left alone
    doc = new_document("x", get_default_settings(Parser))
    for name in ("twice.png", "plain.png", "missing.png"):
        doc += nodes.image(uri=name, candidates={"*": name})
    doc += nodes.image(uri="twice.png", candidates={"*": "twice.png"}, width="50%")
    site._png_widths(SimpleNamespace(srcdir=str(tmp_path)), doc, "x")
    widths = [n.get("width") for n in doc.findall(nodes.image)]
    assert widths == ["800px", None, None, "50%"]
