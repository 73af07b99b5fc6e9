"""Moving between the prompt pages with the prompt and version in the URL."""

from __future__ import annotations

from typing import NoReturn
from urllib.parse import urlencode

import streamlit as st

PROMPTS_PAGE = "pages/prompts.py"
PROMPT_PAGE = "pages/prompt.py"
EDIT_PAGE = "pages/edit.py"
COMPARE_PAGE = "pages/compare.py"
ALIASES_PAGE = "pages/aliases.py"
PROMPT_PAGES = (PROMPT_PAGE, EDIT_PAGE, COMPARE_PAGE, ALIASES_PAGE)  # pages about one prompt
CHOOSE_PROMPT = "Choose a prompt"  # every prompt chooser's placeholder
_CURRENT = "nav_current_prompt"
_QUEUED = "nav_queued_page"


def prompt_params(name: str | None, version: int | None = None) -> dict[str, str]:
    """The `?prompt=NAME&version=N` query parameters of a link."""
    params: dict[str, str] = {}
    if name:
        params["prompt"] = name
    if version is not None:
        params["version"] = str(int(version))
    return params


def prompt_link(name: str, version: int | None = None) -> str:
    """The prompt page's address relative to the app (`prompt?prompt=NAME`), for links."""
    return "prompt?" + urlencode(prompt_params(name, version))


def open_prompt(name: str, version: int | None = None) -> NoReturn:
    """Go to the prompt page, showing `version` (default: latest)."""
    st.switch_page(PROMPT_PAGE, query_params=prompt_params(name, version))


def open_editor(name: str | None = None, version: int | None = None) -> NoReturn:
    """Go to the editor: a new version of `name` from `version`, or a new prompt."""
    st.switch_page(EDIT_PAGE, query_params=prompt_params(name, version))


def query_version() -> int | None:
    """The `version` query parameter as a number, or None when absent or not a number."""
    raw = st.query_params.get("version", "").strip().lstrip("vV")
    return int(raw) if raw.isdigit() else None


def current_prompt() -> str | None:
    """The prompt the person is working on: this page's `?prompt=`, else the last one a page
    showed in this session (so the sidebar can carry it to the other prompt pages)."""
    name = st.query_params.get("prompt", "").strip()
    if name:
        st.session_state[_CURRENT] = name
        return name
    return st.session_state.get(_CURRENT)


def forget_prompt(name: str) -> None:
    """Stop carrying `name` from page to page (it was deleted or could not be read)."""
    if st.session_state.get(_CURRENT) == name:
        del st.session_state[_CURRENT]


def show_chosen_prompt(key: str) -> None:
    """Widget callback: show the prompt chosen in the widget `key` (before the page reruns, so
    one choice is one rerun)."""
    if chosen := st.session_state.get(key):
        st.query_params.from_dict(prompt_params(chosen))


def prompt_chooser(label: str, names: list[str], key: str) -> None:
    """A select of prompt names (none chosen at first) that opens the chosen prompt on this
    page from its callback: one choice, one rerun."""
    st.selectbox(
        label,
        names,
        index=None,
        key=key,
        placeholder=CHOOSE_PROMPT,
        on_change=show_chosen_prompt,
        args=(key,),
    )


def show_picked_version(key: str) -> None:
    """Widget callback: show the version picked in the widget `key` (one pick, one rerun)."""
    if (picked := st.session_state.get(key)) is not None:
        st.query_params["version"] = str(int(picked))


def queue_page(page: str, params: dict[str, str] | None = None) -> None:
    """Widget callback: open `page` with `params` as this rerun starts, before the page the
    click came from is drawn again (`follow_queued_page` switches)."""
    st.session_state[_QUEUED] = (page, params or {})


def follow_queued_page() -> None:
    """Switch to the page a callback queued, if any (call before drawing anything)."""
    if (queued := st.session_state.pop(_QUEUED, None)) is not None:
        st.switch_page(queued[0], query_params=queued[1])
