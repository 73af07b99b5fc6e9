"""Showing prompt versions: text and chat templates, variables, settings, usage, a try-out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

import streamlit as st

from promptui.aliases import delete_version
from promptui.registry.errors import PromptUIError
from promptui.registry.models import ChatMessage, PromptDetail, PromptVersion
from promptui.snippets import alias_uri, load_snippet, version_uri
from promptui.tables import mapping_frame
from promptui.templates import render
from promptui.ui import state
from promptui.ui.copy_button import copy_button
from promptui.ui.feedback import md_code, md_escape, show_error
from promptui.ui.nav import PROMPT_PAGE, prompt_params
from promptui.ui.select_keys import labelled_key
from promptui.ui.template_html import template_html

AVATAR_ROLES = ("system", "user", "assistant")  # roles Streamlit's chat message draws


def alias_chips(aliases: Iterable[str]) -> str:
    """Markdown badges for alias names (escaped)."""
    return " ".join(f":violet-badge[{md_escape(a)}]" for a in aliases)


def alias_links(detail: PromptDetail) -> None:
    """Each alias as a link to the version it points at (`?prompt=NAME&version=N`)."""
    if not detail.aliases:
        return
    with st.container(horizontal=True, gap="small"):
        for alias, number in sorted(detail.aliases.items()):
            st.page_link(
                PROMPT_PAGE,
                label=md_escape(f"{alias} → v{number}"),
                icon=":material/label:",
                query_params=prompt_params(detail.name, number),
                help=f"Open v{number}, where {alias} points",
            )


def version_name(detail: PromptDetail, number: int) -> str:
    """`production (v3)` for a version an alias points at (the first by name), else `v3`."""
    aliases = sorted(a for a, v in detail.aliases.items() if v == number)
    return f"{aliases[0]} (v{number})" if aliases else f"v{number}"


def version_choice(detail: PromptDetail, number: int) -> str:
    """A version picker's option: `v3 · production, champion · latest`."""
    aliases = sorted(a for a, v in detail.aliases.items() if v == number)
    latest = ["latest"] if detail.versions and number == detail.versions[0].version else []
    return " · ".join([f"v{number}", *([", ".join(aliases)] if aliases else []), *latest])


def compare_base(detail: PromptDetail, selected: PromptVersion) -> int | None:
    """What the selected version is best compared with: production, or when it is production
    the version before it; None for a prompt with a single version."""
    base = detail.aliases.get("production", selected.version)
    if base == selected.version:
        older = [v.version for v in detail.versions if v.version < selected.version]
        newer = [v.version for v in detail.versions if v.version > selected.version]
        base = max(older) if older else (min(newer) if newer else None)
    return base


def show_messages(messages: Sequence[ChatMessage], *, markdown: bool = False) -> None:
    """A chat template message by message, each with its role; content shown literally.

    Content parts, null content and keys beyond role and content are shown as JSON."""
    if not messages:
        st.info(
            "This chat version has no messages (MLflow stores `[]`; its `load_prompt` reads "
            "such a version as the text `[]`).",
            icon="💬",
        )
    for i, m in enumerate(messages, start=1):
        # Only known roles pick an avatar; any other stored role is shown as text below.
        with st.chat_message(m.role if m.role in AVATAR_ROLES else "?"):
            st.caption(md_escape(f"{i}. {m.role}"))
            if m.has_text and markdown:
                st.markdown(m.content)
            elif m.has_text:
                st.html(template_html(m.content))
            if not m.is_plain:
                rest = {k: v for k, v in m.data().items() if k != "role"}
                if m.has_text:
                    rest.pop("content", None)
                st.code(json.dumps(rest, indent=2, ensure_ascii=False), language="json")


TEMPLATE_VIEWS = ("Text", "Markdown")


def show_template(version: PromptVersion, key: str | None = None) -> None:
    """The template: text as text, chat as messages; what MLflow could not read is said.

    With a `key`, a Text / Markdown switch renders the text (or each message) as Markdown on
    request; raw HTML in a template is never rendered (Streamlit shows it as text)."""
    if version.problem:
        st.error(md_escape(version.problem), icon="⚠️")
    markdown = False
    if key is not None:
        view = st.segmented_control(
            "Show as", TEMPLATE_VIEWS, default="Text", key=key, label_visibility="collapsed"
        )
        markdown = view == "Markdown"
    if version.is_chat and not (version.problem and not version.messages):
        show_messages(version.messages, markdown=markdown)
    elif markdown:
        with st.container(border=True):
            st.markdown(version.text)
    else:
        st.html(template_html(version.text))
    if version.uses_jinja:
        st.caption("A Jinja2 template: MLflow renders its `{% ... %}` blocks when it is formatted.")
    if version.response_format is not None:
        st.markdown("**Response format**")
        st.code(json.dumps(version.response_format, indent=2, ensure_ascii=False), language="json")


def show_variables(variables: Sequence[str], *, jinja: bool = False) -> None:
    """The `{{variables}}` a template uses (a Jinja2 template's as plain names: some are read
    by its blocks, not placed)."""
    if variables:
        shown = variables if jinja else ["{{" + v + "}}" for v in variables]
        st.markdown("**Variables:** " + " ".join(md_code(v) for v in shown))
    else:
        st.caption("No variables: the template is used as it is.")


def show_mapping(title: str, values: Mapping[str, object], empty: str) -> None:
    """Model settings or tags as a small literal table (values as JSON when not text)."""
    st.markdown(f"**{title}**")
    if values:
        st.dataframe(mapping_frame(values), hide_index=True, width="stretch")
    else:
        st.caption(empty)


def show_settings(version: PromptVersion) -> None:
    """Everything stored beside the template: model config, version tags, bookkeeping tags."""
    show_mapping("Model settings", version.model_config, "No model settings stored.")
    show_mapping("Version tags", version.user_tags, "No version tags.")
    if version.system_tags:
        show_mapping("Tags set by MLflow and promptui", version.system_tags, "")


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


def snippet_choices(detail: PromptDetail) -> list[str]:
    """What a snippet can load: each alias (`production` first), then each version (`v3`)."""
    aliases = sorted(detail.aliases, key=lambda a: (a != "production", a))
    return [*aliases, *(f"v{v.version}" for v in detail.versions)]


def default_snippet(detail: PromptDetail, version: PromptVersion) -> str:
    """What a snippet loads unless the person picks something else: production when it
    exists, else the selected version (`v3`)."""
    return "production" if "production" in detail.aliases else f"v{version.version}"


def snippet_target(
    detail: PromptDetail, picked: str, version: PromptVersion
) -> tuple[str, PromptVersion]:
    """The URI that loads `picked` (an alias, or `v3` for a version) and the version it loads
    now (`version` when that version is gone)."""
    if picked.startswith("v") and picked[1:].isdigit() and picked not in detail.aliases:
        target = detail.version(int(picked[1:])) or version
        return version_uri(detail.name, target.version), target
    return alias_uri(detail.name, picked), detail.version(detail.aliases[picked]) or version


def copy_load_code(detail: PromptDetail, version: PromptVersion, key: str) -> None:
    """A button that copies the code that loads the default snippet's target (production, or
    the selected version) and fills its variables; handled in the browser, no rerun."""
    picked = default_snippet(detail, version)
    uri, target = snippet_target(detail, picked, version)
    copy_button(
        f"Copy code to load {picked}",
        load_snippet(uri, target.variables),
        key=key,
        testid="copy-load-code",
    )


def use_this_prompt(detail: PromptDetail, version: PromptVersion, key: str) -> None:
    """A `load_prompt` snippet for the alias or version the person picks (default: production
    when it exists, else the selected version), and the URI of each."""
    labels = {
        c: f"{c} (now v{detail.aliases[c]})" if c in detail.aliases else c
        for c in snippet_choices(detail)
    }
    choices = list(labels)
    default = default_snippet(detail, version)
    picked = st.selectbox(
        "Load",
        choices,
        index=choices.index(default) if default in choices else 0,
        key=labelled_key(f"{key}:{detail.name}", labels.values()),
        format_func=labels.__getitem__,
        width=320,
    )
    uri, target = snippet_target(detail, picked, version)
    if picked in detail.aliases:
        st.caption(
            f"Whatever {md_code(picked)} points to (now v{target.version}); "
            "the application follows it when the alias moves:"
        )
    else:
        st.caption(f"This exact version, v{target.version}:")
    st.code(uri, language=None)
    st.code(load_snippet(uri, target.variables), language="python")
    st.caption(
        f"v{target.version}'s template as MLflow stores it"
        + (" (a chat template's messages as JSON)" if target.is_chat else "")
        + ", to copy:"
    )
    st.code(target.text, language=None, wrap_lines=True)


def try_it(version: PromptVersion, key_prefix: str) -> None:
    """A field per variable and the template as MLflow's `format()` renders it; no model is
    called. Drawn with the page, not as a fragment: see `promptui.ui.draft_parts`."""
    values: dict[str, str] = {}
    for var in version.variables:
        values[var] = st.text_area(
            md_escape(var),
            key=f"{key_prefix}:{version.name}:{var}",
            height=68,
            placeholder=f"{{{{{var}}}}}",
        )
    filled = {k: v for k, v in values.items() if v}
    st.markdown("**Rendered prompt**")
    if version.problem:
        st.error(md_escape(version.problem), icon="✋")
        return
    result = render(version.messages if version.is_chat else version.text, filled)
    if result.unfilled:
        names = ", ".join(md_code(v) for v in result.unfilled)
        if version.uses_jinja:
            st.info(f"No value yet for {names}: Jinja2 renders it as empty.", icon="✏️")
        else:
            st.info(
                f"No value yet for {names}: its placeholder is left as it is here; "
                "`format()` without it refuses (missing variables).",
                icon="✏️",
            )
    if not result.ok:
        st.error(md_escape(result.error), icon="✋")
    elif result.text is not None:
        st.code(result.text, language=None, wrap_lines=True)
    else:
        show_messages(result.messages)
        if result.dropped_keys:
            dropped = ", ".join(md_code(k) for k in result.dropped_keys)
            st.caption(
                f"MLflow's `format()` returns role and content only: {dropped} are left out."
            )


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
            delete_version(
                state.registry(),
                state.alias_history(),
                name,
                version.version,
                confirmed_aliases=version.aliases,
                user=state.current_user(),
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
