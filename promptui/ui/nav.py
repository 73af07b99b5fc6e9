"""Moving between the prompt pages with the prompt and version in the URL."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

PROMPTS_PAGE = "pages/prompts.py"
PROMPT_PAGE = "pages/prompt.py"
EDIT_PAGE = "pages/edit.py"
COMPARE_PAGE = "pages/compare.py"
ALIASES_PAGE = "pages/aliases.py"


def prompt_params(name: str | None, version: int | None = None) -> dict[str, str]:
    """The `?prompt=NAME&version=N` query parameters of a link."""
    params: dict[str, str] = {}
    if name:
        params["prompt"] = name
    if version is not None:
        params["version"] = str(int(version))
    return params


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
