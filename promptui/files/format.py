"""The prompt file: one YAML file per prompt, readable in a pull request, exact both ways.

Every version keeps everything MLflow stores for it (template or chat messages exactly as
stored, type, commit message, author, version tags, model config, response format); the prompt
keeps its tags and aliases. Writing is deterministic (same prompt, same bytes): versions in
order, tags sorted, everything else in its stored order, multi-line text as block scalars.
Reading checks the file against a pydantic schema: unknown keys and wrong types are named.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from promptui.registry import validation
from promptui.registry.errors import InvalidInputError
from promptui.registry.models import ChatMessage, PromptDetail, PromptVersion

FORMAT = "promptui/prompt-v1"
SUFFIX = ".yaml"


class VersionEntry(BaseModel):
    """One version in a prompt file."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    version: int = Field(ge=1)
    type: Literal["text", "chat"]
    template: str | None = None  # text templates (and chat text MLflow cannot read, as stored)
    messages: list[dict[str, Any]] | None = None  # chat templates, each message as stored
    commit_message: str = ""
    author: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    settings: dict[str, Any] | None = Field(default=None, alias="model_config")
    response_format: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_template(self) -> VersionEntry:
        if self.type == "text" and (self.template is None or self.messages is not None):
            raise ValueError("a text version has `template` (and no `messages`)")
        if self.type == "chat" and (self.messages is None) == (self.template is None):
            raise ValueError(
                "a chat version has `messages` (or, when MLflow cannot read them, the stored "
                "`template` text), not both"
            )
        return self

    def chat_messages(self) -> tuple[ChatMessage, ...]:
        """The messages, each kept exactly as written (InvalidInputError on a bad shape)."""
        return validation.messages_from_data(self.messages or [])

    def check(self) -> None:
        """MLflow's rules for what the version stores (InvalidInputError says which)."""
        if self.type == "chat" and self.messages is not None:
            for i, m in enumerate(self.chat_messages(), 1):
                if problem := validation.message_problem(m):
                    raise InvalidInputError(f"version {self.version}, message {i}: {problem}")
        elif len(self.template or "") > validation.MAX_TEMPLATE_CHARS:
            raise InvalidInputError(
                f"version {self.version}: the template is longer than MLflow's "
                f"{validation.MAX_TEMPLATE_CHARS:,} characters."
            )
        try:
            validation.check_model_config(self.settings)
            validation.check_response_format(self.response_format)
            validation.check_tags(self.tags)
        except InvalidInputError as e:
            raise InvalidInputError(f"version {self.version}: {e.message}") from None

    def as_version(self, name: str) -> PromptVersion:
        """The entry as the version MLflow would store (JSON as the file holds it)."""
        chat = self.type == "chat" and self.messages is not None  # else: the text as stored
        messages = self.chat_messages() if chat else ()
        text = validation.messages_to_json(messages) if chat else self.template or ""
        tags = dict(self.tags)
        return PromptVersion(
            name=name,
            version=self.version,
            prompt_type=self.type,
            text=text,
            messages=messages,
            variables=(),
            commit_message=self.commit_message,
            tags=tags,
            model_config=self.settings or {},
            aliases=(),
            created_at=datetime.fromtimestamp(0, tz=UTC),
            author=self.author,
            response_format=self.response_format,
            model_config_json=None if self.settings is None else json.dumps(self.settings),
            response_format_json=(
                None if self.response_format is None else json.dumps(self.response_format)
            ),
        )

    def same_content(self, other: VersionEntry, *, commit_message: bool = True) -> bool:
        """The same stored content, whatever the version number and author (not always
        known); the commit message counts unless `commit_message` is False."""
        ignored = {"version": 0, "author": None}
        if not commit_message:
            ignored["commit_message"] = ""
        return self.model_copy(update=ignored) == other.model_copy(update=ignored)


class PromptFile(BaseModel):
    """Everything about one prompt, as written to `NAME.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["promptui/prompt-v1"] = FORMAT
    name: str
    tags: dict[str, str] = Field(default_factory=dict)
    aliases: dict[str, int] = Field(default_factory=dict)
    versions: list[VersionEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> PromptFile:
        numbers = [v.version for v in self.versions]
        if numbers != sorted(set(numbers)):
            raise ValueError("versions must be listed once each, oldest first")
        missing = {a: n for a, n in self.aliases.items() if n not in numbers}
        if missing:
            alias, number = next(iter(missing.items()))
            raise ValueError(f"alias {alias!r} points to version {number}, not in the file")
        return self

    @property
    def file_name(self) -> str:
        return self.name + SUFFIX

    def version(self, number: int) -> VersionEntry | None:
        return next((v for v in self.versions if v.version == number), None)


def entry_from_version(version: PromptVersion) -> VersionEntry:
    """A file entry holding everything MLflow stores for `version`."""
    chat = version.is_chat and not version.problem
    return VersionEntry(
        version=version.version,
        type=version.prompt_type,
        template=None if chat else version.text,
        messages=[m.data() for m in version.messages] if chat else None,
        commit_message=version.commit_message,
        author=version.author,
        tags=dict(sorted(version.user_tags.items())),
        settings=dict(version.model_config) if version.model_config_json is not None else None,
        response_format=(
            dict(version.response_format) if version.response_format is not None else None
        ),
    )


def file_from_detail(detail: PromptDetail) -> PromptFile:
    """The file of one prompt with all its versions (oldest first) and aliases."""
    return PromptFile(
        name=detail.name,
        tags=dict(sorted(detail.tags.items())),
        aliases=dict(sorted(detail.aliases.items())),
        versions=[entry_from_version(v) for v in sorted(detail.versions, key=lambda v: v.version)],
    )


# libyaml's emitter and parser when PyYAML has them (its wheels do): the same text, several
# times faster than the pure-Python ones.
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]
    """Block scalars for multi-line text; everything else as PyYAML writes it safely."""


_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")  # line breaks to YAML, not to Python


def _text(dumper: Any, value: str) -> yaml.ScalarNode:
    # Double quotes escape the line breaks YAML would read as "\n"; PyYAML also falls back
    # to quotes on its own where a block scalar cannot hold the text exactly.
    if _OTHER_BREAKS.search(value):
        style: str | None = '"'
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _plain(entry: VersionEntry) -> dict[str, Any]:
    data: dict[str, Any] = {"version": entry.version, "type": entry.type}
    if entry.messages is None:
        data["template"] = entry.template
    else:
        data["messages"] = entry.messages
    data["commit_message"] = entry.commit_message
    if entry.author:
        data["author"] = entry.author
    if entry.tags:
        data["tags"] = entry.tags
    if entry.settings is not None:
        data["model_config"] = entry.settings
    if entry.response_format is not None:
        data["response_format"] = entry.response_format
    return data


def dump(prompt: PromptFile) -> str:
    """The file's text: the same prompt always gives the same text."""
    data: dict[str, Any] = {"format": FORMAT, "name": prompt.name}
    if prompt.tags:
        data["tags"] = prompt.tags
    if prompt.aliases:
        data["aliases"] = prompt.aliases
    data["versions"] = [_plain(v) for v in prompt.versions]
    header = f"# {prompt.name}: {len(prompt.versions)} version(s), exported by promptui\n"
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return header + body


def load(text: str, source: str) -> PromptFile:
    """A prompt file from its text; InvalidInputError names `source`, the key and the problem."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise InvalidInputError(f"{source}: not valid YAML ({_short(str(e))}).") from None
    if not isinstance(data, Mapping):
        raise InvalidInputError(f"{source}: a prompt file is a YAML mapping (name, versions, ...).")
    try:
        prompt = PromptFile.model_validate(data)
    except ValidationError as e:
        item = e.errors()[0]
        where = ".".join(str(p) for p in item.get("loc", ())) or "the file"
        message = str(item.get("msg")).removeprefix("Value error, ")
        raise InvalidInputError(f"{source}: {where}: {message}") from None
    try:
        validation.check_name(prompt.name)
        for alias in prompt.aliases:
            validation.check_alias(alias)
        for entry in prompt.versions:
            entry.check()
    except InvalidInputError as e:
        raise InvalidInputError(f"{source}: {e.message}") from None
    return prompt


def read_dir(path: Path) -> list[tuple[str, PromptFile]]:
    """Every `*.yaml` prompt file in a folder (or the one file given), by file name; a file that
    cannot be read or does not check stops everything (InvalidInputError)."""
    files = sorted(path.glob(f"*{SUFFIX}")) if path.is_dir() else [path]
    if path.is_dir() and not files:
        raise InvalidInputError(f"{path}: no {SUFFIX} prompt files here.")
    out = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InvalidInputError(f"{file}: cannot be read ({e}).") from None
        out.append((file.name, load(text, str(file))))
    names = [p.name for _, p in out]
    if len(names) != len(set(names)):
        raise InvalidInputError(f"{path}: two files describe the same prompt.")
    return out


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def zip_bytes(files: Sequence[PromptFile]) -> bytes:
    """The prompt files as one zip (`NAME.yaml` each; fixed timestamps: same prompts, same
    bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for prompt in sorted(files, key=lambda f: f.name):
            info = zipfile.ZipInfo(prompt.file_name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, dump(prompt))
    return buffer.getvalue()


def read_uploads(uploads: Sequence[tuple[str, bytes]]) -> list[tuple[str, PromptFile]]:
    """Prompt files from uploaded `.yaml` files and `.zip` archives of them; InvalidInputError
    names the first file that does not read or check."""
    texts: list[tuple[str, bytes]] = []
    for name, data in uploads:
        if name.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    texts += [
                        (f"{name}/{member}", archive.read(member))
                        for member in sorted(archive.namelist())
                        if member.endswith(SUFFIX) and not member.endswith("/")
                    ]
            except zipfile.BadZipFile:
                raise InvalidInputError(f"{name}: not a zip archive.") from None
        else:
            texts.append((name, data))
    out = []
    for source, data in texts:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInputError(f"{source}: not UTF-8 text.") from None
        out.append((source, load(text, source)))
    names = [p.name for _, p in out]
    if len(names) != len(set(names)):
        raise InvalidInputError("Two of the files describe the same prompt.")
    if not out:
        raise InvalidInputError(f"No {SUFFIX} prompt files in what was uploaded.")
    return out
