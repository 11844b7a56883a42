"""tools/execute.py keeps going after a failing chapter and reports every failure at the end."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("execute_tool", ROOT / "tools" / "execute.py")
execute = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute)

HEAD = ("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n# T\n\n")


def test_failure_line_names_chapter_error_and_message():
    class CellError(Exception):
        ename, evalue = "ClaimError", "The text claims: x.  This no longer holds"
    line = execute.failure_line(ROOT / "chapters" / "smith2027.md", CellError("long traceback"))
    assert line == "chapters/smith2027.md:0: ClaimError: The text claims: x. This no longer holds"
    assert execute.failure_line(Path("/elsewhere/a.md"), OSError("disk\nfull")) == "/elsewhere/a.md:0: OSError: full"


@pytest.mark.slow
def test_every_chapter_runs_and_every_failure_is_reported(tmp_path):
    repo = tmp_path / "repo"
    (repo / "tools").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "execute.py", repo / "tools" / "execute.py")
    (repo / "chapters").mkdir()
    (repo / "chapters" / "a2001.md").write_text(HEAD + "```{code-cell} ipython3\nraise ValueError('first')\n```\n")
    (repo / "chapters" / "b2002.md").write_text(HEAD + "```{code-cell} ipython3\nx = 1\n```\n")
    (repo / "chapters" / "c2003.md").write_text(HEAD + "```{code-cell} ipython3\nassert False, 'third'\n```\n")
    out = subprocess.run([sys.executable, str(repo / "tools" / "execute.py"), "--jobs", "1"],
                         capture_output=True, text=True, check=False, cwd=repo, env=os.environ.copy())
    assert out.returncode == 1
    assert (repo / "chapters" / "b2002.ipynb").is_file()                   # ran after the failure
    assert not (repo / "chapters" / "a2001.ipynb").exists()
    lines = [ln for ln in out.stderr.splitlines() if ln.startswith("chapters/")]
    assert lines == ["chapters/a2001.md:0: ValueError: first", "chapters/c2003.md:0: AssertionError: third"]
