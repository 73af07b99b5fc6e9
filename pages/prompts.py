"""Prompts: every prompt in one list, searchable without another request, each result saying
where it matched; a click on a prompt opens it."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

import streamlit as st

from promptui.demo import seed_demo
from promptui.registry.errors import PromptUIError
from promptui.search import search, terms, version_texts
from promptui.tables import page_count, page_of
from promptui.ui import state
from promptui.ui.editor import start_new_prompt
from promptui.ui.feedback import show_error
from promptui.ui.layout import page_setup
from promptui.ui.nav import EDIT_PAGE, open_prompt, queue_page
from promptui.ui.prompt_list import prompt_list
from promptui.ui.search_html import text_hits_html

TEXT_HITS_SHOWN = 25

page_setup("Prompts")
st.title("Prompts")

try:
    prompts = state.list_prompts()
except PromptUIError as e:
    show_error(e, retry_key="prompts_retry")
    st.stop()

if not prompts:
    st.info(
        "This registry holds no prompts yet. Create one, or load the demo prompts to look around."
    )
    c1, c2, c3, _ = st.columns([1, 1, 1, 2])
    c1.button(
        "Create prompt",
        type="primary",
        key="prompts_create_empty",
        on_click=queue_page,
        args=(EDIT_PAGE,),
    )
    c2.button(
        "Create chat prompt",
        key="prompts_create_chat_empty",
        on_click=start_new_prompt,
        args=("chat",),
    )
    if c3.button("Load demo prompts", key="prompts_demo"):
        try:
            with st.spinner("Loading the demo prompts…"):
                created = seed_demo(state.registry())
        except PromptUIError as e:
            show_error(e)
        else:
            state.invalidate()
            st.toast(f"Loaded {len(created)} demo prompts.")
            st.rerun()
    st.stop()

with st.container(horizontal=True, vertical_alignment="bottom"):
    query = st.text_input(
        "Search prompts",
        key="prompts_search",
        type="search",
        live=True,
        placeholder="name, text, alias or key=value",
        help="Words match names, aliases, tags and the latest text; `key=value` matches a tag. "
        "Each result says where it matched.",
    )
    st.button("Create prompt", key="prompts_create", on_click=queue_page, args=(EDIT_PAGE,))
    st.button(
        "Create chat prompt",
        key="prompts_create_chat",
        on_click=start_new_prompt,
        args=("chat",),
        help="A new prompt whose template is chat messages (a system and a user message to fill).",
    )
every_version = st.toggle(
    "Search every version's text",
    key="prompts_every_version",
    help="Also look in older versions' templates. The first search with this on reads every "
    "version once (one request per 1,000 prompts and per 2,000 versions); typing reads nothing "
    "more until the page is reloaded.",
)

searching = bool(terms(query))
versions = None
if every_version and searching:
    try:
        with st.spinner("Reading every version…"):
            versions = version_texts(state.all_prompts())
    except PromptUIError as e:
        show_error(e)
        st.caption("Searching the latest versions only.")
found = search(prompts, query, versions)
pages = page_count(len(found))
page = 1
if pages > 1:
    page = int(st.number_input("Page", 1, pages, 1, key="prompts_page", width=160))
shown = page_of(found, page)
read_at = state.list_read_at()
listed = f" · listed {state.age_text(state.seconds_since(read_at))}" if read_at else ""
st.caption(
    f"{len(found):,} of {len(prompts):,} prompts"
    + (f" · page {page} of {pages}" if pages > 1 else "")
    + listed
    + (" · every version's text searched" if versions is not None else "")
    + " · click a prompt to open it"
)
opened = prompt_list(
    [h.prompt for h in shown],
    [h.matched() for h in shown] if searching else None,
    key="prompts_table",
)
if opened is not None:  # a click reported without its callback (e.g. set in state)
    open_prompt(*opened)
if searching:
    body, total = text_hits_html(shown, TEXT_HITS_SHOWN)
    if body:
        st.caption(
            "Where the text matched"
            + (f" (first {TEXT_HITS_SHOWN} of {total})" if total > TEXT_HITS_SHOWN else "")
        )
        st.html(body)
