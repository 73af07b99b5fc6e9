"""The service layer on a real `mlflow server` (HTTP) and on the embedded SQLite store.

Also the pure helpers: `display_uri` and `PromptDetail.resolve`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from mlflow import MlflowClient

from promptui.instrument import count_requests
from promptui.registry import PromptRegistry, display_uri
from promptui.registry.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    StaleBaseError,
)
from promptui.registry.models import ChatMessage, PromptDetail, PromptVersion
from promptui.registry.validation import MAX_TEMPLATE_CHARS

CHAT = (
    ChatMessage("system", "You are a {{style}} assistant."),
    ChatMessage("user", "{{question}}"),
)


def names(registry: PromptRegistry) -> set[str]:
    return {s.name for s in registry.list_prompts()}


def version_numbers(registry: PromptRegistry, name: str) -> list[int]:
    return [v.version for v in registry.get_prompt(name).versions]


def three_versions(registry: PromptRegistry, name: str) -> None:
    registry.create_prompt(name, "One {{a}}", "first")
    registry.commit_version(name, "Two {{a}} {{b}}", "second")
    registry.commit_version(name, "Three", "third")


# -- pure helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("https://alice:s3cret@mlflow.example.com/path?x=1", "https://mlflow.example.com/path?x=1"),
        ("https://tok3n@mlflow.example.com:8443", "https://mlflow.example.com:8443"),
        ("http://alice:p%40ss@10.0.0.1:5000", "http://10.0.0.1:5000"),
        ("http://alice:p@ss@10.0.0.1:5000", "http://10.0.0.1:5000"),
        ("http://bob:pw@[::1]:5000/", "http://[::1]:5000/"),
        ("http://:pw@host", "http://host"),
        ("sqlite:////tmp/x/mlflow.db", "sqlite:////tmp/x/mlflow.db"),
        ("databricks", "databricks"),
        ("databricks://profile", "databricks://profile"),
        ("http://bob:pw@[::1:5000", "http://…"),
    ],
)
def test_display_uri_hides_credentials(uri: str, shown: str) -> None:
    assert display_uri(uri) == shown
    assert "pw" not in shown and "s3cret" not in shown and "tok3n" not in shown


def test_registry_shows_uri_without_credentials() -> None:
    registry = PromptRegistry("http://alice:s3cret@127.0.0.1:5000")
    assert registry.display_uri == "http://127.0.0.1:5000"
    assert registry.kind == "server"


T0 = datetime(2026, 1, 1, tzinfo=UTC)


def pv(number: int) -> PromptVersion:
    return PromptVersion("p", number, "text", f"v{number}", (), (), "", {}, {}, (), T0)


DETAIL = PromptDetail(
    name="p",
    tags={},
    aliases={"production": 1, "champion": 3, "gone": 9},
    versions=(pv(3), pv(2), pv(1)),
    created_at=T0,
    updated_at=T0,
)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("latest", 3),
        ("LATEST", 3),
        (" latest ", 3),
        (2, 2),
        ("2", 2),
        ("v2", 2),
        ("V1", 1),
        ("production", 1),
        ("champion", 3),
        ("gone", None),  # an alias on a version that is no longer there
        ("staging", None),
        ("7", None),
        ("v", None),
        ("", None),
    ],
)
def test_resolve(ref: str | int, expected: int | None) -> None:
    found = DETAIL.resolve(ref)
    assert (found.version if found else None) == expected


def test_resolve_on_a_prompt_without_versions() -> None:
    empty = PromptDetail("p", {}, {}, (), T0, T0)
    assert empty.latest is None
    assert empty.resolve("latest") is None


# -- reads and writes on both stores -------------------------------------------------------


def test_create_text_prompt_and_read_it_back(registry: PromptRegistry, unique_name: str) -> None:
    created = registry.create_prompt(
        unique_name,
        "Answer in {{language}} for {{team}}.",
        "Initial prompt",
        tags={"team": "data-science", "project": "agent"},
        version_tags={"reviewed": "yes"},
        model_config={"model_name": "gpt-4o-mini", "temperature": 0.2},
        author="ana@example.com",
    )
    assert (created.name, created.version, created.prompt_type) == (unique_name, 1, "text")
    assert created.variables == ("language", "team")

    detail = registry.get_prompt(unique_name)
    assert detail.tags == {"team": "data-science", "project": "agent"}
    assert detail.aliases == {}
    (v1,) = detail.versions
    assert v1.text == "Answer in {{language}} for {{team}}."
    assert v1.commit_message == "Initial prompt"
    assert v1.variables == ("language", "team")
    assert v1.user_tags == {"reviewed": "yes"}
    assert v1.tags == {"reviewed": "yes", "_promptui_author": "ana@example.com"}
    assert v1.model_config == {"model_name": "gpt-4o-mini", "temperature": 0.2}
    assert v1.author == "ana@example.com"
    assert v1.uri == f"prompts:/{unique_name}/1"

    (row,) = [s for s in registry.list_prompts() if s.name == unique_name]
    assert row.latest_version == 1
    assert row.tags == detail.tags
    assert row.latest_text == v1.text
    assert row.latest_commit_message == "Initial prompt"


def test_create_chat_prompt(registry: PromptRegistry, unique_name: str) -> None:
    created = registry.create_prompt(unique_name, CHAT, "chat")
    assert created.is_chat
    assert created.messages == CHAT
    got = registry.get_version(unique_name, 1)
    assert got.prompt_type == "chat"
    assert got.messages == CHAT
    assert got.variables == ("style", "question")
    assert got.template == [{"role": m.role, "content": m.content} for m in CHAT]
    assert created.text == got.text  # as MLflow stores it
    (row,) = [s for s in registry.list_prompts() if s.name == unique_name]
    assert row.prompt_type == "chat"


def test_commit_versions_newest_first(registry: PromptRegistry, unique_name: str) -> None:
    registry.create_prompt(unique_name, "One", "first")
    second = registry.commit_version(unique_name, "Two", " second ", base_version=1)
    assert second.version == 2
    assert second.commit_message == "second"
    third = registry.commit_version(unique_name, CHAT, "to chat")
    assert third.version == 3
    detail = registry.get_prompt(unique_name)
    assert [v.version for v in detail.versions] == [3, 2, 1]
    assert [v.prompt_type for v in detail.versions] == ["chat", "text", "text"]
    assert detail.latest is not None and detail.latest.version == 3


def test_stale_base_is_refused_and_nothing_written(
    registry: PromptRegistry, unique_name: str
) -> None:
    registry.create_prompt(unique_name, "One", "first")
    registry.commit_version(unique_name, "Two by someone else", "theirs", base_version=1)
    with pytest.raises(StaleBaseError) as e:
        registry.commit_version(unique_name, "Two by me", "mine", base_version=1)
    assert (e.value.base_version, e.value.latest_version) == (1, 2)
    assert "Version 2" in e.value.message
    assert version_numbers(registry, unique_name) == [2, 1]
    assert registry.get_version(unique_name, "latest").text == "Two by someone else"


def test_get_version_by_number_latest_and_alias(registry: PromptRegistry, unique_name: str) -> None:
    three_versions(registry, unique_name)
    registry.set_alias(unique_name, "production", 2)
    assert registry.get_version(unique_name).version == 3
    assert registry.get_version(unique_name, "latest").text == "Three"
    assert registry.get_version(unique_name, 1).text == "One {{a}}"
    assert registry.get_version(unique_name, "2").version == 2
    assert registry.get_version(unique_name, "v1").version == 1
    production = registry.get_version(unique_name, "production")
    assert production.version == 2
    assert production.aliases == ("production",)
    assert registry.latest_version_number(unique_name) == 3


def test_missing_things_are_not_found(registry: PromptRegistry, unique_name: str) -> None:
    registry.create_prompt(unique_name, "One", "first")
    missing = f"{unique_name}-missing"
    for call in (
        lambda: registry.get_prompt(missing),
        lambda: registry.get_version(missing, "latest"),
        lambda: registry.get_version(missing, 1),
        lambda: registry.get_version(unique_name, 9),
        lambda: registry.get_version(unique_name, "staging"),
        lambda: registry.get_version(unique_name, "²"),
        lambda: registry.commit_version(missing, "Text", "message"),
        lambda: registry.set_alias(unique_name, "production", 9),
        lambda: registry.delete_alias(unique_name, "production"),
        lambda: registry.delete_version(unique_name, 9),
        lambda: registry.set_prompt_tag(missing, "k", "v"),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert missing not in names(registry)
    assert registry.get_prompt(unique_name).aliases == {}


def test_create_refuses_an_existing_name(registry: PromptRegistry, unique_name: str) -> None:
    registry.create_prompt(unique_name, "Original", "first")
    with pytest.raises(ConflictError, match="already exists"):
        registry.create_prompt(unique_name, "Impostor", "second")
    assert version_numbers(registry, unique_name) == [1]
    assert registry.get_version(unique_name, 1).text == "Original"


def test_alias_set_move_and_delete_with_expected_guard(
    registry: PromptRegistry, unique_name: str
) -> None:
    three_versions(registry, unique_name)
    move = registry.set_alias(unique_name, "production", 1, expected=None)
    assert (move.from_version, move.to_version) == (None, 1)
    move = registry.set_alias(unique_name, "production", 2, expected=1)
    assert (move.from_version, move.to_version) == (1, 2)
    registry.set_alias(unique_name, "champion", 3)
    assert registry.get_prompt(unique_name).aliases == {"champion": 3, "production": 2}

    with pytest.raises(ConflictError, match="now points to version 2; you saw version 1"):
        registry.set_alias(unique_name, "production", 3, expected=1)
    with pytest.raises(ConflictError, match="you saw no version"):
        registry.set_alias(unique_name, "production", 3, expected=None)
    with pytest.raises(ConflictError):
        registry.delete_alias(unique_name, "production", expected=3)
    assert registry.get_aliases(unique_name) == {"champion": 3, "production": 2}

    gone = registry.delete_alias(unique_name, "production", expected=2)
    assert (gone.from_version, gone.to_version) == (2, None)
    assert registry.get_aliases(unique_name) == {"champion": 3}
    with pytest.raises(ConflictError, match="it was removed"):
        registry.set_alias(unique_name, "production", 1, expected=2)
    assert registry.get_aliases(unique_name) == {"champion": 3}


@pytest.mark.parametrize("alias", ["latest", "LATEST", "Latest", "v1", "V2", "prod.v2", "a b"])
def test_reserved_or_bad_aliases_write_nothing(
    registry: PromptRegistry, unique_name: str, alias: str
) -> None:
    registry.create_prompt(unique_name, "One", "first")
    with count_requests() as log, pytest.raises(InvalidInputError):
        registry.set_alias(unique_name, alias, 1)
    assert log.count == 0
    assert registry.get_aliases(unique_name) == {}


def test_prompt_tags(registry: PromptRegistry, unique_name: str) -> None:
    registry.create_prompt(unique_name, "One", "first", tags={"team": "a"})
    registry.set_prompt_tag(unique_name, "team", "b")
    registry.set_prompt_tag(unique_name, "stage", "<b>beta</b>")
    assert registry.get_prompt(unique_name).tags == {"team": "b", "stage": "<b>beta</b>"}
    registry.delete_prompt_tag(unique_name, "team")
    assert registry.get_prompt(unique_name).tags == {"stage": "<b>beta</b>"}

    with pytest.raises(InvalidInputError, match="reserved"):
        registry.set_prompt_tag(unique_name, "mlflow.prompt.is_prompt", "false")
    with pytest.raises(InvalidInputError, match="belongs to MLflow"):
        registry.delete_prompt_tag(unique_name, "mlflow.prompt.is_prompt")
    assert unique_name in names(registry)  # still a prompt


def test_delete_version_takes_its_aliases(registry: PromptRegistry, unique_name: str) -> None:
    three_versions(registry, unique_name)
    registry.set_alias(unique_name, "production", 2)
    registry.set_alias(unique_name, "champion", 3)
    registry.delete_version(unique_name, 2)
    detail = registry.get_prompt(unique_name)
    assert [v.version for v in detail.versions] == [3, 1]
    assert detail.aliases == {"champion": 3}
    with pytest.raises(NotFoundError):
        registry.get_version(unique_name, 2)
    nxt = registry.commit_version(unique_name, "Four", "after a delete", base_version=3)
    assert nxt.version == 4


def test_delete_prompt(registry: PromptRegistry, unique_name: str) -> None:
    three_versions(registry, unique_name)
    registry.delete_prompt(unique_name)
    assert unique_name not in names(registry)
    with pytest.raises(NotFoundError):
        registry.get_prompt(unique_name)


LONG = "x" * (MAX_TEMPLATE_CHARS + 1)


@pytest.mark.parametrize(
    ("name_suffix", "template", "says"),
    [
        (" has spaces", "Text", "only letters, digits"),
        ("/slash", "Text", "only letters, digits"),
        ("", "", "empty"),
        ("", "   \n", "empty"),
        ("", LONG, "at most 100,000"),
        ("", (), "at least one message"),
        ("", (ChatMessage.from_data({"role": "x", "content": 1}),), "Input should be a valid"),
        ("", (ChatMessage("user", ""),), "has no content"),
    ],
)
def test_invalid_create_writes_nothing(
    registry: PromptRegistry,
    unique_name: str,
    name_suffix: str,
    template: str | tuple[ChatMessage, ...],
    says: str,
) -> None:
    before = names(registry)
    with count_requests() as log, pytest.raises(InvalidInputError) as e:
        registry.create_prompt(unique_name + name_suffix, template, "message")
    assert says in e.value.message
    assert log.count == 0  # refused before any request
    assert names(registry) == before


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"tags": {"mlflow.prompt.is_prompt": "x"}}, "reserved"),
        ({"model_config": {"temperature": -1}}, "temperature"),
    ],
)
def test_invalid_create_options_write_nothing(
    registry: PromptRegistry, unique_name: str, kwargs: dict[str, object], says: str
) -> None:
    with pytest.raises(InvalidInputError, match=says):
        registry.create_prompt(unique_name, "Text", "message", **kwargs)  # type: ignore[arg-type]
    assert unique_name not in names(registry)


@pytest.mark.parametrize(
    ("template", "message", "says"),
    [
        ("", "message", "empty"),
        (LONG, "message", "at most 100,000"),
        (
            (ChatMessage("user", "{{q}}"), ChatMessage.from_data({"role": "x", "tool_calls": 1})),
            "message",
            "tool_calls: Input should be a valid list",
        ),
        ("Text", "  ", "commit message"),
    ],
)
def test_invalid_commit_writes_nothing(
    registry: PromptRegistry,
    unique_name: str,
    template: str | tuple[ChatMessage, ...],
    message: str,
    says: str,
) -> None:
    registry.create_prompt(unique_name, "One", "first")
    with count_requests() as log, pytest.raises(InvalidInputError, match=says):
        registry.commit_version(unique_name, template, message, base_version=1)
    assert log.count == 0
    assert version_numbers(registry, unique_name) == [1]


def test_template_at_the_limit_is_stored_whole(registry: PromptRegistry, unique_name: str) -> None:
    text = "y" * MAX_TEMPLATE_CHARS
    registry.create_prompt(unique_name, text, "largest allowed")
    assert registry.get_version(unique_name, 1).text == text


def test_list_prompts_sorted_and_searched(registry: PromptRegistry, unique_name: str) -> None:
    registry.create_prompt(f"{unique_name}-b", "About cats", "b", tags={"kind": "pets"})
    registry.create_prompt(f"{unique_name}-A", "About {{dogs}}", "a", tags={"kind": "pets"})
    registry.create_prompt(f"{unique_name}-c", "About cars", "c", tags={"kind": "cars"})
    listed = [s.name for s in registry.list_prompts() if s.name.startswith(unique_name)]
    assert listed == [f"{unique_name}-A", f"{unique_name}-b", f"{unique_name}-c"]
    found = registry.list_prompts(f"{unique_name} kind=pets")
    assert [s.name for s in found] == [f"{unique_name}-A", f"{unique_name}-b"]


def test_registered_models_are_not_prompts(registry: PromptRegistry, unique_name: str) -> None:
    MlflowClient(tracking_uri=registry.uri, registry_uri=registry.uri).create_registered_model(
        unique_name
    )
    assert unique_name not in names(registry)
    with pytest.raises(NotFoundError, match="registered model, not a prompt"):
        registry.get_prompt(unique_name)


def test_info(registry: PromptRegistry, unique_name: str) -> None:
    registry.create_prompt(unique_name, "One", "first")
    info = registry.info()
    assert info.kind == ("embedded" if registry.uri.startswith("sqlite:") else "server")
    assert info.uri == registry.display_uri
    assert info.prompt_count == len(registry.list_prompts()) >= 1


# -- request counts over HTTP --------------------------------------------------------------


def test_get_prompt_takes_at_most_two_requests(
    server_registry: PromptRegistry, unique_name: str
) -> None:
    three_versions(server_registry, unique_name)
    server_registry.set_alias(unique_name, "production", 2)
    with count_requests() as log:
        detail = server_registry.get_prompt(unique_name)
    assert log.count <= 2
    assert [v.version for v in detail.versions] == [3, 2, 1]
    assert detail.version(2) is not None and detail.version(2).aliases == ("production",)


@pytest.mark.parametrize("ref", [2, "2", "v2", "latest", "production"])
def test_get_version_takes_one_request(
    server_registry: PromptRegistry, unique_name: str, ref: str | int
) -> None:
    three_versions(server_registry, unique_name)
    server_registry.set_alias(unique_name, "production", 2)
    with count_requests() as log:
        got = server_registry.get_version(unique_name, ref)
    assert log.count == 1
    assert got.version == (3 if ref == "latest" else 2)


def test_list_prompts_takes_one_request(server_registry: PromptRegistry, unique_name: str) -> None:
    three_versions(server_registry, unique_name)
    with count_requests() as log:
        listed = server_registry.list_prompts()
    assert log.count == 1
    assert unique_name in {s.name for s in listed}
