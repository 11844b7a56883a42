"""Re-execute the chapter notebooks whose inputs changed, deterministically and in place.

A chapter is the jupytext pair ``chapters/<key>.md`` (MyST Markdown, the source a person edits)
and ``chapters/<key>.ipynb`` (the same cells with their outputs, which the book shows).

The *inputs* of a chapter are its ``.md`` text, every file under ``helpers/`` and ``data/``, the
pinned ``requirements.txt`` and the repository ``matplotlibrc``. Their SHA-256 is stored in the
notebook as ``metadata["review"]["inputs_sha256"]``. A chapter is re-executed when the notebook is
missing or the stored hash differs; otherwise nothing happens, so a fresh clone with up-to-date
notebooks executes nothing.

Execution regenerates the notebook from the ``.md`` with jupytext, runs it with nbclient in the
chapter folder (no timing metadata, execution counts 1, 2, ... from a fresh kernel) and writes it
back; re-executing an unchanged chapter gives a byte-identical file.

Usage::

    python tools/execute.py            # execute the stale chapters (2 workers)
    python tools/execute.py --check    # exit 1 and list them if any chapter is stale
    python tools/execute.py --force chapters/lee2025.md

Every chapter is executed even when one fails; the failures are listed at the end, one line each
(``chapters/<key>.md:0: <error>: <message>``), and the exit status is 1.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
INPUT_DIRS = ("helpers", "data")
INPUT_FILES = ("requirements.txt", "matplotlibrc")
NOT_CHAPTERS = {"index.md", "README.md"}
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}
METADATA_KEY = "review"
TIMEOUT_S = 600


def kernel_env(root: Path = ROOT) -> dict[str, str]:
    """Environment variables every chapter kernel needs for deterministic output."""
    return {
        "MATPLOTLIBRC": str(root / "matplotlibrc"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PYTHONHASHSEED": "0",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "SOURCE_DATE_EPOCH": "0",
    }


def apply_kernel_env(root: Path = ROOT) -> None:
    """Set :func:`kernel_env` in this process so that kernels started from it inherit it."""
    os.environ.update(kernel_env(root))


def chapter_sources(chapters: Path = CHAPTERS) -> list[Path]:
    """The chapter ``.md`` files (sorted), excluding ``index.md`` and ``README.md``."""
    if not chapters.is_dir():
        return []
    return sorted(p for p in chapters.glob("*.md") if p.name not in NOT_CHAPTERS)


def _shared_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in INPUT_DIRS:
        base = root / name
        if base.is_dir():
            files.extend(
                p
                for p in base.rglob("*")
                if p.is_file()
                and not SKIP_PARTS.intersection(p.relative_to(root).parts)
                and p.suffix not in {".pyc", ".pyo"}
                # READMEs document the folders; no chapter reads them, so editing the prose of
                # helpers/README.md or data/README.md must not force every chapter to re-execute.
                and p.name != "README.md"
            )
    files.extend(root / name for name in INPUT_FILES if (root / name).is_file())
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def inputs_sha256(md_path: Path, root: Path = ROOT) -> str:
    """SHA-256 over the chapter text and every shared input file (path and bytes)."""
    md_path = Path(md_path)
    if not md_path.is_file():
        raise ValueError(f"md_path: {md_path} is not a file")
    digest = hashlib.sha256()
    for path in [md_path, *_shared_files(Path(root))]:
        rel = path.resolve().relative_to(Path(root).resolve()).as_posix() if path != md_path else "chapter.md"
        data = path.read_bytes()
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def stored_sha256(ipynb_path: Path) -> str | None:
    """The inputs hash stored in a notebook, or None if the notebook or the hash is missing."""
    import json

    ipynb_path = Path(ipynb_path)
    if not ipynb_path.is_file():
        return None
    try:
        nb = json.loads(ipynb_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None
    return nb.get("metadata", {}).get(METADATA_KEY, {}).get("inputs_sha256")


def is_stale(md_path: Path, root: Path = ROOT) -> bool:
    """True when the paired notebook is missing or was executed from other inputs."""
    md_path = Path(md_path)
    return stored_sha256(md_path.with_suffix(".ipynb")) != inputs_sha256(md_path, root)


def execute_chapter(md_path: Path, root: Path = ROOT) -> Path:
    """Regenerate ``<key>.ipynb`` from ``<key>.md``, execute it and write it; return its path."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    md_path = Path(md_path).resolve()
    root = Path(root).resolve()
    if md_path.suffix != ".md" or not md_path.is_file():
        raise ValueError(f"md_path: {md_path} is not a chapter .md file")
    apply_kernel_env(root)
    sha = inputs_sha256(md_path, root)
    nb = jupytext.read(md_path, fmt="md:myst")
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata.setdefault("jupytext", {})["formats"] = "ipynb,md:myst"
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        record_timing=False,
        allow_errors=False,
        resources={"metadata": {"path": str(md_path.parent)}},
    )
    _strip_volatile(nb)
    client.execute()
    _strip_volatile(nb)
    nb.metadata[METADATA_KEY] = {"inputs_sha256": sha}
    out = md_path.with_suffix(".ipynb")
    text = nbformat.writes(nb, version=4) + "\n"
    if not out.is_file() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return out


def pair_mismatches(md_path: Path) -> list[str]:
    """Differences between the cells of ``<key>.md`` and of its paired ``<key>.ipynb``.

    Compares the cell types and sources (outputs aside) as jupytext reads both files; an empty
    list means the pair has identical inputs. ``jupytext --diff`` exits 0 even on a difference,
    so the comparison is done here.
    """
    import jupytext

    md_path = Path(md_path)
    ipynb_path = md_path.with_suffix(".ipynb")
    if not md_path.is_file():
        raise ValueError(f"md_path: {md_path} is not a file")
    if not ipynb_path.is_file():
        return [f"{ipynb_path.name} is missing (run `make book`)"]
    md_cells = jupytext.read(md_path, fmt="md:myst").cells
    nb_cells = jupytext.read(ipynb_path).cells
    problems = []
    if len(md_cells) != len(nb_cells):
        problems.append(f"{md_path.name} has {len(md_cells)} cells, {ipynb_path.name} has {len(nb_cells)}")
    for i, (a, b) in enumerate(zip(md_cells, nb_cells)):
        if a.cell_type != b.cell_type:
            problems.append(f"cell {i}: {a.cell_type} in .md, {b.cell_type} in .ipynb")
        elif a.source.strip() != b.source.strip():
            first = a.source.strip().splitlines()[:1] or [""]
            problems.append(f"cell {i} differs (.md starts {first[0][:60]!r})")
    return problems


def _strip_volatile(nb) -> None:
    """Remove metadata that changes between runs without any change of content."""
    nb.metadata.pop("widgets", None)
    # The kernel reports its exact Python version; the pinned requirements already fix the rest.
    nb.metadata.get("language_info", {}).pop("version", None)
    for index, cell in enumerate(nb.cells):
        # jupytext draws random cell ids; derive them from position and source instead.
        cell["id"] = hashlib.sha256(f"{index}\0{cell.source}".encode()).hexdigest()[:12]
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter .md files (default: all)")
    parser.add_argument("--check", action="store_true", help="only report stale chapters")
    parser.add_argument("--force", action="store_true", help="execute even if up to date")
    parser.add_argument("--jobs", type=int, default=2, help="parallel workers (default 2)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    sources = [p.resolve() for p in args.chapters] or chapter_sources()
    todo = [p for p in sources if args.force or is_stale(p)]
    if args.check:
        for p in todo:
            print(f"stale: {p.relative_to(ROOT)}")
        return 1 if todo else 0
    if not todo:
        print(f"execute: {len(sources)} chapter(s) up to date, nothing to run")
        return 0
    print(f"execute: {len(todo)} of {len(sources)} chapter(s): " + ", ".join(p.stem for p in todo))
    failures = []
    with ProcessPoolExecutor(max_workers=min(args.jobs, len(todo))) as pool:
        futures = [(p, pool.submit(execute_chapter, p)) for p in todo]
        for md, future in futures:  # keep going: every chapter runs, every failure is reported
            try:
                out = future.result()
            except Exception as exc:  # noqa: BLE001 - reported below, one line per chapter
                failures.append(failure_line(md, exc))
                print(f"  FAILED {_rel(md)}")
            else:
                print(f"  wrote {_rel(out)}")
    if failures:
        print(f"execute: {len(failures)} of {len(todo)} chapter(s) failed:", file=sys.stderr)
        for line in failures:
            print(line, file=sys.stderr)
        return 1
    return 0


def _rel(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def failure_line(md_path: Path, exc: BaseException) -> str:
    """One line ``chapters/<key>.md:0: <error>: <message>`` for a chapter that failed to execute;
    for an error raised in a cell, the cell's error name and message (e.g. a ClaimError naming
    the claim that no longer holds)."""
    name = getattr(exc, "ename", None) or type(exc).__name__
    value = getattr(exc, "evalue", None)
    if value is None:
        value = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
    value = " ".join(str(value).split())
    return f"{_rel(md_path)}:0: {name}: {value}"


if __name__ == "__main__":
    sys.exit(main())
