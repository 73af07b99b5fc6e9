"""Changes of a version's model settings (the one part of a version MLflow lets change),
recorded beside the alias history: one run per change, with before, after, who and why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from promptui.aliases.history import (
    KIND_TAG,
    REASON_TAG,
    USER_TAG,
    AliasHistory,
    check_reason,
)
from promptui.registry.models import PromptVersion

CONFIG_KIND = "model-config"
VERSION_TAG = "promptui.version"
BEFORE_TAG = "promptui.config.before"
AFTER_TAG = "promptui.config.after"
MAX_RECORDED_CHARS = 8000  # MLflow's limit for a run tag value


@dataclass(frozen=True)
class ConfigChange:
    """One recorded change of a version's model settings (`before`/`after` as MLflow stores
    them: JSON text, None for no settings)."""

    prompt: str
    version: int
    before: str | None
    after: str | None
    at: datetime
    user: str | None
    reason: str
    event_id: str


def _recorded(value: str | None) -> str:
    if value is None:
        return ""
    if len(value) > MAX_RECORDED_CHARS:
        return value[: MAX_RECORDED_CHARS - 40] + " … (cut here: longer than a run tag holds)"
    return value


def change_model_config(
    history: AliasHistory,
    name: str,
    version: int,
    config: Mapping[str, Any],
    *,
    expected_json: str | None,
    reason: str,
    user: str | None,
) -> PromptVersion:
    """Replace the model settings of `name` vN (`PromptRegistry.set_model_config`, with the
    settings the person saw as `expected_json`) and record the change in the history: five
    requests. The reason may be empty; a blank one is stored as empty. Raises what
    `set_model_config` and the history raise (InvalidInputError, ConflictError, …)."""
    reason = check_reason(reason, required=False)
    updated = history.registry.set_model_config(name, version, config, expected_json=expected_json)
    tags = {
        KIND_TAG: CONFIG_KIND,
        VERSION_TAG: str(updated.version),
        BEFORE_TAG: _recorded(expected_json),
        AFTER_TAG: _recorded(updated.model_config_json),
        REASON_TAG: reason,
        USER_TAG: (user or "")[:250],
    }
    if user:
        tags["mlflow.user"] = user[:250]
    history.write_run(name, tags, f"{name} v{updated.version}: model settings")
    return updated


def config_changes_from(name: str, runs: Iterable[Any]) -> list[ConfigChange]:
    """The model-settings changes among a prompt's history runs, newest first."""
    out = []
    for run in runs:
        tags: Mapping[str, str] = run.data.tags
        if tags.get(KIND_TAG) != CONFIG_KIND or not tags.get(VERSION_TAG, "").isdigit():
            continue
        out.append(
            ConfigChange(
                prompt=name,
                version=int(tags[VERSION_TAG]),
                before=tags.get(BEFORE_TAG) or None,
                after=tags.get(AFTER_TAG) or None,
                at=datetime.fromtimestamp((run.info.start_time or 0) / 1000, tz=UTC),
                user=tags.get(USER_TAG) or None,
                reason=tags.get(REASON_TAG, ""),
                event_id=run.info.run_id,
            )
        )
    out.sort(key=lambda c: c.at, reverse=True)
    return out
