"""Who uses the app: the deployment mode, per-person sign-in and sign-out, and permissions.

Modes: `embedded` (the SQLite registry: one person, no sign-in), `open` (a server without user
accounts), `service` (the environment holds a service account: everyone acts as it), and
`personal` (a server that asks for credentials and the environment holds none: each browser
session signs in with its own MLflow user name and password, kept in that session only).
"""

from __future__ import annotations

import os
from typing import Literal

import streamlit as st

from promptui.config import default_tracking_uri, load_settings
from promptui.registry import accounts
from promptui.registry.credentials import Credentials
from promptui.registry.errors import AuthenticationError, PromptUIError
from promptui.registry.service import PromptRegistry
from promptui.ui import state
from promptui.ui.feedback import md_code, show_error

Mode = Literal["embedded", "open", "service", "personal"]
ACCOUNT_KEY = "auth_account"  # the signed-in person's Account (name, admin or not)


def service_user() -> str | None:
    """The service account the environment holds, if any."""
    if os.environ.get("MLFLOW_TRACKING_TOKEN"):
        return os.environ.get("MLFLOW_TRACKING_USERNAME") or "the token's account"
    return os.environ.get("MLFLOW_TRACKING_USERNAME") or None


def mode() -> Mode:
    """How this deployment identifies people. A server that asks for credentials is found out
    by its first answer (401): no request is spent on asking."""
    uri = default_tracking_uri()
    if uri.startswith("sqlite:"):
        return "embedded"
    if state.credentials() is not None:
        return "personal"
    if service_user() or not uri.startswith(("http://", "https://")):
        return "service"
    return "open"


def can_sign_in() -> bool:
    """True when a rejected request should lead to the sign-in form: an `http(s)` server, and
    neither a session sign-in nor a service account in the environment."""
    uri = default_tracking_uri()
    return uri.startswith(("http://", "https://")) and service_user() is None


def sign_in_form() -> None:
    """User name and password (or a personal access token), checked by MLflow at once."""
    st.subheader("Sign in")
    st.caption(
        f"The registry at {md_code(state.registry().display_uri)} has user accounts: sign in "
        "with yours. What you may read and change is what MLflow allows you."
    )
    with st.form("auth_sign_in", clear_on_submit=True):
        username = st.text_input("MLflow user name", key="auth_username")
        password = st.text_input("Password", type="password", key="auth_password")
        token = st.text_input(
            "Or a personal access token", type="password", key="auth_token",
            help="Instead of a password, e.g. on Databricks.",
        )  # fmt: skip
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    creds = Credentials(username.strip(), password, token)
    if not (creds.username and (password or token)):
        st.error("Enter your user name and password (or a token).", icon="✋")
        return
    registry = PromptRegistry(
        default_tracking_uri(), timeout_s=load_settings().request_timeout_s, credentials=creds
    )
    try:
        account = accounts.current_user(registry)
    except AuthenticationError:
        st.error("User name or password not accepted.", icon="🔑")
        return
    except PromptUIError as e:
        show_error(e)
        return
    st.session_state[state.CREDENTIALS_KEY] = creds
    st.session_state[ACCOUNT_KEY] = account or accounts.Account(creds.username)
    state.invalidate()
    st.rerun()


def sign_out() -> None:
    """Forget this session's credentials and everything read with them."""
    st.session_state.pop(state.CREDENTIALS_KEY, None)
    st.session_state.pop(ACCOUNT_KEY, None)
    state.invalidate()


def sidebar_status() -> None:
    """Who the app acts as, in the sidebar (and Sign out when someone signed in)."""
    creds = state.credentials()
    if creds is not None:
        st.caption(f"Signed in as {md_code(creds.username)}")
        st.button("Sign out", key="auth_sign_out", on_click=sign_out, icon=":material/logout:")
    elif (user := service_user()) is not None and mode() == "service":
        st.caption(f"Acting as the service account {md_code(user)}")


def signed_in_elsewhere_expired() -> None:
    """A signed-in session whose credentials MLflow no longer accepts: sign out to sign in."""
    st.button("Sign out and sign in again", key="auth_again", on_click=sign_out)


def permission(name: str) -> str | None:
    """This session's permission on a prompt as granted (None: not known, so everything is
    offered and MLflow decides on the write); the grants are read once per page load."""
    if mode() not in ("personal", "service"):
        return None
    try:
        grants = state.read_once("grants", "", lambda: accounts.current_grants(state.registry()))
    except PromptUIError:
        return None  # MLflow still decides on the write; the button just is not disabled
    return grants.on("prompt", name) if grants is not None else None


def may(name: str, needed: str) -> tuple[bool, str | None]:
    """Whether this session may do what needs `needed` on prompt `name`, and if not, why (for
    a disabled button's help)."""
    held = permission(name)
    if accounts.allows(held, needed):
        return True, None
    who = state.current_user() or "you"
    return False, f"You ({who}) have {held} on this prompt: MLflow requires {needed} for this."
