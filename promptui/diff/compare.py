"""Comparing two versions of a prompt: the view's URL parameters, side resolution, the result.

Pure functions over the service layer's dataclasses (no Streamlit, no MLflow).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlencode

from promptui import diff
from promptui.config import FALSE_WORDS, TRUE_WORDS
from promptui.registry.errors import NotFoundError
from promptui.registry.models import ChatMessage, PromptDetail, PromptVersion
from promptui.registry.stored import AUTHOR_TAG
from promptui.registry.validation import ALIAS_RULE, MAX_ALIAS_CHARS, MAX_NAME_CHARS, NAME_RULE
from promptui.ui.diff_html import chat_html, side_by_side_html, unified_html

ViewMode = Literal["side", "inline"]
MODES: tuple[ViewMode, ...] = ("side", "inline")
LATEST = "latest"
PRODUCTION = "production"
COMPARE_URL_PATH = "compare"
_VERSION_REF = re.compile(r"[vV]?([0-9]+)")
_SHOWN_VERSIONS = 20  # versions listed in a "not found" message


@dataclass(frozen=True)
class CompareParams:
    """What the compare view shows; the URL's query string holds exactly this."""

    prompt: str = ""
    left: str = ""  # a version number, "latest" or an alias; empty means the default side
    right: str = ""
    mode: ViewMode = "side"
    ignore_ws: bool = False
    ignored: tuple[str, ...] = field(default=(), compare=False)  # query values not understood

    @classmethod
    def from_query(cls, query: Mapping[str, str | Sequence[str]]) -> CompareParams:
        """Parameters from a query string; bad values fall back to defaults, listed in `ignored`."""
        ignored: list[str] = []

        def value(key: str) -> str:
            raw = query.get(key, "")
            if not isinstance(raw, str):  # a repeated parameter: the last one wins, as in st
                raw = raw[-1] if raw else ""
            return raw.strip()

        prompt = value("prompt")
        if prompt and (len(prompt) > MAX_NAME_CHARS or not NAME_RULE.fullmatch(prompt)):
            ignored.append(f"prompt={_shorten(prompt)} is not a prompt name")
            prompt = ""
        sides = []
        for key in ("left", "right"):
            ref = normalize_ref(value(key))
            if ref is None:
                ignored.append(
                    f"{key}={_shorten(value(key))} is not a version number, 'latest' or an alias"
                )
                ref = ""
            sides.append(ref)
        mode = value("mode").lower()
        if mode and mode not in MODES:
            ignored.append(f"mode={_shorten(mode)} is not one of {', '.join(MODES)}")
        ws = value("ignore_ws").lower()
        if ws and ws not in TRUE_WORDS | FALSE_WORDS:
            ignored.append(f"ignore_ws={_shorten(ws)} is not true or false")
        return cls(
            prompt=prompt,
            left=sides[0],
            right=sides[1],
            mode=mode if mode in MODES else "side",  # type: ignore[arg-type]
            ignore_ws=ws in TRUE_WORDS,
            ignored=tuple(ignored),
        )

    def to_query(self) -> dict[str, str]:
        """The query string parameters of this view (empty sides left out)."""
        out: dict[str, str] = {}
        if self.prompt:
            out["prompt"] = self.prompt
        if self.left:
            out["left"] = self.left
        if self.right:
            out["right"] = self.right
        out["mode"] = self.mode
        out["ignore_ws"] = "true" if self.ignore_ws else "false"
        return out

    def with_default_sides(self, detail: PromptDetail) -> CompareParams:
        """These parameters with empty sides filled by `default_sides`."""
        left, right = default_sides(detail)
        return replace(self, left=self.left or left, right=self.right or right)

    def swapped(self) -> CompareParams:
        """The same view with left and right exchanged."""
        return replace(self, left=self.right, right=self.left)


def compare_url(prompt: str, left: str | int, right: str | int) -> str:
    """A relative link (`compare?prompt=...`) that opens the compare view on these sides."""
    query = {"prompt": prompt, "left": str(left), "right": str(right)}
    return f"{COMPARE_URL_PATH}?{urlencode(query)}"


def normalize_ref(text: str) -> str | None:
    """`latest`, a version number (`v3` → `3`), an alias name or "" ; None when none of those."""
    text = text.strip()
    if not text:
        return ""
    if text.lower() == LATEST:
        return LATEST
    match = _VERSION_REF.fullmatch(text)
    if match:
        number = int(match.group(1))
        return str(number) if number >= 1 else None
    if len(text) <= MAX_ALIAS_CHARS and ALIAS_RULE.fullmatch(text):
        return text
    return None


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# -- sides ----------------------------------------------------------------------------------


def default_sides(detail: PromptDetail) -> tuple[str, str]:
    """What `production` serves (else the previous version) against the latest version."""
    if PRODUCTION in detail.aliases:
        return PRODUCTION, LATEST
    if len(detail.versions) >= 2:
        return str(detail.versions[1].version), LATEST
    return LATEST, LATEST


def side_options(detail: PromptDetail) -> list[str]:
    """What a side can be: every alias, `latest`, then version numbers newest first."""
    return [*detail.aliases, LATEST, *(str(v.version) for v in detail.versions)]


def describe_side(detail: PromptDetail, ref: str) -> str:
    """`production → v3`, `latest → v5` or `v4`, for a side selector."""
    if _VERSION_REF.fullmatch(ref):
        return f"v{int(ref.lstrip('vV'))}"
    version = detail.resolve(ref)
    return f"{ref} → v{version.version}" if version else f"{ref} (missing)"


def resolve_side(detail: PromptDetail, ref: str, side: str = "left") -> PromptVersion:
    """The version a side refers to; NotFoundError naming the side and what is available."""
    if not detail.versions:
        raise NotFoundError(f"Prompt '{detail.name}' has no versions to compare.")
    version = detail.resolve(ref)
    if version is not None:
        return version
    numbers = [str(v.version) for v in detail.versions]
    shown = ", ".join(numbers[:_SHOWN_VERSIONS]) + (", …" if len(numbers) > _SHOWN_VERSIONS else "")
    aliases = ", ".join(f"{a} (v{v})" for a, v in detail.aliases.items()) or "none"
    kind = "version" if _VERSION_REF.fullmatch(ref) else "version or alias"
    raise NotFoundError(
        f"The {side} side '{ref}' is no {kind} of '{detail.name}'. "
        f"Versions: {shown}. Aliases: {aliases}. Or use 'latest'."
    )


def side_label(name: str, ref: str, version: PromptVersion) -> str:
    """`NAME@production (v3)` for an alias or `latest`, `NAME@v3` for a version number."""
    if not ref or _VERSION_REF.fullmatch(ref):
        return f"{name}@v{version.version}"
    return f"{name}@{ref} (v{version.version})"


# -- the comparison -------------------------------------------------------------------------


def chat_as_text(messages: Sequence[ChatMessage]) -> str:
    """A chat template as readable text, one `### message N (role)` section per message
    (content parts and extra keys as JSON)."""
    parts = []
    for number, message in enumerate(messages, 1):
        content = message.readable()
        content = content if content.endswith("\n") else content + "\n"
        parts.append(f"### message {number} ({message.role})\n{content}")
    return "\n".join(parts)


def response_format_text(version: PromptVersion) -> str:
    """The response format as indented JSON ("" when the version has none)."""
    if version.response_format is None:
        return ""
    return json.dumps(version.response_format, indent=2, ensure_ascii=False) + "\n"


def readable_text(version: PromptVersion) -> str:
    """The template as a reviewer reads it: text as is, chat messages as sections (a chat
    template MLflow cannot read is shown as stored)."""
    if version.is_chat and not version.problem:
        return chat_as_text(version.messages)
    return version.text


@dataclass(frozen=True)
class Comparison:
    """Everything that differs between two versions, ready to show."""

    left: PromptVersion
    right: PromptVersion
    left_label: str
    right_label: str
    ignore_whitespace: bool
    rows: tuple[diff.Row, ...]  # text templates (and a text/chat mix, as readable text)
    messages: tuple[diff.MessageDiff, ...]  # two chat templates, message by message
    stats: diff.DiffStats
    variables: diff.VariableChange
    model_config: tuple[diff.KeyChange, ...]
    tags: tuple[diff.KeyChange, ...]
    response_format: tuple[diff.Row, ...]  # the two response formats as indented JSON

    @property
    def response_format_changed(self) -> bool:
        return any(r.kind != "equal" for r in self.response_format)

    @property
    def settings_changed(self) -> tuple[str, ...]:
        """What differs besides the template: `model config`, `response format`, `tags`."""
        out = []
        if any(c.kind != "equal" for c in self.model_config):
            out.append("model config")
        if self.response_format_changed:
            out.append("response format")
        if any(c.kind != "equal" for c in self.tags):
            out.append("tags")
        return tuple(out)

    @property
    def is_chat(self) -> bool:
        """Both sides are chat templates (compared message by message)."""
        return _readable_chat(self.left) and _readable_chat(self.right)

    @property
    def type_changed(self) -> bool:
        return self.left.prompt_type != self.right.prompt_type

    @property
    def same_version(self) -> bool:
        return self.left.version == self.right.version

    @property
    def template_changed(self) -> bool:
        """False when the templates are equal (ignoring whitespace when asked)."""
        if self.is_chat:
            return any(m.kind != "equal" for m in self.messages)
        return self.type_changed or any(r.kind != "equal" for r in self.rows)

    @property
    def identical(self) -> bool:
        """The templates are exactly equal, whitespace included."""
        return self.left.template == self.right.template and not self.type_changed

    def message_counts(self) -> dict[str, int]:
        """How many messages were added, removed, changed or moved (chat only)."""
        counts = Counter(m.kind for m in self.messages if m.kind != "equal")
        return {k: counts[k] for k in ("added", "removed", "changed", "moved") if counts[k]}

    def summary_line(self) -> str:
        """`+12 / −3 words · 2 lines changed · variables: +team −lang`."""
        s = self.stats
        lines = "line" if s.lines_changed == 1 else "lines"
        parts = [
            f"+{s.words_added} / −{s.words_removed} words",
            f"{s.lines_changed} {lines} changed",
        ]
        v = self.variables
        if v.breaking:
            changes = [f"+{x}" for x in v.added] + [f"−{x}" for x in v.removed]
            parts.append("variables: " + " ".join(changes))
        else:
            parts.append("variables unchanged")
        counts = self.message_counts()
        if counts:
            parts.append("messages: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        if self.type_changed:
            parts.append(f"type: {self.left.prompt_type} → {self.right.prompt_type}")
        keys = sum(c.kind != "equal" for c in self.model_config)
        if keys:
            parts.append(f"model config: {keys} {'key' if keys == 1 else 'keys'} changed")
        if self.response_format_changed:
            parts.append("response format changed")
        return " · ".join(parts)

    def diff_file(self) -> str:
        """The template change as a unified diff (chat messages as readable sections)."""
        return diff.unified_diff(
            readable_text(self.left), readable_text(self.right), self.left_label, self.right_label
        )

    def diff_file_name(self) -> str:
        """`NAME_v3_v5.diff`."""
        return f"{self.left.name}_v{self.left.version}_v{self.right.version}.diff"

    def to_html(self, mode: ViewMode) -> str:
        """The template diff as escaped HTML (pair it with `diff_html.DIFF_CSS`)."""
        if self.is_chat:
            return chat_html(
                self.messages, mode=mode, left_title=self.left_label, right_title=self.right_label
            )
        if mode == "inline":
            return unified_html(self.rows)
        return side_by_side_html(
            self.rows, left_title=self.left_label, right_title=self.right_label
        )

    def metadata_rows(self) -> list[dict[str, str]]:
        """Version, type, time, author, commit message, variables, model config and tags."""
        a, b = self.left, self.right

        def row(what: str, left: str, right: str, change: str | None = None) -> dict[str, str]:
            if change is None:
                change = "" if left == right else "changed"
            return {"field": what, "left": left, "right": right, "change": change}

        rows = [
            row("version", _version_text(a), _version_text(b)),
            row("type", a.prompt_type, b.prompt_type),
            row("created", _when(a), _when(b), ""),
            row("author", a.author or "—", b.author or "—"),
            row("commit message", a.commit_message or "—", b.commit_message or "—"),
            row("variables", ", ".join(a.variables) or "—", ", ".join(b.variables) or "—"),
            row(
                "response format",
                _schema_title(a.response_format),
                _schema_title(b.response_format),
                "changed" if self.response_format_changed else "",
            ),
        ]
        for title, changes in (("model config", self.model_config), ("tag", self.tags)):
            for c in changes:
                kind = "" if c.kind == "equal" else c.kind
                rows.append(row(f"{title}: {c.key}", c.left or "—", c.right or "—", kind))
        return rows


def _schema_title(schema: Mapping[str, object] | None) -> str:
    """`Answer (object, 2 properties)` or `—`; the full schema is diffed separately."""
    if schema is None:
        return "—"
    kind = schema.get("type", "schema")
    props = schema.get("properties")
    count = f", {len(props)} properties" if isinstance(props, Mapping) else ""
    title = schema.get("title")
    return f"{title} ({kind}{count})" if isinstance(title, str) else f"{kind}{count}"


def _version_text(version: PromptVersion) -> str:
    aliases = f" ({', '.join(version.aliases)})" if version.aliases else ""
    return f"v{version.version}{aliases}"


def _when(version: PromptVersion) -> str:
    return version.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")


def compare_versions(
    left: PromptVersion,
    right: PromptVersion,
    *,
    ignore_whitespace: bool = False,
    left_ref: str = "",
    right_ref: str = "",
) -> Comparison:
    """Diff two versions: template (by message for chat), variables, model config and tags."""
    messages: tuple[diff.MessageDiff, ...] = ()
    rows: tuple[diff.Row, ...] = ()
    if _readable_chat(left) and _readable_chat(right):
        messages = tuple(
            diff.diff_chat(left.messages, right.messages, ignore_whitespace=ignore_whitespace)
        )
        all_rows = [r for m in messages for r in m.rows]
    else:
        rows = tuple(
            diff.diff_lines(
                readable_text(left), readable_text(right), ignore_whitespace=ignore_whitespace
            )
        )
        all_rows = list(rows)
    return Comparison(
        left=left,
        right=right,
        left_label=side_label(left.name, left_ref, left),
        right_label=side_label(right.name, right_ref, right),
        ignore_whitespace=ignore_whitespace,
        rows=rows,
        messages=messages,
        stats=diff.stats(all_rows),
        variables=diff.diff_variables(left.variables, right.variables),
        model_config=tuple(diff.diff_mapping(left.model_config, right.model_config)),
        tags=tuple(diff.diff_mapping(_compared_tags(left), _compared_tags(right))),
        response_format=tuple(
            diff.diff_lines(response_format_text(left), response_format_text(right))
        ),
    )


def _readable_chat(version: PromptVersion) -> bool:
    return version.is_chat and not version.problem


def _compared_tags(version: PromptVersion) -> dict[str, str]:
    """Every version tag but promptui's author tag (compared as the author row)."""
    return {k: v for k, v in version.tags.items() if k != AUTHOR_TAG}
