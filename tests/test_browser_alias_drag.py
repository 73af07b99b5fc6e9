"""Real Chromium: drag the `production` chip to another version, then roll back from history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from promptui.aliases import move_alias
from promptui.aliases.history import AliasHistory
from promptui.registry import PromptRegistry
from tests.browser import streamlit_app, wait_idle
from tests.servers import Server

PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


@pytest.fixture
def app(mlflow_server: Server, tmp_path: Path) -> Iterator[Server]:
    env = {"PROMPTUI_USER": "browser-user"}
    with streamlit_app(mlflow_server.url, tmp_path, env=env) as server:
        yield server


def _drag(page: Page, source: Locator, target: Locator) -> None:
    """A real mouse drag: press on the source, move in steps, release over the target."""
    start = source.bounding_box()
    end = target.bounding_box()
    assert start is not None and end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=10)
    page.mouse.up()


def _confirm(page: Page, reason: str | None) -> None:
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    if reason is not None:
        field = dialog.get_by_label("Reason (recorded in the alias history)")
        field.fill(reason)
        field.press("Tab")
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_be_hidden()


@pytest.mark.browser
def test_drag_production_then_roll_back(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    registry.create_prompt(unique_name, "Answer {{question}}.", "first")
    registry.commit_version(unique_name, f"Answer {{{{question}}}} now. {PAYLOAD}", PAYLOAD)
    registry.commit_version(unique_name, "Answer {{question}} later.", "third")
    history = AliasHistory(registry)
    move_alias(registry, history, unique_name, "production", 1, expected=None, user="setup")

    page.goto(f"{app.url}/aliases?prompt={unique_name}")
    chip = page.locator("[data-testid='alias-chip'][data-alias='production']")
    expect(chip).to_be_visible(timeout=30_000)
    lane_1 = page.locator("[data-testid='alias-lane'][data-version='1']")
    expect(lane_1.locator("[data-alias='production']")).to_be_visible()
    wait_idle(page)
    lane_2 = page.locator("[data-testid='alias-lane'][data-version='2']")
    expect(lane_2).to_contain_text(PAYLOAD)  # the commit message, as text

    _drag(page, chip, lane_2)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # The diff shows the new version's markup as text, and nothing in it ran.
    expect(dialog).to_contain_text('<img src=x onerror="window.__xss=1">')
    expect(dialog).to_contain_text("<script>window.__xss=2</script>")
    assert page.evaluate("window.__xss") is None
    _confirm(page, "Fix for the outage")

    expect(page.get_by_text(re.compile("now points to v2"))).to_be_visible()
    assert registry.get_aliases(unique_name) == {"production": 2}
    expect(lane_2.locator("[data-alias='production']")).to_be_visible()
    newest = history.events(unique_name)[0]
    assert (newest.from_version, newest.to_version) == (1, 2)
    assert (newest.user, newest.reason) == ("browser-user", "Fix for the outage")

    page.get_by_role("button", name="Roll back production to v1").click()
    reason = page.get_by_role("dialog").get_by_label("Reason (recorded in the alias history)")
    expect(reason).to_have_value("Rollback")
    _confirm(page, None)

    expect(page.get_by_text(re.compile("now points to v1"))).to_be_visible()
    assert registry.get_aliases(unique_name) == {"production": 1}
    expect(lane_1.locator("[data-alias='production']")).to_be_visible()
    rollback = history.events(unique_name)[0]
    assert (rollback.from_version, rollback.to_version, rollback.reason) == (2, 1, "Rollback")
    assert page.evaluate("window.__xss") is None


@pytest.mark.browser
def test_environments_page_opened_directly(app: Server, page: Page, mlflow_server: Server) -> None:
    page.goto(f"{app.url}/environments")
    expect(page.get_by_role("heading", name="Environments")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
