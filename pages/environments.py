"""Environments: which prompt version each `configs/*.yaml` loads right now, and promotions."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

import streamlit as st

from promptui.registry.errors import PromptUIError
from promptui.ui.alias_actions import AliasActions
from promptui.ui.environments import environment_rows, environments_table, promotion_buttons
from promptui.ui.feedback import show_error
from promptui.ui.layout import page_setup

page_setup("Environments")
st.title("Environments")
st.caption(
    "Each environment file names a prompt and a `prompt_version`: `latest`, an alias or a "
    "number. The guide's flow: dev → latest, staging → champion, prod → production."
)

actions = AliasActions("environments")
actions.show_flash()
try:
    rows = environment_rows()
except PromptUIError as e:
    show_error(e, retry_key="environments_retry")
    st.stop()

environments_table(rows)
st.subheader("Promote")
promotion_buttons(rows, actions, "environments")
actions.confirm_if_pending()
