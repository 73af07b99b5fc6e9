"""The embedded SQLite store under concurrent writes: a write succeeds or says "busy, retry".

SQLite lets one writer at a time; MLflow waits up to 20 s for the lock, then fails with
"database is locked". The service layer turns that into a retryable RegistryUnavailableError,
and such a call must have written nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from promptui.registry import PromptRegistry
from promptui.registry.errors import NotFoundError, PromptUIError, RegistryUnavailableError

THREADS = 12
COMMITS_EACH = 6
BUSY = "busy with another write; nothing was changed"


def db_path(uri: str) -> Path:
    return Path(uri.removeprefix("sqlite:///"))


def test_concurrent_commits_and_moves_on_the_embedded_store_lose_nothing(
    sqlite_uri: str, unique_name: str
) -> None:
    setup = PromptRegistry(sqlite_uri)
    setup.create_prompt(unique_name, "Start {{q}}", "v1")
    barrier = threading.Barrier(THREADS)

    def work(index: int) -> list[tuple[str, int | None, str, str]]:
        # Each thread is its own registry (client and store), like separate app sessions.
        registry = PromptRegistry(sqlite_uri)
        outcomes: list[tuple[str, int | None, str, str]] = []
        barrier.wait()
        for n in range(COMMITS_EACH):
            text = f"Thread {index} commit {n} {{{{q}}}}"
            try:
                made = registry.commit_version(unique_name, text, f"t{index}-{n}")
                outcomes.append(("ok", made.version, text, ""))
                registry.set_alias(unique_name, f"t{index}", made.version)
            except RegistryUnavailableError as e:
                outcomes.append(("busy", None, text, e.message))
            except Exception as e:  # reported below, with the rest
                outcomes.append(("error", None, text, f"{type(e).__name__}: {e}"))
        return outcomes

    with ThreadPoolExecutor(THREADS) as pool:
        results = [o for batch in pool.map(work, range(THREADS)) for o in batch]

    assert [r for r in results if r[0] == "error"] == []
    assert all(BUSY in message for kind, _, _, message in results if kind == "busy")
    detail = setup.get_prompt(unique_name)
    stored = {v.version: v.text for v in detail.versions}
    told = {version: text for kind, version, text, _ in results if kind == "ok"}
    assert len(told) == sum(1 for r in results if r[0] == "ok")  # no number given out twice
    # Every reported commit is there with its text; a refused one left nothing behind.
    assert set(stored) == {1} | set(told)
    assert all(stored[v] == text for v, text in told.items())
    refused = {text for kind, _, text, _ in results if kind == "busy"}
    assert refused.isdisjoint(stored.values())
    # Each thread's alias points at one of its own commits.
    for alias, version in detail.aliases.items():
        assert stored[version].startswith(f"Thread {alias.removeprefix('t')} ")


def test_a_held_write_lock_gives_a_retryable_message_and_writes_nothing(
    sqlite_uri: str, unique_name: str
) -> None:
    setup = PromptRegistry(sqlite_uri)
    setup.create_prompt(unique_name, "Start {{q}}", "v1")
    other = f"{unique_name}-new"
    writes: dict[str, Callable[[PromptRegistry], object]] = {
        "commit": lambda r: r.commit_version(unique_name, "Blocked {{q}}", "blocked"),
        "create": lambda r: r.create_prompt(other, "New {{q}}", "blocked"),
        "alias": lambda r: r.set_alias(unique_name, "production", 1, expected=None),
    }
    # Another program (another app instance, a script) in the middle of a long write.
    holder = sqlite3.connect(db_path(sqlite_uri), isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def attempt(kind: str) -> PromptUIError | None:
        try:
            writes[kind](PromptRegistry(sqlite_uri))
        except PromptUIError as e:
            return e
        return None

    try:
        with ThreadPoolExecutor(len(writes)) as pool:
            errors = dict(zip(writes, pool.map(attempt, writes), strict=True))
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    for kind, error in errors.items():
        assert isinstance(error, RegistryUnavailableError), (kind, error)
        assert BUSY in error.message and "Retry" in error.message
    detail = setup.get_prompt(unique_name)
    assert [v.version for v in detail.versions] == [1]
    assert detail.aliases == {}
    with pytest.raises(NotFoundError):
        setup.get_prompt(other)

    # Once the other write is over, the same calls go through.
    for write in writes.values():
        write(setup)
    assert setup.get_prompt(unique_name).aliases == {"production": 1}
    assert [v.version for v in setup.get_prompt(unique_name).versions] == [2, 1]
    assert setup.get_prompt(other).versions[0].text == "New {{q}}"
