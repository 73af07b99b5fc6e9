"""Bounded failure: a dead or silent registry gives RegistryUnavailableError within the deadline.

These measure failure behaviour against a bound (not speed): a closed loopback port must fail
within the default 5 s, a server that accepts and never answers at the configured `timeout_s`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from promptui.config import DEFAULT_TIMEOUT_S
from promptui.registry import PromptRegistry
from promptui.registry.errors import RegistryUnavailableError
from promptui.registry.models import ChatMessage
from tests.servers import free_port

Operation = Callable[[PromptRegistry], object]

OPERATIONS: dict[str, Operation] = {
    "list_prompts": lambda r: r.list_prompts(),
    "list_prompts search": lambda r: r.list_prompts("agent"),
    "get_prompt": lambda r: r.get_prompt("p"),
    "get_version latest": lambda r: r.get_version("p", "latest"),
    "get_version number": lambda r: r.get_version("p", 2),
    "get_version alias": lambda r: r.get_version("p", "production"),
    "latest_version_number": lambda r: r.latest_version_number("p"),
    "get_aliases": lambda r: r.get_aliases("p"),
    "info": lambda r: r.info(),
    "create_prompt text": lambda r: r.create_prompt("p", "Hello {{name}}", "first"),
    "create_prompt chat": lambda r: r.create_prompt("p", (ChatMessage("user", "{{q}}"),)),
    "commit_version": lambda r: r.commit_version("p", "Text", "message"),
    "commit_version with base": lambda r: r.commit_version("p", "Text", "msg", base_version=1),
    "set_alias": lambda r: r.set_alias("p", "production", 1),
    "set_alias expected": lambda r: r.set_alias("p", "production", 2, expected=1),
    "delete_alias": lambda r: r.delete_alias("p", "production"),
    "set_prompt_tag": lambda r: r.set_prompt_tag("p", "team", "a"),
    "delete_prompt_tag": lambda r: r.delete_prompt_tag("p", "team"),
    "delete_version": lambda r: r.delete_version("p", 1),
    "delete_prompt": lambda r: r.delete_prompt("p"),
}


def closed_url() -> str:
    """A loopback URL nobody listens on."""
    return f"http://127.0.0.1:{free_port()}"


def fails_unavailable(registry: PromptRegistry, op: Operation) -> tuple[float, str]:
    """Seconds until `op` raised RegistryUnavailableError, and its message."""
    start = time.monotonic()
    with pytest.raises(RegistryUnavailableError) as e:
        op(registry)
    return time.monotonic() - start, e.value.message


def test_default_deadline_is_five_seconds() -> None:
    assert DEFAULT_TIMEOUT_S == 5.0
    assert PromptRegistry(closed_url()).timeout_s == 5.0


@pytest.mark.parametrize("op", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_dead_server_fails_within_five_seconds(op: Operation) -> None:
    url = closed_url()
    elapsed, message = fails_unavailable(PromptRegistry(url), op)
    assert elapsed < 5.0
    assert url in message
    assert "running" in message


@pytest.mark.parametrize("op", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_silent_server_times_out_at_the_configured_bound(silent_url: str, op: Operation) -> None:
    elapsed, message = fails_unavailable(PromptRegistry(silent_url, timeout_s=1.0), op)
    assert 0.9 <= elapsed < 2.5
    assert "did not answer within 1 s" in message


@pytest.mark.parametrize("timeout_s", [0.5, 2.0])
def test_deadline_follows_timeout_s(silent_url: str, timeout_s: float) -> None:
    registry = PromptRegistry(silent_url, timeout_s=timeout_s)
    elapsed, _ = fails_unavailable(registry, OPERATIONS["list_prompts"])
    assert timeout_s * 0.9 <= elapsed < timeout_s + 1.5


def test_a_short_deadline_does_not_shorten_a_longer_one(silent_url: str) -> None:
    # MLflow's per-request timeout is process-wide; a 1 s registry must not cut a 3 s one short.
    PromptRegistry(silent_url, timeout_s=1.0)
    patient = PromptRegistry(silent_url, timeout_s=3.0)
    elapsed, message = fails_unavailable(patient, OPERATIONS["get_prompt"])
    assert 2.7 <= elapsed < 4.5
    assert "within 3 s" in message


def test_errors_do_not_show_credentials() -> None:
    url = f"http://alice:s3cret@127.0.0.1:{free_port()}"
    _, message = fails_unavailable(PromptRegistry(url), OPERATIONS["list_prompts"])
    assert "s3cret" not in message
    assert "alice" not in message
