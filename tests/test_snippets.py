"""The `prompts:/` URIs and the `load_prompt` snippet, run for real against the registry."""

from __future__ import annotations

import mlflow.tracking._model_registry.utils as registry_utils
import mlflow.tracking._tracking_service.utils as tracking_utils
import pytest

from promptui.registry import PromptRegistry
from promptui.registry.models import ChatMessage
from promptui.snippets import alias_uri, format_arguments, load_snippet, version_uri
from tests.servers import Server


def test_uris() -> None:
    assert version_uri("support.agent-v2", 3) == "prompts:/support.agent-v2/3"
    assert alias_uri("support.agent-v2", "production") == "prompts:/support.agent-v2@production"


def test_format_arguments_keep_every_variable_valid_python() -> None:
    args = format_arguments(["question", "user.name", "class"])
    assert args == 'question="<question>", **{"user.name": "<user.name>", "class": "<class>"}'
    compile(f"f({args})", "<snippet>", "eval")


def test_no_variables_gives_an_empty_call() -> None:
    assert "prompt.format()" in load_snippet("prompts:/x/1", [])


@pytest.fixture
def tracking(mlflow_server: Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """The server is MLflow's own default for this test (globals and environment put back)."""
    for module, name in ((tracking_utils, "_tracking_uri"), (registry_utils, "_registry_uri")):
        monkeypatch.setattr(module, name, mlflow_server.url)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", mlflow_server.url)
    return mlflow_server.url


def test_text_snippet_runs_and_fills_every_variable(
    server_registry: PromptRegistry, tracking: str, unique_name: str
) -> None:
    template = "Answer {{question}} for {{ user.name }} in {{class}}."
    v = server_registry.create_prompt(unique_name, template, "first")
    server_registry.set_alias(unique_name, "production", v.version)
    for uri in (version_uri(unique_name, 1), alias_uri(unique_name, "production")):
        scope: dict[str, object] = {}
        exec(load_snippet(uri, v.variables), scope)
        assert scope["filled"] == "Answer <question> for <user.name> in <class>."


def test_chat_snippet_returns_the_messages(
    server_registry: PromptRegistry, tracking: str, unique_name: str
) -> None:
    messages = (ChatMessage("system", "Be {{tone}}."), ChatMessage("user", "{{question}}"))
    v = server_registry.create_prompt(unique_name, messages, "first")
    scope: dict[str, object] = {}
    exec(load_snippet(version_uri(unique_name, v.version), v.variables), scope)
    assert scope["filled"] == [
        {"role": "system", "content": "Be <tone>."},
        {"role": "user", "content": "<question>"},
    ]
