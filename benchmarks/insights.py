"""Benchmark version insights: one prompt with 20 versions and 2,000 linked runs.

Run: .venv/bin/python benchmarks/insights.py [--versions 20] [--runs-linked 2000] [--runs 5]
promptui reads a prompt's lineage in three requests (experiments, runs with a tag filter,
logged models) whatever the number of versions and runs. The naive way asks per version: a
`search_runs` filtered on that version's link. The prompt page rows are the server side of a
render under `streamlit.testing`: opening the page (insights not read), then opening its
"Runs & traces" tab (lineage and the version's traces read).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlflow import MlflowClient
from mlflow.entities import Metric, RunTag

from benchmarks.common import Row, machine, markdown_table, median_timed, seeded_server, timed
from promptui.insights.lineage import LINK_TAG, LineageReader
from promptui.registry import PromptRegistry

NAME = "bench-00000"  # the first prompt benchmarks/seed.py writes


def seed_runs(uri: str, versions: int, count: int) -> None:
    """`count` runs in two experiments, each linked to one version, with metrics."""
    client = MlflowClient(tracking_uri=uri)
    experiments = [client.create_experiment(f"eval-{i}") for i in range(2)]
    for i in range(count):
        version = i % versions + 1
        run = client.create_run(experiments[i % 2], run_name=f"eval-{i}")
        tag = json.dumps([{"name": NAME, "version": str(version)}])
        metrics = [
            Metric("accuracy", 0.5 + version / 100, 0, 0),
            Metric("latency_ms", 100.0 + i % 50, 0, 0),
        ]
        client.log_batch(run.info.run_id, metrics=metrics, tags=[RunTag(LINK_TAG, tag)])


def naive_lineage(client: MlflowClient, versions: int) -> int:
    """Per version, the runs that link it (what a script on MLflow's API alone would do)."""
    experiment_ids = [e.experiment_id for e in client.search_experiments()]
    found = 0
    for version in range(1, versions + 1):
        link = json.dumps([{"name": NAME, "version": str(version)}])
        runs = client.search_runs(
            experiment_ids, filter_string=f"tags.`{LINK_TAG}` = '{link}'", max_results=50_000
        )
        found += len(runs)
    return found


def page_rows(uri: str, linked: int) -> list[Row]:
    """The prompt page opened, then its Runs & traces tab, server side (AppTest)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["MLFLOW_TRACKING_URI"] = uri
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"))
    at.default_timeout = 120
    at.run()
    at.query_params.update({"prompt": NAME})
    at.switch_page("pages/prompt.py")
    opened = timed(at.run)
    at.session_state[f"prompt_tabs:{NAME}"] = "Runs & traces"
    tab = timed(at.run)
    assert not at.exception, at.exception
    return [
        Row(f"prompt page opens, {linked:,} linked runs (AppTest, server side)", opened[1],
            requests=opened[0]),
        Row(f"Runs & traces tab opens, {linked:,} linked runs (AppTest, server side)", tab[1],
            requests=tab[0]),
    ]  # fmt: skip


def run(uri: str, versions: int, linked: int, runs: int = 5) -> list[Row]:
    reader = LineageReader(PromptRegistry(uri, timeout_s=120))
    lineage = reader.lineage(NAME)
    if len(lineage.runs) != linked:
        raise SystemExit(f"expected {linked} linked runs, read {len(lineage.runs)}")
    requests, seconds = median_timed(lambda: reader.lineage(NAME), runs)
    client = MlflowClient(tracking_uri=uri)
    if naive_lineage(client, versions) != linked:
        raise SystemExit("the naive way found another number of runs")
    naive_requests, naive_seconds = median_timed(lambda: naive_lineage(client, versions), runs)
    return [
        Row(
            f"lineage of one prompt: {versions} versions, {linked:,} linked runs",
            seconds,
            naive=naive_seconds,
            requests=requests,
            naive_requests=naive_requests,
        ),
        *page_rows(uri, linked),
    ]


def bench(workdir: Path, versions: int, linked: int, runs: int) -> list[Row]:
    """The rows for `make bench`: a server with one prompt of `versions` and `linked` runs."""
    with seeded_server(workdir, 1, versions) as server:
        seed_runs(server.url, versions, linked)
        return run(server.url, versions, linked, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--runs-linked", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="promptui-bench-") as tmp,
        seeded_server(Path(tmp), 1, args.versions) as server,
    ):
        seed_runs(server.url, args.versions, args.runs_linked)
        rows = run(server.url, args.versions, args.runs_linked, args.runs)
    print(f"Machine: {machine()}\n")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
