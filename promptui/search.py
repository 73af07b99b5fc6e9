"""Search over the prompt list already in memory: no request per keystroke."""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from promptui.registry.models import PromptSummary


def _terms(query: str) -> list[str]:
    try:
        return shlex.split(query)
    except ValueError:  # an unbalanced quote: fall back to plain words
        return query.split()


def matches(summary: PromptSummary, query: str) -> bool:
    """True when every term matches: `key=value` a tag, `key=` a tag key, else name/text/alias."""
    for term in _terms(query.strip().lower()):
        if "=" in term:
            key, _, value = term.partition("=")
            tags = {k.lower(): v.lower() for k, v in summary.tags.items()}
            if key not in tags or (value and value not in tags[key]):
                return False
            continue
        haystacks = (
            summary.name.lower(),
            summary.latest_text.lower(),
            " ".join(summary.aliases).lower(),
            " ".join(f"{k} {v}" for k, v in summary.tags.items()).lower(),
        )
        if not any(term in h for h in haystacks):
            return False
    return True


def filter_prompts(summaries: Iterable[PromptSummary], query: str | None) -> list[PromptSummary]:
    """Prompts matching the query; all of them for an empty query."""
    items = list(summaries)
    if not query or not query.strip():
        return items
    return [s for s in items if matches(s, query)]
