"""Tests for the diff engine (promptui.diff)."""

from __future__ import annotations

import itertools
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promptui.diff import (
    DiffStats,
    KeyChange,
    MessageDiff,
    Row,
    Segment,
    VariableChange,
    apply_chat,
    apply_rows,
    diff_chat,
    diff_lines,
    diff_mapping,
    diff_variables,
    diff_words,
    stats,
    tokenize,
    unified_diff,
)
from promptui.registry import models
from promptui.registry.models import ChatMessage

E, D, I = "equal", "delete", "insert"  # noqa: E741


def seg(op: str, text: str) -> Segment:
    return Segment(op, text)  # type: ignore[arg-type]


def changed(segments: list[Segment] | tuple[Segment, ...]) -> list[tuple[str, str]]:
    return [(s.op, s.text) for s in segments if s.op != "equal"]


# --------------------------------------------------------------------------- tokenize


def test_tokenize_splits_words_whitespace_and_punctuation() -> None:
    assert tokenize("Hello,  {{name}}!\n") == [
        "Hello",
        ",",
        "  ",
        "{",
        "{",
        "name",
        "}",
        "}",
        "!",
        "\n",
    ]


def test_tokenize_unicode_words_and_empty() -> None:
    assert tokenize("") == []
    assert tokenize("naïve 東京 🙂") == ["naïve", " ", "東京", " ", "🙂"]


# --------------------------------------------------------------------------- diff_words


def test_diff_words_one_changed_word_in_long_line() -> None:
    words = [f"word{i}" for i in range(300)]
    a = " ".join(words)
    words[150] = "CHANGED"
    b = " ".join(words)
    segments = diff_words(a, b)
    assert changed(segments) == [(D, "word150"), (I, "CHANGED")]
    assert [s.op for s in segments] == [E, D, I, E]


def test_diff_words_run_of_changed_words_is_one_delete_then_one_insert() -> None:
    assert diff_words("the quick brown fox", "the slow red fox") == [
        seg(E, "the "),
        seg(D, "quick brown"),
        seg(I, "slow red"),
        seg(E, " fox"),
    ]


def test_diff_words_punctuation_is_separate() -> None:
    assert diff_words("Hello, world!", "Hello world!!") == [
        seg(E, "Hello"),
        seg(D, ","),
        seg(E, " world"),
        seg(I, "!"),
        seg(E, "!"),
    ]


def test_diff_words_whitespace_change() -> None:
    assert diff_words("foo  bar", "foo bar") == [
        seg(E, "foo"),
        seg(D, "  "),
        seg(I, " "),
        seg(E, "bar"),
    ]


def test_diff_words_pure_insert_delete_and_empty() -> None:
    assert diff_words("", "") == []
    assert diff_words("same", "same") == [seg(E, "same")]
    assert diff_words("", "new text") == [seg(I, "new text")]
    assert diff_words("old text", "") == [seg(D, "old text")]
    assert diff_words("a c", "a b c") == [seg(E, "a "), seg(I, "b "), seg(E, "c")]


def test_diff_words_rebuilds_both_sides() -> None:
    a = "Answer in {{lang}}; be brief, precise and polite."
    b = "Answer only in {{language}}: be precise, brief and polite!"
    segments = diff_words(a, b)
    assert "".join(s.text for s in segments if s.op != I) == a
    assert "".join(s.text for s in segments if s.op != D) == b


# --------------------------------------------------------------------------- diff_lines


def test_diff_lines_equal_texts() -> None:
    rows = diff_lines("a\nb\n", "a\nb\n")
    assert rows == [
        Row("equal", 1, 1, (seg(E, "a\n"),), (seg(E, "a\n"),)),
        Row("equal", 2, 2, (seg(E, "b\n"),), (seg(E, "b\n"),)),
    ]
    assert diff_lines("", "") == []


def test_diff_lines_insert_delete_replace() -> None:
    a = "one\ntwo three four\nfive\nsix sixty six\n"
    b = "one\ntwo THREE four\nfive\nsix sixty six and a half\nseven\n"
    rows = diff_lines(a, b)
    assert [(r.kind, r.left_no, r.right_no) for r in rows] == [
        ("equal", 1, 1),
        ("replace", 2, 2),
        ("equal", 3, 3),
        ("replace", 4, 4),
        ("insert", None, 5),
    ]
    assert rows[1].left == (seg(E, "two "), seg(D, "three"), seg(E, " four\n"))
    assert rows[1].right == (seg(E, "two "), seg(I, "THREE"), seg(E, " four\n"))
    assert changed(rows[3].right) == [(I, " and a half")]
    assert rows[4] == Row("insert", None, 5, (), (seg(I, "seven\n"),))

    rows = diff_lines(b, a)
    assert rows[-1] == Row("delete", 5, None, (seg(D, "seven\n"),), ())


def test_diff_lines_pairs_similar_lines_in_replace_block() -> None:
    a = "alpha beta gamma delta\nlorem ipsum dolor sit amet\n"
    b = "completely unrelated line here\nalpha beta GAMMA delta\nzzz\nlorem ipsum dolor sit\n"
    rows = diff_lines(a, b)
    assert [(r.kind, r.left_no, r.right_no) for r in rows] == [
        ("insert", None, 1),
        ("replace", 1, 2),
        ("insert", None, 3),
        ("replace", 2, 4),
    ]
    assert changed(rows[1].left) == [(D, "gamma")]
    assert changed(rows[1].right) == [(I, "GAMMA")]


def test_diff_lines_pairs_line_with_appended_text() -> None:
    a = "Intro\nBe concise.\nOther\n"
    b = "Intro\nBe concise and friendly, use bullet points.\nNew line here\nOther\n"
    rows = diff_lines(a, b)
    assert [(r.kind, r.left_no, r.right_no) for r in rows] == [
        ("equal", 1, 1),
        ("replace", 2, 2),
        ("insert", None, 3),
        ("equal", 3, 4),
    ]
    assert changed(rows[1].right) == [(I, " and friendly, use bullet points")]


def test_diff_lines_dissimilar_lines_are_not_paired() -> None:
    rows = diff_lines("x\nfirst line of text\nz\n", "x\n0 1 2 3 4 5 6\nzzz 9\nz\n")
    assert [r.kind for r in rows] == ["equal", "delete", "insert", "insert", "equal"]


def test_diff_lines_trailing_newline_and_crlf() -> None:
    rows = diff_lines("a\nb", "a\nb\n")
    assert rows[1] == Row("replace", 2, 2, (seg(E, "b"),), (seg(E, "b"), seg(I, "\n")))
    rows = diff_lines("a\r\nb\r\n", "a\nb\r\n")
    assert rows[0].kind == "replace"
    assert rows[1].kind == "equal"
    assert apply_rows(rows) == ("a\r\nb\r\n", "a\nb\r\n")


def test_diff_lines_ignore_whitespace() -> None:
    a = "def  f():\n    return 1\nkeep\n"
    b = "def f():\n\treturn 1\r\nkeep\n"
    assert all(r.kind == "equal" for r in diff_lines(a, b, ignore_whitespace=True))
    assert [r.kind for r in diff_lines(a, b)] == ["replace", "replace", "equal"]

    # Inside a changed line, whitespace-only token changes are not highlighted.
    rows = diff_lines("foo  bar,baz qux\n", "foo bar, baz QUX\n", ignore_whitespace=True)
    assert len(rows) == 1 and rows[0].kind == "replace"
    assert changed(rows[0].left) == [(D, "qux")]
    assert changed(rows[0].right) == [(I, "QUX")]
    # Each side still keeps its own text.
    assert apply_rows(rows) == ("foo  bar,baz qux\n", "foo bar, baz QUX\n")


def test_diff_lines_ignore_whitespace_leading_indent() -> None:
    rows = diff_lines("  a b\n", "a  b\n", ignore_whitespace=True)
    assert rows == [Row("equal", 1, 1, (seg(E, "  a b\n"),), (seg(E, "a  b\n"),))]


def test_diff_lines_unrelated_single_lines_are_delete_and_insert() -> None:
    rows = diff_lines("abc", "xyz")
    assert rows == [
        Row("delete", 1, None, (seg(D, "abc"),), ()),
        Row("insert", None, 1, (), (seg(I, "xyz"),)),
    ]
    rows = diff_lines("abc def", "abc xyz")
    assert rows == [
        Row("replace", 1, 1, (seg(E, "abc "), seg(D, "def")), (seg(E, "abc "), seg(I, "xyz")))
    ]


def test_worst_case_is_word_level() -> None:
    """Two ~100,000-char single lines with a word changed every ~7 words."""
    rng = random.Random(0)
    vocab = sorted(
        {"".join(rng.choices("abcdefghijklmnop", k=rng.randint(2, 9))) for _ in range(3000)}
    )
    words: list[str] = []
    while sum(map(len, words)) + len(words) < 100_000:
        words.append(rng.choice(vocab))
    edited = list(words)
    edits = 0
    for pos in range(3, len(words), 7):
        new = rng.choice(vocab)
        while new == edited[pos]:
            new = rng.choice(vocab)
        edited[pos] = new
        edits += 1
    a, b = " ".join(words), " ".join(edited)
    assert len(a) >= 100_000
    rows = diff_lines(a, b)
    assert len(rows) == 1 and rows[0].kind == "replace"
    assert apply_rows(rows) == (a, b)
    s = stats(rows)
    # LCS may occasionally keep a replacement word that equals a nearby word.
    assert edits * 0.95 <= s.words_removed <= edits
    assert edits * 0.95 <= s.words_added <= edits
    deletes = [x for x in rows[0].left if x.op == "delete"]
    assert len(deletes) >= edits * 0.95


# --------------------------------------------------------------------------- apply_rows, stats


def test_apply_rows_and_stats() -> None:
    a = "Say hello to {{name}}.\nBe nice.\nBye\n"
    b = "Say hi to {{name}} politely.\nBye\nP.S. thanks\n"
    rows = diff_lines(a, b)
    assert apply_rows(rows) == (a, b)
    assert stats(rows) == DiffStats(words_added=5, words_removed=3, lines_changed=3)
    assert stats([]) == DiffStats(0, 0, 0)
    assert stats(diff_lines(a, a)) == DiffStats(0, 0, 0)


# --------------------------------------------------------------------------- unified_diff


def apply_unified(a: str, patch: str) -> str:
    """Minimal unified-diff applier used to check the output is well formed."""
    lines = re.findall(r"[^\n]*\n|[^\n]+", a)
    out: list[str] = []
    pos = 0
    plines = re.findall(r"[^\n]*\n|[^\n]+", patch)
    assert plines[0].startswith("--- ") and plines[1].startswith("+++ ")
    k = 2
    while k < len(plines):
        m = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n$", plines[k])
        assert m, plines[k]
        start = int(m.group(1)) - (0 if m.group(2) == "0" else 1)
        out.extend(lines[pos:start])
        pos = start
        k += 1
        while k < len(plines) and not plines[k].startswith("@@"):
            tag, body = plines[k][0], plines[k][1:]
            nxt = plines[k + 1] if k + 1 < len(plines) else ""
            if nxt.startswith("\\ No newline at end of file"):
                body = body[:-1]
                k += 1
            assert tag in " -+"
            if tag in " -":
                assert lines[pos] == body
                pos += 1
            if tag in " +":
                out.append(body)
            k += 1
    out.extend(lines[pos:])
    return "".join(out)


def test_unified_diff_format() -> None:
    a = "line 1\nline 2\nline 3\nline 4\n"
    b = "line 1\nline two\nline 3\nline 4\nline 5\n"
    text = unified_diff(a, b, "greeting v1", "greeting v2")
    assert text.splitlines()[:3] == ["--- greeting v1", "+++ greeting v2", "@@ -1,4 +1,5 @@"]
    assert "-line 2\n+line two\n" in text
    assert "+line 5\n" in text
    assert text.endswith("\n")
    assert all(line.endswith("\n") for line in text.splitlines(keepends=True))
    assert apply_unified(a, text) == b


def test_unified_diff_no_newline_at_end_and_context() -> None:
    text = unified_diff("a\nb", "a\nc", "x", "y", context=0)
    no_eol = "\\ No newline at end of file\n"
    assert text == f"--- x\n+++ y\n@@ -2 +2 @@\n-b\n{no_eol}+c\n{no_eol}"
    assert apply_unified("a\nb", text) == "a\nc"


def test_unified_diff_equal_and_labels_sanitized() -> None:
    assert unified_diff("same\n", "same\n", "a", "b") == ""
    text = unified_diff("x\n", "y\n", "evil\nlabel", "b\r\n+++ c")
    assert text.splitlines()[0] == "--- evil label"
    assert text.splitlines()[1] == "+++ b  +++ c"


# --------------------------------------------------------------------------- chat


def msg(role: str, content: str) -> ChatMessage:
    return ChatMessage(role, content)


def test_chat_message_is_the_models_type() -> None:
    # Versions from the registry carry the models' ChatMessage; diff_chat takes them as is.
    assert ChatMessage is models.ChatMessage
    version_messages = (models.ChatMessage("user", "Hi {{name}}"),)
    diffs = diff_chat(version_messages, [models.ChatMessage("user", "Hi {{name}}!")])
    assert [d.kind for d in diffs] == ["changed"]
    assert diffs[0].left is version_messages[0]


SYS = msg("system", "You are a helpful assistant for {{company}}.")
USER = msg("user", "Question: {{question}}")


def kinds(diffs: list[MessageDiff]) -> list[tuple[str, int | None, int | None]]:
    return [(d.kind, d.left_index, d.right_index) for d in diffs]


def test_diff_chat_equal() -> None:
    diffs = diff_chat([SYS, USER], [SYS, USER])
    assert kinds(diffs) == [("equal", 0, 0), ("equal", 1, 1)]
    assert all(r.kind == "equal" for d in diffs for r in d.rows)


def test_diff_chat_added_and_removed() -> None:
    extra = msg("assistant", "Sure! Here is an example answer.")
    diffs = diff_chat([SYS, USER], [SYS, extra, USER])
    assert kinds(diffs) == [("equal", 0, 0), ("added", None, 1), ("equal", 1, 2)]
    assert diffs[1].rows == (Row("insert", None, 1, (), (seg(I, extra.content),)),)

    diffs = diff_chat([SYS, extra, USER], [SYS, USER])
    assert kinds(diffs) == [("equal", 0, 0), ("removed", 1, None), ("equal", 2, 1)]
    assert diffs[1].rows == (Row("delete", 1, None, (seg(D, extra.content),), ()),)


def test_diff_chat_removed_placed_before_added_in_same_gap() -> None:
    old = msg("assistant", "aaaa bbbb")
    new = msg("user", "zzzz yyyy xxxx")
    diffs = diff_chat([SYS, old, USER], [SYS, new, USER])
    assert kinds(diffs) == [
        ("equal", 0, 0),
        ("removed", 1, None),
        ("added", None, 1),
        ("equal", 2, 2),
    ]


def test_diff_chat_changed_content() -> None:
    sys2 = msg("system", "You are a helpful and concise assistant for {{company}}.")
    diffs = diff_chat([SYS, USER], [sys2, USER])
    assert kinds(diffs) == [("changed", 0, 0), ("equal", 1, 1)]
    (row,) = diffs[0].rows
    assert [(op, text.strip()) for op, text in changed(row.right)] == [(I, "and concise")]
    assert changed(row.left) == []


def test_diff_chat_role_change_is_changed() -> None:
    diffs = diff_chat([SYS, USER], [msg("developer", SYS.content), USER])
    assert kinds(diffs) == [("changed", 0, 0), ("equal", 1, 1)]
    assert all(r.kind == "equal" for r in diffs[0].rows)


def test_diff_chat_moved() -> None:
    a = [SYS, USER, msg("assistant", "Example")]
    b = [USER, SYS, msg("assistant", "Example")]
    diffs = diff_chat(a, b)
    got = kinds(diffs)
    assert sorted(k for k, _, _ in got) == ["equal", "equal", "moved"]
    assert [d.right_index for d in diffs] == [0, 1, 2]
    moved = next(d for d in diffs if d.kind == "moved")
    assert all(r.kind == "equal" for r in moved.rows)
    assert apply_chat(diffs) == (a, b)


def test_diff_chat_dissimilar_same_role_is_added_and_removed() -> None:
    diffs = diff_chat([msg("user", "abc def ghi")], [msg("user", "12345 67890 xyz")])
    assert kinds(diffs) == [("removed", 0, None), ("added", None, 0)]


def test_diff_chat_ignore_whitespace() -> None:
    a = [msg("user", "Hello  {{name}}\n")]
    b = [msg("user", "Hello {{name}}")]
    assert kinds(diff_chat(a, b)) == [("changed", 0, 0)]
    diffs = diff_chat(a, b, ignore_whitespace=True)
    assert kinds(diffs) == [("equal", 0, 0)]
    assert apply_chat(diffs) == (a, b)


def test_diff_chat_empty_sides() -> None:
    assert diff_chat([], []) == []
    assert kinds(diff_chat([], [SYS])) == [("added", None, 0)]
    assert kinds(diff_chat([SYS, USER], [])) == [("removed", 0, None), ("removed", 1, None)]


# --------------------------------------------------------------------------- mapping, variables


def test_diff_mapping() -> None:
    a = {"temperature": 0.2, "model": "gpt-x", "stop": ["\n"], "top_p": 1, "n": "1"}
    b = {"temperature": 0.7, "model": "gpt-x", "max_tokens": 256, "n": 1, "stop": ["\n"]}
    assert diff_mapping(a, b) == [
        KeyChange("max_tokens", "added", None, "256"),
        KeyChange("model", "equal", "gpt-x", "gpt-x"),
        KeyChange("n", "changed", "1", "1"),
        KeyChange("stop", "equal", '["\\n"]', '["\\n"]'),
        KeyChange("temperature", "changed", "0.2", "0.7"),
        KeyChange("top_p", "removed", "1", None),
    ]
    assert diff_mapping({}, {}) == []
    assert diff_mapping({"k": {"b": 1, "a": "é"}}, {})[0].left == '{"a": "é", "b": 1}'


def test_diff_variables() -> None:
    change = diff_variables(["name", "question", "context"], ["question", "name", "lang"])
    assert change == VariableChange(
        added=("lang",), removed=("context",), kept=("name", "question")
    )
    assert change.breaking
    same = diff_variables(["a", "b"], iter(["b", "a", "a"]))
    assert same == VariableChange((), (), ("a", "b"))
    assert not same.breaking
    assert diff_variables([], ["x"]).breaking


# --------------------------------------------------------------------------- properties

ALPHABET = st.sampled_from([*"aab b c.,!?{}\n\n\r\t  é東🙂_-'", "\r\n", "word ", "  "])
TEXT = st.lists(ALPHABET, max_size=60).map("".join)
ANY_TEXT = st.one_of(TEXT, st.text(max_size=40))


@st.composite
def text_and_edit(draw: st.DrawFn) -> tuple[str, str]:
    """A text and a version with a few random edits (or an unrelated text)."""
    a = draw(ANY_TEXT)
    if draw(st.integers(0, 4)) == 0:
        return a, draw(ANY_TEXT)
    b = a
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(b)))
        end = draw(st.integers(start, min(len(b), start + 8)))
        b = b[:start] + draw(TEXT.map(lambda s: s[:8])) + b[end:]
    return a, b


PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(text_and_edit(), st.booleans())
def test_apply_rows_rebuilds_texts(pair: tuple[str, str], ignore_ws: bool) -> None:
    a, b = pair
    rows = diff_lines(a, b, ignore_whitespace=ignore_ws)
    assert apply_rows(rows) == (a, b)
    left_nos = [r.left_no for r in rows if r.left_no is not None]
    right_nos = [r.right_no for r in rows if r.right_no is not None]
    assert left_nos == list(range(1, len(left_nos) + 1))
    assert right_nos == list(range(1, len(right_nos) + 1))
    for r in rows:
        assert all(s.op in (E, D) and s.text for s in r.left)
        assert all(s.op in (E, I) and s.text for s in r.right)
        if r.kind == "equal" and not ignore_ws:
            assert r.left == r.right
        if r.kind == "replace":
            assert any(s.op != E for s in (*r.left, *r.right))
        if ignore_ws and r.kind == "replace":
            # Whitespace-only changes inside a changed line are never highlighted (whole
            # blank lines added or removed are still shown, as with `git diff -w`).
            assert all(not s.text.isspace() for s in (*r.left, *r.right) if s.op != E)
    if a == b:
        assert all(r.kind == "equal" for r in rows)


@PROPS
@given(text_and_edit())
def test_diff_words_rebuilds_texts(pair: tuple[str, str]) -> None:
    a, b = pair
    segments = diff_words(a, b)
    assert "".join(s.text for s in segments if s.op != I) == a
    assert "".join(s.text for s in segments if s.op != D) == b
    assert all(s.text for s in segments)
    # Adjacent segments never share an op, and an insert never precedes a delete directly.
    for x, y in itertools.pairwise(segments):
        assert x.op != y.op
        assert (x.op, y.op) != (I, D)


@PROPS
@given(text_and_edit())
def test_unified_diff_applies(pair: tuple[str, str]) -> None:
    a, b = pair
    a, b = a.replace("\r", ""), b.replace("\r", "")  # the minimal applier splits on \n only
    text = unified_diff(a, b, "a", "b", context=2)
    if a == b:
        assert text == ""
    else:
        assert apply_unified(a, text) == b


MESSAGES = st.lists(
    st.builds(
        ChatMessage,
        role=st.sampled_from(["system", "user", "assistant"]),
        content=st.sampled_from(["", "hi", "hi there", "hi  there", "bye now", "x y z"]) | TEXT,
    ),
    max_size=7,
)


@PROPS
@given(MESSAGES, MESSAGES, st.booleans())
def test_apply_chat_rebuilds_messages(
    a: list[ChatMessage], b: list[ChatMessage], ignore_ws: bool
) -> None:
    diffs = diff_chat(a, b, ignore_whitespace=ignore_ws)
    assert apply_chat(diffs) == (list(a), list(b))
    assert [d.right_index for d in diffs if d.right_index is not None] == list(range(len(b)))
    for d in diffs:
        left = d.left.content if d.left else ""
        right = d.right.content if d.right else ""
        assert apply_rows(d.rows) == (left, right)
        if d.kind in ("equal", "moved"):
            assert d.left is not None and d.right is not None and d.left.role == d.right.role
        if d.kind == "added":
            assert d.left is None and all(r.kind == "insert" for r in d.rows)
        if d.kind == "removed":
            assert d.right is None and all(r.kind == "delete" for r in d.rows)


@pytest.mark.parametrize(
    ("a", "b"),
    [("", ""), ("\n", ""), ("", "\r\n"), ("\r", "\n"), ("a\r\n", "a\n"), ("🙂", "🙃")],
)
def test_edge_cases_rebuild(a: str, b: str) -> None:
    assert apply_rows(diff_lines(a, b)) == (a, b)
    assert apply_rows(diff_lines(a, b, ignore_whitespace=True)) == (a, b)


def test_large_alignments_split_at_unique_anchors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The patience-anchor path (used for very large inputs) still rebuilds both texts."""
    import promptui.diff.align as diff_module

    monkeypatch.setattr(diff_module, "_DIRECT_MAX_CELLS", 16)
    rng = random.Random(1)
    vocab = ["alpha", "beta", "gamma", "delta", "x", "y", ",", ".", "\n", "uniq1", "uniq2"]
    for _ in range(300):
        a = " ".join(rng.choices(vocab, k=rng.randint(0, 40)))
        words = a.split(" ")
        for _ in range(rng.randint(0, 4)):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        b = " ".join(words)
        for ignore_ws in (False, True):
            assert apply_rows(diff_lines(a, b, ignore_whitespace=ignore_ws)) == (a, b)
    a = "head " + "., " * 50 + " tail"
    b = "head " + ",. " * 50 + " tail"
    rows = diff_lines(a, b)
    assert apply_rows(rows) == (a, b)
    assert rows[0].left[0] == seg(E, "head ")
    # A one-word change in a long text is still found exactly.
    a = " ".join(f"w{i}" for i in range(200))
    b = a.replace("w100 ", "CHANGED ")
    assert changed(diff_words(a, b)) == [(D, "w100"), (I, "CHANGED")]
