"""Comparing two versions of a prompt: template (message by message for chat), variables,
model config, response format and tags. The view's URL and sides are in `sides`.

Pure functions over the service layer's dataclasses (no Streamlit, no MLflow).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from promptui import diff
from promptui.diff.sides import (
    LATEST,
    MODES,
    PRODUCTION,
    CompareParams,
    ViewMode,
    compare_url,
    default_sides,
    describe_side,
    normalize_ref,
    resolve_side,
    side_label,
    side_options,
)
from promptui.registry.models import ChatMessage, PromptVersion
from promptui.registry.stored import AUTHOR_TAG
from promptui.ui.diff_html import chat_html, side_by_side_html, unified_html

__all__ = [
    "LATEST",
    "MODES",
    "PRODUCTION",
    "CompareParams",
    "Comparison",
    "ViewMode",
    "chat_as_text",
    "compare_url",
    "compare_versions",
    "default_sides",
    "describe_side",
    "normalize_ref",
    "readable_text",
    "resolve_side",
    "side_label",
    "side_options",
]


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

    def response_format_html(self, mode: ViewMode) -> str:
        """The two response formats as an escaped HTML diff of their indented JSON."""
        if mode == "inline":
            return unified_html(self.response_format)
        return side_by_side_html(
            self.response_format, left_title=self.left_label, right_title=self.right_label
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
