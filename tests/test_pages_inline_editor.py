"""AppTest: the prompt page's own editor ("New version" without leaving the page)."""

from __future__ import annotations

import pytest
from mlflow import MlflowClient
from mlflow.prompt.constants import PROMPT_MODEL_CONFIG_TAG_KEY
from streamlit.testing.v1 import AppTest

from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.registry.models import ChatMessage
from tests.apptest_util import fresh_streamlit_caches, open_page, start_app, texts, titles
from tests.servers import Server

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here


def _opened(monkeypatch: pytest.MonkeyPatch, url: str, name: str, **params: str) -> AppTest:
    """The prompt page of `name` with its editor open (no request for the opening)."""
    at = open_page(start_app(monkeypatch, url), "prompt", prompt=name, **params)
    with count_requests() as opening:
        at.button(key="prompt_edit").click().run()
    assert opening.count == 0
    assert not at.exception
    return at


def _text(at: AppTest, name: str) -> str:
    return at.text_area(key=f"edit_w:{name}:text").value


def test_a_new_version_is_committed_from_the_prompt_page_with_everything_else_kept(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(
        unique_name,
        "Answer the {{question}}.",
        "first",
        version_tags={"ticket": "SUP-1"},
        model_config={"model_name": "gpt-4o-mini", "top_k": 5},
        response_format={"type": "object"},
    )
    at = _opened(monkeypatch, mlflow_server.url, unique_name)
    assert titles(at) == [unique_name]  # still the prompt page
    assert _text(at, unique_name) == "Answer the {{question}}."

    at.button(key="prompt_inline_commit").click().run()  # nothing changed, no message
    errors = " ".join(texts(at, "error"))
    assert "Write a commit message" in errors
    assert reg.latest_version_number(unique_name) == 1
    at.text_input(key=f"edit_w:{unique_name}:message").input("in French")
    at.button(key="prompt_inline_commit").click().run()
    assert "Nothing changed against v1" in " ".join(texts(at, "error"))
    assert reg.latest_version_number(unique_name) == 1

    at.text_area(key=f"edit_w:{unique_name}:text").input("Answer the {{question}} in French.")
    at.button(key="prompt_inline_commit").click().run()
    assert not at.exception and not at.error
    assert at.query_params == {"prompt": unique_name, "version": "2"}
    assert f"edit_w:{unique_name}:text" not in {w.key for w in at.text_area}  # closed
    v1, v2 = reg.get_prompt(unique_name).versions[::-1]
    assert (v2.version, v2.text, v2.commit_message, v2.author) == (
        2,
        "Answer the {{question}} in French.",
        "in French",
        "tester@example.com",
    )
    assert (v2.model_config, v2.response_format, v2.user_tags) == (
        v1.model_config,
        v1.response_format,
        v1.user_tags,
    )
    assert "edit_draft:" + unique_name not in at.session_state


def test_a_chat_prompt_opens_the_editor_page_with_its_messages(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    system = ChatMessage.from_data(
        {"role": "system", "content": "You help with {{topic}}.", "name": "guide"}
    )
    reg.create_prompt(unique_name, [system, ChatMessage("user", "{{question}}")], "first")
    at = open_page(start_app(monkeypatch, mlflow_server.url), "prompt", prompt=unique_name)
    with count_requests() as opening:
        at.button(key="prompt_edit").click().run()
    assert opening.count == 0  # the page's read, carried
    assert titles(at) == [f"New version of {unique_name}"]
    contents = [w for w in at.text_area if "content:" in str(w.key)]
    assert [w.value for w in contents] == ["You help with {{topic}}.", "{{question}}"]


def test_close_keeps_only_a_changed_draft_discard_drops_it_and_the_editor_page_goes_on(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "one", "first")
    at = _opened(monkeypatch, mlflow_server.url, unique_name)
    at.button(key="prompt_inline_close").click().run()  # nothing typed: nothing kept
    assert "edit_draft:" + unique_name not in at.session_state
    assert f"edit_w:{unique_name}:text" not in {w.key for w in at.text_area}

    at.button(key="prompt_edit").click().run()
    at.text_area(key=f"edit_w:{unique_name}:text").input("one, mine")
    at.text_input(key=f"edit_w:{unique_name}:message").input("mine")
    at.button(key="prompt_inline_close").click().run()
    assert f"edit_w:{unique_name}:text" not in {w.key for w in at.text_area}
    assert "unfinished new version of this prompt, started from v1" in " ".join(
        texts(at, "caption")
    )
    at.switch_page("pages/prompts.py").run()
    at.switch_page("pages/prompt.py").run()  # back later: the kept draft is still named
    at.button(key="prompt_continue").click().run()  # and opens again
    assert _text(at, unique_name) == "one, mine"
    assert "unfinished new version" not in " ".join(texts(at, "caption"))
    at.button(key="prompt_inline_close").click().run()
    at.button(key="prompt_edit").click().run()  # "New version from v1" opens it too
    assert _text(at, unique_name) == "one, mine"

    at.button(key="prompt_inline_discard").click().run()  # asked first, in its popover
    assert "edit_draft:" + unique_name not in at.session_state
    assert f"edit_w:{unique_name}:text" not in {w.key for w in at.text_area}
    at.button(key="prompt_edit").click().run()
    assert _text(at, unique_name) == "one"
    at.text_area(key=f"edit_w:{unique_name}:text").input("one, mine")
    at.text_input(key=f"edit_w:{unique_name}:message").input("mine")

    with count_requests() as opening:
        at.button(key="prompt_inline_full").click().run()
    assert opening.count == 0  # the page's read, carried
    assert titles(at) == [f"New version of {unique_name}"]
    assert _text(at, unique_name) == "one, mine"
    assert at.text_input(key=f"edit_w:{unique_name}:message").value == "mine"


def test_a_version_committed_meanwhile_is_shown_on_the_editor_page_before_anything_is_written(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "one", "first")
    at = _opened(monkeypatch, mlflow_server.url, unique_name)
    reg.commit_version(unique_name, "two", "a colleague's")
    at.text_area(key=f"edit_w:{unique_name}:text").input("one, mine")
    at.text_input(key=f"edit_w:{unique_name}:message").input("mine")
    at.button(key="prompt_inline_commit").click().run()
    assert not at.exception
    assert titles(at) == [f"New version of {unique_name}"]
    assert "Version 2" in texts(at, "warning")[0]
    assert reg.latest_version_number(unique_name) == 2  # nothing committed on top
    assert _text(at, unique_name) == "one, mine"


def test_a_changed_draft_from_another_version_is_not_replaced_silently(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "one", "first")
    reg.commit_version(unique_name, "two", "second")
    at = _opened(monkeypatch, mlflow_server.url, unique_name, version="1")
    at.text_area(key=f"edit_w:{unique_name}:text").input("one, mine")
    at.button(key="prompt_inline_changes").click().run()  # the form sends it
    open_page(at, "prompt", prompt=unique_name, version="2")
    at.button(key="prompt_edit").click().run()  # from v2, with a changed draft from v1
    assert titles(at) == [f"New version of {unique_name}"]
    assert "started from v1" in texts(at, "warning")[0]

    # An untouched draft from another version simply starts again from the one chosen.
    at = _opened(monkeypatch, mlflow_server.url, unique_name, version="1")
    open_page(at, "prompt", prompt=unique_name, version="2")
    at.button(key="prompt_edit").click().run()
    assert titles(at) == [unique_name]
    assert _text(at, unique_name) == "two"


def test_a_stored_template_the_form_cannot_edit_opens_the_editor_page_which_says_why(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "one", "first")
    client = MlflowClient(tracking_uri=mlflow_server.url, registry_uri=mlflow_server.url)
    client.set_prompt_version_tag(unique_name, 1, PROMPT_MODEL_CONFIG_TAG_KEY, "[not json")
    at = open_page(start_app(monkeypatch, mlflow_server.url), "prompt", prompt=unique_name)
    at.button(key="prompt_edit").click().run()
    assert titles(at) == [f"New version of {unique_name}"]
    assert "promptui does not guess" in " ".join(texts(at, "error"))


def test_a_kept_draft_with_other_settings_opens_the_editor_page_where_they_show(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(
        unique_name, "one", "first", model_config={"temperature": 0.2}
    )
    at = open_page(start_app(monkeypatch, mlflow_server.url), "edit", prompt=unique_name)
    at.session_state[f"edit_w:{unique_name}:model_open"] = True
    at.run()
    at.number_input(key=f"edit_w:{unique_name}:temperature").set_value(0.7).run()
    open_page(at, "prompt", prompt=unique_name)
    at.button(key="prompt_edit").click().run()  # this form would hide the temperature
    assert titles(at) == [f"New version of {unique_name}"]
    assert at.session_state[f"edit_draft:{unique_name}"].temperature == 0.7
