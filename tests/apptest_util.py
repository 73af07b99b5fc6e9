"""Running the app in AppTest against a test's own registry."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any, cast

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.servers import PROJECT_DIR


@pytest.fixture(autouse=True)
def fresh_streamlit_caches() -> Iterator[None]:
    """`st.cache_data` is shared by every AppTest in the process: start and end empty."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def start_app(monkeypatch: pytest.MonkeyPatch, uri: str) -> AppTest:
    """The app, run once on its home page, talking to the registry at `uri`."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("PROMPTUI_USER", "tester@example.com")
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(at: AppTest, page: str, **params: str | int) -> AppTest:
    """Open `pages/<page>.py` with these query parameters, as a link would."""
    at.query_params.clear()
    at.query_params.update({k: str(v) for k, v in params.items()})
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def open_tab(at: AppTest, name: str, label: str) -> AppTest:
    """Open the prompt page's tab `label` for prompt `name` (only the open tab is drawn)."""
    at.session_state[f"prompt_tabs:{name}"] = label
    at.run()
    assert not at.exception, at.exception
    return at


def templates(at: AppTest) -> list[str]:
    """The template views' texts (a text template, or each chat message), as a browser shows
    them."""
    shown = []
    for block in at.get("html"):
        for body in re.findall(r'<div class="pu-template">(.*?)</div>', block.proto.body):
            shown.append(html.unescape(body.replace("<br>", "\n")))
    return shown


def open_keyboard_panel(at: AppTest) -> AppTest:
    """Open the aliases page's "Move without a mouse" panel (its forms are drawn only while it
    is open)."""
    at.session_state["aliases_kb_panel"] = True
    at.run()
    assert not at.exception, at.exception
    return at


def unescape(markdown: str) -> str:
    """Text as Markdown shows it: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def titles(at: AppTest) -> list[str]:
    """Page titles as the user reads them."""
    return [unescape(t.value) for t in at.title]


def texts(at: AppTest, kind: str) -> list[str]:
    """Values of every element of one kind (`code`, `markdown`, `warning`, ...)."""
    return [e.value for e in getattr(at, kind)]


def list_data(at: AppTest, key: str = "prompts_table") -> dict[str, Any] | None:
    """The data the list with `key` was drawn with (`promptui.ui.link_table`), or None
    when the page drew no such list."""
    for element in at.get("bidi_component"):
        if element.proto.id.endswith(f"-{key}"):
            return cast(dict[str, Any], json.loads(element.proto.json))
    return None


def list_frame(at: AppTest, key: str = "prompts_table") -> pd.DataFrame:
    """The list with `key` as a table: its columns as shown, the first one the links' text."""
    data = list_data(at, key)
    assert data is not None, f"no list {key!r}"
    return pd.DataFrame(
        [[row["label"], *map(_shown, row["cells"])] for row in data["rows"]],
        columns=data["columns"],
    )


def _shown(cell: str | list[Any]) -> str | list[str]:
    """A cell's text: chip links (`{text, href, id}`) by their text."""
    if isinstance(cell, str):
        return cell
    return [c["text"] if isinstance(c, dict) else c for c in cell]


def click_row(at: AppTest, row_id: str, key: str = "prompts_table") -> AppTest:
    """A click on a row of a list (`promptui.ui.link_table`: a prompt's name, or a version
    number in a prompt's versions), as its component reports it, then the run."""
    at.session_state[key] = {"open": row_id}
    return at.run()


def select(at: AppTest, key: str) -> Any:
    """The select keyed `key` plus the digest of its labels (`promptui.ui.select_keys`)."""
    found = [s for s in at.selectbox if str(s.key).rsplit(":", 1)[0] == key]
    assert len(found) == 1, f"{len(found)} selects keyed {key!r}: {[s.key for s in at.selectbox]}"
    return found[0]


def html_of(at: AppTest) -> str:
    """The bodies of every `st.html` element, joined."""
    return " ".join(h.proto.body for h in at.get("html"))


def open_full_editor(at: AppTest) -> None:
    """From the prompt page: "New version", then "Open in the editor"."""
    at.button(key="prompt_edit").click().run()
    at.button(key="prompt_inline_full").click().run()
