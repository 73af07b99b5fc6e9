"""Navigation and the per-page setup every page runs first (also when opened on its own)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from promptui.config import PROJECT_DIR
from promptui.ui.feedback import md_code, md_escape
from promptui.ui.nav import (
    PROMPT_PAGE,
    PROMPT_PAGES,
    PROMPTS_PAGE,
    current_prompt,
    follow_queued_page,
    prompt_params,
)
from promptui.ui.theme import theme_everywhere
from promptui.ui.widget_code import load_widget_code


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    default: bool = False

    @property
    def url_path(self) -> str:
        # Same as the file name, so a URL means the same page with or without st.navigation.
        return Path(self.path).stem


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", ":material/home:", default=True),
    PageSpec("pages/prompts.py", "Prompts", ":material/list:"),
    PageSpec("pages/prompt.py", "Prompt", ":material/description:"),
    PageSpec("pages/edit.py", "Create / edit", ":material/edit:"),
    PageSpec("pages/compare.py", "Compare", ":material/difference:"),
    PageSpec("pages/aliases.py", "Aliases", ":material/label:"),
    PageSpec("pages/environments.py", "Environments", ":material/dns:"),
    PageSpec("pages/files.py", "Files", ":material/folder_zip:"),
)


def navigation() -> st.navigation:
    """The app's navigation over every page in PAGES; switches at once to a page a widget
    callback queued (so the page the click came from is not drawn again)."""
    pages = [
        st.Page(
            str(PROJECT_DIR / p.path),
            title=p.title,
            icon=p.icon,
            url_path="" if p.default else p.url_path,
            default=p.default,
        )
        for p in PAGES
    ]
    nav = st.navigation(pages)
    follow_queued_page()
    return nav


def page_setup(title: str) -> None:
    """Idempotent page set-up: wide layout, title, which registry, and a refresh control."""
    follow_queued_page()  # a page file run on its own, without app.py's navigation
    st.set_page_config(page_title=f"{title} · promptui", page_icon="📝", layout="wide")
    from promptui.ui.auth import sidebar_status
    from promptui.ui.state import begin_page, invalidate, registry

    keep_address(title)
    # A page load is a page and the prompt it shows; other query changes are reruns of it.
    shown = st.query_params.get("prompt", "").strip()
    begin_page(f"{title}?{shown}")
    if shown and title in {spec.title for spec in PAGES if spec.path in PROMPT_PAGES}:
        breadcrumbs(title, shown)

    current = current_prompt()
    with st.sidebar:
        for spec in PAGES:
            # Pages about one prompt open on the prompt the person is working on.
            carried = prompt_params(current) if spec.path in PROMPT_PAGES else None
            st.page_link(spec.path, label=spec.title, icon=spec.icon, query_params=carried)
        st.divider()
        st.caption(f"Registry: {md_code(registry().display_uri)}")
        # A callback runs before the page script, so the page's reads already miss the cache.
        st.button(
            "Refresh from registry",
            key="layout_refresh",
            icon=":material/refresh:",
            on_click=invalidate,
            help="Forget cached reads and load everything again from the registry.",
        )
        sidebar_status()
        theme_everywhere(["" if spec.default else spec.url_path for spec in PAGES])
        load_widget_code()


def breadcrumbs(title: str, name: str) -> None:
    """`Prompts › NAME › title` above a page about one prompt, each step a link."""
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.page_link(PROMPTS_PAGE, label="Prompts")
        st.caption("›", width="content")
        if title == "Prompt":
            st.caption(md_escape(name), width="content")
        else:
            st.page_link(PROMPT_PAGE, label=md_escape(name), query_params=prompt_params(name))
            st.caption("›", width="content")
            st.caption("New version" if title == "Create / edit" else title, width="content")


def keep_address(title: str) -> None:
    """Make the address bar show this run's query when a link to the page already open (an
    alias chip to another version) changed it: the browser keeps the old address then.

    Only then: after a page change the browser already shows the link's address, and saying
    it again here would add a second history entry for the same visit."""
    query = st.query_params.to_dict()
    last = st.session_state.get("nav_last_view")
    if last is not None and last[0] == title and last[1] != query:
        st.query_params.from_dict(query)
    st.session_state["nav_last_view"] = (title, query)
