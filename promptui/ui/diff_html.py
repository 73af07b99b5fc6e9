"""HTML rendering of prompt diffs (pure functions returning strings, no JavaScript).

All prompt text, roles and titles are untrusted: every piece goes through ``html.escape`` and
Markdown/LaTeX/Streamlit-significant characters are also written as numeric character
references, so the output renders literally whether it is shown as raw HTML or passes through
a Markdown renderer first. The output contains no line breaks (a blank line would end a raw
HTML block in Markdown); line structure comes from table rows and ``white-space: pre-wrap``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Literal

from promptui.diff import MessageDiff, Row, Segment

__all__ = ["DIFF_CSS", "chat_html", "escape_text", "side_by_side_html", "unified_html"]

DIFF_CSS = """<style>
.pu-diff{border-collapse:collapse;width:100%;table-layout:fixed;margin:0 0 .5em 0;
font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;color:inherit}
.pu-diff th{text-align:left;font-weight:600;padding:.2em .4em;
border-bottom:1px solid rgba(128,128,128,.4)}
.pu-diff td{padding:0 .4em;vertical-align:top;border:none}
.pu-diff col.pu-c-no{width:3.5em}
.pu-diff col.pu-c-sign{width:1.6em}
.pu-diff td.pu-no{text-align:right;opacity:.6;user-select:none}
.pu-diff td.pu-sign{text-align:center;font-weight:700;user-select:none}
.pu-diff td.pu-txt{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
.pu-diff td.pu-empty{background:rgba(128,128,128,.08)}
.pu-diff td.pu-old{background:rgba(248,81,73,.10)}
.pu-diff td.pu-new{background:rgba(46,160,67,.12)}
.pu-del{background:rgba(248,81,73,.40);text-decoration:line-through;color:inherit}
.pu-ins{background:rgba(46,160,67,.40);text-decoration:underline;color:inherit}
.pu-eol{opacity:.7}
.pu-chat-head{font-weight:600;margin:.2em 0 .4em 0}
.pu-msg{border:1px solid rgba(128,128,128,.35);border-radius:.4em;padding:.3em .5em;
margin:0 0 .6em 0}
.pu-msg-head{display:flex;gap:.6em;align-items:baseline;margin-bottom:.3em;flex-wrap:wrap}
.pu-role{font-weight:600;padding:0 .5em;border-radius:1em;border:1px solid rgba(128,128,128,.5)}
.pu-kind{font-size:.85em;padding:0 .4em;border-radius:.3em;background:rgba(128,128,128,.18)}
.pu-msg-added .pu-kind{background:rgba(46,160,67,.30)}
.pu-msg-removed .pu-kind{background:rgba(248,81,73,.30)}
.pu-msg-changed .pu-kind,.pu-msg-moved .pu-kind{background:rgba(210,153,34,.30)}
.pu-pos{font-size:.85em;opacity:.7}
.pu-note{opacity:.7;font-style:italic}
</style>"""

_KIND_LABEL = {
    "equal": "unchanged",
    "changed": "changed",
    "added": "added",
    "removed": "removed",
    "moved": "moved",
}

# Characters that mean something to Markdown, LaTeX ($...$) or Streamlit directives
# (:red[...], :emoji:); written as character references so they are never interpreted.
# None of them occurs in html.escape's output, so this table is applied after it. A stray
# carriage return (which a browser would turn into a line break) is shown as a symbol.
_EXTRA_ESCAPES = str.maketrans(
    {c: f"&#{ord(c)};" for c in "$`*_~[]:\\|{}"} | {"\r": "\u240d", "\n": "\u2424"}
)


def escape_text(text: str) -> str:
    """Escape untrusted text for HTML element content or a quoted attribute (a line break
    becomes the symbol ␤, a carriage return ␍)."""
    return html.escape(text, quote=True).translate(_EXTRA_ESCAPES)


def _strip_eol(segments: Sequence[Segment]) -> tuple[list[tuple[str, str]], str]:
    """Remove the line terminator from the last segment.

    Returns ``(segments as (op, text), marker)``; ``marker`` is the op of a terminator that
    was itself a change (so it can be shown), else "".
    """
    parts = [(s.op, s.text) for s in segments]
    if not parts:
        return parts, ""
    op, text = parts[-1]
    for eol in ("\r\n", "\n"):
        if text.endswith(eol):
            text = text[: -len(eol)]
            if op != "equal" and not text:
                parts.pop()
                return parts, op
            parts[-1] = (op, text)
            if not text:
                parts.pop()
            break
    return parts, ""


def _line(segments: Sequence[Segment], *, highlight: bool) -> str:
    """HTML for one line's segments; changed words wrapped in del/ins when ``highlight``."""
    parts, eol_change = _strip_eol(segments)
    out: list[str] = []
    for op, text in parts:
        body = escape_text(text)
        if op == "equal" or not highlight:
            out.append(body)
        elif op == "delete":
            out.append(f'<del class="pu-del">{body}</del>')
        else:
            out.append(f'<ins class="pu-ins">{body}</ins>')
    if eol_change and highlight:
        tag, cls = ("del", "pu-del") if eol_change == "delete" else ("ins", "pu-ins")
        out.append(f'<{tag} class="{cls} pu-eol" title="line break changed">\u21b5</{tag}>')
    return "".join(out)


def _no(n: int | None) -> str:
    """Line-number cell."""
    return f'<td class="pu-no">{n}</td>' if n is not None else '<td class="pu-no"></td>'


def _side_rows(rows: Sequence[Row]) -> str:
    """Table body rows of the side-by-side view."""
    out: list[str] = []
    for row in rows:
        word_level = row.kind == "replace"
        if row.left_no is None:
            left = (
                '<td class="pu-no"></td><td class="pu-sign"></td><td class="pu-txt pu-empty"></td>'
            )
        else:
            changed = row.kind in ("replace", "delete")
            sign = "\u2212" if changed else ""
            cls = "pu-txt pu-old" if changed else "pu-txt"
            text = _line(row.left, highlight=word_level)
            left = f'{_no(row.left_no)}<td class="pu-sign">{sign}</td><td class="{cls}">{text}</td>'
        if row.right_no is None:
            right = (
                '<td class="pu-no"></td><td class="pu-sign"></td><td class="pu-txt pu-empty"></td>'
            )
        else:
            changed = row.kind in ("replace", "insert")
            sign = "+" if changed else ""
            cls = "pu-txt pu-new" if changed else "pu-txt"
            text = _line(row.right, highlight=word_level)
            right = (
                f'{_no(row.right_no)}<td class="pu-sign">{sign}</td><td class="{cls}">{text}</td>'
            )
        out.append(f'<tr class="pu-{row.kind}">{left}{right}</tr>')
    return "".join(out)


_SIDE_COLS = (
    '<colgroup><col class="pu-c-no"><col class="pu-c-sign"><col>'
    '<col class="pu-c-no"><col class="pu-c-sign"><col></colgroup>'
)


def _side_table(rows: Sequence[Row], head: str) -> str:
    """Side-by-side table with an optional header row (already HTML)."""
    body = _side_rows(rows)
    return f'<table class="pu-diff pu-side">{_SIDE_COLS}{head}<tbody>{body}</tbody></table>'


def side_by_side_html(rows: Sequence[Row], *, left_title: str, right_title: str) -> str:
    """Two-column diff table: old version left, new version right, changed words marked."""
    head = (
        f'<thead><tr><th colspan="3">{escape_text(left_title)}</th>'
        f'<th colspan="3">{escape_text(right_title)}</th></tr></thead>'
    )
    return _side_table(rows, head)


def unified_html(rows: Sequence[Row]) -> str:
    """Inline diff table: equal lines once; each run of changed lines as its old lines (−)
    followed by its new lines (+), with changed words marked."""
    out: list[str] = []
    old: list[str] = []
    new: list[str] = []

    def flush() -> None:
        out.extend(old)
        out.extend(new)
        old.clear()
        new.clear()

    for row in rows:
        if row.kind == "equal":
            flush()
            text = _line(row.left, highlight=False)
            out.append(
                f'<tr class="pu-equal">{_no(row.left_no)}{_no(row.right_no)}'
                f'<td class="pu-sign"></td><td class="pu-txt">{text}</td></tr>'
            )
            continue
        word_level = row.kind == "replace"
        if row.left_no is not None:
            text = _line(row.left, highlight=word_level)
            old.append(
                f'<tr class="pu-delete">{_no(row.left_no)}<td class="pu-no"></td>'
                f'<td class="pu-sign">\u2212</td><td class="pu-txt pu-old">{text}</td></tr>'
            )
        if row.right_no is not None:
            text = _line(row.right, highlight=word_level)
            new.append(
                f'<tr class="pu-insert"><td class="pu-no"></td>{_no(row.right_no)}'
                f'<td class="pu-sign">+</td><td class="pu-txt pu-new">{text}</td></tr>'
            )
    flush()
    cols = (
        '<colgroup><col class="pu-c-no"><col class="pu-c-no"><col class="pu-c-sign"><col>'
        "</colgroup>"
    )
    return f'<table class="pu-diff pu-unified">{cols}<tbody>{"".join(out)}</tbody></table>'


def _role_badge(diff: MessageDiff) -> str:
    """Role badge; a changed role shows old and new."""
    left = diff.left.role if diff.left is not None else None
    right = diff.right.role if diff.right is not None else None
    if left is not None and right is not None and left != right:
        return (
            f'<span class="pu-role"><del class="pu-del">{escape_text(left)}</del> \u2192 '
            f'<ins class="pu-ins">{escape_text(right)}</ins></span>'
        )
    role = right if right is not None else left
    return f'<span class="pu-role">{escape_text(role or "")}</span>'


def _position(diff: MessageDiff) -> str:
    """Message position(s), 1-based, for the header."""
    left = f"#{diff.left_index + 1}" if diff.left_index is not None else "\u2013"
    right = f"#{diff.right_index + 1}" if diff.right_index is not None else "\u2013"
    return f'<span class="pu-pos">{left} \u2192 {right}</span>'


def chat_html(
    diffs: Sequence[MessageDiff],
    *,
    mode: Literal["side", "inline"],
    left_title: str,
    right_title: str,
) -> str:
    """One block per message (role badge, kind label, positions) with its content diff."""
    titles = f"{escape_text(left_title)} \u2192 {escape_text(right_title)}"
    head = f'<div class="pu-chat-head">{titles}</div>'
    blocks: list[str] = [head]
    for diff in diffs:
        label = _KIND_LABEL.get(diff.kind, diff.kind)
        if not diff.rows:
            body = '<div class="pu-note">(empty message)</div>'
        elif mode == "side":
            body = _side_table(diff.rows, "")
        else:
            body = unified_html(diff.rows)
        blocks.append(
            f'<div class="pu-msg pu-msg-{escape_text(diff.kind)}"><div class="pu-msg-head">'
            f'{_role_badge(diff)}<span class="pu-kind">{escape_text(label)}</span>{_position(diff)}'
            f"</div>{body}</div>"
        )
    return f'<div class="pu-chat">{"".join(blocks)}</div>'
