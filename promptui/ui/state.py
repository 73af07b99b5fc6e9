"""The one registry per process and cached reads; writes invalidate the cache."""

from __future__ import annotations

import getpass
import os

import streamlit as st

from promptui.aliases.history import AliasEvent, AliasHistory
from promptui.config import default_tracking_uri, load_settings
from promptui.registry import PromptRegistry
from promptui.registry.models import PromptDetail, PromptSummary

LIST_TTL_S = 60


@st.cache_resource(show_spinner=False)
def _registry_for(uri: str) -> PromptRegistry:
    return PromptRegistry(uri, timeout_s=load_settings().request_timeout_s)


def registry() -> PromptRegistry:
    """The service for the configured tracking URI (built once per URI and process)."""
    return _registry_for(default_tracking_uri())


@st.cache_data(ttl=LIST_TTL_S, show_spinner=False)
def _list(uri: str) -> list[PromptSummary]:
    return _registry_for(uri).list_prompts()


@st.cache_data(ttl=LIST_TTL_S, show_spinner=False, max_entries=256)
def _detail(uri: str, name: str) -> PromptDetail:
    return _registry_for(uri).get_prompt(name)


@st.cache_resource(show_spinner=False)
def _history_for(uri: str) -> AliasHistory:
    return AliasHistory(_registry_for(uri), load_settings().history_experiment)


@st.cache_data(ttl=LIST_TTL_S, show_spinner=False, max_entries=256)
def _events(uri: str, name: str) -> list[AliasEvent]:
    return _history_for(uri).events(name)


def alias_history() -> AliasHistory:
    """The alias history of the configured registry (built once per URI and process)."""
    return _history_for(default_tracking_uri())


def alias_events(name: str) -> list[AliasEvent]:
    """Recorded alias changes of one prompt, newest first, from cache when fresh (one request)."""
    return _events(default_tracking_uri(), name)


def list_prompts() -> list[PromptSummary]:
    """All prompts, from cache when fresh (one request per 1,000 prompts otherwise)."""
    return _list(default_tracking_uri())


def get_prompt(name: str) -> PromptDetail:
    """One prompt with its versions, from cache when fresh (two requests otherwise)."""
    return _detail(default_tracking_uri(), name)


def invalidate() -> None:
    """Forget cached reads after a write, so the next render shows the registry's new state."""
    _list.clear()
    _detail.clear()
    _events.clear()


def current_user() -> str | None:
    """Who is using the app: the signed-in user, `PROMPTUI_USER`, or the OS account."""
    try:
        if st.user.is_logged_in and st.user.get("email"):
            return str(st.user.get("email"))
    except Exception:  # st.user needs the auth extra; without it nobody is signed in
        pass
    return os.environ.get("PROMPTUI_USER") or getpass.getuser() or None
