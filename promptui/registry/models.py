"""Frozen dataclasses the service layer returns; no MLflow entity leaves registry.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

PromptType = Literal["text", "chat"]
CHAT_ROLES: tuple[str, ...] = ("system", "user", "assistant")


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat template."""

    role: str
    content: str


@dataclass(frozen=True)
class PromptVersion:
    """One immutable version of a prompt."""

    name: str
    version: int
    prompt_type: PromptType
    text: str  # text template, or the chat messages as MLflow stores them (JSON)
    messages: tuple[ChatMessage, ...]  # chat templates only; empty for text
    variables: tuple[str, ...]
    commit_message: str
    tags: Mapping[str, str]
    model_config: Mapping[str, object]
    aliases: tuple[str, ...]
    created_at: datetime
    author: str | None = None

    @property
    def uri(self) -> str:
        """The `prompts:/NAME/N` URI that loads exactly this version."""
        return f"prompts:/{self.name}/{self.version}"

    @property
    def is_chat(self) -> bool:
        return self.prompt_type == "chat"

    @property
    def template(self) -> str | list[dict[str, str]]:
        """The template in the form MLflow's register_prompt takes."""
        if self.is_chat:
            return [{"role": m.role, "content": m.content} for m in self.messages]
        return self.text


@dataclass(frozen=True)
class PromptSummary:
    """A row of the prompts list, built from the single list request."""

    name: str
    latest_version: int
    aliases: Mapping[str, int]
    tags: Mapping[str, str]
    updated_at: datetime
    created_at: datetime
    prompt_type: PromptType
    latest_text: str
    latest_commit_message: str = ""


@dataclass(frozen=True)
class PromptDetail:
    """A prompt with every version, newest first."""

    name: str
    tags: Mapping[str, str]
    aliases: Mapping[str, int]
    versions: tuple[PromptVersion, ...]
    created_at: datetime
    updated_at: datetime
    description: str = ""

    @property
    def latest(self) -> PromptVersion | None:
        return self.versions[0] if self.versions else None

    def version(self, number: int) -> PromptVersion | None:
        """The version with this number, or None."""
        return next((v for v in self.versions if v.version == number), None)

    def resolve(self, ref: str | int) -> PromptVersion | None:
        """A version by number, `latest`, `vN` or alias name; None when nothing matches."""
        text = str(ref).strip()
        if text.lower() == "latest":
            return self.latest
        if text.isascii() and text.isdigit():
            return self.version(int(text))
        if text[:1] in "vV" and text[1:].isascii() and text[1:].isdigit():
            return self.version(int(text[1:]))
        if text in self.aliases:
            return self.version(self.aliases[text])
        return None


@dataclass(frozen=True)
class AliasMove:
    """The result of an alias change: where it was and where it is now."""

    name: str
    alias: str
    from_version: int | None
    to_version: int | None


@dataclass(frozen=True)
class RegistryInfo:
    """What the home page shows about the connection."""

    uri: str
    kind: Literal["embedded", "server", "databricks"]
    prompt_count: int
    extra: Mapping[str, str] = field(default_factory=dict)
