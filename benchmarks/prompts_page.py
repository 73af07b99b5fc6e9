"""Benchmark the prompts page with a big registry: first render, search reruns, opening a prompt.

Run: .venv/bin/python benchmarks/prompts_page.py [--prompts 1000] [--versions 20] [--runs 5]
Seeds the prompts straight into SQLite (benchmarks/seed.py), serves them with a real
`mlflow server` on loopback, renders the page through `streamlit.testing` (the server-side run
of the script: registry requests, building the list, serialising it; not the browser's paint)
and prints the machine and a Markdown table of seconds and registry requests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.common import load_average, machine, seeded_server
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from tests.apptest_util import list_data
from tests.servers import PROJECT_DIR

FIRST_RENDER_TARGET_S = 2.0


@dataclass(frozen=True)
class Measure:
    """One figure: median seconds over the runs and the registry requests of one run."""

    label: str
    seconds: float
    requests: int
    target: str


def _cold_app() -> AppTest:
    """A new browser session on the prompts page, with nothing cached in the process."""
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=120)
    at.switch_page("pages/prompts.py")
    return at


def _timed(step: Callable[[], object]) -> tuple[float, int]:
    with count_requests() as log:
        start = time.perf_counter()
        step()
        seconds = time.perf_counter() - start
    return seconds, log.count


def _check(at: AppTest, rows: int) -> None:
    if at.exception:
        raise SystemExit(f"the page failed: {at.exception}")
    data = list_data(at)
    shown = len(data["rows"]) if data is not None else 0
    if shown != rows:
        raise SystemExit(f"expected {rows} rows in the list, saw {shown}")


def measure(prompts: int, runs: int) -> list[Measure]:
    """Each step `runs` times on a fresh session; the median seconds and the requests."""
    first, broad, search, opening, browsing = [], [], [], [], []
    _cold_app().run()  # warm-up: imports and the first MLflow client
    for i in range(runs):
        at = _cold_app()
        first.append(_timed(at.run))
        _check(at, min(prompts, 1000))
        # Every seeded text says "assistant": the whole list is filtered and rebuilt.
        broad.append(_timed(at.text_input(key="prompts_search").input("assistant").run))
        _check(at, min(prompts, 1000))
        query = f"bench-{i:05d}"
        search.append(_timed(at.text_input(key="prompts_search").input(query).run))
        _check(at, 1)
        at.session_state["prompts_table"] = {"open": query}  # a click on the prompt
        opening.append(_timed(at.run))
        at.switch_page("pages/prompt.py")
        picker = next(s for s in at.selectbox if str(s.key).startswith("prompt_version_pick:"))
        browsing.append(_timed(picker.set_value(1).run))
        if at.exception or "**Version 1**" not in " ".join(m.value for m in at.markdown):
            raise SystemExit(f"the prompt page did not show version 1: {at.exception}")

    def median(samples: list[tuple[float, int]]) -> tuple[float, int]:
        return statistics.median(s for s, _ in samples), max(r for _, r in samples)

    rows = [
        (
            f"prompts page, first render ({prompts:,} prompts)",
            first,
            f"≤ {FIRST_RENDER_TARGET_S} s",
        ),
        ("search matching every prompt (rerun, filter in memory)", broad, "0 requests"),
        ("search matching one prompt (rerun)", search, "0 requests"),
        ("a prompt clicked: its page opens (all versions)", opening, "one read of the prompt"),
        ("another version chosen on the prompt page", browsing, "0 requests"),
    ]
    return [Measure(label, *median(samples), target) for label, samples, target in rows]


def table(measures: list[Measure], runs: int) -> str:
    """The results as Markdown."""
    lines = [
        f"| step (median of {runs}) | seconds | registry requests | target |",
        "|---|---:|---:|---|",
    ]
    lines += [f"| {m.label} | {m.seconds:.3f} | {m.requests} | {m.target} |" for m in measures]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="promptui-bench-") as tmp,
        seeded_server(Path(tmp), args.prompts, args.versions) as server,
    ):
        os.environ["MLFLOW_TRACKING_URI"] = server.url
        listed = len(PromptRegistry(server.url, timeout_s=60).list_prompts())
        if listed != args.prompts:
            raise SystemExit(f"expected {args.prompts} prompts, listed {listed}")
        measures = measure(args.prompts, args.runs)
    print(f"Machine: {machine()}; load average {load_average()}\n")
    print(f"{args.prompts:,} prompts x {args.versions} versions, `mlflow server` on loopback.\n")
    print(table(measures, args.runs))
    slow = measures[0].seconds > FIRST_RENDER_TARGET_S
    if slow or any(m.requests for m in measures if m.target == "0 requests"):
        raise SystemExit("a target was missed")


if __name__ == "__main__":
    main()
