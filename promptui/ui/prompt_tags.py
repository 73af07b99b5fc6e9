"""Adding, changing and removing a prompt's tags."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from promptui.registry.errors import PromptUIError
from promptui.registry.models import PromptDetail
from promptui.tables import mapping_frame
from promptui.ui import state
from promptui.ui.feedback import md_code, md_escape, show_error


def _value_key(prefix: str, name: str, key: str, value: str) -> str:
    # The stored value is part of the key, so a value changed elsewhere resets the field.
    digest = hashlib.sha1(f"{key}\0{value}".encode()).hexdigest()[:12]
    return f"{prefix}:value:{name}:{digest}"


def tag_editor(detail: PromptDetail, *, key_prefix: str, readonly: str | None = None) -> None:
    """The prompt's tags, each editable and removable, and a form to add one (shown only, with
    `readonly` as the reason, to a person who may not change them)."""
    name = detail.name
    st.subheader("Prompt tags")
    if readonly is not None:
        if detail.tags:
            st.dataframe(mapping_frame(detail.tags), hide_index=True, width="stretch")
        else:
            st.caption("No tags yet.")
        st.caption(md_escape(readonly))
        return
    st.caption("Tags say who owns a prompt and what it is for (project, team, use case).")
    for key, value in sorted(detail.tags.items()):
        c1, c2, c3, c4 = st.columns([2, 5, 1, 1], vertical_alignment="center")
        c1.markdown(md_code(key))
        new_value = c2.text_input(
            "Value", value=value, key=_value_key(key_prefix, name, key, value),
            label_visibility="collapsed",
        )  # fmt: skip
        digest = _value_key(key_prefix, name, key, value).rsplit(":", 1)[1]
        if c3.button("Save", key=f"{key_prefix}:save:{digest}", disabled=new_value == value):
            _write(lambda k=key, v=new_value: state.registry().set_prompt_tag(name, k, v))
            st.toast(f"Saved tag {md_code(key)}.")
            st.rerun()
        if c4.button("Delete", key=f"{key_prefix}:delete:{digest}"):
            _write(lambda k=key: state.registry().delete_prompt_tag(name, k))
            st.toast(f"Deleted tag {md_code(key)}.")
            st.rerun()
    if not detail.tags:
        st.caption("No tags yet.")
    # The fields keep what was typed when the tag is refused; a saved tag gets new empty fields.
    added = st.session_state.get(f"{key_prefix}:added", 0)
    with st.form(f"{key_prefix}:add:{name}", border=False):
        c1, c2, c3 = st.columns([2, 5, 2], vertical_alignment="bottom")
        key = c1.text_input("Key", key=f"{key_prefix}:new_key:{added}")
        value = c2.text_input("Value", key=f"{key_prefix}:new_value:{added}")
        if c3.form_submit_button("Add tag", width="stretch"):
            _write(lambda: state.registry().set_prompt_tag(name, key, value))
            st.session_state[f"{key_prefix}:added"] = added + 1
            st.toast(f"Saved tag {md_code(key)}.")
            st.rerun()


def _write(action: Callable[[], None]) -> None:
    """Run a tag write; on failure show why and stop the run (nothing else happens)."""
    try:
        action()
    except PromptUIError as e:
        show_error(e)
        st.stop()
    finally:
        state.invalidate()
