"""Real Chromium: hostile text in every field of a prompt is shown literally on every page.

Template, commit messages, author, prompt tags, version tags, model config and an alias-change
reason carry HTML, script and Markdown payloads; the prompt and alias names are the most hostile
MLflow allows (underscores turn into bold or italics when Markdown is not escaped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from promptui.aliases import move_alias
from promptui.aliases.history import AliasHistory
from promptui.registry import PromptRegistry
from tests.browser import guarded_page, streamlit_app, template_view, wait_idle
from tests.conftest import fresh_db
from tests.servers import Server, start_mlflow_server

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
MARKDOWN = "**bold** [link](javascript:alert(1)) :red[red] $x^2$ :material/home: __under__"
PAYLOAD = f"{SCRIPT} {IMG} {MARKDOWN}"
NAME = "__pu__.-_b_"  # letters, digits, '_', '.', '-' only
ALIAS = "__hot__"  # letters, digits, '_', '-' only
TAG_KEY = "__k__ :material/home: a/b"  # letters, digits, spaces, '_', '-', '.', ':', '/' only
ENV_PROMPT = "agent-system-prompt"  # the prompt configs/*.yaml name


def seed_hostile(registry: PromptRegistry, name: str) -> None:
    """Two versions with payloads everywhere, hostile aliases, and a recorded alias move."""
    extras = {
        "tags": {TAG_KEY: PAYLOAD},
        "version_tags": {TAG_KEY: PAYLOAD},
        "model_config": {"model_name": PAYLOAD, "stop_sequences": [PAYLOAD]},
        "author": PAYLOAD,
    }
    registry.create_prompt(name, f"Hello {{{{ who }}}}. {PAYLOAD}", f"first {PAYLOAD}", **extras)
    del extras["tags"]
    registry.commit_version(name, f"Bye {{{{ who }}}}. {PAYLOAD}", f"second {PAYLOAD}", **extras)
    registry.set_alias(name, ALIAS, 1)
    registry.set_alias(name, "production", 1)
    registry.set_alias(name, "champion", 2)
    history = AliasHistory(registry)
    move_alias(registry, history, name, ALIAS, 2, expected=1, reason=PAYLOAD, user=PAYLOAD)


@pytest.fixture(scope="module")
def hostile_server(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A private server: `agent-system-prompt` here is hostile too (the environments page)."""
    workdir = tmp_path_factory.mktemp("escaping-mlflow")
    server = start_mlflow_server(fresh_db(template_db, workdir), workdir)
    registry = PromptRegistry(server.url)
    for name in (NAME, ENV_PROMPT):
        seed_hostile(registry, name)
    yield server
    server.stop()


@pytest.fixture
def app(hostile_server: Server, tmp_path: Path) -> Iterator[Server]:
    with streamlit_app(hostile_server.url, tmp_path, env={"PROMPTUI_USER": PAYLOAD}) as server:
        yield server


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """The shared `page` with a 1400x1100 viewport (a JavaScript dialog fails the test)."""
    with guarded_page(browser, height=1100) as page:
        yield page


def visit(page: Page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def shown(locator: Locator) -> None:
    """Visible, and holding the whole payload as text."""
    expect(locator.first).to_be_visible()
    expect(locator.first).to_contain_text(PAYLOAD)


def literal(page: Page, text: str) -> None:
    """Some element holds exactly this text (data grids keep their cells in a hidden table)."""
    expect(page.get_by_text(text, exact=True).first).to_be_attached()


def markdown_texts(page: Page) -> list[str]:
    """Rendered Markdown as read (a zero-width word joiner keeps ':material/' from an icon)."""
    return [t.replace("\u2060", "") for t in page.get_by_test_id("stMarkdown").all_text_contents()]


def nothing_injected(page: Page) -> None:
    """No script ran, no payload element reached the DOM, no Markdown turned into markup."""
    wait_idle(page)
    assert page.evaluate("window.__pwned") is None
    expect(page.locator("img[src='x']")).to_have_count(0)
    expect(page.locator("a[href^='javascript']")).to_have_count(0)
    expect(page.locator(".katex")).to_have_count(0)
    # What `**bold**` and the names' underscores would become as Markdown.
    for word in ("bold", "under", "pu", "hot", "k"):
        expect(page.locator(f":is(strong, em):text-is('{word}')")).to_have_count(0)


def test_every_page_shows_hostile_text_literally(app: Server, page: Page) -> None:
    # Prompts list.
    visit(page, f"{app.url}/prompts")
    # The name is a link to the prompt page; aliases and tags are chips, their text literal.
    listed = page.get_by_test_id("prompt-list")
    expect(listed.get_by_role("link", name=NAME, exact=True)).to_have_attribute(
        "href", f"prompt?prompt={NAME}"
    )
    literal(page, f"{TAG_KEY}={PAYLOAD}")
    expect(listed.get_by_text(f"{ALIAS} → v2", exact=True).first).to_be_visible()
    nothing_injected(page)

    # Prompt page, each tab.
    visit(page, f"{app.url}/prompt?prompt={NAME}&version=1")
    expect(page.get_by_role("heading", name=NAME, exact=True)).to_be_visible()
    # The alias chip is a link to the version it points at, its label literal.
    expect(page.get_by_role("link", name=f"{ALIAS} → v2", exact=True)).to_be_visible()
    shown(page.get_by_test_id("stText").filter(has_text="first"))
    shown(page.get_by_test_id("stMarkdown").filter(has_text="Version 1"))  # by the author
    shown(template_view(page, "Hello {{ who }}"))
    literal(page, f"first {PAYLOAD}")
    page.get_by_role("tab", name="Use this prompt").click()
    code = page.get_by_test_id("stCode")
    expect(code.filter(has_text=f"prompts:/{NAME}@production").first).to_be_visible()  # default
    page.get_by_role("tab", name="Try it").click()
    page.get_by_label("who", exact=True).fill(IMG)
    page.get_by_label("who", exact=True).press("Control+Enter")
    expect(page.get_by_test_id("stCode").filter(has_text=f"Hello {IMG}.")).to_be_visible()
    page.get_by_role("tab", name="Settings & tags").click()
    literal(page, PAYLOAD)  # model_name, stop_sequences and the version tag
    literal(page, TAG_KEY)
    assert TAG_KEY in markdown_texts(page)  # the tag editor's key
    inputs = page.get_by_test_id("stTextInput").locator("input")
    expect(inputs.first).to_be_attached()
    assert PAYLOAD in inputs.evaluate_all("es => es.map(e => e.value)")  # the tag's value
    nothing_injected(page)

    # Editor: a new version from v1, with the diff.
    visit(page, f"{app.url}/edit?prompt={NAME}&version=1")
    expect(page.get_by_role("heading", name=f"New version of {NAME}")).to_be_visible()
    template = page.get_by_label("Template", exact=True)
    expect(template).to_have_value(f"Hello {{{{ who }}}}. {PAYLOAD}")
    template.fill(f"Hello {{{{ who }}}}! {PAYLOAD}")
    template.press("Tab")
    shown(page.locator(".pu-diff"))
    nothing_injected(page)

    # Compare v1 with v2.
    visit(page, f"{app.url}/compare?prompt={NAME}&left=1&right=2")
    shown(page.locator(".pu-diff"))
    literal(page, f"first {PAYLOAD}")
    nothing_injected(page)

    # Aliases: board, keyboard moves, rollback, history.
    visit(page, f"{app.url}/aliases?prompt={NAME}")
    expect(page.get_by_text(NAME, exact=True).first).to_be_visible()
    chip = page.locator(f"[data-testid='alias-chip'][data-alias='{ALIAS}']")
    expect(chip).to_have_text(ALIAS)
    expect(page.locator(".pu-message").filter(has_text="second").first).to_contain_text(PAYLOAD)
    expect(page.get_by_role("button", name=f"Roll back {ALIAS} to v1")).to_be_visible()
    page.get_by_text("Move without a mouse").click()
    on_version = page.get_by_role("combobox", name="On version")
    expect(on_version).to_have_value(re.compile("^" + re.escape(f"v2 — second {SCRIPT}")))
    literal(page, PAYLOAD)  # the reason and the user of the recorded move
    nothing_injected(page)

    # Environments: the configured prompt resolves to hostile versions.
    visit(page, f"{app.url}/environments")
    literal(page, f"second {PAYLOAD}")
    literal(page, f"first {PAYLOAD}")
    expect(page.get_by_role("button", name="Promote champion (v2) to production")).to_be_visible()
    nothing_injected(page)

    # Home.
    visit(page, f"{app.url}/")
    expect(page.get_by_text(NAME, exact=False).first).to_be_attached()  # a link cell
    nothing_injected(page)
