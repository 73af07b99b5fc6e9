"""A template's text as HTML: literal, escaped, every line and space kept.

The prompt page shows templates this way rather than with `st.code`, whose syntax highlighter
(1.5 MB of grammars) is loaded and evaluated in the browser on a tab's first code block, about
0.3 s here before the page answers the next click. Text is untrusted: it goes through the same
escaping as the diffs (`diff_html.escape_text`), and line breaks become `<br>` so the HTML has no
blank line whatever renders it. A stray carriage return is shown as the symbol ␍.
"""

from __future__ import annotations

from promptui.ui.diff_html import escape_text

TEMPLATE_CLASS = "pu-template"
TEMPLATE_CSS = (
    "<style>.pu-template{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;"
    "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875rem;"
    "line-height:1.6;padding:.75rem 1rem;border-radius:.5rem;background:rgba(128,128,128,.1);"
    "color:inherit;margin:0 0 .5rem 0;min-height:1.6em}</style>"
)


def template_html(text: str) -> str:
    """`text` in a `<div class="pu-template">` with the style it needs (one string, no
    newline characters)."""
    body = "<br>".join(escape_text(line) for line in text.split("\n"))
    return f'{TEMPLATE_CSS}<div class="{TEMPLATE_CLASS}">{body}</div>'
