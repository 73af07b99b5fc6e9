"""The compare view's URL parameters and its two sides: which versions a link compares.

Pure functions over the service layer's dataclasses (no Streamlit, no MLflow).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlencode

from promptui.config import FALSE_WORDS, TRUE_WORDS
from promptui.registry.errors import NotFoundError
from promptui.registry.models import PromptDetail, PromptVersion
from promptui.registry.validation import ALIAS_RULE, MAX_ALIAS_CHARS, MAX_NAME_CHARS, NAME_RULE

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
        """The query string parameters of this view (empty sides and default settings left out:
        side by side, whitespace counted)."""
        out: dict[str, str] = {}
        if self.prompt:
            out["prompt"] = self.prompt
        if self.left:
            out["left"] = self.left
        if self.right:
            out["right"] = self.right
        if self.mode != "side":
            out["mode"] = self.mode
        if self.ignore_ws:
            out["ignore_ws"] = "true"
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
    """`NAME@production (v3)` for an alias or `latest` (MLflow's alias syntax), `NAME v3` for a
    version number."""
    if not ref or _VERSION_REF.fullmatch(ref):
        return f"{name} v{version.version}"
    return f"{name}@{ref} (v{version.version})"
