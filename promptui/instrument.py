"""Counting the REST requests MLflow's client sends (for tests and benchmarks)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from mlflow.utils import rest_utils


@dataclass
class RequestLog:
    """Requests seen while counting: (method, url) in order."""

    calls: list[tuple[str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.calls)


_lock = threading.Lock()


@contextmanager
def count_requests() -> Iterator[RequestLog]:
    """Count every HTTP request MLflow's REST client makes inside the block (all threads)."""
    log = RequestLog()
    real = rest_utils._get_http_response_with_retries

    def counting(method: str, url: str, *args: object, **kwargs: object) -> object:
        with _lock:
            log.calls.append((method, url))
        return real(method, url, *args, **kwargs)

    rest_utils._get_http_response_with_retries = counting
    try:
        yield log
    finally:
        rest_utils._get_http_response_with_retries = real
