"""Every page of the built book, opened in headless Chromium with the network blocked.

What a reader meets: pages that load with nothing missing, rendered math, images with
alt text, interactive figures that respond, a working search, the notebook download, the
Colab and Binder buttons, and the chapters in order in the sidebar. Run after ``make book-strict`` (``make test`` does).
"""

import json
import re
import urllib.request

import pytest

from .conftest import SITE, open_visit, source_of, toc_pages

PAGES = toc_pages()
CHAPTERS = [p for p in PAGES if re.fullmatch(r"book/\d\d_\w+\.html", p)]
NOTEBOOK_PAGES = [p for p in PAGES if source_of(p).suffix == ".ipynb"]
MATH_PAGES = [p for p in PAGES if (SITE / p).exists() and 'class="math notranslate' in (SITE / p).read_text()]


_REPORTS = {}


@pytest.fixture
def report(browser, site_url):
    """``report(path)``: what one visit of ``path`` found (each page is opened once per session)."""

    def get(path):
        if path not in _REPORTS:
            _REPORTS[path] = _inspect(open_visit(browser, site_url + path))
        return _REPORTS[path]

    return get


def _inspect(v):
    """Everything the per-page tests look at, read in one visit."""
    page = v.page
    mathjax = page.evaluate("() => Boolean(window.MathJax && MathJax.startup && MathJax.startup.promise)")
    if mathjax:
        page.evaluate("() => MathJax.startup.promise")  # typesetting done
    facts = page.evaluate("""() => ({
        formulas: document.querySelectorAll('.math').length,
        rendered: document.querySelectorAll('.math mjx-container').length,
        math_errors: Array.from(document.querySelectorAll('mjx-merror'), e => e.getAttribute('data-mjx-error')),
        text: (document.querySelector('main') || document.body).innerText,
        images: Array.from(document.querySelectorAll('img'), img => ({
            src: img.getAttribute('src') || '', alt: (img.getAttribute('alt') || '').trim(),
            loaded: img.complete && img.naturalWidth > 0,
            caption: Boolean(img.closest('figure') && img.closest('figure').querySelector('figcaption')),
        })),
        downloads: Array.from(document.querySelectorAll('.dropdown-download-buttons a'), a => a.href),
        launches: Array.from(document.querySelectorAll('.dropdown-launch-buttons a'), a => a.href),
    })""")
    facts.update(mathjax=mathjax, outside=list(v.outside), failed=list(v.failed),
                 console_errors=list(v.console_errors))
    v.page.context.close()
    return facts


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_with_nothing_missing_and_nothing_leaving_localhost(report, path):
    assert (SITE / path).exists(), f"{path} was not built"
    r = report(path)
    assert not r["outside"], f"{path}: requests to other hosts (blocked): {r['outside']}"
    assert not r["failed"], f"{path}: failed requests: {r['failed']}"
    assert not r["console_errors"], f"{path}: console errors: {r['console_errors']}"


def test_pages_with_math_in_their_source_are_the_pages_with_math():
    has_dollar_math = {p for p in PAGES if re.search(r"\$[^$\n]+\$", source_of(p).read_text())}
    missing = sorted(has_dollar_math - set(MATH_PAGES))
    assert not missing, f"source has $...$ math but the page has no math element: {missing}"
    assert set(CHAPTERS) <= set(MATH_PAGES)


@pytest.mark.parametrize("path", MATH_PAGES)
def test_math_is_rendered_offline(report, path):
    r = report(path)
    assert r["mathjax"], f"{path}: MathJax did not load (is _static/mathjax in the build?)"
    assert r["formulas"] > 0
    assert r["rendered"] == r["formulas"], f"{path}: {r['rendered']} of {r['formulas']} formulas rendered"
    assert not r["math_errors"], f"{path}: MathJax errors (an undefined macro?): {r['math_errors']}"
    raw = re.findall(r"\\\(|\\\[|\\begin\{", r["text"])
    assert not raw, f"{path}: raw LaTeX left in the text: {raw[:5]}"


@pytest.mark.parametrize("path", PAGES)
def test_images_are_loaded_and_described(report, path):
    images = report(path)["images"]
    not_loaded = [i["src"][:80] for i in images if not i["loaded"]]
    assert not not_loaded, f"{path}: images that did not load: {not_loaded}"
    # An alt that is only the file name (what a renderer fills in) describes nothing.
    undescribed = [i["src"][:80] for i in images if not i["caption"] and
                   (not i["alt"] or i["alt"].rsplit("/", 1)[-1] == i["src"].rsplit("/", 1)[-1]
                    or re.search(r"\.(png|svg|jpe?g|gif)$", i["alt"]))]
    assert not undescribed, f"{path}: images with no alt text and no caption: {undescribed}"


@pytest.mark.parametrize("path", CHAPTERS)
def test_interactive_figure_changes_frame(visit, path):
    v = visit(path)
    players = v.page.locator("div.animation")
    assert players.count() >= 1, f"{path}: no interactive figure (rnnlearn.viz.animate) on the page"
    for k in range(players.count()):
        player = players.nth(k)
        player.scroll_into_view_if_needed()
        image, slider = player.locator("img").first, player.locator("input[type=range]").first
        v.page.wait_for_function("img => img.src.startsWith('data:image')", arg=image.element_handle())
        first = image.get_attribute("src")
        slider.focus()
        v.page.keyboard.press("End")  # move the slider to its last position
        assert slider.input_value() != "0", f"{path}, figure {k}: the slider did not move"
        last = image.get_attribute("src")
        assert last != first, f"{path}, figure {k}: moving the slider did not change the frame"
        player.locator("button[title='First frame']").click()
        player.locator("button[title='Next frame']").click()
        second = image.get_attribute("src")
        assert second not in (first, last), f"{path}, figure {k}: the step button did not change the frame"
        assert slider.input_value() == "1", "the slider follows the buttons"


def test_search_finds_lstm(visit):
    v = visit("search.html?q=LSTM")
    # Sphinx's search says "Search finished, found N page(s) ..." once every result is listed.
    v.page.wait_for_function(
        "() => /Search finished/.test((document.querySelector('#search-results') || {}).innerText || '')",
        timeout=30_000)
    hits = v.page.locator("#search-results ul.search li a").evaluate_all("links => links.map(a => a.href)")
    assert hits, "search found nothing for LSTM"
    assert any("01_rnn_equations" in h for h in hits), f"chapter 1 discusses the LSTM; hits: {hits}"


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_download_button_offers_the_notebook(report, path):
    notebooks = [href for href in report(path)["downloads"] if href.endswith(".ipynb")]
    assert len(notebooks) == 1, f"{path}: the download menu offers {report(path)['downloads']}"
    with urllib.request.urlopen(notebooks[0]) as response:  # the local server
        nb = json.loads(response.read())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and "".join(code[0]["source"]).startswith("# Colab or Binder: install rnnlearn"), \
        "the downloaded notebook starts with the install cell"


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_launch_buttons_open_this_notebook_in_colab_and_binder(report, path):
    """Links only (nothing is requested): Colab and Binder, both for this page's notebook."""
    notebook = path.removesuffix(".html") + ".ipynb"
    launches = report(path)["launches"]
    colab = [u for u in launches if u.startswith("https://colab.research.google.com/github/")]
    binder = [u for u in launches if u.startswith("https://mybinder.org/v2/gh/")]
    assert len(colab) == 1 and colab[0].endswith("/" + notebook), f"{path}: {launches}"
    assert len(binder) == 1 and binder[0].endswith("urlpath=tree/" + notebook), f"{path}: {launches}"


def test_sidebar_lists_every_page_in_order(visit):
    v = visit("book/intro.html")
    hrefs = v.page.locator("nav.bd-docs-nav a.reference.internal").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)")
    listed = [h.lstrip("/") for h in hrefs]
    assert listed == PAGES, f"sidebar order {listed} differs from _toc.yml {PAGES}"
    titles = v.page.locator("nav.bd-docs-nav a.reference.internal").all_inner_texts()
    solutions = [t for t, h in zip(titles, listed) if h.startswith("solutions/")]
    assert solutions and all(t.startswith("Solutions:") for t in solutions), titles
