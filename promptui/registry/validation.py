"""Input checks run before anything is written (MLflow's own rules, said clearly)."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence

from promptui.registry.errors import InvalidInputError
from promptui.registry.models import CHAT_ROLES, ChatMessage

NAME_RULE = re.compile(r"^[a-zA-Z0-9_.-]+$")
ALIAS_RULE = re.compile(r"^[\w-]+$")  # MLflow's alias rule: no dots, unlike names
RESERVED_ALIAS = re.compile(r"^(latest|v\d+)$", re.IGNORECASE)
TAG_KEY_RULE = re.compile(r"^[/\w.\- :]+$")  # MLflow's rule for tag keys
MAX_TEMPLATE_CHARS = 100_000
MAX_NAME_CHARS = 256
MAX_ALIAS_CHARS = 255
MAX_TAG_KEY_CHARS = 250
MAX_TAG_VALUE_CHARS = 5000
MODEL_CONFIG_KEYS = (
    "provider",
    "model_name",
    "temperature",
    "max_tokens",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "stop_sequences",
)


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


def check_messages(messages: Sequence[ChatMessage]) -> tuple[ChatMessage, ...]:
    """A non-empty chat template: known roles, no empty message, within the length limit."""
    if not messages:
        raise InvalidInputError("A chat prompt needs at least one message.")
    for i, m in enumerate(messages, start=1):
        if m.role not in CHAT_ROLES:
            raise InvalidInputError(
                f"Message {i} has the role {m.role!r}; use one of {', '.join(CHAT_ROLES)}."
            )
        if not m.content or not m.content.strip():
            raise InvalidInputError(f"Message {i} ({m.role}) has no content.")
    size = len(messages_to_json(messages))
    if size > MAX_TEMPLATE_CHARS:
        raise InvalidInputError(
            f"The chat template takes {size:,} characters as stored; MLflow accepts at most "
            f"{MAX_TEMPLATE_CHARS:,}."
        )
    return tuple(messages)


def parse_chat_json(raw: str) -> tuple[ChatMessage, ...]:
    """Chat messages from JSON text (`[{"role": ..., "content": ...}, ...]`), checked."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise InvalidInputError(
            f"The chat template is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})."
        ) from None
    return check_messages(messages_from_data(data))


def messages_from_data(data: object) -> tuple[ChatMessage, ...]:
    """Chat messages from decoded JSON; shape errors become InvalidInputError."""
    if not isinstance(data, list):
        raise InvalidInputError('A chat template is a list of {"role": ..., "content": ...}.')
    out = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict) or "role" not in item or "content" not in item:
            raise InvalidInputError(f'Message {i} needs both "role" and "content".')
        if not isinstance(item["role"], str) or not isinstance(item["content"], str):
            raise InvalidInputError(f"Message {i}: role and content must be text.")
        out.append(ChatMessage(item["role"], item["content"]))
    return tuple(out)


def messages_to_json(messages: Sequence[ChatMessage]) -> str:
    """The JSON MLflow stores for a chat template."""
    return json.dumps([{"role": m.role, "content": m.content} for m in messages])


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
    key = key.strip() if key else ""
    if not key:
        raise InvalidInputError("A tag needs a key.")
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


def check_model_config(config: Mapping[str, object] | None) -> dict[str, object]:
    """Model settings with MLflow's field names and sane ranges; empty values are dropped."""
    out: dict[str, object] = {}
    for key, value in (config or {}).items():
        if value is None or value == "" or value == []:
            continue
        out[key] = value
    numeric = {
        "temperature": (0.0, float("inf")),
        "top_p": (0.0, 1.0),
        "frequency_penalty": (-2.0, 2.0),
        "presence_penalty": (-2.0, 2.0),
    }
    for key, (lo, hi) in numeric.items():
        if key in out:
            v = out[key]
            if not isinstance(v, int | float) or isinstance(v, bool) or not lo <= v <= hi:
                bounds = f"at least {lo}" if hi == float("inf") else f"from {lo} to {hi}"
                raise InvalidInputError(f"{key} must be a number {bounds}.")
    for key in ("max_tokens", "top_k"):
        if key in out:
            v = out[key]
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise InvalidInputError(f"{key} must be a whole number of at least 1.")
    if "stop_sequences" in out:
        v = out["stop_sequences"]
        if not isinstance(v, list | tuple) or not all(isinstance(s, str) for s in v):
            raise InvalidInputError("stop_sequences must be a list of strings.")
        out["stop_sequences"] = list(v)
    return out
