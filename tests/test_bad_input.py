"""Bad input, table-driven: every write of the service layer and every form of the pages.

Each case must be refused with a message that says what is wrong and how to fix it, before any
request, and a fresh read of the registry must show it unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.registry.errors import InvalidInputError
from promptui.registry.models import ChatMessage, PromptDetail
from promptui.registry.validation import MAX_NAME_CHARS, parse_chat_json
from tests.apptest_util import (
    fresh_streamlit_caches,
    open_keyboard_panel,
    open_page,
    open_tab,
    start_app,
    texts,
    unescape,
)
from tests.conftest import fresh_db
from tests.servers import Server

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here

NAME_RULE = "A prompt name may contain only letters, digits, '_', '.' and '-'"
RESERVED = (
    "is reserved: 'latest' always means the newest version and 'v<number>' names a version. "
    "Choose another alias, such as 'production' or 'champion'."
)
NO_KEY = "A tag needs a key."
KEY_RULE = "A tag key may contain only letters, digits, spaces and '_', '-', '.', ':', '/'"
MLFLOW_KEY = "is reserved for MLflow's own tags; choose another key."
EMPTY_TEMPLATE = "The template is empty: write the prompt text first."
TOO_LONG = "The template has 100,001 characters; MLflow accepts at most 100,000. Shorten it by 1."

# name: (bad name, the message)
BAD_NAMES = {
    "spaces": ("my prompt", f"{NAME_RULE} (found ' ')."),
    "slash": ("team/prompt", f"{NAME_RULE} (found '/')."),
    "unicode": ("café-prompt", f"{NAME_RULE} (found 'é')."),
    "300 characters": ("p" * 300, "The name is 300 characters long; use at most 256."),
}
# alias: (bad alias, the message)
BAD_ALIASES = {
    "latest": ("latest", f"'latest' {RESERVED}"),
    "v3": ("v3", f"'v3' {RESERVED}"),
    "LATEST": ("LATEST", f"'LATEST' {RESERVED}"),
    "spaces": ("prod ready", "An alias may not contain spaces."),
    "256 characters": ("a" * 256, "The alias is 256 characters long; use at most 255."),
}


# -- the service layer ------------------------------------------------------------------------


@dataclass(frozen=True)
class Store:
    """A registry with one existing prompt `base` (v1, v2, an alias, a tag) and a free `new`."""

    registry: PromptRegistry
    base: str
    new: str

    def snapshot(self) -> tuple[frozenset[str], PromptDetail]:
        """What a fresh read shows: every prompt name, and `base` in full."""
        names = frozenset(p.name for p in self.registry.list_prompts())
        return names, self.registry.get_prompt(self.base)


@pytest.fixture(scope="module", params=["server", "embedded"])
def store(
    request: pytest.FixtureRequest, template_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Store:
    if request.param == "server":
        registry = PromptRegistry(request.getfixturevalue("mlflow_server").url)
    else:
        registry = PromptRegistry(fresh_db(template_db, tmp_path_factory.mktemp("bad-input")))
    base = f"bad-{uuid.uuid4().hex[:10]}"
    registry.create_prompt(base, "Hello {{ x }}", "first", tags={"team": "a"})
    registry.commit_version(base, "Hello {{ x }}!", "second", version_tags={"stage": "beta"})
    registry.set_alias(base, "production", 1)
    return Store(registry, base, f"{base}-new")


Write = Callable[[PromptRegistry, str], object]

# Every write, given the prompt name to act on.
WRITES: dict[str, Write] = {
    "create_prompt": lambda r, name: r.create_prompt(name, "Hi", "first"),
    "commit_version": lambda r, name: r.commit_version(name, "Hi", "second"),
    "set_alias": lambda r, name: r.set_alias(name, "staging", 1),
    "delete_alias": lambda r, name: r.delete_alias(name, "production"),
    "set_prompt_tag": lambda r, name: r.set_prompt_tag(name, "team", "b"),
    "delete_prompt_tag": lambda r, name: r.delete_prompt_tag(name, "team"),
    "delete_version": lambda r, name: r.delete_version(name, 1),
    "delete_prompt": lambda r, name: r.delete_prompt(name),
}

Case = Callable[[PromptRegistry, Store], object]
LONG = "x" * 100_001


def chat(raw: str) -> Case:
    """Create a chat prompt from pasted JSON."""
    return lambda r, s: r.create_prompt(s.new, parse_chat_json(raw), "first")


# id: (the write, the message it must give)
CASES: dict[str, tuple[Case, str]] = {
    **{
        f"{write} / name with {label}": (lambda r, s, w=fn, n=name: w(r, n), message)
        for write, fn in WRITES.items()
        for label, (name, message) in BAD_NAMES.items()
    },
    "create / empty template": (lambda r, s: r.create_prompt(s.new, "", "m"), EMPTY_TEMPLATE),
    "commit / blank template": (lambda r, s: r.commit_version(s.base, " \n ", "m"), EMPTY_TEMPLATE),
    "create / 100,001 characters": (lambda r, s: r.create_prompt(s.new, LONG, "m"), TOO_LONG),
    "commit / 100,001 characters": (lambda r, s: r.commit_version(s.base, LONG, "m"), TOO_LONG),
    "chat JSON / malformed": (
        chat('[{"role": "user", "content": "hi"}'),
        "The chat template is not valid JSON (line 1, column 35: Expecting ',' delimiter).",
    ),
    "chat JSON / not a list": (
        chat('{"role": "user", "content": "hi"}'),
        'A chat template is a list of {"role": ..., "content": ...}.',
    ),
    "chat JSON / no role": (chat('[{"content": "hi"}]'), 'Message 1 needs a "role" (text).'),
    "chat JSON / content MLflow refuses": (
        chat('[{"role": "user", "content": 5}]'),
        "Message 1 (user): content: Input should be a valid string",
    ),
    "chat JSON / empty content": (
        chat('[{"role": "system", "content": "Be kind."}, {"role": "user", "content": " "}]'),
        "Message 2 (user) has no content.",
    ),
    "chat JSON / no messages": (chat("[]"), "A chat prompt needs at least one message."),
    "commit chat / tool calls MLflow refuses": (
        lambda r, s: r.commit_version(
            s.base,
            (ChatMessage.from_data({"role": "assistant", "content": None, "tool_calls": 3}),),
            "m",
        ),
        "Message 1 (assistant): tool_calls: Input should be a valid list",
    ),
    **{
        f"set_alias / {label}": (lambda r, s, a=alias: r.set_alias(s.base, a, 1), message)
        for label, (alias, message) in BAD_ALIASES.items()
    },
    "set_prompt_tag / empty key": (lambda r, s: r.set_prompt_tag(s.base, "", "x"), NO_KEY),
    "set_prompt_tag / blank key": (lambda r, s: r.set_prompt_tag(s.base, "   ", "x"), NO_KEY),
    "create / tag with empty key": (
        lambda r, s: r.create_prompt(s.new, "Hi", "m", tags={"": "x"}),
        NO_KEY,
    ),
    "commit / version tag with empty key": (
        lambda r, s: r.commit_version(s.base, "Hi", "m", version_tags={"": "x"}),
        NO_KEY,
    ),
    "set_prompt_tag / markup in key": (
        lambda r, s: r.set_prompt_tag(s.base, "<b>", "x"),
        f"{KEY_RULE} (found '<' '>').",
    ),
    "set_prompt_tag / key as a path": (
        lambda r, s: r.set_prompt_tag(s.base, "a//b", "x"),
        "The tag key 'a//b' reads as a file path; write it plainly.",
    ),
    "set_prompt_tag / MLflow's key": (
        lambda r, s: r.set_prompt_tag(s.base, "mlflow.prompt.is_prompt", "false"),
        f"'mlflow.prompt.is_prompt' {MLFLOW_KEY}",
    ),
    "delete_prompt_tag / MLflow's key": (
        lambda r, s: r.delete_prompt_tag(s.base, "mlflow.prompt.is_prompt"),
        "'mlflow.prompt.is_prompt' belongs to MLflow and cannot be removed here.",
    ),
    "commit / empty commit message": (
        lambda r, s: r.commit_version(s.base, "Hi", "  "),
        "Write a commit message that says what changed and why.",
    ),
    "commit / negative temperature": (
        lambda r, s: r.commit_version(s.base, "Hi", "m", model_config={"temperature": -1}),
        "Model settings: temperature: Input should be greater than or equal to 0",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_service_refuses_bad_input_before_any_request(store: Store, case: tuple[Case, str]) -> None:
    write, message = case
    before = store.snapshot()
    with count_requests() as log, pytest.raises(InvalidInputError) as e:
        write(store.registry, store)
    assert e.value.message == message
    assert log.count == 0
    assert store.snapshot() == before


def test_variables_with_odd_spacing_are_valid(store: Store) -> None:
    name = f"{store.new}-vars"
    created = store.registry.create_prompt(name, "A {{ x }} B {{y}} C {{   z\t}} D {{ x}}", "m")
    assert created.variables == ("x", "y", "z")
    assert store.registry.get_prompt(name).latest.variables == ("x", "y", "z")  # type: ignore[union-attr]


# -- the pages' forms -------------------------------------------------------------------------

NEW = "edit_w:+new:"
BASE = "base"


@pytest.fixture
def uri(sqlite_uri: str) -> str:
    """The test's own embedded registry holding `base` (two versions, an alias, a tag)."""
    registry = PromptRegistry(sqlite_uri)
    registry.create_prompt(BASE, "Hello {{ x }}", "first", tags={"team": "a"})
    registry.commit_version(BASE, "Hello {{ x }}!", "second")
    registry.set_alias(BASE, "production", 1)
    return sqlite_uri


@pytest.fixture
def unchanged(uri: str) -> Iterator[None]:
    """The registry reads the same after the test as before it."""
    before = Store(PromptRegistry(uri), BASE, "").snapshot()
    yield
    assert Store(PromptRegistry(uri), BASE, "").snapshot() == before


def errors(at: AppTest) -> list[str]:
    """Error messages as the user reads them."""
    return [unescape(e) for e in texts(at, "error")]


def create_form(monkeypatch: pytest.MonkeyPatch, uri: str) -> AppTest:
    return open_page(start_app(monkeypatch, uri), "edit")


def click_create(at: AppTest) -> AppTest:
    at.button(key="edit_create").click().run()
    assert not at.exception, at.exception
    return at


# The name field stops at 256 characters (checked below); the rest must be refused.
FORM_NAMES = {k: v for k, v in BAD_NAMES.items() if len(v[0]) <= 256} | {"existing": (BASE, "")}


@pytest.mark.parametrize("case", FORM_NAMES.values(), ids=FORM_NAMES.keys())
def test_create_form_refuses_bad_names(
    monkeypatch: pytest.MonkeyPatch, uri: str, unchanged: None, case: tuple[str, str]
) -> None:
    name, message = case
    message = message or (
        "A prompt named 'base' already exists; open it to commit a new version, "
        "or choose another name."
    )
    at = create_form(monkeypatch, uri)
    at.text_input(key=f"{NEW}name").input(name)
    at.text_area(key=f"{NEW}text").input("Hi {{ x }}")
    click_create(at)
    assert errors(at) == [message, "Nothing was created: fix the marked fields first."]


def test_create_form_keeps_an_over_long_name_and_says_the_limit(
    monkeypatch: pytest.MonkeyPatch, uri: str, unchanged: None
) -> None:
    """Typed or pasted, a name past the limit is never cut: it stays and is refused."""
    at = create_form(monkeypatch, uri)
    long_name = "n" * 300
    assert not at.text_input(key=f"{NEW}name").max_chars  # no limit that cuts input
    at.text_input(key=f"{NEW}name").input(long_name)
    at.text_area(key=f"{NEW}text").input("Hi {{ x }}")
    click_create(at)
    assert at.text_input(key=f"{NEW}name").value == long_name
    assert errors(at) == [
        f"The name is 300 characters long; use at most {MAX_NAME_CHARS}.",
        "Nothing was created: fix the marked fields first.",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", EMPTY_TEMPLATE), ("   \n", EMPTY_TEMPLATE), (LONG, TOO_LONG)],
)
def test_create_form_refuses_bad_templates(
    monkeypatch: pytest.MonkeyPatch, uri: str, unchanged: None, text: str, message: str
) -> None:
    at = create_form(monkeypatch, uri)
    at.text_input(key=f"{NEW}name").input("fresh")
    at.text_area(key=f"{NEW}text").input(text)
    click_create(at)
    assert errors(at) == [message, "Nothing was created: fix the marked fields first."]


def chat_form(monkeypatch: pytest.MonkeyPatch, uri: str) -> AppTest:
    """The create form switched to a chat template (an empty system and user message)."""
    at = create_form(monkeypatch, uri)
    at.text_input(key=f"{NEW}name").input("fresh-chat")
    at.get("button_group")[0].set_value("chat").run()
    assert at.text_area(key=f"{NEW}content:0").value == ""
    return at


def test_create_form_refuses_an_empty_chat_message(
    monkeypatch: pytest.MonkeyPatch, uri: str, unchanged: None
) -> None:
    at = chat_form(monkeypatch, uri)
    at.text_area(key=f"{NEW}content:0").input("You answer {{ question }}.")
    click_create(at)
    assert errors(at) == [
        "Message 2 (user) has no content.",
        "Nothing was created: fix the marked fields first.",
    ]


PASTED = {
    "malformed": (
        '[{"role": "user", "content": "hi"}',
        "The chat template is not valid JSON (line 1, column 35: Expecting ',' delimiter).",
    ),
    "content MLflow refuses": (
        '[{"role": "user", "content": {"text": "hi"}}]',
        "Message 1 (user): content: Input should be a valid string",
    ),
    "empty content": (
        '[{"role": "system", "content": "Be kind."}, {"role": "user", "content": ""}]',
        "Message 2 (user) has no content.",
    ),
    "not messages": (
        '{"messages": []}',
        'A chat template is a list of {"role": ..., "content": ...}.',
    ),
}


@pytest.mark.parametrize("case", PASTED.values(), ids=PASTED.keys())
def test_pasted_chat_json_is_refused_and_the_messages_stay(
    monkeypatch: pytest.MonkeyPatch, uri: str, unchanged: None, case: tuple[str, str]
) -> None:
    raw, message = case
    at = chat_form(monkeypatch, uri)
    at.text_area(key=f"{NEW}content:0").input("Kept.")
    at.text_area(key=f"{NEW}content:1").input("Also kept.")
    at.text_area(key=f"{NEW}json").input(raw)
    at.button(key=f"{NEW}json_apply").click().run()
    assert not at.exception
    assert errors(at) == [message]
    assert [at.text_area(key=f"{NEW}content:{i}").value for i in (0, 1)] == ["Kept.", "Also kept."]
    assert [at.selectbox(key=f"{NEW}role:{i}").value for i in (0, 1)] == ["system", "user"]


def test_pasted_chat_json_replaces_the_messages(monkeypatch: pytest.MonkeyPatch, uri: str) -> None:
    at = chat_form(monkeypatch, uri)
    raw = '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "{{ q }}"}]'
    at.text_area(key=f"{NEW}json").input(raw)
    at.button(key=f"{NEW}json_apply").click().run()
    click_create(at)
    assert PromptRegistry(uri).get_prompt("fresh-chat").latest.messages == (  # type: ignore[union-attr]
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "{{ q }}"),
    )


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("=support", NO_KEY),
        ("  = support", NO_KEY),
        ("team support", "Tag line 1 needs the form key=value."),
        ("<b>=x", f"{KEY_RULE} (found '<' '>')."),
    ],
)
def test_create_form_refuses_bad_tags(
    monkeypatch: pytest.MonkeyPatch, uri: str, unchanged: None, tags: str, message: str
) -> None:
    at = create_form(monkeypatch, uri)
    at.text_input(key=f"{NEW}name").input("fresh")
    at.text_area(key=f"{NEW}text").input("Hi")
    at.text_area(key=f"{NEW}tags").input(tags)
    click_create(at)
    assert errors(at) == [message, "Nothing was created: fix the marked fields first."]


def test_create_form_detects_variables_with_odd_spacing(
    monkeypatch: pytest.MonkeyPatch, uri: str
) -> None:
    at = create_form(monkeypatch, uri)
    at.text_input(key=f"{NEW}name").input("spaced")
    at.text_area(key=f"{NEW}text").input("Hi {{ x }}, {{y }} and {{  x}}.")
    click_create(at)
    assert PromptRegistry(uri).get_prompt("spaced").latest.variables == ("x", "y")  # type: ignore[union-attr]


@pytest.mark.parametrize("case", BAD_ALIASES.values(), ids=BAD_ALIASES.keys())
def test_alias_add_field_refuses_bad_aliases(
    monkeypatch: pytest.MonkeyPatch, uri: str, unchanged: None, case: tuple[str, str]
) -> None:
    alias, message = case
    at = open_keyboard_panel(open_page(start_app(monkeypatch, uri), "aliases", prompt=BASE))
    at.text_input(key="aliases_kb_new").input(alias)
    at.button(key="aliases_kb_add").click().run()
    assert not at.exception
    assert errors(at) == [message]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", NO_KEY),
        ("   ", NO_KEY),
        ("<b>", f"{KEY_RULE} (found '<' '>')."),
        (" team", "A tag key may not start or end with a space."),
        (
            "mlflow.prompt.is_prompt",
            "'mlflow.prompt.is_prompt' is reserved for MLflow's own tags; choose another key.",
        ),
    ],
)
def test_prompt_page_tag_form_refuses_bad_keys(
    monkeypatch: pytest.MonkeyPatch, uri: str, unchanged: None, key: str, message: str
) -> None:
    at = open_tab(
        open_page(start_app(monkeypatch, uri), "prompt", prompt=BASE), BASE, "Settings & tags"
    )
    at.text_input(key="prompt_tag:new_key:0").input(key)
    at.text_input(key="prompt_tag:new_value:0").input("support")
    at.button(key=f"FormSubmitter:prompt_tag:add:{BASE}-Add tag").click().run()
    assert not at.exception
    assert errors(at) == [message]
    assert at.text_input(key="prompt_tag:new_key:0").value == key  # the field keeps it


def test_server_registry_is_also_unchanged_by_a_refused_form(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    registry.create_prompt(unique_name, "Hello {{ x }}", "first")
    before = registry.get_prompt(unique_name)
    at = open_page(start_app(monkeypatch, mlflow_server.url), "aliases", prompt=unique_name)
    open_keyboard_panel(at)
    at.text_input(key="aliases_kb_new").input("LATEST")
    at.button(key="aliases_kb_add").click().run()
    assert errors(at) == [f"'LATEST' {RESERVED}"]
    assert registry.get_prompt(unique_name) == before
