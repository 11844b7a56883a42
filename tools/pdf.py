"""Print the whole built book to one PDF, offline, with the system Chromium (no browser download).

    python tools/pdf.py                       # _build/html -> _build/html/book.pdf (linked from the site)
    python tools/pdf.py --site DIR --out FILE

Every page of _toc.yml is opened in headless Chromium (Playwright driving /usr/bin/chromium) from a
local server, after MathJax has typeset it; code inputs are left out (as on the site, where they are
hidden), dropdowns are opened, and the pages' articles are printed one after another, each chapter
on a new page, with a PDF outline (bookmarks) of the chapter titles. The site must have been built
(`make book`). Writes only under _build/ (never a tracked file). Exit 1 with `file:line: reason`
on failure.
"""

from __future__ import annotations

import argparse
import html
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
sys.path.insert(0, str(ROOT / "tools"))
import serve  # noqa: E402  (tools/ is scripts, not a package)

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
body { background: white; }
.book-page { break-before: page; }
.book-page:first-of-type { break-before: auto; }
.book-title { text-align: center; margin-top: 30vh; }
.cell_input, details.above-input, .headerlink, .toggle-details__summary, .copybtn { display: none !important; }
details > summary { list-style: none; }
img { max-width: 100% !important; height: auto; break-inside: avoid; }
table { font-size: 0.8rem; break-inside: auto; }
.admonition { break-inside: avoid-page; }
.bd-article { max-width: none !important; }
"""

EXTRACT = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  document.querySelectorAll('img').forEach(i => i.setAttribute('src', i.src));
  document.querySelectorAll('a[href]').forEach(a => a.setAttribute('href', a.href));
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  return article.outerHTML;
}"""


def toc_pages(root: Path = ROOT) -> list[str]:
    """The root page and every ``file:`` of _toc.yml, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                pages.append(node["file"])
            for key, value in node.items():
                if key != "root" and isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in toc.items() if k != "root"})
    return pages


def print_book(site: Path, out: Path, root: Path = ROOT) -> list[str]:
    """Print the TOC pages of the built ``site`` into ``out``; returns the page titles printed."""
    from playwright.sync_api import sync_playwright

    site, out = Path(site), Path(out)
    if not (site / "index.html").is_file():
        raise ValueError(f"site: {site} has no index.html (build the book first: make book)")
    if not CHROMIUM.exists():
        raise ValueError(f"{CHROMIUM} not found: install the system Chromium (apt-get install chromium)")
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    server, base = serve.start_server(site)
    titles, articles, styles, sheets = [], [], [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            for name in toc_pages(root):
                response = page.goto(urljoin(base, f"{name}.html"), wait_until="load")
                if response is None or not response.ok:
                    raise ValueError(f"{name}.html: did not load")
                if page.locator(".math, mjx-container").count():
                    page.wait_for_selector("mjx-container", timeout=30000)
                titles.append(page.locator("article h1").first.inner_text().strip().rstrip("#").strip())
                articles.append(f"<section class='book-page' id='page-{len(articles)}'>"
                                f"{page.evaluate(EXTRACT)}</section>")
                styles += page.eval_on_selector_all("head style", "els => els.map(e => e.textContent)")
                if not sheets:
                    sheets = page.eval_on_selector_all("link[rel=stylesheet]", "els => els.map(e => e.href)")
            footer = (site / "index.html").read_text(encoding="utf-8")
            start = footer.find("<p class='build-info'>")
            build_info = footer[start:footer.find("</p>", start) + 4] if start >= 0 else ""
            head = "".join(f"<link rel='stylesheet' href='{html.escape(s)}'>" for s in sheets)
            head += "".join(f"<style>{s}</style>" for s in dict.fromkeys(styles))
            title = html.escape(config.get("title", "Book"))
            document = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
                        f"{head}<style>{PRINT_CSS}</style></head><body>"
                        f"<section class='book-page book-title'><h1>{title}</h1>"
                        f"<p>{html.escape(config.get('author', ''))}</p>{build_info}</section>"
                        f"{''.join(articles)}</body></html>")
            # same origin for the stylesheets and images (index.html only redirects to the root page)
            page.goto(urljoin(base, f"{toc_pages(root)[0]}.html"), wait_until="load")
            page.set_content(document, wait_until="load")
            page.emulate_media(media="print")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(path=str(out), format="A4", print_background=True, outline=True, tagged=True,
                     display_header_footer=True, header_template="<span></span>",
                     footer_template="<div style='font-size:8px;width:100%;text-align:center'>"
                                     "<span class='pageNumber'></span> / <span class='totalPages'></span></div>",
                     margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"})
            browser.close()
    finally:
        server.shutdown()
    return titles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=None, help="default: <site>/book.pdf")
    args = parser.parse_args(argv)
    out = args.out or args.site / "book.pdf"
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", str(out.resolve())], cwd=ROOT,
                             capture_output=True, text=True)
    if tracked.returncode == 0:
        print(f"{out}:0: is a tracked file; choose another --out", file=sys.stderr)
        return 1
    try:
        titles = print_book(args.site, out)
    except ValueError as exc:
        print(f"{ROOT / '_toc.yml'}:0: {exc}", file=sys.stderr)
        return 1
    print(f"{out}: {len(titles)} pages of the book printed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
