"""Real Chromium against `streamlit run`: create, edit, commit, list (a click, Enter or a
link opens a prompt; long lists draw as they scroll), open a prompt from its name; user HTML
stays text."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from benchmarks.seed import bulk_seed
from promptui.registry import PromptRegistry
from promptui.registry.models import ChatMessage
from promptui.snippets import load_snippet
from tests.browser import no_dialogs, streamlit_app, template_view, wait_idle
from tests.servers import PROJECT_DIR, Server, _start, _wait_ready, free_port

pytestmark = pytest.mark.browser

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> <b>bold</b>'


def assert_nothing_injected(page: Page) -> None:
    """The payload's elements never reached the DOM and its script never ran."""
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("main b:text-is('bold')").count() == 0


def test_create_edit_commit_and_see_it_listed(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    page.goto(f"{app.url}/edit")  # opened directly on a freshly started server
    expect(page.get_by_role("heading", name="Create prompt")).to_be_visible()
    wait_idle(page)
    page.get_by_label("Name", exact=True).fill(unique_name)
    template = page.get_by_label("Template", exact=True)
    template.fill(f"Answer {{{{question}}}}. {PAYLOAD}")
    template.press("Tab")  # runs nothing: the template goes with the click on Create
    page.get_by_role("button", name="Create prompt").click()

    expect(page.get_by_role("heading", name=unique_name)).to_be_visible()
    expect(page.get_by_text("Version 1", exact=False).first).to_be_visible()
    expect(template_view(page, "Answer {{question}}").first).to_contain_text(PAYLOAD)
    assert_nothing_injected(page)

    page.get_by_role("button", name="New version from v1").click()  # edited on this page
    template = page.get_by_role("textbox", name="Template", exact=True)
    expect(template).to_have_value(f"Answer {{{{question}}}}. {PAYLOAD}")
    template.fill(f"Answer {{{{question}}}} in {{{{language}}}}. {PAYLOAD}")
    template.press("Tab")
    wait_idle(page)
    page.get_by_role("button", name="Show changes").click()
    diff = page.locator(".pu-diff").first
    expect(diff).to_contain_text("language")
    expect(diff).to_contain_text("<script>")
    message = page.get_by_label("Commit message", exact=True)
    message.fill("Answer in the user's <i>language</i>")
    message.press("Enter")  # Commit, the form's first button

    expect(page.get_by_text("Version 2", exact=False).first).to_be_visible()
    expect(page.get_by_test_id("stText").filter(has_text="<i>language</i>")).to_be_visible()
    assert_nothing_injected(page)
    assert PromptRegistry(mlflow_server.url).latest_version_number(unique_name) == 2

    page.get_by_test_id("stSidebar").get_by_role("link", name="Prompts", exact=True).click()
    expect(page.get_by_role("heading", name="Prompts")).to_be_visible()
    page.get_by_label("Search prompts", exact=True).fill(unique_name)
    expect(page.get_by_text("1 of ", exact=False)).to_be_visible()
    row = listed_row(page, unique_name)
    cells = row.get_by_role("cell")
    expect(cells.nth(1)).to_have_text("name")  # where it matched
    expect(cells.nth(2)).to_have_text("v2")
    # A click anywhere on the row opens the prompt, in place.
    cells.nth(2).click()
    expect(page.get_by_role("heading", name=unique_name)).to_be_visible()
    assert f"prompt={unique_name}" in page.url


def test_deep_link_and_user_html_shown_as_text_in_every_view(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(
        unique_name,
        f"Hello {{{{name}}}}. {PAYLOAD}",
        f"first {PAYLOAD}",
        tags={"owner": PAYLOAD},
        model_config={"model_name": PAYLOAD},
    )
    reg.commit_version(unique_name, f"Bye {{{{name}}}}. {PAYLOAD}", "second")
    reg.set_alias(unique_name, "production", 1)
    chat = f"{unique_name}-chat"
    reg.create_prompt(chat, (ChatMessage("system", PAYLOAD), ChatMessage("user", "{{q}}")), "c")

    # The first page this server ever serves is a deep link to version 1.
    page.goto(f"{app.url}/prompt?prompt={unique_name}&version=1")
    expect(page.get_by_role("heading", name=unique_name)).to_be_visible()
    # The commit message, as text: in the versions list, the version's header and the alias board.
    expect(page.get_by_role("cell", name=f"first {PAYLOAD}")).to_be_visible()
    expect(page.get_by_label("Alias board").get_by_text(f"first {PAYLOAD}")).to_be_visible()
    expect(page.get_by_text(f"first {PAYLOAD}")).to_have_count(3)
    expect(template_view(page, "Hello {{name}}").first).to_contain_text(PAYLOAD)
    page.get_by_role("tab", name="Try it").click()
    page.get_by_label("name", exact=True).fill('<img src=x onerror="window.__xss=3">')
    page.get_by_label("name", exact=True).press("Control+Enter")
    expect(
        page.get_by_test_id("stCode").filter(has_text='Hello <img src=x onerror="window.__xss=3">')
    ).to_have_count(1)
    page.get_by_role("tab", name="Settings & tags").click()
    inputs = page.get_by_test_id("stTextInput").locator("input")
    expect(inputs.first).to_be_attached()
    assert PAYLOAD in inputs.evaluate_all("es => es.map(e => e.value)")  # the tag's value
    assert_nothing_injected(page)

    page.goto(f"{app.url}/prompt?prompt={chat}")
    expect(page.get_by_role("heading", name=chat)).to_be_visible()
    expect(page.get_by_test_id("stChatMessage").first).to_contain_text(PAYLOAD)
    assert_nothing_injected(page)

    page.goto(f"{app.url}/edit?prompt={unique_name}&version=1")
    template = page.get_by_label("Template", exact=True)
    expect(template).to_have_value(f"Hello {{{{name}}}}. {PAYLOAD}")
    template.fill(f"Hello {{{{name}}}}! {PAYLOAD}")
    template.press("Tab")
    expect(page.locator(".pu-diff").first).to_contain_text(PAYLOAD)
    assert_nothing_injected(page)

    page.goto(f"{app.url}/prompts")
    page.get_by_label("Search prompts", exact=True).fill(unique_name)
    expect(page.get_by_text("2 of ", exact=False)).to_be_visible()
    wait_idle(page)
    assert_nothing_injected(page)


def listed_row(page: Page, name: str) -> Locator:
    """The row of `name` in the prompts list."""
    link = page.get_by_role("link", name=name, exact=True)
    return page.locator("[data-testid='prompt-list'] tbody tr").filter(has=link)


def open_in_new_tab(page: Page, name: str) -> Page:
    """Ctrl-click the name in the prompts list: its link opens the prompt page in a new tab,
    as any link does, and the list stays open."""
    wait_idle(page)
    link = listed_row(page, name).get_by_role("link", name=name, exact=True)
    with page.context.expect_page() as opened:
        link.click(modifiers=["ControlOrMeta"])
    prompt = opened.value
    expect(prompt.get_by_role("heading", name=name)).to_be_visible()
    assert page.get_by_role("heading", name="Prompts").is_visible()  # the list stays open
    return prompt


RUNS = """() => {
  window.__runs = 0;
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => {
    if (app.getAttribute("data-test-script-state") === "running") window.__runs += 1;
  }).observe(app, { attributes: true, attributeFilter: ["data-test-script-state"] });
}"""


def test_copy_button_copies_the_load_code_in_the_browser_without_a_run(
    app: Server, browser: Browser, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "Answer {{question}} in {{language}}.", "first")
    reg.set_alias(unique_name, "production", 1)
    snippet = load_snippet(f"prompts:/{unique_name}@production", ["question", "language"])
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        with no_dialogs(context.new_page()) as page:
            page.goto(f"{app.url}/prompt?prompt={unique_name}")
            button = page.get_by_test_id("copy-load-code")
            expect(button).to_have_text("Copy code to load production")
            expect(button).to_have_attribute("title", snippet)  # the code, as its tooltip
            wait_idle(page)
            page.evaluate(RUNS)

            button.click()
            expect(button).to_have_text("Copied")
            assert page.evaluate("navigator.clipboard.readText()") == snippet
            expect(button).to_have_text("Copy code to load production")  # after a moment

            # Without the Clipboard API (no secure context): through a hidden text field.
            page.evaluate("navigator.clipboard.writeText('something else')")
            page.evaluate(
                "() => { navigator.clipboard.writeText = () => Promise.reject(new Error()); }"
            )
            button.click()
            expect(button).to_have_text("Copied")
            assert page.evaluate("navigator.clipboard.readText()") == snippet
            assert page.evaluate("window.__runs") == 0  # handled in the browser
    finally:
        context.close()


def test_clicking_a_name_opens_its_prompt_and_matched_text_stays_text(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    name = f"{unique_name}.a-b_c"
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(name, f"Old text: {PAYLOAD}", "first")
    reg.commit_version(name, f"Hello {{{{name}}}} {PAYLOAD} and more words", "second")

    # The first page this server serves, with a trailing slash.
    page.goto(f"{app.url}/prompts/")
    page.get_by_label("Search prompts", exact=True).fill(f"{unique_name} script")
    expect(page.get_by_text("1 of ", exact=False)).to_be_visible()
    hits = page.locator(".pu-hits")
    expect(hits).to_contain_text("<script>window.__xss=1</script>")
    expect(hits.locator("mark")).to_have_count(2)  # 'script' twice; the name is a list link
    expect(hits.locator("mark").first).to_have_text("script")
    assert_nothing_injected(page)
    prompt = open_in_new_tab(page, name)
    assert prompt.url == f"{app.url}/prompt?prompt={name}"
    assert_nothing_injected(prompt)
    prompt.close()

    page.get_by_text("Search every version's text").click()
    page.get_by_label("Search prompts", exact=True).fill(f'{unique_name} "old text"')
    expect(page.get_by_text("every version's text searched", exact=False)).to_be_visible()
    expect(hits).to_contain_text("text of v1")
    expect(hits).to_contain_text("Old text: <script>")
    assert_nothing_injected(page)
    # A plain click on the name opens the prompt in place, at once.
    listed_row(page, name).get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    assert page.url == f"{app.url}/prompt?prompt={name}"
    assert len(page.context.pages) == 1

    # An alias chip in the list opens the version the alias points at.
    reg.set_alias(name, "production", 1)
    page.goto(f"{app.url}/prompts")  # a page load reads the list again
    page.get_by_label("Search prompts", exact=True).fill(unique_name)
    chip = listed_row(page, name).get_by_role("link", name="production → v1", exact=True)
    expect(chip).to_have_attribute("href", f"prompt?prompt={name}&version=1")
    chip.click()
    expect(template_view(page, "Old text:")).to_be_visible()
    assert page.url == f"{app.url}/prompt?prompt={name}&version=1"
    assert len(page.context.pages) == 1
    assert_nothing_injected(page)


@contextmanager
def app_under(base_path: str, tracking_uri: str, workdir: Path) -> Iterator[Server]:
    """`streamlit run` served under a base URL path, as behind a proxy at /BASE/."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.baseUrlPath", base_path,
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri}
    server = _start(cmd, port, workdir / f"streamlit-{port}.log", env, PROJECT_DIR)
    try:
        _wait_ready(server, f"/{base_path}/_stcore/health", 60)
        yield server
    finally:
        server.stop()


def test_name_links_work_under_a_base_path(
    page: Page, mlflow_server: Server, unique_name: str, tmp_path: Path
) -> None:
    name = f"{unique_name}_x.y-z"
    PromptRegistry(mlflow_server.url).create_prompt(name, "Hello", "first")
    with app_under("promptui", mlflow_server.url, tmp_path) as app:
        for path in ("prompts", "prompts/"):
            page.goto(f"{app.url}/promptui/{path}")
            page.get_by_label("Search prompts", exact=True).fill(name)
            expect(page.get_by_text("1 of ", exact=False)).to_be_visible()
            prompt = open_in_new_tab(page, name)
            assert prompt.url == f"{app.url}/promptui/prompt?prompt={name}"
            prompt.close()


def test_enter_on_a_focused_row_opens_its_prompt(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(unique_name, "Hello", "first")
    page.goto(f"{app.url}/prompts")
    page.get_by_label("Search prompts", exact=True).fill(unique_name)
    expect(page.get_by_text("1 of ", exact=False)).to_be_visible()
    wait_idle(page)
    listed_row(page, unique_name).focus()  # rows are in the Tab order
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=unique_name)).to_be_visible()
    assert page.url == f"{app.url}/prompt?prompt={unique_name}"


def test_a_long_list_draws_more_rows_as_it_is_scrolled(
    page: Page, sqlite_uri: str, tmp_path: Path
) -> None:
    bulk_seed(Path(sqlite_uri.removeprefix("sqlite:///")), prompts=250, versions=1)
    with streamlit_app(sqlite_uri, tmp_path) as app:
        page.goto(f"{app.url}/prompts")
        rows = page.locator("[data-testid='prompt-list'] tbody tr")
        expect(rows).to_have_count(100)  # the first batch
        for shown in (200, 250):
            rows.last.scroll_into_view_if_needed()
            expect(rows).to_have_count(shown)
        last = listed_row(page, "bench-00249")
        expect(last).to_be_visible()
        last.get_by_role("cell").nth(2).click()
        expect(page.get_by_role("heading", name="bench-00249")).to_be_visible()
