"""Scaffold a new paper: ``make new-paper KEY=<key>`` (or ``python tools/new_paper.py <key>``).

Creates, for the study key ``<key>`` (pattern in ``data/schemas/studies.json``):

* ``data/<key>/<kind>.csv`` for every table kind, header line only (from ``data/schemas/``), and
  the matching ``<key>-<kind>`` resources in ``data/datapackage.json``;
* ``data/sources/<key>.txt``, a stub for the paper's text, and its row in ``data/sources/README.md``;
* a row of ``data/studies.csv`` (in publication order) with TODO text in the required columns;
* ``chapters/<key>.md`` from ``tools/templates/chapter.md``: a skeleton that executes and builds
  at once (verdict box, audit slice, claims);
* its line in ``_toc.yml`` (after the paper before it in publication order) and a stub entry in
  ``references.bib``; and refreshes the row-count table of ``data/README.md``.

It refuses, changing nothing, when anything of that key already exists (one line
``file:line: reason`` and exit status 1). Then: paste the text into the source stub, fill the
CSVs, ``python -m helpers.data --validate``, write the chapter, ``make book``, ``make test``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "templates" / "chapter.md"
KINDS = ("arms", "proportions", "comparisons", "continuous", "estimates", "quantities", "definitions")


class ScaffoldError(Exception):
    """One-line ``file:line: reason``."""


def _schema(root: Path, kind: str) -> dict:
    return json.loads((root / "data" / "schemas" / f"{kind}.json").read_text(encoding="utf-8"))


def key_pattern(root: Path = ROOT) -> str:
    """The study-key pattern of ``data/schemas/studies.json``."""
    field = next(f for f in _schema(root, "studies")["fields"] if f["name"] == "study")
    return field["constraints"]["pattern"]


def _studies(root: Path) -> tuple[list[str], list[dict]]:
    with open(root / "data" / "studies.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def check_new(root: Path, key: str) -> None:
    """Raise :class:`ScaffoldError` when ``key`` is malformed or anything of it exists."""
    pattern = key_pattern(root)
    if not re.fullmatch(pattern, key):
        raise ScaffoldError(f"data/schemas/studies.json:0: key {key!r} does not match the study-key "
                            f"pattern {pattern!r} (lower-case letters and digits, e.g. smith2027)")
    _, rows = _studies(root)
    for line, row in enumerate(rows, 2):
        if row["study"] == key:
            raise ScaffoldError(f"data/studies.csv:{line}: study {key!r} exists already")
    for rel in (f"data/{key}", f"data/sources/{key}.txt", f"chapters/{key}.md", f"chapters/{key}.ipynb"):
        if (root / rel).exists():
            raise ScaffoldError(f"{rel}:0: exists already; refusing to overwrite it")
    descriptor = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        if r.get("name", "").startswith(f"{key}-"):
            raise ScaffoldError(f"data/datapackage.json:0: resource {r['name']!r} exists already")
    for rel, needle in (("_toc.yml", rf"^\s*-\s*file:\s*chapters/{re.escape(key)}\s*$"),
                        ("references.bib", rf"^@\w+\{{{re.escape(key)},")):
        for line, text in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1):
            if re.match(needle, text):
                raise ScaffoldError(f"{rel}:{line}: {key!r} is there already")


def _label(key: str, year: int | None) -> str:
    m = re.fullmatch(r"([a-z]+?)(\d{4})([a-z]?)", key)
    if m:
        return f"{m.group(1).capitalize()} {m.group(2)}{m.group(3)}"
    return key.capitalize() + (f" {year}" if year else "")


def plan(root: Path, key: str, *, label: str | None = None, year: int | None = None) -> dict[str, str]:
    """The new or changed files' full texts, ``{relative path: text}``; writes nothing."""
    check_new(root, key)
    m = re.search(r"(\d{4})", key)
    year = year if year is not None else (int(m.group(1)) if m else None)
    label = label or _label(key, year)
    files: dict[str, str] = {}
    # 1. header-only CSVs and their resources
    for kind in KINDS:
        header = [f["name"] for f in _schema(root, kind)["fields"]]
        files[f"data/{key}/{kind}.csv"] = ",".join(header) + "\n"
    descriptor = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    template = next((r for r in descriptor["resources"] if r.get("name") != "studies"), None)
    for kind in KINDS:
        resource = dict(template) if template else {"profile": "tabular-data-resource", "format": "csv",
                                                      "mediatype": "text/csv", "encoding": "utf-8"}
        resource.update(name=f"{key}-{kind}", path=f"{key}/{kind}.csv", schema=f"schemas/{kind}.json")
        descriptor["resources"].append(resource)
    files["data/datapackage.json"] = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    # 2. source stub and its README row
    files[f"data/sources/{key}.txt"] = (f"TODO: paste the text of {label} here (plain text, tables as "
                                        "tab-separated lines), and state its licence in "
                                        "data/sources/README.md.\n")
    readme = (root / "data" / "sources" / "README.md").read_text(encoding="utf-8")
    row = f"| `{key}` | TODO: citation of {label} | TODO: what the text holds | TODO: licence |"
    lines = readme.splitlines()
    table_end = max((i for i, ln in enumerate(lines) if ln.startswith("| `")), default=len(lines) - 1)
    lines.insert(table_end + 1, row)
    files["data/sources/README.md"] = "\n".join(lines) + "\n"
    # 3. studies.csv row, in publication order
    fieldnames, rows = _studies(root)
    new = {f: "" for f in fieldnames}
    new.update(study=key, label=label, citation=f"TODO: full citation of {label}",
               year=str(year) if year else "", design="TODO: design as the paper states it",
               design_type="other", comparison="TODO: what is compared", comparison_type="other",
               text_scope="abstract", source_file=f"sources/{key}.txt",
               note="Scaffolded by make new-paper; every TODO is to be replaced.")
    position = next((i for i, r in enumerate(rows) if year and r["year"] and int(r["year"]) > year), len(rows))
    before = rows[position - 1]["study"] if position else None
    rows.insert(position, new)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    files["data/studies.csv"] = out.getvalue()
    # 3b. claims.csv row (the landing page's "What we found"), in the same order: a placeholder
    # that quotes the source stub, under the skeleton's "Cannot tell" heading
    with open(root / "data" / "claims.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        claim_fields, claims = list(reader.fieldnames or []), list(reader)
    order = [r["study"] for r in rows]
    claims.append({**{f: "" for f in claim_fields}, "study": key, "location": "Abstract",
                   "claim": f"TODO: paste the text of {label} here", "verdict": "Cannot tell",
                   "reason": "Scaffolded by make new-paper: replace with the paper's main claim, quoted, "
                             "and the chapter's verdict."})
    claims.sort(key=lambda r: order.index(r["study"]) if r["study"] in order else len(order))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=claim_fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(claims)
    files["data/claims.csv"] = out.getvalue()
    # 4. chapter, toc line, bibliography stub
    files[f"chapters/{key}.md"] = (TEMPLATE.read_text(encoding="utf-8")
                                   .replace("@KEY@", key).replace("@LABEL@", label))
    toc = (root / "_toc.yml").read_text(encoding="utf-8").splitlines()
    chapter_lines = [i for i, ln in enumerate(toc) if re.match(r"^\s*-\s*file:\s*chapters/", ln)]
    if not chapter_lines:
        raise ScaffoldError("_toc.yml:0: no '- file: chapters/...' line to add the chapter after")
    after = next((i for i in chapter_lines if before and toc[i].strip().endswith(f"chapters/{before}")),
                 None)
    if after is None:  # first in publication order: before the first chapter
        after = chapter_lines[0] - 1
    indent = re.match(r"^(\s*)", toc[chapter_lines[0]]).group(1)
    toc.insert(after + 1, f"{indent}- file: chapters/{key}")
    files["_toc.yml"] = "\n".join(toc) + "\n"
    bib = (root / "references.bib").read_text(encoding="utf-8").rstrip("\n")
    files["references.bib"] = bib + (f"\n\n@misc{{{key},\n  keywords = {{re-analysed}},\n  author = {{TODO}},\n  title  = {{{{TODO: full citation of "
                                     f"{label}}}}},\n  year   = {{{year or 'TODO'}}},\n  note   = {{TODO: "
                                     "journal, volume, pages and DOI}\n}\n")
    return files


def row_counts_table(root: Path) -> str:
    """The Markdown table of ``python -m helpers.data --summary`` for ``data/README.md``."""
    if str(root) not in sys.path and "helpers.data" not in sys.modules:
        sys.path.insert(0, str(root))        # run as a script from the repository
    from helpers.data import summary

    table = summary(root / "data")
    cols = list(table.columns)
    lines = ["| study | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    lines += [f"| {study} | " + " | ".join(str(int(v)) for v in row) + " |" for study, row in table.iterrows()]
    return "\n".join(lines)


def refresh_row_counts(root: Path) -> bool:
    """Rewrite the table under "## Row counts per study" of ``data/README.md``; True if it changed."""
    path = root / "data" / "README.md"
    text = path.read_text(encoding="utf-8")
    head, sep, section = text.partition("## Row counts per study")
    if not sep:
        raise ScaffoldError("data/README.md:0: no '## Row counts per study' section")
    lines = section.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("|"))
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    new = head + sep + "\n".join(lines[:start] + [row_counts_table(root)] + lines[end:])
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def scaffold(root: Path, key: str, *, label: str | None = None, year: int | None = None) -> list[str]:
    """Write the scaffold of ``key`` under ``root``; return the paths written (relative)."""
    files = plan(root, key, label=label, year=year)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    written = list(files)
    if refresh_row_counts(root):
        written.append("data/README.md")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tools/new_paper.py", description=__doc__.split("\n")[0])
    parser.add_argument("key", nargs="?", help="study key, e.g. smith2027 (pattern in data/schemas/studies.json)")
    parser.add_argument("--label", help="name shown to readers (default: 'Smith 2027' from the key)")
    parser.add_argument("--year", type=int, help="publication year (default: the four digits of the key)")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this one)")
    parser.add_argument("--row-counts", action="store_true",
                        help="only refresh the row-count table of data/README.md")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        if args.row_counts:
            print("data/README.md: row counts " + ("refreshed" if refresh_row_counts(root) else "current"))
            return 0
        if not args.key:
            raise ScaffoldError("Makefile:0: give the study key, e.g. make new-paper KEY=smith2027")
        written = scaffold(root, args.key, label=args.label, year=args.year)
    except ScaffoldError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"scaffolded {args.key}:\n  " + "\n  ".join(written))
    print("next: paste the text into data/sources/{0}.txt, fill data/{0}/*.csv, "
          "python -m helpers.data --validate, write chapters/{0}.md, make book, make test".format(args.key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
