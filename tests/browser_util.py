"""Open HTML deliverables in headless Chromium with the network cut off.

A plain helper module (not a conftest) for browser tests:

* :func:`launch_browser` starts Debian's ``chromium`` through Playwright (skips the test when it is not
  installed);
* :func:`open_offline` opens a local HTML file with every non-``file:``/``data:`` request aborted, and
  reports console errors, uncaught exceptions and failed or blocked requests;
* the ``browser`` (module scope) and ``browser_page`` (per test, 1280x800) fixtures; a test module
  uses them with ``browser = browser_util.browser`` and ``browser_page = browser_util.browser_page``.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SKIP_REASON = "chromium not installed: browser tests skipped (install Debian package chromium)"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

VIEWPORT = {"width": 1280, "height": 800}

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"


@contextlib.contextmanager
def launch_browser() -> Iterator[Any]:
    """Start headless Chromium (Debian's ``chromium``) and yield the Playwright browser.

    Skips the calling test when ``chromium`` is not on PATH.
    """
    exe = shutil.which("chromium")
    if exe is None:
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_offline(page: Any, html_path: str | Path, *, settle_ms: int = 300) -> dict[str, list[str]]:
    """Open a local HTML file with all network requests blocked; wait until it has loaded.

    Returns a report with lists ``console_errors`` (console errors and uncaught exceptions),
    ``failed_requests`` (requests that failed, including blocked ones), ``blocked_requests``
    (anything not ``file:`` or ``data:``, aborted) and ``requests`` (every URL requested). The lists
    keep filling while the page stays open, so events after a click are reported too.
    """
    report: dict[str, list[str]] = {
        "console_errors": [],
        "failed_requests": [],
        "blocked_requests": [],
        "requests": [],
    }

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            report["blocked_requests"].append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda msg: msg.type == "error" and report["console_errors"].append(msg.text))
    page.on("pageerror", lambda exc: report["console_errors"].append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda req: report["failed_requests"].append(f"{req.url} ({req.failure})"))
    page.on("request", lambda req: report["requests"].append(req.url))
    page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
    page.wait_for_timeout(settle_ms)
    return report


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot of ``page`` as ``test-artifacts/<name>.png`` and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium shared by the tests of a module."""
    with launch_browser() as b:
        yield b


@pytest.fixture
def browser_page(browser: Any) -> Iterator[Any]:
    """A fresh 1280x800 page in its own context (no cache or storage shared between tests)."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", service_workers="block")
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


#: The atlas's panels (title and notes, legend, layer list, target dashboard, zoom buttons).
PANEL_SELECTORS = (".bhg-title", ".bhg-legend", ".leaflet-control-layers", ".bhg-dashboard", ".leaflet-control-zoom")


def panel_boxes(page: Any) -> dict[str, dict[str, float]]:
    """Return the screen box (left, top, right, bottom in CSS px) of each visible panel of the atlas."""
    return page.evaluate(
        """(sels) => { var out = {}; sels.forEach(function (s) { var e = document.querySelector(s);
             if (!e || !e.offsetWidth) { return; } var r = e.getBoundingClientRect();
             out[s] = {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }); return out; }""",
        list(PANEL_SELECTORS),
    )


def site_boxes(page: Any, site_ids: list[str]) -> dict[str, dict[str, float]]:
    """Return the screen box of each drawn candidate site (by ``site_id``) in the atlas."""
    return page.evaluate(
        """(ids) => { var out = {}; bhg.maps[0].eachLayer(function (l) {
             var p = l.feature && l.feature.properties;
             if (!p || ids.indexOf(p.site_id) < 0 || !l._path || l.options.pane !== 'bhg-sites') { return; }
             var r = l._path.getBoundingClientRect();
             out[p.site_id] = {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; });
           return out; }""",
        site_ids,
    )


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two screen boxes overlap (touching edges do not count)."""
    return a["left"] < b["right"] and a["right"] > b["left"] and a["top"] < b["bottom"] and a["bottom"] > b["top"]
