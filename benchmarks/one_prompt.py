"""Benchmark reading one prompt with all its versions: `PromptRegistry.get_prompt` against the
naive way over MLflow's prompt API.

Run: .venv/bin/python benchmarks/one_prompt.py [--prompts 1000] [--versions 20] [--runs 10]
The naive way is what a page built on the prompt API alone does: `get_prompt` (tags), then
`search_prompt_versions` (every version), then one lookup per alias to know where it points.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlflow import MlflowClient

from benchmarks.common import (
    Row,
    machine,
    markdown_table,
    median_timed,
    seeded_server,
    stock_retries,
)
from promptui.registry import PromptRegistry

ALIASES = ("production",)  # what benchmarks/seed.py sets on every prompt


def naive_read(client: MlflowClient, name: str) -> None:
    """One prompt, all its versions and where its aliases point, through the prompt API."""
    prompt = client.get_prompt(name)
    assert prompt is not None
    versions = client.search_prompt_versions(name, max_results=1000)
    _ = [(v.version, v.template, v.commit_message) for v in versions]
    for alias in ALIASES:
        client.get_prompt_version_by_alias(name, alias)


def run(uri: str, name: str, versions: int, prompts: int, runs: int = 10) -> list[Row]:
    """`get_prompt` of one prompt against the naive way, median of `runs` after a warm-up."""
    registry = PromptRegistry(uri, timeout_s=60)
    detail = registry.get_prompt(name)
    if len(detail.versions) != versions:
        raise SystemExit(f"expected {versions} versions of {name}, read {len(detail.versions)}")
    requests, seconds = median_timed(lambda: registry.get_prompt(name), runs)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    with stock_retries():
        naive_requests, naive_seconds = median_timed(lambda: naive_read(client, name), runs)
    return [
        Row(
            f"one prompt with all {versions} versions and its aliases, {prompts:,} prompts",
            seconds,
            naive=naive_seconds,
            requests=requests,
            naive_requests=naive_requests,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="promptui-bench-") as tmp,
        seeded_server(Path(tmp), args.prompts, args.versions) as server,
    ):
        rows = run(server.url, "bench-00000", args.versions, args.prompts, args.runs)
    print(f"Machine: {machine()}\n")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
