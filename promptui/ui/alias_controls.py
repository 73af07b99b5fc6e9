"""Alias moves beside the board: the keyboard panel, the "move back" buttons, the prompt page's
"Roll back" buttons for protected aliases, and the prompt page's short board.

The keyboard panel's selects and its button sit in one `st.form`: choosing an alias or a version
does not rerun the page, and the values are read together when Move is pressed, so what the
person chose is what moves. The panel is a keyed expander whose open state lives in
session_state, so moves and reruns never close it; its forms are drawn only while it is open.
"""

from __future__ import annotations

import streamlit as st

from promptui.aliases import back_offer, protected_aliases
from promptui.aliases.history import AliasEvent
from promptui.registry.errors import InvalidInputError, PromptUIError
from promptui.registry.models import PromptDetail
from promptui.registry.validation import check_alias
from promptui.ui import state
from promptui.ui.alias_actions import AliasActions, MoveRequest
from promptui.ui.alias_board import alias_board, lanes_in_use
from promptui.ui.alias_history_view import load_history
from promptui.ui.feedback import md_escape, show_error
from promptui.ui.insights import gated_aliases

REMOVE = 0  # the "remove the alias" option of the target select (no version is numbered 0)
PANEL_LABEL = "Move without a mouse"


def keyboard_panel(detail: PromptDetail, actions: AliasActions, prefix: str) -> None:
    """The keyboard panel in an expander that stays as the person left it (open at first when
    the prompt has no alias yet)."""
    key = f"{prefix}_kb_panel"
    if key not in st.session_state:
        st.session_state[key] = not detail.aliases
    panel = st.expander(PANEL_LABEL, key=key, on_change="rerun")
    if panel.open:  # drawn only while open: opening or closing it reruns the page
        with panel:
            keyboard_moves(detail, actions, prefix)


def _version_text(detail: PromptDetail) -> object:
    messages = {v.version: v.commit_message for v in detail.versions}

    def text(v: int) -> str:
        if v == REMOVE:
            return "Remove the alias"
        first_line = (messages.get(v) or "").splitlines()[0:1]
        return f"v{v} — {first_line[0][:60]}" if first_line else f"v{v}"

    return text


def keyboard_moves(detail: PromptDetail, actions: AliasActions, prefix: str) -> None:
    """Move, remove or add an alias with selects and buttons (keyboard and screen readers).
    Each row is one form: its values are read together when its button is pressed."""
    versions = [v.version for v in detail.versions]
    version_text = _version_text(detail)
    if detail.aliases:
        with st.form(f"{prefix}_kb_move_form", border=False, enter_to_submit=False):
            c1, c2, c3 = st.columns([2, 3, 1], vertical_alignment="bottom")
            alias = c1.selectbox("Alias", sorted(detail.aliases), key=f"{prefix}_kb_alias")
            target = c2.selectbox(
                "Move to", [*versions, REMOVE], format_func=version_text, key=f"{prefix}_kb_to"
            )
            move = c3.form_submit_button("Move", key=f"{prefix}_kb_move", width="stretch")
            problem = st.empty()  # always here: a message never shifts what follows
        if move and alias is not None and target is not None:
            current = detail.aliases.get(alias)
            if current is None:
                problem.error(md_escape(f"'{alias}' no longer exists: the page was refreshed."))
            elif target == current:
                with problem:
                    show_error(InvalidInputError(f"'{alias}' already points to v{current}."))
            else:
                to = None if target == REMOVE else target
                actions.request(MoveRequest(detail.name, alias, current, to))
    with st.form(f"{prefix}_kb_add_form", border=False, enter_to_submit=False):
        c1, c2, c3 = st.columns([2, 3, 1], vertical_alignment="bottom")
        new_alias = c1.text_input("New alias", key=f"{prefix}_kb_new", placeholder="e.g. champion")
        new_target = c2.selectbox(
            "On version", versions, format_func=version_text, key=f"{prefix}_kb_new_to"
        )
        add = c3.form_submit_button("Add", key=f"{prefix}_kb_add", width="stretch")
        problem = st.empty()
    if add and new_target is not None:
        try:
            alias = check_alias(new_alias)  # refused with a reason, never trimmed
            if alias in detail.aliases:
                raise InvalidInputError(
                    f"'{alias}' already exists (on v{detail.aliases[alias]}): move it instead."
                )
        except InvalidInputError as e:
            with problem:
                show_error(e)
        else:
            actions.request(MoveRequest(detail.name, alias, None, new_target))


def back_buttons(
    detail: PromptDetail,
    events: list[AliasEvent],
    actions: AliasActions,
    prefix: str,
    *,
    disabled: str | None = None,
) -> None:
    """One button per alias that moves it back: to the version before its last recorded change,
    else to a version the history shows it held, else to the version just before its current
    one (the label says which). Protected aliases go through the confirm step. Disabled, with
    the reason as help, when this person may not move aliases. No requests."""
    existing = [v.version for v in detail.versions]
    offered = False
    for alias, current in sorted(detail.aliases.items()):
        offer = back_offer(events, alias, int(current), existing)
        if offer is None:
            continue
        offered = True
        st.button(  # the move (or its confirm step) happens in the callback: one page run
            md_escape(offer.label),
            key=f"{prefix}_rb_{alias}",
            icon=":material/undo:",
            disabled=disabled is not None,
            help=md_escape(disabled or f"{alias} points to v{current}; {offer.note}."),
            on_click=actions.submit,
            args=(MoveRequest(detail.name, alias, offer.current, offer.target, offer.reason),),
        )
    if not offered:
        st.caption("No alias has an earlier version to move back to.")


def rollback_buttons(
    detail: PromptDetail, actions: AliasActions, prefix: str, *, disabled: str | None = None
) -> None:
    """A "Roll back ALIAS…" button for each alias that asks for confirmation (protected or
    gated) and is set. The click reads the alias history and the lineage the confirm step shows
    as evidence (at once, only then) and opens the confirm step for the move `back_buttons`
    would offer, naming where the alias goes; with no version to go back to it says so.
    Disabled, with the reason as help, when this person may not move aliases. No requests while
    drawn."""
    confirming = set(protected_aliases()) | set(gated_aliases())
    shown = [a for a in sorted(detail.aliases) if a in confirming]
    if not shown:
        return
    with st.container(horizontal=True, gap="small"):
        for alias in shown:
            st.button(
                md_escape(f"Roll back {alias}…"),
                key=f"{prefix}_rollback_{alias}",
                icon=":material/undo:",
                disabled=disabled is not None,
                help=md_escape(
                    disabled
                    or f"Move {alias} back to where it was before its last change; "
                    "you see the change and confirm it first."
                ),
                on_click=_roll_back,
                args=(actions, detail.name, alias),
            )


def _roll_back(actions: AliasActions, name: str, alias: str) -> None:
    """A "Roll back" button's callback: the move back, through the confirm step."""
    try:
        detail = state.get_prompt(name)
        state.read_together(name, history=True, lineage=True)  # the confirm step's evidence
        events = load_history(name, detail)
    except PromptUIError as e:
        st.session_state[actions.flash_key] = e
        return
    current = detail.aliases.get(alias)
    offer = None
    if current is not None:
        offer = back_offer(events, alias, int(current), [v.version for v in detail.versions])
    if offer is None:
        st.session_state[actions.flash_key] = InvalidInputError(
            f"'{alias}' has no earlier version to move back to."
            if current is not None
            else f"'{alias}' no longer exists: the page was refreshed."
        )
        return
    actions.submit(MoveRequest(name, alias, offer.current, offer.target, offer.reason))


def short_board(
    detail: PromptDetail, actions: AliasActions, shown: int, *, readonly: str | None = None
) -> None:
    """The prompt page's alias board: the lanes of the versions aliases are on, the newest, the
    `shown` one and those an alias left from this board in this session (so a move can be
    dragged back). Nothing without aliases. Moves go through `actions` (protected ones to the
    confirm step). No request while drawn."""
    if not detail.aliases:
        return
    left: set[int] = st.session_state.setdefault(f"prompt_board_left:{detail.name}", set())

    def move(alias: str, frm: int, to: int | None) -> None:
        left.add(frm)
        actions.submit(MoveRequest(detail.name, alias, frm, to))

    st.caption(
        "Drag an alias onto another version, or onto the remove area. Every version, new "
        "aliases and the history are on the aliases page."
    )
    known = {v.version for v in detail.versions}
    moved = alias_board(
        detail,
        protected_aliases(),
        key="prompt_board",
        versions={*lanes_in_use(detail, shown), *(left & known)},
        on_move=move,
        readonly=readonly,
    )
    if moved is not None:  # reported without its callback
        move(*moved)
        st.rerun()
