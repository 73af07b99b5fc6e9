"""The reported fidelity cases, one test each, on prompts written by MLflow's own SDK.

Every prompt here is registered with `MlflowClient.register_prompt` (the path of
`mlflow.genai.register_prompt`) and read back with MLflow's `load_prompt`, so what promptui
shows, renders, searches, loads and commits is checked against what MLflow itself does.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from mlflow import MlflowClient
from streamlit.testing.v1 import AppTest

from promptui.aliases import delete_version
from promptui.aliases.history import AliasHistory
from promptui.config import ModelConfig
from promptui.diff.compare import compare_versions
from promptui.instrument import count_requests
from promptui.loader import load_prompt_from_registry, resolve_system_prompt
from promptui.registry import PromptRegistry
from promptui.registry.errors import InvalidInputError, NotAPromptError, NotFoundError
from promptui.registry.models import ChatMessage
from promptui.search import filter_prompts
from promptui.templates import render, template_variables
from tests.apptest_util import (
    fresh_streamlit_caches,
    open_page,
    open_tab,
    start_app,
    texts,
    unescape,
)
from tests.servers import free_port

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here

NEW = "edit_w:+new:"
JINJA = "{% if tone == 'formal' %}Dear {{ name }},{% else %}Hi {{ name }}!{% endif %}"
CALL = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
PARTS = [
    {"type": "text", "text": "Describe {{ picture }}."},
    {"type": "image_url", "image_url": {"url": "https://img.example/cat.png"}},
]


class Answer(pydantic.BaseModel):
    answer: str
    score: float


SCHEMA = {
    "title": "Verdict",
    "type": "object",
    "properties": {"verdict": {"type": "string", "description": "ünïcode ✓"}},
    "required": ["verdict"],
}


def sdk(uri: str) -> MlflowClient:
    """MLflow's own client on the registry under test."""
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def load(uri: str, name: str, version: int) -> Any:
    """What `mlflow.genai.load_prompt` returns (never a cached copy)."""
    return sdk(uri).load_prompt(name, version=version, cache_ttl_seconds=0)


def joined(at: AppTest, kind: str) -> str:
    return " ".join(texts(at, kind)).replace("\\", "")


# -- 1. response format -----------------------------------------------------------------------


@pytest.mark.parametrize("response_format", [Answer, SCHEMA], ids=["pydantic", "schema"])
def test_response_format_is_read_compared_and_kept(
    registry: PromptRegistry, unique_name: str, response_format: Any
) -> None:
    client = sdk(registry.uri)
    client.register_prompt(unique_name, "Judge {{ essay }}.", response_format=response_format)
    expected = load(registry.uri, unique_name, 1).response_format
    v1 = registry.get_prompt(unique_name).latest
    assert v1.response_format == expected
    v2 = registry.commit_version(unique_name, "Judge {{ essay }} fairly.", "fair", based_on=v1)
    assert load(registry.uri, unique_name, 2).response_format == expected
    client.register_prompt(unique_name, "Judge {{ essay }} fairly.")  # v3: no format
    v3 = registry.get_version(unique_name, 3)
    comparison = compare_versions(v2, v3)
    assert comparison.response_format_changed
    assert "response format" in comparison.settings_changed
    assert "response format changed" in comparison.summary_line()


# -- 2. and 3. chat messages of any shape -----------------------------------------------------


def test_content_parts_and_tool_calls_stay_chat_through_a_commit(
    registry: PromptRegistry, unique_name: str
) -> None:
    messages = [
        {"role": "system", "content": "You describe pictures."},
        {"role": "user", "content": PARTS},
        {"role": "assistant", "content": None, "tool_calls": [CALL]},
    ]
    sdk(registry.uri).register_prompt(unique_name, messages)
    v1 = registry.get_version(unique_name, 1)
    assert (v1.prompt_type, v1.problem) == ("chat", "")
    assert [m.data() for m in v1.messages] == messages
    assert registry.list_prompts(unique_name)[0].prompt_type == "chat"
    edited = (v1.messages[0].with_content("You describe pictures briefly."), *v1.messages[1:])
    v2 = registry.commit_version(unique_name, edited, "briefly", based_on=v1)
    assert v2.prompt_type == "chat"
    stored = load(registry.uri, unique_name, 2).template
    assert stored[0] == {"role": "system", "content": "You describe pictures briefly."}
    assert stored[1:] == messages[1:]


def test_extra_message_keys_survive_and_developer_and_tool_roles_commit(
    registry: PromptRegistry, unique_name: str
) -> None:
    messages = [
        {"role": "system", "content": "Be exact."},
        {"role": "user", "content": "Ask {{ q }}", "name": "ana"},
        {"role": "assistant", "content": None, "tool_calls": [CALL]},
        {"role": "tool", "content": "42", "tool_call_id": "call_1"},
    ]
    sdk(registry.uri).register_prompt(unique_name, messages)
    v1 = registry.get_version(unique_name, 1)
    edited = (v1.messages[0].with_content("Be very exact."), *v1.messages[1:])
    v2 = registry.commit_version(unique_name, edited, "exact", based_on=v1)
    assert load(registry.uri, unique_name, 2).template[1:] == messages[1:]
    added = (
        ChatMessage("developer", "Prefer {{ style }}."),
        ChatMessage.from_data({"role": "tool", "content": "43", "tool_call_id": "call_2"}),
    )
    registry.commit_version(unique_name, (*v2.messages, *added), "more roles", based_on=v2)
    stored = load(registry.uri, unique_name, 3).template
    assert stored[4:] == [
        {"role": "developer", "content": "Prefer {{ style }}."},
        {"role": "tool", "content": "43", "tool_call_id": "call_2"},
    ]
    registry.create_prompt(f"{unique_name}-new", added, "new prompt with both roles")
    created = load(registry.uri, f"{unique_name}-new", 1).template
    assert [m["role"] for m in created] == ["developer", "tool"]


# -- 4. model config MLflow accepts -----------------------------------------------------------

WIDE_CONFIG = {"temperature": 3.5, "frequency_penalty": 3.0, "presence_penalty": -4.0}


def test_wide_model_config_does_not_block_a_commit(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    sdk(sqlite_uri).register_prompt("wide", "Answer {{ q }}.", model_config=WIDE_CONFIG)
    registry = PromptRegistry(sqlite_uri)
    v1 = registry.get_version("wide", 1)
    at = open_page(start_app(monkeypatch, sqlite_uri), "edit", prompt="wide")
    at.text_area(key="edit_w:wide:text").input("Answer {{ q }} in the editor.")
    at.text_input(key="edit_w:wide:message").input("editor").run()
    at.button(key="edit_commit").click().run()
    assert not at.exception
    assert not at.error, texts(at, "error")
    v2 = registry.get_version("wide", 2)
    assert v2.text == "Answer {{ q }} in the editor."
    assert v2.model_config_json == v1.model_config_json
    assert load(sqlite_uri, "wide", 2).model_config == load(sqlite_uri, "wide", 1).model_config
    registry.commit_version("wide", "Answer {{ q }} now.", "service", based_on=v1)
    assert load(sqlite_uri, "wide", 3).model_config == load(sqlite_uri, "wide", 1).model_config


# -- 5. Jinja templates -----------------------------------------------------------------------


def test_jinja_variables_rendering_and_prompt_page(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    sdk(sqlite_uri).register_prompt("greet", JINJA)
    assert {"tone", "name"} <= set(template_variables(JINJA))
    assert render(JINJA, {"tone": "formal", "name": "A"}).text == "Dear A,"
    assert load(sqlite_uri, "greet", 1).format(tone="formal", name="A") == "Dear A,"
    assert set(PromptRegistry(sqlite_uri).get_version("greet", 1).variables) >= {"tone", "name"}
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="greet")
    keys = [t.key for t in open_tab(at, "greet", "Try it").text_area]
    assert "prompt_try:greet:tone" in keys and "prompt_try:greet:name" in keys
    open_tab(at, "greet", "Use this prompt")
    snippet = next(c for c in texts(at, "code") if "load_prompt" in c)
    assert "tone=" in snippet and "name=" in snippet


# -- 6. a chat version with no messages -------------------------------------------------------


def test_empty_chat_version_falls_back_and_is_shown(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    sdk(sqlite_uri).register_prompt("empty", [])
    registry = PromptRegistry(sqlite_uri)
    assert load_prompt_from_registry("empty", fallback_prompt="fb", registry=registry) == "fb"
    model = ModelConfig(use_prompt_registry=True, prompt_name="empty", system_prompt="cfg")
    resolved = resolve_system_prompt(model, registry=registry, env={})
    assert (resolved.text, resolved.source) == ("cfg", "config")
    assert resolved.reason and "no messages" in resolved.reason
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="empty")
    assert "no messages" in joined(at, "info") + joined(at, "markdown")


# -- 7. a name that belongs to a registered model ---------------------------------------------


def registered_model(uri: str, name: str) -> MlflowClient:
    """A plain registered model with a version (remote source), an alias and a tag."""
    client = sdk(uri)
    client.create_registered_model(name, tags={"team": "ml"})
    client.create_model_version(name, source="s3://bucket/model")
    client.set_registered_model_alias(name, "champion", "1")
    return client


def model_state(client: MlflowClient, name: str) -> tuple[Any, ...]:
    rm = client.get_registered_model(name)
    versions = client.search_model_versions(f"name = '{name}'")
    rows = sorted((v.version, v.source, sorted(v.tags.items())) for v in versions)
    return dict(rm.aliases), dict(rm.tags), rm.description, rows


WRITES = {
    "commit_version": lambda r, n: r.commit_version(n, "Hello", "msg"),
    "set_alias": lambda r, n: r.set_alias(n, "production", 1),
    "delete_alias": lambda r, n: r.delete_alias(n, "champion"),
    "set_prompt_tag": lambda r, n: r.set_prompt_tag(n, "team", "prompts"),
    "delete_prompt_tag": lambda r, n: r.delete_prompt_tag(n, "team"),
    "delete_version": lambda r, n: r.delete_version(n, 1),
    "create_prompt": lambda r, n: r.create_prompt(n, "Hello", "msg"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_to_a_registered_model_is_refused(
    registry: PromptRegistry, unique_name: str, write: str
) -> None:
    client = registered_model(registry.uri, unique_name)
    before = model_state(client, unique_name)
    assert "champion" in before[0] and len(before[3]) == 1
    with pytest.raises(NotAPromptError):
        WRITES[write](registry, unique_name)
    assert model_state(client, unique_name) == before
    assert unique_name not in {p.name for p in registry.list_prompts()}


def test_create_form_refuses_a_registered_models_name(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    client = registered_model(sqlite_uri, "model")
    before = model_state(client, "model")
    at = open_page(start_app(monkeypatch, sqlite_uri), "edit")
    at.text_input(key=f"{NEW}name").input("model")
    at.text_area(key=f"{NEW}text").input("Hello {{ q }}").run()
    at.button(key="edit_create").click().run()
    assert not at.exception
    assert "registered model, not a prompt" in joined(at, "error") + joined(at, "warning")
    assert PromptRegistry(sqlite_uri).list_prompts() == []
    assert model_state(client, "model") == before


# -- 8. search --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [("親切", ["kind"]), ("🙂", ["smile"]), ("content", []), ("role", []), ("plain", ["plain"])],
)
def test_search_reads_chat_text_not_its_json(sqlite_uri: str, query: str, expected: list) -> None:
    client = sdk(sqlite_uri)
    client.register_prompt("kind", [{"role": "system", "content": "親切に答えてください。"}])
    client.register_prompt("smile", [{"role": "user", "content": "Reply with 🙂 {{ q }}"}])
    client.register_prompt("plain", [{"role": "user", "content": "A plain question."}])
    found = filter_prompts(PromptRegistry(sqlite_uri).list_prompts(), query)
    assert [p.name for p in found] == expected


# -- 9. the loader ----------------------------------------------------------------------------


@pytest.fixture
def loadable(sqlite_uri: str) -> PromptRegistry:
    """`story`: v1, v2 (production) and v3."""
    client = sdk(sqlite_uri)
    for text in ("One.", "Two.", "Three."):
        client.register_prompt("story", text)
    client.set_prompt_alias("story", "production", 2)
    return PromptRegistry(sqlite_uri)


def test_loader_reads_prompt_uris(loadable: PromptRegistry) -> None:
    assert load_prompt_from_registry("prompts:/story@production", registry=loadable) == "Two."
    assert load_prompt_from_registry("prompts:/story/3", registry=loadable) == "Three."
    with pytest.raises(InvalidInputError, match="already names the version"):
        load_prompt_from_registry("prompts:/story@production", 1, registry=loadable)


@pytest.mark.parametrize(
    ("ref", "version", "message"),
    [
        ("prompts:/nope@production", None, "Prompt 'nope' does not exist."),
        ("nope", "production", "Prompt 'nope' does not exist."),
        ("nope", 1, "Prompt 'nope' does not exist."),
        ("prompts:/story@canary", None, "Prompt 'story' has no alias 'canary'."),
    ],
)
def test_loader_names_what_is_missing(
    loadable: PromptRegistry, ref: str, version: Any, message: str
) -> None:
    with pytest.raises(NotFoundError) as caught:
        load_prompt_from_registry(ref, version, registry=loadable)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("ref", "version", "dead"),
    [
        ("prompts:/story/1/2", None, False),  # a bad URI
        ("prompts:/story", None, False),
        ("prompts:/story@production", 2, False),
        ("prompts:/nope@production", None, False),  # a missing prompt
        ("story", "canary", False),  # a missing alias
        ("story", 9, False),  # a missing version
        ("prompts:/story@production", None, True),  # a registry that is down
    ],
)
def test_loader_with_a_fallback_never_raises(
    loadable: PromptRegistry, ref: str, version: Any, dead: bool
) -> None:
    registry = PromptRegistry(f"http://127.0.0.1:{free_port()}") if dead else loadable
    assert load_prompt_from_registry(ref, version, "fb", registry=registry) == "fb"


# -- 10. deleting a version records its aliases' removal --------------------------------------


def test_deleting_a_version_records_one_removal_per_alias(sqlite_uri: str) -> None:
    client = sdk(sqlite_uri)
    client.register_prompt("doomed", "One.")
    client.register_prompt("doomed", "Two.")
    for alias, version in (("production", 2), ("staging", 2), ("champion", 1)):
        client.set_prompt_alias("doomed", alias, version)
    registry = PromptRegistry(sqlite_uri)
    history = AliasHistory(registry)
    confirmed = ["production", "staging"]
    delete_version(registry, history, "doomed", 2, confirmed_aliases=confirmed, user="ana")
    events = history.events("doomed")
    assert sorted(e.alias for e in events) == confirmed
    for e in events:
        assert (e.from_version, e.to_version, e.user, e.source) == (2, None, "ana", "promptui")
    assert registry.get_aliases("doomed") == {"champion": 1}
    assert [v.version for v in registry.get_prompt("doomed").versions] == [1]


# -- 11. pages show what the registry holds now -----------------------------------------------


def board_lanes(at: AppTest) -> dict[int, list[str]]:
    """The alias board's data: alias names by version."""
    data = json.loads(at.get("bidi_component")[0].proto.json)
    return {lane["version"]: [a["name"] for a in lane["aliases"]] for lane in data["lanes"]}


def alias_links(at: AppTest) -> list[str]:
    """The prompt page's alias chips (links to the version each alias points at)."""
    labels = [unescape(link.proto.label) for link in at.get("page_link")]
    return [label for label in labels if " → v" in label]


def moving_prompt(uri: str) -> MlflowClient:
    """`moving`: v1 and v2, production -> v1."""
    client = sdk(uri)
    client.register_prompt("moving", "One.")
    client.register_prompt("moving", "Two.")
    client.set_prompt_alias("moving", "production", 1)
    return client


def test_prompt_page_shows_an_outside_alias_move_on_the_next_load(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    client = moving_prompt(sqlite_uri)
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="moving")
    assert "production → v1" in alias_links(at)
    client.set_prompt_alias("moving", "production", 2)  # another tool
    with count_requests() as rerun:
        at.run()  # a rerun of the same page load reuses what it read
    assert rerun.count == 0
    reloaded = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="moving")
    assert "production → v2" in alias_links(reloaded)  # a browser reload
    open_page(at, "prompt")  # the sidebar's Prompt link, then the same prompt picked again
    at.selectbox(key="prompt_pick").select("moving").run()
    assert "production → v2" in alias_links(at)
    assert "production → v1" not in alias_links(at)


def test_aliases_page_shows_an_outside_alias_move(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    client = moving_prompt(sqlite_uri)
    at = open_page(start_app(monkeypatch, sqlite_uri), "prompt", prompt="moving")
    client.set_prompt_alias("moving", "production", 2)  # another tool
    open_page(at, "aliases", prompt="moving")
    assert board_lanes(at) == {2: ["production"], 1: []}
    client.set_prompt_alias("moving", "production", 1)
    reloaded = open_page(start_app(monkeypatch, sqlite_uri), "aliases", prompt="moving")
    assert board_lanes(reloaded) == {2: [], 1: ["production"]}


# -- 12. input is not altered -----------------------------------------------------------------


def test_an_over_long_name_stays_in_the_field(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str
) -> None:
    name = "n" * 300
    at = open_page(start_app(monkeypatch, sqlite_uri), "edit")
    at.text_input(key=f"{NEW}name").input(name)
    at.text_area(key=f"{NEW}text").input("Hello").run()
    at.button(key="edit_create").click().run()
    assert not at.exception
    assert at.text_input(key=f"{NEW}name").value == name
    assert "300 characters long; use at most 256" in joined(at, "error")
    assert PromptRegistry(sqlite_uri).list_prompts() == []
