"""AppTest: the prompts list (search, select, paging, empty state) and the prompt page."""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.seed import bulk_seed
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.registry.models import ChatMessage
from promptui.snippets import load_snippet
from promptui.ui.prompt_list import PROMPT_COLUMNS
from tests.apptest_util import (
    click_row,
    fresh_streamlit_caches,
    list_data,
    list_frame,
    open_page,
    open_tab,
    select,
    start_app,
    templates,
    texts,
    titles,
    unescape,
)
from tests.servers import Server

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here


def listed(at: AppTest) -> list[str]:
    """The prompt names the Prompts list shows, in order."""
    return list(list_frame(at)["name"])


def _story(reg: PromptRegistry, name: str) -> None:
    """Three versions, two aliases and two tags."""
    reg.create_prompt(
        name,
        "Answer {{question}}.",
        "first",
        tags={"team": "support", "project": "agent"},
        model_config={"model_name": "gpt-4o-mini", "temperature": 0.1},
        author="ana@example.com",
    )
    reg.commit_version(name, "Answer {{question}} about {{topic}}.", "add topic")
    reg.commit_version(name, "Answer {{question}} about {{topic}} briefly.", "be brief")
    reg.set_alias(name, "production", 2)
    reg.set_alias(name, "champion", 3)


# -- prompts page ---------------------------------------------------------------------------


def test_empty_registry_offers_demo_and_create(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    assert "no prompts yet" in texts(at, "info")[0]
    assert list_data(at) is None
    at.button(key="prompts_demo").click().run()
    assert not at.exception
    assert listed(at) == [
        "agent-chat-prompt",
        "agent-system-prompt",
        "sql-explainer",
    ]
    at.button(key="prompts_create").click().run()
    assert titles(at) == ["Create prompt"]


def test_empty_state_create_button_opens_the_editor(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    at.button(key="prompts_create_empty").click().run()
    assert titles(at) == ["Create prompt"]


def test_create_chat_prompt_opens_the_editor_on_a_chat_template(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    at.button(key="prompts_create_chat_empty").click().run()
    assert titles(at) == ["Create prompt"]
    assert at.button_group(key="edit_w:+new:type").value == "chat"
    roles = [s.value for s in at.selectbox if s.key.startswith("edit_w:+new:role")]
    assert roles == ["system", "user"]

    # A text draft kept from before is switched, its text carried into the first message.
    at.switch_page("pages/edit.py").run()  # AppTest stays on the page it last opened
    at.button_group(key="edit_w:+new:type").set_value("text").run()
    at.text_input(key="edit_w:+new:name").input("kept")
    at.text_area(key="edit_w:+new:text").input("Answer {{question}}.").run()
    at.switch_page("pages/prompts.py").run()
    at.button(key="prompts_create_chat_empty").click().run()
    assert at.button_group(key="edit_w:+new:type").value == "chat"
    assert at.text_input(key="edit_w:+new:name").value == "kept"
    assert [a.value for a in at.text_area if "content" in str(a.key)] == ["Answer {{question}}."]

    # The same button beside the search once the registry holds prompts.
    PromptRegistry(sqlite_uri).create_prompt("other", "Hi.", "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    at.button(key="prompts_create_chat").click().run()
    assert titles(at) == ["Create prompt"]
    assert at.button_group(key="edit_w:+new:type").value == "chat"


def test_table_shows_each_prompt_once_with_its_columns(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    _story(reg, "story")
    reg.create_prompt("chatty", (ChatMessage("user", "{{q}}"),), "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    frame = list_frame(at)
    assert list(frame.columns) == [
        "name", "latest", "aliases", "tags", "last modified (UTC)", "type"
    ]  # fmt: skip
    rows = {r["name"]: r for r in frame.to_dict("records")}
    assert rows["story"]["latest"] == "v3"
    assert list(rows["story"]["aliases"]) == ["champion → v3", "production → v2"]
    assert list(rows["story"]["tags"]) == ["project=agent", "team=support"]
    assert (rows["story"]["type"], rows["chatty"]["type"]) == ("text", "chat")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sto", ["story"]),  # name
        ("team=support", ["story"]),  # tag key=value
        ("team=", ["story"]),  # tag key
        ("briefly", ["story"]),  # latest version's text
        ("about", ["story"]),
        ("topic", ["story"]),
        ("{{q}}", ["chatty"]),  # chat text
        ("nothing-like-this", []),
    ],
)
def test_search_over_name_tags_and_latest_text(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str, query: str, expected: list[str]
) -> None:
    reg = PromptRegistry(sqlite_uri)
    _story(reg, "story")
    reg.create_prompt("chatty", (ChatMessage("user", "{{q}}"),), "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    at.text_input(key="prompts_search").input(query).run()
    assert listed(at) == expected
    assert f"{len(expected)} of 2 prompts" in at.caption[0].value


def test_selecting_a_row_opens_the_prompt(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str) -> None:
    reg = PromptRegistry(sqlite_uri)
    _story(reg, "story")
    reg.create_prompt("zeta", "z", "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    at.text_input(key="prompts_search").input("zeta").run()
    click_row(at, "zeta")
    assert not at.exception
    assert at.query_params == {"prompt": "zeta"}
    assert titles(at) == ["zeta"]


def test_an_alias_chip_opens_the_version_it_points_at(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    _story(PromptRegistry(sqlite_uri), "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    data = list_data(at)
    assert data is not None
    ((row),) = data["rows"]
    chips = {
        c["text"]: (c["href"], c["id"]) for c in row["cells"][PROMPT_COLUMNS.index("aliases") - 1]
    }
    assert chips == {
        "production → v2": ("prompt?prompt=story&version=2", "story@production"),
        "champion → v3": ("prompt?prompt=story&version=3", "story@champion"),
    }
    click_row(at, "story@production")
    assert not at.exception
    assert at.query_params == {"prompt": "story", "version": "2"}
    assert titles(at) == ["story"]
    at = open_page(at, "prompts")
    click_row(at, "story@staging")  # no such alias (a forged report)
    assert titles(at) == ["Prompts"]


def test_names_link_to_their_prompt_page(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str) -> None:
    name = "a.b-c_d.v2"  # every character MLflow allows besides letters and digits
    PromptRegistry(sqlite_uri).create_prompt(name, "Hello", "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    data = list_data(at)
    assert data is not None
    ((row),) = data["rows"]
    assert row["label"] == name
    assert row["href"] == f"prompt?prompt={name}"  # relative to the app: any base path works
    page, _, query = row["href"].partition("?")
    open_page(at, page, **dict(parse_qsl(query)))  # where the link leads
    assert titles(at) == [name]


def test_only_a_listed_prompt_is_opened(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str) -> None:
    reg = PromptRegistry(sqlite_uri)
    reg.create_prompt("shown", "Hello", "first")
    reg.create_prompt("hidden", "Hello", "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    at.text_input(key="prompts_search").input("shown").run()
    click_row(at, "hidden")  # a name the list does not show (a forged report)
    assert titles(at) == ["Prompts"]


def test_each_result_says_where_it_matched(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    _story(reg, "story")
    reg.create_prompt("chatty", (ChatMessage("user", "Tell the story of {{q}}"),), "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    assert "matched" not in list_frame(at).columns  # nothing searched, nothing to say

    def matched(query: str) -> dict[str, str]:
        at.text_input(key="prompts_search").input(query).run()
        frame = list_frame(at)
        assert list(frame.columns)[:3] == ["name", "matched", "latest"]
        return dict(zip(listed(at), frame["matched"], strict=True))

    assert matched("story") == {"chatty": "text: Tell the «story» of {{q}}", "story": "name"}
    assert matched("production team=support") == {"story": "alias production · tag team"}
    assert matched("agent") == {"story": "tag project"}
    assert matched('"about {{topic}}" briefly') == {
        "story": "text: Answer {{question}} «about {{topic}}» «briefly»."
    }
    (snippets,) = at.get("html")
    braces = "&#123;&#123;topic&#125;&#125;"  # written as references: no Markdown directive
    assert f"<mark>about {braces}</mark> <mark>briefly</mark>." in snippets.proto.body
    assert "Where the text matched" in " ".join(texts(at, "caption"))
    matched("production")
    assert not at.get("html")  # no text matched: no snippet list


def test_every_versions_text_is_searched_when_asked(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    reg.create_prompt("p", "first words", "v1")
    reg.commit_version("p", "second words", "v2")
    reg.create_prompt("q", "other <script>alert(1)</script> words", "v1")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    at.text_input(key="prompts_search").input("first").run()
    assert list_frame(at).empty  # the latest texts only, by default
    at.toggle(key="prompts_every_version").set_value(True).run()
    assert listed(at) == ["p"]
    assert list(list_frame(at)["matched"]) == ["text of v1: «first» words"]
    assert "every version's text searched" in at.caption[0].value
    body = at.get("html")[0].proto.body
    assert "text of v1" in body and "<mark>first</mark>" in body
    at.text_input(key="prompts_search").input("words").run()
    matched = list(list_frame(at)["matched"])
    assert matched == ["text: second «words»", "text: …<script>alert(1)</script> «words»"]
    body = at.get("html")[0].proto.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>" not in body
    at.toggle(key="prompts_every_version").set_value(False).run()
    at.text_input(key="prompts_search").input("first").run()
    assert list_frame(at).empty
    assert "every version" not in at.caption[0].value


def test_every_version_search_reads_the_registry_once_per_page_load(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    reg.create_prompt(unique_name, "alpha words", "v1")
    reg.commit_version(unique_name, "beta words", "v2")
    at = start_app(monkeypatch, mlflow_server.url)
    open_page(at, "prompts")
    with count_requests() as turning_on:
        at.toggle(key="prompts_every_version").set_value(True).run()
    assert turning_on.count == 0  # nothing is read until there is something to search
    with count_requests() as first_search:
        at.text_input(key="prompts_search").input(f"{unique_name} alpha").run()
    assert listed(at) == [unique_name]
    assert list(list_frame(at)["matched"]) == ["name · text of v1: «alpha» words"]
    # Every version of every prompt, in pages of 2,000 (the prompt list is the page's own).
    everything = reg.all_prompts()
    versions = sum(len(d.versions) for d in everything)
    pages = max(1, math.ceil(versions / 2000))
    assert first_search.count == pages
    assert [url.rsplit("/", 2)[-2] for _, url in first_search.calls] == ["model-versions"] * pages
    with count_requests() as typing:
        at.text_input(key="prompts_search").input(f"{unique_name} beta").run()
        at.text_input(key="prompts_search").input(f"{unique_name} words").run()
        at.toggle(key="prompts_every_version").set_value(False).run()
        at.toggle(key="prompts_every_version").set_value(True).run()
        at.text_input(key="prompts_search").input(f"{unique_name} alpha").run()
    assert typing.count == 0
    assert listed(at) == [unique_name]


def test_more_than_1000_prompts_page_through(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    bulk_seed(Path(sqlite_uri.removeprefix("sqlite:///")), prompts=1050, versions=1)
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompts")
    assert len(list_frame(at)) == 1000
    assert "page 1 of 2" in at.caption[0].value
    at.number_input(key="prompts_page").set_value(2).run()
    frame = list_frame(at)
    assert (len(frame), listed(at)[-1]) == (50, "bench-01049")
    at.text_input(key="prompts_search").input("team=team-3").run()
    assert len(list_frame(at)) == 150
    assert not at.number_input  # one page left


def test_reruns_make_no_registry_request(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    reg = PromptRegistry(mlflow_server.url)
    _story(reg, unique_name)
    at = start_app(monkeypatch, mlflow_server.url)
    st.cache_resource.clear()  # the list Home read is not shared: this page load reads it
    with count_requests() as first:
        open_page(at, "prompts")
    assert first.count == 1  # the list: one request per 1,000 prompts
    with count_requests() as typing:
        at.text_input(key="prompts_search").input(unique_name).run()
        at.text_input(key="prompts_search").input(f"{unique_name} team=support").run()
    assert typing.count == 0
    assert listed(at) == [unique_name]
    with count_requests() as opening:
        click_row(at, unique_name)
    assert titles(at) == [unique_name]
    assert opening.count == 2  # the prompt with all its versions, sent at once
    with count_requests() as browsing:
        at.switch_page("pages/prompt.py")
        select(at, f"prompt_version_pick:{unique_name}:3").set_value(1).run()
        open_tab(at, unique_name, "Try it")
        at.text_area(key=f"prompt_try:{unique_name}:question").input("why?").run()
    assert browsing.count == 0
    assert "Version 1" in " ".join(texts(at, "markdown"))


# -- prompt page ----------------------------------------------------------------------------


def test_deep_link_shows_the_version_and_the_history(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    _story(PromptRegistry(sqlite_uri), "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story", version=2)
    assert titles(at) == ["story"]
    versions = list_frame(at, "prompt_versions")
    assert list(versions["version"]) == ["v3", "v2", "v1"]
    assert list(versions["commit message"]) == ["be brief", "add topic", "first"]
    assert [list(a) for a in versions["aliases"]] == [["champion"], ["production"], []]
    assert list(versions["author"])[2] == "ana@example.com"
    data = list_data(at, "prompt_versions")
    assert data is not None and data["selected"] == "2"  # the version shown is marked
    assert data["rows"][1]["href"] == "prompt?prompt=story&version=2"
    markdown = " ".join(texts(at, "markdown"))
    assert "**Version 2**" in markdown
    assert ":violet-badge[production]" in markdown
    assert "Answer {{question}} about {{topic}}." in templates(at)
    assert "` {{question}} ` ` {{topic}} `" in markdown
    assert "add topic" in texts(at, "text")


def test_unknown_version_falls_back_to_latest_and_unknown_prompt_is_named(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    _story(PromptRegistry(sqlite_uri), "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story", version=9)
    assert "Version 9 of this prompt does not exist" in texts(at, "warning")[0]
    assert "**Version 3**" in " ".join(texts(at, "markdown"))
    open_page(at, "prompt", prompt="missing-prompt")
    assert "does not exist" in texts(at, "warning")[0]
    open_page(at, "prompt")
    assert at.selectbox(key="prompt_pick").options == ["story"]


def test_choosing_another_version(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str) -> None:
    _story(PromptRegistry(sqlite_uri), "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story")
    assert "**Version 3**" in " ".join(texts(at, "markdown"))
    select(at, "prompt_version_pick:story:3").set_value(1).run()
    assert at.query_params == {"prompt": "story", "version": "1"}
    assert "**Version 1**" in " ".join(texts(at, "markdown"))
    click_row(at, "2", "prompt_versions")  # a click on the v2 row
    assert at.query_params["version"] == "2"
    assert "**Version 2**" in " ".join(texts(at, "markdown"))


def test_chat_version_is_shown_message_by_message(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    messages = (
        ChatMessage("system", "You help {{team}}."),
        ChatMessage("user", "{{question}}"),
        ChatMessage("assistant", "Sure."),
    )
    PromptRegistry(sqlite_uri).create_prompt("chatty", messages, "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="chatty")
    assert len(at.chat_message) >= 3
    captions = texts(at, "caption")
    assert {"1\\. system", "2\\. user", "3\\. assistant"} <= set(captions)
    assert templates(at)[:3] == ["You help {{team}}.", "{{question}}", "Sure."]


def test_use_this_prompt_gives_uris_and_snippet(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    _story(PromptRegistry(sqlite_uri), "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story", version=2)
    codes = texts(at, "code")
    assert not any(c.startswith("import mlflow") for c in codes)  # drawn only in its tab
    codes = texts(open_tab(at, "story", "Use this prompt"), "code")
    assert "prompts:/story@production" in codes  # production by default, whatever is selected
    snippet = next(c for c in codes if c.startswith("import mlflow"))
    assert 'load_prompt("prompts:/story@production")' in snippet
    assert 'prompt.format(question="<question>", topic="<topic>")' in snippet
    picker = select(at, "prompt_snippet:story")
    assert picker.options == ["production (now v2)", "champion (now v3)", "v3", "v2", "v1"]
    picker.set_value("v1").run()
    codes = texts(at, "code")
    assert "prompts:/story/1" in codes
    snippet = next(c for c in codes if c.startswith("import mlflow"))
    assert 'load_prompt("prompts:/story/1")' in snippet
    assert 'prompt.format(question="<question>")' in snippet  # v1's variables, not v2's
    select(at, "prompt_snippet:story").set_value("champion").run()
    assert "prompts:/story@champion" in texts(at, "code")


def test_copy_button_holds_the_snippet_of_production_or_the_selected_version(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    _story(reg, "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story", version=3)
    button = list_data(at, "prompt_copy_code")
    assert button is not None and button["label"] == "Copy code to load production"
    assert button["text"] == load_snippet("prompts:/story@production", ["question", "topic"])
    # The same snippet as the "Use this prompt" tab's default.
    assert button["text"].rstrip() in texts(open_tab(at, "story", "Use this prompt"), "code")

    reg.create_prompt("plain", "Hi {{who}}.", "first")
    reg.commit_version("plain", "Hello.", "no variable")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="plain", version=1)
    button = list_data(at, "prompt_copy_code")
    assert button is not None and button["label"] == "Copy code to load v1"
    assert button["text"] == load_snippet("prompts:/plain/1", ["who"])


def test_try_it_renders_and_names_missing_variables(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    _story(PromptRegistry(sqlite_uri), "story")
    at = open_tab(
        open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story"), "story", "Try it"
    )
    at.text_area(key="prompt_try:story:question").input("Why is the sky blue?").run()
    assert not at.exception
    assert "Answer Why is the sky blue? about {{topic}} briefly." in texts(at, "code")
    missing = " ".join(texts(at, "info"))
    assert "topic" in missing and "question" not in missing
    at.text_area(key="prompt_try:story:topic").input("physics").run()
    assert "Answer Why is the sky blue? about physics briefly." in texts(at, "code")
    assert not at.info


def test_prompt_tags_add_edit_delete(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str) -> None:
    reg = PromptRegistry(sqlite_uri)
    _story(reg, "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story")
    at = open_tab(at, "story", "Settings & tags")
    at.text_input(key="prompt_tag:new_key:0").input("use-case")
    at.text_input(key="prompt_tag:new_value:0").input("faq")
    at.button(key="FormSubmitter:prompt_tag:add:story-Add tag").click().run()
    assert not at.exception
    assert reg.get_prompt("story").tags["use-case"] == "faq"
    team = next(t for t in at.text_input if t.value == "support")
    team.input("billing").run()
    save = next(b for b in at.button if b.label == "Save" and not b.disabled)
    save.click().run()
    assert reg.get_prompt("story").tags["team"] == "billing"
    project_row = [t.value for t in at.markdown].index("` project `")
    assert project_row >= 0
    delete = [b for b in at.button if b.label == "Delete"]
    delete[0].click().run()  # rows are sorted by key: project first
    assert reg.get_prompt("story").tags == {"team": "billing", "use-case": "faq"}
    at.text_input(key="prompt_tag:new_key:1").input("mlflow.prompt.is_prompt")
    at.text_input(key="prompt_tag:new_value:1").input("false")
    at.button(key="FormSubmitter:prompt_tag:add:story-Add tag").click().run()
    assert "reserved" in texts(at, "error")[0]
    assert "mlflow.prompt.is_prompt" not in reg.get_prompt("story").tags
    assert at.text_input(key="prompt_tag:new_key:1").value == "mlflow.prompt.is_prompt"  # kept


def test_delete_version_asks_first(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str) -> None:
    reg = PromptRegistry(sqlite_uri)
    _story(reg, "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story", version=1)
    at.button(key="prompt_delete").click().run()
    assert "a deleted version cannot be restored" in " ".join(texts(at, "markdown"))
    assert not at.checkbox  # v1 holds no alias: one confirmation is enough
    at.button(key="prompt_delete_cancel").click().run()
    assert "prompt_delete_ok" not in {b.key for b in at.button}  # the dialog closed
    assert [v.version for v in reg.get_prompt("story").versions] == [3, 2, 1]
    at.button(key="prompt_delete").click().run()
    at.button(key="prompt_delete_ok").click().run()
    assert not at.exception
    assert [v.version for v in reg.get_prompt("story").versions] == [3, 2]
    assert "version" not in at.query_params
    assert "**Version 3**" in " ".join(texts(at, "markdown"))


def test_deleting_a_version_with_aliases_needs_a_second_confirmation(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    _story(reg, "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story", version=2)
    at.button(key="prompt_delete").click().run()
    assert "production" in " ".join(texts(at, "warning"))
    assert at.button(key="prompt_delete_ok").disabled
    assert [v.version for v in reg.get_prompt("story").versions] == [3, 2, 1]
    at.checkbox(key="prompt_delete_aliases_ok").check().run()
    # Someone adds another alias to v2 meanwhile: the confirmation no longer covers it.
    reg.set_alias("story", "staging", 2)
    at.button(key="prompt_delete_ok").click().run()
    assert "staging" in " ".join(texts(at, "warning"))
    assert [v.version for v in reg.get_prompt("story").versions] == [3, 2, 1]
    reg.delete_alias("story", "staging")
    at.button(key="prompt_delete_ok").click().run()
    assert [v.version for v in reg.get_prompt("story").versions] == [3, 1]
    assert reg.get_aliases("story") == {"champion": 3}


def test_prompt_page_links_to_rollback_and_compare(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    _story(PromptRegistry(sqlite_uri), "story")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="story", version=3)
    links = {unescape(link.proto.label): link.proto for link in at.get("page_link")}
    aliases = links["Aliases, history & rollback"]
    assert aliases.page.endswith("aliases") and "prompt=story" in aliases.query_string
    compare = links["Compare production (v2) → champion (v3)"]  # production against the selected
    assert compare.page.endswith("compare")
    assert "left=2" in compare.query_string and "right=3" in compare.query_string
    # Each alias is a link to the version it points at; breadcrumbs lead back to the list.
    production = links["production → v2"]
    assert production.page.endswith("prompt")
    assert production.query_string == "prompt=story&version=2"
    assert links["champion → v3"].query_string == "prompt=story&version=3"
    assert links["Prompts"].page.endswith("prompts")
    # The sidebar carries the prompt into the other pages about one prompt.
    sidebar = {unescape(link.proto.label): link.proto for link in at.sidebar.get("page_link")}
    for page in ("Prompt", "Create / edit", "Compare", "Aliases"):
        assert sidebar[page].query_string == "prompt=story", page
    for page in ("Home", "Prompts", "Environments", "Files"):
        assert sidebar[page].query_string == "", page


def test_one_version_prompt_offers_no_compare_and_the_picker_names_aliases(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    reg.create_prompt("solo", "Hello {{name}}.", "first")
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="solo")
    labels = [unescape(link.proto.label) for link in at.get("page_link")]
    assert not [label for label in labels if label.startswith("Compare ")]
    _story(reg, "story")
    open_page(at, "prompt", prompt="story")
    assert select(at, "prompt_version_pick:story:3").options == [
        "v3 · champion · latest",
        "v2 · production",
        "v1",
    ]
    # The sidebar now carries the prompt last shown, also to a page opened without one.
    open_page(at, "home")
    sidebar = {unescape(link.proto.label): link.proto for link in at.sidebar.get("page_link")}
    assert sidebar["Compare"].query_string == "prompt=story"
