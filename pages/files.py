"""Files: download prompts as YAML files, and import files with the plan shown first."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

import streamlit as st

from promptui.ui.files import download_all, upload_and_import
from promptui.ui.layout import page_setup

page_setup("Files")
st.title("Prompts as files")
st.caption(
    "One YAML file per prompt with every version, its tags and aliases: review them in a pull "
    "request, back them up, or move them between registries. The same files as "
    "`promptui export` and `promptui import`."
)
st.subheader("Export")
download_all(key="files_download_all")
st.subheader("Import")
upload_and_import()
