"""Parts of the editor page that rerun alone.

Leaving a field of the editor reruns the page script and redraws the page in the browser
(about 100 ms here, most of it the browser's). A field whose value nothing outside its part
shows (the name, the commit message; the template with its diff) is drawn inside a
`st.fragment`: leaving it reruns and redraws that part only. No part reads the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptui.drafts import Draft
from promptui.ui.feedback import md_escape


def show_problems(slots: Mapping[str, DeltaGenerator], problems: Mapping[str, str]) -> None:
    """Each field's problem in the slot under that field (filled after every field ran)."""
    for field, slot in slots.items():
        if field in problems:
            slot.error(md_escape(problems[field]), icon="✋")


def draft_part(
    draft: Draft,
    slots: dict[str, DeltaGenerator],
    draw: Callable[[], None],
    *,
    existing: set[str] | frozenset[str] = frozenset(),
    alone: bool = True,
) -> None:
    """Draw `draw()`, which edits `draft` and adds the problem slots of its fields to `slots`.

    With `alone`, it is a fragment: a change inside reruns only it, and then shows the
    problems of its own fields (`existing`: the prompt names taken, for a new prompt's name).
    A run of the whole page shows every problem at its end (`show_problems`), after the
    submit button has said whether a commit was tried. Without `alone` it is drawn as part of
    the page (when something else on the page shows what the part edits)."""
    if not alone:
        draw()
        return

    @st.fragment
    def part() -> None:
        before = dict(slots)
        draw()
        mine = {k: slot for k, slot in slots.items() if before.get(k) is not slot}
        show_problems(mine, draft.visible_problems(existing))

    part()


def commit_message_field(
    draft: Draft, slots: dict[str, DeltaGenerator], key: str, placeholder: str | None = None
) -> None:
    """The commit message and its problem slot, as a part of its own (nothing else on the
    page shows the message)."""

    def draw() -> None:
        draft.commit_message = st.text_input(
            "Commit message", value=draft.commit_message, key=key, placeholder=placeholder
        )
        slots["commit_message"] = st.empty()

    draft_part(draft, slots, draw)
