"""Benchmark one request of MLflow's own client to `mlflow server`: on connections that
acknowledge responses at once (`promptui.registry.quick_ack`, what promptui's registry sets up)
against urllib3's stock connections, in the same run, on the same kept-alive connection pool.

Run: .venv/bin/python benchmarks/request_cost.py [--runs 40]
The server is `mlflow server` as the tests start it (two uvicorn workers; its default is four):
its sockets keep Nagle's algorithm, which is what makes the stock connections wait.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlflow import MlflowClient
from mlflow.utils import request_utils
from urllib3 import connection, connectionpool

from benchmarks.common import Row, machine, markdown_table, median_timed, seeded_server
from promptui.registry import PromptRegistry, quick_ack


@contextmanager
def connections(http: type, https: type) -> Iterator[None]:
    """New pools of MLflow's client open connections of these classes inside the block."""
    before = (
        connectionpool.HTTPConnectionPool.ConnectionCls,
        connectionpool.HTTPSConnectionPool.ConnectionCls,
    )
    connectionpool.HTTPConnectionPool.ConnectionCls = http
    connectionpool.HTTPSConnectionPool.ConnectionCls = https
    request_utils._cached_get_request_session.cache_clear()  # pools (and connections) anew
    try:
        yield
    finally:
        connectionpool.HTTPConnectionPool.ConnectionCls = before[0]
        connectionpool.HTTPSConnectionPool.ConnectionCls = before[1]
        request_utils._cached_get_request_session.cache_clear()


def _both(label: str, call: Callable[[], object], runs: int) -> Row:
    with connections(connection.HTTPConnection, connection.HTTPSConnection):
        stock_requests, stock = median_timed(call, runs)
    with connections(quick_ack.QuickAckHTTPConnection, quick_ack.QuickAckHTTPSConnection):
        requests, quick = median_timed(call, runs)
    return Row(label, quick, naive=stock, requests=requests, naive_requests=stock_requests)


def run(uri: str, name: str, runs: int = 40) -> list[Row]:
    """A read, an alias write and a run written and finished, each on stock connections and on
    quick-acknowledging ones (median of `runs` after a warm-up)."""
    PromptRegistry(uri)  # what the app does first: turns retries off, installs quick_ack
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    store = client._get_registry_client().store
    experiment = client.create_experiment("request-cost")

    def run_written() -> None:
        run = client.create_run(experiment)
        client._tracking_client.store.update_run_info(run.info.run_id, "FINISHED", 0, None)

    def read() -> None:
        store.get_registered_model(name)

    def alias_set() -> None:
        store.set_prompt_alias(name, "bench", 1)

    return [
        _both("one read (registered-models/get), MLflow's client", read, runs),
        _both("one alias set (registered-models/alias)", alias_set, runs),
        _both("a history record: run created and finished (2 requests)", run_written, runs),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="promptui-bench-") as tmp,
        seeded_server(Path(tmp), 10, 2) as server,
    ):
        rows = run(server.url, "bench-00000", args.runs)
    print(f"Machine: {machine()}\n")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
