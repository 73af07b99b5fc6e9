"""Fields both editors share: the commit message, and each field's problem under it.

The fields are drawn as part of their page, not as `st.fragment`s of their own: a field in a
fragment sends its value in a run of that fragment when it is left, and a click on Commit
straight after typing (the click is what leaves the field) then started a second run for the
button, which Streamlit dropped: the commit did not happen. A field and the button that
submits it must rerun together.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptui.drafts import Draft
from promptui.ui.editor import on_leave
from promptui.ui.feedback import md_escape


def show_problems(slots: Mapping[str, DeltaGenerator], problems: Mapping[str, str]) -> None:
    """Each field's problem in the slot under that field (filled after every field ran)."""
    for field, slot in slots.items():
        if field in problems:
            slot.error(md_escape(problems[field]), icon="✋")


def commit_message_field(
    draft: Draft, slots: dict[str, DeltaGenerator], key: str, placeholder: str | None = None
) -> None:
    """The commit message and its problem slot."""
    draft.commit_message = st.text_input(
        "Commit message",
        value=draft.commit_message,
        key=key,
        on_change=on_leave(draft),
        placeholder=placeholder,
    )
    slots["commit_message"] = st.empty()


def commit_after_review(draft: Draft, flag_key: str) -> None:
    """Callback of "Commit my draft anyway" (a newer version was committed meanwhile): the
    newer version becomes the one the draft was seen against, and the run this click starts
    commits (`flag_key` in session_state says so), with the same checks as Commit. No
    requests."""
    draft.seen_latest, draft.stale_latest = draft.stale_latest, None
    draft.attempted = True
    st.session_state[flag_key] = True
