"""Headless Chromium (the system's) driven by Playwright: search the built site, count bytes."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kb.errors import KbError, UsageError

#: Flags for a sandboxed, offline machine (no background calls to the outside world).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUERIES = (
    "fair use",
    '"fair use"',
    "opt-out",
    '"opt-out"',
    "voice likeness",
    '"voice and likeness"',
    "training data licensing compensation",
    "NO FAKES",
    "Anthropic",
    "licens",
    "transparen* disclos*",
    "licence labelling organisation",
    "copyrigth",
    "EFF",
)


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise UsageError("no Chromium found (Debian: apt-get install chromium)", item="chromium")


@contextmanager
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise UsageError(
            "Playwright is not installed (pip install '.[dev]')", item="playwright"
        ) from exc
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class SearchFailed(KbError):
    """The search page gave no answer in time, or said it failed."""


@dataclass
class SearchCost:
    query: str
    results: int  # shown
    matches: int  # found
    page_bytes: int  # the search page, its theme and script, the manifest and facets
    query_bytes: int  # shards, postings, result metadata and passages for the first results
    requests: int
    console_errors: list[str]
    ms: float = 0.0  # from typing the query to its first results and passages on the page

    @property
    def total(self) -> int:
        return self.page_bytes + self.query_bytes


def wait_quiet(server: Any, seconds: float = 0.8, limit: float = 20.0) -> None:
    """Wait until the server has answered no request for ``seconds``."""
    deadline = time.monotonic() + limit
    last, since = server.requests, time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if server.requests != last:
            last, since = server.requests, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return


def measure_search(browser: Any, server: Any, base: str, query: str) -> SearchCost:
    """A fresh context (empty cache) opens the search page, types ``query``, waits for the
    results and their passages. Bytes are counted where they leave: the loopback server."""
    context = browser.new_context()
    try:
        return _measure(context, server, base, query)
    finally:
        context.close()


def _measure(context: Any, server: Any, base: str, query: str) -> SearchCost:
    from playwright.sync_api import Error as PlaywrightError

    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    server.bytes_sent = server.requests = 0
    page.goto(f"{base}/search/", wait_until="networkidle")
    wait_quiet(server)
    before = server.bytes_sent
    started = time.perf_counter()
    page.fill("#kb-search input[name=q]", query)
    page.press("#kb-search input[name=q]", "Enter")  # no typing pause: submit at once
    try:
        page.wait_for_function(
            "q => { const s = document.querySelector('#kb-status').dataset;"
            " return s.query === q && s.state !== 'busy'; }",
            arg=query.strip(),
            timeout=30_000,
            polling="raf",
        )
    except PlaywrightError as exc:
        raise SearchFailed("no answer within 30 s", item=query) from exc
    ms = (time.perf_counter() - started) * 1000
    wait_quiet(server)
    status = page.locator("#kb-status")
    if status.get_attribute("data-state") == "error":
        raise SearchFailed(status.inner_text(), item=query)
    return SearchCost(
        query,
        page.locator(".kb-result").count(),
        int(status.get_attribute("data-count") or 0),
        before,
        server.bytes_sent - before,
        server.requests,
        errors,
        ms,
    )
