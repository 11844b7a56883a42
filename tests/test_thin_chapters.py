"""Thin chapters: no function or class definitions and no code-to-words dictionaries in a paper
chapter (those live in helpers/, once: helpers.vocabulary and helpers.chapter)."""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("linecount", ROOT / "tools" / "linecount.py")
linecount = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(linecount)

# a dictionary literal whose name says it turns codes into words (TEST_NAMES = {, ARM_WORDS = {)
WORDS_DICT = re.compile(r"^\s*[A-Z_]*(WORDS|NAMES|LABELS?)\s*=\s*\{")


def paper_chapters():
    with open(ROOT / "data" / "studies.csv", newline="", encoding="utf-8") as handle:
        keys = [row["study"] for row in csv.DictReader(handle)]
    return [ROOT / "chapters" / f"{k}.md" for k in keys if (ROOT / "chapters" / f"{k}.md").is_file()]


def test_detectors_on_made_up_lines():
    assert WORDS_DICT.match('TEST_NAMES = {"fisher": "Fisher"}') and WORDS_DICT.match("ARM_WORDS = {")
    assert not WORDS_DICT.match("RATES = {") and not WORDS_DICT.match("words = {")


def test_counter_on_a_made_up_chapter():
    text = ("---\nkernelspec: {}\n---\n# Title\n\nProse line.\n\n```{code-cell} ipython3\n:tags: [x]\n"
            "def f(x):\n    return x\n\nclass A:\n    pass\ny = 1\n```\n\nMore prose.\n")
    assert linecount.count_lines(text) == {"code": 6, "prose": 3, "defs": 2}


@pytest.mark.parametrize("path", paper_chapters(), ids=lambda p: p.stem)
def test_paper_chapter_defines_nothing(path):
    text = path.read_text(encoding="utf-8")
    assert linecount.count_lines(text)["defs"] == 0, f"{path.name}: move the function to helpers/"
    named_lambdas = [line for line in text.splitlines() if re.match(r"^\s*\w+\s*=\s*lambda\b", line)]
    assert named_lambdas == [], f"{path.name}: a named lambda is a function definition too"
    dicts = [line for line in text.splitlines() if WORDS_DICT.match(line)]
    assert dicts == [], f"{path.name}: code-to-words dictionaries belong in helpers/vocabulary.py: {dicts}"
