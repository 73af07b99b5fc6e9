"""Benchmark alias moves and rollbacks (with their history record) against a real `mlflow server`.

Run: .venv/bin/python benchmarks/alias_moves.py [--runs 10]
Starts `mlflow server` on loopback over a fresh SQLite store and prints the machine and a
Markdown table: requests and median / max seconds of each operation the aliases page performs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Row, machine, median_timed, seeded_server, stock_retries, timed
from promptui.aliases import move_alias, record_outside_changes, rollback_target
from promptui.aliases.history import AliasHistory
from promptui.registry import PromptRegistry

PROMPT = "bench-alias-moves"
MOVE = "move alias (check, set, record)"
ROLLBACK = "rollback (read history, move back, record)"


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
        (MOVE, move),
        (ROLLBACK, rollback),
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


def naive_move(runs: int, uri: str) -> tuple[int, float]:
    """A bare `MlflowClient.set_prompt_alias`: no check of what the user saw, no history."""
    client = PromptRegistry(uri, timeout_s=60).client()
    state = {"at": 1}

    def move() -> None:
        to = 3 - state["at"]
        client.set_prompt_alias(PROMPT, "naive", to)
        state["at"] = to

    with stock_retries():
        return median_timed(move, runs)


def run(uri: str, runs: int = 10) -> list[Row]:
    """Alias move and rollback round trips; the move against a bare `set_prompt_alias`."""
    measured = {label: (requests, median) for label, requests, median, _ in measure(runs, uri)}
    naive_requests, naive_s = naive_move(runs, uri)
    move_requests, move_s = measured[MOVE]
    rollback_requests, rollback_s = measured[ROLLBACK]
    return [
        Row(
            "alias move round trip (check, set, record history; naive: bare set, no check, "
            "no history)",
            move_s,
            naive=naive_s,
            requests=move_requests,
            naive_requests=naive_requests,
        ),
        Row(
            "rollback round trip (read history, move back, record)",
            rollback_s,
            requests=rollback_requests,
            naive_note="impossible: MLflow keeps no alias history",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        seeded_server(Path(tmp), 0, 0) as server,
    ):
        rows = measure(args.runs, server.url)
    print(f"Machine: {machine()}; {args.runs} runs each, local `mlflow server` over SQLite.\n")
    print("| operation | requests | median s | max s |")
    print("|---|---:|---:|---:|")
    for label, requests, median, worst in rows:
        print(f"| {label} | {requests} | {median:.3f} | {worst:.3f} |")


if __name__ == "__main__":
    main()
