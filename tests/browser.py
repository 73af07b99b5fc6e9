"""Plumbing shared by the Chromium tests: Streamlit's idle state, the browser, pages, the app.

The fixtures built on it (`browser`, `page`, `app`) are in tests/conftest.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.servers import CHROMIUM, CHROMIUM_ARGS, Server, start_streamlit

# Streamlit marks its root element while no script run is in progress.
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_idle(page: Page) -> None:
    """Wait until Streamlit finished the current run."""
    expect(page.locator(IDLE)).to_be_attached()


def launch(playwright: Playwright) -> Browser:
    """Debian's headless Chromium (Playwright's own browser builds are never installed)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser: Browser, *, width: int = 1400, height: int = 1000) -> Page:
    """A page in a fresh browser context (no cookies or storage); `page.context.close()` ends it."""
    return browser.new_context(viewport={"width": width, "height": height}).new_page()


@contextmanager
def no_dialogs(page: Page) -> Iterator[Page]:
    """Dismiss every JavaScript dialog (alert, confirm, prompt) and fail if any opened."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield page
    # No alert() from a javascript: link or from injected script.
    assert dialogs == [], f"JavaScript dialogs opened: {dialogs}"


@contextmanager
def guarded_page(browser: Browser, *, width: int = 1400, height: int = 1000) -> Iterator[Page]:
    """`new_page` under `no_dialogs`; its context is closed afterwards."""
    page = new_page(browser, width=width, height=height)
    try:
        with no_dialogs(page):
            yield page
    finally:
        page.context.close()


@contextmanager
def streamlit_app(
    tracking_uri: str, workdir: Path, *, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """`streamlit run app.py` against `tracking_uri` for the duration of the block."""
    server = start_streamlit(tracking_uri, workdir, env=env)
    try:
        yield server
    finally:
        server.stop()


class SharedChromium:
    """Chromium under a sync Playwright, kept open across tests.

    Between its calls a sync Playwright leaves its event loop marked as the thread's running
    loop (`wait_for_future` in playwright/_impl/_greenlets.py). Left marked, `asyncio.run()` and
    another `sync_playwright()` (tests/test_load.py starts its own) refuse to run in any later
    test. So the loop is marked only while a test uses the browser: `in_use()`.
    """

    def __init__(self) -> None:
        self._playwright = sync_playwright().start()
        try:
            self.browser = launch(self._playwright)
        except BaseException:
            self._playwright.stop()
            raise
        self._loop = asyncio.get_running_loop()  # marked by the launch
        asyncio._set_running_loop(None)

    @contextmanager
    def in_use(self) -> Iterator[Browser]:
        asyncio._set_running_loop(self._loop)
        try:
            yield self.browser
        finally:
            asyncio._set_running_loop(None)

    def close(self) -> None:
        with self.in_use():
            try:
                self.browser.close()
            finally:
                self._playwright.stop()
