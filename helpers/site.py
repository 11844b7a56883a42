"""The reader's site: the landing page's findings table, and a small Sphinx extension.

* :data:`VERDICT_HEADINGS` are the headings of every verdict box, in the order the book uses them.
* :func:`load_claims` reads ``data/claims.csv``: for each paper of ``data/studies.csv`` the authors'
  main claim, quoted verbatim from ``data/sources/<study>.txt`` (whitespace-normalised comparison),
  and the heading under which the paper's chapter files it. :func:`findings_markdown` turns it into
  the "What we found" table of the landing page, one row per paper, in the order of
  ``data/studies.csv``.
* :func:`setup` is a Sphinx extension (``sphinx.local_extensions`` in ``_config.yml``) that

  - renders the ``{findings-table}`` directive;
  - shows each notebook PNG at 1:1 (its pixel width x 100 / its dpi: 2x PNGs at half width);
  - gives each heading of a "Verdict" admonition its own block and CSS class
    (``verdict-holds-up``, ``verdict-does-not-hold-up``, ...), styled in ``_static/review.css``;
  - shows the repository, issue and edit buttons only when ``repository.url`` is set;
  - writes a footer with the commit and the commit date of the checkout, read from git (never the
    clock, so that two builds of one commit are identical);
  - leaves code-cell inputs out of the search index (``_static/site.js`` leaves them out of the
    result summaries);
  - adds to each page's download menu the chapter's MyST ``.md`` source, the data package as a zip
    (deterministic: fixed timestamps, sorted names), the audit table and the book's PDF.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

__all__ = ["VERDICT_HEADINGS", "verdict_class", "load_claims", "findings_rows", "findings_markdown",
           "git_footer", "write_data_zip", "setup"]

ROOT = Path(__file__).resolve().parent.parent

#: Headings of the verdict boxes, in the book's order.
VERDICT_HEADINGS = ("Holds up", "Holds up, with caveats", "Reporting issues", "Does not hold up",
                    "Cannot tell")

#: Where the PDF of the whole book is written inside the site (by ``make pdf``, tools/pdf.py).
PDF_NAME = "book.pdf"
#: Site paths of the downloads that every page offers.
DATA_ZIP = "downloads/data-package.zip"
AUDIT_CSV = "downloads/audit-table.csv"


def verdict_class(heading: str) -> str:
    """CSS class of a verdict heading: ``"Holds up, with caveats"`` -> ``"verdict-holds-up-with-caveats"``."""
    if heading not in VERDICT_HEADINGS:
        raise ValueError(f"heading: {heading!r} is not one of {VERDICT_HEADINGS}")
    return "verdict-" + re.sub(r"[^a-z]+", "-", heading.lower()).strip("-")


def _root_of(root, name: str = "root") -> Path:
    """``root`` as a Path (``None``: this checkout); raise unless a path to an existing folder."""
    if root is None:
        return ROOT
    if not isinstance(root, (str, Path)) or (isinstance(root, str) and not root.strip()):
        raise ValueError(f"{name} must be a path to a folder or None, got {root!r}"[:200])
    path = Path(root)
    if not path.is_dir():
        raise ValueError(f"{name}: {path} is not a directory")
    return path


def _path(value, name: str) -> Path:
    if not isinstance(value, (str, Path)) or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{name} must be a path, got {value!r}"[:200])
    return Path(value)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _read(path: Path, name: str) -> list[dict]:
    if not path.is_file():
        raise ValueError(f"{name}: {path} does not exist")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_claims(root: Path | str | None = None) -> list[dict]:
    """The rows of ``data/claims.csv``, checked against ``studies.csv`` and the source texts.

    Every study has exactly one row; ``claim`` must occur verbatim (whitespace-normalised) in
    ``data/sources/<study>.txt``; ``verdict`` must be one of :data:`VERDICT_HEADINGS`. Raises
    ValueError naming the file, line and column otherwise. Rows come in ``studies.csv`` order.
    """
    data = _root_of(root) / "data"
    studies = _read(data / "studies.csv", "root")
    claims = _read(data / "claims.csv", "root")
    by_study: dict[str, dict] = {}
    for line, row in enumerate(claims, start=2):
        where = f"claims.csv:{line}"
        study = row.get("study", "")
        if study not in {s["study"] for s in studies}:
            raise ValueError(f"{where}: study {study!r} is not in studies.csv")
        if study in by_study:
            raise ValueError(f"{where}: study {study!r} has a second row")
        if row.get("verdict") not in VERDICT_HEADINGS:
            raise ValueError(f"{where}: verdict {row.get('verdict')!r} is not one of {VERDICT_HEADINGS}")
        source = data / "sources" / f"{study}.txt"
        text = _normalise(source.read_text(encoding="utf-8")) if source.is_file() else ""
        if not row.get("claim") or _normalise(row["claim"]) not in text:
            raise ValueError(f"{where}: claim is not a verbatim quote of sources/{study}.txt")
        if not row.get("reason", "").strip():
            raise ValueError(f"{where}: reason is empty")
        by_study[study] = row
    missing = [s["study"] for s in studies if s["study"] not in by_study]
    if missing:
        raise ValueError(f"claims.csv: no row for {missing}")
    return [by_study[s["study"]] for s in studies]


def _paper_label(study: dict) -> str:
    """'Guo 2023' from the citation's first author and the year column."""
    first = study["citation"].split(",")[0].strip()
    surname = re.sub(r"\s+[A-Z]{1,3}$", "", first)  # drop the initials
    return f"{surname} {study['year']}"


def findings_rows(root: Path | str | None = None) -> list[dict]:
    """One dict per paper: ``paper``, ``chapter`` (docname), ``location``, ``claim``, ``verdict``, ``reason``."""
    data = _root_of(root) / "data"
    studies = {s["study"]: s for s in _read(data / "studies.csv", "root")}
    rows = []
    for claim in load_claims(root):
        study = studies[claim["study"]]
        rows.append({"paper": _paper_label(study), "chapter": f"chapters/{claim['study']}",
                     "location": claim["location"], "claim": _normalise(claim["claim"]),
                     "verdict": claim["verdict"], "reason": _normalise(claim["reason"])})
    return rows


def findings_markdown(root: Path | str | None = None) -> str:
    """The "What we found" table as a MyST pipe table (each paper's name links to its chapter)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    _root_of(root)
    lines = ["| Paper | The authors' main claim | Our verdict | Why |", "|---|---|---|---|"]
    for row in findings_rows(root):
        lines.append(
            f"| {{doc}}`{row['paper']} </{row['chapter']}>` "
            f"| “{cell(row['claim'])}” ({row['location']}) "
            f"| **{row['verdict']}** | {cell(row['reason'])} |")
    return "\n".join(lines)


def git_footer(root: Path | str | None = None, repository_url: str = "") -> str:
    """HTML footer naming the commit and the commit date of the checkout (from git, not the clock)."""
    root = _root_of(root)
    if not isinstance(repository_url, str):
        raise ValueError(f"repository_url must be text (a URL or ''), got {repository_url!r}")

    def git(*args: str) -> str:
        try:
            proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return ""
        return proc.stdout.strip() if proc.returncode == 0 else ""

    line = git("log", "-1", "--format=%H %cs")
    if not line:
        return "<p class='build-info'>Built outside a git checkout: commit unknown.</p>"
    commit, date = line.split()
    dirty = git("status", "--porcelain", "--untracked-files=no")
    shown = f"<code>{commit[:12]}</code>"
    if repository_url:
        shown = f"<a href='{repository_url.rstrip('/')}/commit/{commit}'>{shown}</a>"
    note = ", with uncommitted changes" if dirty else ""
    return (f"<p class='build-info'>Built from commit {shown} of {date}{note}. "
            "Code: MIT licence; text and figures: CC BY-NC 4.0 (see "
            "<code>LICENSE</code> and <code>LICENSE-content.md</code>).</p>")


def write_data_zip(data: Path | str, target: Path | str) -> Path:
    """Zip the folder ``data`` into ``target`` deterministically (sorted names, fixed dates)."""
    data, target = _path(data, "data"), _path(target, "target")
    if not data.is_dir():
        raise ValueError(f"data: {data} is not a directory")
    if target.is_dir():
        raise ValueError(f"target: {target} is a directory, not a file name")
    if not target.parent.is_dir():
        raise ValueError(f"target: the folder {target.parent} does not exist")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in data.rglob("*") if p.is_file()):
            if any(part.startswith(".") or part == "__pycache__" for part in path.parts):
                continue
            info = zipfile.ZipInfo(f"data/{path.relative_to(data).as_posix()}", (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target


# --------------------------------------------------------------------------- Sphinx extension


def _findings_directive():
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class FindingsTable(SphinxDirective):
        """``{findings-table}``: the landing page's table, from data/studies.csv and data/claims.csv."""

        has_content = False
        optional_arguments = 1
        final_argument_whitespace = True

        def run(self):
            root = Path(self.env.srcdir)
            for name in ("studies.csv", "claims.csv"):
                self.env.note_dependency(str(root / "data" / name))
            container = nodes.container(classes=["findings-table"])
            text = findings_markdown(root)
            if self.arguments:
                text = f":::{{table}} {self.arguments[0]}\n:name: findings-table\n{text}\n:::"
            self.state.nested_parse(StringList(text.splitlines(), source="data/claims.csv"),
                                    self.content_offset, container)
            return [container]

    return FindingsTable


def _mark_verdicts(app, doctree) -> None:
    """Group each heading of a Verdict admonition with the lists under it, in its own block.

    A first paragraph opening with "**Bottom line:**" becomes a block of class
    ``verdict-bottom-line``; each heading of :data:`VERDICT_HEADINGS` starts a block of class
    :func:`verdict_class`.
    """
    from docutils import nodes

    for admonition in list(doctree.findall(nodes.admonition)):
        title = next(iter(admonition.findall(nodes.title)), None)
        if title is None or title.astext().strip() != "Verdict":
            continue
        # One neutral box; each heading inside it gets its own style (review.css), not the green "tip".
        admonition["classes"] = [c for c in admonition["classes"] if c != "tip"] + ["verdict"]
        children = [c for c in admonition.children if c is not title]
        groups, current = [], None
        for child in children:
            heading = None
            first = next((c for c in child.children if not (isinstance(c, nodes.Text) and not c.strip())),
                         None) if isinstance(child, nodes.paragraph) else None
            if isinstance(first, nodes.strong):
                label = first.astext().strip().rstrip(":").strip()
                heading = label if label in VERDICT_HEADINGS else None
            if heading is None and isinstance(first, nodes.strong) and \
                    first.astext().strip().rstrip(":") == "Bottom line" and not groups:
                current = nodes.container(classes=["verdict-section", "verdict-bottom-line"])
                groups.append(current)
            elif heading is not None:
                current = nodes.container(classes=["verdict-section", verdict_class(heading)])
                groups.append(current)
            elif current is None:
                current = nodes.container(classes=["verdict-section", "verdict-lead"])
                groups.append(current)
            current.append(child)
        admonition.children = [title]
        for group in groups:
            admonition.append(group)
            group.parent = admonition


#: CSS pixels per figure inch at "1:1" (the PNGs are drawn at 200 dpi, i.e. at 2x).
CSS_PX_PER_INCH = 100


def _png_widths(app, doctree, docname) -> None:
    """Give every PNG its width at 1:1: pixels x 100 / dpi (the dpi matplotlib wrote in pHYs).

    A 2x PNG (200 dpi) is then shown at half its pixel width, so type appears at the size it was
    drawn; ``max-width: 100%`` (review.css) still fits it to the column. PNGs without a dpi, or with
    a width set by the author, are left alone.
    """
    from docutils import nodes
    from PIL import Image

    for node in doctree.findall(nodes.image):
        uri = node.get("candidates", {}).get("*", node.get("uri", ""))
        if not uri.lower().endswith(".png") or node.get("width") or "://" in uri:
            continue
        path = Path(app.srcdir, uri)
        if not path.is_file():
            continue
        with Image.open(path) as image:
            dpi = image.info.get("dpi")
            pixels = image.size[0]
        if dpi and dpi[0] > 0:
            node["width"] = f"{round(pixels * CSS_PX_PER_INCH / dpi[0])}px"


def _skip_code_in_search() -> None:
    """Search index: leave out the inputs of code cells (readers search the prose and the outputs).

    Sphinx 7.4 has no per-node opt-out, so :meth:`sphinx.search.IndexBuilder.feed` is wrapped to
    index a copy of the page without its ``cell_input`` containers; the HTML is unchanged.
    """
    from docutils import nodes
    from sphinx import search

    if getattr(search.IndexBuilder, "_skips_code_cells", False):
        return
    original = search.IndexBuilder.feed

    def feed(self, docname, filename, title, doctree):
        inputs = [n for n in doctree.findall(nodes.container) if "cell_input" in n.get("classes", [])]
        if inputs:
            doctree = doctree.deepcopy()
            for node in [n for n in doctree.findall(nodes.container) if "cell_input" in n.get("classes", [])]:
                node.parent.remove(node)
        return original(self, docname, filename, title, doctree)

    search.IndexBuilder.feed = feed
    search.IndexBuilder._skips_code_cells = True


def _register_pybtex_plugins() -> None:
    """Look pybtex's plugins up once per build instead of once per citation.

    :func:`pybtex.plugin.find_plugin` scans every installed distribution's entry points on each
    call, and sphinxcontrib-bibtex calls it for every citation it resolves (about 140 scans, 1 s of
    a build here). Registering each pybtex entry point as a run-time plugin
    (:func:`pybtex.plugin.register_plugin`, which ``find_plugin`` consults first) gives the same
    classes from one scan.
    """
    from importlib.metadata import entry_points

    from pybtex import plugin

    installed = entry_points()
    for group in sorted(g for g in installed.groups if g.startswith("pybtex.")):
        for entry in installed.select(group=group):
            plugin.register_plugin(group, entry.name, entry.load(), force=True)


def _configure(app, config) -> None:
    options = config.html_theme_options
    url = (options.get("repository_url") or "").strip()
    for key in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
        options[key] = bool(url)
    options["extra_footer"] = git_footer(app.srcdir, url)


def _download_buttons(app, pagename, templatename, context, doctree) -> None:
    buttons = context.get("header_buttons") or []
    md = Path(app.srcdir) / f"{pagename}.md"
    if md.is_file() and context.get("page_source_suffix") == ".ipynb":
        # A chapter is edited in its MyST .md (the .ipynb is generated): point edit/source there.
        for button in [b for group in buttons for b in [group, *group.get("buttons", [])]]:
            if button.get("label") in ("source-edit-button", "source-file-button"):
                button["url"] = button["url"].replace(f"{pagename}.ipynb", f"{pagename}.md")
    group = next((b for b in buttons if b.get("label") == "download-buttons"), None)
    if group is None:
        return
    pathto = context["pathto"]
    items = [b for b in group["buttons"] if b.get("label") != "download-pdf-button"]
    if context.get("page_source_suffix") == ".ipynb" and md.is_file():
        items.append({"type": "link", "url": pathto(f"_sources/{pagename}.md", 1), "text": ".md",
                      "icon": "fas fa-file", "tooltip": "Download the MyST source of this chapter",
                      "label": "download-md-button"})
    items += [
        {"type": "link", "url": pathto(DATA_ZIP, 1), "text": "data (.zip)", "icon": "fas fa-database",
         "tooltip": "Download the data package", "label": "download-data-button"},
        {"type": "link", "url": pathto(AUDIT_CSV, 1), "text": "audit (.csv)", "icon": "fas fa-table",
         "tooltip": "Download the audit table", "label": "download-audit-button"},
        {"type": "link", "url": pathto(PDF_NAME, 1), "text": "book (.pdf)", "icon": "fas fa-file-pdf",
         "tooltip": "The whole book as a PDF (make pdf)", "label": "download-book-pdf-button"},
    ]
    group["buttons"] = items


def _copy_downloads(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src, out = Path(app.srcdir), Path(app.outdir)
    for docname in app.env.found_docs:
        md = src / f"{docname}.md"
        if (src / f"{docname}.ipynb").is_file() and md.is_file():
            target = out / "_sources" / f"{docname}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(md, target)
    (out / DATA_ZIP).parent.mkdir(parents=True, exist_ok=True)
    write_data_zip(src / "data", out / DATA_ZIP)
    audit = src / "chapters" / "audit-table.csv"
    if audit.is_file():
        shutil.copyfile(audit, out / AUDIT_CSV)


def setup(app):
    """Register the site's directive, transforms and build hooks (see the module docstring)."""
    _register_pybtex_plugins()
    app.add_directive("findings-table", _findings_directive())
    app.connect("config-inited", _configure)
    app.connect("doctree-read", _mark_verdicts)
    app.connect("doctree-resolved", _png_widths)
    app.connect("html-page-context", _download_buttons, priority=600)
    app.connect("build-finished", _copy_downloads)
    _skip_code_in_search()
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
