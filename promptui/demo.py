"""Demo data: the guide's story, seeded idempotently (existing prompts are left as they are)."""

from __future__ import annotations

from dataclasses import dataclass

from promptui.aliases import move_alias
from promptui.aliases.history import AliasHistory
from promptui.registry import PromptRegistry
from promptui.registry.models import ChatMessage


@dataclass(frozen=True)
class DemoPrompt:
    name: str
    versions: tuple[tuple[str | tuple[ChatMessage, ...], str], ...]  # (template, commit message)
    tags: dict[str, str]
    aliases: dict[str, int]
    model_config: dict[str, object]


DEMO_PROMPTS = (
    DemoPrompt(
        name="agent-system-prompt",
        versions=(
            (
                "You are a helpful AI assistant with access to Databricks tools and MCP "
                "servers. You can help users with data analysis, SQL queries, and workspace "
                "operations.",
                "Initial system prompt for agent",
            ),
            (
                "You are an expert AI assistant specializing in Databricks and data "
                "engineering. You have access to MCP tools for advanced operations.\n\n"
                "Answer in {{language}}.",
                "Enhanced prompt with data engineering focus",
            ),
            (
                "You are an expert AI assistant specializing in Databricks and data "
                "engineering. You have access to MCP tools for advanced operations.\n\n"
                "Break multi-step problems into numbered steps and check each result "
                "before you go on.\n\nAnswer in {{language}} for the {{team}} team.",
                "Added instructions for handling multi-step reasoning",
            ),
        ),
        tags={"project": "langgraph-agent", "team": "data-science", "language": "en"},
        aliases={"production": 2, "champion": 3},
        model_config={"model_name": "databricks-claude-3-7-sonnet", "temperature": 0.7},
    ),
    DemoPrompt(
        name="agent-chat-prompt",
        versions=(
            (
                (
                    ChatMessage(
                        "system", "You are a helpful AI assistant with access to Databricks tools."
                    ),
                    ChatMessage("user", "{{question}}"),
                ),
                "Chat-style system prompt",
            ),
            (
                (
                    ChatMessage(
                        "system",
                        "You are a helpful AI assistant with access to Databricks tools. "
                        "Cite the table names you used.",
                    ),
                    ChatMessage("user", "Context: {{context}}"),
                    ChatMessage("user", "{{question}}"),
                ),
                "Pass retrieved context as its own message",
            ),
        ),
        tags={"project": "langgraph-agent", "team": "data-science"},
        aliases={"production": 1, "champion": 2},
        model_config={"model_name": "databricks-claude-3-7-sonnet", "temperature": 0.2},
    ),
    DemoPrompt(
        name="sql-explainer",
        versions=(
            (
                "Explain what this {{dialect}} query does, step by step:\n\n{{query}}",
                "First version",
            ),
        ),
        tags={"team": "analytics"},
        aliases={"production": 1},
        model_config={"model_name": "gpt-4o-mini", "temperature": 0.0, "max_tokens": 800},
    ),
)


def seed_demo(registry: PromptRegistry) -> list[str]:
    """Create the demo prompts that are missing; returns the names created."""
    existing = {s.name for s in registry.list_prompts()}
    history = AliasHistory(registry)
    created = []
    for demo in DEMO_PROMPTS:
        if demo.name in existing:
            continue
        (first, first_message), *rest = demo.versions
        registry.create_prompt(
            demo.name, first, first_message, tags=demo.tags, model_config=demo.model_config
        )
        for template, message in rest:
            registry.commit_version(demo.name, template, message, model_config=demo.model_config)
        for alias, version in demo.aliases.items():
            move_alias(
                registry, history, demo.name, alias, version, reason="Demo data", user="demo"
            )
        created.append(demo.name)
    return created
