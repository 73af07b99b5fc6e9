"""Showing prompt versions: text and chat templates, variables, settings, usage, a try-out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import streamlit as st

from promptui.registry.errors import PromptUIError
from promptui.registry.models import CHAT_ROLES, ChatMessage, PromptDetail, PromptVersion
from promptui.snippets import alias_uri, load_snippet, version_uri
from promptui.tables import mapping_frame
from promptui.templates import render_messages, render_text
from promptui.ui import state
from promptui.ui.feedback import md_code, md_escape, show_error


def alias_chips(aliases: Iterable[str]) -> str:
    """Markdown badges for alias names (escaped)."""
    return " ".join(f":violet-badge[{md_escape(a)}]" for a in aliases)


def show_messages(messages: Sequence[ChatMessage]) -> None:
    """A chat template message by message, each with its role; content shown literally."""
    for i, m in enumerate(messages, start=1):
        # Only known roles pick an avatar; any other stored role is shown as text below.
        with st.chat_message(m.role if m.role in CHAT_ROLES else "?"):
            st.caption(md_escape(f"{i}. {m.role}"))
            st.code(m.content, language=None, wrap_lines=True)


def show_template(version: PromptVersion) -> None:
    """The template: text as text, chat as messages."""
    if version.is_chat:
        show_messages(version.messages)
    else:
        st.code(version.text, language=None, wrap_lines=True)


def show_variables(variables: Sequence[str]) -> None:
    """The `{{variables}}` a template uses."""
    if variables:
        st.markdown("**Variables:** " + " ".join(md_code("{{" + v + "}}") for v in variables))
    else:
        st.caption("No variables: the template is used as it is.")


def show_mapping(title: str, values: Mapping[str, object], empty: str) -> None:
    """Model settings or tags as a small literal table."""
    st.markdown(f"**{title}**")
    if values:
        st.dataframe(mapping_frame(values), hide_index=True, width="stretch")
    else:
        st.caption(empty)


def version_header(version: PromptVersion) -> None:
    """Who committed the version, when, why, and which aliases point at it."""
    when = version.created_at.strftime("%Y-%m-%d %H:%M UTC")
    who = f" by {md_escape(version.author)}" if version.author else ""
    st.markdown(f"**Version {version.version}** · {when}{who}")
    if version.aliases:
        st.markdown(alias_chips(version.aliases))
    if version.commit_message:
        st.text(version.commit_message)
    else:
        st.caption("No commit message.")


def use_this_prompt(version: PromptVersion) -> None:
    """Copyable URIs of the version and its aliases, and a `load_prompt` snippet."""
    st.caption("This exact version:")
    st.code(version_uri(version.name, version.version), language=None)
    for alias in version.aliases:
        st.caption(f"Whatever {md_code(alias)} points to:")
        st.code(alias_uri(version.name, alias), language=None)
    uri = alias_uri(version.name, version.aliases[0]) if version.aliases else version.uri
    st.code(load_snippet(uri, version.variables), language="python")


def try_it(version: PromptVersion, key_prefix: str) -> None:
    """A field per variable and the rendered prompt; no model is called."""
    values: dict[str, str] = {}
    for var in version.variables:
        values[var] = st.text_area(
            md_escape(var),
            key=f"{key_prefix}:{version.name}:{var}",
            height=68,
            placeholder=f"{{{{{var}}}}}",
        )
    filled = {k: v for k, v in values.items() if v}
    missing = [v for v in version.variables if v not in filled]
    if missing:
        names = ", ".join(md_code(v) for v in missing)
        st.info(f"No value yet for {names}; its placeholder is left as it is.", icon="✏️")
    st.markdown("**Rendered prompt**")
    if version.is_chat:
        show_messages(render_messages(version.messages, filled))
    else:
        st.code(render_text(version.text, filled), language=None, wrap_lines=True)


def delete_flag(name: str) -> str:
    """The session key that holds the version number whose delete dialog is open."""
    return f"prompt_delete:{name}"


def ask_delete(name: str, version: int) -> None:
    """Open the delete dialog for one version on this and the next reruns."""
    st.session_state[delete_flag(name)] = version


def _close_delete(name: str) -> None:
    st.session_state.pop(delete_flag(name), None)


def delete_dialog(detail: PromptDetail) -> None:
    """The delete confirmation, when one was asked for this prompt."""
    pending = st.session_state.get(delete_flag(detail.name))
    version = detail.version(pending) if pending is not None else None
    if version is not None:
        _delete_dialog(version)
    elif pending is not None:
        _close_delete(detail.name)


def _dismiss_deletes() -> None:
    for key in [k for k in st.session_state if str(k).startswith("prompt_delete:")]:
        del st.session_state[key]


@st.dialog("Delete version", on_dismiss=_dismiss_deletes)
def _delete_dialog(version: PromptVersion) -> None:
    """Delete one version after an explicit confirmation (a second one when it holds aliases)."""
    name = version.name
    st.markdown(
        f"Delete version **{version.version}** of {md_code(name)}? Versions are immutable: "
        "a deleted version cannot be restored."
    )
    confirmed = True
    if version.aliases:
        held = ", ".join(md_code(a) for a in version.aliases)
        st.warning(
            f"Version {version.version} holds the alias(es) {held}. Deleting it removes them, "
            "and applications that load them will fail.",
            icon="⚠️",
        )
        confirmed = st.checkbox(
            f"Yes, also remove {md_escape(', '.join(version.aliases))}",
            key="prompt_delete_aliases_ok",
        )
    c1, c2 = st.columns(2)
    if c1.button(
        f"Delete v{version.version}", type="primary", disabled=not confirmed, key="prompt_delete_ok"
    ):
        try:
            state.registry().delete_version(
                name, version.version, confirmed_aliases=version.aliases
            )
        except PromptUIError as e:
            state.invalidate()
            show_error(e)
            return
        state.invalidate()
        _close_delete(name)
        st.query_params.pop("version", None)
        st.toast(f"Deleted version {version.version} of {md_code(name)}.")
        st.rerun()
    if c2.button("Cancel", key="prompt_delete_cancel"):
        _close_delete(name)
        st.rerun()
