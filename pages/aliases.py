"""Aliases: the board (drag or keyboard), moving back and the alias history of one prompt."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

import streamlit as st

from promptui.aliases import protected_aliases
from promptui.registry.errors import PromptUIError
from promptui.ui import state
from promptui.ui.alias_actions import AliasActions, MoveRequest
from promptui.ui.alias_board import alias_board
from promptui.ui.alias_controls import back_buttons, keyboard_panel
from promptui.ui.alias_history_view import history_chart, history_table, load_history
from promptui.ui.approvals import decisions_table, pending_requests
from promptui.ui.auth import may
from promptui.ui.feedback import md_code, md_escape, show_error
from promptui.ui.layout import page_setup
from promptui.ui.nav import prompt_chooser

page_setup("Aliases")
st.title("Aliases")

name = st.query_params.get("prompt", "").strip()
if not name:
    try:
        names = [p.name for p in state.list_prompts()]
    except PromptUIError as e:
        show_error(e, retry_key="aliases_retry_list")
        st.stop()
    if not names:
        st.info("The registry holds no prompts yet.")
        st.stop()
    prompt_chooser("Prompt", names, key="aliases_pick")
    st.stop()

actions = AliasActions("aliases")
try:
    detail = state.get_prompt(name)
    events = load_history(name, detail)
    detail = state.get_prompt(name)
except PromptUIError as e:
    show_error(e, retry_key="aliases_retry")
    st.stop()

st.markdown(f"Prompt {md_code(name)}")
protected = protected_aliases()
st.caption(
    "Drag an alias to another version, or onto the remove area. Protected aliases ("
    + (", ".join(md_escape(a) for a in protected) or "none")
    + ") ask for confirmation and a reason. `latest` always follows the newest version."
)
actions.show_flash(st.container())  # always drawn: a message never shifts what follows

editable, why_not = may(name, "EDIT")
if not editable:
    st.info(why_not or "", icon="🔒")
alias_board(
    detail,
    protected,
    key="aliases_board",
    on_move=lambda alias, frm, to: actions.submit(MoveRequest(name, alias, frm, to)),
    readonly=why_not,
)

if editable:
    keyboard_panel(detail, actions, "aliases")

pending_requests(name, key_prefix="aliases_request")

st.subheader("History")
back_buttons(detail, events, actions, "aliases", disabled=why_not)
history_chart(events, detail)
history_table(events)
decisions_table(name)

actions.confirm_if_pending()
