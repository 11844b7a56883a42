"""tools/new_paper.py (make new-paper KEY=...): the scaffold of a new paper, in a temporary copy."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEY = "scaffoldtest2098"   # not demo2099: the README's example may be scaffolded in this clone


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def repo(tmp_path) -> Path:
    """A copy of what the scaffold reads and writes (the real repository is never touched)."""
    dest = tmp_path / "repo"
    for folder in ("data", "tools"):
        shutil.copytree(ROOT / folder, dest / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".hypothesis", "*.ipynb"))
    (dest / "chapters").mkdir()
    for md in (ROOT / "chapters").glob("*.md"):
        shutil.copy(md, dest / "chapters" / md.name)
    for name in ("_toc.yml", "references.bib", "matplotlibrc", "requirements.txt"):
        shutil.copy(ROOT / name, dest / name)
    return dest


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


NEW_PAPER = _load("new_paper", ROOT / "tools" / "new_paper.py")


def _run(repo: Path, *args) -> subprocess.CompletedProcess:
    """tools/new_paper.py in this process (its command line, output and exit status)."""
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = NEW_PAPER.main([*args, "--root", str(repo)])
    return subprocess.CompletedProcess(args, rc, out.getvalue(), err.getvalue())


def test_scaffold_adds_a_valid_paper_touching_only_its_places(repo):
    before = _snapshot(repo)
    out = _run(repo, KEY)
    assert out.returncode == 0, out.stderr
    after = _snapshot(repo)
    changed = {p for p in after if before.get(p) != after[p]}
    # only data/, the chapter, references.bib and _toc.yml change
    assert changed and all(p.startswith(("data/", "chapters/")) or p in {"references.bib", "_toc.yml"}
                           for p in changed), changed
    assert not set(before) - set(after)                                    # nothing removed
    new_csvs = {f"data/{KEY}/{k}.csv" for k in ("arms", "proportions", "comparisons", "continuous",
                                                 "estimates", "quantities", "definitions")}
    assert new_csvs | {f"data/sources/{KEY}.txt", f"chapters/{KEY}.md"} <= changed
    # the package, with the new study, validates and loads
    from helpers import data
    data.validate_package(repo / "data", use_frictionless=False)
    tables = data.load_package(repo / "data")
    studies = tables["studies"]
    assert KEY in set(studies["study"]) and list(studies["year"]) == sorted(studies["year"])
    assert studies.set_index("study").loc[KEY, "label"] == "Scaffoldtest 2098"
    # toc line after the last paper, bibliography stub, README row counts with the new row
    toc = (repo / "_toc.yml").read_text(encoding="utf-8").splitlines()
    assert toc.count(f"  - file: chapters/{KEY}") == 1
    assert toc.index(f"  - file: chapters/{KEY}") < toc.index("  - file: chapters/audit")
    assert f"@misc{{{KEY}," in (repo / "references.bib").read_text(encoding="utf-8")
    assert f"| {KEY} | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |" in (repo / "data" / "README.md").read_text(encoding="utf-8")
    # the chapter names its own key only, and defines nothing
    chapter = (repo / "chapters" / f"{KEY}.md").read_text(encoding="utf-8")
    assert f'STUDY = "{KEY}"' in chapter and "@KEY@" not in chapter and "@LABEL@" not in chapter
    assert "\ndef " not in chapter


def test_refuses_to_overwrite_and_changes_nothing(repo):
    assert _run(repo, KEY).returncode == 0
    before = _snapshot(repo)
    again = _run(repo, KEY)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr.strip().count("\n") == 0                             # one line
    assert again.stderr.startswith("data/studies.csv:") and "exists already" in again.stderr
    assert _snapshot(repo) == before
    # any one existing piece is enough to refuse
    (repo / "chapters" / "other2030.md").write_text("mine\n", encoding="utf-8")
    before = _snapshot(repo)
    out = _run(repo, "other2030")
    assert out.returncode == 1 and out.stderr.strip() == \
        "chapters/other2030.md:0: exists already; refusing to overwrite it"
    assert _snapshot(repo) == before


@pytest.mark.parametrize("key", ["Demo2099", "demo-2099", "demo_2099", "2099demo"])
def test_bad_key_is_refused_in_one_line(repo, key):
    before = _snapshot(repo)
    out = _run(repo, key)
    assert out.returncode == 1 and "does not match the study-key pattern" in out.stderr
    assert out.stderr.startswith("data/schemas/studies.json:0: ")
    assert _snapshot(repo) == before


def test_row_counts_of_the_real_readme_are_current():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert NEW_PAPER.row_counts_table(ROOT) in text


@pytest.mark.slow
def test_scaffolded_chapter_executes(repo):
    """The skeleton executes at once (about 10 s: one kernel) and guards its statements."""
    for folder in ("helpers",):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    assert _run(repo, KEY).returncode == 0
    env = {"PYTHONPATH": str(repo)}
    out = subprocess.run([sys.executable, str(repo / "tools" / "execute.py"), "--jobs", "1",
                          str(repo / "chapters" / f"{KEY}.md")], capture_output=True, text=True,
                         check=False, env={**__import__("os").environ, **env}, cwd=repo)
    assert out.returncode == 0, out.stdout + out.stderr
    import nbformat
    nb = nbformat.read(repo / "chapters" / f"{KEY}.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    glued = {o["metadata"]["scrapbook"]["name"] for c in nb.cells for o in c.get("outputs", [])
             if "scrapbook" in o.get("metadata", {})}
    assert {"label", "audit_checks", "audit_consistent"} <= glued
