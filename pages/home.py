"""Home: which registry the app is connected to and what it holds."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

import streamlit as st

from promptui.registry.errors import PromptUIError
from promptui.ui import state
from promptui.ui.auth import mode, service_user
from promptui.ui.feedback import md_code, show_error
from promptui.ui.layout import page_setup

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

aliases = sum(len(p.aliases) for p in prompts)
versions = sum(p.latest_version for p in prompts)
c1, c2, c3 = st.columns(3)
c1.metric("Prompts", len(prompts))
c2.metric("Versions (newest numbers summed)", versions)
c3.metric("Aliases", aliases)
if not prompts:
    st.info("The registry holds no prompts yet. Run `python -m promptui demo` to load the demo.")
else:
    recent = sorted(prompts, key=lambda p: p.updated_at, reverse=True)[:10]
    st.subheader("Recently changed")
    st.dataframe(
        [
            {
                "name": p.name,
                "latest": p.latest_version,
                "aliases": ", ".join(f"{a} → v{v}" for a, v in p.aliases.items()),
                "updated": p.updated_at,
            }
            for p in recent
        ],
        hide_index=True,
        width="stretch",
    )
