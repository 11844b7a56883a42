"""The chapter machinery, proved on a throwaway chapter in a temporary repository: deterministic
in-place execution (byte-identical on re-execution, nothing to do when inputs are unchanged),
nbval accepting the stored outputs, and nbval plus the figure check rejecting tampered ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, TOOLS, execute

DEMO = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# A throwaway chapter

Inline maths: $\\\\mathrm{RD} = p_1 - p_0$.

```{code-cell} ipython3
import matplotlib.pyplot as plt
print(sum(range(10)))
```

```{code-cell} ipython3
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([1, 2, 3], [1, 4, 9], marker="o")
ax.set_title("squares")
plt.show()
```

```{code-cell} ipython3
{"b": 2, "a": [1.5, None]}
```
"""


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory):
    """A minimal repository with one chapter, executed once."""
    repo = tmp_path_factory.mktemp("repo")
    (repo / "chapters").mkdir()
    (repo / "helpers").mkdir()
    (repo / "data").mkdir()
    shutil.copy(ROOT / "matplotlibrc", repo / "matplotlibrc")
    (repo / "helpers" / "__init__.py").write_text("", encoding="utf-8")
    md = repo / "chapters" / "demo.md"
    md.write_text(DEMO, encoding="utf-8")
    assert execute.is_stale(md, repo)
    ipynb = execute.execute_chapter(md, repo)
    return repo, md, ipynb, ipynb.read_bytes()


def test_execution_stores_outputs_and_inputs_hash(demo_repo):
    repo, md, ipynb, first = demo_repo
    nb = json.loads(first)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == [1, 2, 3]
    assert code[0]["outputs"][0]["text"] == ["45\n"]
    assert "image/png" in code[1]["outputs"][0]["data"]
    assert nb["metadata"]["review"]["inputs_sha256"] == execute.inputs_sha256(md, repo)
    assert all("execution" not in c["metadata"] for c in nb["cells"]), "no timing metadata"
    assert not execute.is_stale(md, repo)
    assert execute.pair_mismatches(md) == []


@pytest.mark.slow  # a second kernel run; the slow tier (.ci/run) keeps it
def test_reexecution_is_byte_identical(demo_repo):
    repo, md, ipynb, first = demo_repo
    execute.execute_chapter(md, repo)
    assert ipynb.read_bytes() == first


def test_changed_helper_makes_chapter_stale(demo_repo, tmp_path):
    repo, md, ipynb, first = demo_repo
    helper = repo / "helpers" / "extra.py"
    helper.write_text("X = 1\n", encoding="utf-8")
    try:
        assert execute.is_stale(md, repo)
    finally:
        helper.unlink()
    assert not execute.is_stale(md, repo)


def test_nbval_accepts_stored_outputs_and_rejects_tampered_ones(demo_repo, tmp_path):
    repo, md, ipynb, first = demo_repo
    nb = json.loads(first)
    # One notebook, one kernel: the three stored code cells as executed (code cells 0-2), then a
    # copy of them (3-5) with the printed text of the first and the figure of the second
    # tampered. nbval compares each cell on its own, so exactly cells 3 and 4 must fail.
    copies = json.loads(first)["cells"][1:4]
    copies[0]["outputs"][0]["text"] = ["46\n"]
    png = copies[1]["outputs"][0]["data"]["image/png"]
    copies[1]["outputs"][0]["data"]["image/png"] = png[:-8] + "AAAAAAA="
    both = json.loads(first)
    both["cells"] += copies
    (tmp_path / "both.ipynb").write_text(json.dumps(both), encoding="utf-8")
    assert nb["cells"][1]["outputs"][0]["text"] == ["45\n"]

    env = dict(os.environ, PYTHONPATH=str(TOOLS), **execute.kernel_env(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "nbval_figures", "-p", "no:cacheprovider",
         "-o", "addopts=", "--rootdir", str(tmp_path), "-rA", "--nbval",
         "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), "both.ipynb"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    for cell in (0, 1, 2, 5):
        assert f"PASSED both.ipynb::Cell {cell}" in out, out[-3000:]
    assert "FAILED both.ipynb::Cell 3" in out, out[-3000:]
    assert "FAILED both.ipynb::Cell 4" in out, out[-3000:]
    assert "figure check" in out and "differs from the stored figure" in out
    assert "2 failed, 4 passed" in out, out[-3000:]
