"""Benchmark listing a big registry: `PromptRegistry.list_prompts` against the naive way.

Run: .venv/bin/python benchmarks/list_prompts.py [--prompts 1000] [--versions 20] [--naive-sample K]
Seeds the prompts straight into SQLite (benchmarks/seed.py), serves them with a real
`mlflow server` on loopback, and prints the machine and a Markdown table of requests and seconds.
The naive way is what a UI built on the prompt API alone does: `search_prompts` page by page,
then per prompt `search_prompt_versions` (latest version, version aliases) and an alias lookup.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlflow import MlflowClient

from benchmarks.common import Row, load_average, machine, seeded_server, stock_retries, timed
from promptui.registry import PromptRegistry

TARGET_S = 1.5
TARGET_RATIO = 20.0
FAST_RUNS = 5


@dataclass(frozen=True)
class Measure:
    """One way of listing: requests sent, seconds taken, and whether it was extrapolated."""

    label: str
    prompts: int
    requests: int
    seconds: float
    note: str = ""


def measure_fast(uri: str, prompts: int) -> Measure:
    """`PromptRegistry.list_prompts`: the median of several runs after one warm-up call."""
    registry = PromptRegistry(uri, timeout_s=60)
    listed = registry.list_prompts()
    if len(listed) != prompts:
        raise SystemExit(f"expected {prompts} prompts, listed {len(listed)}")
    runs = [timed(registry.list_prompts) for _ in range(FAST_RUNS)]
    requests = runs[0][0]
    seconds = statistics.median(s for _, s in runs)
    return Measure("`PromptRegistry.list_prompts`", prompts, requests, seconds, "median of 5")


def naive_names(client: MlflowClient) -> list[str]:
    """Every prompt name through `search_prompts`, page by page."""
    names: list[str] = []
    token = None
    while True:
        page = client.search_prompts(max_results=1000, page_token=token)
        names.extend(p.name for p in page)
        token = page.token
        if not token:
            return names


def naive_row(client: MlflowClient, name: str) -> None:
    """What a list row needs without the single call: versions, then the deployed alias."""
    versions = client.search_prompt_versions(name, max_results=1000)
    latest = max(versions, key=lambda v: int(v.version))
    _ = latest.template, latest.commit_message, [v.aliases for v in versions]
    client.get_prompt_version_by_alias(name, "production")


def measure_naive(uri: str, prompts: int, sample: int | None) -> Measure:
    """The naive listing, measured on every prompt or on `sample` of them and extrapolated."""
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    naive_names(client)  # warm-up, like the fast path
    list_requests, list_seconds = timed(lambda: naive_names(client))
    names = naive_names(client)
    subset = names if sample is None or sample >= len(names) else names[:sample]
    rows_requests, rows_seconds = timed(lambda: [naive_row(client, n) for n in subset])
    label = "naive: `search_prompts` + per prompt `search_prompt_versions` + alias lookup"
    if len(subset) == len(names):
        return Measure(label, prompts, list_requests + rows_requests, list_seconds + rows_seconds)
    scale = len(names) / len(subset)
    return Measure(
        label,
        prompts,
        list_requests + round(rows_requests * scale),
        list_seconds + rows_seconds * scale,
        f"EXTRAPOLATED from {len(subset)} of {len(names)} prompts",
    )


def run(
    uri: str, prompts: int, *, naive: bool = True, naive_sample: int | None = None
) -> list[Row]:
    """The list page's data from a server holding `prompts` prompts, against the naive way."""
    fast = measure_fast(uri, prompts)
    label = f"list page data, {prompts:,} prompts"
    if not naive:
        return [Row(label, fast.seconds, requests=fast.requests, naive_note="not measured")]
    with stock_retries():
        slow = measure_naive(uri, prompts, naive_sample)
    if slow.note:
        label += f" (naive {slow.note})"
    return [
        Row(
            label,
            fast.seconds,
            naive=slow.seconds,
            requests=fast.requests,
            naive_requests=slow.requests,
        )
    ]


def table(fast: Measure, naive: Measure, versions: int, load: str) -> str:
    """The results as Markdown."""
    ratio = naive.seconds / fast.seconds
    rows = [
        f"Machine: {machine()}; `mlflow server` (2 workers) on 127.0.0.1 over SQLite  ",
        f"Registry: {fast.prompts:,} prompts x {versions} versions; load average (1/5/15 min) "
        f"{load}\n",
        "| method | prompts | requests | seconds | note |",
        "|---|---:|---:|---:|---|",
    ]
    for m in (fast, naive):
        rows.append(f"| {m.label} | {m.prompts:,} | {m.requests:,} | {m.seconds:.2f} | {m.note} |")
    rows.append(f"| ratio naive / list_prompts | | | {ratio:.0f}x | |")
    fast_ok = "met" if fast.seconds <= TARGET_S else "MISSED"
    ratio_ok = "met" if ratio >= TARGET_RATIO else "MISSED"
    rows.append(
        f"\nTargets: list_prompts <= {TARGET_S} s ({fast_ok}), "
        f">= {TARGET_RATIO:.0f}x faster than naive ({ratio_ok})."
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=1000, help="prompts to seed (1000)")
    parser.add_argument("--versions", type=int, default=20, help="versions per prompt (20)")
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=None,
        help="time the naive per-prompt calls on K prompts and extrapolate (default: all)",
    )
    args = parser.parse_args(argv)
    load_before = load_average()
    with (
        tempfile.TemporaryDirectory(prefix="promptui-bench-") as tmp,
        seeded_server(Path(tmp), args.prompts, args.versions) as server,
    ):
        fast = measure_fast(server.url, args.prompts)
        print(f"list_prompts: {fast.seconds:.2f} s", file=sys.stderr)
        with stock_retries():
            naive = measure_naive(server.url, args.prompts, args.naive_sample)
    load = f"{load_before} at the start, {load_average()} at the end"
    print(table(fast, naive, args.versions, load))
    return 0


if __name__ == "__main__":
    sys.exit(main())
