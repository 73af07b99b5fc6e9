"""Answering a tracking server's responses at once, so a kept-alive request costs no 40 ms wait.

`mlflow server` serves through uvicorn, and with more than one worker (its default is four)
uvicorn binds the socket itself, as `socket.socket(family)`; asyncio sets `TCP_NODELAY` only on
sockets whose protocol is `IPPROTO_TCP`, so these sockets keep Nagle's algorithm. The server
then writes a response's head, and holds back its body until the client acknowledges the head.
On a connection that is kept alive, Linux delays that acknowledgement by about 40 ms. Every
request to such a server took about 50 ms from MLflow's Python client here, against 2 ms for
the same request on a new connection.

`install()` makes the HTTP connections of this process (urllib3's, which MLflow's client uses)
set `TCP_QUICKACK` each time they wait for a response: the head is acknowledged at once and the
body follows at once (about 11 ms a request here, `benchmarks/request_cost.py`). On systems
without `TCP_QUICKACK` (macOS, Windows) nothing changes. Servers that set `TCP_NODELAY` see one
more acknowledgement packet per response, nothing else.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

from urllib3 import connection, connectionpool

_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)
_lock = threading.Lock()


def quick_ack(sock: Any) -> None:
    """Ask the kernel to acknowledge what arrives next on `sock` at once (no-op where the
    option or the socket is missing)."""
    if _QUICKACK is None or sock is None:
        return
    with contextlib.suppress(OSError, AttributeError):  # not TCP (a proxy tunnel's wrapper)
        sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)


class QuickAckHTTPConnection(connection.HTTPConnection):
    """urllib3's HTTP connection, acknowledging each response at once."""

    def getresponse(self) -> Any:  # type: ignore[override]
        quick_ack(self.sock)
        return super().getresponse()


class QuickAckHTTPSConnection(connection.HTTPSConnection):
    """urllib3's HTTPS connection, acknowledging each response at once."""

    def getresponse(self) -> Any:  # type: ignore[override]
        quick_ack(self.sock)
        return super().getresponse()


def install() -> bool:
    """Make urllib3's connection pools of this process open quick-acknowledging connections
    (connections already open stay as they are). Idempotent; returns whether it applies here
    (False where the system has no `TCP_QUICKACK`). No request."""
    if _QUICKACK is None:
        return False
    with _lock:
        connectionpool.HTTPConnectionPool.ConnectionCls = QuickAckHTTPConnection
        connectionpool.HTTPSConnectionPool.ConnectionCls = QuickAckHTTPSConnection
    return True


def installed() -> bool:
    """Whether new connections of this process acknowledge responses at once."""
    return connectionpool.HTTPConnectionPool.ConnectionCls is QuickAckHTTPConnection
