"""The guide's loader: a prompt from the registry, with the fallback chain when it fails.

Chain: registry -> `model.system_prompt` -> `SYSTEM_PROMPT` env variable -> built-in default.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from promptui.config import ModelConfig
from promptui.registry import PromptRegistry
from promptui.registry.errors import InvalidInputError, PromptUIError
from promptui.registry.models import PromptVersion
from promptui.registry.uris import parse_prompt_ref

log = logging.getLogger(__name__)

BUILTIN_DEFAULT_PROMPT = "You are a helpful assistant."
LOADER_TIMEOUT_S = 2.0
Source = Literal["registry", "config", "env", "default"]


@dataclass(frozen=True)
class ResolvedPrompt:
    """The system prompt an application would use, and where it came from."""

    text: str
    source: Source
    version: int | None = None
    uri: str | None = None
    reason: str | None = None  # why the registry was not used


def prompt_text(version: PromptVersion) -> str:
    """The text to use as a system prompt: the template, or a chat prompt's system message(s)
    (else its first message with text). InvalidInputError when a chat version has no text."""
    if not version.is_chat:
        return version.text
    system = [t for m in version.messages if m.role == "system" and (t := m.text())]
    if system:
        return "\n\n".join(system)
    first = next((t for m in version.messages if (t := m.text())), None)
    if first is None:
        what = "no messages" if not version.messages else "no message with text"
        raise InvalidInputError(
            f"Prompt '{version.name}' version {version.version} is a chat prompt with {what}; "
            "there is no text to use as a system prompt."
        )
    return first


def _registry(registry: PromptRegistry | None) -> PromptRegistry:
    return registry or PromptRegistry(timeout_s=LOADER_TIMEOUT_S)


def load_prompt_from_registry(
    prompt_name: str,
    prompt_version: str | int | None = None,
    fallback_prompt: str | None = None,
    *,
    registry: PromptRegistry | None = None,
) -> str:
    """The prompt's text by name and version number, `latest` (the default) or alias, or by a
    `prompts:/NAME/N` or `prompts:/NAME@ALIAS` URI; one or two requests.

    With a fallback, any failure (bad input, missing prompt or alias, registry down) logs why
    and returns the fallback; without one, the failure is raised as a promptui error.
    """
    try:
        name, ref = parse_prompt_ref(prompt_name, prompt_version)
        return prompt_text(_registry(registry).get_version(name, ref))
    except Exception as e:
        if fallback_prompt is None:
            raise
        log.warning(
            "Failed to load prompt %r (%s) from the registry, using the fallback prompt: %s",
            prompt_name,
            prompt_version or "latest",
            e.message if isinstance(e, PromptUIError) else f"{type(e).__name__}: {e}",
        )
        return fallback_prompt


def resolve_system_prompt(
    model: ModelConfig,
    *,
    registry: PromptRegistry | None = None,
    env: Mapping[str, str] | None = None,
) -> ResolvedPrompt:
    """Walk the guide's fallback chain for one environment's model config."""
    env = os.environ if env is None else env
    reason: str | None = None
    if not model.use_prompt_registry:
        reason = "use_prompt_registry is false"
    elif not model.prompt_name:
        reason = "prompt_name is not set"
    else:
        try:
            version = _registry(registry).get_version(model.prompt_name, model.prompt_version)
            return ResolvedPrompt(
                text=prompt_text(version),
                source="registry",
                version=version.version,
                uri=version.uri,
            )
        except Exception as e:  # any failure falls back, with the reason logged
            reason = e.message if isinstance(e, PromptUIError) else f"{type(e).__name__}: {e}"
    if model.system_prompt:
        source: Source = "config"
        text = model.system_prompt
    elif env.get("SYSTEM_PROMPT"):
        source, text = "env", env["SYSTEM_PROMPT"]
    else:
        source, text = "default", BUILTIN_DEFAULT_PROMPT
    if model.use_prompt_registry:
        log.warning("Registry prompt not used (%s); falling back to the %s prompt.", reason, source)
    return ResolvedPrompt(text=text, source=source, reason=reason)
