"""The built book in a real browser: headless Chromium driven by Playwright, network blocked.

The suite builds nothing: it serves the strict build's ``_build/html`` (``make book-strict``)
on 127.0.0.1 and opens every page of the table of contents in Debian's ``chromium``
(Playwright's own browser download needs the network). Every request to a host other
than the local server is aborted and recorded, so a page that needs the network fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import pathlib
import shutil
import threading
import urllib.parse

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
HOW_TO_GET_CHROMIUM = ("Chromium is needed for the browser tests: `apt-get install chromium` (Debian/Ubuntu; "
                       "`.ci/run` does it), or set CHROMIUM=/path/to/chrome. "
                       "`make test-fast` runs everything except the browser suite.")


def toc_pages() -> list[str]:
    """The HTML pages of ``_toc.yml``, in the order of the sidebar (root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [f for part in toc["parts"] for ch in part["chapters"] for f in toc_files(ch)]
    return [f + ".html" for f in files]


def toc_files(entry: dict) -> list[str]:
    """A toc entry's file, then its sections' files, depth first (the sidebar's order)."""
    return [entry["file"]] + [f for section in entry.get("sections", []) for f in toc_files(section)]


def source_of(page: str) -> pathlib.Path:
    stem = ROOT / page.removesuffix(".html")
    return next(p for p in (stem.with_suffix(".ipynb"), stem.with_suffix(".md")) if p.exists())


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_addoption(parser):
    parser.addoption("--shard", default="0/1", metavar="I/N",
                     help="run only the I-th of N shares of the suite (0-based), split by page: "
                          "`make test` runs two shares side by side")


def _shard_key(item) -> str:
    """What a test visits: its ``path`` parameter, or its own name for a test of the whole site."""
    callspec = getattr(item, "callspec", None)
    return callspec.params["path"] if callspec is not None and "path" in callspec.params else item.originalname


def pytest_collection_modifyitems(config, items):
    """Keep the I-th share of N: each page goes to one share, so each share opens each of its pages once."""
    index, _, count = config.getoption("--shard").partition("/")
    if not (index.isdigit() and count.isdigit() and int(index) < int(count)):
        raise pytest.UsageError(f"--shard: expected I/N with 0 <= I < N, got {config.getoption('--shard')!r}")
    index, count = int(index), int(count)
    if count == 1:
        return
    keys = sorted({_shard_key(item) for item in items})
    share = {key: i % count for i, key in enumerate(keys)}
    kept = [item for item in items if share[_shard_key(item)] == index]
    config.hook.pytest_deselected(items=[item for item in items if share[_shard_key(item)] != index])
    items[:] = kept


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no access log in the test output
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail(f"{SITE} has no built book: run `make book-strict` first (make test does)")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if not executable:
        pytest.fail(HOW_TO_GET_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


class Visit:
    """One open page, with everything that went wrong while it loaded."""

    def __init__(self, page):
        self.page = page
        self.outside: list[str] = []  # requests that tried to leave localhost (aborted)
        self.failed: list[str] = []  # requests that failed or answered >= 400
        self.console_errors: list[str] = []

    def _route(self, request_route):
        if urllib.parse.urlsplit(request_route.request.url).hostname in LOCAL_HOSTS:
            request_route.continue_()
        else:
            self.outside.append(request_route.request.url)
            request_route.abort()


def open_visit(browser, url: str) -> Visit:
    """Open ``url`` as a first visit (a fresh context), blocking every request that leaves localhost."""
    page = browser.new_context().new_page()
    visit = Visit(page)
    page.route("**/*", visit._route)
    page.on("console", lambda msg: msg.type == "error" and visit.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: visit.console_errors.append(str(exc)))
    page.on("requestfailed", lambda req: visit.failed.append(f"{req.url} ({req.failure})"))
    page.on("response", lambda resp: resp.status >= 400 and visit.failed.append(f"{resp.url} ({resp.status})"))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return visit


@pytest.fixture
def visit(browser, site_url):
    """``visit(path)`` opens ``path`` of the site and returns a :class:`Visit`; closed after the test."""
    pages = []

    def open_page(path: str) -> Visit:
        pages.append(open_visit(browser, site_url + path))
        return pages[-1]

    yield open_page
    for v in pages:
        v.page.context.close()
