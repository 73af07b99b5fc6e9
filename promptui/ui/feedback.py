"""Showing promptui errors and user text safely in Streamlit's Markdown widgets."""

from __future__ import annotations

import re

import streamlit as st

from promptui.registry.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PromptUIError,
    RegistryUnavailableError,
)

# '/' too: Streamlit rewrites ':material/' in the raw source into an icon before parsing.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^\"'/])")
_ICON = re.compile(r":(?=material/)")


def md_escape(text: str) -> str:
    """Text that Streamlit's Markdown shows literally (no links, HTML, math, colour)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def show_error(error: PromptUIError, *, retry_key: str | None = None) -> None:
    """One place that turns a promptui error into what the user sees (never a traceback)."""
    message = md_escape(error.message)
    if isinstance(error, RegistryUnavailableError):
        st.error(f"**Registry unreachable.** {message}", icon="🔌")
        if retry_key:
            from promptui.ui.state import invalidate

            # A callback runs before the rerun it causes: the page reads the registry once.
            st.button("Retry", key=retry_key, type="primary", on_click=invalidate)
    elif isinstance(error, AuthenticationError):
        from promptui.ui import auth
        from promptui.ui.state import credentials, invalidate

        if credentials() is None and auth.can_sign_in():
            auth.sign_in_form()  # the registry has user accounts: each person signs in
            return
        st.error(f"**Credentials not accepted.** {message}", icon="🔑")
        if credentials() is not None:
            auth.signed_in_elsewhere_expired()
        elif retry_key:
            st.button("Retry", key=retry_key, type="primary", on_click=invalidate)
    elif isinstance(error, PermissionDeniedError):
        st.error(f"**Not allowed.** {message}", icon="🔒")
    elif isinstance(error, ConflictError):
        st.warning(message, icon="⚠️")
    elif isinstance(error, NotFoundError):
        st.warning(message, icon="🔍")
    elif isinstance(error, InvalidInputError):
        st.error(message, icon="✋")
    else:
        st.error(message)


def md_code(text: str) -> str:
    """Text as an inline Markdown code span that no backtick inside can close early."""
    # Backslashes do not escape inside a code span; a zero-width word joiner after the colon
    # keeps Streamlit's ':material/' rewrite from turning the text into an icon.
    text = _ICON.sub(":\u2060", str(text).replace("\n", " "))
    fence = "`"
    while fence in text:
        fence += "`"
    return f"{fence} {text} {fence}"
