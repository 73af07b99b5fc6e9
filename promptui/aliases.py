"""Alias moves with history, rollback, change previews, timelines and environment resolution.

`move_alias` / `remove_alias` write (through the registry and the history); everything else is
a pure function over the service layer's dataclasses.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise

from promptui import diff
from promptui.config import EnvConfig, load_settings
from promptui.errors import ConflictError, InvalidInputError, PromptUIError
from promptui.history import AliasEvent, AliasHistory, last_recorded, reconcile
from promptui.models import ChatMessage, PromptDetail, PromptVersion
from promptui.registry import UNSET, PromptRegistry

_locks: dict[tuple[str, str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def _move_lock(registry: PromptRegistry, name: str, alias: str) -> threading.Lock:
    # MLflow has no compare-and-set for aliases: the check, the write and the history record
    # of one alias run under one lock, so moves made through this process never interleave.
    key = (registry.uri, name, alias)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def protected_aliases() -> tuple[str, ...]:
    """Aliases whose moves need a confirmation and a reason (`configs/promptui.yaml`)."""
    return load_settings().protected_aliases


def _who_changed(history: AliasHistory, name: str, alias: str, now: int | None) -> str:
    """A sentence naming the last recorded change of an alias (for conflict messages)."""
    try:
        last = last_recorded(history.events(name)).get(alias)
    except PromptUIError:
        return ""
    if last is None or last.to_version != now:
        return " It was changed outside promptui."
    who = last.user or "someone"
    when = last.at.strftime("%Y-%m-%d %H:%M:%S UTC")
    reason = f" ({last.reason})" if last.reason else ""
    return (
        f" Last change: {version_label(last.from_version)} → {version_label(now)} by {who} "
        f"at {when}{reason}."
    )


def version_label(version: int | None) -> str:
    """`v3`, or `(none)` for an absent alias."""
    return f"v{version}" if version is not None else "(none)"


def _recorded(
    history: AliasHistory,
    name: str,
    alias: str,
    from_version: int | None,
    to_version: int | None,
    reason: str,
    user: str | None,
) -> AliasEvent:
    try:
        return history.record(name, alias, from_version, to_version, reason=reason, user=user)
    except PromptUIError as e:
        raise type(e)(
            f"'{alias}' of '{name}' now points to {version_label(to_version)}, but the change "
            f"could not be written to the history ({e.message}). It will show as changed "
            "outside promptui."
        ) from e


def move_alias(
    registry: PromptRegistry,
    history: AliasHistory,
    name: str,
    alias: str,
    to_version: int,
    *,
    expected: int | None = UNSET,
    reason: str = "",
    user: str | None = None,
) -> AliasEvent | None:
    """Point `alias` at `to_version` and record it; ConflictError when it moved since `expected`.

    Returns the recorded event, or None when the alias already pointed there (nothing written).
    """
    if expected is not UNSET and expected == to_version:
        raise InvalidInputError(f"'{alias}' already points to version {to_version}.")
    with _move_lock(registry, name, alias):
        try:
            move = registry.set_alias(name, alias, int(to_version), expected=expected)
        except ConflictError as e:
            now = registry.get_aliases(name).get(alias)
            raise ConflictError(e.message + _who_changed(history, name, alias, now)) from None
        if move.from_version == move.to_version:
            return None
        return _recorded(history, name, alias, move.from_version, move.to_version, reason, user)


def remove_alias(
    registry: PromptRegistry,
    history: AliasHistory,
    name: str,
    alias: str,
    *,
    expected: int | None = UNSET,
    reason: str = "",
    user: str | None = None,
) -> AliasEvent:
    """Delete `alias` and record it; ConflictError when it moved since `expected`."""
    with _move_lock(registry, name, alias):
        try:
            move = registry.delete_alias(name, alias, expected=expected)
        except ConflictError as e:
            now = registry.get_aliases(name).get(alias)
            raise ConflictError(e.message + _who_changed(history, name, alias, now)) from None
        return _recorded(history, name, alias, move.from_version, None, reason, user)


def record_outside_changes(
    registry: PromptRegistry,
    history: AliasHistory,
    name: str,
    aliases: Mapping[str, int],
    events: Sequence[AliasEvent],
) -> list[AliasEvent]:
    """Record alias changes made outside promptui; returns what was recorded.

    `aliases` and `events` may come from caches of different ages, so a mismatch is first
    confirmed on fresh reads (two requests, only when something looks changed).
    """
    suspects = sorted({e.alias for e in reconcile(name, aliases, events)})
    if not suspects:
        return []
    locks = [_move_lock(registry, name, alias) for alias in suspects]
    for lock in locks:
        lock.acquire()
    try:
        fresh_aliases = registry.get_aliases(name)
        changes = [
            e for e in reconcile(name, fresh_aliases, history.events(name)) if e.alias in suspects
        ]
        return history.record_all(changes)
    finally:
        for lock in reversed(locks):
            lock.release()


def rollback_target(events: Iterable[AliasEvent], alias: str) -> int | None:
    """The version `alias` held before its last recorded change (None: none known)."""
    last = last_recorded(events).get(alias)
    return last.from_version if last is not None else None


# -- the confirm step ----------------------------------------------------------------------


@dataclass(frozen=True)
class AliasChangePreview:
    """What changes for callers of `prompts:/NAME@ALIAS` when the alias moves."""

    name: str
    alias: str
    old: PromptVersion | None
    new: PromptVersion | None
    rows: tuple[diff.Row, ...]  # text templates
    messages: tuple[diff.MessageDiff, ...]  # chat templates
    variables: diff.VariableChange
    warnings: tuple[str, ...]

    @property
    def is_chat(self) -> bool:
        return bool(self.messages)


def _messages(version: PromptVersion | None) -> tuple[ChatMessage, ...]:
    return version.messages if version is not None and version.is_chat else ()


def alias_change_preview(
    detail: PromptDetail, alias: str, from_version: int | None, to_version: int | None
) -> AliasChangePreview:
    """The diff and variable changes between the version an alias leaves and the one it takes."""
    old = detail.version(from_version) if from_version is not None else None
    new = detail.version(to_version) if to_version is not None else None
    rows: tuple[diff.Row, ...] = ()
    messages: tuple[diff.MessageDiff, ...] = ()
    if (old is None or old.is_chat) and (new is None or new.is_chat) and (old or new):
        messages = tuple(diff.diff_chat(_messages(old), _messages(new)))
    else:
        rows = tuple(diff.diff_lines(old.text if old else "", new.text if new else ""))
    variables = diff.diff_variables(old.variables if old else (), new.variables if new else ())
    uri = f"prompts:/{detail.name}@{alias}"
    warnings: list[str] = []
    if to_version is None:
        warnings.append(
            f"Callers that load {uri} will fail (and use their fallback prompt) once the alias "
            "is removed."
        )
    elif new is None:
        warnings.append(f"Version {to_version} does not exist (any more).")
    elif old is not None and variables.breaking:
        if variables.added:
            warnings.append(
                f"New variables {', '.join(variables.added)}: callers that fill only the old "
                "variables would break (formatting fails on a missing variable)."
            )
        if variables.removed:
            warnings.append(
                f"Removed variables {', '.join(variables.removed)}: values callers pass for "
                "them are no longer used."
            )
    return AliasChangePreview(
        name=detail.name,
        alias=alias,
        old=old,
        new=new,
        rows=rows,
        messages=messages,
        variables=variables,
        warnings=tuple(warnings),
    )


# -- the history chart ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    """One stretch of time during which `alias` pointed to `version`."""

    alias: str
    version: int
    start: datetime
    end: datetime
    current: bool


def timeline(
    events: Iterable[AliasEvent], aliases: Mapping[str, int], now: datetime | None = None
) -> list[TimelineRow]:
    """Stretches of alias → version over time, from the events (oldest first) up to `now`."""
    now = now or datetime.now(tz=UTC)
    by_alias: dict[str, list[AliasEvent]] = {}
    for e in sorted(events, key=lambda e: e.at):
        by_alias.setdefault(e.alias, []).append(e)
    rows: list[TimelineRow] = []
    for alias in sorted(set(by_alias) | set(aliases)):
        changes = by_alias.get(alias, [])
        if not changes:
            rows.append(TimelineRow(alias, int(aliases[alias]), now, now, True))
            continue
        for i, e in enumerate(changes):
            if e.to_version is None:
                continue
            last = i + 1 == len(changes)
            end = now if last else changes[i + 1].at
            rows.append(TimelineRow(alias, e.to_version, e.at, end, last))
    return rows


# -- environments --------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvResolution:
    """What one environment config loads right now."""

    env: str
    prompt: str
    setting: str  # `latest`, an alias or a version number
    use_registry: bool
    version: int | None  # the version the setting resolves to, None when it cannot
    problem: str = ""  # why it does not resolve
    commit_message: str = ""

    @property
    def setting_kind(self) -> str:
        """`latest`, `number` or `alias`."""
        if self.setting.lower() == "latest":
            return "latest"
        if self.setting.isdigit():
            return "number"
        return "alias"


def resolve_environments(
    envs: Sequence[EnvConfig], details: Mapping[str, PromptDetail | PromptUIError]
) -> list[EnvResolution]:
    """Per environment: the prompt, its `prompt_version` setting and the version it resolves to."""
    out: list[EnvResolution] = []
    for env in envs:
        model = env.model
        setting = model.prompt_version
        found = details.get(model.prompt_name)
        version: PromptVersion | None = None
        problem = ""
        if not model.prompt_name:
            problem = "prompt_name is not set"
        elif found is None:
            problem = "not loaded"
        elif isinstance(found, PromptUIError):
            problem = found.message
        else:
            version = found.resolve(setting)
            if version is None:
                if setting.isdigit():
                    problem = f"version {setting} does not exist"
                elif setting.lower() == "latest":
                    problem = "the prompt has no versions"
                else:
                    problem = f"no alias '{setting}'"
        if not model.use_prompt_registry:
            problem = "use_prompt_registry is false: the config's system_prompt is used" + (
                f" ({problem})" if problem else ""
            )
        out.append(
            EnvResolution(
                env=env.name,
                prompt=model.prompt_name,
                setting=setting,
                use_registry=model.use_prompt_registry,
                version=version.version if version else None,
                problem=problem,
                commit_message=version.commit_message if version else "",
            )
        )
    return out


@dataclass(frozen=True)
class Promotion:
    """Moving the next environment's alias to what the previous environment runs now."""

    prompt: str
    source_env: str
    source_setting: str
    target_env: str
    target_alias: str
    version: int
    current: int | None  # where the target alias points now

    @property
    def label(self) -> str:
        return (
            f"Promote {self.source_setting} (v{self.version}) to {self.target_alias} "
            f"(now {version_label(self.current)})"
        )


def promotions(rows: Sequence[EnvResolution]) -> list[Promotion]:
    """Promotions along the environment order (dev → staging → prod) that would change something.

    The target's setting must be an alias (a pinned number or `latest` cannot be moved).
    """
    out: list[Promotion] = []
    by_prompt: dict[str, list[EnvResolution]] = {}
    for row in rows:
        if row.prompt:
            by_prompt.setdefault(row.prompt, []).append(row)
    for prompt, envs in by_prompt.items():
        for source, target in pairwise(envs):
            if target.setting_kind != "alias" or source.version is None:
                continue
            if source.version == target.version or source.setting == target.setting:
                continue
            out.append(
                Promotion(
                    prompt=prompt,
                    source_env=source.env,
                    source_setting=source.setting,
                    target_env=target.env,
                    target_alias=target.setting,
                    version=source.version,
                    current=target.version,
                )
            )
    return out
