"""How a stored version's values map onto the editor's fields and back, exactly.

A value moves into a form field only when the field shows it exactly (e.g. stop sequences
without line breaks, a temperature stored as a float); anything else stays in the JSON of the
other settings, so an untouched field never changes what is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from promptui.registry import validation
from promptui.registry.errors import InvalidInputError

T = TypeVar("T")

# The model settings the form has fields for (the fields of MLflow's own prompt form).
EDITED_CONFIG_KEYS = ("model_name", "temperature", "max_tokens", "top_p", "stop_sequences")


def parse_tags(text: str) -> dict[str, str]:
    """Tags from `key=value` lines (blank lines skipped), each checked."""
    tags: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise InvalidInputError(f"Tag line {number} needs the form key=value.")
        key, _, value = line.partition("=")
        key, value = validation.check_tag(key.strip(), value.strip())  # `key = value` lines
        tags[key] = value
    return tags


def json_text(value: dict[str, Any]) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) if value else ""


def json_object(text: str, what: str) -> dict[str, Any]:
    """A JSON object typed into a field ({} when blank); InvalidInputError says what is wrong."""
    if not text.strip():
        return {}
    value = validation.parse_json(text, what)
    if not isinstance(value, dict):
        raise InvalidInputError(f"{what}: write a JSON object, {{...}}.")
    return value


def same_json(a: object, b: object) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def config_position(order: list[str], key: str) -> tuple[int, int]:
    if key in order:
        return (0, order.index(key))
    return (1, EDITED_CONFIG_KEYS.index(key) if key in EDITED_CONFIG_KEYS else 0)


def take(config: dict[str, object], key: str, convert: Callable[[object], T | None]) -> T | None:
    """Move a setting out of `config` when the form can edit it; odd values stay behind."""
    value = convert(config.get(key))
    if value is not None:
        del config[key]
    return value


def as_text(value: object) -> str | None:
    return value if isinstance(value, str) and value and value == value.strip() else None


def as_strings(value: object) -> list[str] | None:
    """Stop sequences the one-per-line field shows exactly (else they stay as stored)."""
    if isinstance(value, list) and value and all(_one_line(v) for v in value):
        return value
    return None


def _one_line(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip()) and value.splitlines() == [value]


def as_number(value: object) -> float | None:
    if isinstance(value, float) and value >= 0:
        return value
    return None


def as_fraction(value: object) -> float | None:
    number = as_number(value)
    return number if number is not None and number <= 1 else None


def as_whole(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return None
