"""Alias history stored as MLflow runs: write, read, request counts, reconcile."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promptui.aliases import move_alias
from promptui.aliases.history import MAX_REASON_CHARS, AliasEvent, AliasHistory, reconcile
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.registry.errors import InvalidInputError
from tests.servers import Server

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _event(alias: str, frm: int | None, to: int | None, minutes: int) -> AliasEvent:
    return AliasEvent("p", alias, frm, to, T0 + timedelta(minutes=minutes), "u", "", "promptui")


def test_record_then_read_newest_first(registry: PromptRegistry, unique_name: str) -> None:
    registry.create_prompt(unique_name, "Hello {{name}}", "first")
    history = AliasHistory(registry, f"hist-{unique_name}")
    assert history.events(unique_name) == []
    first = history.record(unique_name, "production", None, 1, reason="launch", user="ana")
    second = history.record(unique_name, "production", 1, 2, reason="<b>fix</b>", user="bo")
    events = history.events(unique_name)
    assert [e.event_id for e in events] == [second.event_id, first.event_id]
    newest = events[0]
    assert (newest.prompt, newest.alias, newest.from_version, newest.to_version) == (
        unique_name,
        "production",
        1,
        2,
    )
    assert newest.user == "bo"
    assert newest.reason == "<b>fix</b>"  # stored as given; the UI shows it literally
    assert newest.source == "promptui"
    assert events[1].from_version is None
    assert newest.at > events[1].at


def test_history_is_per_prompt(registry: PromptRegistry, unique_name: str) -> None:
    history = AliasHistory(registry, f"hist-{unique_name}")
    history.record(f"{unique_name}-a", "champion", None, 1)
    history.record(f"{unique_name}-b", "champion", None, 3, source="outside")
    (only,) = history.events(f"{unique_name}-b")
    assert only.to_version == 3
    assert only.outside


def test_read_costs_one_request_and_two_when_cold(
    server_registry: PromptRegistry, unique_name: str
) -> None:
    experiment = f"hist-{unique_name}"
    PromptRegistry(server_registry.uri).create_prompt(unique_name, "x", "first")
    cold = AliasHistory(PromptRegistry(server_registry.uri), experiment)
    AliasHistory(server_registry, f"other-{unique_name}").record(unique_name, "production", None, 1)
    with count_requests() as log:
        assert cold.events(unique_name) == []  # no experiment yet: one lookup, no search
    assert log.count == 1
    AliasHistory(server_registry, experiment).record(unique_name, "production", None, 1)
    cold = AliasHistory(PromptRegistry(server_registry.uri), experiment)  # a new instance
    with count_requests() as log:
        cold.events(unique_name)
    assert log.count == 1  # the experiment id is known to the process: search_runs only
    with count_requests() as log:
        cold.events(unique_name)
    assert log.count == 1


def test_record_costs_two_requests(server_registry: PromptRegistry, unique_name: str) -> None:
    history = AliasHistory(server_registry, f"hist-{unique_name}")
    history.record(unique_name, "production", None, 1)  # creates the experiment
    with count_requests() as log:
        history.record(unique_name, "production", 1, 2)
    assert log.count == 2


def test_prompts_list_stays_one_request(server_registry: PromptRegistry, unique_name: str) -> None:
    server_registry.create_prompt(unique_name, "Hi", "first")
    AliasHistory(server_registry, f"hist-{unique_name}").record(unique_name, "production", None, 1)
    with count_requests() as log:
        names = [p.name for p in server_registry.list_prompts()]
    assert log.count == 1
    assert unique_name in names


def test_parallel_first_writes_share_one_experiment(
    mlflow_server: Server, unique_name: str
) -> None:
    experiment = f"hist-{unique_name}"
    histories = [AliasHistory(PromptRegistry(mlflow_server.url), experiment) for _ in range(4)]
    barrier = threading.Barrier(len(histories))
    errors: list[BaseException] = []

    def write(h: AliasHistory, i: int) -> None:
        try:
            barrier.wait()
            h.record(unique_name, "champion", None, i + 1)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=write, args=(h, i)) for i, h in enumerate(histories)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({h.experiment_id(create=False) for h in histories}) == 1
    assert len(histories[0].events(unique_name)) == 4


def test_deleted_experiment_is_restored_on_write(
    server_registry: PromptRegistry, unique_name: str
) -> None:
    experiment = f"hist-{unique_name}"
    history = AliasHistory(server_registry, experiment)
    history.record(unique_name, "production", None, 1)
    server_registry.client().delete_experiment(history.experiment_id(create=False))
    fresh = AliasHistory(PromptRegistry(server_registry.uri), experiment)
    fresh.record(unique_name, "production", 1, 2)  # restores it (its runs come back with it)
    assert [e.to_version for e in fresh.events(unique_name)] == [2, 1]


def test_reconcile_finds_changes_made_elsewhere() -> None:
    events = [_event("production", None, 1, 0), _event("production", 1, 2, 1)]
    events.append(_event("old", None, 4, 2))
    found = reconcile("p", {"production": 3, "champion": 2}, events, at=T0)
    changes = {(e.alias, e.from_version, e.to_version) for e in found}
    assert changes == {("production", 2, 3), ("champion", None, 2), ("old", 4, None)}
    assert all(e.source == "outside" and e.prompt == "p" for e in found)
    assert reconcile("p", {"production": 2, "old": 4}, events) == []


aliases_st = st.dictionaries(
    st.sampled_from(["production", "champion", "a", "b"]), st.integers(1, 9)
)
events_st = st.lists(
    st.tuples(
        st.sampled_from(["production", "champion", "a"]),
        st.none() | st.integers(1, 9),
        st.none() | st.integers(1, 9),
    ),
    max_size=12,
)


@given(aliases_st, events_st)
def test_reconcile_then_nothing_left(aliases: dict[str, int], raw: list) -> None:
    events = [_event(a, f, t, i) for i, (a, f, t) in enumerate(raw)]
    outside = reconcile("p", aliases, events, at=T0 + timedelta(days=1))
    assert reconcile("p", aliases, events + outside) == []


def test_an_over_long_reason_is_refused_before_anything_moves(
    registry: PromptRegistry, unique_name: str
) -> None:
    registry.create_prompt(unique_name, "one", "first")
    history = AliasHistory(registry)
    with pytest.raises(InvalidInputError, match=f"{MAX_REASON_CHARS + 1:,} characters long"):
        move_alias(registry, history, unique_name, "production", 1, reason="r" * 5001)
    assert registry.get_aliases(unique_name) == {}
    assert history.events(unique_name) == []
