"""Benchmark of the fast test tier (`make test`): wall time, where it goes, and what a chapter costs.

Works on temporary copies of the tracked files (the working tree is never touched) and reports;
it never fails on time. It prints:

* the wall time of the fast tier (the README's test command), median of ``--runs`` runs;
* the breakdown of the summed test durations (pytest ``--durations=0``) into unit tests, nbval,
  the book build and the browser test, from the median run;
* the marginal cost of one more chapter: the same measurement on a copy with a throwaway chapter
  added (a copy of the first paper chapter under another key, executed and in ``_toc.yml``), as
  the difference of medians; the target is at most 3 s per added chapter;
* with ``--portability``, the time of one portability configuration (``tools/portability.py
  --only Haswell``) and the estimate for all of them.

    python tools/bench_tests.py [--runs 3] [--portability]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DURATION = re.compile(r"^\s*([\d.]+)s (call|setup|teardown)\s+(\S+)")
TARGET_TOTAL_S = 45.0
TARGET_PER_CHAPTER_S = 3.0


def tracked_copy(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    # A git checkout, as a clone is: some tests read git (the footer's commit, and which files are
    # tracked and so never overwritten); without it those tests skip or fail in the copy.
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-q", "-m", "bench copy"]):
        subprocess.run(["git", *args], cwd=dest, check=True, capture_output=True)
    venv = ROOT / ".venv"
    if venv.exists():
        (dest / ".venv").symlink_to(venv)


def env_for(work: Path) -> dict[str, str]:
    # As the Makefile's `test` target: one OpenBLAS thread per process, bytecode caches on.
    env = dict(os.environ, PYTHONPATH=str(work), MATPLOTLIBRC=str(work / "matplotlibrc"), PYTHONHASHSEED="0",
               OPENBLAS_NUM_THREADS="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def fast_tier_command(work: Path) -> list[str]:
    notebooks = sorted(str(p.relative_to(work)) for p in (work / "chapters").glob("*.ipynb"))
    return [str(BIN / "pytest"), "-n", "2", "--dist", "loadfile", "--no-loadscope-reorder", "-p", "no:cacheprovider", "-q",
            "--durations=0", "-vv", "--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
            *notebooks, "tests"]


def category(phase: str, nodeid: str) -> str:
    if nodeid.startswith("chapters/"):
        return "nbval"
    if nodeid.startswith("tests/test_book_site.py"):
        # the first test of the file builds the book (the shared session fixture); every other
        # setup is the browser walk (a module fixture) and every call reads what it recorded
        return "build" if phase == "setup" and nodeid.endswith("::test_build_writes_every_toc_page") else "browser"
    return "unit"


def run_fast_tier(work: Path) -> tuple[float, dict[str, float], str]:
    start = time.perf_counter()
    proc = subprocess.run(fast_tier_command(work), cwd=work, env=env_for(work), capture_output=True, text=True)
    wall = time.perf_counter() - start
    parts = {"unit": 0.0, "nbval": 0.0, "build": 0.0, "browser": 0.0}
    for line in proc.stdout.splitlines():
        m = DURATION.match(line)
        if m:
            parts[category(m.group(2), m.group(3))] += float(m.group(1))
    summary = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
    failed = [line for line in proc.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    if failed:  # a benchmark, not a test: say what failed in the copy, and go on timing
        summary += "".join(f"\n      {line[:160]}" for line in failed[:10])
    return wall, parts, summary


def add_throwaway_chapter(work: Path) -> str:
    """Copy the first paper chapter of _toc.yml to a new key, execute it, list it in _toc.yml."""
    import yaml

    toc_path = work / "_toc.yml"
    text = toc_path.read_text(encoding="utf-8")
    toc = yaml.safe_load(text)
    files = re.findall(r"file:\s*(chapters/[a-z]+[0-9]{4}[a-z]?)\b", text)
    if not files:
        raise SystemExit("bench_tests: _toc.yml lists no paper chapter to copy")
    source = work / f"{files[0]}.md"
    target = work / "chapters" / "benchcopy9999.md"
    key = source.stem
    body = source.read_text(encoding="utf-8")
    # Sphinx labels and figure names must be unique in the book (-W): rename the copy's own.
    labels = set(re.findall(rf"^\(({key}-[\w-]+)\)=", body, flags=re.M))
    labels |= set(re.findall(rf"name:\s*(fig-{key}[\w-]*)", body))
    for label in sorted(labels, key=len, reverse=True):
        new = label.replace(key, "benchcopy9999")
        body = re.sub(rf"(?<=[(`<\s]){re.escape(label)}(?=[)`>\s])", new, body)
    target.write_text(body, encoding="utf-8")
    line = re.search(rf"^(\s*)- file: {re.escape(files[0])}\s*$", text, flags=re.M)
    toc_path.write_text(text[:line.end()] + f"\n{line.group(1)}- file: chapters/benchcopy9999" + text[line.end():],
                        encoding="utf-8")
    assert "chapters/benchcopy9999" in str(yaml.safe_load(toc_path.read_text(encoding="utf-8")))
    del toc
    proc = subprocess.run([str(BIN / "python"), "tools/execute.py", "--jobs", "1"], cwd=work, env=env_for(work),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"bench_tests: executing the throwaway chapter failed:\n{proc.stderr[-2000:]}")
    return files[0]


def measure(work: Path, runs: int, label: str) -> tuple[float, dict[str, float], list[str]]:
    walls, parts, summaries = [], [], []
    for i in range(runs):
        wall, part, summary = run_fast_tier(work)
        print(f"  {label} run {i + 1}: {wall:5.1f} s  ({summary})", flush=True)
        walls.append(wall)
        parts.append(part)
        summaries.append(summary)
    median = statistics.median(walls)
    middle = parts[walls.index(sorted(walls)[len(walls) // 2])]
    return median, middle, summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--portability", action="store_true", help="also time one portability configuration")
    parser.add_argument("--no-chapter", action="store_true", help="skip the marginal-chapter measurement")
    args = parser.parse_args(argv)
    if args.runs < 1:
        print(f"tools/bench_tests.py: --runs: must be at least 1, got {args.runs}", file=sys.stderr)
        return 2
    print(f"Fast tier (make test) on {os.cpu_count()} CPUs, {args.runs} run(s) each")
    with tempfile.TemporaryDirectory(prefix="bench-tests-") as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        tracked_copy(base)
        median, parts, _ = measure(base, args.runs, "as is")
        print(f"\nmake test: median {median:.1f} s (target {TARGET_TOTAL_S:.0f} s)")
        print("summed test durations in the median run (two workers share them):")
        for name, seconds in parts.items():
            print(f"  {name:8s} {seconds:6.1f} s")
        if not args.no_chapter:
            plus = Path(tmp) / "plus"
            plus.mkdir()
            tracked_copy(plus)
            copied = add_throwaway_chapter(plus)
            median_plus, parts_plus, _ = measure(plus, args.runs, "one more chapter")
            extra = median_plus - median
            print(f"\none more chapter (a copy of {copied}): median {median_plus:.1f} s, "
                  f"marginal {extra:+.1f} s (target <= {TARGET_PER_CHAPTER_S:.0f} s)")
            for name in parts:
                print(f"  {name:8s} {parts_plus[name] - parts[name]:+6.1f} s summed")
        if args.portability:
            start = time.perf_counter()
            proc = subprocess.run([str(BIN / "python"), "tools/portability.py", "--only", "Haswell"], cwd=base,
                                  env=env_for(base), capture_output=True, text=True)
            one = time.perf_counter() - start
            print(f"\nportability: one configuration {one:.1f} s ({'passed' if proc.returncode == 0 else 'FAILED'}); "
                  f"all seven about {7 * one:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
