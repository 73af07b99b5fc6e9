"""One read for callers that ask for the same thing at the same time.

Ten browser sessions opening the prompts page together each re-read the prompt list; against a
registry of 1,000 prompts on a small server, ten reads at once took longer than the request
deadline. With `SingleFlight`, a caller that asks while a read of the same key is under way
waits for that read and gets its value (or its error) instead of sending another request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Generic, TypeVar

from promptui.registry.errors import RegistryUnavailableError

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Reads by key, each key read by at most one caller at a time; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Hashable, Future[T]] = {}
        self._waiting: dict[Hashable, int] = {}

    def read(self, key: Hashable, fetch: Callable[[], T], *, wait_s: float) -> T:
        """`fetch()`, or the result of the `fetch` another caller started for `key` and has
        not finished (its error is raised here too). A caller waits at most `wait_s` seconds
        for another's read (RegistryUnavailableError after that); `fetch` should have its own
        deadline. Sends only what `fetch` sends, once for all callers at the same time."""
        with self._lock:
            running = self._running.get(key)
            if running is None:
                mine: Future[T] = Future()
                self._running[key] = mine
            else:
                self._waiting[key] = self._waiting.get(key, 0) + 1
        if running is not None:
            try:
                return running.result(timeout=wait_s)
            except FutureTimeout:
                raise RegistryUnavailableError(
                    f"The registry did not answer within {wait_s:.0f} s."
                ) from None
            finally:
                with self._lock:
                    self._waiting[key] -= 1
        try:
            value = fetch()
        except BaseException as e:
            mine.set_exception(e)
            raise
        else:
            mine.set_result(value)
            return value
        finally:
            with self._lock:
                self._running.pop(key, None)

    def running(self) -> int:
        """How many reads are under way now."""
        with self._lock:
            return len(self._running)

    def waiting(self, key: Hashable) -> int:
        """How many callers wait now for the read of `key` under way."""
        with self._lock:
            return self._waiting.get(key, 0)
