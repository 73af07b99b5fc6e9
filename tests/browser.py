"""Plumbing shared by the Chromium tests: Streamlit's idle state, the browser, pages, the app.

The fixtures built on it (`browser`, `page`, `app`) are in tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Playwright, WebSocket, expect

from tests.servers import CHROMIUM, CHROMIUM_ARGS, Server, start_streamlit

# Streamlit marks its root element while no script run is in progress.
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def template_view(page: Page, text: str) -> Locator:
    """The prompt page's template views (a text template, or a chat message) holding `text`."""
    return page.locator(".pu-template").filter(has_text=text)


# A sidebar button's label: every run of a whole page sends it again, a fragment's run does not.
SIDEBAR = b"Refresh from registry"


class Frames:
    """The websocket frames the browser received from Streamlit (ForwardMsg protobufs, whose
    strings are plain UTF-8), from every connection the page opens."""

    def __init__(self, page: Page) -> None:
        self.received: list[bytes] = []
        page.on("websocket", self._watch)

    def _watch(self, ws: WebSocket) -> None:
        ws.on("framereceived", self._keep)

    def _keep(self, frame: bytes | str) -> None:
        self.received.append(frame if isinstance(frame, bytes) else frame.encode())


def sent(frames: list[bytes], text: str | bytes) -> bool:
    """Whether any of `frames` holds `text`."""
    needle = text if isinstance(text, bytes) else text.encode()
    return any(needle in f for f in frames)


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
