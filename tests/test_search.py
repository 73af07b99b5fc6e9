"""Search over the in-memory prompt list, and where each prompt matched (pure)."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptui.registry.models import ChatMessage, PromptDetail, PromptSummary, PromptVersion
from promptui.search import (
    SNIPPET_AFTER,
    SNIPPET_BEFORE,
    VersionTexts,
    filter_prompts,
    fold,
    matches,
    search,
    snippet,
    terms,
    version_texts,
)
from promptui.ui.search_html import text_hits_html

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


# -- where each prompt matched --------------------------------------------------------------


def labels(query: str, versions: VersionTexts | None = None) -> dict[str, list[str]]:
    return {h.prompt.name: [r.label for r in h.reasons] for h in search(ALL, query, versions)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("agent", {"agent-system-prompt": ["name", "tag project"], "agent-chat-prompt": ["name"]}),
        ("champion", {"agent-system-prompt": ["alias champion"]}),
        (
            "product",
            {"agent-system-prompt": ["alias production"], "sql-explainer": ["alias production"]},
        ),
        ("team=bi", {"sql-explainer": ["tag team"]}),
        ("draft=", {"agent-chat-prompt": ["tag draft"]}),
        ("science", {"agent-system-prompt": ["tag team"], "agent-chat-prompt": ["tag team"]}),
        ("dialect", {"sql-explainer": ["text"]}),
        ("sql dialect", {"sql-explainer": ["name", "text"]}),
        ("expert team=data", {"agent-system-prompt": ["tag team", "text"]}),
    ],
)
def test_each_result_says_where_it_matched(query: str, expected: dict[str, list[str]]) -> None:
    assert labels(query) == expected


def test_text_matches_carry_a_snippet_with_every_term_marked() -> None:
    (hit,) = search(ALL, '"an expert" databricks')
    (reason,) = hit.reasons
    assert reason.snippet is not None
    assert reason.snippet.plain() == "You are «an expert» in «Databricks»."
    assert hit.matched() == "text: You are «an expert» in «Databricks»."
    assert (reason.version, reason.latest, reason.terms) == (1, True, ("an expert", "databricks"))


def test_a_long_text_is_cut_around_the_first_match_at_word_boundaries() -> None:
    text = " ".join(f"word{i}" for i in range(100)) + "\nthe needle\tis here " + "tail " * 50
    s = snippet(text, ["needle"])
    assert s is not None
    shown = s.plain()
    assert shown.startswith("…") and shown.endswith("…")
    assert "the «needle» is here" in shown  # line breaks and tabs shown as spaces
    assert len(s.text) <= SNIPPET_BEFORE + SNIPPET_AFTER + len("needle")
    assert s.text.split(" ")[0] in text.split()  # no word cut in half
    assert s.text.rstrip().split(" ")[-1] in text.split()
    assert snippet(text, ["absent"]) is None


def _story(latest_text: str) -> PromptSummary:
    return PromptSummary(
        name="story",
        latest_version=3,
        aliases={},
        tags={},
        updated_at=T0,
        created_at=T0,
        prompt_type="text",
        latest_text=latest_text,
    )


STORY = _story("third: short answers")
STORY_VERSIONS: VersionTexts = {
    "story": ((3, "third: short answers"), (2, "second: cite sources"), (1, "first: cite nothing"))
}


def test_older_versions_are_searched_only_when_given() -> None:
    assert search([STORY], "cite") == []
    (hit,) = search([STORY], "cite", STORY_VERSIONS)
    (reason,) = hit.reasons
    assert (reason.label, reason.version, reason.latest) == ("text of v2", 2, False)  # newest
    assert reason.snippet is not None and reason.snippet.plain() == "second: «cite» sources"
    (hit,) = search([STORY], "nothing", STORY_VERSIONS)
    assert [r.label for r in hit.reasons] == ["text of v1"]
    (hit,) = search([STORY], "short", STORY_VERSIONS)
    assert [r.label for r in hit.reasons] == ["text"]  # the latest text first, no older one


def test_terms_may_match_different_versions() -> None:
    (hit,) = search([STORY], "short sources nothing", STORY_VERSIONS)
    assert [r.label for r in hit.reasons] == ["text", "text of v2", "text of v1"]
    assert search([STORY], "short absent", STORY_VERSIONS) == []


def test_version_texts_reads_each_version_as_a_person_does() -> None:
    chat = PromptVersion(
        name="c",
        version=2,
        prompt_type="chat",
        text='[{"role": "user", "content": "hi {{q}}"}]',
        messages=(ChatMessage("system", "be kind"), ChatMessage("user", "hi {{q}}")),
        variables=("q",),
        commit_message="",
        tags={},
        model_config={},
        aliases=(),
        created_at=T0,
    )
    detail = PromptDetail("c", {}, {}, (chat,), T0, T0)
    assert version_texts([detail]) == {"c": ((2, "be kind\n\nhi {{q}}"),)}


def test_snippet_html_escapes_every_piece_of_user_text() -> None:
    payload = "<script>x</script> **b** & $e$ [l](j:y) :red[z]"
    (found,) = search([_story(payload)], "script")
    body, total = text_hits_html([found])
    assert total == 1
    assert "<script" not in body and "<scr" not in body.replace("<style>", "")
    assert "&lt;<mark>script</mark>&gt;x&lt;/<mark>script</mark>&gt;" in body
    assert (
        "&#42;&#42;b&#42;&#42; &amp; &#36;e&#36; &#91;l&#93;(j&#58;y) &#58;red&#91;z&#93;" in body
    )
    assert body.count("<mark>") == 2
    assert text_hits_html(search([_story(payload)], "story")) == ("", 0)  # no text matched


# -- properties -------------------------------------------------------------------------------

WORDS = st.sampled_from(["Agent", "İstanbul", "ΟΔΥΣΣΕΥΣ", "σοφία", "ß", "K", "a b", "x\ny", "🙂"])
FREE_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
TEXTS = st.lists(st.one_of(WORDS, FREE_TEXT), max_size=6).map(" ".join)
NAMES = st.text("abcXYZ019_.-", min_size=1, max_size=12)
KEYS = st.text("abcdeKEY-_.", min_size=1, max_size=6)


@st.composite
def prompts_and_query(draw: st.DrawFn) -> tuple[PromptSummary, VersionTexts, str]:
    latest = draw(st.integers(1, 4))
    filler = st.sampled_from(["", "some words before the rest " * 3])  # long texts are cut
    texts = {v: draw(filler) + draw(TEXTS) + draw(filler) for v in range(1, latest + 1)}
    summary = PromptSummary(
        name=draw(NAMES),
        latest_version=latest,
        aliases=draw(st.dictionaries(KEYS, st.integers(1, latest), max_size=3)),
        tags=draw(st.dictionaries(KEYS, TEXTS, max_size=3)),
        updated_at=T0,
        created_at=T0,
        prompt_type="text",
        latest_text=texts[latest],
    )
    versions = {summary.name: tuple(sorted(texts.items(), reverse=True))}
    fields = [
        summary.name,
        *summary.aliases,
        *summary.tags,
        *summary.tags.values(),
        *texts.values(),
    ]
    picked = []
    for _ in range(draw(st.integers(1, 3))):
        source = draw(st.sampled_from(fields))
        start = draw(st.integers(0, max(0, len(source) - 1)))
        end = draw(st.integers(min(start + 1, len(source)), min(len(source), start + 8)))
        picked.append(shlex.quote(source[start:end]))
    query = draw(st.one_of(st.just(" ".join(picked)), FREE_TEXT))
    return summary, versions, query


def _spaced(text: str) -> str:
    return "".join(" " if c.isspace() else c for c in text)


def _holds(summary: PromptSummary, versions: VersionTexts, term: str) -> bool:
    """The search's definition of a term matching a prompt, written out plainly."""
    if "=" in term:
        key, _, value = term.partition("=")
        return any(fold(k) == key and value in fold(v) for k, v in summary.tags.items())
    places = [summary.name, *summary.aliases, *summary.tags, *summary.tags.values()]
    places += [summary.latest_text, *(t for _, t in versions.get(summary.name, ()))]
    return any(term in fold(p) for p in places)


@settings(max_examples=300, deadline=None)
@given(prompts_and_query(), st.booleans())
def test_reasons_are_true_and_every_term_is_explained(
    case: tuple[PromptSummary, VersionTexts, str], every_version: bool
) -> None:
    summary, versions, query = case
    given_versions = versions if every_version else {}
    hits = search([summary], query, given_versions)
    query_terms = terms(query)
    assert bool(hits) == all(_holds(summary, given_versions, t) for t in query_terms)
    if not hits or not query_terms:
        return
    (hit,) = hits
    texts = dict(versions[summary.name])
    explained: set[str] = set()
    for reason in hit.reasons:
        explained |= set(reason.terms)
        for term in reason.terms:
            if reason.kind == "name":
                assert term in fold(summary.name)
            elif reason.kind == "alias":
                assert term in fold(reason.key) and reason.key in summary.aliases
            elif reason.kind == "tag":
                key, value = reason.key, summary.tags[reason.key]
                if "=" in term:
                    assert fold(key) == term.partition("=")[0]
                    assert term.partition("=")[2] in fold(value)
                else:
                    assert term in fold(key) or term in fold(value)
            else:
                assert reason.version is not None
                assert reason.latest == (reason.version == summary.latest_version)
                assert every_version or reason.latest
                assert term in fold(texts[reason.version])
        if reason.kind == "text":
            s = reason.snippet
            assert s is not None
            marked = [fold(t) for t, hit_part in s.parts if hit_part]
            # The snippet holds a matched term, marked; every marked piece holds one.
            assert any(_spaced(t) in m for t in reason.terms for m in marked)
            assert all(any(_spaced(t) in m for t in reason.terms) for m in marked)
            assert _spaced(s.text) in _spaced(texts[reason.version])
    assert explained == set(query_terms)


@given(st.text(max_size=60))
def test_folding_a_text_equals_folding_each_character(text: str) -> None:
    assert fold(text) == "".join(fold(c) for c in text)
