"""Alias moves from the UI: requests, and the protected-alias confirm dialog.

Every way of moving an alias (drag, keyboard controls, move back, promotion) builds a
`MoveRequest` and hands it to `AliasActions.request`, which applies it at once or, for a
protected alias, opens the confirm dialog (from a session_state flag, so it survives reruns).
The keyboard panel and move-back buttons are in `alias_controls`, the history view in
`alias_history_view`.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass, field

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from promptui.aliases import (
    alias_change_preview,
    move_alias,
    protected_aliases,
    record_outside_changes,
    remove_alias,
    version_label,
)
from promptui.aliases.approvals import request_move
from promptui.aliases.history import check_reason
from promptui.registry.errors import InvalidInputError, PromptUIError
from promptui.registry.models import PromptDetail
from promptui.ui import state
from promptui.ui.approvals import allowed_to_move
from promptui.ui.diff_html import DIFF_CSS, chat_html, side_by_side_html
from promptui.ui.feedback import md_code, md_escape, show_error
from promptui.ui.insights import gated_aliases, move_evidence

PENDING_SUFFIX = "_alias_pending"
FLASH_SUFFIX = "_alias_flash"


@dataclass(frozen=True)
class MoveRequest:
    """One alias change the user asked for; `from_version` is where they saw the alias."""

    name: str
    alias: str
    from_version: int | None
    to_version: int | None  # None: remove the alias
    reason: str = ""  # prefilled reason, e.g. "Rollback"
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def summary(self) -> str:
        what = "remove" if self.to_version is None else f"move to {version_label(self.to_version)}"
        return f"{self.alias}: {version_label(self.from_version)} → {what}"


def _dismiss_pending() -> None:
    for key in [k for k in st.session_state if str(k).endswith(PENDING_SUFFIX)]:
        del st.session_state[key]


class AliasActions:
    """Alias moves for one page; session_state keys start with the page's prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.pending_key = f"{prefix}{PENDING_SUFFIX}"
        self.flash_key = f"{prefix}{FLASH_SUFFIX}"
        self.confirming = False  # the confirm dialog was opened in this run

    def request(self, req: MoveRequest) -> None:
        """Apply the move now, or open the confirm step when the alias is protected; then rerun
        the page to show the outcome."""
        self.submit(req)
        st.rerun()

    def submit(self, req: MoveRequest) -> None:
        """`request` as a widget callback: the page then runs once, after the move (or with the
        confirm step open), instead of drawing itself again before and after it."""
        if req.alias in protected_aliases() or req.alias in gated_aliases():
            # What the dialog shows (evidence) and Confirm needs (history), read at once now.
            state.read_together(req.name, history=True, lineage=req.to_version is not None)
            st.session_state[self.pending_key] = req
        else:
            self.apply(req, req.reason)

    def apply(self, req: MoveRequest, reason: str) -> bool:
        """Write the move (with the compare-and-set on `from_version`), and re-read the prompt
        while its history record is written (the next run shows that read). Changes made
        outside promptui that this page noticed are recorded first: a write is when the
        history is written."""
        registry = state.registry()
        fresh: list[PromptDetail] = []

        def reread() -> None:  # while the history is written; its failure shows on the rerun
            with suppress(PromptUIError):
                fresh.append(registry.get_prompt(req.name))

        try:
            record_outside_changes(
                registry,
                state.alias_history(),
                req.name,
                state.get_prompt(req.name).aliases,
                state.alias_events(req.name),
            )
            if req.to_version is None:
                remove_alias(
                    registry,
                    state.alias_history(),
                    req.name,
                    req.alias,
                    expected=req.from_version,
                    reason=reason,
                    user=state.current_user(),
                    meanwhile=reread,
                )
                done = f"Removed '{req.alias}' (it pointed to {version_label(req.from_version)})."
            else:
                move_alias(
                    registry,
                    state.alias_history(),
                    req.name,
                    req.alias,
                    req.to_version,
                    expected=req.from_version,
                    reason=reason,
                    user=state.current_user(),
                    meanwhile=reread,
                )
                done = f"'{req.alias}' now points to {version_label(req.to_version)}."
        except PromptUIError as e:
            st.session_state[self.flash_key] = e
            state.invalidate()  # a conflict means our view is stale: show the registry's state
            return False
        st.session_state[self.flash_key] = done
        state.invalidate(fresh[0] if fresh else None)
        return True

    def show_flash(self, where: DeltaGenerator | None = None) -> None:
        """The outcome of the last move (kept across the rerun that follows it), in `where`
        when given: a slot the page always draws, so the message never shifts what follows
        it (which would redraw, and close, an open panel below)."""
        flash = st.session_state.pop(self.flash_key, None)
        if not flash:
            return
        with where if where is not None else st.container():
            if isinstance(flash, PromptUIError):
                show_error(flash)
            else:
                st.success(md_escape(flash), icon="✅")

    def confirm_if_pending(self) -> None:
        """Open the confirm dialog when a protected move is waiting for it, once per run: a page
        may call this early (the dialog shows before the rest of the page is drawn) and again
        at its end (for a move the run itself asked for)."""
        req = st.session_state.get(self.pending_key)
        if isinstance(req, MoveRequest) and not self.confirming:
            self.confirming = True
            _confirm_dialog(self, req)


@st.dialog("Confirm a protected alias change", width="large", on_dismiss=_dismiss_pending)
def _confirm_dialog(actions: AliasActions, req: MoveRequest) -> None:
    st.markdown(
        f"**{md_code(req.alias)}** of {md_code(req.name)}: "
        f"{version_label(req.from_version)} → "
        + ("**removed**" if req.to_version is None else f"**{version_label(req.to_version)}**")
    )
    try:
        detail = state.get_prompt(req.name)
    except PromptUIError as e:
        show_error(e)
        detail = None
    gate = None
    if detail is not None:
        show_change_preview(detail, req)
        try:
            gate = move_evidence(req.name, req.alias, req.from_version, req.to_version)
        except PromptUIError as e:
            show_error(e)
    reason = st.text_input(
        "Reason (recorded in the alias history)",
        value=req.reason,
        key=f"{actions.prefix}_reason_{req.token}",
        on_change="ignore",  # read by Confirm's callback: leaving the field runs nothing
        placeholder="Why this change?",
    )
    if not allowed_to_move(req.name, req.alias):
        _request_instead(actions, req, reason)
        return
    blocked = gate is not None and not gate.passed
    if blocked:  # read by the Confirm callback
        st.checkbox(
            "Override the gate (recorded in the history with your reason)",
            key=f"{actions.prefix}_override_{req.token}",
        )
    cancel, confirm = st.columns(2)  # Cancel left, Confirm right
    refused = st.session_state.pop(f"{actions.prefix}_refused_{req.token}", None)
    if isinstance(refused, InvalidInputError):
        show_error(refused)
    confirm.button(
        "Confirm",
        type="primary",
        key=f"{actions.prefix}_confirm_{req.token}",
        on_click=_confirm,
        args=(actions, req, gate.reasons if blocked and gate is not None else None),
    )
    if cancel.button("Cancel", key=f"{actions.prefix}_cancel_{req.token}"):
        st.session_state.pop(actions.pending_key, None)
        st.rerun()


def _confirm(actions: AliasActions, req: MoveRequest, gate: tuple[str, ...] | None) -> None:
    """The Confirm button's callback: move with the reason typed, then run the whole page once
    (not the dialog, then the page). A blank reason, or a gate not overridden, is refused and
    shown in the dialog; nothing moves."""
    reason = st.session_state.get(f"{actions.prefix}_reason_{req.token}", "")
    override = bool(st.session_state.get(f"{actions.prefix}_override_{req.token}"))
    try:
        reason = check_reason(reason)
        if gate is not None and not override:
            raise InvalidInputError(
                "The gate blocks this move. Override it (with your reason) or cancel."
            )
    except InvalidInputError as e:
        st.session_state[f"{actions.prefix}_refused_{req.token}"] = e
        return
    if gate is not None:
        reason = f"{reason} [gate overridden: {' '.join(gate)}]"
    actions.apply(req, reason)
    st.session_state.pop(actions.pending_key, None)
    st.rerun()


def _request_instead(actions: AliasActions, req: MoveRequest, reason: str) -> None:
    """A person who may not move the protected alias asks for it; a colleague decides."""
    st.info(
        f"You may not move {md_code(req.alias)} yourself: request it, and someone allowed "
        "approves or rejects it.",
        icon="📨",
    )
    cancel, send = st.columns(2)
    if send.button("Request this move", type="primary", key=f"{actions.prefix}_ask_{req.token}"):
        try:
            request_move(
                state.alias_history(),
                req.name,
                req.alias,
                req.from_version,
                req.to_version,
                requester=state.current_user() or "",
                reason=reason,
                summary=req.summary,
            )
        except PromptUIError as e:
            show_error(e)
            return
        st.session_state.pop(actions.pending_key, None)
        st.session_state[actions.flash_key] = f"Requested: {req.summary}. It waits for approval."
        state.invalidate()
        st.rerun()
    if cancel.button("Cancel", key=f"{actions.prefix}_cancel_{req.token}"):
        st.session_state.pop(actions.pending_key, None)
        st.rerun()


def show_change_preview(detail: PromptDetail, req: MoveRequest) -> None:
    """What callers of the alias will get instead: warnings, variables and the diff."""
    preview = alias_change_preview(detail, req.alias, req.from_version, req.to_version)
    for warning in preview.warnings:
        st.warning(md_escape(warning), icon="⚠️")
    change = preview.variables
    if change.added or change.removed:
        added = " ".join(md_code(v) for v in change.added) or "none"
        removed = " ".join(md_code(v) for v in change.removed) or "none"
        st.markdown(f"**Variables added:** {added} · **removed:** {removed}")
    elif preview.old is not None and preview.new is not None:
        st.caption("Same variables in both versions.")
    if preview.old is None and preview.new is None:
        return
    left = version_label(req.from_version)
    right = "removed" if req.to_version is None else version_label(req.to_version)
    if preview.is_chat:
        body = chat_html(preview.messages, mode="side", left_title=left, right_title=right)
    else:
        body = side_by_side_html(preview.rows, left_title=left, right_title=right)
    st.html(DIFF_CSS + body)
