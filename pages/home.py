"""Home: which registry the app is connected to and what it holds."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

import streamlit as st

from promptui.registry.errors import PromptUIError
from promptui.ui import state
from promptui.ui.auth import mode, service_user
from promptui.ui.feedback import md_code, show_error
from promptui.ui.layout import page_setup
from promptui.ui.nav import open_prompt
from promptui.ui.prompt_list import prompt_list

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
    if (opened := prompt_list(recent, key="home_recent")) is not None:
        open_prompt(*opened)  # a click reported without its callback (e.g. set in state)
