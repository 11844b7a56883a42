"""Build the book twice into fresh temporary folders and compare the two sites byte for byte.

    python tools/build_identity.py            # exit 0 if identical, 1 (and the differing files) if not

The build is the one that `make book` runs after execution (stored notebook outputs, no
re-execution), with warnings as errors. Used by .ci/run; tests/test_book_site.py uses build() for its
one build per test session and compare() for the slow identity test.
"""

from __future__ import annotations

import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GC_TUNING = Path(__file__).with_name("gc_tuning.py")


def build(out: Path | str, root: Path | str = ROOT, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``jupyter-book build -W --keep-going`` of ``root`` into ``out``/_build/html (with the
    garbage collector of tools/gc_tuning.py: about a fifth less CPU time, the same site)."""
    return subprocess.run(
        [sys.executable, str(GC_TUNING), "jupyter-book", "build", "-W", "--keep-going", "--quiet",
         "--path-output", str(out), str(root)],
        cwd=root, capture_output=True, text=True, timeout=timeout,
    )


def compare(first: Path | str, second: Path | str) -> list[str]:
    """Relative paths that exist in only one of two site folders or differ in content, sorted."""
    first, second = Path(first), Path(second)
    if not first.is_dir():
        raise ValueError(f"first: {first} is not a directory")
    if not second.is_dir():
        raise ValueError(f"second: {second} is not a directory")
    files1 = {p.relative_to(first) for p in first.rglob("*") if p.is_file()}
    files2 = {p.relative_to(second) for p in second.rglob("*") if p.is_file()}
    different = sorted(str(p) for p in files1 ^ files2)
    different += sorted(str(p) for p in files1 & files2
                        if not filecmp.cmp(first / p, second / p, shallow=False))
    return different


def main(argv: list[str] | None = None) -> int:
    if argv:
        print("usage: python tools/build_identity.py (no arguments)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="build-identity-") as tmp:
        sites = []
        for name in ("first", "second"):
            out = Path(tmp) / name
            proc = build(out)
            if proc.returncode != 0:
                print(f"{ROOT / '_config.yml'}:0: build {name} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}",
                      file=sys.stderr)
                return 1
            sites.append(out / "_build" / "html")
        different = compare(*sites)
    if different:
        print(f"{len(different)} files differ between two clean builds:", *different[:20], sep="\n  ")
        return 1
    print("two clean builds are identical")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
