"""Quick acknowledgements: the connections MLflow's client uses for promptui's registry set
TCP_QUICKACK before each response, on real TCP sockets (the time saved is measured in
benchmarks/request_cost.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from mlflow.utils import request_utils
from urllib3 import connectionpool

from promptui.instrument import count_requests
from promptui.registry import PromptRegistry, quick_ack
from tests.servers import Server


@pytest.fixture
def fresh_pools() -> Iterator[None]:
    """MLflow's client opens new connection pools (connections opened by earlier tests, before
    any registry existed in this process, stay as they were)."""
    request_utils._cached_get_request_session.cache_clear()
    yield
    request_utils._cached_get_request_session.cache_clear()


def test_every_registry_request_waits_on_a_quick_acknowledging_tcp_socket(
    mlflow_server: Server, unique_name: str, fresh_pools: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = PromptRegistry(mlflow_server.url)
    assert quick_ack.installed()
    registry.create_prompt(unique_name, "Answer {{question}}.", "first")
    sockets: list[socket.socket] = []
    real = quick_ack.quick_ack

    def spy(sock: socket.socket) -> None:
        sockets.append(sock)
        real(sock)

    monkeypatch.setattr(quick_ack, "quick_ack", spy)
    with count_requests() as log:
        registry.get_prompt(unique_name)
        registry.set_alias(unique_name, "production", 1)
    assert log.count == 4
    assert len(sockets) == log.count  # each request, on its own response
    for sock in sockets:
        assert sock.family == socket.AF_INET and sock.type == socket.SOCK_STREAM


def test_quick_ack_sets_the_option_on_a_connected_socket() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        with client, accepted:
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
            quick_ack.quick_ack(client)
            assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK) == 1


def test_quick_ack_leaves_other_sockets_alone() -> None:
    left, right = socket.socketpair()  # not TCP: the option does not apply
    with left, right:
        quick_ack.quick_ack(left)
        quick_ack.quick_ack(None)
        left.sendall(b"still works")
        assert right.recv(64) == b"still works"


def test_install_is_idempotent() -> None:
    assert quick_ack.install() == quick_ack.install() == hasattr(socket, "TCP_QUICKACK")
    assert quick_ack.installed()


def test_a_connection_idle_past_the_limit_is_not_reused(
    mlflow_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn closes a kept-alive connection after 5 s idle: a request sent on it at that
    moment would fail, so after `IDLE_LIMIT_S` the pool opens a new connection."""
    host, port = mlflow_server.url.split("//")[1].split(":")
    pool = connectionpool.HTTPConnectionPool(host, int(port), maxsize=1)
    pool.ConnectionCls = quick_ack.QuickAckHTTPConnection
    now = [1000.0]
    monkeypatch.setattr(quick_ack.time, "monotonic", lambda: now[0])
    ports: list[int] = []  # the local port of the connection each response came on
    real = quick_ack.quick_ack

    def spy(sock: socket.socket) -> None:
        ports.append(sock.getsockname()[1])
        real(sock)

    monkeypatch.setattr(quick_ack, "quick_ack", spy)
    with pool:
        assert pool.request("GET", "/health").status == 200
        now[0] += quick_ack.IDLE_LIMIT_S - 0.5
        assert pool.request("GET", "/health").status == 200
        now[0] += quick_ack.IDLE_LIMIT_S + 0.5
        assert pool.request("GET", "/health").status == 200
    assert ports[0] == ports[1]  # kept alive and reused
    assert ports[2] != ports[1]  # idle too long: a new connection


def test_only_plain_http_connections_have_an_idle_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new HTTPS connection costs a TLS handshake: those are kept however long idle."""
    now = [1000.0]
    monkeypatch.setattr(quick_ack.time, "monotonic", lambda: now[0])
    with socket.create_server(("127.0.0.1", 0)) as server:
        for cls, reused in (
            (quick_ack.QuickAckHTTPConnection, False),
            (quick_ack.QuickAckHTTPSConnection, True),
        ):
            conn = cls("127.0.0.1", server.getsockname()[1])
            conn.sock = socket.create_connection(server.getsockname())
            accepted, _ = server.accept()
            with conn.sock, accepted:
                conn._idle_since = now[0]
                assert conn.is_connected
                now[0] += quick_ack.IDLE_LIMIT_S + 1
                assert conn.is_connected == reused, cls
