"""Search over the prompt list already in memory (no request per keystroke), saying where each
prompt matched.

A query is terms; shell-style quotes keep a phrase together. A prompt matches when every term
does: `key=value` a tag with that key whose value contains `value`, `key=` a tag with that key,
any other term the name, an alias, a tag's key or value, or the latest version's text (and, when
the texts of every version are given, an older version's text). Matching ignores case.
"""

from __future__ import annotations

import shlex
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from promptui.registry.models import PromptDetail, PromptSummary

MatchKind = Literal["name", "alias", "tag", "text"]
# Older versions' texts of each prompt: name -> ((version, text), ...), newest first.
VersionTexts = Mapping[str, Sequence[tuple[int, str]]]

SNIPPET_BEFORE = 30  # characters of context before the first match
SNIPPET_AFTER = 50  # and after it
OPEN_MARK, CLOSE_MARK, ELLIPSIS = "«", "»", "…"


def fold(text: str) -> str:
    """Text for case-insensitive matching: lower case, every sigma as `σ`.

    Python lower-cases a final capital sigma to `ς` depending on its neighbours; with both sigmas
    folded alike, folding a text equals folding each character and joining, which lets a match
    found in the folded text be mapped back to the original characters."""
    return text.lower().replace("ς", "σ")


def terms(query: str | None) -> list[str]:
    """The query's terms, folded; empty terms dropped."""
    text = (query or "").strip()
    try:
        parts = shlex.split(text)
    except ValueError:  # an unbalanced quote: fall back to plain words
        parts = text.split()
    return [t for t in (fold(p) for p in parts) if t]


@dataclass(frozen=True)
class Snippet:
    """A short piece of a text around a match, with every match inside it marked.

    `parts` are (text, is_match) in order, whitespace shown as single spaces; `cut_before` and
    `cut_after` say whether the text goes on beyond the piece."""

    parts: tuple[tuple[str, bool], ...]
    cut_before: bool
    cut_after: bool

    @property
    def text(self) -> str:
        """The piece without marks."""
        return "".join(text for text, _ in self.parts)

    def plain(self) -> str:
        """Plain text with matches in «…» and cuts as `…`, e.g. `…ask «about» it…`."""
        body = "".join(f"{OPEN_MARK}{t}{CLOSE_MARK}" if hit else t for t, hit in self.parts)
        return (ELLIPSIS if self.cut_before else "") + body + (ELLIPSIS if self.cut_after else "")


@dataclass(frozen=True)
class Reason:
    """One place a prompt matched: its name, an alias (`key`), a tag (`key`), or the text of a
    version (`version`, `latest` when it is the newest one; `snippet` around the match).
    `terms` are the folded query terms found there."""

    kind: MatchKind
    terms: tuple[str, ...]
    key: str = ""
    version: int | None = None
    latest: bool = True
    snippet: Snippet | None = None

    @property
    def label(self) -> str:
        """`name`, `alias production`, `tag team`, `text`, `text of v3`."""
        if self.kind in ("alias", "tag"):
            return f"{self.kind} {self.key}"
        if self.kind == "text" and not self.latest:
            return f"text of v{self.version}"
        return self.kind


@dataclass(frozen=True)
class Hit:
    """A prompt the query matched, and where (every place any term matched, in the order name,
    aliases, tags, texts)."""

    prompt: PromptSummary
    reasons: tuple[Reason, ...] = field(default=())

    def matched(self) -> str:
        """Plain text for a table cell: `name · tag team · text of v3: …«match»…`."""
        pieces = []
        for r in self.reasons:
            pieces.append(f"{r.label}: {r.snippet.plain()}" if r.snippet else r.label)
        return " · ".join(pieces)


class _Folded:
    """A text, its folded form, and the map between their character positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = fold(text)
        self._starts: list[int] | None = None
        if len(self.folded) != len(text):  # a character folded to several (e.g. 'İ')
            starts = [0]
            for c in text:
                starts.append(starts[-1] + len(fold(c)))
            self._starts = starts

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original characters covering folded positions [start, end)."""
        if self._starts is None:
            return start, end
        first = bisect_right(self._starts, start) - 1
        last = bisect_right(self._starts, end - 1) - 1
        return first, last + 1

    def folded_at(self, index: int) -> int:
        """The folded position where original character `index` begins."""
        return index if self._starts is None else self._starts[index]

    def find_all(self, term: str, start: int, end: int) -> list[tuple[int, int]]:
        """Original spans of every occurrence of `term` inside original [start, end)."""
        lo, hi = self.folded_at(start), self.folded_at(end)
        spans = []
        at = self.folded.find(term, lo, hi)
        while at != -1:
            spans.append(self.span(at, at + len(term)))
            at = self.folded.find(term, at + 1, hi)
        return spans


def _shown(text: str) -> str:
    return "".join(" " if c.isspace() else c for c in text)


def snippet(text: str, found: Sequence[str]) -> Snippet | None:
    """The piece of `text` around the earliest occurrence of any of the folded terms `found`,
    each occurrence inside it marked; None when none occurs."""
    folded = _Folded(text)
    firsts = [(at, term) for term in found if (at := folded.folded.find(term)) != -1]
    if not firsts:
        return None
    at, term = min(firsts)
    first, last = folded.span(at, at + len(term))
    start, end = max(0, first - SNIPPET_BEFORE), min(len(text), last + SNIPPET_AFTER)
    if start > 0:  # start and end at word boundaries when the context holds one
        start = next((i + 1 for i in range(start, first) if text[i].isspace()), start)
    if end < len(text):
        end = next((i for i in range(end - 1, last - 1, -1) if text[i].isspace()), end)
    spans = sorted(s for t in found for s in folded.find_all(t, start, end) if s[1] <= end)
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    parts: list[tuple[str, bool]] = []
    pos = start
    for a, b in merged:
        if a > pos:
            parts.append((_shown(text[pos:a]), False))
        parts.append((_shown(text[a:b]), True))
        pos = b
    if pos < end:
        parts.append((_shown(text[pos:end]), False))
    return Snippet(tuple(parts), cut_before=start > 0, cut_after=end < len(text))


def version_texts(details: Iterable[PromptDetail]) -> dict[str, tuple[tuple[int, str], ...]]:
    """Every version's text as a person reads it, by prompt name, newest first."""
    return {d.name: tuple((v.version, v.readable_text()) for v in d.versions) for d in details}


def _tag_reasons(summary: PromptSummary, term: str) -> list[Reason]:
    key, _, value = term.partition("=")
    return [
        Reason("tag", (term,), key=k)
        for k, v in summary.tags.items()
        if fold(k) == key and value in fold(v)
    ]


def _text_match(
    summary: PromptSummary, term: str, older: Sequence[tuple[int, str]]
) -> tuple[int, str] | None:
    """(version, text) of the newest text holding `term`: the latest, else an older version."""
    if term in fold(summary.latest_text):
        return summary.latest_version, summary.latest_text
    for version, text in older:
        if version != summary.latest_version and term in fold(text):
            return version, text
    return None


def _places(summary: PromptSummary, term: str) -> list[tuple[MatchKind, str]]:
    """(kind, key) of the name, aliases and tags holding a plain term."""
    places: list[tuple[MatchKind, str]] = [("name", "")] if term in fold(summary.name) else []
    places += [("alias", a) for a in summary.aliases if term in fold(a)]
    places += [("tag", k) for k, v in summary.tags.items() if term in fold(k) or term in fold(v)]
    return places


def _explain(
    summary: PromptSummary, query_terms: Sequence[str], older: Sequence[tuple[int, str]]
) -> Hit | None:
    plain: dict[tuple[MatchKind, str], list[str]] = {}
    texts: dict[int, tuple[str, list[str]]] = {}
    for term in query_terms:
        if "=" in term:
            places = [(r.kind, r.key) for r in _tag_reasons(summary, term)]
            text = None
        else:
            places = _places(summary, term)
            text = _text_match(summary, term, older)
        if not places and text is None:
            return None
        for place in places:
            plain.setdefault(place, []).append(term)
        if text is not None:
            texts.setdefault(text[0], (text[1], []))[1].append(term)
    order = {"name": 0, "alias": 1, "tag": 2}
    reasons = [
        Reason(kind, tuple(dict.fromkeys(ts)), key=key)
        for (kind, key), ts in sorted(plain.items(), key=lambda item: order[item[0][0]])
    ]
    for version in sorted(texts, key=lambda v: (v != summary.latest_version, -v)):
        text_of, ts = texts[version]
        found = tuple(dict.fromkeys(ts))
        latest = version == summary.latest_version
        reasons.append(
            Reason("text", found, version=version, latest=latest, snippet=snippet(text_of, found))
        )
    return Hit(summary, tuple(reasons))


def explain(
    summary: PromptSummary, query: str | None, versions: VersionTexts | None = None
) -> Hit | None:
    """Where every term of `query` matched this prompt (name, then aliases, tags, texts: the
    latest text first, then older versions newest first); None unless every term matched.

    `versions` (see `version_texts`) adds older versions' texts to the search: a term not in the
    latest text is looked for in the newest older version that holds it."""
    return _explain(summary, terms(query), (versions or {}).get(summary.name, ()))


def search(
    summaries: Iterable[PromptSummary], query: str | None, versions: VersionTexts | None = None
) -> list[Hit]:
    """The prompts matching the query, in the order given, each with where it matched (see
    `explain`); every prompt, with no reasons, for a query without terms. Pure: no request."""
    query_terms = terms(query)
    if not query_terms:
        return [Hit(s) for s in summaries]
    older = versions or {}
    hits = (_explain(s, query_terms, older.get(s.name, ())) for s in summaries)
    return [h for h in hits if h is not None]


def matches(summary: PromptSummary, query: str) -> bool:
    """True when every term of `query` matches the prompt (its latest text only)."""
    return explain(summary, query) is not None


def filter_prompts(summaries: Iterable[PromptSummary], query: str | None) -> list[PromptSummary]:
    """Prompts matching the query (latest texts only); all of them for an empty query."""
    return [h.prompt for h in search(summaries, query)]
