"""Create / edit: a new prompt, or a new version of one, with a diff before committing."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptui.drafts import draft_from_version, new_draft, save_draft
from promptui.registry.errors import PromptUIError, StaleBaseError
from promptui.ui import state
from promptui.ui.auth import may
from promptui.ui.draft_parts import commit_after_review, commit_message_field, show_problems
from promptui.ui.draft_settings import settings_editors
from promptui.ui.editor import (
    discard_draft,
    draft_diff,
    get_draft,
    name_field,
    on_leave,
    put_draft,
    submit_or_discard,
    template_editor,
    type_field,
    unfinished_drafts,
)
from promptui.ui.feedback import md_code, md_escape, show_error
from promptui.ui.layout import page_setup
from promptui.ui.nav import open_editor, open_prompt, query_version
from promptui.ui.reads import prompt_or_stop
from promptui.ui.select_keys import labelled_key

page_setup("Create / edit")
name = st.query_params.get("prompt", "").strip() or None
slots: dict[str, DeltaGenerator] = {}  # where each field's problem is shown

try:
    existing = {p.name for p in state.list_prompts()}
except PromptUIError as e:
    show_error(e, retry_key="edit_retry")
    st.stop()

# --- a new prompt -------------------------------------------------------------------------
if name is None:
    st.title("Create prompt")
    pick = st.selectbox(
        "Or start a new version of an existing prompt",
        sorted(existing),
        index=None,
        key="edit_pick",
        placeholder="Choose a prompt",
    )
    if pick:
        open_editor(pick)
    for kept in unfinished_drafts():
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.info(
            f"Unfinished draft: a new version of {md_code(kept.name)} (from v{kept.base_version}).",
            icon="📝",
        )
        if c2.button("Continue", key=f"edit_continue:{kept.name}", width="stretch"):
            open_editor(kept.name, kept.base_version)
    draft = get_draft(None) or put_draft(None, new_draft())

    name_field(draft)
    slots["name"] = st.empty()
    type_field(draft)
    template_editor(draft, slots)
    commit_message_field(draft, slots, "edit_w:+new:message")
    draft.tags_text = st.text_area(
        "Prompt tags",
        value=draft.tags_text,
        key="edit_w:+new:tags",
        on_change=on_leave(draft),
        height=90,
        placeholder="team=support\nproject=agent",
        help="One key=value per line.",
    )
    slots["tags"] = st.empty()
    settings_editors(draft, slots)
    create = submit_or_discard(draft, None, "Create prompt", "edit_create")
    problems = draft.visible_problems(existing)
    show_problems(slots, problems)
    if create and problems:
        st.error("Nothing was created: fix the marked fields first.", icon="✋")
    elif create:
        try:
            created = save_draft(state.registry(), draft, author=state.current_user())
        except PromptUIError as e:
            state.invalidate()
            show_error(e)
        else:
            state.invalidate()
            discard_draft(None)
            st.toast(f"Created {md_code(created.name)} version 1.")
            open_prompt(created.name, created.version)
    st.stop()

# --- a new version of an existing prompt --------------------------------------------------
st.title(f"New version of {md_escape(name)}")
detail = prompt_or_stop(name, retry_key="edit_retry_prompt")
can_commit, why_not = may(name, "EDIT")
if not can_commit:
    st.info(md_escape(why_not or ""), icon="🔒")
    st.stop()
if detail.latest is None:
    st.info("This prompt has no versions to start from.")
    st.stop()

wanted = query_version()
draft = get_draft(name)
requested = detail.version(wanted) if wanted else None
if wanted and requested is None:
    st.warning(f"Version {wanted} does not exist; starting from the latest.", icon="🔍")
if draft is not None and requested is not None and requested.version != draft.base_version:
    old_base = detail.version(draft.base_version or 0)
    if old_base is not None and draft.same_as(old_base):
        discard_draft(name)  # nothing typed yet: simply start from the requested version
        draft = None
    else:
        st.warning(
            f"You have an unfinished draft that started from v{draft.base_version}. "
            f"Keep editing it, or discard it and start from v{requested.version}.",
            icon="📝",
        )
        c1, c2, _ = st.columns([1, 1, 2])
        if c1.button("Keep editing my draft", key="edit_keep", type="primary"):
            open_editor(name, draft.base_version)
        if c2.button(f"Discard it, start from v{requested.version}", key="edit_restart"):
            discard_draft(name)
            st.rerun()
        st.stop()
start_from = requested or detail.latest
if draft is None and start_from.problem:
    st.error(
        f"{md_escape(start_from.problem)} Start from another version, or fix it with MLflow's "
        "own API first: promptui does not guess what it should hold.",
        icon="✋",
    )
    st.stop()
if draft is None:
    draft = put_draft(name, draft_from_version(start_from, latest=detail.latest.version))
base = detail.version(draft.base_version or 0) or draft.base or detail.latest
starts = {
    v.version: f"v{v.version}" + (" (latest)" if v is detail.latest else "")
    for v in detail.versions
}
numbers = list(starts)

start = st.selectbox(
    "Start from",
    numbers,
    index=numbers.index(base.version) if base.version in numbers else 0,
    format_func=starts.__getitem__,
    key=labelled_key(f"edit_start:{name}:{base.version}", starts.values()),
    help="Choosing another version asks before it replaces changes you made.",
)
if start != base.version:
    open_editor(name, start)

if draft.stale_latest is None and detail.latest.version > (draft.seen_latest or 0):
    draft.stale_latest = detail.latest.version  # seen in a fresh read: warn before the commit
if draft.stale_latest is not None:
    newer = detail.version(draft.stale_latest)
    by = f" by {md_escape(newer.author)}" if newer and newer.author else ""
    st.warning(
        f"**Version {draft.stale_latest}** was committed{by} after you opened this editor "
        f"(the newest version was v{draft.seen_latest} then; your draft starts from "
        f"v{base.version}). Nothing was committed. Your draft does not hold its changes: "
        "committed as it is, it would undo them. The diff below shows what your draft would "
        "change in it.",
        icon="⚠️",
    )
    if newer is not None:
        if newer.commit_message:
            st.caption("Its commit message:")
            st.text(newer.commit_message)
        if st.toggle(
            f"Show my draft against v{newer.version}", value=True, key=f"edit_stale_diff:{name}"
        ):
            draft_diff(newer, draft)
    c1, c2, _ = st.columns([2, 2, 1])
    c1.button(  # the commit goes ahead in the run this click starts, checked as any other
        "Commit my draft anyway",
        key="edit_rebase",
        on_click=commit_after_review,
        args=(draft, f"edit_reviewed:{name}"),
        help=f"Your draft becomes the next version, as it is: what v{draft.stale_latest} "
        "changed and your draft does not hold is undone (the diff above).",
    )
    if c2.button(f"Start over from v{draft.stale_latest}", key="edit_start_over"):
        target = draft.stale_latest
        discard_draft(name)
        open_editor(name, target)


template_editor(draft, slots)
settings_editors(draft, slots, extras_expanded=bool(base.response_format or base.user_tags))
st.subheader(f"Changes against v{base.version}")
if draft.same_as(base):
    st.caption("No changes yet.")
else:
    draft_diff(base, draft)
commit_message_field(draft, slots, f"edit_w:{name}:message", "What changed and why")
unchanged = draft.same_as(base)
commit = submit_or_discard(draft, name, "Commit version", "edit_commit")
commit = st.session_state.pop(f"edit_reviewed:{name}", False) or commit
if draft.stale_latest is not None and not commit:  # said where the click was, too
    st.warning(
        f"Not committed: v{draft.stale_latest} was committed meanwhile. Its changes and your "
        "choices are at the top of the page.",
        icon="⚠️",
    )
problems = draft.visible_problems()
show_problems(slots, problems)
if commit and problems:
    st.error("Nothing was committed: fix the marked fields first.", icon="✋")
elif commit and unchanged:
    st.error(f"Nothing changed against v{base.version}; there is nothing to commit.", icon="✋")
elif commit:
    try:
        committed = save_draft(state.registry(), draft, author=state.current_user())
    except StaleBaseError as e:
        draft.stale_latest = e.latest_version
        state.invalidate()
        st.rerun()
    except PromptUIError as e:
        state.invalidate()
        show_error(e)
    else:
        state.invalidate()
        discard_draft(name)
        st.toast(f"Committed version {committed.version} of {md_code(name)}.")
        open_prompt(name, committed.version)
