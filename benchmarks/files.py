"""Benchmark export to prompt files and import from them against a naive loop of per-version
MLflow calls, measured in the same run.

Run: .venv/bin/python benchmarks/files.py [--quick] [--prompts 1000] [--versions 20]
         [--import-prompts 100] [--runs 3]
Export: `export_files(PromptRegistry(url))` + `write_files` of every prompt of a seeded
`mlflow server` (SQLite), against `search_prompts` page by page, then per prompt
`get_prompt_version(name, "latest")` and `get_prompt_version(name, v)` for every other version,
one YAML file per prompt. Import: `read_dir` + `plan_import` + `apply_import` of the first
`--import-prompts` exported files into a second, empty server, against reading the same files
with `yaml.safe_load` and, per version in order, `MlflowClient.register_prompt`, then
`set_prompt_tag` per prompt tag and `set_prompt_alias` per alias, into a third empty server.
The promptui import is checked by exporting the second server again: every file must come back
byte for byte. Each import runs once (a second run would find nothing to do).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml
from mlflow import MlflowClient

from benchmarks.common import (
    Row,
    load_average,
    machine,
    markdown_table,
    seeded_server,
    stock_retries,
    timed,
)
from benchmarks.seed import create_registry_db
from promptui.aliases.history import AliasHistory
from promptui.files.exporting import export_files, write_files
from promptui.files.format import PromptFile, dump, read_dir
from promptui.files.importing import apply_import, plan_import
from promptui.registry.service import PromptRegistry
from tests.servers import Server, start_mlflow_server

TIMEOUT_S = 60  # one page of 10,000 versions takes seconds on a busy 2-CPU machine
REASON = "benchmark import"  # `production` is a protected alias: its move needs a reason
# MlflowClient.register_prompt logs one INFO line per version ("Waiting up to 300 seconds...").
QUIET_LOGGERS = ("mlflow.store.model_registry.abstract_store",)
PROGRESS_EVERY = 100  # the naive loops log their progress on stderr (they take minutes)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] files: {message}", file=sys.stderr, flush=True)


@contextmanager
def empty_server(template: Path, workdir: Path) -> Iterator[Server]:
    """A real `mlflow server` on loopback over a fresh copy of the empty, migrated template."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "mlflow.db"
    shutil.copy(template, db)
    server = start_mlflow_server(f"sqlite:///{db}", workdir, timeout_s=180)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def quiet_mlflow() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


# -- export ----------------------------------------------------------------------------------


def promptui_export(url: str, directory: Path) -> list[PromptFile]:
    """What `promptui export DIR` does: every prompt with every version, one file each."""
    files = export_files(PromptRegistry(url, timeout_s=TIMEOUT_S))
    write_files(files, directory)
    return files


def _naive_prompts(client: MlflowClient) -> list[Any]:
    """Every prompt (name and tags) through `search_prompts`, page by page."""
    prompts: list[Any] = []
    token = None
    while True:
        page = client.search_prompts(max_results=1000, page_token=token)
        prompts.extend(page)
        token = page.token
        if not token:
            return prompts


def _naive_version(pv: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"version": int(pv.version)}
    if pv.is_text_prompt:
        data.update(type="text", template=pv.template)
    else:
        data.update(type="chat", messages=pv.template)
    data["commit_message"] = pv.commit_message or ""
    if pv.tags:
        data["tags"] = dict(pv.tags)
    if pv.model_config:
        data["model_config"] = pv.model_config
    if pv.response_format:
        data["response_format"] = pv.response_format
    return data


def naive_export(client: MlflowClient, directory: Path) -> int:
    """A script over the prompt API: list the prompts, then read each version on its own (the
    newest through `latest`, the others by number); one YAML file per prompt. Returns the
    number of files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = 0
    prompts = _naive_prompts(client)
    for prompt in prompts:
        if written and written % PROGRESS_EVERY == 0:
            _log(f"naive export: {written:,} of {len(prompts):,} prompts read")
        name = prompt.name
        latest = client.get_prompt_version(name, "latest")
        versions = [client.get_prompt_version(name, v) for v in range(1, int(latest.version))]
        versions.append(latest)
        data = {
            "name": name,
            "tags": dict(prompt.tags),
            "aliases": {a: int(pv.version) for pv in versions for a in pv.aliases},
            "versions": [_naive_version(pv) for pv in versions],
        }
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
        written += 1
    return written


# -- import ----------------------------------------------------------------------------------


def promptui_import(url: str, directory: Path) -> list[str]:
    """What `promptui import DIR --reason ...` does; returns the failed prompts' lines."""
    files = read_dir(directory)
    registry = PromptRegistry(url, timeout_s=TIMEOUT_S)
    plan = plan_import(registry, files)
    if plan.conflicts:
        return [line for line in plan.lines() if line.startswith("CONFLICT")]
    return apply_import(
        registry, AliasHistory(registry), plan, files, reason=REASON, user="benchmark"
    )


def naive_import(client: MlflowClient, directory: Path) -> int:
    """A script over the prompt API reading the same files: per version in order
    `register_prompt` (template, commit message, version tags, model config, response format),
    then `set_prompt_tag` per prompt tag and `set_prompt_alias` per alias. Returns the number of
    versions registered."""
    registered = 0
    paths = sorted(directory.glob("*.yaml"))
    for done, path in enumerate(paths):
        if done and done % PROGRESS_EVERY == 0:
            _log(f"naive import: {done:,} of {len(paths):,} files")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = data["name"]
        for v in data["versions"]:
            client.register_prompt(
                name,
                v["messages"] if "messages" in v else v["template"],
                commit_message=v.get("commit_message") or None,
                tags=v.get("tags") or None,
                model_config=v.get("model_config"),
                response_format=v.get("response_format"),
            )
            registered += 1
        for key, value in (data.get("tags") or {}).items():
            client.set_prompt_tag(name, key, value)
        for alias, number in (data.get("aliases") or {}).items():
            client.set_prompt_alias(name, alias, number)
    return registered


def differing_files(url: str, directory: Path) -> list[str]:
    """Files of `directory` that exporting the registry at `url` does not give back byte for
    byte (missing ones included)."""
    exported = {f.file_name: dump(f) for f in export_files(PromptRegistry(url, timeout_s=60))}
    return [
        p.name
        for p in sorted(directory.glob("*.yaml"))
        if exported.get(p.name) != p.read_text(encoding="utf-8")
    ]


# -- the rows --------------------------------------------------------------------------------


def export_rows(url: str, workdir: Path, prompts: int, versions: int, runs: int) -> list[Row]:
    """Export of a seeded server: promptui's median of `runs` after a warm-up, naive once."""
    files = promptui_export(url, workdir / "warm-up")
    if len(files) != prompts or any(len(f.versions) != versions for f in files):
        raise SystemExit(f"export: expected {prompts} prompts x {versions} versions")
    samples = [
        timed(lambda i=i: promptui_export(url, workdir / f"export-{i}")) for i in range(runs)
    ]
    requests = max(r for r, _ in samples)
    seconds = statistics.median(s for _, s in samples)
    _log(f"promptui export: {seconds:.2f} s, {requests} requests; naive export (one run)")
    client = MlflowClient(tracking_uri=url, registry_uri=url)
    with stock_retries():
        naive_requests, naive_seconds = timed(lambda: naive_export(client, workdir / "naive"))
    written = len(list((workdir / "naive").glob("*.yaml")))
    if written != prompts:
        raise SystemExit(f"naive export: expected {prompts} files, wrote {written}")
    _log(f"naive export: {naive_seconds:.1f} s, {naive_requests} requests")
    return [
        Row(
            f"export to files, {prompts:,} prompts x {versions} versions (`export_files` + "
            f"`write_files`, median of {runs}; naive: `search_prompts`, then "
            "`get_prompt_version` per version, one run)",
            seconds,
            naive=naive_seconds,
            requests=requests,
            naive_requests=naive_requests,
        )
    ]


def import_rows(template: Path, source: Path, workdir: Path, versions: int) -> list[Row]:
    """Import of the files in `source` into two empty servers, promptui's way and the naive
    way, one run each; promptui's result is exported again and compared byte for byte."""
    prompts = len(list(source.glob("*.yaml")))
    with empty_server(template, workdir / "target") as server:
        _log(f"promptui import of {prompts:,} files")
        failed: list[str] = []
        requests, seconds = timed(lambda: failed.extend(promptui_import(server.url, source)))
        if failed:
            raise SystemExit("import failed:\n" + "\n".join(failed[:20]))
        _log(f"promptui import: {seconds:.1f} s, {requests} requests; checking the round trip")
        differ = differing_files(server.url, source)
    if differ:
        _log(f"ROUND TRIP NOT BYTE-IDENTICAL for {len(differ)} of {prompts} files: {differ[:5]}")
    with empty_server(template, workdir / "naive-target") as server:
        _log(f"naive import of {prompts:,} files")
        client = MlflowClient(tracking_uri=server.url, registry_uri=server.url)
        with stock_retries(), quiet_mlflow():
            naive_requests, naive_seconds = timed(lambda: naive_import(client, source))
        _log(f"naive import: {naive_seconds:.1f} s, {naive_requests} requests")
        naive_differ = differing_files(server.url, source)
        _log(f"naive import: {prompts - len(naive_differ)} of {prompts} files export back as is")
    checked = "round trip byte-identical" if not differ else f"{len(differ)} files DIFFER"
    return [
        Row(
            f"import from files into an empty registry, {prompts:,} prompts x {versions} versions"
            f" (`read_dir` + `plan_import` + `apply_import`, {checked}; naive: `register_prompt` "
            "per version, `set_prompt_tag`, `set_prompt_alias`; one run each)",
            seconds,
            naive=naive_seconds,
            requests=requests,
            naive_requests=naive_requests,
        )
    ]


def run(
    workdir: Path, prompts: int, versions: int, import_prompts: int, runs: int = 3
) -> list[Row]:
    """Export of `prompts` x `versions` from a seeded server, then import of the first
    `import_prompts` exported files into empty servers, each against the naive way."""
    workdir.mkdir(parents=True, exist_ok=True)
    template = workdir / "template.db"
    create_registry_db(template)
    _log(f"seeding {prompts:,} x {versions} and starting mlflow server")
    with seeded_server(workdir / "source", prompts, versions) as server:
        rows = export_rows(server.url, workdir / "out", prompts, versions, runs)
    source = workdir / "out" / "export-0"
    if import_prompts < prompts:
        subset = workdir / "import-source"
        subset.mkdir()
        for path in sorted(source.glob("*.yaml"))[:import_prompts]:
            shutil.copy(path, subset / path.name)
        source = subset
    rows += import_rows(template, source, workdir / "import", versions)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 prompts x 5 versions")
    parser.add_argument("--prompts", type=int, default=1000, help="prompts to export (1000)")
    parser.add_argument("--versions", type=int, default=20, help="versions per prompt (20)")
    parser.add_argument(
        "--import-prompts", type=int, default=100, help="of them, how many to import (100)"
    )
    parser.add_argument("--runs", type=int, default=3, help="promptui export runs (3)")
    args = parser.parse_args(argv)
    args.runs = max(1, args.runs)
    if args.quick:
        args.prompts, args.versions, args.import_prompts = 100, 5, 100
    load_before = load_average()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="promptui-bench-") as tmp:
        rows = run(Path(tmp), args.prompts, args.versions, args.import_prompts, args.runs)
    print(f"Machine: {machine()}.  ")
    print(
        "`mlflow server` (2 workers) on 127.0.0.1 over SQLite; load average (1/5/15 min) "
        f"{load_before} at the start, {load_average()} at the end; "
        f"{time.perf_counter() - start:,.0f} s in all.\n"
    )
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
