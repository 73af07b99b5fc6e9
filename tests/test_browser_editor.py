"""Real Chromium against `streamlit run`: leaving a field of the editor reruns only its part of
the page (what the server sends back has no sidebar in it), shows that part's problems and
diff, and keeps what was typed in the draft across a page switch."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from promptui.registry import PromptRegistry
from tests.browser import SIDEBAR, Frames, sent, wait_idle
from tests.servers import Server

pytestmark = pytest.mark.browser

NO_MESSAGE = "Write a commit message that says what changed and why."


def leave(page: Page, frames: Frames, label: str, text: str, *, drawn: str) -> list[bytes]:
    """Fill the field labelled `label`, leave it with Tab, and return the frames received
    until a run drew `drawn` (text of the part that field is in) and the app is idle."""
    start = len(frames.received)
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Tab")
    deadline = time.monotonic() + 20
    while not sent(frames.received[start:], drawn):
        assert time.monotonic() < deadline, f"no run drew {drawn!r} after {label} was left"
        page.wait_for_timeout(20)  # lets Playwright deliver the frames' events
    wait_idle(page)
    return frames.received[start:]


def opened(page: Page, app: Server, path: str, heading: str) -> Frames:
    """The editor at `path` with its first run (a whole page's) drawn, and the frames the
    page receives from then on."""
    frames = Frames(page)
    page.goto(f"{app.url}/{path}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    wait_idle(page)
    assert sent(frames.received, SIDEBAR)  # a whole page's run: the checks below can fail
    return frames


def test_a_new_version_s_fields_rerun_only_their_part_and_keep_what_was_typed(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(unique_name, "Hello {{name}}.", "first")
    frames = opened(page, app, f"edit?prompt={unique_name}", f"New version of {unique_name}")

    # The template's part holds the diff: it shows the change; the sidebar is not sent again.
    got = leave(page, frames, "Template", "Hello {{name}} in {{language}}.", drawn="Template")
    expect(page.locator(".pu-diff").first).to_contain_text("language")
    assert sent(got, "Changes against v1")
    assert not sent(got, SIDEBAR)

    # A commit tried without a message: a whole run, which marks the empty message.
    page.get_by_role("button", name="Commit version").click()
    expect(page.get_by_text(NO_MESSAGE)).to_be_visible()
    # The message's own part takes the mark away once a message is written.
    got = leave(page, frames, "Commit message", "Say which language", drawn="Commit message")
    expect(page.get_by_text(NO_MESSAGE)).to_have_count(0)
    assert not sent(got, SIDEBAR)

    # Both reached the draft: another page and back, and they are still there.
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("link", name="Prompts", exact=True).click()
    expect(page.get_by_role("heading", name="Prompts", exact=True)).to_be_visible()
    sidebar.get_by_role("link", name="Create / edit", exact=True).click()
    expect(page.get_by_label("Template", exact=True)).to_have_value(
        "Hello {{name}} in {{language}}."
    )
    expect(page.get_by_label("Commit message", exact=True)).to_have_value("Say which language")


def test_a_new_prompt_s_name_is_checked_in_its_own_part(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(unique_name, "Taken.", "first")
    frames = opened(page, app, "edit", "Create prompt")

    got = leave(page, frames, "Name", unique_name, drawn="already exists")
    expect(page.get_by_text(f"A prompt named '{unique_name}' already exists")).to_be_visible()
    assert not sent(got, SIDEBAR)

    got = leave(page, frames, "Name", f"{unique_name}-2", drawn="Name")
    expect(page.get_by_text("already exists")).to_have_count(0)
    assert not sent(got, SIDEBAR)

    # Switching the template's type is a whole run (the sidebar is sent), and keeps the name.
    start = len(frames.received)
    page.get_by_test_id("stMain").get_by_text("Chat (messages)", exact=True).click()
    expect(page.get_by_label("Message 1 content", exact=True)).to_be_visible()
    wait_idle(page)
    assert sent(frames.received[start:], SIDEBAR)
    expect(page.get_by_label("Name", exact=True)).to_have_value(f"{unique_name}-2")


def test_new_version_on_the_prompt_page_opens_its_editor_in_place_and_commits(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "Hello {{name}}.", "first", model_config={"top_k": 5})
    frames = opened(page, app, f"prompt?prompt={unique_name}", unique_name)

    # The click reruns only the page's actions, which open the editor under them.
    start = len(frames.received)
    page.get_by_role("button", name="New version from v1").click()
    template = page.get_by_role("textbox", name="Template", exact=True)
    expect(template).to_have_value("Hello {{name}}.")
    wait_idle(page)
    assert not sent(frames.received[start:], SIDEBAR)
    leave(page, frames, "Template", "Hello {{name}}, in {{language}}.", drawn="Template")
    page.get_by_text("Changes against v1", exact=True).click()
    expect(page.locator(".pu-diff").first).to_contain_text("language")
    got = leave(page, frames, "Commit message", "Say which language", drawn="Commit message")
    assert not sent(got, "Open in the editor")  # the message's own part, not the whole form

    # Commit writes the version and draws the whole page on it.
    start = len(frames.received)
    page.get_by_role("button", name="Commit", exact=True).click()
    expect(page.locator(".pu-template").first).to_contain_text("in {{language}}")
    expect(page.get_by_role("button", name="New version from v2")).to_be_visible()
    expect(page.get_by_role("textbox", name="Template", exact=True)).to_have_count(0)
    wait_idle(page)
    assert sent(frames.received[start:], SIDEBAR)
    latest = reg.get_prompt(unique_name).latest
    assert latest is not None
    assert (latest.version, latest.text, dict(latest.model_config)) == (
        2,
        "Hello {{name}}, in {{language}}.",
        {"top_k": 5},
    )


def test_the_prompt_page_s_editor_goes_on_in_the_editor_page_from_a_part_s_run(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(unique_name, "Hello {{name}}.", "first")
    frames = opened(page, app, f"prompt?prompt={unique_name}", unique_name)
    page.get_by_role("button", name="New version from v1").click()
    leave(page, frames, "Template", "Hello {{name}}, mine.", drawn="Template")
    page.get_by_role("button", name="Open in the editor").click()
    expect(page.get_by_role("heading", name=f"New version of {unique_name}")).to_be_visible()
    expect(page.get_by_label("Template", exact=True)).to_have_value("Hello {{name}}, mine.")
    expect(page).to_have_url(f"{app.url}/edit?prompt={unique_name}&version=1")
