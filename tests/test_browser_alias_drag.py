"""Real Chromium on the aliases page: drag the `production` chip and roll back; move back an
alias that has no recorded history; the keyboard panel under quick use; the remove area's place
on the board; the history chart's colours."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlflow import MlflowClient
from playwright.sync_api import Locator, Page, expect

from promptui.aliases import move_alias
from promptui.aliases.history import AliasHistory
from promptui.registry import PromptRegistry
from promptui.ui.alias_history_view import version_color
from tests.browser import SIDEBAR, Frames, sent, streamlit_app, wait_idle
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
        # Typed and confirmed at once: the click that leaves the field must not be lost.
        dialog.get_by_label("Reason (recorded in the alias history)").fill(reason)
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


def _mlflow_alias(uri: str, name: str, alias: str) -> int:
    """Where MLflow itself says the alias points (MLflow's own client, not promptui's)."""
    return int(MlflowClient(tracking_uri=uri).get_prompt_version_by_alias(name, alias).version)


def _versions(registry: PromptRegistry, name: str, count: int) -> None:
    registry.create_prompt(name, "Answer {{question}}.", "first")
    for n in range(2, count + 1):
        registry.commit_version(name, f"Answer {{{{question}}}} ({n}).", f"version {n}")


def _open_aliases(page: Page, app: Server, name: str) -> None:
    page.goto(f"{app.url}/aliases?prompt={name}")
    expect(page.locator("[data-testid='alias-chip']").first).to_be_visible(timeout=30_000)
    wait_idle(page)


@pytest.mark.browser
def test_move_back_an_alias_set_before_any_history(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    _versions(registry, unique_name, 5)
    client = registry.client()
    client.set_prompt_alias(unique_name, "production", 4)  # before promptui kept any history
    client.set_prompt_alias(unique_name, "production", 5)
    frames = Frames(page)
    _open_aliases(page, app, unique_name)

    label = "Move production back to v4 (no recorded history: the version before v5)"
    page.get_by_role("button", name=label).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    cancel = dialog.get_by_role("button", name="Cancel").bounding_box()
    confirm = dialog.get_by_role("button", name="Confirm").bounding_box()
    assert cancel is not None and confirm is not None
    assert cancel["x"] + cancel["width"] <= confirm["x"]  # Cancel left, Confirm right

    field = dialog.get_by_label("Reason (recorded in the alias history)")
    expect(field).to_have_value(re.compile("no recorded history"))
    field.fill("   ")  # whitespace only: refused
    wait_idle(page)
    before = len(frames.received)
    field.press("Tab")
    page.wait_for_timeout(600)
    assert len(frames.received) == before  # leaving the reason runs nothing; Confirm sends it
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog.get_by_text("Give a reason")).to_be_visible()
    assert _mlflow_alias(mlflow_server.url, unique_name, "production") == 5
    _confirm(page, "Back to the version before the outage")

    expect(page.get_by_text(re.compile("now points to v4"))).to_be_visible()
    assert _mlflow_alias(mlflow_server.url, unique_name, "production") == 4
    lane_4 = page.locator("[data-testid='alias-lane'][data-version='4']")
    expect(lane_4.locator("[data-alias='production']")).to_be_visible()
    expect(page.get_by_role("button", name="Roll back production to v5")).to_be_visible()


def _choose(page: Page, select: Locator, text: str) -> None:
    """Pick an option by typing, the way a keyboard user does (no wait for the app)."""
    select.locator("input").click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


@pytest.mark.browser
def test_keyboard_panel_moves_what_was_chosen_and_stays_open(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    _versions(registry, unique_name, 3)
    history = AliasHistory(registry)
    move_alias(registry, history, unique_name, "champion", 3, expected=None, user="setup")
    move_alias(registry, history, unique_name, "production", 1, expected=None, user="setup")
    _open_aliases(page, app, unique_name)

    page.get_by_text("Move without a mouse").click()
    panel = page.get_by_test_id("stExpander")
    selects = panel.get_by_test_id("stSelectbox")
    expect(selects.first).to_be_visible()
    # Quickly: production, then a version, then Move, without waiting for the app in between.
    _choose(page, selects.nth(0), "production")
    _choose(page, selects.nth(1), "v2 —")
    panel.get_by_role("button", name="Move").click()

    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()  # production is protected: the confirm step, always
    expect(dialog).to_contain_text("production")
    expect(dialog).to_contain_text("v1 → v2")
    _confirm(page, "Ship the second version")
    expect(page.get_by_text(re.compile("'production' now points to v2"))).to_be_visible()
    assert _mlflow_alias(mlflow_server.url, unique_name, "production") == 2
    assert _mlflow_alias(mlflow_server.url, unique_name, "champion") == 3  # untouched
    expect(panel.locator("details")).to_have_attribute("open", "")  # still open
    expect(selects.nth(0).locator("input")).to_have_value("production")

    # An unprotected move: applied at once, the panel stays open and keeps the focus.
    _choose(page, selects.nth(0), "champion")
    _choose(page, selects.nth(1), "v1 —")
    panel.get_by_role("button", name="Move").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("'champion' now points to v1"))).to_be_visible()
    wait_idle(page)
    assert _mlflow_alias(mlflow_server.url, unique_name, "champion") == 1
    assert _mlflow_alias(mlflow_server.url, unique_name, "production") == 2
    expect(panel.locator("details")).to_have_attribute("open", "")
    focused_in_panel = panel.evaluate("(node) => node.contains(document.activeElement)")
    assert focused_in_panel, page.evaluate("document.activeElement.outerHTML.slice(0, 200)")


@pytest.mark.browser
def test_remove_area_stays_on_the_row_with_many_versions(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    _versions(registry, unique_name, 6)
    move_alias(registry, AliasHistory(registry), unique_name, "champion", 2, expected=None)
    assert page.viewport_size == {"width": 1400, "height": 1000}
    _open_aliases(page, app, unique_name)

    lanes = page.locator("[data-testid='alias-lane']")
    expect(lanes).to_have_count(6)
    remove = page.get_by_test_id("alias-remove")
    expect(remove).to_be_visible()
    first = lanes.first.bounding_box()
    fourth = lanes.nth(3).bounding_box()
    area = remove.bounding_box()
    assert first is not None and fourth is not None and area is not None
    assert abs(fourth["y"] - first["y"]) < 2  # four lanes on the first row
    assert abs(area["y"] - first["y"]) < 2  # the remove area on that row, not its own
    assert area["x"] >= fourth["x"] + fourth["width"]  # beside the lanes, on the right
    assert area["height"] >= first["height"] - 2


_BARS = """(chart) => [...chart.querySelectorAll("[aria-roledescription='bar']")].map(
  (bar) => [bar.getAttribute("aria-label"), bar.getAttribute("fill")])"""
_TEXTS = """(chart) => [...chart.querySelectorAll("[aria-roledescription='text mark']")].map(
  (t) => { const r = t.getBoundingClientRect();
           return [t.getAttribute("aria-label"), t.textContent,
                   r.left, r.right, r.top, r.bottom]; })"""
_X_LABELS = """(chart) => [...chart.querySelectorAll(
  "[aria-label^='X-axis'] .role-axis-label text")].map((t) => t.textContent)"""


def _bar_colours(page: Page) -> dict[str, set[str]]:
    """version label → the fill colours of its bars, as Chromium drew the history chart."""
    chart = page.get_by_test_id("stVegaLiteChart")
    chart.scroll_into_view_if_needed()
    expect(chart.locator("[aria-roledescription='bar']").first).to_be_attached()
    out: dict[str, set[str]] = {}
    for label, fill in chart.evaluate(_BARS):
        version = re.search(r"version: (v\d+)", label)
        assert version is not None, label
        out.setdefault(version.group(1), set()).add(fill)
    return out


@pytest.mark.browser
def test_history_chart_colours_stay_with_their_versions(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    _versions(registry, unique_name, 5)
    history = AliasHistory(registry)
    move_alias(registry, history, unique_name, "production", 5, expected=None)
    move_alias(registry, history, unique_name, "production", 4, expected=5)  # v5: a moment
    move_alias(registry, history, unique_name, "champion", 3, expected=None)
    _open_aliases(page, app, unique_name)
    first = _bar_colours(page)
    assert first == {v: {version_color(int(v[1:]))} for v in ("v3", "v4", "v5")}

    # More versions, in another order; re-read: v3, v4 and v5 keep their colours.
    move_alias(registry, history, unique_name, "production", 1, expected=4)
    move_alias(registry, history, unique_name, "candidate", 2, expected=None)
    page.get_by_role("button", name="Refresh from registry").click()
    expect(page.locator("[data-testid='alias-chip'][data-alias='candidate']")).to_be_visible()
    wait_idle(page)
    second = _bar_colours(page)
    versions = ("v1", "v2", "v3", "v4", "v5")
    assert second == {v: {version_color(int(v[1:]))} for v in versions}
    assert len({version_color(v) for v in range(1, 6)}) == 5

    # The time axis: moves seconds apart, and no label twice.
    chart = page.get_by_test_id("stVegaLiteChart")
    labels = chart.evaluate(_X_LABELS)
    assert labels and len(set(labels)) == len(labels), labels
    # Segment labels: production's moment on v5 is far too narrow for one; none overlap.
    texts = chart.evaluate(_TEXTS)
    shown = [t for t in texts if t[1]]
    assert [t[1] for t in texts if "production" in t[0] and "v5" in t[0]] == [""]
    assert any(t[1] == "v3" for t in shown)
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            apart = a[3] <= b[2] or b[3] <= a[2] or a[5] <= b[4] or b[5] <= a[4]
            assert apart, (a, b)


@pytest.mark.browser
def test_drag_on_the_prompt_page_board(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    _versions(registry, unique_name, 3)
    registry.commit_version(unique_name, "Answer {{question}} (4).", PAYLOAD)
    history = AliasHistory(registry)
    move_alias(registry, history, unique_name, "champion", 1, expected=None, user="setup")
    move_alias(registry, history, unique_name, "production", 2, expected=None, user="setup")

    page.goto(f"{app.url}/prompt?prompt={unique_name}")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=unique_name)).to_be_visible(timeout=30_000)
    wait_idle(page)
    lane = {v: main.locator(f"[data-testid='alias-lane'][data-version='{v}']") for v in (1, 2, 4)}
    expect(lane[4]).to_contain_text(PAYLOAD)  # the newest version's message, as text
    assert main.locator("[data-testid='alias-lane'][data-version='3']").count() == 0

    _drag(page, lane[1].locator("[data-alias='champion']"), lane[4])  # unprotected: at once
    expect(lane[4].locator("[data-alias='champion']")).to_be_visible()
    expect(main.get_by_text(re.compile("'champion' now points to v4"))).to_be_visible()
    assert _mlflow_alias(mlflow_server.url, unique_name, "champion") == 4
    expect(lane[1]).to_be_visible()  # kept after the move: it can be dragged back
    wait_idle(page)

    _drag(page, lane[2].locator("[data-alias='production']"), lane[4])  # protected: confirm
    _confirm(page, "ship v4")
    expect(lane[4].locator("[data-alias='production']")).to_be_visible()
    assert _mlflow_alias(mlflow_server.url, unique_name, "production") == 4
    newest = history.events(unique_name)[0]
    assert (newest.alias, newest.from_version, newest.reason) == ("production", 2, "ship v4")
    wait_idle(page)

    # The version picker's labels name aliases, so the moves changed them: picking works still.
    # Scrolled to the middle first, as a person would: at the window's bottom edge the list
    # does not open.
    picker = main.get_by_role("combobox", name="Version")
    picker.evaluate("e => e.scrollIntoView({block: 'center'})")
    picker.click()
    page.get_by_role("option", name="v3", exact=True).click()
    expect(main.get_by_text("Version 3", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.evaluate("window.__xss") is None


@pytest.mark.browser
def test_roll_back_on_the_prompt_page_opens_its_confirm_step_without_redrawing_the_page(
    app: Server, page: Page, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    registry.create_prompt(unique_name, "Answer {{question}}.", "first")
    registry.commit_version(unique_name, "Answer {{question}} now.", "second")
    history = AliasHistory(registry)
    move_alias(registry, history, unique_name, "production", 1, expected=None)
    move_alias(registry, history, unique_name, "production", 2, expected=1, reason="ship")
    frames = Frames(page)
    page.goto(f"{app.url}/prompt?prompt={unique_name}")
    expect(page.get_by_role("heading", name=unique_name)).to_be_visible()
    wait_idle(page)
    assert sent(frames.received, SIDEBAR)  # the whole page's run: the checks below can fail

    start = len(frames.received)
    page.get_by_role("button", name="Roll back production…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("v2 → v1")).to_be_visible()
    wait_idle(page)
    assert not sent(frames.received[start:], SIDEBAR)  # only the rollback's part ran

    start = len(frames.received)
    _confirm(page, None)  # the reason is prefilled ("Rollback")
    expect(page.get_by_role("link", name=re.compile(r"^production\s*→\s*v1"))).to_be_visible()
    wait_idle(page)
    assert sent(frames.received[start:], SIDEBAR)  # the move redraws the whole page
    assert registry.get_aliases(unique_name) == {"production": 1}
    assert history.events(unique_name)[0].to_version == 1
