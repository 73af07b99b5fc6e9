"""Search over the in-memory prompt list (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promptui.registry.models import PromptSummary
from promptui.search import filter_prompts, matches

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def summary(
    name: str,
    text: str = "",
    aliases: dict[str, int] | None = None,
    tags: dict[str, str] | None = None,
) -> PromptSummary:
    return PromptSummary(
        name=name,
        latest_version=1,
        aliases=aliases or {},
        tags=tags or {},
        updated_at=T0,
        created_at=T0,
        prompt_type="text",
        latest_text=text,
    )


AGENT = summary(
    "agent-system-prompt",
    "You are an expert in Databricks.",
    {"production": 2, "champion": 3},
    {"team": "Data-Science", "project": "langgraph-agent"},
)
SQL = summary("sql-explainer", "Explain this {{dialect}} query", {"production": 1}, {"team": "bi"})
CHAT = summary("agent-chat-prompt", "[]", {}, {"team": "data-science", "draft": ""})
ALL = [AGENT, SQL, CHAT]


def names(query: str | None) -> list[str]:
    return [s.name for s in filter_prompts(ALL, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("agent", ["agent-system-prompt", "agent-chat-prompt"]),
        ("AGENT system", ["agent-system-prompt"]),
        ("databricks", ["agent-system-prompt"]),  # latest text
        ("{{dialect}}", ["sql-explainer"]),
        ("champion", ["agent-system-prompt"]),  # alias
        ("production", ["agent-system-prompt", "sql-explainer"]),
        ("langgraph", ["agent-system-prompt"]),  # tag value as a word
        ("team=bi", ["sql-explainer"]),  # tag key=value
        ("team=data", ["agent-system-prompt", "agent-chat-prompt"]),  # value substring, any case
        ("draft=", ["agent-chat-prompt"]),  # tag key present
        ("team=bi agent", []),
        ('"system prompt"', []),  # a quoted phrase is one term
        ('"expert in"', ["agent-system-prompt"]),
        ('"unbalanced', []),
        ("nothing-like-this", []),
    ],
)
def test_queries(query: str, expected: list[str]) -> None:
    assert names(query) == expected


@pytest.mark.parametrize("query", [None, "", "   "])
def test_empty_query_keeps_everything_in_order(query: str | None) -> None:
    assert names(query) == [s.name for s in ALL]


def test_matches_one_summary() -> None:
    assert matches(SQL, "sql explain")
    assert not matches(SQL, "sql champion")


@given(st.text(max_size=30))
def test_any_query_gives_a_subset_in_order(query: str) -> None:
    found = filter_prompts(ALL, query)
    assert found == [s for s in ALL if s in found]


@given(st.sampled_from(ALL))
def test_a_prompt_is_found_by_its_own_name(item: PromptSummary) -> None:
    assert item in filter_prompts(ALL, item.name)
