"""AppTest: the aliases page (keyboard moves, protected confirm, conflicts, rollback and moving
back without history, outside changes, the history chart), rollback from the prompt page, and
the environments page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mlflow import MlflowClient
from streamlit.testing.v1 import AppTest

from promptui.aliases import move_alias, remove_alias
from promptui.aliases.history import AliasHistory
from promptui.config import list_env_configs
from promptui.registry import PromptRegistry
from promptui.ui.alias_history_view import version_color
from tests.apptest_util import fresh_streamlit_caches, open_keyboard_panel, unescape
from tests.servers import PROJECT_DIR

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here

USER = "tester@example.com"
REASON_LABEL = "Reason (recorded in the alias history)"


@pytest.fixture
def registry(sqlite_uri: str, monkeypatch: pytest.MonkeyPatch) -> PromptRegistry:
    """The test's own embedded registry, which the app under test also uses."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", sqlite_uri)
    monkeypatch.setenv("PROMPTUI_USER", USER)
    return PromptRegistry(sqlite_uri)


@pytest.fixture
def history(registry: PromptRegistry) -> AliasHistory:
    return AliasHistory(registry)  # the experiment the app uses


def _seed(registry: PromptRegistry, name: str) -> None:
    registry.create_prompt(name, "Answer {{question}}.", "first")
    registry.commit_version(name, "Answer {{question}} in {{language}}.", "second *bold*")
    registry.commit_version(name, "Answer {{question}} briefly.", "third")


def _bad_deploy(registry: PromptRegistry, history: AliasHistory, name: str) -> None:
    """`_seed`, then production set on v1 and moved to v3 ("bad deploy"), both recorded."""
    _seed(registry, name)
    move_alias(registry, history, name, "production", 1, expected=None)
    move_alias(registry, history, name, "production", 3, expected=1, reason="bad deploy")


def _open(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=30)
    at.query_params.update(params)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str) -> object:
    """The button whose label reads `label` (labels are Markdown-escaped)."""
    matches = [b for b in at.button if unescape(b.label) == label]
    assert matches, f"no button {label!r} in {[b.label for b in at.button]}"
    return matches[0]


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _keyboard_move(at: AppTest, alias: str, target: int | None) -> AppTest:
    open_keyboard_panel(at)
    at.selectbox(key="aliases_kb_alias").select(alias)
    at.selectbox(key="aliases_kb_to").select(0 if target is None else target)  # 0: remove
    at.button(key="aliases_kb_move").click()
    return _run(at)


def _texts(at: AppTest, kind: str) -> str:
    return "\n".join(str(e.value) for e in getattr(at, kind))


def test_keyboard_move_of_an_unprotected_alias(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    move_alias(registry, history, unique_name, "champion", 1, expected=None)
    at = _open("aliases", prompt=unique_name)
    assert [t.value for t in at.title] == ["Aliases"]

    at = _keyboard_move(at, "champion", 3)
    assert not [b for b in at.button if b.label == "Confirm"]  # unprotected: applied at once
    assert "now points to v3" in _texts(at, "success")
    assert registry.get_aliases(unique_name) == {"champion": 3}
    newest = history.events(unique_name)[0]
    assert (newest.from_version, newest.to_version, newest.user) == (1, 3, USER)
    # Re-read, not assumed: the rollback offer reflects the registry's new state.
    assert _button(at, "Roll back champion to v1")


def test_protected_move_asks_for_a_reason_and_warns_about_variables(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    move_alias(registry, history, unique_name, "production", 1, expected=None)
    at = _open("aliases", prompt=unique_name)

    at = _keyboard_move(at, "production", 2)
    warnings = _texts(at, "warning")
    assert "language" in warnings and "would break" in warnings
    assert registry.get_aliases(unique_name) == {"production": 1}  # nothing moved yet

    _button(at, "Confirm").click()
    at = _run(at)
    assert "Give a reason" in _texts(at, "error")
    assert registry.get_aliases(unique_name) == {"production": 1}

    reason = next(t for t in at.text_input if t.label == REASON_LABEL)
    reason.input("Adds the language variable")
    _button(at, "Confirm").click()
    at = _run(at)
    assert registry.get_aliases(unique_name) == {"production": 2}
    assert "now points to v2" in _texts(at, "success")
    assert not [b for b in at.button if b.label == "Confirm"]  # the dialog closed
    newest = history.events(unique_name)[0]
    assert (newest.to_version, newest.reason) == (2, "Adds the language variable")


def test_cancel_leaves_the_protected_alias(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    move_alias(registry, history, unique_name, "production", 1, expected=None)
    at = _keyboard_move(_open("aliases", prompt=unique_name), "production", None)
    assert "will fail" in _texts(at, "warning")
    _button(at, "Cancel").click()
    at = _run(at)
    assert not [b for b in at.button if b.label == "Confirm"]
    assert registry.get_aliases(unique_name) == {"production": 1}
    assert len(history.events(unique_name)) == 1


def test_stale_move_is_refused_and_the_board_refreshes(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    move_alias(registry, history, unique_name, "champion", 1, expected=None)
    at = _open("aliases", prompt=unique_name)
    # A colleague moves it while this page is open.
    move_alias(registry, history, unique_name, "champion", 3, expected=1, user="bob", reason="r")

    at = _keyboard_move(at, "champion", 2)
    warning = _texts(at, "warning")
    assert "now points to version 3" in warning and "bob" in warning
    assert registry.get_aliases(unique_name) == {"champion": 3}
    assert _button(at, "Roll back champion to v1")  # the refreshed state


def test_add_and_remove_an_alias_with_the_keyboard(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    at = open_keyboard_panel(_open("aliases", prompt=unique_name))
    at.text_input(key="aliases_kb_new").input("candidate")
    at.selectbox(key="aliases_kb_new_to").select(2)
    at.button(key="aliases_kb_add").click()
    at = _run(at)
    assert registry.get_aliases(unique_name) == {"candidate": 2}

    at.text_input(key="aliases_kb_new").input("latest")
    at.button(key="aliases_kb_add").click()
    at = _run(at)
    assert "reserved" in _texts(at, "error")

    at = _keyboard_move(at, "candidate", None)
    assert registry.get_aliases(unique_name) == {}
    assert [(e.from_version, e.to_version) for e in history.events(unique_name)] == [
        (2, None),
        (None, 2),
    ]


def test_rollback_from_history_in_two_clicks(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _bad_deploy(registry, history, unique_name)
    at = _open("aliases", prompt=unique_name)

    _button(at, "Roll back production to v1").click()  # click 1
    at = _run(at)
    reason = next(t for t in at.text_input if t.label == REASON_LABEL)
    assert reason.value == "Rollback"
    _button(at, "Confirm").click()  # click 2
    at = _run(at)
    assert registry.get_aliases(unique_name) == {"production": 1}
    newest = history.events(unique_name)[0]
    assert (newest.from_version, newest.to_version, newest.reason) == (3, 1, "Rollback")


def test_changes_made_outside_promptui_are_shown_and_recorded_by_the_next_write(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    move_alias(registry, history, unique_name, "production", 1, expected=None)
    registry.client().set_prompt_alias(unique_name, "production", 2)  # another tool
    at = _open("aliases", prompt=unique_name)
    table = at.dataframe[0].value
    assert table["source"][0].startswith("changed outside promptui (noticed now")
    assert (table["from"][0], table["to"][0]) == ("v1", "v2")
    at = _run(at)
    at = _open("aliases", prompt=unique_name)
    assert len(history.events(unique_name)) == 1  # reading never writes
    assert _button(at, "Roll back production to v1")
    open_keyboard_panel(at)
    at.text_input(key="aliases_kb_new").input("champion")
    at.selectbox(key="aliases_kb_new_to").select(3)
    at.button(key="aliases_kb_add").click()
    at = _run(at)
    recorded = history.events(unique_name)
    assert [(e.alias, e.source) for e in recorded] == [
        ("champion", "promptui"),
        ("production", "outside"),
        ("production", "promptui"),
    ]


def test_prompt_picker_when_no_prompt_is_given(registry: PromptRegistry, unique_name: str) -> None:
    _seed(registry, unique_name)
    at = _open("aliases")
    at.selectbox(key="aliases_pick").select(unique_name)
    at = _run(at)
    assert at.query_params["prompt"] == unique_name
    options = open_keyboard_panel(at).selectbox(key="aliases_kb_new_to").options
    assert options == ["v3 — third", "v2 — second *bold*", "v1 — first"]


def test_environments_resolve_and_promote(registry: PromptRegistry, history: AliasHistory) -> None:
    envs = {e.name: e.model for e in list_env_configs()}
    staging, prod = envs["staging"], envs["prod"]
    name = prod.prompt_name  # the configs' prompt, in this test's own registry
    _seed(registry, name)
    move_alias(registry, history, name, staging.prompt_version, 3, expected=None)
    move_alias(registry, history, name, prod.prompt_version, 2, expected=None)

    at = _open("environments")
    assert [t.value for t in at.title] == ["Environments"]
    table = at.dataframe[0].value
    resolved = dict(zip(table["environment"], table["resolves to"], strict=True))
    assert resolved["staging"] == "v3" and resolved["prod"] == "v2"
    assert resolved["dev"] == "v3"  # latest

    promote = at.button(key="environments_promote_0")
    assert f"{prod.prompt_version}" in promote.label and "v3" in promote.label
    promote.click()
    at = _run(at)
    assert "language" in _texts(at, "warning")  # v2 → v3 drops {{language}}
    reason = next(t for t in at.text_input if t.label == REASON_LABEL)
    assert reason.value.startswith("Promote")
    _button(at, "Confirm").click()
    at = _run(at)
    assert registry.get_aliases(name)[prod.prompt_version] == 3
    table = at.dataframe[0].value
    assert dict(zip(table["environment"], table["resolves to"], strict=True))["prod"] == "v3"
    assert history.events(name)[0].reason.startswith("Promote")


def _mlflow_alias(uri: str, name: str, alias: str) -> int:
    """Where MLflow itself says the alias points (MLflow's own client, not promptui's)."""
    return int(MlflowClient(tracking_uri=uri).get_prompt_version_by_alias(name, alias).version)


def _five_versions(registry: PromptRegistry, name: str) -> None:
    registry.create_prompt(name, "Answer {{question}}.", "first")
    for n in range(2, 6):
        registry.commit_version(name, f"Answer {{{{question}}}} ({n}).", f"version {n}")


def test_move_back_without_recorded_history_goes_through_the_confirm_step(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _five_versions(registry, unique_name)
    client = registry.client()
    client.set_prompt_alias(unique_name, "production", 4)  # before promptui kept any history
    client.set_prompt_alias(unique_name, "production", 5)
    at = _open("aliases", prompt=unique_name)
    assert not [b for b in at.button if b.label.startswith("Roll back")]

    label = "Move production back to v4 (no recorded history: the version before v5)"
    _button(at, label).click()
    at = _run(at)
    assert registry.get_aliases(unique_name) == {"production": 5}  # protected: nothing yet
    labels = [b.label for b in at.button]
    assert labels.index("Cancel") < labels.index("Confirm")  # Cancel left, Confirm right
    reason = next(t for t in at.text_input if t.label == REASON_LABEL)
    assert "no recorded history" in reason.value
    reason.input("Back to the version before the outage")
    _button(at, "Confirm").click()
    at = _run(at)
    assert _mlflow_alias(registry.uri, unique_name, "production") == 4
    assert "now points to v4" in _texts(at, "success")
    recorded = history.events(unique_name)
    assert [(e.from_version, e.to_version, e.source) for e in recorded] == [
        (5, 4, "promptui"),
        (None, 5, "outside"),  # the outside change was recorded first
    ]
    # Now there is a history: the plain rollback is offered.
    assert _button(at, "Roll back production to v5")


def test_move_back_to_a_version_the_history_knows(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _five_versions(registry, unique_name)
    move_alias(registry, history, unique_name, "champion", 2, expected=None)
    remove_alias(registry, history, unique_name, "champion", expected=2)
    registry.client().set_prompt_alias(unique_name, "champion", 5)  # outside promptui
    at = _open("aliases", prompt=unique_name)
    # The history: set to v2 and removed here, then set to v5 outside (noticed now): its last
    # change has no earlier version, but the history shows it on v2 before.
    _button(at, "Move champion back to v2 (the history shows it on v2 earlier)").click()
    at = _run(at)
    assert not [b for b in at.button if b.label == "Confirm"]  # unprotected: applied at once
    assert _mlflow_alias(registry.uri, unique_name, "champion") == 2


def test_blank_or_whitespace_reason_is_refused(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    move_alias(registry, history, unique_name, "production", 1, expected=None)
    at = _keyboard_move(_open("aliases", prompt=unique_name), "production", 3)
    for blank in ("", "   ", "\t \n"):
        next(t for t in at.text_input if t.label == REASON_LABEL).input(blank)
        _button(at, "Confirm").click()
        at = _run(at)
        assert "Give a reason" in _texts(at, "error")
        assert [b for b in at.button if b.label == "Confirm"]  # the dialog stays open
    assert registry.get_aliases(unique_name) == {"production": 1}
    assert len(history.events(unique_name)) == 1


def test_keyboard_panel_moves_what_was_chosen_and_stays_open(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    move_alias(registry, history, unique_name, "champion", 3, expected=None)
    move_alias(registry, history, unique_name, "production", 1, expected=None)
    at = _open("aliases", prompt=unique_name)
    assert at.expander[0].proto.expanded is False  # aliases exist: closed at first
    at.session_state["aliases_kb_panel"] = True  # the person opens it
    at = _run(at)

    # Choosing does not rerun the page (one form): both values are read at Move.
    at.selectbox(key="aliases_kb_alias").select("production")
    at.selectbox(key="aliases_kb_to").select(2)
    at.button(key="aliases_kb_move").click()
    at = _run(at)
    assert [b for b in at.button if b.label == "Confirm"]  # protected: the confirm step
    next(t for t in at.text_input if t.label == REASON_LABEL).input("Ship v2")
    _button(at, "Confirm").click()
    at = _run(at)
    assert _mlflow_alias(registry.uri, unique_name, "production") == 2
    assert _mlflow_alias(registry.uri, unique_name, "champion") == 3  # untouched
    assert at.expander[0].proto.expanded is True  # still open after the move
    assert at.selectbox(key="aliases_kb_alias").value == "production"  # still the choice


def _chart_spec(at: AppTest) -> dict[str, Any]:
    (chart,) = at.get("vega_lite_chart")
    return json.loads(chart.proto.spec)


def _color_scale(spec: dict[str, Any]) -> dict[str, str]:
    """version label → colour, from the chart's explicit colour scale."""
    scales = [
        layer["encoding"]["color"]["scale"]
        for layer in spec["layer"]
        if "color" in layer.get("encoding", {})
    ]
    (scale,) = scales
    return dict(zip(scale["domain"], scale["range"], strict=True))


def test_history_chart_colours_stay_with_their_versions(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _five_versions(registry, unique_name)
    move_alias(registry, history, unique_name, "production", 5, expected=None)
    move_alias(registry, history, unique_name, "champion", 3, expected=None)
    first = _color_scale(_chart_spec(_open("aliases", prompt=unique_name)))
    assert first == {"v3": version_color(3), "v5": version_color(5)}

    # Other versions join, in another order: v3 and v5 keep their colours.
    move_alias(registry, history, unique_name, "production", 1, expected=5)
    move_alias(registry, history, unique_name, "champion", 4, expected=3)
    move_alias(registry, history, unique_name, "candidate", 2, expected=None)
    second = _color_scale(_chart_spec(_open("aliases", prompt=unique_name)))
    assert set(second) == {"v1", "v2", "v3", "v4", "v5"}
    assert {v: second[v] for v in first} == first
    assert len(set(second.values())) == 5  # five versions, five colours


def test_history_chart_axis_has_no_repeated_labels(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    for target, expected in ((1, None), (2, 1), (3, 2)):  # moves seconds apart
        move_alias(registry, history, unique_name, "production", target, expected=expected)
    spec = _chart_spec(_open("aliases", prompt=unique_name))
    bars = next(layer for layer in spec["layer"] if "color" in layer.get("encoding", {}))
    axis = bars["encoding"]["x"]["axis"]
    assert axis["format"] == "%H:%M:%S"  # a span of seconds: minutes alone would repeat
    assert 2 <= len(axis["values"]) <= 8
    labels = next(layer for layer in spec["layer"] if "text" in layer.get("encoding", {}))
    # Labels only where the segment is wide enough for them.
    assert "datum.share * width >= datum.label_px" in json.dumps(labels["encoding"]["text"])


def test_roll_back_production_from_the_prompt_page(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _bad_deploy(registry, history, unique_name)
    move_alias(registry, history, unique_name, "champion", 2, expected=None)
    at = _open("prompt", prompt=unique_name)
    rollbacks = [unescape(b.label) for b in at.button if unescape(b.label).startswith("Roll back")]
    assert rollbacks == ["Roll back production…"]  # protected aliases only: champion moves freely

    _button(at, "Roll back production…").click()
    at = _run(at)
    assert registry.get_aliases(unique_name) == {"production": 3, "champion": 2}  # not yet
    assert "v3 → **v1**" in _texts(at, "markdown")  # the dialog names where it goes
    reason = next(t for t in at.text_input if t.label == REASON_LABEL)
    assert reason.value == "Rollback"
    _button(at, "Confirm").click()
    at = _run(at)
    assert registry.get_aliases(unique_name) == {"production": 1, "champion": 2}
    assert "now points to v1" in _texts(at, "success")
    newest = history.events(unique_name)[0]
    assert (newest.alias, newest.from_version, newest.to_version) == ("production", 3, 1)


def test_roll_back_from_the_prompt_page_says_when_there_is_nowhere_to_go(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _seed(registry, unique_name)
    move_alias(registry, history, unique_name, "production", 1, expected=None)
    at = _open("prompt", prompt=unique_name)
    _button(at, "Roll back production…").click()
    at = _run(at)
    assert "no earlier version to move back to" in _texts(at, "error")
    assert not [b for b in at.button if b.label == "Confirm"]
    assert registry.get_aliases(unique_name) == {"production": 1}
