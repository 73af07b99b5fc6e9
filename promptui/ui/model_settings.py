"""Changing an existing version's model settings on the prompt page, with who, when and why."""

from __future__ import annotations

import json

import streamlit as st

from promptui.aliases.config_changes import ConfigChange, change_model_config
from promptui.registry.errors import InvalidInputError, PromptUIError
from promptui.registry.models import PromptVersion
from promptui.registry.validation import parse_json
from promptui.ui import state
from promptui.ui.feedback import show_error


def settings_json(version: PromptVersion) -> str:
    """The version's model settings as indented JSON, `{}` for none."""
    return json.dumps(dict(version.model_config), indent=2, ensure_ascii=False)


def _save(version: PromptVersion, text: str, reason: str) -> None:
    config = parse_json(text, "The model settings")
    if not isinstance(config, dict):
        raise InvalidInputError('Model settings are a JSON object, e.g. {"temperature": 0.2}.')
    change_model_config(
        state.alias_history(),
        version.name,
        version.version,
        config,
        expected_json=version.model_config_json,
        reason=reason,
        user=state.current_user(),
    )


def model_settings_editor(version: PromptVersion, *, readonly: str | None, key: str) -> None:
    """A form that replaces the version's model settings (MLflow lets only these change after
    a commit), and the changes recorded for this version. `readonly` is why the person may
    not change them (the form is then disabled). Saving is five requests (see
    `change_model_config`); the page's one history read shows the changes (call it only
    where they are shown: the prompt page draws it in its open "Settings & tags" tab)."""
    with st.expander("Change model settings", icon=":material/tune:"):
        st.caption(
            "Model settings are the one part of a version MLflow lets change; the template "
            "stays as it is. Applications that load this version get the new settings."
        )
        if readonly:
            st.caption(readonly)
        with st.form(f"{key}:{version.name}:{version.version}", border=False):
            text = st.text_area(
                "Model settings (JSON)",
                value=settings_json(version),
                height=160,
                disabled=bool(readonly),
                key=f"{key}_json:{version.name}:{version.version}",
            )
            reason = st.text_input(
                "Reason",
                placeholder="Why this change?",
                disabled=bool(readonly),
                key=f"{key}_reason:{version.name}:{version.version}",
            )
            saved = st.form_submit_button(
                "Save model settings", type="primary", disabled=bool(readonly)
            )
        if saved:
            try:
                _save(version, text, reason)
            except PromptUIError as e:
                show_error(e)
            else:
                state.invalidate()
                st.toast(f"Model settings of v{version.version} saved.", icon="✅")
                st.rerun()
    try:
        found = [c for c in state.config_changes(version.name) if c.version == version.version]
    except PromptUIError:
        found = []  # the history is optional here; the alias board reports its failures
    if found:
        show_changes(found)


def show_changes(changes: list[ConfigChange]) -> None:
    """The recorded model-settings changes as a table, newest first."""
    st.markdown("**Model settings changed**")
    st.dataframe(
        [
            {
                "when (UTC)": c.at.replace(tzinfo=None),
                "who": c.user or "",
                "reason": c.reason,
                "before": c.before or "{}",
                "after": c.after or "{}",
            }
            for c in changes
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "when (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        },
    )
