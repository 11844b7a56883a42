"""The book builds with warnings as errors, reproducibly and without touching tracked files, and
the built site works in a real headless Chromium: every TOC page loads with its title, images
load, internal links resolve, no page errors, no request leaves 127.0.0.1."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
import yaml

from conftest import ROOT, _load_tool

CHROMIUM = Path("/usr/bin/chromium")
JB = Path(sys.executable).with_name("jupyter-book")
serve = _load_tool("serve")


def git_status() -> str | None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        return None
    proc = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=ROOT, capture_output=True, text=True,
    )
    return proc.stdout if proc.returncode == 0 else None


def build(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(JB), "build", "-W", "--keep-going", "--quiet", "--path-output", str(out), str(ROOT)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two clean builds of the book; returns the first site's directory."""
    before = git_status()
    first, second = tmp_path_factory.mktemp("build1"), tmp_path_factory.mktemp("build2")
    proc = build(first)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    proc2 = build(second)
    assert proc2.returncode == 0, proc2.stderr[-4000:]
    after = git_status()
    return first / "_build" / "html", second / "_build" / "html", before, after


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


def test_build_writes_every_toc_page(site):
    html = site[0]
    assert (html / "index.html").is_file()
    for page in toc_pages():
        assert (html / f"{page}.html").is_file(), f"{page}.html was not built"


def test_build_leaves_tracked_files_alone(site):
    before, after = site[2], site[3]
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


def test_two_clean_builds_give_identical_html(site):
    first, second = site[0], site[1]
    files1 = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files2 = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files1 == files2
    different = [str(p) for p in files1 if not filecmp.cmp(first / p, second / p, shallow=False)]
    assert different == [], f"files differ between two clean builds: {different[:10]}"


def test_no_third_party_script_or_style_in_html(site):
    html = site[0]
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for marker in ("unpkg.com", "cdn.jsdelivr", "cdnjs", "thebe", "require.min.js", "googleapis"):
            assert marker not in text, f"{page.name} references {marker}"


def test_mathjax_is_local(site):
    html = site[0]
    assert (html / "mathjax" / "tex-chtml-full.js").is_file()
    assert (html / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent (.ci/run installs it)")
def test_site_in_headless_chromium(site):
    from playwright.sync_api import sync_playwright

    server, base = serve.start_server(site[0])
    host = urlparse(base).netloc
    foreign, page_errors, failed, bad_links = [], [], [], []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--headless", "--no-sandbox", "--disable-gpu",
                      "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run"],
            )
            context = browser.new_context()

            def guard(route):
                if urlparse(route.request.url).netloc != host and not route.request.url.startswith("data:"):
                    foreign.append(route.request.url)
                    route.abort()
                else:
                    route.continue_()

            context.route("**/*", guard)
            page = context.new_page()
            page.on("pageerror", lambda exc: page_errors.append(f"{page.url}: {exc}"))
            page.on("requestfailed", lambda req: failed.append(f"{req.url} ({req.failure})"))
            page.on("response", lambda r: failed.append(f"{r.url} HTTP {r.status}") if r.status >= 400 else None)
            internal: set[str] = set()
            for name in toc_pages():
                url = urljoin(base, f"{name}.html")
                response = page.goto(url, wait_until="load")
                assert response is not None and response.ok, f"{url} did not load"
                title = page.title()
                h1 = page.locator("h1").first.inner_text()
                assert h1.strip() and h1.strip().rstrip("#").strip() in title, (name, title, h1)
                images = page.eval_on_selector_all(
                    "img", "els => els.map(e => [e.src, e.complete && e.naturalWidth > 0])")
                broken = [src for src, ok in images if not ok]
                assert not broken, f"{name}: images not loaded: {broken}"
                if page.locator(".math, mjx-container").count():
                    page.wait_for_selector("mjx-container", timeout=15000)
                for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
                    target, _ = urldefrag(href)
                    if urlparse(target).netloc == host:
                        internal.add(target)
            for target in sorted(internal):
                response = page.request.get(target)
                if not response.ok:
                    bad_links.append(f"{target} HTTP {response.status}")
            browser.close()
    finally:
        server.shutdown()
    assert page_errors == []
    assert foreign == [], f"requests to third-party hosts: {foreign}"
    assert failed == []
    assert bad_links == []
