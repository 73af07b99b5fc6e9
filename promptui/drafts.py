"""An unfinished prompt version: what the editor holds before anything is written.

No Streamlit and no MLflow here: the page keeps a `Draft` in session state, asks it what is
wrong with it, and hands it to `save_draft`, which goes through the service layer. A draft
started from a version keeps everything the form does not show (message keys, content parts,
model settings, the response format, version tags) exactly as that version stored it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from promptui.draft_fields import (
    as_fraction,
    as_number,
    as_strings,
    as_text,
    as_whole,
    config_position,
    json_object,
    json_text,
    parse_tags,
    same_json,
    take,
)
from promptui.registry import validation
from promptui.registry.errors import InvalidInputError
from promptui.registry.models import CHAT_ROLES, ChatMessage, PromptType, PromptVersion
from promptui.registry.service import PromptRegistry
from promptui.templates import stored_text, template_variables, uses_jinja

T = TypeVar("T")


@dataclass
class DraftMessage:
    """One chat message being edited; `id` keeps its widgets attached when messages move.

    A message with text content is edited as role and text; one without (content parts, null
    content with `tool_calls`) is edited as its whole JSON in `json_text`. `original` is the
    message as the base version stored it, so keys the form does not show are kept.
    """

    id: int
    role: str
    content: str
    original: ChatMessage | None = None
    json_text: str | None = None

    def message(self, number: int = 1) -> ChatMessage:
        """The message to store (InvalidInputError when its JSON does not parse)."""
        if self.json_text is not None:
            return validation.parse_message_json(self.json_text, number)
        if self.original is not None and self.original.has_text:
            return self.original.with_role(self.role).with_content(self.content)
        return ChatMessage(self.role, self.content)


@dataclass
class Draft:
    """A new prompt (`base_version` None) or a new version of an existing one."""

    name: str = ""
    prompt_type: PromptType = "text"
    text: str = ""
    messages: list[DraftMessage] = field(default_factory=list)
    commit_message: str = ""
    tags_text: str = ""  # new prompts only: one `key=value` per line
    model_name: str = ""
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    stop_text: str = ""  # one stop sequence per line
    other_config_text: str = ""  # model settings without a form field, as a JSON object
    response_format_text: str = ""  # the response format (a JSON schema), "" for none
    version_tags_text: str = ""  # the new version's tags as a JSON object, "" for none
    base: PromptVersion | None = None  # the version the draft started from
    base_version: int | None = None  # its number
    seen_latest: int | None = None  # the newest version the user has seen (stale-base guard)
    stale_latest: int | None = None  # set when a commit found a newer version
    attempted: bool = False  # a commit was tried: empty required fields now count as errors
    next_id: int = 0

    @property
    def is_new(self) -> bool:
        return self.base_version is None

    @property
    def is_chat(self) -> bool:
        return self.prompt_type == "chat"

    def add_message(
        self, role: str = "user", content: str = "", original: ChatMessage | None = None
    ) -> DraftMessage:
        """Append a chat message (`original`: as a stored version holds it)."""
        json_text = None
        if original is not None and not original.has_text:
            json_text = json.dumps(original.data(), indent=2, ensure_ascii=False)
        message = DraftMessage(self.next_id, role, content, original, json_text)
        self.next_id += 1
        self.messages.append(message)
        return message

    def remove_message(self, message_id: int) -> None:
        """Drop one chat message."""
        self.messages = [m for m in self.messages if m.id != message_id]

    def move_message(self, message_id: int, offset: int) -> None:
        """Move a chat message up (-1) or down (+1); stops at either end."""
        index = next(i for i, m in enumerate(self.messages) if m.id == message_id)
        target = min(max(index + offset, 0), len(self.messages) - 1)
        self.messages.insert(target, self.messages.pop(index))

    def set_type(self, prompt_type: PromptType) -> None:
        """Switch between text and chat, carrying the text over to one message and back: the
        side switched to takes the other side's text when it holds none itself. No text is
        dropped (the other side is kept for a switch back)."""
        if prompt_type == self.prompt_type:
            return
        if prompt_type == "chat":
            # Blank messages made here (none read from a stored version or pasted JSON) give
            # way to the text; with no text they stay as they are.
            made_here = all(m.original is None for m in self.messages)
            if self.text.strip() and self._messages_blank() and made_here:
                self.messages = []
                self.add_message("system", self.text)
            elif not self.messages:
                self.add_message("system", "")
                self.add_message("user", "")
        elif prompt_type == "text" and not self.text.strip():
            texts = [m.content for m in self.messages if m.json_text is None]
            self.text = "\n\n".join(t for t in texts if t.strip())
        self.prompt_type = prompt_type

    def _messages_blank(self) -> bool:
        return all(m.json_text is None and not m.content.strip() for m in self.messages)

    def chat_messages(self) -> tuple[ChatMessage, ...]:
        """The messages to store (InvalidInputError when one's JSON does not parse)."""
        return tuple(m.message(i) for i, m in enumerate(self.messages, 1))

    def template(self) -> str | tuple[ChatMessage, ...]:
        """The template to commit: text, or the chat messages."""
        return self.chat_messages() if self.is_chat else self.text

    def variables(self) -> tuple[str, ...]:
        """What `format()` fills, in order of first appearance (MLflow's rules)."""
        if not self.is_chat:
            return template_variables(self.text)
        readable = []
        for i, m in enumerate(self.messages, 1):
            try:
                readable.append(m.message(i))
            except InvalidInputError:
                continue
        return template_variables(tuple(readable))

    def stop_sequences(self) -> list[str]:
        return [line for line in self.stop_text.splitlines() if line.strip()]

    @property
    def other_config(self) -> dict[str, object]:
        """Model settings without a form field (InvalidInputError when the JSON is bad)."""
        return json_object(self.other_config_text, "Other model settings")

    def model_config(self) -> dict[str, object]:
        """Model settings to store: the form's fields (empty ones left out) and the others,
        in the base version's order."""
        edited: dict[str, object] = {
            "model_name": self.model_name.strip(),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "stop_sequences": self.stop_sequences(),
        }
        config = {
            **self.other_config,
            **{k: v for k, v in edited.items() if v not in ("", None, [])},
        }
        order = list(self.base.model_config) if self.base is not None else []
        return dict(sorted(config.items(), key=lambda kv: config_position(order, kv[0])))

    def response_format(self) -> dict[str, object]:
        """The response format to store ({} for none; InvalidInputError on bad JSON)."""
        return json_object(self.response_format_text, "The response format")

    def version_tags(self) -> dict[str, str]:
        """The new version's tags (InvalidInputError on bad JSON or a non-text value)."""
        tags = json_object(self.version_tags_text, "Version tags")
        bad = [k for k, v in tags.items() if not isinstance(v, str)]
        if bad:
            raise InvalidInputError(f"Version tag values are text; {bad[0]!r} is not.")
        return tags  # type: ignore[return-value]

    def tags(self) -> dict[str, str]:
        """Prompt tags parsed from `tags_text` (InvalidInputError names the bad line)."""
        return parse_tags(self.tags_text)

    def problems(self, existing_names: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
        """What stops a commit, by field (`name`, `template`, `commit_message`, ...).

        Checked by MLflow's rules, and only where the draft differs from its base version:
        what it keeps unchanged is never refused."""
        out: dict[str, str] = {}
        base = self.base
        checks: dict[str, Callable[[], object]] = {
            "template": self._check_template,
            "commit_message": lambda: validation.check_commit_message(self.commit_message),
            "model_config": lambda: validation.check_model_config(
                self.model_config(), base.model_config if base else None
            ),
            "response_format": self.response_format,
            "version_tags": self._check_version_tags,
        }
        if self.is_new:
            checks["name"] = lambda: _check_new_name(self.name, existing_names)
            checks["tags"] = self.tags
        for key, check in checks.items():
            try:
                check()
            except InvalidInputError as e:
                out[key] = e.message
        return out

    def _check_template(self) -> object:
        base = self.base
        if not self.is_chat:
            if base is not None and not base.is_chat and self.text == base.text:
                return self.text
            return validation.check_text_template(self.text)
        messages = self.chat_messages()
        if base is not None and base.is_chat and messages == base.messages:
            return messages  # an empty chat version is carried as MLflow stored it
        keep = base.messages if base is not None and base.is_chat else ()
        return validation.check_messages(messages, keep)

    def _check_version_tags(self) -> object:
        tags = self.version_tags()
        if self.base is not None and tags == self.base.user_tags:
            return tags
        return validation.check_tags(tags)

    def visible_problems(
        self, existing_names: set[str] | frozenset[str] = frozenset()
    ) -> dict[str, str]:
        """Problems worth showing now: empty fields count only after a commit was tried."""
        problems = self.problems(existing_names)
        if self.attempted:
            return problems
        empty = {
            "name": not self.name.strip(),
            "template": self._template_empty(),
            "commit_message": not self.commit_message.strip(),
        }
        return {k: v for k, v in problems.items() if not empty.get(k, False)}

    def _template_empty(self) -> bool:
        return self._messages_blank() if self.is_chat else not self.text.strip()

    def as_version(self) -> PromptVersion:
        """The draft as the version it would store, for a diff against its base (version 0;
        InvalidInputError while a JSON field does not parse)."""
        template = self.template()
        return PromptVersion(
            name=self.name,
            version=0,
            prompt_type=self.prompt_type,
            text=stored_text(template),
            messages=template if isinstance(template, tuple) else (),
            variables=template_variables(template),
            commit_message=self.commit_message,
            tags=self.version_tags(),
            model_config=self.model_config(),
            aliases=(),
            created_at=datetime.now(UTC),
            response_format=self.response_format() or None,
            uses_jinja=uses_jinja(template),
        )

    def same_as(self, base: PromptVersion) -> bool:
        """True when committing would store what `base` already holds."""
        if self.prompt_type != base.prompt_type:
            return False
        try:
            same_template = (
                self.chat_messages() == tuple(base.messages)
                if self.is_chat
                else self.text == base.text
            )
        except InvalidInputError:
            return False
        return same_template and self.same_settings_as(base)

    def same_settings_as(self, base: PromptVersion) -> bool:
        """True when the model settings, response format and version tags are `base`'s (the
        template aside); False while one of them is not valid."""
        try:
            return (
                same_json(self.model_config(), dict(base.model_config))
                and same_json(self.response_format(), dict(base.response_format or {}))
                and self.version_tags() == base.user_tags
            )
        except InvalidInputError:
            return False


def new_draft(prompt_type: PromptType = "text") -> Draft:
    """An empty draft for a new prompt."""
    draft = Draft(commit_message="Initial version")
    if prompt_type == "chat":
        draft.set_type("chat")
    return draft


def draft_from_version(version: PromptVersion, latest: int) -> Draft:
    """A draft that starts from `version`, having seen versions up to `latest`."""
    config = dict(version.model_config)
    stops = take(config, "stop_sequences", as_strings)
    draft = Draft(
        name=version.name,
        prompt_type=version.prompt_type,
        text=version.text if not version.is_chat else "",
        model_name=take(config, "model_name", as_text) or "",
        temperature=take(config, "temperature", as_number),
        max_tokens=take(config, "max_tokens", as_whole),
        top_p=take(config, "top_p", as_fraction),
        stop_text="\n".join(stops or []),
        other_config_text=json_text(config),  # committed unchanged unless edited
        response_format_text=json_text(version.response_format or {}),
        version_tags_text=json_text(version.user_tags),
        base=version,
        base_version=version.version,
        seen_latest=latest,
    )
    for m in version.messages:
        draft.add_message(m.role, m.content or "", original=m)
    return draft


def role_options(role: str) -> tuple[str, ...]:
    """The roles offered for a message: the common ones, plus its own when it is another."""
    return CHAT_ROLES if role in CHAT_ROLES else (*CHAT_ROLES, role)


def _check_new_name(name: str, existing: set[str] | frozenset[str]) -> str:
    validation.check_name(name)
    if name in existing:
        raise InvalidInputError(
            f"A prompt named '{name}' already exists; open it to commit a new version, "
            "or choose another name."
        )
    return name


def save_draft(registry: PromptRegistry, draft: Draft, *, author: str | None) -> PromptVersion:
    """Create the prompt or commit the new version; the stale-base guard uses `seen_latest`."""
    if draft.is_new:
        return registry.create_prompt(
            draft.name,
            draft.template(),
            draft.commit_message.strip(),
            tags=draft.tags(),
            version_tags=draft.version_tags(),
            model_config=draft.model_config(),
            response_format=draft.response_format(),
            author=author,
        )
    return registry.commit_version(
        draft.name,
        draft.template(),
        draft.commit_message,
        base_version=draft.seen_latest,
        based_on=draft.base,
        version_tags=draft.version_tags(),
        model_config=draft.model_config(),
        response_format=draft.response_format(),
        author=author,
    )
