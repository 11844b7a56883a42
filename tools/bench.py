"""Benchmark of the book's build and test steps on this machine (reports; never fails on time).

Works on a temporary copy of the tracked files, so the working tree is never touched. Prints, each
as the median of ``--runs`` runs: the cold build (no _build, every chapter re-executed), the warm
rebuild (nothing changed), the rebuild after editing one chapter, the nbval time over every chapter
notebook, and the peak resident memory of any single child process. With no chapter yet, a
throwaway demo chapter (the one of tests/test_notebooks.py) is added to the copy so that the
numbers mean something; the report says so.

    python tools/bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tracked_copy(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0,):
        raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sys.path.insert(0, str(ROOT / "tests"))
    py = str(BIN / "python")
    jb = [str(BIN / "jupyter-book"), "build", "--quiet", "--path-output", ".", "."]
    results: dict[str, list[float]] = {"cold": [], "warm": [], "one_chapter": [], "nbval": []}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        if (ROOT / ".git").exists():
            tracked_copy(work)
        else:
            shutil.copytree(ROOT, work, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".venv", "_build"))
        (work / "matplotlibrc").exists() or shutil.copy(ROOT / "matplotlibrc", work)
        chapters = sorted(p for p in (work / "chapters").glob("*.md") if p.name not in {"index.md", "README.md"})
        demo_note = ""
        if not chapters:
            import test_notebooks  # the throwaway chapter of the tests

            (work / "chapters").mkdir(exist_ok=True)
            demo = work / "chapters" / "demo.md"
            demo.write_text(test_notebooks.DEMO, encoding="utf-8")
            with open(work / "_toc.yml", "a", encoding="utf-8") as toc:
                toc.write("  - file: chapters/demo\n")
            chapters = [demo]
            demo_note = " (no chapter yet: measured with one throwaway demo chapter)"
        execute = [py, "tools/execute.py", "--jobs", "2"]
        for _ in range(args.runs):
            shutil.rmtree(work / "_build", ignore_errors=True)
            results["cold"].append(run(execute + ["--force"], work) + run(jb, work))
            results["warm"].append(run(execute, work) + run(jb, work))
            md = chapters[0]
            md.write_text(md.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            results["one_chapter"].append(run(execute, work) + run(jb, work))
            notebooks = [str(p.with_suffix(".ipynb").relative_to(work)) for p in chapters]
            results["nbval"].append(run(
                [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "-n", "2",
                 "--dist", "loadfile", "--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
                 *notebooks], work))
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"make bench: {len(chapters)} chapter(s){demo_note}, median of {args.runs} run(s)")
    labels = {
        "cold": "cold build (clean _build, every chapter executed)",
        "warm": "warm rebuild (nothing changed)",
        "one_chapter": "rebuild after editing one chapter",
        "nbval": "nbval over every chapter notebook",
    }
    for key, label in labels.items():
        values = results[key]
        print(f"  {label:52s} {statistics.median(values):6.1f} s   (runs: {', '.join(f'{v:.1f}' for v in values)})")
    print(f"  {'peak memory of any single child process':52s} {peak_mib:6.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
