"""Tests for the diff HTML renderer (promptui.ui.diff_html)."""

from __future__ import annotations

import re

import pytest

from promptui.diff import diff_chat, diff_lines
from promptui.registry.models import ChatMessage
from promptui.ui.diff_html import DIFF_CSS, chat_html, side_by_side_html, unified_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</td></tr></table><b>x</b>",
]


def assert_no_raw_payload(out: str) -> None:
    low = out.lower()
    for needle in ("<script", "<img", "<svg", "<b>", "</table><b"):
        assert needle not in low


def tags(out: str) -> set[str]:
    return set(re.findall(r"</?([a-z]+)", out))


ALLOWED_TAGS = {
    "table",
    "colgroup",
    "col",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
    "ins",
    "div",
    "span",
}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_side_by_side_escapes_text_and_titles(payload: str) -> None:
    rows = diff_lines(f"safe\n{payload}\n", f"safe\n{payload} more\n")
    out = side_by_side_html(rows, left_title=payload, right_title=f"v2 {payload}")
    assert_no_raw_payload(out)
    assert tags(out) <= ALLOWED_TAGS


@pytest.mark.parametrize("payload", PAYLOADS)
def test_unified_and_chat_escape_payloads(payload: str) -> None:
    rows = diff_lines(payload, payload + "!")
    assert_no_raw_payload(unified_html(rows))
    a = [ChatMessage(payload, payload)]
    b = [ChatMessage("user", payload + " x"), ChatMessage(payload, "new " + payload)]
    for mode in ("side", "inline"):
        out = chat_html(diff_chat(a, b), mode=mode, left_title=payload, right_title=payload)
        assert_no_raw_payload(out)
        assert tags(out) <= ALLOWED_TAGS


def test_script_payload_appears_escaped() -> None:
    payload = "<script>alert(1)</script>"
    rows = diff_lines(payload + "\n", payload + " changed\n")
    out = side_by_side_html(rows, left_title="<script>t</script>", right_title="b")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;script&gt;t&lt;/script&gt;" in out
    assert "<script" not in out


def test_markdown_math_and_streamlit_markup_are_neutralised() -> None:
    text = "Cost $x^2$ :red[alert] **bold** `code` [link](http://e.x) {{var}} a_b ~s~ \\n"
    rows = diff_lines(text, text)
    out = side_by_side_html(rows, left_title=":blue[t] $y$", right_title="b")
    for raw in ("$", ":red[", "**", "`", "](", "{{", "_", "~", ":blue["):
        assert raw not in out.replace('class="', "").replace('style="', "")
    assert "&#36;x^2&#36;" in out
    assert "&#58;red&#91;alert&#93;" in out


def test_output_has_no_line_breaks_or_script() -> None:
    rows = diff_lines("a\n\nb\r\nc\rd\n", "a\n\nB\r\nc\rd\n")
    for out in (side_by_side_html(rows, left_title="x", right_title="y"), unified_html(rows)):
        assert "\n" not in out and "\r" not in out
        assert "<script" not in out
    # A stray carriage return is shown as a symbol.
    assert "c\u240dd" in unified_html(rows)


def test_side_by_side_marks_one_changed_word() -> None:
    a = "Answer the question briefly.\nThanks\n"
    b = "Answer the question politely.\nThanks\n"
    out = side_by_side_html(diff_lines(a, b), left_title="v1", right_title="v2")
    assert out.startswith('<table class="pu-diff')
    assert out.count('<del class="pu-del">') == 1
    assert out.count('<ins class="pu-ins">') == 1
    assert '<del class="pu-del">briefly</del>' in out
    assert '<ins class="pu-ins">politely</ins>' in out
    # Sign column: one − and one + for the changed row; the equal row has empty signs.
    assert out.count('<td class="pu-sign">\u2212</td>') == 1
    assert out.count('<td class="pu-sign">+</td>') == 1
    assert out.count('<td class="pu-sign"></td>') == 2
    assert '<th colspan="3">v1</th>' in out and '<th colspan="3">v2</th>' in out
    assert '<td class="pu-no">2</td>' in out


def test_side_by_side_insert_and_delete_rows() -> None:
    out = side_by_side_html(
        diff_lines("a\nold\n", "a\nnew one two\n"), left_title="l", right_title="r"
    )
    assert 'class="pu-delete"' in out and 'class="pu-insert"' in out
    assert 'class="pu-txt pu-empty"' in out
    assert ">old<" in out and ">new one two<" in out
    # Whole-line changes are marked by the sign column and row colour, not by word tags.
    assert "<del" not in out and "<ins" not in out


def test_whitespace_preserved_in_cells() -> None:
    out = side_by_side_html(diff_lines("  indented\ttab\n", "x\n"), left_title="l", right_title="r")
    assert ">  indented\ttab<" in out
    assert "white-space:pre-wrap" in DIFF_CSS


def test_line_break_change_is_visible() -> None:
    out = side_by_side_html(diff_lines("a\nb", "a\nb\n"), left_title="l", right_title="r")
    assert 'class="pu-ins pu-eol"' in out


def test_unified_groups_old_lines_before_new_lines() -> None:
    a = "keep\none two\nthree four\nkeep2\n"
    b = "keep\none TWO\nthree FOUR\nkeep2\n"
    out = unified_html(diff_lines(a, b))
    signs = re.findall(r'<td class="pu-sign">(.*?)</td>', out)
    assert signs == ["", "\u2212", "\u2212", "+", "+", ""]
    assert out.count(">keep<") == 1 and out.count(">keep2<") == 1
    assert '<del class="pu-del">two</del>' in out and '<ins class="pu-ins">TWO</ins>' in out
    assert out.index('pu-del">two') < out.index('pu-del">four') < out.index('pu-ins">TWO')


def test_chat_html_labels_and_roles() -> None:
    a = [
        ChatMessage("system", "You are helpful."),
        ChatMessage("user", "Question: {{q}}"),
        ChatMessage("assistant", "An example answer that is long."),
        ChatMessage("user", "zzz"),
    ]
    b = [
        ChatMessage("developer", "You are helpful."),
        ChatMessage("user", "Question: {{q}} please"),
        ChatMessage("user", "zzz"),
        ChatMessage("assistant", "completely different 1 2 3"),
    ]
    diffs = diff_chat(a, b)
    for mode in ("side", "inline"):
        out = chat_html(diffs, mode=mode, left_title="v1", right_title="v2")
        for label in ("changed", "removed", "added"):
            assert f'<span class="pu-kind">{label}</span>' in out
        assert '<span class="pu-kind">unchanged</span>' in out
        assert '<del class="pu-del">system</del>' in out
        assert '<ins class="pu-ins">developer</ins>' in out
        assert "v1 \u2192 v2" in out
        assert "\n" not in out
    assert "pu-side" in chat_html(diffs, mode="side", left_title="a", right_title="b")
    assert "pu-unified" in chat_html(diffs, mode="inline", left_title="a", right_title="b")


def test_chat_html_moved_and_empty_message() -> None:
    a = [ChatMessage("user", "one"), ChatMessage("assistant", "two"), ChatMessage("user", "")]
    b = [ChatMessage("assistant", "two"), ChatMessage("user", "one"), ChatMessage("user", "")]
    out = chat_html(diff_chat(a, b), mode="side", left_title="a", right_title="b")
    assert '<span class="pu-kind">moved</span>' in out
    assert "(empty message)" in out


def test_css_block() -> None:
    assert DIFF_CSS.startswith("<style>") and DIFF_CSS.endswith("</style>")
    for needle in (".pu-del", "line-through", ".pu-ins", "underline", ".pu-diff"):
        assert needle in DIFF_CSS
    assert "\n\n" not in DIFF_CSS  # a blank line would end a raw HTML block in Markdown
