"""The prompt page's template view (promptui.ui.template_html): any text shows exactly as it is
stored, and none of it becomes markup."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from promptui.ui.template_html import TEMPLATE_CLASS, template_html


class _Reader(HTMLParser):
    """What a browser shows of the view: its text, `<br>` as a line break; and every tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.depth = 0  # inside the view's div

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "div" and ("class", TEMPLATE_CLASS) in attrs:
            self.depth += 1
        elif tag == "br" and self.depth:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


PAYLOADS = (
    "<script>alert(1)</script>",
    '<img src=x onerror="window.__xss=1">',
    "</div><b>bold</b><div>",
    "&lt;already escaped&gt; &amp; &#36;",
    ":red[not red] $x^2$ **not bold** `not code` [link](javascript:alert(1))",
)


@given(
    st.lists(st.one_of(st.sampled_from(PAYLOADS), st.text()), max_size=6).map(
        lambda parts: "\n".join(parts)
    )
)
def test_any_text_is_shown_exactly_and_adds_no_markup(text: str) -> None:
    html = template_html(text)
    reader = read(html)
    assert "".join(reader.text) == text.replace("\r", "\u240d")  # a stray CR is shown as ␍
    assert set(reader.tags) <= {"style", "div", "br"}
    assert reader.tags.count("div") == 1
    assert "\n" not in html  # no blank line for a Markdown renderer to end the block on


def test_lines_blank_lines_and_spaces_are_kept() -> None:
    text = "  indented\n\n\ttabbed  {{ var }}\nlast"
    assert "".join(read(template_html(text)).text) == text
