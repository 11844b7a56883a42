"""Every chapter is a jupytext pair with identical inputs, executed from its current inputs,
and the table of contents lists only pages that exist."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, execute

CHAPTERS = execute.chapter_sources()
DEMO = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Demo

```{code-cell} ipython3
print(1 + 1)
```
"""


@pytest.mark.parametrize("md", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_pair_has_identical_inputs(md):
    assert execute.pair_mismatches(md) == []


@pytest.mark.parametrize("md", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_executed_from_current_inputs(md):
    stored = execute.stored_sha256(md.with_suffix(".ipynb"))
    assert stored == execute.inputs_sha256(md), (
        f"{md.name}: stored outputs come from other inputs (chapter, helpers/, data/ or "
        "requirements changed); run `make book` and commit the notebook"
    )


def _toc_files(node) -> list[str]:
    files = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root"):
                files.append(value)
            else:
                files.extend(_toc_files(value))
    elif isinstance(node, list):
        for value in node:
            files.extend(_toc_files(value))
    return files


def test_toc_lists_existing_pages_and_every_chapter():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = _toc_files(toc)
    assert files[0] == "intro"
    for name in files:
        candidates = [ROOT / f"{name}{ext}" for ext in (".md", ".ipynb")]
        assert any(c.is_file() for c in candidates), f"_toc.yml lists {name}, which does not exist"
        if name.startswith("chapters/"):
            assert (ROOT / f"{name}.ipynb").is_file(), f"{name}: the book shows the .ipynb, missing"
    listed = {name for name in files if name.startswith("chapters/")}
    for md in CHAPTERS:
        assert f"chapters/{md.stem}" in listed, f"{md.name} is not in _toc.yml"


def test_pair_mismatch_is_detected(tmp_path):
    md = tmp_path / "demo.md"
    md.write_text(DEMO, encoding="utf-8")
    assert execute.pair_mismatches(md) == ["demo.ipynb is missing (run `make book`)"]
    import jupytext

    jupytext.write(jupytext.read(md), tmp_path / "demo.ipynb")
    assert execute.pair_mismatches(md) == []
    md.write_text(DEMO.replace("1 + 1", "2 + 2"), encoding="utf-8")
    problems = execute.pair_mismatches(md)
    assert len(problems) == 1 and problems[0].startswith("cell 1 differs")
    md.write_text(DEMO + "\nMore text.\n", encoding="utf-8")
    assert "3 cells" in execute.pair_mismatches(md)[0]


def test_inputs_hash_covers_chapter_helpers_and_data(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "helpers").mkdir()
    (tmp_path / "data" / "x").mkdir(parents=True)
    md = tmp_path / "chapters" / "demo.md"
    md.write_text(DEMO, encoding="utf-8")
    (tmp_path / "helpers" / "a.py").write_text("A = 1\n", encoding="utf-8")
    (tmp_path / "data" / "x" / "t.csv").write_text("a\n1\n", encoding="utf-8")
    base = execute.inputs_sha256(md, tmp_path)
    assert execute.inputs_sha256(md, tmp_path) == base
    (tmp_path / "helpers" / "__pycache__").mkdir()
    (tmp_path / "helpers" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    assert execute.inputs_sha256(md, tmp_path) == base, "byte-code caches are not inputs"
    for folder in ("helpers", "data"):
        (tmp_path / folder / "README.md").write_text("prose only\n", encoding="utf-8")
        assert execute.inputs_sha256(md, tmp_path) == base, f"{folder}/README.md is documentation, not an input"
    seen = {base}
    for path, text in [
        (md, DEMO + "\n"),
        (tmp_path / "helpers" / "a.py", "A = 2\n"),
        (tmp_path / "data" / "x" / "t.csv", "a\n2\n"),
        (tmp_path / "requirements.txt", "numpy==2.4.6\n"),
    ]:
        path.write_text(text, encoding="utf-8")
        digest = execute.inputs_sha256(md, tmp_path)
        assert digest not in seen, f"changing {path.name} must change the inputs hash"
        seen.add(digest)
    with pytest.raises(ValueError, match="md_path"):
        execute.inputs_sha256(tmp_path / "missing.md", tmp_path)
