"""Requests to move protected aliases on the pages: pending ones with Approve / Reject for those
allowed (never the requester), and the decisions in the history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from promptui.aliases.approvals import AliasRequest, approve, may_move, pending, reject
from promptui.aliases.moves import protected_aliases
from promptui.registry.errors import InvalidInputError, PromptUIError
from promptui.ui import auth, state
from promptui.ui.feedback import md_code, md_escape, show_error
from promptui.ui.insights import move_evidence


def allowed_to_move(name: str, alias: str) -> bool:
    """Whether this session may move a protected alias itself (others request it)."""
    if alias not in protected_aliases():
        return True
    return may_move(alias, state.current_user(), auth.permission(name))


def pending_requests(name: str, *, key_prefix: str) -> None:
    """Pending requests for this prompt, each with Approve / Reject when this session may.

    Requests exist where people have accounts (sign-in or a service account); a single-user
    registry has none, and no request is spent looking for them."""
    if auth.mode() not in ("personal", "service"):
        return
    try:
        waiting = pending(state.alias_requests(name))
    except PromptUIError as e:
        st.caption(md_escape(f"Pending alias requests could not be read: {e.message}"))
        return
    if not waiting:
        return
    st.markdown(f"**Waiting for approval** ({len(waiting)})")
    me = state.current_user()
    for request in waiting:
        with st.container(border=True):
            st.markdown(
                f"{md_code(request.label)} requested by {md_code(request.requester)} · "
                f"{request.at.strftime('%Y-%m-%d %H:%M UTC')}"
            )
            st.caption("Reason: " + md_escape(request.reason))
            if request.summary:
                st.caption("The change they saw: " + md_escape(request.summary))
            _decide(name, request, me, f"{key_prefix}:{request.request_id}")


def _decide(name: str, request: AliasRequest, me: str | None, key: str) -> None:
    if me == request.requester:
        st.caption("Your request: a colleague who may move this alias decides it.")
        return
    if not allowed_to_move(name, request.alias):
        st.caption("You may not decide this request.")
        return
    gate = move_evidence(name, request.alias, request.from_version, request.to_version)
    blocked = gate is not None and not gate.passed
    override = blocked and st.checkbox(
        "Override the gate (recorded with your note)", key=f"{key}:override"
    )
    note = st.text_input("Note (needed to reject or to override)", key=f"{key}:note")
    reject_col, approve_col = st.columns(2)
    if reject_col.button("Reject", key=f"{key}:reject"):
        _run(lambda: reject(state.alias_history(), request, by=me or "", reason=note))
    if approve_col.button("Approve and move", key=f"{key}:approve", type="primary"):
        if blocked and not (override and note.strip()):
            show_error(InvalidInputError("The gate blocks this move: override it with a note."))
            return
        if blocked and gate is not None:
            note = f"{note} [gate overridden: {' '.join(gate.reasons)}]"
        _run(
            lambda: approve(
                state.registry(), state.alias_history(), request, approver=me or "", reason=note
            )
        )


def _run(action: object) -> None:
    try:
        action()  # type: ignore[operator]
    except PromptUIError as e:
        state.invalidate()
        show_error(e)
        return
    state.invalidate()
    st.rerun()


def decisions_table(name: str) -> None:
    """Every request and its decision, newest first (part of the alias history)."""
    try:
        requests = state.alias_requests(name)
    except PromptUIError as e:
        show_error(e)
        return
    if not requests:
        return
    st.markdown("**Requests and decisions**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "requested (UTC)": r.at.replace(tzinfo=None),
                    "change": r.label,
                    "by": r.requester,
                    "reason": r.reason,
                    "state": r.state,
                    "decided by": r.decided_by or "",
                    "decided (UTC)": r.decided_at.replace(tzinfo=None) if r.decided_at else None,
                    "note": r.decision_reason,
                }
                for r in requests
            ]
        ),
        hide_index=True,
        width="stretch",
    )
