"""Import: make a registry hold what prompt files say, idempotently, after showing the plan.

Versions are immutable: a file version that differs from the registry's version of the same
number is a conflict, and nothing is written for that prompt. Missing versions are created in
order with the file's numbers (a number deleted in the source is created and deleted again, so
later numbers match); aliases move through the recorded alias path; prompt tags are set. Tags
and aliases the files do not mention are left alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from promptui.aliases import move_alias, protected_aliases
from promptui.aliases.history import AliasHistory, check_reason
from promptui.files.format import PromptFile, VersionEntry, entry_from_version
from promptui.registry.errors import PromptUIError
from promptui.registry.models import PromptDetail, PromptVersion
from promptui.registry.service import PromptRegistry

PLACEHOLDER = "(placeholder: this version number was deleted in the registry exported from)"
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class AliasChange:
    alias: str
    from_version: int | None
    to_version: int
    protected: bool


@dataclass(frozen=True)
class PromptPlan:
    """What importing one file does to its prompt (nothing at all when `conflicts`)."""

    name: str
    source: str  # the file
    create_prompt: bool = False
    versions: tuple[int, ...] = ()  # file versions to create, in order
    placeholders: tuple[int, ...] = ()  # numbers to create and delete, keeping later ones
    tags: dict[str, str] = field(default_factory=dict)  # prompt tags to set
    aliases: tuple[AliasChange, ...] = ()
    conflicts: tuple[str, ...] = ()

    @property
    def changes(self) -> bool:
        return (
            bool(self.create_prompt or self.versions or self.tags or self.aliases)
            and not self.conflicts
        )


@dataclass(frozen=True)
class ImportPlan:
    """The plan for a set of files, printable and as JSON."""

    prompts: tuple[PromptPlan, ...]

    @property
    def protected_moves(self) -> list[tuple[str, AliasChange]]:
        return [
            (p.name, a) for p in self.prompts if not p.conflicts for a in p.aliases if a.protected
        ]

    @property
    def conflicts(self) -> list[PromptPlan]:
        return [p for p in self.prompts if p.conflicts]

    def as_json(self) -> str:
        return json.dumps([asdict(p) for p in self.prompts], indent=2, ensure_ascii=False)

    def lines(self) -> list[str]:
        """The plan as a person reads it, one line per change or conflict."""
        out = []
        for p in self.prompts:
            if p.conflicts:
                out += [
                    f"CONFLICT {p.name} ({p.source}): {c}; nothing is written" for c in p.conflicts
                ]
                continue
            if not p.changes:
                out.append(f"unchanged {p.name}")
                continue
            if p.create_prompt:
                out.append(f"create prompt {p.name}")
            for number in p.versions:
                out.append(f"create {p.name} version {number}")
            for number in p.placeholders:
                out.append(f"keep numbering: {p.name} version {number} created and deleted again")
            for key, value in p.tags.items():
                out.append(f"set tag {p.name} {key}={value}")
            for a in p.aliases:
                was = f"v{a.from_version}" if a.from_version is not None else "(none)"
                mark = " (protected)" if a.protected else ""
                out.append(f"move {p.name}@{a.alias}{mark}: {was} -> v{a.to_version}")
        return out


def _entry_conflict(entry: VersionEntry, existing: PromptVersion) -> str | None:
    if entry.same_content(entry_from_version(existing)):
        return None
    return f"version {entry.version} differs from the registry's version {entry.version}"


def plan_prompt(
    source: str, prompt: PromptFile, target: PromptDetail | None, *, is_model: bool = False
) -> PromptPlan:
    """The plan for one file against the registry's prompt (None: it has no such prompt)."""
    name = prompt.name
    if is_model:
        return PromptPlan(
            name, source, conflicts=(f"'{name}' is a registered model, not a prompt",)
        )
    protected = set(protected_aliases())
    numbers = [v.version for v in prompt.versions]
    have = {v.version: v for v in target.versions} if target is not None else {}
    latest = max(have, default=0)
    conflicts = []
    for entry in prompt.versions:
        if entry.version in have:
            if (problem := _entry_conflict(entry, have[entry.version])) is not None:
                conflicts.append(problem)
        elif entry.version <= latest:
            conflicts.append(
                f"version {entry.version} is not in the registry, whose versions go up to "
                f"{latest}: it cannot get that number"
            )
    if conflicts:
        return PromptPlan(name, source, conflicts=tuple(conflicts))
    new = tuple(n for n in numbers if n > latest)
    placeholders = tuple(n for n in range(latest + 1, max(new, default=0)) if n not in numbers)
    aliases = tuple(
        AliasChange(
            alias, target.aliases.get(alias) if target else None, number, alias in protected
        )
        for alias, number in prompt.aliases.items()
        if (target.aliases.get(alias) if target else None) != number
    )
    current_tags = dict(target.tags) if target else {}
    tags = {k: v for k, v in prompt.tags.items() if current_tags.get(k) != v}
    return PromptPlan(
        name,
        source,
        create_prompt=target is None,
        versions=new,
        placeholders=placeholders,
        tags={} if target is None else tags,
        aliases=aliases,
    )


def plan_import(registry: PromptRegistry, files: Sequence[tuple[str, PromptFile]]) -> ImportPlan:
    """Read the registry (every prompt with every version: one request per 1,000 prompts and per
    2,000 versions, plus one per 1,000 registered models) and plan each file against it."""
    current = {d.name: d for d in registry.all_prompts()}
    models = set(registry.model_names()) if any(p.name not in current for _, p in files) else set()
    return ImportPlan(
        tuple(
            plan_prompt(source, prompt, current.get(prompt.name), is_model=prompt.name in models)
            for source, prompt in files
        )
    )


def apply_import(
    registry: PromptRegistry,
    history: AliasHistory,
    plan: ImportPlan,
    files: Sequence[tuple[str, PromptFile]],
    *,
    reason: str = "",
    user: str | None = None,
    progress: Progress = _quiet,
) -> list[str]:
    """Carry out the plan, prompt by prompt; returns one line per prompt that failed (the others
    are written). A protected alias moves only with a `reason` (InvalidInputError before
    anything is written otherwise)."""
    reason = check_reason(reason, required=bool(plan.protected_moves))
    by_name = {p.name: p for _, p in files}
    failed = []
    for step in plan.prompts:
        progress(step.name)
        if not step.changes:
            continue
        try:
            _apply_prompt(registry, history, step, by_name[step.name], reason, user)
        except PromptUIError as e:
            failed.append(f"{step.name}: {e.message}")
    return failed


def _apply_prompt(
    registry: PromptRegistry,
    history: AliasHistory,
    step: PromptPlan,
    prompt: PromptFile,
    reason: str,
    user: str | None,
) -> None:
    name = prompt.name
    if step.create_prompt:
        registry.create_empty_prompt(name, tags=prompt.tags)
    for key, value in step.tags.items():
        registry.set_prompt_tag(name, key, value)
    wanted = sorted({*step.versions, *step.placeholders})
    for number in wanted:
        entry = prompt.version(number)
        version = entry.as_version(name) if entry else _placeholder(name, number)
        created = registry.copy_version(name, version)
        if created.version != number:
            registry.delete_version(name, created.version)
            raise PromptUIError(
                f"the registry gave number {created.version} where the file has {number} (a "
                "version was deleted there); that version was removed again, nothing else written"
            )
        if entry is None:
            registry.delete_version(name, number)
    why = f"imported from {step.source}" + (f": {reason}" if reason else "")
    for change in step.aliases:
        move_alias(
            registry,
            history,
            name,
            change.alias,
            change.to_version,
            expected=change.from_version,
            reason=why,
            user=user,
        )


def _placeholder(name: str, number: int) -> PromptVersion:
    return VersionEntry(version=number, type="text", template=PLACEHOLDER).as_version(name)
