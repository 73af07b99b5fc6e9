"""How MLflow stores a prompt, both ways: its entities read into promptui's dataclasses, and a
new version's content turned into the tags MLflow writes for it.

A prompt is a registered model tagged `mlflow.prompt.is_prompt`; a version keeps its template,
type, response format and model config in reserved version tags (MLflow's own constants).
Reading never downgrades a version: a chat version stays chat whatever its messages hold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mlflow.prompt.constants import (
    IS_PROMPT_TAG_KEY,
    PROMPT_MODEL_CONFIG_TAG_KEY,
    PROMPT_TEXT_TAG_KEY,
    PROMPT_TYPE_CHAT,
    PROMPT_TYPE_TAG_KEY,
    PROMPT_TYPE_TEXT,
    RESPONSE_FORMAT_TAG_KEY,
)

from promptui.registry import validation
from promptui.registry.models import (
    ChatMessage,
    PromptSummary,
    PromptType,
    PromptVersion,
    is_internal_tag,
)
from promptui.registry.validation import message_problem
from promptui.templates import template_variables, uses_jinja

IS_PROMPT_TAG = IS_PROMPT_TAG_KEY
TEXT_TAG = PROMPT_TEXT_TAG_KEY
TYPE_TAG = PROMPT_TYPE_TAG_KEY
MODEL_CONFIG_TAG = PROMPT_MODEL_CONFIG_TAG_KEY
RESPONSE_FORMAT_TAG = RESPONSE_FORMAT_TAG_KEY
RESERVED_TAGS = frozenset(
    {IS_PROMPT_TAG, TEXT_TAG, TYPE_TAG, MODEL_CONFIG_TAG, RESPONSE_FORMAT_TAG}
)
AUTHOR_TAG = "_promptui_author"


def user_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Only the tags a person set."""
    return {k: v for k, v in (tags or {}).items() if not is_internal_tag(k)}


def tags_dict(tags: Any) -> dict[str, str]:
    """Tags as a dict, from MLflow's dict or list-of-tag-objects forms."""
    if isinstance(tags, dict):
        return dict(tags)
    return {t.key: t.value for t in tags or []}


def is_prompt_model(rm: Any) -> bool:
    """True when a registered model is a prompt (MLflow keeps the marker in `_tags`)."""
    internal = tags_dict(getattr(rm, "_tags", None) or rm.tags)
    return IS_PROMPT_TAG in internal or IS_PROMPT_TAG in tags_dict(rm.tags)


def when(ms: int | None) -> datetime:
    return datetime.fromtimestamp((ms or 0) / 1000, tz=UTC)


def _json_object(raw: str | None, what: str) -> tuple[dict[str, Any] | None, str]:
    """A stored JSON object tag, or None and what is wrong with it."""
    if raw is None:
        return None, ""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as e:
        return None, f"its {what} is not valid JSON ({e.msg})"
    if not isinstance(value, dict):
        return None, f"its {what} is not a JSON object"
    return value, ""


def parse_messages(text: str) -> tuple[tuple[ChatMessage, ...], str]:
    """Chat messages from a stored chat template, and what is wrong when MLflow could not load
    them ("" when it can). Every message keeps its stored shape."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return (), f"its chat template is not valid JSON ({e.msg})"
    if not isinstance(data, list):
        return (), "its chat template is not a list of messages"
    messages = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            return (), f"chat message {number} is not a JSON object"
        messages.append(ChatMessage.from_data(item))
    problems = [p for m in messages if (p := message_problem(m))]
    return tuple(messages), problems[0] if problems else ""


def version_from_mlflow(mv: Any, aliases: Mapping[str, int] | None = None) -> PromptVersion:
    """A promptui PromptVersion from an MLflow ModelVersion of a prompt (nothing left out)."""
    tags = tags_dict(mv.tags)
    number = int(mv.version)
    text = tags.get(TEXT_TAG, "")
    problems: list[str] = []
    messages: tuple[ChatMessage, ...] = ()
    prompt_type: PromptType = "chat" if tags.get(TYPE_TAG) == PROMPT_TYPE_CHAT else "text"
    if prompt_type == "chat":
        messages, problem = parse_messages(text)
        problems.append(problem)
    if TEXT_TAG not in tags:
        problems.append("it holds no template")
    config_json = tags.get(MODEL_CONFIG_TAG)
    model_config, problem = _json_object(config_json, "model config")
    problems.append(problem)
    format_json = tags.get(RESPONSE_FORMAT_TAG)
    response_format, problem = _json_object(format_json, "response format")
    problems.append(problem)
    if aliases is not None:
        version_aliases = tuple(sorted(a for a, v in aliases.items() if int(v) == number))
    else:
        version_aliases = tuple(sorted(getattr(mv, "aliases", None) or ()))
    template = messages if prompt_type == "chat" and not problems[0] else text
    shown = [p for p in problems if p]
    return PromptVersion(
        name=mv.name,
        version=number,
        prompt_type=prompt_type,
        text=text,
        messages=messages,
        variables=template_variables(template),
        commit_message=mv.description or "",
        tags={k: v for k, v in tags.items() if k not in RESERVED_TAGS},
        model_config=model_config or {},
        aliases=version_aliases,
        created_at=when(mv.creation_timestamp),
        author=getattr(mv, "user_id", None) or tags.get(AUTHOR_TAG),
        response_format=response_format,
        model_config_json=config_json,
        response_format_json=format_json,
        problem=f"MLflow cannot load this version as stored: {'; '.join(shown)}." if shown else "",
        uses_jinja=uses_jinja(template),
    )


def summary_from_mlflow(rm: Any) -> PromptSummary:
    """A list row from a RegisteredModel returned by search_registered_models."""
    latest = max(rm.latest_versions or [], key=lambda v: int(v.version), default=None)
    aliases = {a: int(v) for a, v in (rm.aliases or {}).items()}
    version = version_from_mlflow(latest, aliases) if latest is not None else None
    return PromptSummary(
        name=rm.name,
        latest_version=version.version if version else 0,
        aliases=dict(sorted(aliases.items())),
        tags=user_tags(tags_dict(rm.tags)),
        updated_at=when(rm.last_updated_timestamp),
        created_at=when(rm.creation_timestamp),
        prompt_type=version.prompt_type if version else "text",
        latest_text=version.readable_text() if version else "",
        latest_commit_message=version.commit_message if version else "",
    )


# -- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionContent:
    """Everything a new version stores besides its commit message: checked, ready to write.

    `text` is the template as stored (a chat template's JSON); the two JSON fields are the
    model config and response format exactly as they will be stored (None: not set).
    """

    prompt_type: PromptType
    text: str
    model_config_json: str | None = None
    response_format_json: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def version_tags(self) -> dict[str, str]:
        """The version's tags as MLflow lays them out for a prompt version."""
        out = {
            IS_PROMPT_TAG: "true",
            TEXT_TAG: self.text,
            TYPE_TAG: PROMPT_TYPE_CHAT if self.prompt_type == "chat" else PROMPT_TYPE_TEXT,
        }
        if self.response_format_json is not None:
            out[RESPONSE_FORMAT_TAG] = self.response_format_json
        if self.model_config_json is not None:
            out[MODEL_CONFIG_TAG] = self.model_config_json
        out.update(self.tags)
        return out

    def template(self) -> str | list[dict[str, Any]]:
        """The template in the form MLflow's `create_prompt_version` takes."""
        return json.loads(self.text) if self.prompt_type == "chat" else self.text


def chat_text(messages: Sequence[ChatMessage]) -> str:
    """A chat template's JSON as MLflow's Python client stores it."""
    return json.dumps([m.data() for m in messages])


def version_content(
    template: str | Sequence[ChatMessage],
    based_on: PromptVersion | None,
    version_tags: Mapping[str, str] | None,
    model_config: Mapping[str, object] | None,
    response_format: Mapping[str, object] | None,
    author: str | None,
) -> VersionContent:
    """A new version's content, checked by MLflow's rules where it differs from `based_on`
    (what equals `based_on` is carried as stored). InvalidInputError says what is wrong."""
    base = based_on
    if isinstance(template, str):
        prompt_type = "text"
        if base is not None and not base.is_chat and template == base.text:
            text = base.text
        else:
            text = validation.check_text_template(template)
    else:
        prompt_type = "chat"
        messages = tuple(template)
        if base is not None and base.is_chat and messages == base.messages:
            text = base.text
        else:
            keep = base.messages if base is not None else ()
            text = chat_text(validation.check_messages(messages, keep))
    if version_tags is None:
        tags = dict(base.user_tags) if base is not None else {}
    elif base is not None and dict(version_tags) == base.user_tags:
        tags = dict(version_tags)
    else:
        tags = validation.check_tags(version_tags)
    if author:
        tags[AUTHOR_TAG] = author[:250]
    return VersionContent(
        prompt_type=prompt_type,  # type: ignore[arg-type]
        text=text,
        model_config_json=_model_config_json(model_config, base),
        response_format_json=_response_format_json(response_format, base),
        tags=tags,
    )


def _model_config_json(
    config: Mapping[str, object] | None, base: PromptVersion | None
) -> str | None:
    if base is not None and (config is None or dict(config) == dict(base.model_config)):
        return base.model_config_json
    checked = validation.check_model_config(config, base.model_config if base else None)
    return json.dumps(checked) if checked else None


def _response_format_json(
    value: Mapping[str, object] | None, base: PromptVersion | None
) -> str | None:
    if base is not None and (value is None or value == base.response_format):
        return base.response_format_json
    checked = validation.check_response_format(value)
    return json.dumps(checked) if checked else None
