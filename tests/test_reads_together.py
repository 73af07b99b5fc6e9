"""`state.read_together`: the alias history and the lineage read at once, each failure kept and
raised once by the read that needs it (a dead registry costs one deadline, not one per read)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from promptui.aliases import move_alias
from promptui.aliases.history import AliasHistory
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from tests.apptest_util import fresh_streamlit_caches
from tests.servers import Server

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here


def _reads(name: str) -> None:
    """Both reads at once, then each read as the page does it; what each gave, and how long."""
    import time

    import streamlit as st

    from promptui.registry.errors import PromptUIError
    from promptui.ui import state

    start = time.monotonic()
    state.read_together(name, history=True, lineage=True)
    got = []
    for read in (state.alias_events, state.lineage, state.alias_events):
        try:
            value = read(name)
            got.append(type(value).__name__)
        except PromptUIError as e:
            got.append(type(e).__name__)
    st.session_state["got"] = got
    st.session_state["elapsed_s"] = time.monotonic() - start


def _run(name: str) -> AppTest:
    at = AppTest.from_function(_reads, args=(name,), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_silent_registry_costs_one_deadline_and_each_read_says_so(
    monkeypatch: pytest.MonkeyPatch, silent_url: str
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", silent_url)
    monkeypatch.setenv("PROMPTUI_REQUEST_TIMEOUT_S", "1.5")
    at = _run("p")
    # The history's failure is raised once; a later read of it asks the registry again.
    assert at.session_state["got"] == ["RegistryUnavailableError"] * 3
    # One after the other, the first two reads would take two deadlines (3 s) and the third a
    # third one: at once, and not waited for again, they take one and the third another.
    assert at.session_state["elapsed_s"] < 2 * 1.5 + 1.0


def test_both_reads_are_kept_for_the_page_load(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    registry = PromptRegistry(mlflow_server.url)
    registry.create_prompt(unique_name, "Hi {{name}}.", "first")
    move_alias(registry, AliasHistory(registry), unique_name, "production", 1, expected=None)
    with count_requests() as log:
        at = _run(unique_name)
    assert at.session_state["got"] == ["list", "Lineage", "list"]
    searches = [url.rsplit("/", 2)[-2:] for _, url in log.calls]
    # The history (one run search), the lineage (experiments, runs, logged models): once each.
    assert searches.count(["runs", "search"]) == 2
    assert searches.count(["experiments", "search"]) == 1
    assert searches.count(["logged-models", "search"]) == 1
