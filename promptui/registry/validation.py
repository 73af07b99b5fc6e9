"""Input checks run before anything is written: MLflow's own rules (its pydantic models for
chat messages and model settings), said clearly."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Any

from mlflow.entities.model_registry.prompt_version import PromptModelConfig
from mlflow.types.chat import ChatMessage as MlflowChatMessage
from pydantic import ValidationError

from promptui.registry.errors import InvalidInputError
from promptui.registry.models import ChatMessage

NAME_RULE = re.compile(r"^[a-zA-Z0-9_.-]+$")
ALIAS_RULE = re.compile(r"^[\w-]+$")  # MLflow's alias rule: no dots, unlike names
RESERVED_ALIAS = re.compile(r"^(latest|v\d+)$", re.IGNORECASE)
TAG_KEY_RULE = re.compile(r"^[/\w.\- :]+$")  # MLflow's rule for tag keys
MAX_TEMPLATE_CHARS = 100_000
MAX_NAME_CHARS = 256
MAX_ALIAS_CHARS = 255
MAX_TAG_KEY_CHARS = 250
MAX_TAG_VALUE_CHARS = 5000


def check_name(name: str) -> str:
    """A prompt name MLflow accepts: letters, digits, `_`, `.`, `-`."""
    if not name or not name.strip():
        raise InvalidInputError("Enter a prompt name.")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInputError(
            f"The name is {len(name)} characters long; use at most {MAX_NAME_CHARS}."
        )
    if not NAME_RULE.fullmatch(name):
        bad = sorted({c for c in name if not NAME_RULE.fullmatch(c)})
        shown = " ".join(repr(c) for c in bad[:5])
        raise InvalidInputError(
            f"A prompt name may contain only letters, digits, '_', '.' and '-' (found {shown})."
        )
    if name == "." or name.startswith(".."):
        # MLflow refuses names that read as file paths.
        raise InvalidInputError(f"'{name}' reads as a file path; start the name with a letter.")
    return name


def check_text_template(text: str) -> str:
    """A non-empty text template within MLflow's length limit."""
    if not text or not text.strip():
        raise InvalidInputError("The template is empty: write the prompt text first.")
    if len(text) > MAX_TEMPLATE_CHARS:
        raise InvalidInputError(
            f"The template has {len(text):,} characters; MLflow accepts at most "
            f"{MAX_TEMPLATE_CHARS:,}. Shorten it by {len(text) - MAX_TEMPLATE_CHARS:,}."
        )
    return text


def message_problem(message: ChatMessage) -> str:
    """What MLflow's own message model (`mlflow.types.chat.ChatMessage`) refuses in a stored or
    edited chat message; "" when it accepts it."""
    try:
        MlflowChatMessage.model_validate(message.data())
    except ValidationError as e:
        return _pydantic_reason(e)
    return ""


def check_messages(
    messages: Sequence[ChatMessage], keep: Sequence[ChatMessage] = ()
) -> tuple[ChatMessage, ...]:
    """A chat template to write: at least one message; every message not in `keep` (those
    carried unchanged from the version it was edited from) accepted by MLflow's message model
    and, when its content is text, not blank; within the length limit as stored."""
    if not messages:
        raise InvalidInputError("A chat prompt needs at least one message.")
    kept = set(keep)
    for i, m in enumerate(messages, start=1):
        if m in kept:
            continue
        problem = message_problem(m)
        if problem:
            raise InvalidInputError(f"Message {i} ({m.role}): {problem}")
        if m.has_text and not (m.content or "").strip():
            raise InvalidInputError(f"Message {i} ({m.role}) has no content.")
    size = len(messages_to_json(messages))
    if size > MAX_TEMPLATE_CHARS:
        raise InvalidInputError(
            f"The chat template takes {size:,} characters as stored; MLflow accepts at most "
            f"{MAX_TEMPLATE_CHARS:,}."
        )
    return tuple(messages)


def parse_json(raw: str, what: str) -> Any:
    """Decoded JSON text; InvalidInputError says where it breaks (`what` names the field)."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise InvalidInputError(
            f"{what} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})."
        ) from None


def parse_chat_json(raw: str) -> tuple[ChatMessage, ...]:
    """Chat messages from JSON text (`[{"role": ..., "content": ...}, ...]`), checked."""
    return check_messages(messages_from_data(parse_json(raw, "The chat template")))


def parse_message_json(raw: str, number: int) -> ChatMessage:
    """One chat message edited as a JSON object, checked by MLflow's message model."""
    data = parse_json(raw, f"Message {number}")
    (message,) = messages_from_data([data], start=number)
    problem = message_problem(message)
    if problem:
        raise InvalidInputError(f"Message {number} ({message.role}): {problem}")
    return message


def messages_from_data(data: object, start: int = 1) -> tuple[ChatMessage, ...]:
    """Chat messages from decoded JSON, each kept as it is; shape errors become
    InvalidInputError."""
    if not isinstance(data, list):
        raise InvalidInputError('A chat template is a list of {"role": ..., "content": ...}.')
    out = []
    for i, item in enumerate(data, start=start):
        if not isinstance(item, dict) or not isinstance(item.get("role"), str):
            raise InvalidInputError(f'Message {i} needs a "role" (text).')
        out.append(ChatMessage.from_data(item))
    return tuple(out)


def messages_to_json(messages: Sequence[ChatMessage]) -> str:
    """The JSON MLflow stores for a chat template."""
    return json.dumps([m.data() for m in messages])


def check_alias(alias: str) -> str:
    """An alias MLflow accepts and that is not reserved (`latest`, `v<digits>`)."""
    if not alias or not alias.strip():
        raise InvalidInputError("Enter an alias name.")
    if alias != alias.strip() or any(c.isspace() for c in alias):
        raise InvalidInputError("An alias may not contain spaces.")
    if len(alias) > MAX_ALIAS_CHARS:
        raise InvalidInputError(
            f"The alias is {len(alias)} characters long; use at most {MAX_ALIAS_CHARS}."
        )
    if RESERVED_ALIAS.match(alias):
        raise InvalidInputError(
            f"'{alias}' is reserved: 'latest' always means the newest version and 'v<number>' "
            "names a version. Choose another alias, such as 'production' or 'champion'."
        )
    if not ALIAS_RULE.fullmatch(alias):
        raise InvalidInputError("An alias may contain only letters, digits, '_' and '-'.")
    return alias


def check_tag(key: str, value: str) -> tuple[str, str]:
    """A user tag: non-empty key, not one of MLflow's internal keys, within limits."""
    key = key or ""
    if not key.strip():
        raise InvalidInputError("A tag needs a key.")
    if key != key.strip():
        raise InvalidInputError("A tag key may not start or end with a space.")
    if len(key) > MAX_TAG_KEY_CHARS:
        raise InvalidInputError(f"Tag keys are at most {MAX_TAG_KEY_CHARS} characters.")
    if key.startswith(("mlflow.", "_mlflow")):
        raise InvalidInputError(f"'{key}' is reserved for MLflow's own tags; choose another key.")
    if not TAG_KEY_RULE.fullmatch(key):
        bad = sorted({c for c in key if not TAG_KEY_RULE.fullmatch(c)})
        shown = " ".join(repr(c) for c in bad[:5])
        raise InvalidInputError(
            "A tag key may contain only letters, digits, spaces and '_', '-', '.', ':', '/' "
            f"(found {shown})."
        )
    if posixpath.normpath(key) != key or key.startswith(("/", "..")) or key == ".":
        # MLflow refuses keys that would name another path, such as 'a//b' or 'a/'.
        raise InvalidInputError(f"The tag key '{key}' reads as a file path; write it plainly.")
    if value is None:
        value = ""
    if len(value) > MAX_TAG_VALUE_CHARS:
        raise InvalidInputError(f"Tag values are at most {MAX_TAG_VALUE_CHARS:,} characters.")
    return key, value


def check_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Every tag of a mapping checked."""
    return dict(check_tag(k, v) for k, v in (tags or {}).items())


def check_commit_message(message: str) -> str:
    """A commit message is required for new versions (the guide's best practice 1)."""
    if not message or not message.strip():
        raise InvalidInputError("Write a commit message that says what changed and why.")
    return message.strip()


def check_model_config(
    config: Mapping[str, object] | None, base: Mapping[str, object] | None = None
) -> dict[str, object]:
    """Model settings by MLflow's own rules (`PromptModelConfig`), normalized as MLflow stores
    them. With `base`, only the keys whose values differ from it are checked; the others are
    kept exactly as they are."""
    config = dict(config or {})
    if base is None:
        return _mlflow_config(config)
    changed = {k: v for k, v in config.items() if k not in base or not _same(base[k], v)}
    checked = _mlflow_config(changed)
    return {
        k: checked[k] if k in changed else v
        for k, v in config.items()
        if k in checked or k not in changed
    }


def _same(a: object, b: object) -> bool:
    return a == b and type(a) is type(b)


def _mlflow_config(config: Mapping[str, object]) -> dict[str, object]:
    try:
        return PromptModelConfig.from_dict(dict(config)).to_dict()
    except ValidationError as e:
        raise InvalidInputError(f"Model settings: {_pydantic_reason(e)}") from None


def check_response_format(value: object) -> dict[str, object] | None:
    """A response format as MLflow stores it: a JSON schema object (None or empty: none)."""
    if value is None or value == {}:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInputError("A response format is a JSON object (a JSON schema).")
    return dict(value)


def _pydantic_reason(error: ValidationError) -> str:
    """`temperature: Input should be greater than or equal to 0`: the first problem of each of
    the first two fields (a union's alternatives are not listed one by one)."""
    first: dict[str, str] = {}
    for item in error.errors():
        loc = item.get("loc", ())
        first.setdefault(str(loc[0]) if loc else "", str(item.get("msg")))
    parts = [f"{k}: {v}" if k else v for k, v in list(first.items())[:2]]
    return "; ".join(parts)
