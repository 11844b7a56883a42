"""Chapters are narrative with short calls: no function or class definitions (a named lambda
included) and no dictionaries that turn codes into words in any chapter, the Audit page and the
synthesis included (issue #17). Those live in helpers/, once (helpers.vocabulary, helpers.chapter,
helpers.audit_view). tools/linecount.py counts a chapter's code, prose and definitions."""

from __future__ import annotations

import ast
import re

import pytest

from conftest import ROOT, _load_tool

linecount = _load_tool("linecount")

CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def cell_sources(markdown: str) -> list[str]:
    """The code of every code cell of a MyST notebook, without its options (``:key:`` lines or a
    ``---`` YAML block) and IPython magics."""
    out = []
    for body in CELL.findall(markdown):
        lines = body.split("\n")
        if lines and lines[0].strip() == "---":
            end = lines.index("---", 1) if "---" in lines[1:] else 0
            lines = lines[end + 1:]
        lines = [line for line in lines if not re.match(r"\s*:\w[\w-]*:", line) or line.startswith(" " * 4)]
        out.append("\n".join(line for line in lines if not line.lstrip().startswith(("%", "!"))))
    return out


def data_row_ids() -> set[str]:
    """The ``id`` of every row of the data package's tables."""
    import csv

    ids = set()
    for path in (ROOT / "data").glob("*/*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            ids |= {row["id"] for row in csv.DictReader(handle) if row.get("id")}
    return ids


def problems(markdown: str, row_ids: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Definitions and code-to-words dictionaries (a literal of two or more text keys, each
    mapped to text) in a chapter's code cells. Not counted as vocabulary: the header words of
    one table shown once (``.rename(columns={...})``), and a chapter's choice of data rows with
    the name its prose gives each (every key an ``id`` of a row in data/)."""
    found = []
    for i, source in enumerate(cell_sources(markdown)):
        tree = ast.parse(source)
        headers = {id(k.value) for node in ast.walk(tree) if isinstance(node, ast.Call)
                   and isinstance(node.func, ast.Attribute) and node.func.attr == "rename"
                   for k in node.keywords if k.arg == "columns"}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.append(f"cell {i}: defines {node.name} (line {node.lineno})")
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
                found.append(f"cell {i}: a named lambda is a function definition too (line {node.lineno})")
            elif isinstance(node, ast.Dict) and id(node) not in headers and len(node.keys) >= 2 and all(
                    isinstance(k, ast.Constant) and isinstance(k.value, str)
                    and isinstance(v, ast.Constant) and isinstance(v.value, str)
                    for k, v in zip(node.keys, node.values)):
                if all(k.value in row_ids for k in node.keys):
                    continue
                found.append(f"cell {i}: a dictionary of codes to words (line {node.lineno})")
    return sorted(found, key=lambda p: tuple(int(n) for n in re.findall(r"\d+", p)[:1] + re.findall(r"line (\d+)", p)))


CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


def test_detector_on_a_made_up_chapter():
    text = ("# A chapter\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n%matplotlib inline\n"
            "def helper(x):\n    return x\nWORDS = {'fisher': 'Fisher', 'chisq': 'Chi-square'}\n```\n\n"
            "Text.\n\n```{code-cell} ipython3\n---\ntags: [remove-input]\n---\nclass Thing:\n    pass\n"
            "ok = {'a': 1, 'b': 2}\nt.rename(columns={'n': 'Patients', 'p': 'P'})\n"
            "rows = {'x-abs-1': 'Death', 'x-abs-2': 'sICH'}\nyes = {'consistent': 'yes', 'x': 'no'}[v]\n"
            "f = lambda x: x\nsorted(v, key=lambda x: x)\n```\n")
    assert len(cell_sources(text)) == 2
    assert problems(text, {"x-abs-1", "x-abs-2"}) == [
        "cell 0: defines helper (line 2)",
        "cell 0: a dictionary of codes to words (line 4)",
        "cell 1: defines Thing (line 1)",
        "cell 1: a dictionary of codes to words (line 6)",
        "cell 1: a named lambda is a function definition too (line 7)"]
    assert len(problems(text)) == 6  # row ids that are not in the data are codes like any other


def test_counter_on_a_made_up_chapter():
    text = ("---\nkernelspec: {}\n---\n# Title\n\nProse line.\n\n```{code-cell} ipython3\n:tags: [x]\n"
            "def f(x):\n    return x\n\nclass A:\n    pass\ny = 1\n```\n\nMore prose.\n")
    assert linecount.count_lines(text) == {"code": 6, "prose": 3, "defs": 2}


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_is_thin(chapter):
    assert CHAPTERS, "no chapters found"
    assert problems(chapter.read_text(encoding="utf-8"), data_row_ids()) == []
