"""The `prompts:/` URIs and the `load_prompt` snippet, run for real against the registry."""

from __future__ import annotations

from collections.abc import Iterator

import mlflow
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
def tracking(mlflow_server: Server) -> Iterator[str]:
    before = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(mlflow_server.url)
    yield mlflow_server.url
    mlflow.set_tracking_uri(before)


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
