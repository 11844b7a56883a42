"""The book builds with warnings as errors and without touching tracked files, and the built site
works for readers in a real headless Chromium, at a desktop width (1280 px) and a phone width
(390 px), on every TOC page: pages load with their title, images load, internal links resolve, no
page errors, no request leaves 127.0.0.1; the menu opens and navigates; no page is wider than the
screen; no table is clipped; every figure has real alt text and is shown at >= 80 CSS px per inch.

The book is built ONCE per test session (fixture ``site``) and every test here reads that build;
the browser walks all pages once (fixture ``walk``) with one browser launch. The two-build
identity check is tools/build_identity.py (the slow test below, and .ci/run)."""

from __future__ import annotations

import csv
import functools
import io
from collections import Counter
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pytest
import yaml

from conftest import ROOT, _load_tool
from helpers import site as site_module

# The walk drives Debian's chromium-headless-shell (the Blink of /usr/bin/chromium without the
# browser's UI layer: what Playwright itself runs for headless pages; about a third less CPU per
# page), or /usr/bin/chromium where only that is installed. The PDF test needs the full browser.
CHROMIUM = Path("/usr/bin/chromium")
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
serve = _load_tool("serve")
build_identity = _load_tool("build_identity")

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
MIN_PX_PER_INCH = 80
BOTTOM_LINE_MAX_WORDS = 60
VERDICT_MAX_WORDS = 155  # the "about 150 words", counted on the rendered box


def git(*args: str) -> str | None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        return None
    proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def git_status() -> str | None:
    return git("status", "--porcelain", "--untracked-files=all")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """One clean build of the book for the whole session."""
    before = git_status()
    out = tmp_path_factory.mktemp("build")
    proc = build_identity.build(out)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return SimpleNamespace(html=out / "_build" / "html", before=before, after=git_status())


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                pages.append(node["file"])
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in toc.items() if k != "root"})
    return pages


def studies() -> list[str]:
    with (ROOT / "data" / "studies.csv").open(encoding="utf-8", newline="") as handle:
        return [row["study"] for row in csv.DictReader(handle)]


@functools.lru_cache(maxsize=None)
def soup(path: Path):
    """The parsed page (cached: several tests read the same pages; do not modify it)."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# --------------------------------------------------------------------------- the build


def test_build_writes_every_toc_page(site):
    assert (site.html / "index.html").is_file()
    for page in toc_pages():
        assert (site.html / f"{page}.html").is_file(), f"{page}.html was not built"


def test_build_leaves_tracked_files_alone(site):
    before, after = site.before, site.after
    if before is None:
        pytest.skip("not a git checkout")
    if before == "":
        assert after == "", f"the build changed the working tree:\n{after}"
    else:
        # A working tree with other people's edits in progress: the build may only be blamed for
        # new entries where it could write (top level, chapters/, the book's own files).
        new = set(after.splitlines()) - set(before.splitlines())
        own = [e for e in new if "/" not in e[3:].rstrip("/") or e[3:].startswith(("chapters/", "_"))]
        assert own == [], f"the build changed the working tree: {own}"


@pytest.mark.slow
def test_two_clean_builds_give_identical_html(site, tmp_path):
    proc = build_identity.build(tmp_path)
    assert proc.returncode == 0, proc.stderr[-4000:]
    different = build_identity.compare(site.html, tmp_path / "_build" / "html")
    assert different == [], f"files differ between two clean builds: {different[:10]}"


def test_no_third_party_script_or_style_in_html(site):
    for page in site.html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for marker in ("unpkg.com", "cdn.jsdelivr", "cdnjs", "thebe", "require.min.js", "googleapis"):
            assert marker not in text, f"{page.name} references {marker}"


def test_mathjax_is_local(site):
    assert (site.html / "mathjax" / "tex-chtml-full.js").is_file()
    assert (site.html / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


# --------------------------------------------------------------------------- static checks of the site


def test_landing_page_bottom_line_and_findings_table_link_every_paper(site):
    page = soup(site.html / "intro.html")
    bottom = page.select_one(".admonition.bottom-line")
    assert bottom is not None, "the landing page has no bottom-line box"
    words = bottom.get_text(" ", strip=True).removeprefix("Bottom line").split()
    assert 10 <= len(words) <= BOTTOM_LINE_MAX_WORDS, f"bottom line has {len(words)} words"
    table = page.select_one(".findings-table table")
    assert table is not None, "no 'What we found' table"
    rows = table.select("tbody tr")
    assert len(rows) == len(studies())
    links = {urlparse(a["href"]).path for a in table.select("a[href]")}
    for study in studies():
        assert f"chapters/{study}.html" in links, f"the findings table does not link {study}"
    # The claim column quotes the paper (the quotes are checked against data/sources in test_site).
    assert all("“" in row.get_text() for row in rows)


def test_every_verdict_box_opens_with_a_one_sentence_bottom_line(site):
    boxes = 0
    for name in toc_pages():
        for box in soup(site.html / f"{name}.html").select(".admonition.verdict"):
            boxes += 1
            first = box.select_one(".verdict-section")
            assert "verdict-bottom-line" in first["class"], f"{name}: the verdict does not open with a bottom line"
            sentence = first.get_text(" ", strip=True).removeprefix("Bottom line:").strip()
            assert sentence.endswith(".") and not re.search(r"[.!?]\s+[A-Z]", sentence[:-1]), (name, sentence)
            headings = [s["class"][1] for s in box.select(".verdict-section")[1:]]
            assert headings and all(h.startswith("verdict-") for h in headings), name
            words = len(box.get_text(" ", strip=True).split())  # title and risk-of-bias line included
            assert words <= VERDICT_MAX_WORDS, f"{name}: the verdict box has {words} words (at most {VERDICT_MAX_WORDS})"
    assert boxes >= len(studies()), "fewer verdict boxes than papers"


def test_footer_names_the_commit_from_git(site):
    head = git("log", "-1", "--format=%H %cs")
    if head is None:
        pytest.skip("not a git checkout")
    commit, date = head.split()
    for name in toc_pages():
        footer = soup(site.html / f"{name}.html").select_one(".build-info")
        assert footer is not None, f"{name}: no build-info footer"
        assert commit[:12] in footer.get_text() and date in footer.get_text(), name


def test_repository_buttons_follow_repository_url(site):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = (config.get("repository") or {}).get("url") or ""
    text = (site.html / "chapters" / f"{studies()[0]}.html").read_text(encoding="utf-8")
    for label in ("repository-button", "issues-button", "edit-button"):
        assert (label in text) == bool(url), (label, url)


def test_downloads_exist(site):
    with zipfile.ZipFile(site.html / "downloads" / "data-package.zip") as archive:
        names = set(archive.namelist())
        assert {"data/datapackage.json", "data/studies.csv", "data/claims.csv"} <= names
        with archive.open("data/studies.csv") as handle:
            assert [r["study"] for r in csv.DictReader(io.TextIOWrapper(handle, "utf-8"))] == studies()
    assert (site.html / "downloads" / "audit-table.csv").read_bytes() == \
        (ROOT / "chapters" / "audit-table.csv").read_bytes()
    for name in toc_pages():
        if (ROOT / f"{name}.ipynb").is_file():
            assert (site.html / "_sources" / f"{name}.ipynb").is_file(), name
            assert (site.html / "_sources" / f"{name}.md").read_bytes() == (ROOT / f"{name}.md").read_bytes()
            links = {a.get("href", "") for a in soup(site.html / f"{name}.html").select(".dropdown-download-buttons a")}
            assert any(h.endswith(f"{Path(name).name}.md") for h in links), f"{name}: no .md download"


def test_search_index_leaves_out_code(site):
    text = (site.html / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    terms = set(index["terms"])
    identifier = re.compile(r"\b[a-z]+_[a-z_]+\b")
    in_code, everywhere = Counter(), Counter()
    for page in site.html.rglob("*.html"):
        html = soup(page)
        for cell in html.select(".cell_input"):
            in_code.update(identifier.findall(cell.get_text()))
        everywhere.update(identifier.findall(html.get_text()))
    code_words = set(in_code)
    prose_words = {w for w in everywhere if everywhere[w] > in_code[w]}
    only_in_code = code_words - prose_words
    assert len(only_in_code) >= 10, "the check needs identifiers that only code cells contain"
    leaked = sorted(only_in_code & terms)
    assert leaked == [], f"code identifiers in the search index: {leaked[:10]}"


def test_references_split_papers_and_methods(site):
    page = soup(site.html / "references.html")
    sections = page.select("article.bd-article section > section")
    headings = [s.find("h2").get_text(strip=True).rstrip("#") for s in sections]
    assert headings == ["Papers re-analysed", "Methods"]
    papers, methods = ([" ".join(e.get_text(" ").split()) for e in s.select("div.citation")] for s in sections)
    assert len(papers) == len(studies()), f"{len(papers)} entries under 'Papers re-analysed'"
    with (ROOT / "data" / "studies.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in site_module.findings_rows():
        assert any(row["paper"].rsplit(" ", 1)[0] in e for e in papers), f"{row['paper']} not under papers"
    for doi in (r["doi"] for r in rows if r["doi"]):
        assert any(doi in e for e in papers) and not any(doi in e for e in methods), doi
    # No uncited entry: exactly the works cited somewhere in the book's sources are listed.
    text = "".join(p.read_text(encoding="utf-8") for p in [*ROOT.glob("*.md"), *(ROOT / "chapters").glob("*.md")])
    keys = {k.strip() for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text) for k in group.split(",")}
    assert len(papers) + len(methods) == len(keys), f"{len(papers) + len(methods)} listed, {len(keys)} cited"

# --------------------------------------------------------------------------- the browser walk

TABLE_CLIPS = """() => {
  const bad = [];
  for (const table of document.querySelectorAll('.bd-article table')) {
    const box = table.getBoundingClientRect();
    if (box.width === 0) continue;
    let visible = {left: box.left, right: box.right};
    for (let a = table.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX, r = a.getBoundingClientRect();
      if (overflow === 'auto' || overflow === 'scroll') { visible = {left: r.left, right: r.right}; }
      else if ((overflow === 'hidden' || overflow === 'clip') &&
               (visible.right > r.right + 1 || visible.left < r.left - 1)) {
        bad.push((table.querySelector('th, td') || table).innerText.slice(0, 40) + ' clipped by ' +
                 a.tagName + '.' + a.className);
        break;
      }
    }
  }
  return bad;
}"""

FIGURES = """() => Array.from(document.querySelectorAll('.bd-article img')).map(i => ({
  src: i.src, alt: i.getAttribute('alt') || '', natural: i.naturalWidth,
  shown: i.getBoundingClientRect().width}))"""

VERDICT_CLASSES = ("verdict-holds-up", "verdict-does-not-hold-up")

# Polled until true: every dropdown open, MathJax's output present where the page has mathematics
# and visible, and every image complete (loaded or failed).
SETTLED = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  if (document.querySelector('.math, mjx-container')) {
    const m = document.querySelector('mjx-container');
    const box = m ? m.getBoundingClientRect() : null;  // "visible" as Playwright means it
    if (!box || !box.width || !box.height || getComputedStyle(m).visibility === 'hidden') return false;
  }
  return Array.from(document.images).every(i => i.complete);
}"""

# Everything the walk records of a settled page, in one call. On the desktop pass also the
# left-border colours of the verdict headings and every link's target.
READ_PAGE = """({desktop, colours}) => {
  const h1 = document.querySelector('h1');
  const out = {
    title: document.title, h1: h1 ? h1.innerText : '',
    scrollWidth: document.documentElement.scrollWidth,
    clipped: (""" + TABLE_CLIPS + """)(),
    figures: (""" + FIGURES + """)(),
    images: Array.from(document.querySelectorAll('img')).map(e => [e.src, e.complete && e.naturalWidth > 0]),
    colours: {}, hrefs: []};
  if (desktop) {
    for (const cls of colours) {
      const e = document.querySelector('.' + cls);
      out.colours[cls] = e ? getComputedStyle(e).borderLeftColor : null;
    }
    out.hrefs = Array.from(document.querySelectorAll('a[href]')).map(e => e.href);
  }
  return out;
}"""


NO_MOTION = """document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';
  document.head.appendChild(style);
});"""


def _settles(locator, state: str, timeout: float = 2000) -> bool:
    """Whether ``locator`` reaches ``state`` ("visible" or "hidden") within ``timeout`` ms."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.wait_for(state=state, timeout=timeout)
    except PlaywrightTimeout:
        return False
    return True


def _nav_link(page, scope: str, target: str):
    """The link inside ``scope`` that points to ``target`` (absolute URL), as a locator."""
    index = page.evaluate(
        """([scope, target]) => Array.from(document.querySelectorAll(scope + ' a[href]'))
             .findIndex(a => a.href.split('#')[0] === target)""", [scope, target])
    return None if index < 0 else page.locator(f"{scope} a[href]").nth(index)


@pytest.fixture(scope="module")
def walk(site):
    """Walk every TOC page at both widths, going from page to page through the menu; record."""
    browser_path = next((p for p in (HEADLESS_SHELL, CHROMIUM) if p.exists()), None)
    if browser_path is None:
        pytest.skip("neither /usr/bin/chromium-headless-shell nor /usr/bin/chromium (.ci/run installs both)")
    from playwright.sync_api import sync_playwright

    server, base = serve.start_server(site.html)
    host = urlparse(base).netloc
    report = SimpleNamespace(foreign=[], page_errors=[], failed=[], bad_links=[], pages={}, menu=[],
                             sidebar_toggle=None, verdict_colours={})
    pages = toc_pages()
    try:
        with sync_playwright() as pw:
            # No request can leave 127.0.0.1: every other host name resolves to nothing. Each
            # request is recorded (without holding it up, as a route handler would for ~9 s in
            # all), so a page asking a third-party host fails the test below.
            browser = pw.chromium.launch(
                executable_path=str(browser_path),
                args=["--headless", "--no-sandbox", "--disable-gpu",
                      "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run",
                      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
            )
            # Transitions and animations off: the menu is checked for opening and navigating, and
            # waiting for each slide-in to settle cost seconds per walk.
            context = browser.new_context(reduced_motion="reduce")
            context.add_init_script(NO_MOTION)

            def record(request):
                if urlparse(request.url).netloc != host and not request.url.startswith(("data:", "blob:")):
                    report.foreign.append(request.url)

            context.on("request", record)
            page = context.new_page()
            page.on("pageerror", lambda exc: report.page_errors.append(f"{page.url}: {exc}"))
            page.on("requestfailed", lambda req: report.failed.append(f"{req.url} ({req.failure})"))
            page.on("response", lambda r: report.failed.append(f"{r.url} HTTP {r.status}") if r.status >= 400 else None)
            internal: set[str] = set()
            for width_name, (width, height) in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                response = page.goto(urljoin(base, f"{pages[0]}.html"), wait_until="load")
                assert response is not None and response.ok
                if width_name == "phone":  # the guard itself: a third-party request is seen and fails
                    escaped = page.evaluate(
                        "fetch('https://example.org/probe.js').then(() => true, () => false)")
                    assert not escaped and report.foreign == ["https://example.org/probe.js"], report.foreign
                    report.foreign.clear()
                    report.failed.clear()
                if width_name == "desktop":
                    toggle = page.locator(".primary-toggle:visible").first
                    sidebar = page.locator("#pst-primary-sidebar")
                    shown = sidebar.is_visible()
                    toggle.click()
                    hidden = _settles(sidebar, "hidden")
                    toggle.click()
                    report.sidebar_toggle = (shown, hidden, _settles(sidebar, "visible"))
                for i, name in enumerate(pages):
                    url = urljoin(base, f"{name}.html")
                    if i:  # reach this page through the menu of the previous one
                        if width_name == "phone":
                            page.locator(".primary-toggle:visible").first.click()
                            dialog = page.locator("#pst-primary-sidebar-modal")
                            dialog.wait_for(state="visible", timeout=5000)
                            link = _nav_link(page, "#pst-primary-sidebar-modal", url)
                        else:
                            link = _nav_link(page, "#pst-primary-sidebar", url)
                        if link is None or not link.is_visible():
                            report.menu.append(f"{width_name}: no visible menu link to {name}")
                            page.goto(url, wait_until="load")
                        else:
                            link.click()
                            page.wait_for_load_state("load")
                            if page.url.split("#")[0] != url:
                                report.menu.append(f"{width_name}: menu link to {name} went to {page.url}")
                                page.goto(url, wait_until="load")
                    # One wait and one read per page (each call to the browser is a round trip
                    # through Playwright's driver): the dropdowns opened, then the page settled
                    # (MathJax typeset where the page has mathematics, and every image finished,
                    # loaded or failed: images inside a dropdown may start loading only when it
                    # opens), then everything the tests below look at, read at once.
                    page.wait_for_function(SETTLED, timeout=15000)
                    seen = page.evaluate(READ_PAGE, {"desktop": width_name == "desktop",
                                                     "colours": list(VERDICT_CLASSES)})
                    report.pages[(width_name, name)] = SimpleNamespace(
                        title=seen["title"], h1=seen["h1"].strip().rstrip("#").strip(), viewport=width,
                        scroll_width=seen["scrollWidth"], clipped_tables=seen["clipped"],
                        figures=seen["figures"], broken=[src for src, ok in seen["images"] if not ok],
                    )
                    for cls, colour in seen["colours"].items():
                        if colour:
                            report.verdict_colours[cls] = colour
                    for href in seen["hrefs"]:
                        target, _ = urldefrag(href)
                        if urlparse(target).netloc == host:
                            internal.add(target)
            browser.close()
        # Every internal link resolves to a file of the built site (checked on disk: the server
        # maps each URL path to that file, and a request per link would cost seconds per page).
        pdf = urljoin(base, "book.pdf")  # written by `make pdf` after the site is built
        for target in sorted(internal - {pdf}):
            rel = unquote(urlparse(target).path).lstrip("/")
            path = site.html / rel
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                report.bad_links.append(f"{target}: no such file in the built site")
    finally:
        server.shutdown()
    return report


def test_pages_load_without_errors_or_foreign_requests(walk):
    assert walk.page_errors == []
    assert walk.foreign == [], f"requests to third-party hosts: {walk.foreign}"
    assert walk.failed == []
    assert walk.bad_links == []
    assert len(walk.pages) == 2 * len(toc_pages())
    for (width, name), seen in walk.pages.items():
        assert seen.h1 and seen.h1 in seen.title, (width, name, seen.title, seen.h1)
        assert seen.broken == [], f"{width} {name}: images not loaded: {seen.broken}"


def test_menu_opens_and_navigates_at_both_widths(walk):
    assert walk.menu == []
    assert walk.sidebar_toggle == (True, True, True), "desktop sidebar toggle (shown, hides, shows again)"


def test_no_page_wider_than_the_screen(walk):
    wide = {f"{w} {n}": p.scroll_width for (w, n), p in walk.pages.items() if p.scroll_width > p.viewport}
    assert wide == {}, f"pages wider than the viewport: {wide}"


def test_no_table_is_clipped(walk):
    clipped = {f"{w} {n}": p.clipped_tables for (w, n), p in walk.pages.items() if p.clipped_tables}
    assert clipped == {}


def test_every_figure_has_real_alt_text(walk):
    figures = [(n, f) for (w, n), p in walk.pages.items() if w == "desktop" for f in p.figures]
    assert figures, "no figures found"
    bad = [(n, f["alt"][:60]) for n, f in figures
           if len(f["alt"].split()) < 4 or re.search(r"[\\/]|\.(png|svg|jpe?g)\b", f["alt"])]
    assert bad == [], f"{len(bad)} of {len(figures)} figures lack real alt text: {bad[:5]}"


def test_figures_shown_at_80_px_per_figure_inch(walk, site):
    from PIL import Image

    low = []
    for (width, name), seen in walk.pages.items():
        if width != "desktop":
            continue  # on a phone the reader zooms; the column width is the design target
        for figure in seen.figures:
            path = site.html / urlparse(figure["src"]).path.lstrip("/")
            with Image.open(path) as image:
                dpi = image.info.get("dpi", (72, 72))[0]
            inches = figure["natural"] / dpi
            if figure["shown"] / inches < MIN_PX_PER_INCH:
                low.append(f"{name} {path.name[:12]}: {figure['shown'] / inches:.0f} px/in "
                           f"({inches:.1f} in wide at {dpi:.0f} dpi)")
    assert low == [], f"figures shown below {MIN_PX_PER_INCH} CSS px per inch: {low}"


def test_verdict_headings_have_their_own_styles(walk):
    colours = walk.verdict_colours
    assert set(colours) == {"verdict-holds-up", "verdict-does-not-hold-up"}
    assert colours["verdict-holds-up"] != colours["verdict-does-not-hold-up"]


# --------------------------------------------------------------------------- the PDF (make pdf)


@pytest.mark.slow
def test_pdf_holds_every_page_of_the_book(site, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium absent (.ci/run installs it)")
    pdf_tool = _load_tool("pdf")
    out = tmp_path / "book.pdf"
    titles = pdf_tool.print_book(site.html, out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 2 * len(toc_pages()), f"only {pages} PDF pages"
    # Every TOC page's title is a bookmark of the PDF outline (UTF-16BE hex or literal strings).
    outline = {m.decode("latin-1") for m in re.findall(rb"/Title\s*\(((?:\\.|[^\\)])*)\)", data)}
    outline |= {bytes.fromhex(h.decode()).decode("utf-16-be", "replace").lstrip("\ufeff")
                for h in re.findall(rb"/Title\s*<([0-9A-Fa-f]+)>", data)}
    expected = [soup(site.html / f"{name}.html").select_one("article h1").get_text(strip=True).rstrip("#")
                for name in toc_pages()]
    assert titles == expected
    def squash(text: str) -> str:  # the outline loses spaces at line breaks and escapes brackets
        return re.sub(r"[\s\\]", "", text)

    missing = [t for t in expected if not any(squash(t)[:25] in squash(o) for o in outline)]
    assert missing == [], f"pages missing from the PDF outline: {missing}; outline: {sorted(outline)[:10]}"
