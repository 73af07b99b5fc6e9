"""Prompt: one prompt's versions, its aliases (moved on a short board, protected ones rolled back
from here), the selected version, how to use it, its tags; a new version's template and commit
message edited in place."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

import streamlit as st

from promptui.registry.errors import PromptUIError
from promptui.registry.models import PromptDetail
from promptui.ui import state
from promptui.ui.alias_actions import AliasActions
from promptui.ui.alias_controls import rollback_buttons, short_board
from promptui.ui.approvals import pending_requests
from promptui.ui.auth import may
from promptui.ui.feedback import md_escape, show_error
from promptui.ui.files import download_prompt
from promptui.ui.inline_editor import (
    inline_editing,
    inline_editor,
    kept_draft_base,
    start_inline_edit,
)
from promptui.ui.insights import metrics_across_versions, version_insights
from promptui.ui.layout import page_setup
from promptui.ui.model_settings import model_settings_editor
from promptui.ui.nav import (
    ALIASES_PAGE,
    COMPARE_PAGE,
    PROMPTS_PAGE,
    prompt_chooser,
    query_version,
    show_picked_version,
)
from promptui.ui.prompt_list import version_list
from promptui.ui.prompt_tags import tag_editor
from promptui.ui.prompt_views import (
    alias_links,
    ask_delete,
    compare_base,
    copy_load_code,
    delete_dialog,
    show_settings,
    show_template,
    show_variables,
    try_it,
    use_this_prompt,
    version_choice,
    version_header,
    version_name,
)
from promptui.ui.reads import prompt_or_stop
from promptui.ui.select_keys import labelled_key

page_setup("Prompt")
name = st.query_params.get("prompt", "").strip()

if not name:
    st.title("Prompt")
    try:
        names = [p.name for p in state.list_prompts()]
    except PromptUIError as e:
        show_error(e, retry_key="prompt_retry_list")
        st.stop()
    prompt_chooser("Open a prompt", names, key="prompt_pick")
    st.page_link(PROMPTS_PAGE, label="Browse and search all prompts", icon=":material/list:")
    st.stop()

st.title(md_escape(name))
detail: PromptDetail = prompt_or_stop(name, retry_key="prompt_retry")

can_edit, why_not_edit = may(name, "EDIT")
alias_links(detail)
alias_actions = AliasActions("prompt")  # rollback of protected aliases, confirmed in a dialog


@st.fragment
def rollback_part() -> None:
    """A click on "Roll back" reruns only this part: the confirm step opens over the page as
    it is drawn. Confirm and Cancel run the whole page."""
    alias_actions.confirming = False  # once per run of this part, or of the page
    rollback_buttons(detail, alias_actions, "prompt", disabled=why_not_edit)
    alias_actions.show_flash(st.container())  # always drawn: a message never shifts the rest
    alias_actions.confirm_if_pending()  # a rollback's or a drop's confirm step, before the rest


rollback_part()

if not detail.versions:
    st.info("This prompt has no versions left.")
    tag_editor(detail, key_prefix="prompt_tag")
    st.stop()

wanted = query_version()
requested = detail.version(wanted) if wanted else None
if wanted and requested is None:
    st.warning(f"Version {wanted} of this prompt does not exist; showing the latest.", icon="🔍")
selected = requested or detail.versions[0]
index = detail.versions.index(selected)


@st.fragment
def actions_part() -> None:
    """The page's actions, first, above everything drawn by components (which grow as they
    mount). "New version" opens the editor under them: a click reruns only this part. The
    editor's fields are in a form, which sends them only with one of its buttons: a text field
    in a fragment must not send a run of its own (see promptui.ui.draft_parts)."""
    with st.container(horizontal=True, gap="medium", vertical_alignment="center"):
        if st.button(
            f"New version from v{selected.version}",
            key="prompt_edit",
            type="primary",
            icon=":material/edit:",
            disabled=not can_edit,
            help=why_not_edit,
        ):
            start_inline_edit(detail, selected.version)
        st.page_link(
            ALIASES_PAGE,
            label="Aliases, history & rollback",
            icon=":material/label:",
            query_params={"prompt": name},
        )
        if (base := compare_base(detail, selected)) is not None:
            sides = f"{version_name(detail, base)} → {version_name(detail, selected.version)}"
            st.page_link(
                COMPARE_PAGE,
                label=f"Compare {md_escape(sides)}",
                icon=":material/difference:",
                query_params={"prompt": name, "left": str(base), "right": str(selected.version)},
            )
        copy_load_code(detail, selected, key="prompt_copy_code")
        download_prompt(detail, key="prompt_download")
    if can_edit and (kept := kept_draft_base(detail)) is not None:
        note = st.empty()
        with note.container(horizontal=True, vertical_alignment="center"):
            st.caption(
                f"📝 You have an unfinished new version of this prompt, started from v{kept}: "
                "it is kept until you commit or discard it."
            )
            continued = st.button("Continue it", key="prompt_continue", icon=":material/edit:")
        if continued:
            start_inline_edit(detail, kept)  # or the editor page, where the form cannot show it
            note.empty()
    if can_edit and inline_editing(name):
        inline_editor(detail)


actions_part()
short_board(detail, alias_actions, selected.version, readonly=why_not_edit)

st.subheader("Versions")
clicked = version_list(detail, selected.version, key="prompt_versions")
if clicked is not None and clicked != selected.version:  # reported without its callback
    st.query_params["version"] = str(clicked)
    st.rerun()

c1, _, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
choices = {v.version: version_choice(detail, v.version) for v in detail.versions}
picker_key = labelled_key(f"prompt_version_pick:{name}:{selected.version}", choices.values())
c1.selectbox(
    "Version",
    list(choices),
    index=index,
    format_func=choices.__getitem__,
    key=picker_key,
    on_change=show_picked_version,
    args=(picker_key,),
)
can_delete, why_not_delete = may(name, "MANAGE")
if c3.button(
    f"Delete v{selected.version}…",
    key="prompt_delete",
    icon=":material/delete:",
    disabled=not can_delete,
    help=why_not_delete,
):
    ask_delete(name, selected.version)
version_header(selected)

# Only the open tab is drawn (switching tabs reruns the page): a page load draws one tab, and
# "Runs & traces" reads the lineage (four requests) only while it is open.
template_tab, use_tab, try_tab, details_tab, runs_tab = st.tabs(
    ["Template", "Use this prompt", "Try it", "Settings & tags", "Runs & traces"],
    key=f"prompt_tabs:{name}",
    on_change="rerun",
)
if template_tab.open:
    with template_tab:
        show_variables(selected.variables, jinja=selected.uses_jinja)
        show_template(selected, key=f"prompt_template_view:{name}")
if use_tab.open:
    with use_tab:
        use_this_prompt(detail, selected, key="prompt_snippet")
if try_tab.open:
    with try_tab:
        try_it(selected, key_prefix="prompt_try")
if details_tab.open:
    with details_tab:
        show_settings(selected)
        model_settings_editor(selected, readonly=why_not_edit, key="prompt_model_settings")
        st.divider()
        tag_editor(detail, key_prefix="prompt_tag", readonly=why_not_edit)

pending_requests(name, key_prefix="prompt_request")
delete_dialog(detail)
alias_actions.confirm_if_pending()

if runs_tab.open:
    with runs_tab:
        version_insights(selected)
        metrics_across_versions(detail)
