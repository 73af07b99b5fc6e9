"""The prompt editor's widgets and where drafts live between page switches.

A draft is kept in session state under an `edit_` key per prompt. Widget values are dropped
when their page is not rendered, so every widget starts from the draft and writes back to it.

A new prompt's fields (all but its name, checked as it is typed) do not rerun the page when
they are left: the browser holds their values and sends them with the page's next click
(Create, Add message, a move, an expander), so typing costs no run. A new version's fields
rerun the page, so the diff against its base follows the typing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal, NoReturn

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptui.diff.compare import compare_versions
from promptui.drafts import Draft, new_draft, role_options
from promptui.registry.errors import InvalidInputError
from promptui.registry.models import PromptType, PromptVersion
from promptui.registry.validation import parse_chat_json
from promptui.ui import state
from promptui.ui.diff_html import DIFF_CSS, side_by_side_html
from promptui.ui.feedback import md_code, show_error
from promptui.ui.nav import EDIT_PAGE, open_editor, queue_page

NEW = "+new"  # stands for "a new prompt"; `+` cannot occur in a prompt name


def draft_key(name: str | None) -> str:
    """The session key of the draft for `name` (None: a new prompt)."""
    return f"edit_draft:{name or NEW}"


def _widget_prefix(name: str | None) -> str:
    return f"edit_w:{name or NEW}:"


def widget_key(name: str | None, field: str) -> str:
    """The session key of a widget of `name`'s draft (dropped with the draft)."""
    return _widget_prefix(name) + field


def field_prefix(draft: Draft) -> str:
    """The start of the session keys of `draft`'s widgets."""
    return _widget_prefix(None if draft.is_new else draft.name)


def on_leave(draft: Draft) -> Literal["ignore", "rerun"]:
    """What leaving one of `draft`'s fields does (see the module's docstring): nothing for a
    new prompt (its value goes with the next click), a page run for a new version."""
    return "ignore" if draft.is_new else "rerun"


def get_draft(name: str | None) -> Draft | None:
    """The unfinished draft for `name`, if there is one."""
    return st.session_state.get(draft_key(name))


def unfinished_drafts() -> list[Draft]:
    """Drafts of new versions kept in this browser session, by prompt name."""
    drafts = [v for k, v in st.session_state.items() if str(k).startswith("edit_draft:")]
    return sorted((d for d in drafts if not d.is_new), key=lambda d: d.name)


def put_draft(name: str | None, draft: Draft) -> Draft:
    """Keep `draft` for the rest of the browser session."""
    st.session_state[draft_key(name)] = draft
    return draft


def start_new_prompt(prompt_type: PromptType) -> None:
    """Widget callback: open the editor on the new prompt's draft as a `prompt_type` template.
    A draft kept from before stays, switched by `Draft.set_type` (which carries its text
    over); the type control then starts from the draft's type."""
    draft = get_draft(None) or put_draft(None, new_draft())
    draft.set_type(prompt_type)
    st.session_state.pop(_widget_prefix(None) + "type", None)
    queue_page(EDIT_PAGE)


def open_new_version(name: str, version: int) -> NoReturn:
    """Open the editor on `version`, starting from the prompt as this page read it (at most
    `state.CARRY_MAX_AGE_S` old: no request; a commit still checks for newer versions first).
    Call in a run, not a widget callback (it switches pages at once, also from a part of the
    page that reruns alone)."""
    state.carry_reads(("prompt", name))
    open_editor(name, version)


def discard_draft(name: str | None) -> None:
    """Forget the draft and its widgets' values (done only on purpose or after a commit)."""
    prefix = _widget_prefix(name)
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]
    st.session_state.pop(draft_key(name), None)


def discard_button(name: str | None, key: str, width: Literal["content", "stretch"]) -> None:
    """A "Discard draft" popover that asks first; the draft's widgets go with it and the page
    reruns."""
    with st.popover("Discard draft", width=width):
        if st.button("Yes, throw this draft away", key=key):
            discard_draft(name)
            st.rerun()


def submit_or_discard(draft: Draft, name: str | None, label: str, key: str) -> bool:
    """The submit button beside a guarded "Discard draft" of `name`'s draft; True on submit."""
    with st.container(horizontal=True, gap="small"):  # each as wide as its label
        submitted = st.button(label, type="primary", key=key)
        discard_button(name, f"{key}_discard", "content")
    if submitted:
        draft.attempted = True
    return submitted


def template_editor(draft: Draft, slots: dict[str, DeltaGenerator]) -> None:
    """The text or chat editor, its problem slot, and (for a new version, whose fields rerun
    the page) the variables it uses; a new prompt's page lists them once it is created."""
    if draft.is_chat:
        chat_editor(draft)
    else:
        text_editor(draft)
    slots["template"] = st.empty()
    if not draft.is_new:
        show_detected_variables(draft)


def name_field(draft: Draft) -> None:
    """The new prompt's name."""
    draft.name = st.text_input(
        "Name",
        value=draft.name,
        key=_widget_prefix(None) + "name",
        live=True,
        placeholder="e.g. support-agent-system",
        help="Letters, digits, '_', '.' and '-'. The name cannot change later.",
    )


def type_field(draft: Draft) -> None:
    """Text or chat, for a new prompt."""
    chosen = st.segmented_control(
        "Template type",
        ["text", "chat"],
        default=draft.prompt_type,
        required=True,
        key=_widget_prefix(None) + "type",
        format_func=lambda t: "Text" if t == "text" else "Chat (messages)",
    )
    draft.set_type(chosen or "text")


def text_editor(draft: Draft, height: int = 320) -> None:
    """The text template, in a field `height` pixels high."""
    draft.text = st.text_area(
        "Template",
        value=draft.text,
        key=field_prefix(draft) + "text",
        on_change=on_leave(draft),
        height=height,
        placeholder="You are a helpful assistant. Answer the {{question}}.",
        help="Write variables as {{name}}."
        + ("" if draft.is_new else " Press Ctrl+Enter or click outside to update."),
    )


def _move(draft: Draft, message_id: int, offset: int) -> None:
    draft.move_message(message_id, offset)


def _remove(draft: Draft, message_id: int) -> None:
    draft.remove_message(message_id)


def _add(draft: Draft) -> None:
    draft.add_message("user" if draft.messages else "system", "")


def chat_editor(draft: Draft) -> None:
    """The messages of a chat template: role, content, move up/down, remove, add.

    A message whose content is not text (content parts, null content with tool calls) is
    edited as its JSON; keys beyond role and content are kept and named."""
    prefix = field_prefix(draft)
    count = len(draft.messages)
    if not draft.messages:
        st.info("This chat template has no messages.", icon="💬")
    for i, m in enumerate(draft.messages):
        with st.container(border=True):
            c1, c2, c3, c4 = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
            if m.json_text is None:
                options = role_options(m.role)
                m.role = (
                    c1.selectbox(
                        f"Message {i + 1} role",
                        options,
                        index=options.index(m.role),
                        key=f"{prefix}role:{m.id}",
                        on_change=on_leave(draft),
                        accept_new_options=True,
                        help="MLflow accepts any role; type another one if you need it.",
                    )
                    or m.role
                )
            else:
                c1.markdown(f"**Message {i + 1}** · edited as JSON")
            # Words, not arrows: a button's label is also its name for a screen reader.
            c2.button(
                "Up", key=f"{prefix}up:{m.id}", help=f"Move message {i + 1} up",
                disabled=i == 0, on_click=_move, args=(draft, m.id, -1), width="stretch",
            )  # fmt: skip
            c3.button(
                "Down", key=f"{prefix}down:{m.id}", help=f"Move message {i + 1} down",
                disabled=i == count - 1, on_click=_move, args=(draft, m.id, 1), width="stretch",
            )  # fmt: skip
            c4.button(
                "Remove", key=f"{prefix}remove:{m.id}", help=f"Remove message {i + 1}",
                on_click=_remove, args=(draft, m.id), width="stretch",
            )  # fmt: skip
            if m.json_text is not None:
                st.caption(
                    "Its content is not plain text (content parts, or tool calls with no "
                    "content), so the whole message is edited as JSON and kept as it is."
                )
                m.json_text = st.text_area(
                    f"Message {i + 1} as JSON",
                    value=m.json_text,
                    key=f"{prefix}json:{m.id}",
                    on_change=on_leave(draft),
                    height=180,
                    label_visibility="collapsed",
                )
                continue
            m.content = st.text_area(
                f"Message {i + 1} content",
                value=m.content,
                key=f"{prefix}content:{m.id}",
                on_change=on_leave(draft),
                height=140,
                label_visibility="collapsed",
                placeholder="Message text, with {{variables}}",
            )
            if m.original is not None and m.original.extra_keys:
                kept = ", ".join(md_code(k) for k in m.original.extra_keys)
                st.caption(f"Also kept as stored: {kept}.")
    st.button(
        "Add message", key=f"{prefix}add", icon=":material/add:", on_click=_add, args=(draft,)
    )
    chat_json_import(draft)


def chat_json_import(draft: Draft) -> None:
    """Replace the messages with ones pasted as JSON, e.g. copied from application code."""
    prefix = field_prefix(draft)
    with st.expander("Paste messages as JSON"):
        raw = st.text_area(
            "Messages as JSON",
            key=f"{prefix}json",
            on_change=on_leave(draft),
            height=120,
            placeholder='[{"role": "system", "content": "You are ..."}, {"role": "user", ...}]',
        )
        if st.button("Replace the messages", key=f"{prefix}json_apply"):
            try:
                messages = parse_chat_json(raw)
            except InvalidInputError as e:
                show_error(e)
                return
            draft.messages = []
            for m in messages:
                draft.add_message(m.role, m.content or "", original=m)
            st.rerun()


def show_detected_variables(draft: Draft) -> None:
    """The variables the draft uses right now."""
    variables = draft.variables()
    if variables:
        st.markdown("**Variables:** " + " ".join(md_code("{{" + v + "}}") for v in variables))
    else:
        st.caption("No variables yet: write {{name}} where a value goes.")


def draft_diff(base: PromptVersion, draft: Draft, *, right_title: str = "your draft") -> None:
    """What the draft changes against `base`: template, variables, settings, response format
    and tags, the way the compare page shows two versions."""
    try:
        proposed = draft.as_version()
    except InvalidInputError:
        st.caption("Fix the marked fields to see the changes.")
        return
    comparison = replace(
        compare_versions(base, proposed), left_label=f"v{base.version}", right_label=right_title
    )
    st.html(DIFF_CSS + comparison.to_html("side"))
    change = comparison.variables
    if change.added or change.removed:
        added = " ".join(md_code(v) for v in change.added) or "none"
        removed = " ".join(md_code(v) for v in change.removed) or "none"
        st.markdown(f"**Variables** added: {added} · removed: {removed}")
    if comparison.response_format_changed:
        st.markdown("**Response format**")
        st.html(
            DIFF_CSS
            + side_by_side_html(
                comparison.response_format,
                left_title=comparison.left_label,
                right_title=right_title,
            )
        )
    skipped = {"version", "created", "author", "commit message", "variables", "response format"}
    rows = [
        (r["field"], r["left"], r["right"])
        for r in comparison.metadata_rows()
        if r["change"] and r["field"] not in skipped
    ]
    if rows:
        st.markdown("**Settings and tags**")
        st.dataframe(
            pd.DataFrame(rows, columns=["field", comparison.left_label, right_title]),
            hide_index=True,
            width="stretch",
        )
