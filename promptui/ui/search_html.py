"""HTML for where a search matched prompt texts: a compact list of snippets with the matching
words marked (a pure function returning a string, no JavaScript).

Names and texts are untrusted: every piece goes through ``html.escape``, and characters that
mean something to Markdown, LaTeX or Streamlit directives are written as character references,
so the output renders literally whether it is shown as HTML or passes through Markdown first.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from promptui.search import ELLIPSIS, Hit, Snippet

SEARCH_CSS = """<style>
.pu-hits{margin:0;padding:0;list-style:none;font-size:.9em}
.pu-hits li{margin:0 0 .25em 0;overflow-wrap:anywhere}
.pu-hit-name{font-weight:600}
.pu-hit-where{opacity:.7;margin:0 .4em}
.pu-hits mark{background:rgba(255,200,0,.45);color:inherit;border-radius:.15em;padding:0 .1em}
</style>"""

_EXTRA_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "$`*_~[]:\\|{}"})


def esc(text: str) -> str:
    """Untrusted text for HTML element content or a quoted attribute."""
    return html.escape(text, quote=True).translate(_EXTRA_ESCAPES)


def snippet_html(snippet: Snippet) -> str:
    """The snippet with every match in `<mark>` and cuts as `…`."""
    body = "".join(f"<mark>{esc(t)}</mark>" if hit else esc(t) for t, hit in snippet.parts)
    return (ELLIPSIS if snippet.cut_before else "") + body + (ELLIPSIS if snippet.cut_after else "")


def text_hits_html(hits: Sequence[Hit], limit: int = 25) -> tuple[str, int]:
    """A list item per text match (prompt name, `text` or `text of vN`, the snippet) of the
    first `limit` of them; returns the HTML ("" when no hit matched a text) and how many text
    matches there are in all."""
    items = [
        (hit.prompt.name, reason)
        for hit in hits
        for reason in hit.reasons
        if reason.snippet is not None
    ]
    if not items:
        return "", 0
    rows = "".join(
        f'<li><span class="pu-hit-name">{esc(name)}</span>'
        f'<span class="pu-hit-where">{esc(reason.label)}</span>'
        f"{snippet_html(reason.snippet)}</li>"
        for name, reason in items[:limit]
        if reason.snippet is not None
    )
    return f'{SEARCH_CSS}<ul class="pu-hits">{rows}</ul>', len(items)
