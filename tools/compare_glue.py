"""Compare two executed versions of a chapter notebook: glued values, tables and figures.

Glued values are the ``application/papermill.record/*`` outputs that ``helpers.outputs.glue``
stores; tables are the ``text/html`` (or ``text/markdown``) outputs and figures the ``image/png`` outputs of the
displayed cells, compared in order. Exit status 1 when anything differs.

Usage::

    python tools/compare_glue.py OLD.ipynb NEW.ipynb
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def outputs(path: Path) -> tuple[dict, list, list]:
    """``(glued {name: value}, [html tables], [png images])`` of one notebook."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    glued, tables, images = {}, [], []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            for mime, value in data.items():
                if mime.startswith("application/papermill.record/"):
                    name = out.get("metadata", {}).get("scrapbook", {}).get("name")
                    glued[name] = (mime.split("/", 2)[2], value)
            if not any(m.startswith("application/papermill.record/") for m in data):
                if "text/html" in data:
                    tables.append("".join(data["text/html"]))
                elif "text/markdown" in data:
                    tables.append("".join(data["text/markdown"]))
                if "image/png" in data:
                    images.append(data["image/png"])
    return glued, tables, images


def _normal(record):
    """A glued value as stored since ``helpers.outputs`` rounds floats to 6 significant digits,
    so that a notebook stored before that change compares equal when only the rounding differs."""
    mime, value = record
    text = "".join(value) if isinstance(value, list) else str(value)
    try:
        x = float(text)
    except ValueError:
        return mime, text
    return mime, float(f"{x:.6g}")


def compare(old: Path, new: Path) -> list[str]:
    """Every difference, one line each."""
    g0, t0, i0 = outputs(old)
    g1, t1, i1 = outputs(new)
    diffs = []
    for name in sorted(set(g0) | set(g1)):
        if name not in g1:
            diffs.append(f"glue {name}: removed (was {g0[name][1]!r})")
        elif name not in g0:
            diffs.append(f"glue {name}: new ({g1[name][1]!r})")
        elif _normal(g0[name]) != _normal(g1[name]):
            diffs.append(f"glue {name}: {g0[name][1]!r} -> {g1[name][1]!r}")
    if len(t0) != len(t1):
        diffs.append(f"tables: {len(t0)} -> {len(t1)}")
    for k, (a, b) in enumerate(zip(t0, t1)):
        if a != b:
            diffs.append(f"table {k + 1}: differs ({len(a)} -> {len(b)} characters)")
    if len(i0) != len(i1):
        diffs.append(f"figures: {len(i0)} -> {len(i1)}")
    for k, (a, b) in enumerate(zip(i0, i1)):
        if a != b:
            diffs.append(f"figure {k + 1}: differs")
    return diffs


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    try:
        diffs = compare(Path(args[0]), Path(args[1]))
    except (OSError, ValueError, KeyError) as exc:
        print(f"{args[0]}:0: {exc}", file=sys.stderr)
        return 2
    n_glued = len(outputs(Path(args[1]))[0])
    print("\n".join(diffs) if diffs else f"identical: {n_glued} glued values, tables and figures")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
