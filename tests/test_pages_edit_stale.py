"""AppTest: the editor page when a colleague commits meanwhile (the stale-base guard, and the
prompt as the prompt page read it, carried into the editor)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.ui.state import CARRY_MAX_AGE_S
from tests.apptest_util import (
    fresh_streamlit_caches,
    html_of,
    open_full_editor,
    open_page,
    start_app,
    texts,
    titles,
)
from tests.servers import Server

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here


def test_stale_base_names_the_newest_version_seen_and_the_draft_s_base(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "Hello {{name}}.", "first")
    reg.commit_version(unique_name, "Hello {{name}}!", "second")
    at = open_page(start_app(monkeypatch, mlflow_server.url), "edit", prompt=unique_name, version=1)
    at.text_area(key=f"edit_w:{unique_name}:text").input("Hello {{name}}, welcome.")
    at.text_input(key=f"edit_w:{unique_name}:message").input("Welcome").run()
    reg.commit_version(unique_name, "Hi {{name}}!", "colleague's change")
    at.button(key="edit_commit").click().run()
    warning = " ".join(texts(at, "warning")).replace("\\", "")
    assert "Version 3" in warning
    assert "the newest version was v2 then; your draft starts from v1" in warning
    assert reg.latest_version_number(unique_name) == 3


def _stopped_by_a_colleague(
    monkeypatch: pytest.MonkeyPatch, url: str, name: str
) -> tuple[PromptRegistry, AppTest]:
    """A draft of v2 from v1 ("Welcome"), whose Commit a colleague's v2 stopped."""
    reg = PromptRegistry(url)
    reg.create_prompt(name, "Hello {{name}}.", "first")
    at = open_page(start_app(monkeypatch, url), "edit", prompt=name)
    at.text_area(key=f"edit_w:{name}:text").input("Hello {{name}}, welcome.")
    at.text_input(key=f"edit_w:{name}:message").input("Welcome").run()
    reg.commit_version(name, "Hi {{name}}!", "colleague's change", author="bo@example.com")
    at.button(key="edit_commit").click().run()
    assert not at.exception
    return reg, at


def test_stale_base_stops_the_commit_and_offers_the_newer_version(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg, at = _stopped_by_a_colleague(monkeypatch, mlflow_server.url, unique_name)
    warning = " ".join(texts(at, "warning")).replace("\\", "")
    assert "Version 2" in warning and "bo@example.com" in warning
    assert "the newest version was v1 then; your draft starts from v1" in warning
    assert "committed as it is, it would undo them" in warning
    assert "Not committed: v2 was committed meanwhile" in warning  # beside Commit too
    assert '<del class="pu-del">Hi</del>' in html_of(at)  # against v2, shown at once
    assert "colleague's change" in texts(at, "text")
    assert reg.latest_version_number(unique_name) == 2
    at.toggle(key=f"edit_stale_diff:{unique_name}").set_value(False).run()
    assert '<del class="pu-del">Hi</del>' not in html_of(at)  # against v1 only
    assert ", welcome</ins>" in html_of(at)
    at.button(key="edit_commit").click().run()  # still stale: not yet acknowledged
    assert reg.latest_version_number(unique_name) == 2
    at.button(key="edit_rebase").click().run()  # "Commit my draft anyway"
    assert not at.exception
    v3 = reg.get_prompt(unique_name).latest
    assert (v3.version, v3.text, v3.commit_message) == (3, "Hello {{name}}, welcome.", "Welcome")
    assert at.query_params == {"prompt": unique_name, "version": "3"}  # the new version shown


def test_reviewed_newer_version_commits_only_a_valid_draft(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg, at = _stopped_by_a_colleague(monkeypatch, mlflow_server.url, unique_name)
    at.text_input(key=f"edit_w:{unique_name}:message").input("").run()
    at.button(key="edit_rebase").click().run()
    assert "fix the marked fields first" in " ".join(texts(at, "error"))
    assert reg.latest_version_number(unique_name) == 2
    assert not at.warning  # reviewed: the next Commit goes on top of v2
    at.text_input(key=f"edit_w:{unique_name}:message").input("Welcome").run()
    at.button(key="edit_commit").click().run()
    assert reg.latest_version_number(unique_name) == 3


def test_a_newer_version_seen_in_a_fresh_read_is_flagged_before_committing(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    reg.create_prompt("p", "one", "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "edit", prompt="p")
    at.text_area(key="edit_w:p:text").input("one, mine").run()
    assert not at.warning
    reg.commit_version("p", "two", "colleague")
    at.run()  # a rerun of the same page load reuses its read
    assert not at.warning
    open_page(at, "prompt", prompt="p")
    open_page(at, "edit", prompt="p")  # opening the editor again reads the prompt afresh
    assert "Version 2" in texts(at, "warning")[0]
    assert at.text_area(key="edit_w:p:text").value == "one, mine"  # the draft is untouched


def test_new_version_opens_on_the_prompt_as_the_page_read_it(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "one", "first")
    reg.commit_version(unique_name, "two", "second")
    at = open_page(start_app(monkeypatch, mlflow_server.url), "prompt", prompt=unique_name)
    reg.commit_version(unique_name, "three", "third")  # after the page read the prompt
    with count_requests() as opening:
        open_full_editor(at)
    assert opening.count == 0  # the prompt as the page read it, carried into the editor
    assert titles(at) == [f"New version of {unique_name}"]
    assert at.text_area(key=f"edit_w:{unique_name}:text").value == "two"
    carried = at.session_state["state_reads"][("prompt", unique_name)]
    assert carried.value.latest.version == 2

    # Not a read older than CARRY_MAX_AGE_S: the editor reads the prompt again.
    at = open_page(start_app(monkeypatch, mlflow_server.url), "prompt", prompt=unique_name)
    reads = at.session_state["state_reads"]
    key = ("prompt", unique_name)
    reads[key] = replace(reads[key], at=reads[key].at - timedelta(seconds=CARRY_MAX_AGE_S + 1))
    with count_requests() as opening:
        open_full_editor(at)
    assert opening.count == 2  # the prompt and its versions, at once
    assert at.text_area(key=f"edit_w:{unique_name}:text").value == "three"
