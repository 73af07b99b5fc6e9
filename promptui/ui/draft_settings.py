"""A draft's settings on the editor page: the model settings, the response format and the
version tags, each in an expander whose fields are drawn only while it is open. Like the rest
of the editor (see `promptui.ui.editor`), a new prompt's fields do not rerun the page when
left; a new version's do."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptui.drafts import Draft
from promptui.ui.editor import field_prefix, on_leave


def settings_editors(
    draft: Draft, slots: dict[str, DeltaGenerator], *, extras_expanded: bool = False
) -> None:
    """Model settings, then the response format and version tags, each in an expander whose
    fields are drawn only while it is open: opening one reruns the page; while one is closed
    the draft keeps its values, and their problems show under it."""
    prefix = field_prefix(draft)
    model = st.expander("Model settings", key=f"{prefix}model_open", on_change="rerun")
    if model.open:
        with model:
            model_config_editor(draft)
    slots["model_config"] = st.empty()
    extras = st.expander(
        "Response format and version tags",
        expanded=extras_expanded,
        key=f"{prefix}extras_open",
        on_change="rerun",
    )
    if extras.open:
        with extras:
            stored_extras_editor(draft, slots)
    else:
        slots["response_format"], slots["version_tags"] = st.empty(), st.empty()


def model_config_editor(draft: Draft) -> None:
    """Model settings stored with the version (the fields of MLflow's own form)."""
    prefix, leave = field_prefix(draft), on_leave(draft)
    c1, c2 = st.columns(2)
    draft.model_name = c1.text_input(
        "Model", value=draft.model_name, key=f"{prefix}model", on_change=leave,
        placeholder="e.g. gpt-4o-mini",
    )  # fmt: skip
    draft.temperature = c2.number_input(
        "Temperature", min_value=0.0, value=draft.temperature, step=0.1,
        key=f"{prefix}temperature", on_change=leave, placeholder="model default",
    )  # fmt: skip
    c3, c4 = st.columns(2)
    max_tokens = c3.number_input(
        "Max tokens", min_value=1, value=draft.max_tokens, step=1,
        key=f"{prefix}max_tokens", on_change=leave, placeholder="model default",
    )  # fmt: skip
    draft.max_tokens = int(max_tokens) if max_tokens is not None else None
    draft.top_p = c4.number_input(
        "Top-p", min_value=0.0, max_value=1.0, value=draft.top_p, step=0.05,
        key=f"{prefix}top_p", on_change=leave, placeholder="model default",
    )  # fmt: skip
    draft.stop_text = st.text_area(
        "Stop sequences", value=draft.stop_text, key=f"{prefix}stop", on_change=leave,
        height=80, help="One per line.",
    )  # fmt: skip
    draft.other_config_text = st.text_area(
        "Other model settings (JSON)",
        value=draft.other_config_text,
        key=f"{prefix}other_config",
        on_change=leave,
        height=100,
        placeholder='{"frequency_penalty": 0.5, "provider": "openai"}',
        help="Settings without a field above, kept as stored unless you change them here.",
    )


def stored_extras_editor(draft: Draft, slots: dict[str, DeltaGenerator]) -> None:
    """The response format and the version tags, as the JSON MLflow stores."""
    prefix = field_prefix(draft)
    draft.response_format_text = st.text_area(
        "Response format (JSON schema)",
        value=draft.response_format_text,
        key=f"{prefix}response_format",
        on_change=on_leave(draft),
        height=140,
        placeholder='{"type": "object", "properties": {"answer": {"type": "string"}}}',
        help="The structure expected from the model (MLflow's response_format). Empty: none.",
    )
    slots["response_format"] = st.empty()
    draft.version_tags_text = st.text_area(
        "Version tags (JSON object)",
        value=draft.version_tags_text,
        key=f"{prefix}version_tags",
        on_change=on_leave(draft),
        height=90,
        placeholder='{"author": "ana", "ticket": "SUP-12"}',
        help="Tags of the new version; a new version starts with the tags of its base.",
    )
    slots["version_tags"] = st.empty()
