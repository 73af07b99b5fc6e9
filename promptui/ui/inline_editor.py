"""The prompt page's own editor: "New version" opens the template and a commit message under
the page's actions (no page switch, no request), in a form: the fields reach the server only
with a click on one of its buttons, in that click's run, so leaving a field costs no run and a
click that leaves one is never lost. Chat templates open in the editor page (their message
editor has buttons, which a form cannot hold).

It edits the same draft as the editor page ("Open in the editor" continues it there, with
settings, tags and the stale-base review), so everything the form does not show is carried
into the new version unchanged, as the editor page carries it.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptui.drafts import Draft, draft_from_version, save_draft
from promptui.registry.errors import PromptUIError, StaleBaseError
from promptui.registry.models import PromptDetail, PromptVersion
from promptui.ui import state
from promptui.ui.draft_parts import commit_message_field, show_problems
from promptui.ui.editor import (
    discard_button,
    discard_draft,
    draft_diff,
    get_draft,
    open_new_version,
    put_draft,
    text_editor,
    widget_key,
)
from promptui.ui.feedback import md_code, md_escape, show_error
from promptui.ui.nav import open_editor

_FIELDS = ("template", "commit_message")  # the problems shown here; others need the editor


def _open_key(name: str) -> str:
    # Under the draft's widget prefix: discarding the draft closes the editor too.
    return widget_key(name, "inline_open")


def start_inline_edit(detail: PromptDetail, version: int) -> None:
    """On a click on "New version from vN": open the editor on this page, from `version`.

    The editor page opens instead, with every field in view, where this form would hide
    something: a draft from another version with changes (the editor page asks whether to
    keep it), a kept draft whose settings or tags differ from its base (this form shows only
    the template and the message), or a version whose stored template or settings are not
    valid (the editor page says why); and a chat template (its message editor cannot sit in
    a form). An untouched draft from another version is replaced. No request."""
    base = detail.version(version)
    draft = get_draft(detail.name)
    if draft is not None and draft.base_version != version:
        old_base = detail.version(draft.base_version or 0)
        if old_base is None or not draft.same_as(old_base):
            open_new_version(detail.name, version)
        discard_draft(detail.name)
        draft = None
    if (
        base is None
        or detail.latest is None
        or base.is_chat
        or (draft is None and base.problem)
        or (draft is not None and not draft.same_settings_as(base))
    ):
        open_new_version(detail.name, version)
    if draft is None:
        put_draft(detail.name, draft_from_version(base, latest=detail.latest.version))
    st.session_state[_open_key(detail.name)] = True


def kept_draft_base(detail: PromptDetail) -> int | None:
    """The version a kept draft of `detail` with changes starts from, while this page's editor
    is closed (a draft left on the editor page, or closed here); None otherwise. No request."""
    draft = get_draft(detail.name)
    if draft is None or inline_editing(detail.name) or draft.base_version is None:
        return None
    base = detail.version(draft.base_version) or draft.base
    if base is not None and draft.same_as(base):
        return None
    return draft.base_version


def inline_editing(name: str) -> bool:
    """Whether the prompt page shows its editor for `name`."""
    return bool(st.session_state.get(_open_key(name))) and get_draft(name) is not None


def inline_editor(detail: PromptDetail) -> None:
    """The template and a commit message of the draft `start_inline_edit` opened, in a form:
    typing and leaving a field sends nothing; Commit (or Enter in the commit message), "Show
    changes", "Open in the editor" and Close each send the fields at once with the click, in
    one run. Commit writes the version (five requests: the stale-base check, the write, then
    this page's read again) and reruns the page on it. Discard (outside the form) asks first.
    Call while `inline_editing(detail.name)`."""
    name = detail.name
    draft = get_draft(name)
    assert draft is not None
    base = detail.version(draft.base_version or 0) or draft.base
    assert base is not None
    slots: dict[str, DeltaGenerator] = {}
    # Enter in the commit message is a click on Commit, the form's first button (Enter in the
    # template is a new line).
    with st.form(key=widget_key(name, "inline_form"), enter_to_submit=True):
        st.markdown(f"**New version from v{base.version}**")
        text_editor(draft, fitted_height(base.text))
        slots["template"] = st.empty()
        commit_message_field(draft, slots, widget_key(name, "message"), "What changed and why")
        with st.container(horizontal=True, gap="small"):
            commit = st.form_submit_button("Commit", type="primary", key="prompt_inline_commit")
            changes = st.form_submit_button("Show changes", key="prompt_inline_changes")
            full = st.form_submit_button(
                "Open in the editor",
                key="prompt_inline_full",
                icon=":material/open_in_full:",
                help="Settings, tags and the response format too; your draft goes with you.",
            )
            close = st.form_submit_button(
                "Close",
                key="prompt_inline_close",
                help="Your draft is kept until you commit or discard it.",
            )
    if full:
        open_new_version(name, base.version)
    if close:
        _close(name, base)
        st.rerun()
    discard_button(name, "prompt_inline_discard", "content")
    if commit:
        draft.attempted = True
    problems = draft.visible_problems()
    show_problems(slots, problems)
    elsewhere = " ".join(p for field, p in problems.items() if field not in _FIELDS)
    note = f"{md_escape(elsewhere)} Fix it in the editor." if elsewhere else ""
    if commit:
        _commit(draft, base, problems, note)
    elif note:
        st.error(note, icon="✋")
    if changes:
        st.markdown(f"**Changes against v{base.version}**")
        if draft.same_as(base):
            st.caption("No changes yet.")
        else:
            draft_diff(base, draft)


def fitted_height(text: str) -> int:
    """Pixels for a text field that shows `text` whole (about 100 characters a line), between
    120 (a few lines) and 320 (the editor page's): the form's buttons stay in view."""
    rows = sum(max(1, -(-len(line) // 100)) for line in text.split("\n"))
    return min(320, max(120, 40 + 24 * rows))


def _close(name: str, base: PromptVersion) -> None:
    """Hide the editor; a draft with nothing changed is dropped, one with changes kept."""
    draft = get_draft(name)
    if draft is not None and draft.same_as(base):
        discard_draft(name)
    st.session_state.pop(_open_key(name), None)


def _commit(draft: Draft, base: PromptVersion, problems: dict[str, str], note: str) -> None:
    """Commit the draft, or say why not (`note`: the problems of fields not shown here). A
    newer version committed meanwhile opens the editor page, which shows it and what the draft
    would change in it, and asks before committing."""
    if problems:
        st.error(f"Nothing was committed: fix the marked fields first. {note}", icon="✋")
        return
    if draft.same_as(base):
        st.error(f"Nothing changed against v{base.version}; there is nothing to commit.", icon="✋")
        return
    try:
        committed = save_draft(state.registry(), draft, author=state.current_user())
    except StaleBaseError as e:
        draft.stale_latest = e.latest_version
        state.invalidate()
        open_editor(draft.name, base.version)
    except PromptUIError as e:
        state.invalidate()
        show_error(e)
        return
    state.invalidate()
    discard_draft(draft.name)
    st.toast(f"Committed version {committed.version} of {md_code(draft.name)}.")
    st.query_params["version"] = str(committed.version)
    st.rerun()  # the whole page, on the new version
