"""Concurrent alias moves against the real `mlflow server`: no lost update, no lost event."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

from promptui.aliases import move_alias
from promptui.aliases.history import AliasEvent, AliasHistory
from promptui.registry import PromptRegistry
from promptui.registry.errors import ConflictError
from tests.servers import Server


def test_two_clients_from_the_same_start_one_wins(mlflow_server: Server, unique_name: str) -> None:
    setup = PromptRegistry(mlflow_server.url)
    for n in range(3):
        commit = setup.create_prompt if n == 0 else setup.commit_version
        commit(unique_name, f"Version {n + 1} for {{{{question}}}}", f"v{n + 1}")
    experiment = f"hist-{unique_name}"
    move_alias(setup, AliasHistory(setup, experiment), unique_name, "production", 1, expected=None)

    clients = [PromptRegistry(mlflow_server.url) for _ in range(2)]
    barrier = threading.Barrier(2)

    def move(i: int) -> AliasEvent | ConflictError:
        client = clients[i]
        barrier.wait()
        try:
            event = move_alias(
                client,
                AliasHistory(client, experiment),
                unique_name,
                "production",
                2 + i,
                expected=1,
                user=f"user-{i}",
            )
        except ConflictError as e:
            return e
        assert event is not None
        return event

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(move, range(2)))
    wins = [r for r in results if isinstance(r, AliasEvent)]
    losses = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1 and len(losses) == 1
    winner = wins[0]
    assert f"now points to version {winner.to_version}" in losses[0].message
    assert f"by {winner.user}" in losses[0].message
    assert setup.get_aliases(unique_name) == {"production": winner.to_version}
    events = AliasHistory(setup, experiment).events(unique_name)
    assert [(e.from_version, e.to_version) for e in events] == [(1, winner.to_version), (None, 1)]


def test_twenty_parallel_moves_leave_twenty_events(mlflow_server: Server, unique_name: str) -> None:
    registry = PromptRegistry(mlflow_server.url)
    registry.create_prompt(unique_name, "Version 1 {{q}}", "v1")
    for n in range(2, 21):
        registry.commit_version(unique_name, f"Version {n} {{{{q}}}}", f"v{n}")
    history = AliasHistory(registry, f"hist-{unique_name}")
    barrier = threading.Barrier(20)

    def move(version: int) -> AliasEvent | None:
        barrier.wait()
        return move_alias(registry, history, unique_name, "production", version, user=f"u{version}")

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(move, range(1, 21)))
    assert all(r is not None for r in results)

    events = history.events(unique_name)
    assert len(events) == 20
    assert sorted(e.to_version for e in events) == list(range(1, 21))
    final = registry.get_aliases(unique_name)["production"]
    assert events[0].to_version == final
    # Each move started where the previous one ended: the history is one unbroken chain.
    oldest_first = list(reversed(events))
    assert oldest_first[0].from_version is None
    for before, after in itertools.pairwise(oldest_first):
        assert after.from_version == before.to_version
