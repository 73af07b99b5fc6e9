"""Answering a tracking server's responses at once, so a kept-alive request costs no 40 ms wait.

`mlflow server` serves through uvicorn, and with more than one worker (its default is four)
uvicorn binds the socket itself, as `socket.socket(family)`; asyncio sets `TCP_NODELAY` only on
sockets whose protocol is `IPPROTO_TCP`, so these sockets keep Nagle's algorithm. The server
then writes a response's head, and holds back its body until the client acknowledges the head.
On a connection that is kept alive, Linux delays that acknowledgement by about 40 ms. Every
request to such a server took about 52 ms from MLflow's Python client here, against 11 ms for
the same request on a new connection.

`install()` makes the HTTP connections of this process (urllib3's, which MLflow's client uses)
set `TCP_QUICKACK` each time they wait for a response: the head is acknowledged at once and the
body follows at once (about 15 ms a request here, `benchmarks/request_cost.py`). On systems
without `TCP_QUICKACK` (macOS, Windows) only the idle limit below applies. Servers that set
`TCP_NODELAY` see one more acknowledgement packet per response, nothing else.

Plain HTTP connections are not reused after `IDLE_LIMIT_S` seconds idle, so a request is never
sent on a connection the server is closing at that moment.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

from urllib3 import connection, connectionpool

_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)
# uvicorn, `mlflow server`'s default, closes a kept-alive connection after 5 s idle; a request
# sent on it at that moment fails ("Remote end closed connection without response"), and
# promptui's calls do not retry. A connection idle for longer than this is not reused.
IDLE_LIMIT_S = 4.0
_lock = threading.Lock()


def quick_ack(sock: Any) -> None:
    """Ask the kernel to acknowledge what arrives next on `sock` at once (no-op where the
    option or the socket is missing)."""
    if _QUICKACK is None or sock is None:
        return
    with contextlib.suppress(OSError, AttributeError):  # not TCP (a proxy tunnel's wrapper)
        sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)


class _QuickAck:
    """What both connection classes add: the quick acknowledgement, and no reuse of a
    connection idle for longer than `IDLE_LIMIT_S`."""

    _idle_since: float | None = None
    idle_limit_s: float | None = IDLE_LIMIT_S

    def getresponse(self) -> Any:
        quick_ack(self.sock)  # type: ignore[attr-defined]
        response = super().getresponse()  # type: ignore[misc]
        self._idle_since = time.monotonic()
        return response

    @property
    def is_connected(self) -> bool:
        """False once the connection has been idle for `idle_limit_s` (the pool then opens a
        new one), else urllib3's own check."""
        idle, limit = self._idle_since, self.idle_limit_s
        if idle is not None and limit is not None and time.monotonic() - idle > limit:
            return False
        return bool(super().is_connected)  # type: ignore[misc]


class QuickAckHTTPConnection(_QuickAck, connection.HTTPConnection):
    """urllib3's HTTP connection, acknowledging each response at once."""


class QuickAckHTTPSConnection(_QuickAck, connection.HTTPSConnection):
    """urllib3's HTTPS connection, acknowledging each response at once. Kept alive however long
    it is idle: a new one costs a TLS handshake, and servers behind HTTPS usually sit behind a
    proxy that keeps connections for a minute or more."""

    idle_limit_s = None


def install() -> bool:
    """Make urllib3's connection pools of this process open these connections (connections
    already open stay as they are). Idempotent; returns whether the quick acknowledgement
    applies here (False where the system has no `TCP_QUICKACK`: the idle limit still does).
    No request."""
    with _lock:
        connectionpool.HTTPConnectionPool.ConnectionCls = QuickAckHTTPConnection
        connectionpool.HTTPSConnectionPool.ConnectionCls = QuickAckHTTPSConnection
    return _QUICKACK is not None


def installed() -> bool:
    """Whether new connections of this process acknowledge responses at once."""
    return connectionpool.HTTPConnectionPool.ConnectionCls is QuickAckHTTPConnection
