"""SingleFlight: callers asking for the same key at the same time share one read (and its
error); the next read after it is a new one; a real registry's list is read once for many."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.registry.errors import RegistryUnavailableError
from promptui.ui.single_flight import SingleFlight

CALLERS = 6


def _together(flight: SingleFlight[object], fetch: object, release: threading.Event) -> list:
    """CALLERS callers ask at once; `release` lets the first read finish once all the others
    wait for it."""
    with ThreadPoolExecutor(CALLERS) as pool:
        futures = [pool.submit(flight.read, "list", fetch, wait_s=30) for _ in range(CALLERS)]
        for _ in range(1000):
            if flight.waiting("list") == CALLERS - 1:
                break
            time.sleep(0.01)
        assert flight.waiting("list") == CALLERS - 1
        release.set()
        return [f.exception() or f.result() for f in futures]


def _blocking(release: threading.Event, calls: list[int], result: object) -> object:
    def fetch() -> object:
        calls.append(1)
        assert release.wait(10)
        if isinstance(result, BaseException):
            raise result
        return result

    return fetch


def test_callers_at_the_same_time_share_one_read() -> None:
    flight: SingleFlight[object] = SingleFlight()
    release, calls = threading.Event(), []
    value = ["a", "b"]
    results = _together(flight, _blocking(release, calls, value), release)
    assert len(calls) == 1 and all(r is value for r in results)
    assert flight.running() == 0
    assert flight.read("list", lambda: "fresh", wait_s=1) == "fresh"  # a new read afterwards


def test_an_error_reaches_every_caller_and_the_next_read_tries_again() -> None:
    flight: SingleFlight[object] = SingleFlight()
    release, calls = threading.Event(), []
    error = RegistryUnavailableError("down")
    results = _together(flight, _blocking(release, calls, error), release)
    assert len(calls) == 1 and all(r is error for r in results)
    assert flight.read("list", lambda: "back", wait_s=1) == "back"


def test_a_waiting_caller_gives_up_at_its_deadline() -> None:
    flight: SingleFlight[object] = SingleFlight()
    release, started = threading.Event(), threading.Event()

    def slow() -> object:
        started.set()
        assert release.wait(10)
        return "late"

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(flight.read, "list", slow, wait_s=30)
        assert started.wait(10)
        with pytest.raises(RegistryUnavailableError, match="did not answer within"):
            flight.read("list", lambda: "never", wait_s=0.2)
        release.set()
        assert first.result() == "late"


def test_other_keys_are_read_on_their_own() -> None:
    flight: SingleFlight[object] = SingleFlight()
    assert flight.read("alice", lambda: 1, wait_s=1) == 1
    assert flight.read("bob", lambda: 2, wait_s=1) == 2


def test_many_sessions_listing_a_real_registry_send_one_request(
    server_registry: PromptRegistry, unique_name: str
) -> None:
    server_registry.create_prompt(unique_name, "Answer {{question}}.", "first")
    flight: SingleFlight[object] = SingleFlight()
    release, calls = threading.Event(), []

    def read() -> object:
        calls.append(1)
        assert release.wait(10)  # every other session asks while this read is under way
        return server_registry.list_prompts()

    with count_requests() as log:
        results = _together(flight, read, release)
    assert len(calls) == 1 and log.count == 1
    assert all(unique_name in [p.name for p in r] for r in results)
