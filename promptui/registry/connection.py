"""The connection under the service layer: one MLflow client, deadlines, and MLflow's errors
translated into promptui's once, by error code."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from promptui.config import DEFAULT_TIMEOUT_S, EMBEDDED_DB, default_tracking_uri
from promptui.registry import quick_ack
from promptui.registry.credentials import Credentials, client_with
from promptui.registry.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PromptUIError,
    RegistryUnavailableError,
)

T = TypeVar("T")

# Threads that carry calls (so a call can be given up at its deadline) and the requests a call
# sends at once; shared by every registry of the process, each person's or not.
_CALLS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="promptui-call")
_PARTS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="promptui-part")

_NOT_FOUND = {"RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"}
_INVALID = {"INVALID_PARAMETER_VALUE", "BAD_REQUEST", "INVALID_STATE", "MALFORMED_REQUEST"}
_DENIED = {"PERMISSION_DENIED", "UNAUTHENTICATED", "CUSTOMER_UNAUTHORIZED"}


def display_uri(uri: str) -> str:
    """The tracking URI without credentials, safe to show."""
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. an unclosed IPv6 bracket: the host part cannot be told apart
        scheme, sep, _ = uri.partition("://")
        return f"{scheme}://…" if sep else "(invalid URI)"
    if "@" not in parts.netloc:
        return uri
    # Everything up to the last '@' is user info; the rest keeps IPv6 brackets and port.
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


class RegistryConnection:
    """One MLflow registry: the client, a deadline on every call, errors translated."""

    def __init__(
        self,
        tracking_uri: str | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        credentials: Credentials | None = None,
    ) -> None:
        self.uri = tracking_uri or default_tracking_uri()
        self.timeout_s = timeout_s
        # One person's credentials, sent with this registry's requests only (never os.environ).
        self.credentials = credentials
        # The stock client retries a dead server for minutes; a call here has a deadline instead.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        _raise_http_timeout(timeout_s)
        quick_ack.install()  # a kept-alive request to `mlflow server`: ~15 ms, not ~52 ms
        self._bounded = not self.uri.startswith("sqlite:")
        self._client: MlflowClient | None = None

    @property
    def user(self) -> str | None:
        """Whom MLflow sees: the signed-in person, or the service account of the environment."""
        if self.credentials is not None:
            return self.credentials.username
        return os.environ.get("MLFLOW_TRACKING_USERNAME") or None

    @property
    def kind(self) -> str:
        """`embedded` (SQLite file), `databricks` or `server`."""
        if self.uri.startswith("sqlite:"):
            return "embedded"
        if self.uri.startswith("databricks"):
            return "databricks"
        return "server"

    @property
    def display_uri(self) -> str:
        return display_uri(self.uri)

    def _mlflow(self) -> MlflowClient:
        if self._client is None:
            if self.uri == f"sqlite:///{EMBEDDED_DB}":
                EMBEDDED_DB.parent.mkdir(parents=True, exist_ok=True)
            if self.credentials is not None:
                self._client = client_with(self.uri, self.credentials)
            else:
                self._client = MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)
        return self._client

    def _store(self) -> Any:
        return self._mlflow()._get_registry_client().store

    def _call(self, what: str, fn: Callable[[], T], *, needs: str = "READ") -> T:
        """Run one registry operation within the deadline, translating MLflow's errors;
        `needs` is the permission MLflow asks for it (named when MLflow refuses)."""
        try:
            if not self._bounded:
                return fn()
            future = _CALLS.submit(fn)
            try:
                return future.result(timeout=self.timeout_s)
            except FutureTimeout:
                raise RegistryUnavailableError(
                    f"The registry at {self.display_uri} did not answer within "
                    f"{self.timeout_s:g} s. Check that the MLflow server is running and "
                    "not overloaded, then retry (request_timeout_s sets the deadline)."
                ) from None
        except PromptUIError:
            raise
        except Exception as e:
            raise self._translate(e, what, needs) from e

    def client(self) -> MlflowClient:
        """The MlflowClient behind this registry, for the service layer's other modules."""
        return self._mlflow()

    def call(self, what: str, fn: Callable[[], T], *, needs: str = "READ") -> T:
        """Run one MLflow operation within the deadline, translating MLflow's errors."""
        return self._call(what, fn, needs=needs)

    def _parallel(self, what: str, *fns: Callable[[], Any]) -> list[Any]:
        """Run independent requests at once (one round trip of latency), same deadline."""

        def both() -> list[Any]:
            futures = [_PARTS.submit(f) for f in fns]
            return [f.result() for f in futures]

        return self._call(what, both)

    def _translate(self, e: Exception, what: str, needs: str = "READ") -> PromptUIError:
        where = self.display_uri
        if isinstance(e, MlflowException):
            code = e.error_code
            text = e.message if isinstance(e.message, str) else str(e)
            if "database is locked" in text:
                return RegistryUnavailableError(
                    "The registry database is busy with another write; nothing was changed. "
                    "Retry in a moment."
                )
            if code in _NOT_FOUND:
                return NotFoundError(f"{what} does not exist.")
            if code == "RESOURCE_ALREADY_EXISTS":
                return ConflictError(f"{what}: {text}")
            if code in _INVALID:
                return InvalidInputError(f"{what}: {text}")
            if code == "UNAUTHENTICATED":
                if self.credentials is not None:
                    return AuthenticationError(
                        f"The registry at {where} did not accept the user name or password "
                        f"of {self.credentials.username}. Sign in again."
                    )
                return AuthenticationError(
                    f"The registry at {where} asks for credentials and did not accept the ones "
                    "of this app (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD or a "
                    "token)."
                )
            if code in _DENIED:
                who = self.user or "this app's account"
                verb = "read" if needs == "READ" else "change"
                return PermissionDeniedError(
                    f"You ({who}) may not {verb} {what}: MLflow requires {needs} permission."
                    + ("" if needs == "READ" else " Nothing was changed.")
                )
            return RegistryUnavailableError(
                f"The registry at {where} could not be reached or failed ({_reason(text)}). "
                "Check that the MLflow server is running, then retry."
            )
        if isinstance(e, OSError | TimeoutError) or type(e).__module__.startswith(
            ("requests", "urllib3", "sqlalchemy")
        ):
            return RegistryUnavailableError(
                f"The registry at {where} could not be reached ({_reason(str(e))}). "
                "Check that the MLflow server is running, then retry."
            )
        raise e

    def _store_checked(self) -> Any:
        return self._call("Connecting to the registry", self._store)


def _raise_http_timeout(timeout_s: float) -> None:
    """MLflow's per-request timeout is process-wide: keep it no shorter than any deadline here."""
    wanted = max(1, math.ceil(timeout_s))
    current = os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT", "")
    if not current.isdigit() or int(current) < wanted:
        os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(wanted)


# Specific causes first: urllib3 wraps each of them in "Max retries exceeded".
_REASONS = (
    ("connection refused", "connection refused"),
    ("timed out", "no answer in time"),
    ("timeout", "no answer in time"),
    ("name or service not known", "host not found"),
    ("nodename nor servname", "host not found"),
    ("connection aborted", "the connection was dropped"),
    ("connection reset", "the connection was dropped"),
    ("remote end closed", "the connection was dropped"),
    ("max retries exceeded", "no connection"),
)


def _reason(text: str) -> str:
    """A short human reason for a low-level failure message."""
    low = text.lower()
    for needle, reason in _REASONS:
        if needle in low:
            return reason
    return _short(text, 120)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
