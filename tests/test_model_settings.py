"""Changing an existing version's model settings: what MLflow stores, the compare-and-set,
the history record, and the prompt page's form (real MLflow server and SQLite store)."""

from __future__ import annotations

import json

import pytest
from mlflow import MlflowClient

from promptui.aliases.config_changes import change_model_config, config_changes_from
from promptui.aliases.history import AliasHistory
from promptui.registry import PromptRegistry
from promptui.registry.errors import ConflictError, InvalidInputError, NotAPromptError
from tests.apptest_util import fresh_streamlit_caches, open_page, open_tab, start_app, texts

__all__ = ["fresh_streamlit_caches"]


def test_settings_change_is_stored_as_mlflow_reads_it_and_recorded(
    registry: PromptRegistry, unique_name: str
) -> None:
    config = {"model_name": "gpt-4o-mini", "temperature": 0.1, "frequency_penalty": 3.0}
    registry.create_prompt(unique_name, "Hi {{x}}.", "one", model_config=config)
    registry.commit_version(unique_name, "Hello {{x}}.", "two")
    before = registry.get_version(unique_name, 1)
    history = AliasHistory(registry, f"history-{unique_name}")
    updated = change_model_config(
        history,
        unique_name,
        1,
        {**config, "temperature": 0.7},
        expected_json=before.model_config_json,
        reason="warmer answers",
        user="ana",
    )
    assert updated.model_config["temperature"] == 0.7
    # MLflow's own reader sees the new settings; the template and the other version are intact.
    loaded = MlflowClient(registry.uri, registry.uri).get_prompt_version(unique_name, 1)
    assert loaded.model_config["temperature"] == 0.7
    assert loaded.model_config["frequency_penalty"] == 3.0  # a key promptui does not edit
    assert loaded.template == "Hi {{x}}."
    assert registry.get_version(unique_name, 2).model_config == {}
    (change,) = config_changes_from(unique_name, history.read_runs(unique_name))
    assert (change.version, change.user, change.reason) == (1, "ana", "warmer answers")
    assert json.loads(change.before or "{}")["temperature"] == 0.1
    assert json.loads(change.after or "{}")["temperature"] == 0.7
    assert history.events(unique_name) == []  # not an alias move
    # Someone else changed them meanwhile: refused, nothing written.
    with pytest.raises(ConflictError):
        registry.set_model_config(unique_name, 1, {}, expected_json=before.model_config_json)
    assert registry.get_version(unique_name, 1).model_config == updated.model_config
    # Empty settings remove them, as mlflow.genai.delete_prompt_model_config does.
    cleared = registry.set_model_config(unique_name, 1, {}, expected_json=updated.model_config_json)
    assert cleared.model_config == {} and cleared.model_config_json is None
    assert registry.get_version(unique_name, 1).model_config == {}


def test_settings_mlflow_refuses_and_plain_models_are_never_written(
    registry: PromptRegistry, unique_name: str
) -> None:
    registry.create_prompt(unique_name, "Hi.", "one")
    with pytest.raises(InvalidInputError, match="Model settings"):
        registry.set_model_config(unique_name, 1, {"temperature": "hot"})
    assert registry.get_version(unique_name, 1).model_config == {}
    model = f"{unique_name}-model"
    client = MlflowClient(registry.uri, registry.uri)
    client.create_registered_model(model)
    client.create_model_version(model, source="s3://bucket/model")
    with pytest.raises(NotAPromptError):
        registry.set_model_config(model, 1, {"temperature": 0.2})
    assert client.get_model_version(model, "1").tags == {}


def test_prompt_page_form_changes_the_settings(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    reg.create_prompt("story", "Hi {{x}}.", "one", model_config={"temperature": 0.1})
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story")
    keys = [t.key for t in at.text_area]
    assert "prompt_model_settings_json:story:1" not in keys  # drawn only in its tab
    open_tab(at, "story", "Settings & tags")
    at.text_area(key="prompt_model_settings_json:story:1").set_value("[1, 2]")
    at.text_input(key="prompt_model_settings_reason:story:1").set_value("try")
    at.button(key="FormSubmitter:prompt_model_settings:story:1-Save model settings").click().run()
    assert any("JSON object" in e for e in texts(at, "error"))
    assert reg.get_version("story", 1).model_config == {"temperature": 0.1}
    at.text_area(key="prompt_model_settings_json:story:1").set_value('{"temperature": 0.5}')
    at.button(key="FormSubmitter:prompt_model_settings:story:1-Save model settings").click().run()
    assert not at.exception
    assert reg.get_version("story", 1).model_config == {"temperature": 0.5}
    assert "Model settings changed" in " ".join(texts(at, "markdown"))
    assert "tester@example.com" in at.dataframe[-1].value["who"].tolist()
