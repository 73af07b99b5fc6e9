"""Home: which registry the app is connected to and what it holds."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

import streamlit as st

from promptui.registry.errors import PromptUIError
from promptui.ui import state
from promptui.ui.auth import mode, service_user
from promptui.ui.feedback import md_code, show_error
from promptui.ui.layout import page_setup
from promptui.ui.nav import PROMPT_LINK_TEXT, open_prompt, prompt_link

page_setup("Home")
st.title("promptui")
st.caption("Browse, edit, compare and deploy the prompts in your MLflow Prompt Registry.")

reg = state.registry()
st.markdown(f"**Registry:** {md_code(reg.display_uri)} ({reg.kind})")
if (service := service_user()) is not None and mode() == "service":
    st.info(
        f"Every action here is made as the service account {md_code(service)}: MLflow checks "
        "that account's permissions, not each person's, and records it as the author.",
        icon="👥",
    )
try:
    prompts = state.list_prompts()
except PromptUIError as e:
    show_error(e, retry_key="home_retry")
    st.stop()

c1, c2, c3 = st.columns(3)
c1.metric("Prompts", len(prompts))
c2.metric(
    "Versions created",
    sum(p.latest_version for p in prompts),
    help="Versions are numbered from 1 in each prompt: this adds each prompt's newest number "
    "(deleted versions included).",
)
c3.metric("Aliases", sum(len(p.aliases) for p in prompts))
if not prompts:
    st.info("The registry holds no prompts yet. Run `python -m promptui demo` to load the demo.")
else:
    recent = sorted(prompts, key=lambda p: p.updated_at, reverse=True)[:10]
    st.subheader("Recently changed")
    event = st.dataframe(
        [
            {
                "name": prompt_link(p.name),
                "latest": p.latest_version,
                "aliases": ", ".join(f"{a} → v{v}" for a, v in sorted(p.aliases.items())),
                "updated": p.updated_at,
            }
            for p in recent
        ],
        key="home_recent",
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.LinkColumn(display_text=PROMPT_LINK_TEXT),
            "latest": st.column_config.NumberColumn(format="v%d", width="small"),
            "updated": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm [UTC]"),
        },
    )
    if (rows := event.selection.rows) and rows[0] < len(recent):
        open_prompt(recent[rows[0]].name)  # a row click opens the prompt, as its name does
