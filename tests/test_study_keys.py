"""Papers are data: no test, chapter, page, config or helper names the set of study keys.

``data/studies.csv`` drives every list of papers. Adding a paper must not require editing code
that enumerates the papers, so this test reads the keys from ``studies.csv`` and fails when

* a line of a test, helper, tool, config or page names three or more study keys, or
* a line of code (a ``.py`` file or a chapter's code cell) holds two or more study keys as quoted
  string literals (a key list such as ``isin(["smith2027", "jones2028"])``), or
* a page or a paper chapter states the number of papers by hand ("five papers").

A chapter naming its *own* key is fine, and so is a line naming one other paper for a specific
statement about it (a quotation from its text, say). The detectors are tested on made-up lines.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# TODO(#18): chapters/synthesis.md still includes studies through key dictionaries written in the
# notebook; the synthesis engineer (issue #18) moves them to data. Remove this exemption then.
EXEMPT: set[str] = set()
# TODO(#19): intro.md belongs to the site engineer (issue #19); it still counts "five papers".
EXEMPT_COUNTS: set[str] = set()

CODE_DIRS = ("tests", "helpers", "tools")
PAGES = ("README.md", "data/README.md", "references.md", "intro.md", "_config.yml",
         "helpers/README.md")

# "two studies" is left alone: a pair of papers compared with each other is a natural phrase
NUMBER_WORDS = ("three|four|five|six|seven|eight|nine|ten|eleven|twelve|[3-9]|[1-9][0-9]+")
COUNT_OF_PAPERS = re.compile(rf"\b({NUMBER_WORDS})\s+(published\s+)?(papers|studies)\b", re.I)


def study_keys(root: Path = ROOT) -> list[str]:
    with open(root / "data" / "studies.csv", newline="", encoding="utf-8") as handle:
        return [row["study"] for row in csv.DictReader(handle)]


def keys_named(line: str, keys) -> set[str]:
    """The study keys a line mentions (as whole words)."""
    return {k for k in keys if re.search(rf"(?<![a-z0-9]){re.escape(k)}(?![0-9])", line)}


def keys_quoted(line: str, keys) -> set[str]:
    """The study keys a line holds as quoted string literals (``"lee2025"``, ``'lee2025'``)."""
    return {k for k in keys if re.search(rf"""(["']){re.escape(k)}\1""", line)}


def code_lines(path: Path):
    """(line number, text) of the code lines: a whole ``.py`` file, or a chapter's code cells."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".py":
        yield from enumerate(lines, 1)
        return
    fence = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if fence is None:
            m = re.match(r"^(`{3,})\{code-cell\}", stripped)
            fence = m.group(1) if m else None
        elif stripped == fence:
            fence = None
        else:
            yield number, line


def prose_lines(path: Path):
    """(line number, text) outside code cells (every line of a page that has none)."""
    code = {n for n, _ in code_lines(path)} if path.suffix == ".md" else set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if number not in code and not line.lstrip().startswith("```"):
            yield number, line


def _files():
    files = [p for d in CODE_DIRS for p in sorted((ROOT / d).rglob("*.py"))
             if "__pycache__" not in p.parts]
    files += sorted((ROOT / "chapters").glob("*.md"))
    files += [ROOT / p for p in PAGES if (ROOT / p).is_file()]
    return files


def _rel(path: Path, root: Path = ROOT) -> str:
    return path.relative_to(root).as_posix()


def naming_problems(path: Path, keys, root: Path = ROOT) -> list[str]:
    """``file:line: reason`` for every line that names the set of study keys."""
    problems = []
    text_lines = enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
    for number, line in text_lines:
        named = keys_named(line, keys)
        if len(named) >= 3:
            problems.append(f"{_rel(path, root)}:{number}: names {len(named)} study keys {sorted(named)}")
    if path.suffix in {".py", ".md"}:
        for number, line in code_lines(path):
            quoted = keys_quoted(line, keys)
            if len(quoted) >= 2:
                problems.append(f"{_rel(path, root)}:{number}: a list of study keys {sorted(quoted)} in code")
    return problems


def count_problems(path: Path, root: Path = ROOT) -> list[str]:
    return [f"{_rel(path, root)}:{n}: states the number of papers by hand: {m.group(0)!r}"
            for n, line in prose_lines(path) for m in [COUNT_OF_PAPERS.search(line)] if m]


# ------------------------------------------------------------------------------ the detectors

KEYS = ["smith2027", "jones2028", "wu2029b"]


def test_detectors_on_made_up_lines():
    assert keys_named("see smith2027 and jones2028, not wu2029b", KEYS) == set(KEYS)
    assert keys_named("smith20271 and xsmith2027", KEYS) == set()
    assert keys_named("data/smith2027/arms.csv smith2027-t1", KEYS) == {"smith2027"}
    assert keys_quoted('x.isin(["smith2027", \'wu2029b\'])', KEYS) == {"smith2027", "wu2029b"}
    assert keys_quoted("smith2027 is named, not quoted", KEYS) == set()
    assert COUNT_OF_PAPERS.search("a re-analysis of five papers")
    assert COUNT_OF_PAPERS.search("the 5 published studies")
    assert not COUNT_OF_PAPERS.search("the papers listed in studies.csv")
    assert not COUNT_OF_PAPERS.search("if they overlap, the two studies are not independent")


def test_problems_found_in_a_made_up_chapter(tmp_path):
    chapter = tmp_path / "smith2027.md"
    chapter.write_text("Prose names smith2027 and jones2028.\n"
                       "```{code-cell} ipython3\n"
                       "s = studies.loc['smith2027']\n"
                       "ok = x.isin(['smith2027', 'jones2028'])\n"
                       "```\n"
                       "All of smith2027, jones2028 and wu2029b: the three papers of this book.\n",
                       encoding="utf-8")
    assert naming_problems(chapter, KEYS, tmp_path) == [
        "smith2027.md:6: names 3 study keys ['jones2028', 'smith2027', 'wu2029b']",
        "smith2027.md:4: a list of study keys ['jones2028', 'smith2027'] in code"]
    assert count_problems(chapter, tmp_path) == [
        "smith2027.md:6: states the number of papers by hand: 'three papers'"]


# ------------------------------------------------------------------------------ the repository

def test_real_keys_are_read_from_studies_csv():
    keys = study_keys()
    assert len(keys) == len(set(keys)) >= 1


def test_no_file_names_the_set_of_study_keys():
    keys = study_keys()
    problems = [p for f in _files() if _rel(f) not in EXEMPT for p in naming_problems(f, keys)]
    assert problems == [], "\n".join(problems)


def test_exemptions_are_still_needed():
    """An exemption is removed as soon as the file it exempts passes."""
    keys = study_keys()
    for rel in EXEMPT:
        if (ROOT / rel).is_file():
            assert naming_problems(ROOT / rel, keys), f"{rel} passes now: remove it from EXEMPT"
    for rel in EXEMPT_COUNTS:
        if (ROOT / rel).is_file():
            assert count_problems(ROOT / rel), f"{rel} passes now: remove it from EXEMPT_COUNTS"


@pytest.mark.parametrize("rel", ["README.md", "data/README.md", "references.md", "_config.yml",
                                 "helpers/README.md", "intro.md"])
def test_pages_do_not_count_the_papers_by_hand(rel):
    if rel in EXEMPT_COUNTS or not (ROOT / rel).is_file():
        pytest.skip(f"{rel}: exempt (owned by another issue) or absent")
    assert count_problems(ROOT / rel) == []


def test_paper_chapters_do_not_count_the_papers_by_hand():
    chapters = [ROOT / "chapters" / f"{k}.md" for k in study_keys()
                if (ROOT / "chapters" / f"{k}.md").is_file()]
    problems = [p for c in chapters for p in count_problems(c)]
    assert chapters and problems == [], "\n".join(problems)
