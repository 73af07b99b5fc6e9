"""Prompts as files in the app: download one prompt or all of them, upload files with the plan
shown before anything is applied."""

from __future__ import annotations

import streamlit as st

from promptui.aliases import protected_aliases
from promptui.files.format import dump, file_from_detail, read_uploads, zip_bytes
from promptui.files.importing import ImportPlan, apply_import, plan_import
from promptui.registry.errors import InvalidInputError, PromptUIError
from promptui.registry.models import PromptDetail
from promptui.ui import state
from promptui.ui.approvals import allowed_to_move
from promptui.ui.feedback import md_code, md_escape, show_error

PLAN_KEY = "files_plan"


def download_prompt(detail: PromptDetail, *, key: str) -> None:
    """A button that downloads this prompt's file (from the page's own read: no request),
    written only on the click: not on every run of the part of the page that draws it."""
    prompt = file_from_detail(detail)
    st.download_button(
        "Download as YAML",
        data=lambda: dump(prompt),
        file_name=prompt.file_name,
        mime="application/yaml",
        icon=":material/download:",
        key=key,
        on_click="ignore",
        help="Every version, tags and aliases, as `promptui import` reads them back.",
    )


def _all_prompts_zip() -> bytes:
    return zip_bytes([file_from_detail(d) for d in state.registry().all_prompts()])


def download_all(*, key: str) -> None:
    """A button that downloads every prompt as a zip; the registry is read only on the click
    (one request per 1,000 prompts and per 2,000 versions)."""
    st.download_button(
        "Download all prompts (.zip)",
        data=_all_prompts_zip,
        file_name="prompts.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
        key=key,
        on_click="ignore",
    )


def upload_and_import() -> None:
    """Upload prompt files, see the plan (nothing written), then apply it."""
    uploads = st.file_uploader(
        "Prompt files (.yaml) or a .zip of them",
        type=["yaml", "zip"],
        accept_multiple_files=True,
        key="files_upload",
    )
    if not uploads:
        st.session_state.pop(PLAN_KEY, None)
        st.caption("Files written by `promptui export` or by the download buttons.")
        return
    try:
        files = read_uploads([(u.name, u.getvalue()) for u in uploads])
    except InvalidInputError as e:
        show_error(e)
        return
    signature = tuple((u.name, u.size) for u in uploads)
    held = st.session_state.get(PLAN_KEY)
    if held is None or held[0] != signature:
        try:
            plan = plan_import(state.registry(), files)  # reads only: nothing is written
        except PromptUIError as e:
            show_error(e, retry_key="files_retry")
            return
        st.session_state[PLAN_KEY] = (signature, plan)
    else:
        plan = held[1]
    show_plan(plan)
    if not any(p.changes for p in plan.prompts):
        st.success("The registry already holds what these files say: nothing to do.")
        return
    reason = ""
    refused = [f"{n}@{a.alias}" for n, a in plan.protected_moves if not allowed_to_move(n, a.alias)]
    if refused:
        st.error(
            "You may not move "
            + ", ".join(md_code(r) for r in refused)
            + ": leave those aliases out of the files, or ask someone allowed to import them.",
            icon="🔒",
        )
        return
    if plan.protected_moves:
        names = ", ".join(md_code(f"{n}@{a.alias}") for n, a in plan.protected_moves)
        st.warning(f"Protected aliases move: {names}. Give a reason for the history.", icon="⚠️")
        reason = st.text_input("Reason", key="files_reason", placeholder="Why this import?")
    if st.button("Apply this plan", type="primary", key="files_apply"):
        try:
            failed = apply_import(
                state.registry(),
                state.alias_history(),
                plan,
                files,
                reason=reason,
                user=state.current_user(),
            )
        except InvalidInputError as e:
            show_error(e)
            return
        finally:
            state.invalidate()
        st.session_state.pop(PLAN_KEY, None)
        for line in failed:
            st.error(md_escape(line), icon="✋")
        done = len([p for p in plan.prompts if p.changes]) - len(failed)
        st.success(f"Imported {done} prompt(s).")


def show_plan(plan: ImportPlan) -> None:
    """Each planned change or conflict, one line each, shown literally."""
    st.markdown("**The plan** (nothing is written until you apply it)")
    conflicts = len(plan.conflicts)
    if conflicts:
        st.warning(
            f"{conflicts} prompt(s) conflict with the registry: nothing is written for them.",
            icon="⚠️",
        )
    st.code("\n".join(plan.lines()) or "(nothing)", language=None, wrap_lines=True)
    protected = ", ".join(protected_aliases()) or "none"
    st.caption(f"Protected aliases ({md_escape(protected)}) need a reason.")
