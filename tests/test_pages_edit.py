"""AppTest: creating prompts and committing versions (diff, stale base, drafts, bad input)."""

from __future__ import annotations

import pytest
from mlflow import MlflowClient
from streamlit.testing.v1 import AppTest

from promptui.registry import PromptRegistry
from promptui.registry.models import ChatMessage
from tests.apptest_util import (
    fresh_streamlit_caches,
    html_of,
    list_frame,
    open_full_editor,
    open_page,
    select,
    start_app,
    texts,
    titles,
)
from tests.servers import Server

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here

NEW = "edit_w:+new:"


def _create_page(monkeypatch: pytest.MonkeyPatch, uri: str) -> AppTest:
    at = open_page(start_app(monkeypatch, uri), "edit")
    assert titles(at) == ["Create prompt"]
    return at


# -- create ---------------------------------------------------------------------------------


def test_create_text_prompt_with_tags_and_model_settings(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    at = _create_page(monkeypatch, mlflow_server.url)
    at.text_input(key=f"{NEW}name").input(unique_name)
    at.text_area(key=f"{NEW}text").input("Summarise {{document}} for {{audience}}.").run()
    # A new prompt's fields do not rerun the page as they are left: no variables line that
    # would lag behind the typing (the prompt page lists them once created).
    assert not any("{{document}}" in t for t in texts(at, "markdown"))
    at.text_input(key=f"{NEW}message").input("First cut")
    at.text_area(key=f"{NEW}tags").input("team=docs\nproject=summaries").run()
    # Model settings are drawn once their expander is opened; closed again, the draft keeps them.
    assert f"{NEW}temperature" not in {w.key for w in at.number_input}
    at.session_state[f"{NEW}model_open"] = True
    at.run()
    at.text_input(key=f"{NEW}model").input("gpt-4o-mini")
    at.number_input(key=f"{NEW}temperature").set_value(0.3)
    at.number_input(key=f"{NEW}max_tokens").set_value(500)
    at.number_input(key=f"{NEW}top_p").set_value(0.9)
    at.text_area(key=f"{NEW}stop").input("END\n###").run()
    at.session_state[f"{NEW}model_open"] = False
    at.run()
    assert f"{NEW}temperature" not in {w.key for w in at.number_input}
    at.button(key="edit_create").click().run()
    assert not at.exception
    assert titles(at) == [unique_name]  # now on the prompt page
    assert at.query_params == {"prompt": unique_name, "version": "1"}
    detail = PromptRegistry(mlflow_server.url).get_prompt(unique_name)
    v1 = detail.latest
    assert (v1.text, v1.commit_message, v1.author) == (
        "Summarise {{document}} for {{audience}}.",
        "First cut",
        "tester@example.com",
    )
    assert detail.tags == {"team": "docs", "project": "summaries"}
    assert dict(v1.model_config) == {
        "model_name": "gpt-4o-mini",
        "temperature": 0.3,
        "max_tokens": 500,
        "top_p": 0.9,
        "stop_sequences": ["END", "###"],
    }
    at.switch_page("pages/prompts.py").run()
    at.text_input(key="prompts_search").input(unique_name).run()
    assert list(list_frame(at)["name"]) == [unique_name]


def test_create_chat_prompt_add_reorder_remove_messages(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    at = _create_page(monkeypatch, sqlite_uri)
    at.text_input(key=f"{NEW}name").input("chatty")
    at.button_group(key=f"{NEW}type").set_value("chat").run()
    assert [s.value for s in at.selectbox if s.key.startswith(f"{NEW}role")] == ["system", "user"]
    at.text_area(key=f"{NEW}content:0").input("You help {{team}}.")
    at.text_area(key=f"{NEW}content:1").input("{{question}}")
    at.button(key=f"{NEW}add").click().run()
    at.selectbox(key=f"{NEW}role:2").set_value("assistant")
    at.text_area(key=f"{NEW}content:2").input("Understood.").run()
    at.button(key=f"{NEW}up:2").click().run()  # assistant before the question
    at.button(key=f"{NEW}add").click().run()
    at.text_area(key=f"{NEW}content:3").input("to be removed").run()
    at.button(key=f"{NEW}remove:3").click().run()
    at.button(key="edit_create").click().run()
    assert not at.exception, texts(at, "error")
    assert PromptRegistry(sqlite_uri).get_prompt("chatty").latest.messages == (
        ChatMessage("system", "You help {{team}}."),
        ChatMessage("assistant", "Understood."),
        ChatMessage("user", "{{question}}"),
    )


def _fill_new(at: AppTest, name: str, text: str) -> None:
    at.text_input(key=f"{NEW}name").input(name)
    at.text_area(key=f"{NEW}text").input(text)


@pytest.mark.parametrize(
    ("name", "text", "field_error"),
    [
        ("fine-name", "", "The template is empty"),
        ("fine-name", "   \n ", "The template is empty"),
        ("fine-name", "x" * 100_001, "MLflow accepts at most 100,000"),
        ("bad name!", "Hello", "may contain only letters, digits"),
        ("", "Hello", "Enter a prompt name"),
    ],
)
def test_bad_input_is_named_inline_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str, name: str, text: str, field_error: str
) -> None:
    at = _create_page(monkeypatch, sqlite_uri)
    _fill_new(at, name, text)
    at.button(key="edit_create").click().run()
    assert not at.exception
    errors = " ".join(texts(at, "error")).replace("\\", "")
    assert field_error in errors
    assert "Nothing was created" in errors
    assert PromptRegistry(sqlite_uri).list_prompts() == []


def test_chat_message_without_content_is_refused(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    at = _create_page(monkeypatch, sqlite_uri)
    at.text_input(key=f"{NEW}name").input("chatty")
    at.button_group(key=f"{NEW}type").set_value("chat").run()
    at.text_area(key=f"{NEW}content:0").input("System text").run()
    at.button(key="edit_create").click().run()
    assert "Message 2 (user) has no content" in " ".join(texts(at, "error")).replace("\\", "")
    assert PromptRegistry(sqlite_uri).list_prompts() == []


def test_name_is_checked_as_you_type(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str) -> None:
    PromptRegistry(sqlite_uri).create_prompt("taken", "x", "first")
    at = _create_page(monkeypatch, sqlite_uri)
    assert not at.error  # an untouched form shows no errors
    at.text_input(key=f"{NEW}name").input("taken").run()
    assert "already exists" in texts(at, "error")[0]
    at.text_input(key=f"{NEW}name").input("a/b").run()
    assert "only letters" in texts(at, "error")[0]
    at.text_input(key=f"{NEW}name").input("free.name_1-x").run()
    assert not at.error


# -- edit -----------------------------------------------------------------------------------


def test_edit_shows_the_diff_and_needs_a_commit_message(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "Answer the {{question}}.", "first", model_config={"top_k": 5})
    at = open_page(start_app(monkeypatch, mlflow_server.url), "prompt", prompt=unique_name)
    open_full_editor(at)
    assert titles(at) == [f"New version of {unique_name}"]
    at.switch_page("pages/edit.py")
    text = at.text_area(key=f"edit_w:{unique_name}:text")
    assert text.value == "Answer the {{question}}."
    assert "No changes yet." in texts(at, "caption")
    text.input("Answer the {{question}} in {{language}}.").run()
    html = html_of(at)
    assert "v1" in html and "your draft" in html and "language" in html
    assert "added: ` language `" in " ".join(texts(at, "markdown"))
    assert "**Variables:** ` {{question}} ` ` {{language}} `" in texts(at, "markdown")
    at.button(key="edit_commit").click().run()
    assert "Write a commit message" in " ".join(texts(at, "error"))
    assert reg.latest_version_number(unique_name) == 1
    at.text_input(key=f"edit_w:{unique_name}:message").input("Answer in the user's language")
    at.button(key="edit_commit").click().run()
    assert not at.exception
    assert at.query_params == {"prompt": unique_name, "version": "2"}
    v2 = reg.get_prompt(unique_name).latest
    assert (v2.version, v2.text, v2.author) == (
        2,
        "Answer the {{question}} in {{language}}.",
        "tester@example.com",
    )
    assert dict(v2.model_config) == {"top_k": 5}  # settings the form does not edit are kept


def test_edit_starts_from_any_version_and_model_settings_change(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    reg.create_prompt("p", "one", "first", model_config={"temperature": 0.5})
    reg.commit_version("p", "two", "second")
    at = open_page(start_app(monkeypatch, sqlite_uri), "edit", prompt="p", version=1)
    assert at.text_area(key="edit_w:p:text").value == "one"
    at.session_state["edit_w:p:model_open"] = True
    at.run()
    assert at.number_input(key="edit_w:p:temperature").value == 0.5
    at.number_input(key="edit_w:p:temperature").set_value(0.9).run()
    assert "model config: temperature" in at.dataframe[0].value["field"].tolist()
    at.text_input(key="edit_w:p:message").input("Warmer").run()
    at.button(key="edit_commit").click().run()
    v3 = reg.get_prompt("p").latest
    assert (v3.version, v3.text, dict(v3.model_config)) == (3, "one", {"temperature": 0.9})


def test_nothing_changed_is_not_committed(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str) -> None:
    PromptRegistry(sqlite_uri).create_prompt("p", "same", "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "edit", prompt="p")
    at.text_input(key="edit_w:p:message").input("no-op").run()
    at.button(key="edit_commit").click().run()
    assert "Nothing changed against v1" in " ".join(texts(at, "error"))
    assert PromptRegistry(sqlite_uri).latest_version_number("p") == 1


def test_any_role_is_kept_and_an_emptied_message_is_refused_in_a_chat_edit(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    client = MlflowClient(tracking_uri=sqlite_uri, registry_uri=sqlite_uri)
    client.create_prompt(name="odd")
    client.create_prompt_version(
        name="odd", template=[{"role": "critic", "content": "hm"}, {"role": "user", "content": "q"}]
    )
    at = open_page(start_app(monkeypatch, sqlite_uri), "edit", prompt="odd")
    assert at.selectbox(key="edit_w:odd:role:0").value == "critic"
    # A role MLflow accepts but the list does not offer is kept and committed as it is.
    at.text_area(key="edit_w:odd:content:1").input("q {{x}}")
    at.text_input(key="edit_w:odd:message").input("ask for x").run()
    at.button(key="edit_commit").click().run()
    assert not texts(at, "error")
    registry = PromptRegistry(sqlite_uri)
    assert registry.get_prompt("odd").latest.messages == (
        ChatMessage("critic", "hm"),
        ChatMessage("user", "q {{x}}"),
    )
    at = open_page(at, "edit", prompt="odd")
    at.selectbox(key="edit_w:odd:role:0").set_value("system")
    at.text_area(key="edit_w:odd:content:0").input("").run()
    at.text_input(key="edit_w:odd:message").input("try").run()
    at.button(key="edit_commit").click().run()
    assert "Message 1 (system) has no content" in " ".join(texts(at, "error")).replace("\\", "")
    assert registry.latest_version_number("odd") == 2
    at.text_area(key="edit_w:odd:content:0").input("Be fair.").run()
    at.button(key="edit_commit").click().run()
    assert registry.get_prompt("odd").latest.messages == (
        ChatMessage("system", "Be fair."),
        ChatMessage("user", "q {{x}}"),
    )


def test_draft_survives_page_switches_and_is_discarded_on_purpose(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    PromptRegistry(sqlite_uri).create_prompt("p", "base text", "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "edit", prompt="p")
    at.text_area(key="edit_w:p:text").input("draft text")
    at.text_input(key="edit_w:p:message").input("my message").run()
    open_page(at, "prompts")
    open_page(at, "edit")  # the sidebar link: create mode lists the unfinished draft
    assert "Unfinished draft" in " ".join(texts(at, "info"))
    at.button(key="edit_continue:p").click().run()
    assert at.query_params == {"prompt": "p", "version": "1"}
    at.switch_page("pages/edit.py").run()
    assert at.text_area(key="edit_w:p:text").value == "draft text"
    assert at.text_input(key="edit_w:p:message").value == "my message"
    at.button(key="edit_commit_discard").click().run()
    assert at.text_area(key="edit_w:p:text").value == "base text"
    assert at.text_input(key="edit_w:p:message").value == ""
    assert PromptRegistry(sqlite_uri).latest_version_number("p") == 1


def test_new_prompt_draft_survives_too(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str) -> None:
    at = _create_page(monkeypatch, sqlite_uri)
    _fill_new(at, "kept", "kept text")
    at.run()
    open_page(at, "home")
    open_page(at, "edit")
    assert at.text_input(key=f"{NEW}name").value == "kept"
    assert at.text_area(key=f"{NEW}text").value == "kept text"
    at.button(key="edit_create_discard").click().run()
    assert at.text_input(key=f"{NEW}name").value == ""


def test_opening_another_version_asks_before_replacing_a_draft(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    reg.create_prompt("p", "one", "first")
    reg.commit_version("p", "two", "second")
    at = open_page(start_app(monkeypatch, sqlite_uri), "edit", prompt="p")
    select(at, "edit_start:p:2").set_value(1).run()  # untouched draft: just switches
    at.switch_page("pages/edit.py").run()
    assert at.text_area(key="edit_w:p:text").value == "one"
    at.text_area(key="edit_w:p:text").input("one, edited").run()
    open_page(at, "edit", prompt="p", version=2)
    assert "unfinished draft that started from v1" in texts(at, "warning")[0]
    at.button(key="edit_keep").click().run()
    at.switch_page("pages/edit.py").run()
    assert at.text_area(key="edit_w:p:text").value == "one, edited"
    open_page(at, "edit", prompt="p", version=2)
    at.button(key="edit_restart").click().run()
    assert at.text_area(key="edit_w:p:text").value == "two"
