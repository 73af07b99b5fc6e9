"""Compare: two versions of a prompt, side by side or inline; the URL reproduces the view."""

from promptui.startup import import_app_modules

import_app_modules()  # first: sessions that start together must not import in parallel

from dataclasses import replace

import streamlit as st

from promptui.diff.compare import (
    MODES,
    CompareParams,
    compare_versions,
    describe_side,
    resolve_side,
    side_options,
)
from promptui.registry.errors import PromptUIError
from promptui.ui import state
from promptui.ui.diff_html import DIFF_CSS
from promptui.ui.feedback import md_code, md_escape, show_error
from promptui.ui.insights import evidence_table
from promptui.ui.layout import page_setup
from promptui.ui.reads import prompt_or_stop

page_setup("Compare")
st.title("Compare")

PROMPT_KEY, LEFT_KEY, RIGHT_KEY = "compare_prompt", "compare_left", "compare_right"
MODE_KEY, WS_KEY = "compare_mode", "compare_ignore_ws"


VIEW_KEY = "compare_view"  # the view shown last, defaults filled in, for the callbacks


def url_params() -> CompareParams:
    return CompareParams.from_query(st.query_params.to_dict())


def shown_params() -> CompareParams:
    """The view on screen: what the URL says, with the sides the page filled in."""
    shown = st.session_state.get(VIEW_KEY)
    current = url_params()
    return shown if isinstance(shown, CompareParams) and shown.prompt == current.prompt else current


def show_params(params: CompareParams) -> None:
    st.query_params.from_dict(params.to_query())


# Widget callbacks run before the script: each writes the URL, which the script then reads.
def on_prompt() -> None:
    current = url_params()
    show_params(
        CompareParams(st.session_state[PROMPT_KEY] or "", "", "", current.mode, current.ignore_ws)
    )


def on_side(side: str, key: str) -> None:
    show_params(replace(shown_params(), **{side: st.session_state[key]}))


def on_mode() -> None:
    show_params(replace(shown_params(), mode=st.session_state[MODE_KEY] or "side"))


def on_ws() -> None:
    show_params(replace(shown_params(), ignore_ws=bool(st.session_state[WS_KEY])))


def on_swap() -> None:
    show_params(shown_params().swapped())


params = url_params()
if params.ignored:
    st.caption(md_escape("Ignored in the link: " + "; ".join(params.ignored) + "."))

try:
    names = [p.name for p in state.list_prompts()]
except PromptUIError as e:
    show_error(e, retry_key="compare_retry_list")
    st.stop()
if params.prompt and params.prompt not in names:
    names.append(params.prompt)  # the list may be older than the link; the read below decides
st.session_state[PROMPT_KEY] = params.prompt or None
st.selectbox(
    "Prompt", names, index=None, key=PROMPT_KEY, on_change=on_prompt, placeholder="Choose a prompt"
)
if not params.prompt:
    st.info("Choose a prompt to compare two of its versions.")
    st.stop()

detail = prompt_or_stop(params.prompt, retry_key="compare_retry")
if not detail.versions:
    st.info("This prompt has no versions to compare.")
    st.stop()

# Sides the link leaves out are filled here, not written back to the address bar: a page
# that rewrites its own URL adds a browser history entry that Back would land on.
params = params.with_default_sides(detail)
st.session_state[VIEW_KEY] = params

options = side_options(detail)
left_col, swap_col, right_col = st.columns([5, 2, 5], vertical_alignment="bottom")
for col, side, key, label in (
    (left_col, "left", LEFT_KEY, "Left (before)"),
    (right_col, "right", RIGHT_KEY, "Right (after)"),
):
    ref = getattr(params, side)
    st.session_state[key] = ref
    col.selectbox(
        label,
        options if ref in options else [*options, ref],
        key=key,
        format_func=lambda r: describe_side(detail, r),
        on_change=on_side,
        args=(side, key),
    )
swap_col.button(
    "Swap", key="compare_swap", icon=":material/swap_horiz:", on_click=on_swap, width="stretch"
)
mode_col, ws_col = st.columns([1, 1], vertical_alignment="center")
st.session_state[MODE_KEY] = params.mode
mode_col.segmented_control(
    "View",
    MODES,
    label_visibility="collapsed",
    key=MODE_KEY,
    format_func={"side": "Side by side", "inline": "Inline"}.get,
    on_change=on_mode,
    required=True,
)
st.session_state[WS_KEY] = params.ignore_ws
ws_col.toggle("Ignore whitespace", key=WS_KEY, on_change=on_ws)

try:
    left = resolve_side(detail, params.left, "left")
    right = resolve_side(detail, params.right, "right")
except PromptUIError as e:
    show_error(e)
    st.stop()

comparison = compare_versions(
    left, right, ignore_whitespace=params.ignore_ws, left_ref=params.left, right_ref=params.right
)
st.markdown(f"**{md_escape(comparison.summary_line())}**")
if comparison.same_version:
    st.info(f"Both sides are version {left.version}.")
elif not comparison.template_changed:
    same = (
        "The templates are identical"
        if comparison.identical
        else "The templates are identical apart from whitespace"
    )
    if comparison.settings_changed:
        st.warning(
            f"{same}, but the {' and '.join(comparison.settings_changed)} differ: see below.",
            icon="⚠️",
        )
    else:
        st.success(same + ".")
if comparison.type_changed:
    st.warning(
        f"The prompt type changed from {left.prompt_type} to {right.prompt_type}; "
        "chat messages are shown as text sections."
    )
variables = comparison.variables
if variables.added:
    st.warning(
        f"New variables {', '.join(md_code(v) for v in variables.added)}: callers that fill only "
        "the old variables would break (formatting fails on a missing variable).",
        icon="⚠️",
    )
if variables.removed:
    st.warning(
        f"Removed variables {', '.join(md_code(v) for v in variables.removed)}: callers still "
        "pass them, and their values are no longer used.",
        icon="⚠️",
    )

st.html(DIFF_CSS + comparison.to_html(params.mode))
if comparison.response_format_changed:
    st.subheader("Response format")
    st.html(DIFF_CSS + comparison.response_format_html(params.mode))

st.subheader("Details")
# st.table renders Markdown in every cell and header: each one is escaped to show literally.
left_head = md_escape(f"Left · {comparison.left_label}")
right_head = md_escape(f"Right · {comparison.right_label}")
st.table(
    [
        {
            "": md_escape(row["field"]),
            left_head: md_escape(row["left"]),
            right_head: md_escape(row["right"]),
            "change": md_escape(row["change"]),
        }
        for row in comparison.metadata_rows()
    ],
    hide_index=True,
)

evidence = st.expander(
    "Evidence: metrics of the runs that used each side",
    key=f"compare_evidence:{detail.name}",
    on_change="rerun",
    icon=":material/monitoring:",
)
if evidence.open:  # read on demand: opening the comparison stays two requests
    with evidence:
        evidence_table(
            detail.name, left.version, right.version, (f"v{left.version}", f"v{right.version}")
        )

patch = comparison.diff_file()
c1, c2 = st.columns(2)
c1.download_button(
    "Download .diff",
    data=patch,
    file_name=comparison.diff_file_name(),
    mime="text/x-diff",
    icon=":material/download:",
    key="compare_download",
    disabled=not patch,
    help=None if patch else "The templates are identical: there is nothing to download.",
)
if not (params.left.isdigit() and params.right.isdigit()):
    pinned = replace(params, left=str(left.version), right=str(right.version))
    c2.page_link(
        "pages/compare.py",
        label=f"Link to exactly v{left.version} and v{right.version}",
        icon=":material/link:",
        query_params=pinned.to_query(),
    )
