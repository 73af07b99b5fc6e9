"""Frozen dataclasses the service layer returns; no MLflow entity leaves the registry group.

A `PromptVersion` is as wide as what MLflow stores for a version: the template exactly as
stored (chat messages with any content shape and any extra keys), its type, the response format,
the whole model config, every tag and the commit message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

PromptType = Literal["text", "chat"]
# Roles the editor offers; MLflow accepts any role text, and a stored one is kept as it is.
CHAT_ROLES: tuple[str, ...] = ("system", "user", "assistant", "developer", "tool")
_PLAIN_KEYS = ["role", "content"]


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat template, exactly as MLflow stores it.

    `role` is the message's role and `content` its text content, or None when the stored content
    is null, absent or a list of parts. `stored` is the whole message as JSON text whenever it
    holds more than a role and a text content (content parts, `tool_calls`, `name`, ...) or its
    keys come in another order; it is empty for a plain `{"role": ..., "content": "..."}`.
    """

    role: str
    content: str | None = ""
    stored: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ChatMessage:
        """The message from its decoded JSON object (keys and their order kept)."""
        role = data.get("role")
        content = data.get("content")
        plain = list(data) == _PLAIN_KEYS and isinstance(role, str) and isinstance(content, str)
        return cls(
            role=role if isinstance(role, str) else str(role),
            content=content if isinstance(content, str) else None,
            stored="" if plain else json.dumps(dict(data)),
        )

    def data(self) -> dict[str, Any]:
        """The message as MLflow stores it (a JSON object)."""
        if self.stored:
            return json.loads(self.stored)
        return {"role": self.role, "content": self.content}

    @property
    def is_plain(self) -> bool:
        """Just a role and a text content: fully editable as text."""
        return not self.stored and isinstance(self.content, str)

    @property
    def has_text(self) -> bool:
        """The content is text (possibly with extra keys beside it)."""
        return isinstance(self.content, str)

    @property
    def extra_keys(self) -> tuple[str, ...]:
        """Keys beyond `role` and `content`, in stored order."""
        return tuple(k for k in self.data() if k not in ("role", "content"))

    @property
    def parts(self) -> list[Any] | None:
        """The list of content parts, when the content is one."""
        content = self.data().get("content") if self.stored else None
        return content if isinstance(content, list) else None

    def text(self) -> str:
        """What a person reads: the text content, or the text of the content parts."""
        if isinstance(self.content, str):
            return self.content
        texts = [p.get("text") for p in self.parts or [] if isinstance(p, dict)]
        return "\n".join(t for t in texts if isinstance(t, str))

    def readable(self) -> str:
        """The message for a diff: its text content, then anything else it holds as JSON."""
        if self.is_plain:
            return self.content or ""
        rest = {k: v for k, v in self.data().items() if k != "role"}
        if isinstance(self.content, str):
            rest.pop("content")
            extra = json.dumps(rest, indent=2, ensure_ascii=False)
            return f"{self.content}\n{extra}" if rest else self.content
        return json.dumps(rest, indent=2, ensure_ascii=False)

    def with_role(self, role: str) -> ChatMessage:
        """The same message with another role (other keys and their order kept)."""
        data = self.data()
        data["role"] = role
        return ChatMessage.from_data(data)

    def with_content(self, content: str) -> ChatMessage:
        """The same message with another text content (other keys and their order kept)."""
        data = self.data()
        data["content"] = content
        return ChatMessage.from_data(data)


@dataclass(frozen=True)
class PromptVersion:
    """One immutable version of a prompt, with everything MLflow stores for it."""

    name: str
    version: int
    prompt_type: PromptType
    text: str  # the template exactly as stored: text, or a chat template's JSON
    messages: tuple[ChatMessage, ...]  # chat templates only; empty for text
    variables: tuple[str, ...]  # what `format()` fills, in order of first appearance
    commit_message: str
    tags: Mapping[str, str]  # every version tag but MLflow's five reserved prompt tags
    model_config: Mapping[str, object]
    aliases: tuple[str, ...]
    created_at: datetime
    author: str | None = None
    response_format: Mapping[str, object] | None = None
    # The stored JSON of the model config and the response format (None: not set), so a new
    # version that keeps them carries them byte for byte.
    model_config_json: str | None = None
    response_format_json: str | None = None
    problem: str = ""  # why MLflow cannot load the version as stored ("" when it can)
    uses_jinja: bool = False  # rendered by Jinja2 (`{% ... %}` blocks), as MLflow's format does

    @property
    def uri(self) -> str:
        """The `prompts:/NAME/N` URI that loads exactly this version."""
        return f"prompts:/{self.name}/{self.version}"

    @property
    def is_chat(self) -> bool:
        return self.prompt_type == "chat"

    @property
    def template(self) -> str | list[dict[str, Any]]:
        """The template in the form MLflow's register_prompt takes."""
        if self.is_chat:
            return [m.data() for m in self.messages]
        return self.text

    @property
    def user_tags(self) -> dict[str, str]:
        """Tags a person set (not MLflow's or promptui's own bookkeeping)."""
        return {k: v for k, v in self.tags.items() if not is_internal_tag(k)}

    @property
    def system_tags(self) -> dict[str, str]:
        """Bookkeeping tags MLflow or promptui set on this version (e.g. linked runs)."""
        return {k: v for k, v in self.tags.items() if is_internal_tag(k)}

    def readable_text(self) -> str:
        """The template as a person reads it: the text, or each message's text."""
        if not self.is_chat:
            return self.text
        return "\n\n".join(m.text() for m in self.messages)


def is_internal_tag(key: str) -> bool:
    """Tags MLflow and promptui keep for themselves."""
    return key.startswith(("mlflow.", "_mlflow", "_promptui"))


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
    latest_text: str  # the latest template as a person reads it (chat: each message's text)
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
