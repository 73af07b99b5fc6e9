"""`python -m promptui demo` seeds the guide's story, and a second run changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

from promptui.registry import PromptRegistry
from tests.servers import PROJECT_DIR, free_port


def run_demo(tracking_uri: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri}
    return subprocess.run(
        [sys.executable, "-m", "promptui", "demo"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def snapshot(registry: PromptRegistry) -> dict[str, tuple[object, ...]]:
    """Everything a re-run could change: versions, texts, aliases, tags."""
    out = {}
    for summary in registry.list_prompts():
        detail = registry.get_prompt(summary.name)
        texts = tuple((v.version, v.text, v.commit_message) for v in detail.versions)
        out[summary.name] = (texts, dict(detail.aliases), dict(detail.tags))
    return out


def test_demo_seeds_idempotently(sqlite_uri: str) -> None:
    first = run_demo(sqlite_uri)
    assert first.returncode == 0, first.stderr
    assert "Seeded agent-system-prompt" in first.stdout

    registry = PromptRegistry(sqlite_uri)
    agent = registry.get_prompt("agent-system-prompt")
    assert len(agent.versions) >= 3
    assert all(v.prompt_type == "text" for v in agent.versions)
    assert all(v.commit_message for v in agent.versions)
    assert {"production", "champion"} <= set(agent.aliases)
    assert agent.tags.get("project") == "langgraph-agent"

    chats = [s for s in registry.list_prompts() if s.prompt_type == "chat"]
    assert chats, "the demo has a chat prompt"
    chat = registry.get_version(chats[0].name)
    assert chat.is_chat
    assert "question" in chat.variables
    assert any("{{question}}" in m.content for m in chat.messages)

    aliases = {a for s in registry.list_prompts() for a in s.aliases}
    assert {"production", "champion"} <= aliases
    assert all(s.tags for s in registry.list_prompts())
    before = snapshot(registry)

    second = run_demo(sqlite_uri)
    assert second.returncode == 0, second.stderr
    assert "nothing (demo prompts already present)" in second.stdout
    assert snapshot(registry) == before


def test_demo_reports_an_unreachable_registry() -> None:
    result = run_demo(f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert "error: The registry at" in result.stderr
    assert "Traceback" not in result.stderr
