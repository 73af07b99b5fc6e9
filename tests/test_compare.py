"""Tests for the compare view's pure logic (promptui.diff.compare)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promptui.diff.compare import (
    CompareParams,
    chat_as_text,
    compare_url,
    compare_versions,
    default_sides,
    describe_side,
    normalize_ref,
    resolve_side,
    side_label,
    side_options,
)
from promptui.registry.errors import NotFoundError
from promptui.registry.models import ChatMessage, PromptDetail, PromptVersion
from promptui.templates import extract_variables, message_variables

T0 = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
XSS = '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> **b** :red[x] $x$'


def version(
    number: int,
    template: str | tuple[ChatMessage, ...],
    *,
    name: str = "p",
    commit: str = "",
    tags: Mapping[str, str] | None = None,
    config: Mapping[str, object] | None = None,
    author: str | None = None,
    aliases: tuple[str, ...] = (),
) -> PromptVersion:
    chat = not isinstance(template, str)
    return PromptVersion(
        name=name,
        version=number,
        prompt_type="chat" if chat else "text",
        text="" if chat else template,  # type: ignore[arg-type]
        messages=template if chat else (),  # type: ignore[arg-type]
        variables=message_variables(template) if chat else extract_variables(template),  # type: ignore[arg-type]
        commit_message=commit,
        tags=tags or {},
        model_config=config or {},
        aliases=aliases,
        created_at=T0.replace(minute=number),
        author=author,
    )


def detail(count: int, aliases: Mapping[str, int] | None = None) -> PromptDetail:
    versions = tuple(version(n, f"text {n}\n") for n in range(count, 0, -1))
    return PromptDetail("p", {}, dict(aliases or {}), versions, T0, T0)


# --------------------------------------------------------------------------- URL parameters


def test_params_round_trip_through_the_query_string() -> None:
    params = CompareParams("support.reply-v2", "production", "7", "inline", True)
    query = params.to_query()
    assert query == {
        "prompt": "support.reply-v2",
        "left": "production",
        "right": "7",
        "mode": "inline",
        "ignore_ws": "true",
    }
    assert CompareParams.from_query(query) == params
    assert CompareParams.from_query(query).ignored == ()


refs = st.one_of(
    st.just(""),
    st.just("latest"),
    st.integers(1, 10**6).map(str),
    st.from_regex(r"[A-Za-z_][\w-]{0,20}", fullmatch=True).filter(
        lambda s: s.lower() != "latest" and not re.fullmatch(r"[vV]\d+", s)
    ),
)


@given(
    prompt=st.from_regex(r"[a-zA-Z0-9_-][a-zA-Z0-9_.-]{0,30}", fullmatch=True),
    left=refs,
    right=refs,
    mode=st.sampled_from(["side", "inline"]),
    ignore_ws=st.booleans(),
)
def test_params_round_trip_property(
    prompt: str, left: str, right: str, mode: str, ignore_ws: bool
) -> None:
    params = CompareParams(prompt, left, right, mode, ignore_ws)  # type: ignore[arg-type]
    again = CompareParams.from_query(params.to_query())
    assert again == params
    assert again.ignored == ()


def test_bad_query_values_fall_back_to_defaults_and_are_reported() -> None:
    params = CompareParams.from_query(
        {
            "prompt": "<script>x</script>",
            "left": "../etc",
            "right": "v0",
            "mode": "table",
            "ignore_ws": "maybe",
            "utm_source": "mail",  # unknown keys are not ours to judge
        }
    )
    assert params == CompareParams()
    joined = " | ".join(params.ignored)
    for key in ("prompt=", "left=", "right=", "mode=", "ignore_ws="):
        assert key in joined
    assert "utm_source" not in joined
    assert len(params.ignored) == 5


def test_query_values_are_normalized() -> None:
    params = CompareParams.from_query(
        {"prompt": " p ", "left": "V3", "right": "LATEST", "mode": "Inline", "ignore_ws": "1"}
    )
    assert params == CompareParams("p", "3", "latest", "inline", True)
    # A repeated parameter: the last value wins, as with st.query_params.
    assert CompareParams.from_query({"left": ["1", "2"]}).left == "2"
    # Default settings stay out of links: a link holds only what differs from the defaults.
    assert CompareParams.from_query({}).to_query() == {}
    assert CompareParams("p", "1", "2", "inline", True).to_query() == {
        "prompt": "p",
        "left": "1",
        "right": "2",
        "mode": "inline",
        "ignore_ws": "true",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("12", "12"),
        ("v12", "12"),
        ("007", "7"),
        ("Latest", "latest"),
        ("champ-1", "champ-1"),
    ],
)
def test_normalize_ref(raw: str, expected: str) -> None:
    assert normalize_ref(raw) == expected


@pytest.mark.parametrize("raw", ["0", "v0", "a b", "x.y", "a" * 256, "<b>", "prod;drop"])
def test_normalize_ref_rejects(raw: str) -> None:
    assert normalize_ref(raw) is None


def test_compare_url_is_a_relative_link_with_encoded_values() -> None:
    url = compare_url("team.bot_v-2", "production", 3)
    parts = urlsplit(url)
    assert parts.path == "compare"
    assert parse_qs(parts.query) == {
        "prompt": ["team.bot_v-2"],
        "left": ["production"],
        "right": ["3"],
    }
    assert CompareParams.from_query(
        {k: v[-1] for k, v in parse_qs(parts.query).items()}
    ) == CompareParams("team.bot_v-2", "production", "3")


def test_swapped_exchanges_the_sides_only() -> None:
    params = CompareParams("p", "production", "latest", "inline", True)
    assert params.swapped() == CompareParams("p", "latest", "production", "inline", True)
    assert params.swapped().swapped() == params


# --------------------------------------------------------------------------- sides


def test_default_sides_prefer_production_then_the_previous_version() -> None:
    assert default_sides(detail(3, {"production": 1})) == ("production", "latest")
    assert default_sides(detail(3, {"staging": 2})) == ("2", "latest")
    assert default_sides(detail(1)) == ("latest", "latest")
    filled = CompareParams("p", "", "1").with_default_sides(detail(3, {"production": 2}))
    assert (filled.left, filled.right) == ("production", "1")


def test_side_options_and_descriptions() -> None:
    d = detail(3, {"champion": 3, "production": 2})
    assert side_options(d) == ["champion", "production", "latest", "3", "2", "1"]
    assert describe_side(d, "production") == "production → v2"
    assert describe_side(d, "latest") == "latest → v3"
    assert describe_side(d, "1") == "v1"
    assert describe_side(d, "gone") == "gone (missing)"


def test_resolve_side_by_number_alias_and_latest() -> None:
    d = detail(3, {"production": 2})
    assert resolve_side(d, "1").version == 1
    assert resolve_side(d, "v1").version == 1
    assert resolve_side(d, "production").version == 2
    assert resolve_side(d, "latest").version == 3


def test_resolve_side_errors_name_the_side_and_what_exists() -> None:
    d = detail(3, {"production": 2})
    with pytest.raises(NotFoundError) as missing_alias:
        resolve_side(d, "champion", "right")
    message = missing_alias.value.message
    assert "right side 'champion'" in message
    assert "Versions: 3, 2, 1" in message
    assert "production (v2)" in message
    assert "latest" in message
    with pytest.raises(NotFoundError, match="left side '9' is no version of 'p'"):
        resolve_side(d, "9")
    with pytest.raises(NotFoundError, match="has no versions"):
        resolve_side(PromptDetail("p", {}, {}, (), T0, T0), "latest")


def test_resolve_error_lists_at_most_twenty_versions() -> None:
    with pytest.raises(NotFoundError) as e:
        resolve_side(detail(50), "99")
    assert "Versions: 50, 49," in e.value.message
    assert "31, …" in e.value.message
    assert " 30," not in e.value.message
    assert "Aliases: none" in e.value.message


def test_side_labels() -> None:
    v = version(3, "x")
    assert side_label("p", "production", v) == "p@production (v3)"
    assert side_label("p", "latest", v) == "p@latest (v3)"
    assert side_label("p", "3", v) == "p v3"
    assert side_label("p", "", v) == "p v3"


# --------------------------------------------------------------------------- comparison


def test_summary_line_counts_words_lines_and_variables() -> None:
    left = version(1, "Answer in {{lang}}.\nBe brief.\nThanks.\n")
    right = version(2, "Answer for {{team}} today.\nBe brief.\nThank you all.\n")
    c = compare_versions(left, right, left_ref="production", right_ref="latest")
    assert c.stats.lines_changed == 2
    assert c.summary_line() == (
        f"+{c.stats.words_added} / −{c.stats.words_removed} words · 2 lines changed · "
        "variables: +team −lang"
    )
    assert (c.stats.words_added, c.stats.words_removed) == (6, 3)
    assert c.variables.breaking
    single = compare_versions(version(1, "a b\n"), version(2, "a c\n"))
    assert single.summary_line() == "+1 / −1 words · 1 line changed · variables unchanged"


def test_identical_and_whitespace_only_changes() -> None:
    same = compare_versions(version(1, "same {{x}}\n"), version(2, "same {{x}}\n"))
    assert not same.template_changed
    assert same.summary_line() == "+0 / −0 words · 0 lines changed · variables unchanged"
    assert same.diff_file() == ""
    assert same.identical
    left, right = version(1, "one  two\nthree\n"), version(2, "one two\nthree \n")
    assert compare_versions(left, right).template_changed
    quiet = compare_versions(left, right, ignore_whitespace=True)
    assert not quiet.template_changed
    assert not quiet.identical
    assert quiet.stats.lines_changed == 0
    assert quiet.diff_file()  # the file is exact: a patch must apply to the real text


def split_lines(text: str) -> list[str]:
    """Lines ending at "\\n" only (a lone "\\r" stays inside its line, as in the engine)."""
    return re.findall(r"[^\n]*\n|[^\n]+", text)


def apply_unified(original: str, patch: str) -> str:
    """Apply a unified diff to `original` (a minimal applier to check the file round trips)."""
    lines = split_lines(original)
    out: list[str] = []
    pos = 0
    body = split_lines(patch)[2:]
    k = 0
    while k < len(body):
        header = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", body[k])
        assert header, body[k]
        start = int(header.group(1)) - (0 if header.group(2) == "0" else 1)
        out.extend(lines[pos:start])
        pos = start
        k += 1
        while k < len(body) and not body[k].startswith("@@"):
            tag, text = body[k][0], body[k][1:]
            if k + 1 < len(body) and body[k + 1].startswith("\\"):
                text = text[:-1]  # "\ No newline at end of file"
                k += 1
            if tag in " -":
                assert lines[pos] == text
                pos += 1
            if tag in " +":
                out.append(text)
            k += 1
    out.extend(lines[pos:])
    return "".join(out)


def test_diff_file_for_text_has_side_labels_and_applies() -> None:
    left = version(1, "Hello {{name}}.\n" + "same\n" * 10 + "end", name="greet")
    right = version(2, "Hi {{name}}!\n" + "same\n" * 10 + "end\n", name="greet")
    c = compare_versions(left, right, left_ref="production", right_ref="2")
    text = c.diff_file()
    head = text.splitlines()[:2]
    assert head == ["--- greet@production (v1)", "+++ greet v2"]
    assert "-Hello {{name}}.\n+Hi {{name}}!\n" in text
    assert "\\ No newline at end of file" in text
    assert apply_unified(left.text, text) == right.text
    assert c.diff_file_name() == "greet_v1_v2.diff"


line_text = st.text(alphabet=st.sampled_from("ab <>*$:\t\r"), max_size=8)


@given(st.lists(line_text, max_size=8), st.lists(line_text, max_size=8), st.booleans())
def test_diff_file_applies_property(a: list[str], b: list[str], trailing: bool) -> None:
    left_text = "\n".join(a) + ("\n" if trailing and a else "")
    right_text = "\n".join(b)
    c = compare_versions(version(1, left_text), version(2, right_text))
    assert apply_unified(left_text, c.diff_file()) == right_text


def test_diff_file_for_chat_is_readable_sections_not_json() -> None:
    left = version(1, (ChatMessage("system", "Be brief."), ChatMessage("user", "{{q}}")))
    right = version(
        2,
        (
            ChatMessage("system", "Be brief and kind.\n"),
            ChatMessage("user", "{{q}}"),
            ChatMessage("assistant", 'Sure: {"role": "x"}'),
        ),
    )
    c = compare_versions(left, right, left_ref="1", right_ref="latest")
    text = c.diff_file()
    assert text.startswith("--- p v1\n+++ p@latest (v2)\n")
    assert "-Be brief.\n+Be brief and kind.\n" in text
    assert "+### message 3 (assistant)\n" in text
    assert '+Sure: {"role": "x"}\n' in text
    assert '"content"' not in text
    assert apply_unified(chat_as_text(left.messages), text) == chat_as_text(right.messages)
    assert chat_as_text(right.messages) == (
        "### message 1 (system)\nBe brief and kind.\n\n"
        "### message 2 (user)\n{{q}}\n\n"
        '### message 3 (assistant)\nSure: {"role": "x"}\n'
    )


def test_chat_compared_message_by_message() -> None:
    sys_msg, user = ChatMessage("system", "You help."), ChatMessage("user", "{{question}}")
    left = version(1, (sys_msg, user, ChatMessage("assistant", "Old example answer here.")))
    right = version(
        2,
        (
            user,
            sys_msg,
            ChatMessage("assistant", "New example answer here."),
            ChatMessage("user", "More"),
        ),
    )
    c = compare_versions(left, right)
    assert c.is_chat and not c.rows
    kinds = sorted(m.kind for m in c.messages)
    assert kinds == ["added", "changed", "equal", "moved"]
    assert c.message_counts() == {"added": 1, "changed": 1, "moved": 1}
    assert c.summary_line().endswith("messages: 1 added, 1 changed, 1 moved")
    assert c.stats.words_added == 2  # "New" and "More"
    html = c.to_html("side")
    assert "pu-msg-moved" in html and "pu-msg-added" in html
    assert '"role"' not in html


def test_text_against_chat_compares_readable_text() -> None:
    left = version(1, "Answer {{q}}.")
    right = version(2, (ChatMessage("system", "Be brief."), ChatMessage("user", "Answer {{q}}.")))
    c = compare_versions(left, right)
    assert c.type_changed and not c.is_chat and c.template_changed
    assert "type: text → chat" in c.summary_line()
    assert "### message 2 (user)" in c.diff_file()
    assert "{" + '"role"' not in c.diff_file()


def test_metadata_rows_show_commit_messages_times_authors_config_and_tags() -> None:
    left = version(
        1,
        "x",
        commit="first\nsecond line",
        tags={"team": "a", "old": "1"},
        config={"temperature": 0.2, "model_name": "m"},
        author="ann@example.com",
        aliases=("production",),
    )
    right = version(
        2,
        "x",
        commit=XSS,
        tags={"team": "b", "new": XSS},
        config={"temperature": 0.5, "model_name": "m", "max_tokens": 100},
    )
    rows = compare_versions(left, right).metadata_rows()
    by_field = {r["field"]: r for r in rows}
    assert by_field["version"] == {
        "field": "version",
        "left": "v1 (production)",
        "right": "v2",
        "change": "changed",
    }
    assert by_field["commit message"]["left"] == "first\nsecond line"
    assert by_field["commit message"]["right"] == XSS  # literal text: the table shows it as is
    assert by_field["author"]["left"] == "ann@example.com"
    assert by_field["author"]["right"] == "—"
    assert by_field["created"]["left"] == "2026-11-01 09:01:00 UTC"
    assert by_field["model config: temperature"]["change"] == "changed"
    assert by_field["model config: model_name"]["change"] == ""
    assert by_field["model config: max_tokens"] == {
        "field": "model config: max_tokens",
        "left": "—",
        "right": "100",
        "change": "added",
    }
    assert by_field["tag: old"]["change"] == "removed"
    assert by_field["tag: new"]["right"] == XSS


@pytest.mark.parametrize("mode", ["side", "inline"])
def test_html_of_untrusted_text_is_escaped(mode: str) -> None:
    left = version(1, "plain\n")
    right = version(2, f"plain {XSS}\n")
    html = compare_versions(left, right).to_html(mode)  # type: ignore[arg-type]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    chat = compare_versions(
        version(1, (ChatMessage("user", "hi"),)), version(2, (ChatMessage("user", f"hi {XSS}"),))
    ).to_html(mode)  # type: ignore[arg-type]
    assert "<script" not in chat and "<img" not in chat
    if mode == "side":
        assert "pu-side" in html
    else:
        assert "pu-unified" in html
