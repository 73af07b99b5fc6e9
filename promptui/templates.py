"""Template variables and rendering, the way MLflow's `PromptVersion.format` does it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from promptui.registry.models import ChatMessage

# Same pattern as mlflow.prompt.constants.PROMPT_TEMPLATE_VARIABLE_PATTERN.
VARIABLE_PATTERN = re.compile(
    r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*(?:\.[a-zA-Z_][a-zA-Z0-9_]*)*)\s*\}\}"
)


def extract_variables(texts: str | Iterable[str]) -> tuple[str, ...]:
    """Variable names in order of first appearance, without duplicates."""
    if isinstance(texts, str):
        texts = [texts]
    seen: dict[str, None] = {}
    for text in texts:
        for match in VARIABLE_PATTERN.finditer(text):
            seen.setdefault(match.group(1), None)
    return tuple(seen)


def message_variables(messages: Iterable[ChatMessage]) -> tuple[str, ...]:
    """Variables used anywhere in a chat template."""
    return extract_variables(m.content for m in messages)


def missing_variables(variables: Iterable[str], values: Mapping[str, str]) -> tuple[str, ...]:
    """Variables without a value (empty strings count as given)."""
    return tuple(v for v in variables if v not in values)


def render_text(text: str, values: Mapping[str, str]) -> str:
    """Fill `{{ var }}` placeholders; unknown placeholders are left as they are."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return VARIABLE_PATTERN.sub(fill, text)


def render_messages(
    messages: Iterable[ChatMessage], values: Mapping[str, str]
) -> tuple[ChatMessage, ...]:
    """Fill placeholders in every message of a chat template."""
    return tuple(ChatMessage(m.role, render_text(m.content, values)) for m in messages)
