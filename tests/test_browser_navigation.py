"""Real Chromium: links between the pages, the current prompt carried by the sidebar, one Back
per page, the theme choice on every page, the Markdown view, no cut-off labels, and widget code
fetched before the pages that need it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from promptui.registry import PromptRegistry
from promptui.ui.widget_code import module_files
from tests.browser import guarded_page, streamlit_app, template_view, wait_idle
from tests.servers import Server

pytestmark = pytest.mark.browser

HOSTILE_MD = '# Heading\n\n**bold** <img src=x onerror="window.__pwned=1"> <b>raw</b>'


@pytest.fixture(scope="module")
def app(mlflow_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with streamlit_app(mlflow_server.url, tmp_path_factory.mktemp("nav-app")) as server:
        yield server


@pytest.fixture
def story(mlflow_server: Server, unique_name: str) -> str:
    """A prompt with three versions, production on v1 and champion on v2."""
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "Answer {{question}}.", "first")
    reg.commit_version(unique_name, "Answer {{question}} briefly.", "second")
    reg.commit_version(unique_name, HOSTILE_MD, "third, in Markdown")
    reg.set_alias(unique_name, "production", 1)
    reg.set_alias(unique_name, "champion", 2)
    return unique_name


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _path(page: Page) -> str:
    return urlparse(page.url).path.rstrip("/").rsplit("/", 1)[-1]


def _shown(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def _sidebar(page: Page, label: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=label, exact=True).click()


def test_links_carry_the_prompt_and_back_goes_one_page_at_a_time(
    browser: Browser, app: Server, story: str
) -> None:
    with guarded_page(browser) as page:
        page.goto(f"{app.url}/prompt?prompt={story}")
        _shown(page, story)
        expect(page.get_by_text("Version 3", exact=True)).to_be_visible()

        # An alias chip opens the version it points at.
        page.get_by_role("link", name="production → v1").click()
        expect(page.get_by_text("Version 1", exact=True)).to_be_visible()
        wait_idle(page)
        assert _query(page) == {"prompt": [story], "version": ["1"]}

        # The sidebar carries the prompt to Compare; its URL holds only the compare view.
        _sidebar(page, "Compare")
        _shown(page, "Compare")
        expect(page.locator("table.pu-diff").first).to_be_visible()
        assert _path(page) == "compare"
        assert _query(page)["prompt"] == [story] and "version" not in _query(page)

        # ... and to Aliases, whose board is the prompt's.
        _sidebar(page, "Aliases")
        _shown(page, "Aliases")
        assert _path(page) == "aliases" and _query(page) == {"prompt": [story]}

        # Breadcrumbs lead back to the prompt, and the prompt's URL has no compare parameters.
        page.get_by_test_id("stMain").get_by_role("link", name=story, exact=True).click()
        _shown(page, story)
        assert _path(page) == "prompt" and _query(page) == {"prompt": [story]}

        # One Back per page visited, each landing on that page as it was.
        for path, query, heading in (
            ("aliases", {"prompt": [story]}, "Aliases"),
            ("compare", None, "Compare"),
            ("prompt", {"prompt": [story], "version": ["1"]}, story),
            ("prompt", {"prompt": [story]}, story),
        ):
            page.go_back()
            _shown(page, heading)
            assert _path(page) == path, page.url
            if query is not None:
                assert _query(page) == query, page.url


DARK = """() => {
  const c = getComputedStyle(document.querySelector("[data-testid='stApp']")).backgroundColor;
  const [r, g, b] = c.match(/\\d+/g).map(Number);
  return r + g + b < 200;
}"""


def test_theme_choice_applies_on_every_page_and_to_opened_links(
    browser: Browser, app: Server, story: str
) -> None:
    with guarded_page(browser) as page:
        page.goto(f"{app.url}/")
        _shown(page, "promptui")
        expect(page.get_by_text("Deploy", exact=True)).to_have_count(0)
        assert not page.evaluate(DARK)
        page.get_by_test_id("stMainMenu").click()
        page.get_by_test_id("stMainMenuItem-theme-Dark").click()
        page.wait_for_function(DARK)
        _sidebar(page, "Prompts")
        _shown(page, "Prompts")
        assert page.evaluate(DARK)
        shared = page.context.new_page()  # a shared link opened in the same browser
        shared.goto(f"{app.url}/compare?prompt={story}&left=1&right=2")
        _shown(shared, "Compare")
        assert shared.evaluate(DARK)


def test_widget_code_is_fetched_after_the_first_page_and_not_again_by_the_next(
    browser: Browser, app: Server
) -> None:
    with guarded_page(browser) as page:
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if "/static/js/" in r.url else None)
        page.goto(f"{app.url}/prompts")  # no picker, editor, code view or chart on it
        _shown(page, "Prompts")
        page.wait_for_function("document.documentElement.dataset.puWidgetCode === 'loaded'")
        names = {url.rsplit("/", 1)[-1] for url in fetched}
        assert set(module_files()) <= names
        before = len(fetched)
        _sidebar(page, "Create / edit")  # a picker, text fields, text areas, number inputs
        _shown(page, "Create prompt")
        template = page.get_by_test_id("stMain").get_by_role("textbox", name="Template")
        expect(template).to_be_visible()
        assert fetched[before:] == []


def test_a_click_on_a_version_row_shows_that_version(
    browser: Browser, app: Server, story: str
) -> None:
    with guarded_page(browser) as page:
        page.goto(f"{app.url}/prompt?prompt={story}")
        _shown(page, story)
        rows = page.get_by_test_id("version-list").locator("tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_have_attribute("aria-current", "true")  # the latest, shown
        rows.nth(2).get_by_role("cell", name="first", exact=True).click()  # v1's message
        expect(rows.nth(2)).to_have_attribute("aria-current", "true")
        wait_idle(page)
        assert _query(page) == {"prompt": [story], "version": ["1"]}
        expect(template_view(page, "Answer {{question}}.")).to_be_visible()


def test_markdown_view_renders_markdown_but_never_raw_html(
    browser: Browser, app: Server, story: str
) -> None:
    with guarded_page(browser) as page:
        page.goto(f"{app.url}/prompt?prompt={story}&version=3")
        _shown(page, story)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("# Heading", exact=False).first).to_be_visible()  # as text
        main.get_by_test_id("stButtonGroup").get_by_text("Markdown", exact=True).click()
        wait_idle(page)
        expect(main.get_by_role("heading", name="Heading", exact=True)).to_be_visible()
        expect(main.locator("strong", has_text="bold")).to_be_visible()
        assert main.locator("img[src='x']").count() == 0
        assert main.locator("b", has_text="raw").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"


OVERFLOWING = """() => {
  const main = document.querySelector("[data-testid='stMain']");
  const labels = main.querySelectorAll(
    "[data-testid='stPageLink'] p, button p, [role='tab'] p, label p, "
    + "[data-testid='stCaptionContainer']"
  );
  const shown = [...labels].filter(e => e.offsetParent !== null);
  // Streamlit cuts a button's label with an ellipsis on the block around its text.
  const clipped = [...main.querySelectorAll("*")].filter(
    e => e.offsetParent !== null && getComputedStyle(e).textOverflow === "ellipsis"
  );
  const cut = [...new Set([...shown, ...clipped])]
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent.trim());
  return { checked: shown.length, cut };
}"""


@pytest.mark.parametrize("width", [1024, 1400])
def test_no_label_is_cut_off(browser: Browser, app: Server, story: str, width: int) -> None:
    with guarded_page(browser, width=width) as page:
        for path, heading in (
            ("prompts", "Prompts"),
            (f"prompt?prompt={story}", story),
            (f"compare?prompt={story}&left=production&right=champion", "Compare"),
            (f"aliases?prompt={story}", "Aliases"),
        ):
            page.goto(f"{app.url}/{path}")
            _shown(page, heading)
            # The check must see the labels: a run's last elements can reach the page after
            # the run is reported finished, so wait for them (fails after the timeout).
            page.wait_for_function(f"({OVERFLOWING})().checked >= 5")
            page.wait_for_timeout(300)  # layout settles after the last element arrives
            labels = page.evaluate(OVERFLOWING)
            assert labels["cut"] == [], (width, path)
        # The prompt page with its own editor open ("New version").
        page.goto(f"{app.url}/prompt?prompt={story}")
        _shown(page, story)
        page.get_by_role("button", name=re.compile(r"^New version from v")).click()
        expect(page.get_by_role("button", name="Open in the editor")).to_be_visible()
        page.wait_for_timeout(300)
        labels = page.evaluate(OVERFLOWING)
        assert labels["cut"] == [], (width, "prompt page, editing")
        # The editor page of a new version: its Commit and Discard buttons whole.
        page.goto(f"{app.url}/edit?prompt={story}")
        _shown(page, f"New version of {story}")
        expect(page.get_by_role("button", name="Commit version")).to_be_visible()
        page.wait_for_timeout(300)
        labels = page.evaluate(OVERFLOWING)
        assert labels["cut"] == [], (width, "editor page", labels)
        # A new chat prompt: each message's buttons are named in words (a screen reader reads
        # the label), and its labels are not cut.
        _sidebar(page, "Prompts")
        _shown(page, "Prompts")
        page.get_by_test_id("stMain").get_by_role("button", name="Create chat prompt").click()
        _shown(page, "Create prompt")
        for name in ("Up", "Down", "Remove"):
            expect(page.get_by_role("button", name=name, exact=True)).to_have_count(2)
        page.wait_for_function(f"({OVERFLOWING})().checked >= 8")
        page.wait_for_timeout(300)
        labels = page.evaluate(OVERFLOWING)
        assert labels["cut"] == [], (width, "new chat prompt", labels)
