"""The guide's loader on a real `mlflow server`: versions, aliases and the fallback chain."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest

from promptui.config import ModelConfig
from promptui.loader import (
    BUILTIN_DEFAULT_PROMPT,
    LOADER_TIMEOUT_S,
    load_prompt_from_registry,
    resolve_system_prompt,
)
from promptui.registry import PromptRegistry
from promptui.registry.errors import NotFoundError, RegistryUnavailableError
from promptui.registry.models import ChatMessage
from tests.servers import Server, free_port

LOADER = "promptui.loader"


@pytest.fixture
def served_prompt(mlflow_server: Server, unique_name: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A prompt with three versions, production -> 2, champion -> 3; the env points at it."""
    registry = PromptRegistry(mlflow_server.url)
    registry.create_prompt(unique_name, "Version one.", "first")
    registry.commit_version(unique_name, "Version two for {{team}}.", "second")
    registry.commit_version(unique_name, "Version three.", "third")
    registry.set_alias(unique_name, "production", 2)
    registry.set_alias(unique_name, "champion", 3)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    return unique_name


@pytest.fixture
def registry_down(monkeypatch: pytest.MonkeyPatch) -> str:
    """The environment points at a closed loopback port."""
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
    return url


@pytest.fixture
def registry_silent(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The environment points at a server that takes connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
        yield url


@pytest.mark.parametrize(
    ("version", "text"),
    [
        (1, "Version one."),
        ("2", "Version two for {{team}}."),
        ("latest", "Version three."),
        ("production", "Version two for {{team}}."),
        ("champion", "Version three."),
    ],
)
def test_load_by_number_latest_or_alias(served_prompt: str, version: str | int, text: str) -> None:
    assert load_prompt_from_registry(served_prompt, version) == text


def test_latest_is_the_default(served_prompt: str) -> None:
    assert load_prompt_from_registry(served_prompt) == "Version three."


def test_chat_prompt_gives_its_system_messages(mlflow_server: Server, unique_name: str) -> None:
    registry = PromptRegistry(mlflow_server.url)
    messages = (
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "{{question}}"),
        ChatMessage("system", "Cite tables."),
    )
    registry.create_prompt(unique_name, messages, "chat")
    text = load_prompt_from_registry(unique_name, registry=registry)
    assert text == "Be brief.\n\nCite tables."


def test_missing_prompt_uses_the_fallback_and_says_why(
    served_prompt: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOADER):
        text = load_prompt_from_registry(served_prompt, "staging", fallback_prompt="Fallback.")
    assert text == "Fallback."
    assert "has no alias 'staging'" in caplog.text
    assert served_prompt in caplog.text


def test_without_fallback_the_error_is_raised(served_prompt: str) -> None:
    with pytest.raises(NotFoundError):
        load_prompt_from_registry(served_prompt, 9)


def test_registry_down_falls_back_within_two_seconds(
    registry_down: str, caplog: pytest.LogCaptureFixture
) -> None:
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger=LOADER):
        text = load_prompt_from_registry("agent-system-prompt", "production", "Fallback.")
    assert time.monotonic() - start < 2.0
    assert text == "Fallback."
    assert "could not be reached" in caplog.text


def test_silent_registry_falls_back_at_the_loader_deadline(
    registry_silent: str, caplog: pytest.LogCaptureFixture
) -> None:
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger=LOADER):
        resolved = resolve_system_prompt(model("agent-system-prompt"), env={})
    elapsed = time.monotonic() - start
    assert LOADER_TIMEOUT_S * 0.9 <= elapsed < LOADER_TIMEOUT_S + 1.0
    assert resolved.source == "config"
    assert "did not answer within 2 s" in caplog.text


def test_registry_down_without_fallback_raises(registry_down: str) -> None:
    with pytest.raises(RegistryUnavailableError):
        load_prompt_from_registry("agent-system-prompt")


# -- resolve_system_prompt: registry -> model.system_prompt -> SYSTEM_PROMPT -> default ------


def model(
    name: str, version: str = "latest", system_prompt: str | None = "From config."
) -> ModelConfig:
    return ModelConfig(
        use_prompt_registry=True,
        prompt_name=name,
        prompt_version=version,
        system_prompt=system_prompt,
    )


def test_registry_wins_when_it_answers(
    served_prompt: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOADER):
        resolved = resolve_system_prompt(model(served_prompt, "production"), env={})
    assert resolved.source == "registry"
    assert resolved.text == "Version two for {{team}}."
    assert resolved.version == 2
    assert resolved.uri == f"prompts:/{served_prompt}/2"
    assert resolved.reason is None
    assert not [r for r in caplog.records if r.name == LOADER]


@pytest.mark.parametrize(
    ("system_prompt", "env", "source", "text"),
    [
        ("From config.", {"SYSTEM_PROMPT": "From env."}, "config", "From config."),
        (None, {"SYSTEM_PROMPT": "From env."}, "env", "From env."),
        (None, {}, "default", BUILTIN_DEFAULT_PROMPT),
        ("", {"SYSTEM_PROMPT": ""}, "default", BUILTIN_DEFAULT_PROMPT),
    ],
)
def test_fallback_chain_when_the_registry_is_down(
    registry_down: str,
    caplog: pytest.LogCaptureFixture,
    system_prompt: str | None,
    env: dict[str, str],
    source: str,
    text: str,
) -> None:
    start = time.monotonic()
    with caplog.at_level(logging.WARNING, logger=LOADER):
        resolved = resolve_system_prompt(
            model("agent-system-prompt", "production", system_prompt), env=env
        )
    assert time.monotonic() - start < 2.0
    assert (resolved.source, resolved.text) == (source, text)
    assert resolved.version is None
    assert resolved.reason and "could not be reached" in resolved.reason
    assert f"falling back to the {source} prompt" in caplog.text
    assert "could not be reached" in caplog.text


def test_missing_alias_falls_back_and_says_why(
    served_prompt: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOADER):
        resolved = resolve_system_prompt(model(served_prompt, "staging"), env={})
    assert resolved.source == "config"
    assert resolved.reason == f"Prompt '{served_prompt}' has no alias 'staging'."
    assert "has no alias 'staging'" in caplog.text


def test_registry_switched_off_uses_config_without_a_request(
    registry_down: str, caplog: pytest.LogCaptureFixture
) -> None:
    off = ModelConfig(use_prompt_registry=False, prompt_name="p", system_prompt="From config.")
    with caplog.at_level(logging.WARNING, logger=LOADER):
        resolved = resolve_system_prompt(off, env={})
    assert (resolved.source, resolved.text) == ("config", "From config.")
    assert resolved.reason == "use_prompt_registry is false"


def test_no_prompt_name_is_a_reason_to_fall_back(caplog: pytest.LogCaptureFixture) -> None:
    unnamed = ModelConfig(use_prompt_registry=True, prompt_name="")
    with caplog.at_level(logging.WARNING, logger=LOADER):
        resolved = resolve_system_prompt(unnamed, env={"SYSTEM_PROMPT": "From env."})
    assert (resolved.source, resolved.reason) == ("env", "prompt_name is not set")
    assert "prompt_name is not set" in caplog.text


def test_process_environment_is_the_default_env(
    registry_down: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYSTEM_PROMPT", "From the process.")
    resolved = resolve_system_prompt(model("agent-system-prompt", system_prompt=None))
    assert (resolved.source, resolved.text) == ("env", "From the process.")


def test_loader_deadline_is_two_seconds() -> None:
    assert LOADER_TIMEOUT_S == 2.0
