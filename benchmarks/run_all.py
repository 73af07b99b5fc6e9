"""Run every benchmark and print one Markdown table with the machine it was measured on.

Run: .venv/bin/python benchmarks/run_all.py [--quick]   (or `make bench`)
Each registry benchmark runs against a real `mlflow server` on loopback over SQLite, seeded with
1,000 prompts x 20 versions, then once more with 10,000 prompts x 20 (without the naive list,
which grows with the prompt count to several minutes there, the memory and the alias figures).
Export to prompt files runs at 1,000 x 20 from its own seeded server and the import of the
first 100 exported files (100 x 20) into empty servers, each against its naive way
(benchmarks/files.py); the naive import registers one version at a time, which would take about
an hour for all 1,000 here.
`--quick` seeds 100 x 5 and 1,000 x 5 instead (files: 100 x 5, all 100 imported).
Last, eight everyday tasks in Chromium, promptui against MLflow's own web UI on one small registry
of its own (benchmarks/ui_tasks.py), printed as a second table; `--ui-tasks-only` runs just
those (as does `.venv/bin/python benchmarks/ui_tasks.py`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import (
    alias_moves,
    browser,
    diff,
    files,
    insights,
    list_prompts,
    one_prompt,
    prompts_page,
    request_cost,
    ui_tasks,
)
from benchmarks.common import Row, load_average, machine, markdown_table, seeded_server

FIRST_PROMPT = "bench-00000"  # named by benchmarks/seed.py


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def prompts_page_rows(uri: str, prompts: int, runs: int) -> list[Row]:
    """The prompts page's server-side runs (AppTest), from benchmarks/prompts_page.py."""
    os.environ["MLFLOW_TRACKING_URI"] = uri  # the app under AppTest reads it
    size = f"{prompts:,} prompts"
    return [
        Row(
            f"{m.label}{'' if size in m.label else ', ' + size} (AppTest, server side)",
            m.seconds,
            requests=m.requests,
        )
        for m in prompts_page.measure(prompts, runs)
    ]


def registry_rows(
    workdir: Path, prompts: int, versions: int, *, full: bool, sessions: int, runs: int
) -> list[Row]:
    """Every registry and browser measure on one seeded server; `full` adds the naive list,
    the memory figure and the alias moves."""
    _log(f"seeding {prompts:,} x {versions} and starting mlflow server")
    with seeded_server(workdir / "mlflow", prompts, versions) as server:
        _log("request cost")
        rows = request_cost.run(server.url, FIRST_PROMPT, 4 * runs)
        _log("list page data")
        rows += list_prompts.run(server.url, prompts, naive=full)
        _log("one prompt")
        rows += one_prompt.run(server.url, FIRST_PROMPT, versions, prompts, runs)
        _log("prompts page")
        rows += prompts_page_rows(server.url, prompts, max(3, runs // 2))
        _log("browser")
        # Before the alias moves: they add a prompt, and the home page check counts prompts.
        rows += browser.run(server.url, workdir, prompts, sessions if full else None)
        if full:
            _log("alias moves")
            rows += alias_moves.run(server.url, runs)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 x 5 and 1,000 x 5 prompts")
    parser.add_argument(
        "--ui-tasks-only", action="store_true", help="only the everyday tasks, promptui vs MLflow"
    )
    args = parser.parse_args(argv)
    if args.ui_tasks_only:
        load_before = load_average()
        with tempfile.TemporaryDirectory(prefix="promptui-bench-") as tmp:
            section = ui_tasks.run(Path(tmp), log=_log)
        print(f"Machine: {machine()}; load average {load_before} at the start, ", end="")
        print(f"{load_average()} at the end.\n\n{section}")
        return 0
    main_size, big_size = ((100, 5), (1000, 5)) if args.quick else ((1000, 20), (10_000, 20))
    runs = 3 if args.quick else 10
    files_import = main_size[0] if args.quick else 100  # prompts imported (see the docstring)
    load_before = load_average()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="promptui-bench-") as tmp:
        work = Path(tmp)
        rows += registry_rows(work / "main", *main_size, full=True, sessions=10, runs=runs)
        _log("diff")
        rows += diff.run()
        _log("version insights")
        rows += insights.bench(work / "insights", 20, 200 if args.quick else 2000, runs)
        _log("export and import of prompt files")
        rows += files.run(work / "files", *main_size, import_prompts=files_import)
        rows += registry_rows(work / "big", *big_size, full=False, sessions=0, runs=runs)
        _log("everyday tasks in the browser, promptui vs MLflow's UI")
        ui_section = ui_tasks.run(work / "ui", log=_log)
    print(f"Machine: {machine()}.  ")
    print(
        f"`mlflow server` (2 workers) on 127.0.0.1 over SQLite; {main_size[0]:,} prompts x "
        f"{main_size[1]} versions unless the row says otherwise; medians of {runs} runs after a "
        f"warm-up; load average (1/5/15 min) {load_before} at the start, {load_average()} at "
        "the end.\n"
    )
    print(markdown_table(rows))
    print(f"\n{ui_section}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
