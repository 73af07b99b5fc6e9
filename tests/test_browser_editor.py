"""Real Chromium against `streamlit run`: a click that leaves a text field is never lost.

A person types and clicks Commit (or Create, or anything else) straight away: the click is
what leaves the field. The field's value and the click must reach the server in one run. When
fields were `st.fragment`s of their own, the field's run went first and Streamlit dropped the
click's run, so nothing was committed; these tests type without leaving the field first, in
every form and text field a page has, and check the click took effect. They also check the
editors keep what was typed across a page switch.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from promptui.registry import PromptRegistry
from tests.browser import SIDEBAR, Frames, sent, wait_idle
from tests.servers import Server

pytestmark = pytest.mark.browser


def opened(page: Page, app: Server, path: str, heading: str) -> None:
    """The page at `path` drawn and idle."""
    page.goto(f"{app.url}/{path}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    wait_idle(page)


def typed(page: Page, label: str, text: str) -> None:
    """Type into the text field labelled `label` and stay in it (no Tab, no Enter)."""
    page.get_by_role("textbox", name=label, exact=True).fill(text)


def left(page: Page, label: str, text: str) -> None:
    """Type into the text field labelled `label`, leave it with Tab, wait for its run."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Tab")
    wait_idle(page)


def test_commit_version_takes_the_click_that_leaves_the_template(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "Hello {{name}}.", "first")
    opened(page, app, f"edit?prompt={unique_name}", f"New version of {unique_name}")
    left(page, "Commit message", "Say which language")
    typed(page, "Template", "Hello {{name}} in {{language}}.")
    page.get_by_role("button", name="Commit version").click()
    expect(page.get_by_role("heading", name=unique_name, exact=True)).to_be_visible()
    expect(page.locator(".pu-template").first).to_contain_text("in {{language}}")
    assert reg.latest_version_number(unique_name) == 2


def test_create_prompt_takes_the_click_that_leaves_the_template(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    opened(page, app, "edit", "Create prompt")
    left(page, "Name", unique_name)
    typed(page, "Template", "Hello {{name}}.")
    page.get_by_role("button", name="Create prompt").click()
    expect(page.get_by_role("heading", name=unique_name, exact=True)).to_be_visible()
    latest = PromptRegistry(mlflow_server.url).get_prompt(unique_name).latest
    assert latest is not None and latest.text == "Hello {{name}}."


def test_the_editor_keeps_what_was_typed_across_a_page_switch(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(unique_name, "Hello {{name}}.", "first")
    opened(page, app, f"edit?prompt={unique_name}", f"New version of {unique_name}")
    left(page, "Template", "Hello {{name}} in {{language}}.")
    expect(page.locator(".pu-diff").first).to_contain_text("language")
    left(page, "Commit message", "Say which language")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("link", name="Prompts", exact=True).click()
    expect(page.get_by_role("heading", name="Prompts", exact=True)).to_be_visible()
    sidebar.get_by_role("link", name="Create / edit", exact=True).click()
    expect(page.get_by_role("textbox", name="Template", exact=True)).to_have_value(
        "Hello {{name}} in {{language}}."
    )
    expect(page.get_by_role("textbox", name="Commit message", exact=True)).to_have_value(
        "Say which language"
    )


def test_a_new_prompt_s_fields_run_nothing_when_left_and_reach_the_next_click(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    """A new prompt's fields, but its name, are held by the browser until the page's next
    click: leaving one runs nothing; Add message, a page switch after it, and Create have
    every message typed."""
    frames = Frames(page)
    opened(page, app, "edit", "Create prompt")
    left(page, "Name", unique_name)
    page.get_by_test_id("stMain").get_by_text("Chat (messages)", exact=True).click()
    expect(page.get_by_label("Message 2 content", exact=True)).to_be_visible()
    wait_idle(page)
    before = len(frames.received)
    for label, text in (("Message 1 content", "You help {{team}}."), ("Message 2 content", "Hi")):
        box = page.get_by_role("textbox", name=label, exact=True)
        box.fill(text)
        box.press("Tab")
    page.wait_for_timeout(800)  # a run would have started by now
    assert not sent(frames.received[before:], SIDEBAR)  # no run of the page
    page.get_by_role("button", name="Add message").click()
    expect(page.get_by_label("Message 3 content", exact=True)).to_be_visible()
    wait_idle(page)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("link", name="Prompts", exact=True).click()
    expect(page.get_by_role("heading", name="Prompts", exact=True)).to_be_visible()
    sidebar.get_by_role("link", name="Create / edit", exact=True).click()
    expect(page.get_by_label("Message 1 content", exact=True)).to_have_value("You help {{team}}.")
    expect(page.get_by_label("Message 2 content", exact=True)).to_have_value("Hi")
    typed(page, "Message 3 content", "{{question}}")
    typed(page, "Commit message", "first")
    page.get_by_role("button", name="Create prompt").click()
    expect(page.get_by_role("heading", name=unique_name, exact=True)).to_be_visible()
    latest = PromptRegistry(mlflow_server.url).get_prompt(unique_name).latest
    assert latest is not None
    assert [(m.role, m.content) for m in latest.messages] == [
        ("system", "You help {{team}}."),
        ("user", "Hi"),
        ("user", "{{question}}"),
    ]


def test_a_new_prompt_s_name_is_checked_and_kept_when_the_type_switches(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(unique_name, "Taken.", "first")
    opened(page, app, "edit", "Create prompt")
    left(page, "Name", unique_name)
    expect(page.get_by_text(f"A prompt named '{unique_name}' already exists")).to_be_visible()
    left(page, "Name", f"{unique_name}-2")
    expect(page.get_by_text("already exists")).to_have_count(0)
    page.get_by_test_id("stMain").get_by_text("Chat (messages)", exact=True).click()
    expect(page.get_by_label("Message 1 content", exact=True)).to_be_visible()
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value(f"{unique_name}-2")


def test_the_prompt_page_s_editor_commits_in_place_and_no_click_after_typing_is_lost(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "Hello {{name}}.", "first", model_config={"top_k": 5})
    opened(page, app, f"prompt?prompt={unique_name}", unique_name)

    page.get_by_role("button", name="New version from v1").click()
    expect(page.get_by_role("textbox", name="Template", exact=True)).to_have_value(
        "Hello {{name}}."
    )
    wait_idle(page)
    left(page, "Template", "Hello {{name}}, in {{language}}.")  # a form: nothing is sent
    page.get_by_role("button", name="Show changes").click()
    expect(page.locator(".pu-diff").first).to_contain_text("language")
    typed(page, "Commit message", "Say which language")
    page.get_by_role("button", name="Commit", exact=True).click()
    expect(page.get_by_role("button", name="New version from v2")).to_be_visible()
    expect(page.locator(".pu-template").first).to_contain_text("in {{language}}")
    expect(page.get_by_role("textbox", name="Template", exact=True)).to_have_count(0)
    latest = reg.get_prompt(unique_name).latest
    assert latest is not None
    assert (latest.version, latest.text, dict(latest.model_config)) == (
        2,
        "Hello {{name}}, in {{language}}.",
        {"top_k": 5},
    )

    # A click elsewhere on the page, straight after typing, takes effect too.
    page.get_by_role("button", name="New version from v2").click()
    typed(page, "Template", "Hello again.")
    page.get_by_role("button", name="Delete v2…").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def test_enter_in_the_prompt_page_s_commit_message_commits_and_in_the_template_does_not(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "Hello {{name}}.", "first")
    opened(page, app, f"prompt?prompt={unique_name}", unique_name)
    page.get_by_role("button", name="New version from v1").click()
    template = page.get_by_role("textbox", name="Template", exact=True)
    template.fill("Hello {{name}}.\nBe brief.")
    template.press("Enter")  # a new line, not a commit
    page.wait_for_timeout(500)
    assert reg.latest_version_number(unique_name) == 1
    message = page.get_by_role("textbox", name="Commit message", exact=True)
    message.fill("Ask for brevity")
    message.press("Enter")
    expect(page.get_by_role("button", name="New version from v2")).to_be_visible()
    latest = reg.get_prompt(unique_name).latest
    assert latest is not None
    assert (latest.version, latest.text, latest.commit_message) == (
        2,
        "Hello {{name}}.\nBe brief.\n",
        "Ask for brevity",
    )


def test_a_click_that_leaves_a_try_it_field_takes_effect(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(unique_name, "Hello {{name}}.", "first")
    opened(page, app, f"prompt?prompt={unique_name}", unique_name)
    page.get_by_role("tab", name="Try it").click()
    typed(page, "name", "Ada")
    page.get_by_role("button", name="Delete v1…").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def test_the_prompt_page_s_editor_goes_on_in_the_editor_page(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(unique_name, "Hello {{name}}.", "first")
    opened(page, app, f"prompt?prompt={unique_name}", unique_name)
    page.get_by_role("button", name="New version from v1").click()
    typed(page, "Template", "Hello {{name}}, mine.")
    page.get_by_role("button", name="Open in the editor").click()
    expect(page.get_by_role("heading", name=f"New version of {unique_name}")).to_be_visible()
    expect(page.get_by_role("textbox", name="Template", exact=True)).to_have_value(
        "Hello {{name}}, mine."
    )
    expect(page).to_have_url(f"{app.url}/edit?prompt={unique_name}&version=1")
