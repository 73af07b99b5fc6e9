"""An unfinished prompt version: what the editor holds before anything is written.

No Streamlit and no MLflow here: the page keeps a `Draft` in session state, asks it what is
wrong with it, and hands it to `save_draft`, which goes through the service layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from promptui.registry import PromptRegistry, validation
from promptui.registry.errors import InvalidInputError
from promptui.registry.models import CHAT_ROLES, ChatMessage, PromptType, PromptVersion
from promptui.templates import extract_variables

T = TypeVar("T")

# The model settings the editor offers (the fields of MLflow's own prompt form).
EDITED_CONFIG_KEYS = ("model_name", "temperature", "max_tokens", "top_p", "stop_sequences")


@dataclass
class DraftMessage:
    """One chat message being edited; `id` keeps its widgets attached when messages move."""

    id: int
    role: str
    content: str


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
    other_config: dict[str, object] = field(default_factory=dict)  # kept as the base had it
    base_version: int | None = None  # the version the text started from
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

    def add_message(self, role: str = "user", content: str = "") -> DraftMessage:
        """Append a chat message."""
        message = DraftMessage(self.next_id, role, content)
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
        """Switch between text and chat, carrying the text over to one message and back."""
        if prompt_type == self.prompt_type:
            return
        if prompt_type == "chat" and not self.messages:
            if self.text.strip():
                self.add_message("system", self.text)
            else:
                self.add_message("system", "")
                self.add_message("user", "")
        elif prompt_type == "text" and not self.text.strip():
            self.text = "\n\n".join(m.content for m in self.messages if m.content.strip())
        self.prompt_type = prompt_type

    def chat_messages(self) -> tuple[ChatMessage, ...]:
        return tuple(ChatMessage(m.role, m.content) for m in self.messages)

    def template(self) -> str | tuple[ChatMessage, ...]:
        """The template to commit: text, or the chat messages."""
        return self.chat_messages() if self.is_chat else self.text

    def variables(self) -> tuple[str, ...]:
        """`{{variables}}` of the draft, in order of first appearance."""
        if self.prompt_type == "chat":
            return extract_variables(m.content for m in self.messages)
        return extract_variables(self.text)

    def stop_sequences(self) -> list[str]:
        return [line for line in self.stop_text.splitlines() if line.strip()]

    def model_config(self) -> dict[str, object]:
        """Model settings to store with the version (empty fields left out)."""
        edited: dict[str, object] = {
            "model_name": self.model_name.strip(),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "stop_sequences": self.stop_sequences(),
        }
        return {**self.other_config, **{k: v for k, v in edited.items() if v not in ("", None, [])}}

    def tags(self) -> dict[str, str]:
        """Prompt tags parsed from `tags_text` (InvalidInputError names the bad line)."""
        return parse_tags(self.tags_text)

    def problems(self, existing_names: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
        """What stops a commit, by field (`name`, `template`, `commit_message`, ...)."""
        out: dict[str, str] = {}
        checks = {
            "template": lambda: _check_template(self),
            "commit_message": lambda: validation.check_commit_message(self.commit_message),
            "model_config": lambda: validation.check_model_config(self.model_config()),
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
        if self.prompt_type == "chat":
            return all(not m.content.strip() for m in self.messages)
        return not self.text.strip()

    def same_as(self, base: PromptVersion) -> bool:
        """True when committing would store what `base` already holds."""
        if self.prompt_type != base.prompt_type:
            return False
        same_template = (
            self.chat_messages() == tuple(base.messages)
            if self.prompt_type == "chat"
            else self.text == base.text
        )
        return same_template and self.model_config() == dict(base.model_config)


def new_draft(prompt_type: PromptType = "text") -> Draft:
    """An empty draft for a new prompt."""
    draft = Draft(commit_message="Initial version")
    if prompt_type == "chat":
        draft.set_type("chat")
    return draft


def draft_from_version(version: PromptVersion, latest: int) -> Draft:
    """A draft that starts from `version`, having seen versions up to `latest`."""
    config = dict(version.model_config)
    stops = _take(config, "stop_sequences", _strings)
    draft = Draft(
        name=version.name,
        prompt_type=version.prompt_type,
        text=version.text if not version.is_chat else "",
        model_name=_take(config, "model_name", _text) or "",
        temperature=_take(config, "temperature", _number),
        max_tokens=_take(config, "max_tokens", _whole),
        top_p=_take(config, "top_p", _fraction),
        stop_text="\n".join(stops or []),
        other_config=config,  # what the form does not edit is committed unchanged
        base_version=version.version,
        seen_latest=latest,
    )
    for m in version.messages:
        draft.add_message(m.role, m.content)
    return draft


def parse_tags(text: str) -> dict[str, str]:
    """Tags from `key=value` lines (blank lines skipped), each checked."""
    tags: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise InvalidInputError(f"Tag line {number} needs the form key=value.")
        key, _, value = line.partition("=")
        key, value = validation.check_tag(key, value.strip())
        tags[key] = value
    return tags


def role_options(role: str) -> tuple[str, ...]:
    """The roles a message may take, plus its current one when that is not allowed."""
    return CHAT_ROLES if role in CHAT_ROLES else (*CHAT_ROLES, role)


def _check_template(draft: Draft) -> object:
    if draft.prompt_type == "chat":
        return validation.check_messages(draft.chat_messages())
    return validation.check_text_template(draft.text)


def _check_new_name(name: str, existing: set[str] | frozenset[str]) -> str:
    validation.check_name(name)
    if name in existing:
        raise InvalidInputError(
            f"A prompt named '{name}' already exists; open it to commit a new version, "
            "or choose another name."
        )
    return name


def _take(config: dict[str, object], key: str, convert: Callable[[object], T | None]) -> T | None:
    """Move a setting out of `config` when the form can edit it; odd values stay behind."""
    value = convert(config.get(key))
    if value is not None:
        del config[key]
    return value


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def _fraction(value: object) -> float | None:
    number = _number(value)
    return number if number is not None and number <= 1 else None


def _whole(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return None


def save_draft(registry: PromptRegistry, draft: Draft, *, author: str | None) -> PromptVersion:
    """Create the prompt or commit the new version; the stale-base guard uses `seen_latest`."""
    if draft.is_new:
        return registry.create_prompt(
            draft.name,
            draft.template(),
            draft.commit_message.strip(),
            tags=draft.tags(),
            model_config=draft.model_config(),
            author=author,
        )
    return registry.commit_version(
        draft.name,
        draft.template(),
        draft.commit_message,
        base_version=draft.seen_latest,
        model_config=draft.model_config(),
        author=author,
    )
