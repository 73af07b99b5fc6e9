"""Promote: what an alias points at in one registry becomes that alias in another.

The version is copied as a new version of the target (only when its content differs from the
target's newest version), then the alias moves there through the recorded alias path, with a
history reason naming the source registry and version.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptui.aliases import move_alias, protected_aliases
from promptui.aliases.history import AliasHistory, check_reason
from promptui.files.format import entry_from_version
from promptui.registry.errors import InvalidInputError, NotAPromptError, NotFoundError
from promptui.registry.service import PromptRegistry


@dataclass(frozen=True)
class Promotion:
    """What a promotion did on the target."""

    name: str
    alias: str
    source_version: int
    target_version: int
    created: bool  # a new version was written (False: the newest one already held it)
    previous: int | None  # where the alias pointed on the target before


def parse_ref(ref: str) -> tuple[str, str]:
    """`NAME@ALIAS` into its parts (InvalidInputError otherwise)."""
    name, sep, alias = ref.partition("@")
    if not sep or not name or not alias:
        raise InvalidInputError(f"{ref!r}: write the prompt and alias as NAME@ALIAS.")
    return name, alias


def promote(
    source: PromptRegistry,
    target: PromptRegistry,
    ref: str,
    *,
    reason: str = "",
    user: str | None = None,
) -> Promotion:
    """Copy `NAME@ALIAS` from `source` to `target` and point the same alias at it there.

    Requests: one or two to read the source version, two to read the target prompt, one or two
    writes for the version (and the prompt, when the target has none), four for the alias move.
    A protected alias needs a reason (InvalidInputError before anything is written)."""
    name, alias = parse_ref(ref)
    reason = check_reason(reason, required=alias in protected_aliases())
    version = source.get_version(name, alias)
    if version.problem:
        raise InvalidInputError(f"{name} v{version.version} cannot be copied: {version.problem}")
    try:
        detail = target.get_prompt(name)
    except NotAPromptError:
        raise
    except NotFoundError:
        detail = None
    newest = detail.latest if detail is not None else None
    wanted = entry_from_version(version)
    same = newest is not None and wanted.same_content(
        entry_from_version(newest), commit_message=False
    )
    if newest is not None and same:
        number, created = newest.version, False
    else:
        if detail is None:
            target.create_empty_prompt(name)
        message = f"Promoted from {source.display_uri} v{version.version}"
        if version.commit_message:
            message += f": {version.commit_message}"
        number, created = target.copy_version(name, version, commit_message=message).version, True
    previous = detail.aliases.get(alias) if detail is not None else None
    if previous != number:
        why = f"promoted from {source.display_uri} {name} v{version.version}"
        move_alias(
            target,
            AliasHistory(target),
            name,
            alias,
            number,
            expected=previous,
            reason=f"{why}: {reason}" if reason else why,
            user=user,
        )
    return Promotion(name, alias, version.version, number, created, previous)
