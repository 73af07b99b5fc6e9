"""Benchmark alias moves and rollbacks (with their history record) against a real `mlflow server`.

Run: .venv/bin/python benchmarks/alias_moves.py [--runs 10]
Starts `mlflow server` on loopback over a fresh SQLite store and prints the machine and a
Markdown table: requests and median / max seconds of each operation the aliases page performs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.seed import create_registry_db
from promptui.aliases import move_alias, record_outside_changes, rollback_target
from promptui.history import AliasHistory
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from tests.servers import start_mlflow_server

PROMPT = "bench-alias-moves"


def timed(fn: Callable[[], object]) -> tuple[int, float]:
    """Requests and wall seconds of one call."""
    with count_requests() as log:
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
    return log.count, seconds


def measure(runs: int, uri: str) -> list[tuple[str, int, float, float]]:
    """(operation, requests per call, median s, max s) for each operation."""
    registry = PromptRegistry(uri, timeout_s=60)
    history = AliasHistory(registry, "bench-alias-history")
    registry.create_prompt(PROMPT, "Answer {{question}}.", "first")
    registry.commit_version(PROMPT, "Answer {{question}} briefly.", "second")
    move_alias(registry, history, PROMPT, "production", 1, expected=None)  # creates the experiment
    state = {"at": 1}

    def move() -> None:
        to = 3 - state["at"]
        move_alias(registry, history, PROMPT, "production", to, expected=state["at"])
        state["at"] = to

    def rollback() -> None:
        # What the page's rollback button does: the events are already on screen (cached), so
        # the round trip is the move itself; reading them fresh is the separate row below.
        events = history.events(PROMPT)
        target = rollback_target(events, "production")
        assert target is not None
        move_alias(registry, history, PROMPT, "production", target, expected=state["at"])
        state["at"] = target

    def board_load() -> None:
        detail = registry.get_prompt(PROMPT)
        events = history.events(PROMPT)
        record_outside_changes(registry, history, PROMPT, detail.aliases, events)

    operations: list[tuple[str, Callable[[], None]]] = [
        ("move alias (check, set, record)", move),
        ("rollback (read history, move back, record)", rollback),
        ("history of one prompt", lambda: history.events(PROMPT)),
        ("board load (prompt + history + reconcile)", board_load),
    ]
    rows = []
    for label, fn in operations:
        fn()  # warm-up
        samples = [timed(fn) for _ in range(runs)]
        requests = max(r for r, _ in samples)
        seconds = [s for _, s in samples]
        rows.append((label, requests, statistics.median(seconds), max(seconds)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        uri = create_registry_db(work / "mlflow.db")
        server = start_mlflow_server(uri, work)
        try:
            rows = measure(args.runs, server.url)
        finally:
            server.stop()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        f", {platform.system()}; {args.runs} runs each, local `mlflow server` over SQLite.\n"
    )
    print("| operation | requests | median s | max s |")
    print("|---|---:|---:|---:|")
    for label, requests, median, worst in rows:
        print(f"| {label} | {requests} | {median:.3f} | {worst:.3f} |")


if __name__ == "__main__":
    main()
