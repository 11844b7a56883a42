"""Count the code, prose and definition lines of chapters (MyST Markdown notebooks).

A *code* line is a non-blank line inside a ``{code-cell}`` fence (cell options such as ``:tags:``
included); a *prose* line is a non-blank line outside code cells and outside the YAML front
matter; a *def* line is a code line that starts a ``def`` or ``class`` statement.

Usage::

    python tools/linecount.py                    # the paper chapters (the keys of data/studies.csv)
    python tools/linecount.py chapters/audit.md  # any chapters
    python tools/linecount.py --rev main         # the same files as committed at a git revision
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEF = re.compile(r"^\s*(async\s+def|def|class)\s+\w")


def count_lines(text: str) -> dict[str, int]:
    """Return ``{"code": n, "prose": n, "defs": n}`` for the text of one MyST notebook."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    lines = text.splitlines()
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        i = 1
        while i < len(lines) and lines[i].strip() != "---":
            i += 1
        i += 1
    counts = {"code": 0, "prose": 0, "defs": 0}
    fence = None
    for line in lines[i:]:
        stripped = line.strip()
        if fence is None:
            m = re.match(r"^(`{3,}|~{3,})\{code-cell\}", stripped)
            if m:
                fence = m.group(1)
                continue
            if stripped:
                counts["prose"] += 1
        else:
            if stripped == fence:
                fence = None
                continue
            if stripped:
                counts["code"] += 1
                if DEF.match(line):
                    counts["defs"] += 1
    return counts


def paper_chapters(root: Path = ROOT) -> list[Path]:
    """``chapters/<key>.md`` for every study key of ``data/studies.csv`` that has a chapter."""
    with open(root / "data" / "studies.csv", newline="", encoding="utf-8") as handle:
        keys = [row["study"] for row in csv.DictReader(handle)]
    return [root / "chapters" / f"{k}.md" for k in keys if (root / "chapters" / f"{k}.md").is_file()]


def _read(path: Path, rev: str | None) -> str:
    if rev is None:
        return path.read_text(encoding="utf-8")
    rel = path.resolve().relative_to(ROOT).as_posix()
    out = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{rel}"], capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise ValueError(f"{rel}:0: not found at revision {rev!r}")
    return out.stdout


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter .md files (default: the paper chapters)")
    parser.add_argument("--rev", default=None, help="read the files as committed at this git revision")
    args = parser.parse_args(argv)
    paths = args.chapters or paper_chapters()
    total = {"code": 0, "prose": 0, "defs": 0}
    print(f"{'chapter':<28} {'code':>6} {'prose':>6} {'defs':>5}")
    for path in paths:
        try:
            c = count_lines(_read(path, args.rev))
        except (OSError, ValueError) as exc:
            print(f"{path}:0: {exc}", file=sys.stderr)
            return 1
        for k in total:
            total[k] += c[k]
        print(f"{path.name:<28} {c['code']:>6} {c['prose']:>6} {c['defs']:>5}")
    print(f"{'total':<28} {total['code']:>6} {total['prose']:>6} {total['defs']:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
