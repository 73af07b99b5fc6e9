"""What an alias move changes for its callers, and the history chart's stretches of time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from promptui import diff
from promptui.aliases.history import AliasEvent
from promptui.registry.models import ChatMessage, PromptDetail, PromptVersion

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
