"""Real Chromium: a shared compare link shows highlighted words; hostile prompt text stays text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from promptui.registry import PromptRegistry
from promptui.registry.models import ChatMessage
from tests.browser import guarded_page, streamlit_app, wait_idle
from tests.servers import Server

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
MARKUP = "**bold** :red[x] $x$"
HOSTILE = f"{SCRIPT} {IMG} {MARKUP}"


@pytest.fixture(scope="module")
def app(mlflow_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with streamlit_app(mlflow_server.url, tmp_path_factory.mktemp("compare-app")) as server:
        yield server


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """The shared `page` with a 1400x1100 viewport (a JavaScript dialog fails the test)."""
    with guarded_page(browser, height=1100) as page:
        yield page


def _open(page: Page, app: Server, **params: str) -> None:
    """Open a compare link as a colleague would: pasted into a fresh tab."""
    page.goto(f"{app.url}/compare?{urlencode(params)}")
    expect(page.locator("table.pu-diff").first).to_be_visible(timeout=30_000)
    wait_idle(page)


def _not_pwned(page: Page) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("script", has_text="__pwned").count() == 0


@pytest.mark.browser
def test_shared_link_shows_highlighted_words(
    page: Page, app: Server, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    registry.create_prompt(unique_name, "Answer {{question}} politely.\nSign as support.\n", "one")
    registry.commit_version(unique_name, "Answer {{question}} briefly.\nSign as support.\n", "two")

    _open(page, app, prompt=unique_name, left="1", right="2")
    side = page.locator("table.pu-side")
    expect(side.locator("del.pu-del")).to_have_text("politely")
    expect(side.locator("ins.pu-ins")).to_have_text("briefly")
    expect(side.locator("th").first).to_have_text(f"{unique_name} v1")
    expect(page.get_by_text("+1 / −1 words · 1 line changed · variables unchanged")).to_be_visible()
    expect(page).to_have_url(re.compile(r"left=1&right=2$"))  # the default mode stays out

    # The view mode goes into the address bar, so a reload (or a pasted link) keeps it.
    page.get_by_test_id("stButtonGroup").get_by_text("Inline", exact=True).click()
    expect(page).to_have_url(re.compile(r"mode=inline"))
    unified = page.locator("table.pu-unified")
    expect(unified.locator("ins.pu-ins")).to_have_text("briefly")
    page.reload()
    expect(page.locator("table.pu-unified del.pu-del")).to_have_text("politely", timeout=30_000)


@pytest.mark.browser
def test_hostile_prompt_text_renders_as_literal_text(
    page: Page, app: Server, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    registry.create_prompt(
        unique_name, "Greet {{name}}.\n", f"first {HOSTILE}", version_tags={"note": "plain"}
    )
    registry.commit_version(
        unique_name,
        f"Greet {{{{name}}}} warmly.\n{HOSTILE}\n",
        f"second {HOSTILE}",
        version_tags={"note": HOSTILE},
    )

    for mode in ("side", "inline"):
        _open(page, app, prompt=unique_name, left="1", right="2", mode=mode)
        view = page.locator("table.pu-diff")
        expect(view).to_contain_text(SCRIPT)
        expect(view).to_contain_text(IMG)
        expect(view).to_contain_text(MARKUP)
        expect(view.locator("ins.pu-ins").first).to_have_text("warmly")
        details = page.get_by_test_id("stTable")
        expect(details).to_contain_text(f"second {HOSTILE}")
        expect(details).to_contain_text(HOSTILE)
        _not_pwned(page)


@pytest.mark.browser
def test_hostile_chat_message_renders_as_literal_text(
    page: Page, app: Server, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    system = ChatMessage("system", "You help.")
    registry.create_prompt(unique_name, (system, ChatMessage("user", "Answer {{q}} now.")), "first")
    registry.commit_version(
        unique_name,
        (
            system,
            ChatMessage("user", "Answer {{q}} right now."),
            ChatMessage("assistant", HOSTILE),
        ),
        "second",
    )

    _open(page, app, prompt=unique_name, mode="inline")
    changed = page.locator(".pu-msg-changed")
    expect(changed.locator(".pu-role")).to_have_text("user")
    expect(changed.locator("ins.pu-ins")).to_have_text("right ")
    added = page.locator(".pu-msg-added")
    expect(added.locator(".pu-role")).to_have_text("assistant")
    expect(added).to_contain_text(SCRIPT)
    expect(added).to_contain_text(IMG)
    expect(added).to_contain_text(MARKUP)
    _not_pwned(page)
