"""Alias moves and removals with recorded history, outside-change detection and rollback."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from promptui.aliases.history import (
    AliasEvent,
    AliasHistory,
    check_reason,
    last_recorded,
    reconcile,
)
from promptui.config import load_settings
from promptui.registry import UNSET, PromptRegistry
from promptui.registry.errors import ConflictError, InvalidInputError, PromptUIError

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
    meanwhile: Callable[[], None] | None = None,
) -> AliasEvent:
    """Record the change; `meanwhile` runs in a second thread while it is written (the two
    history requests), and its own errors are raised once the record is written."""
    with ThreadPoolExecutor(max_workers=1) as pool:  # a thread starts only on submit
        side = pool.submit(meanwhile) if meanwhile is not None else None
        try:
            event = history.record(name, alias, from_version, to_version, reason=reason, user=user)
        except PromptUIError as e:
            raise type(e)(
                f"'{alias}' of '{name}' now points to {version_label(to_version)}, but the "
                f"change could not be written to the history ({e.message}). It will show as "
                "changed outside promptui."
            ) from e
    if side is not None:
        side.result()
    return event


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
    meanwhile: Callable[[], None] | None = None,
) -> AliasEvent | None:
    """Point `alias` at `to_version` and record it; ConflictError when it moved since `expected`.

    Four requests: the alias read for the compare-and-set, the write, the history record (two).
    `meanwhile` (no Streamlit calls in it) runs once the alias points there, while the history
    is written: a re-read of the prompt costs no round trip of its own then.
    Returns the recorded event, or None when the alias already pointed there (nothing written,
    `meanwhile` not run).
    """
    reason = check_reason(reason, required=False)
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
        return _recorded(
            history, name, alias, move.from_version, move.to_version, reason, user, meanwhile
        )


def remove_alias(
    registry: PromptRegistry,
    history: AliasHistory,
    name: str,
    alias: str,
    *,
    expected: int | None = UNSET,
    reason: str = "",
    user: str | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> AliasEvent:
    """Delete `alias` and record it; ConflictError when it moved since `expected`. Four
    requests; `meanwhile` as in `move_alias`."""
    reason = check_reason(reason, required=False)
    with _move_lock(registry, name, alias):
        try:
            move = registry.delete_alias(name, alias, expected=expected)
        except ConflictError as e:
            now = registry.get_aliases(name).get(alias)
            raise ConflictError(e.message + _who_changed(history, name, alias, now)) from None
        return _recorded(history, name, alias, move.from_version, None, reason, user, meanwhile)


def delete_version(
    registry: PromptRegistry,
    history: AliasHistory,
    name: str,
    version: int,
    *,
    confirmed_aliases: Sequence[str] | None = None,
    user: str | None = None,
) -> list[AliasEvent]:
    """Delete one version and record the removal of every alias it held (two requests, plus two
    per alias). ConflictError when it holds an alias the user did not confirm."""
    removed = registry.delete_version(name, version, confirmed_aliases=confirmed_aliases)
    reason = f"version {int(version)} deleted"
    return [_recorded(history, name, m.alias, m.from_version, None, reason, user) for m in removed]


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
