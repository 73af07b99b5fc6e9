"""Benchmark eight everyday prompt tasks in Chromium: promptui against MLflow's own web UI.

Run: .venv/bin/python benchmarks/ui_tasks.py [--runs 3]   (benchmarks/run_all.py runs it too)
One `mlflow server` over a fresh SQLite file holds six prompts of four versions each
(`production` → v2, `champion` → v3); `streamlit run app.py` serves promptui against it, and the
same server serves MLflow's React UI (Prompts under `#/prompts`). Every repetition of a task
starts on its UI's prompt list in a fresh browser context, counts clicks (a drag is one) and
typed fields (filled, then left with Tab or Enter), and times from the first action until the
result is visible; MlflowClient then checks the registry. Repetitions alternate between the
UIs; medians are reported. How each task is done is in benchmarks/ui_drivers.py (selectors at
its top).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mlflow
from mlflow import MlflowClient
from playwright.sync_api import Browser, Page, sync_playwright

from benchmarks.common import load_average, machine
from benchmarks.seed import create_registry_db
from benchmarks.ui_drivers import (
    DRIVERS,
    ML_LIST_LINK,
    PU_IDLE,
    PU_MAIN,
    PU_SIDEBAR,
    PU_SWITCHES,
    Actor,
    Job,
    ml_start,
    pu_start,
    shown,
    wait_for,
)
from promptui.aliases import move_alias, record_outside_changes
from promptui.aliases.history import AliasHistory
from promptui.registry import PromptRegistry
from tests.servers import CHROMIUM, CHROMIUM_ARGS, start_mlflow_server, start_streamlit

UIS = ("promptui", "mlflow")
VIEWPORT = {"width": 1400, "height": 1000}
SQL_PROMPT = "report-writer"
PROMPTS = {  # name → what it is; created in this order (not alphabetical)
    "support-triage": "the support triage assistant that routes tickets to the right team",
    "billing-faq": "the billing FAQ assistant",
    "welcome-bot": "the onboarding assistant that greets new customers",
    SQL_PROMPT: "the reporting assistant that writes SQL queries for the analytics warehouse",
    "churn-email": "the retention assistant that drafts emails to customers who cancel",
    "docs-helper": "the documentation assistant for the public API",
}
RULES = (
    "Keep answers under five sentences.",
    "Quote the policy section you rely on.",
    "Ask one clarifying question when the request is ambiguous.",
    "End with a one-line summary of the answer.",
)
VERSIONS, PRODUCTION, CHAMPION = 4, 2, 3


def template(name: str, version: int) -> str:
    return (
        f"You are {PROMPTS[name]}.\nAnswer the {{{{question}}}} in {{{{language}}}}.\n"
        f"{RULES[version - 1]}\nRevision {version} of {name}."
    )


def seed(url: str) -> None:
    """The prompts through MLflow's client; then promptui's alias history agrees with them
    (as after anyone opened them in promptui once)."""
    client = MlflowClient(tracking_uri=url, registry_uri=url)
    for name in PROMPTS:
        for version in range(1, VERSIONS + 1):
            client.register_prompt(name, template(name, version), f"Revision {version}")
        client.set_prompt_alias(name, "production", PRODUCTION)
        client.set_prompt_alias(name, "champion", CHAMPION)
    registry = PromptRegistry(url, timeout_s=60)
    history = AliasHistory(registry)
    for name in PROMPTS:
        aliases = registry.get_prompt(name).aliases
        record_outside_changes(registry, history, name, aliases, history.events(name))


def put_alias(url: str, name: str, alias: str, version: int) -> None:
    """Set `alias` on `version` as its last recorded change (rollback goes back from there)."""
    registry = PromptRegistry(url, timeout_s=60)
    history = AliasHistory(registry)
    now = registry.get_aliases(name).get(alias)
    if now == version:  # away and back, so the newest recorded change ends on `version`
        move_alias(registry, history, name, alias, 1, expected=now, user="bench", reason="reset")
        now = 1
    move_alias(
        registry, history, name, alias, version, expected=now, user="bench", reason="release"
    )


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    job: Callable[[str, int], Job]  # (ui, repetition) → what to do
    setup: Callable[[str], None] = lambda url: None
    check: Callable[[MlflowClient, Job], None] = lambda client, job: None
    how_mlflow: str = ""  # when MLflow's UI cannot do it as asked: what is done instead


def _latest(client: MlflowClient, name: str) -> int:
    return max(int(v.version) for v in client.search_prompt_versions(name))


def _alias_on(alias: str) -> Callable[[MlflowClient, Job], None]:
    def check(client: MlflowClient, job: Job) -> None:
        got = int(client.get_prompt_version_by_alias(job.prompt, alias).version)
        assert got == job.versions[1], f"{job.prompt}@{alias} is v{got}"

    return check


def _edited(client: MlflowClient, job: Job) -> None:
    newest = client.get_prompt_version(job.prompt, _latest(client, job.prompt))
    assert (newest.template, newest.commit_message) == (job.text, job.message), newest


def _created(client: MlflowClient, job: Job) -> None:
    got = client.get_prompt_version(job.prompt, 1).template
    assert got == [{"role": r, "content": c} for r, c in job.messages], got


def _edit_job(ui: str, rep: int) -> Job:
    stamp = f"Edited in {ui}, run {rep}."
    text = f"{template('churn-email', VERSIONS)}\n{stamp}"
    return Job("churn-email", show=stamp, text=text, message=f"{ui} edit {rep}")


def _copy_job(ui: str, rep: int) -> Job:
    clip = "prompts:/billing-faq@production" if ui == "promptui" else "prompts:/billing-faq/2"
    return Job("billing-faq", show=clip, alias="production", versions=(0, PRODUCTION))


def _chat_job(ui: str, rep: int) -> Job:
    system = f"You answer billing questions for {ui} run {rep}."
    messages = (("system", system), ("user", "{{question}}"))
    return Job(f"chat-{ui}-{rep}", show=system, messages=messages, message="first version")


def _search_job(ui: str, rep: int) -> Job:
    # Each prompt's page shows its latest text, which ends with this line (edits append).
    pages = tuple((n, f"Revision {VERSIONS} of {n}.") for n in PROMPTS)
    return Job(SQL_PROMPT, text="SQL", pages=pages)


TASKS = (
    Task("read", "read production", lambda ui, rep: Job(
        "billing-faq", show=f"Revision {PRODUCTION} of billing-faq", alias="production")),
    Task("compare", "compare production with latest", lambda ui, rep: Job(
        "billing-faq", show=f"{RULES[PRODUCTION - 1]}|{RULES[VERSIONS - 1]}",
        versions=(PRODUCTION, VERSIONS)),
        how_mlflow="latest against production (its default side, then one pick), Text view"),
    Task("edit", "edit and commit a new version", _edit_job, check=_edited),
    Task("champion", "point champion at a new version", lambda ui, rep: Job(
        "docs-helper", alias="champion", versions=(CHAMPION, VERSIONS)),
        setup=lambda url: put_alias(url, "docs-helper", "champion", CHAMPION),
        check=_alias_on("champion"), how_mlflow="alias typed on the version"),
    Task("rollback", "roll production back to the previous version", lambda ui, rep: Job(
        "support-triage", alias="production", versions=(CHAMPION, PRODUCTION)),
        setup=lambda url: put_alias(url, "support-triage", "production", CHAMPION),
        check=_alias_on("production"),
        how_mlflow="no alias history: alias typed by hand on the version known to be previous"),
    Task("chat", "create a chat prompt", _chat_job, check=_created),
    Task("search", 'find which prompt mentions "SQL"', _search_job,
         how_mlflow="search is by name/tag only: prompts opened in list order until found"),
    Task("copy", "copy the code to load production", _copy_job,
         how_mlflow="snippet pins the version (prompts:/NAME/2), not @production"),
)  # fmt: skip
ORDER = ("read", "compare", "edit", "champion", "rollback", "search", "copy", "chat")
# "chat" runs last: the prompts it creates would lengthen MLflow's search by hand.


# A page switch is over when the browser shows the new page's title and main heading and the
# app is idle. (Streamlit may draw a fast run's start and end in one frame, so counting its
# "running" states would miss runs.)
_SWITCHED = f"""([title, heading]) => document.title === title
  && [...document.querySelectorAll("[data-testid='{PU_MAIN}'] h1")]
       .some((h) => h.textContent.trim() === heading)
  && document.querySelector("{PU_IDLE}") !== null"""


def page_switches(page: Page, url: str, prompt: str, rounds: int) -> dict[str, list[float]]:
    """Seconds of each sidebar page switch (the click → the new page drawn and idle) in a warm
    app, by link, after one round that warms every page up."""
    page.goto(f"{url}/prompt?prompt={prompt}")  # the prompt that pages about one prompt carry
    shown(page.get_by_role("heading", name=prompt, exact=True))
    sidebar, seconds = page.get_by_test_id(PU_SIDEBAR), {link: [] for link in PU_SWITCHES}
    headings = {"Home": "promptui", "Prompt": prompt}
    for round_ in range(rounds + 1):
        for link in PU_SWITCHES:
            target = sidebar.get_by_role("link", name=link, exact=True)
            shown(target)
            wait_for(lambda: page.locator(PU_IDLE).count(), "promptui idle")
            want = [f"{link} · promptui", headings.get(link, link)]
            start = time.perf_counter()
            target.click()
            wait_for(lambda w=want: page.evaluate(_SWITCHED, w), f"the {link} page")
            if round_:
                seconds[link].append(time.perf_counter() - start)
            path = "" if link == "Home" else link.lower()
            assert urlsplit(page.url).path.strip("/") in (path, "home"), page.url
    return seconds


@dataclass(frozen=True)
class Sample:
    seconds: float
    clicks: int
    fields: int


def one_run(
    browser: Browser, ui: str, url: str, task: Task, job: Job, client: MlflowClient
) -> Sample:
    """One repetition in a fresh browser context: start page untimed, the task timed, then the
    registry checked."""
    context = browser.new_context(viewport=VIEWPORT)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        (pu_start if ui == "promptui" else ml_start)(page, url)
        act = Actor(page)
        start = time.perf_counter()
        DRIVERS[ui][task.key](act, job)
        seconds = time.perf_counter() - start
    finally:
        context.close()
    task.check(client, job)
    return Sample(seconds, act.clicks, act.fields)


@dataclass(frozen=True)
class Result:
    samples: dict[tuple[str, str], list[Sample]]  # (task key, ui) → one per repetition
    switches_ms: dict[str, list[float]]  # sidebar link → ms of each switch to its page
    mlflow_order: list[str]
    runs: int


def measure(workdir: Path, runs: int, log: Callable[[str], None] = lambda m: None) -> Result:
    """Start the servers, seed, run every task `runs` times in each UI, stop the servers."""
    workdir.mkdir(parents=True, exist_ok=True)
    uri = create_registry_db(workdir / "mlflow.db")
    mlflow_server = start_mlflow_server(uri, workdir, timeout_s=180)
    app = None
    try:
        url = mlflow_server.url
        log("seeding")
        seed(url)
        app = start_streamlit(url, workdir, timeout_s=120)
        client = MlflowClient(tracking_uri=url, registry_uri=url)
        urls = {"promptui": app.url, "mlflow": url}
        samples: dict[tuple[str, str], list[Sample]] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                log("page switches")
                context = browser.new_context(viewport=VIEWPORT)
                switches = page_switches(context.new_page(), app.url, "billing-faq", runs)
                context.close()
                order = _mlflow_order(browser, url)
                tasks = {t.key: t for t in TASKS}
                for key in ORDER:
                    task = tasks[key]
                    log(f"task: {task.title}")
                    for rep in range(1, runs + 1):
                        for ui in UIS if rep % 2 else reversed(UIS):
                            task.setup(url)
                            sample = one_run(browser, ui, urls[ui], task, task.job(ui, rep), client)
                            samples.setdefault((key, ui), []).append(sample)
            finally:
                browser.close()
    finally:
        if app is not None:
            app.stop()
        mlflow_server.stop()
    switches_ms = {link: [s * 1000 for s in v] for link, v in switches.items()}
    return Result(samples, switches_ms, order, runs)


def _mlflow_order(browser: Browser, url: str) -> list[str]:
    """The prompt names in the order MLflow's list shows them."""
    page = browser.new_page(viewport=VIEWPORT)
    try:
        ml_start(page, url)
        names = page.get_by_role("main").locator(ML_LIST_LINK).all_inner_texts()
        return [n.strip() for n in names]
    finally:
        page.close()


def _effort(samples: list[Sample]) -> str:
    clicks = statistics.median(s.clicks for s in samples)
    fields = statistics.median(s.fields for s in samples)
    return f"{clicks:g}" + (f" + {fields:g} typed" if fields else "")


def markdown(result: Result) -> str:
    """The per-task table, the page switches and the notes."""
    lines = [
        f"Everyday tasks in Chromium, promptui vs MLflow {mlflow.__version__}'s own UI on the same "
        f"registry (median of {result.runs}; clicks + typed fields; seconds from the first "
        "action on the prompt list until the result is visible):\n",
        "| task | promptui clicks | promptui s | MLflow UI clicks | MLflow UI s "
        "| MLflow s / promptui s | per repetition (lowest-highest) | how MLflow's UI did it |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for i, task in enumerate(TASKS, start=1):
        ours, theirs = result.samples[(task.key, "promptui")], result.samples[(task.key, "mlflow")]
        ours_s = statistics.median(s.seconds for s in ours)
        theirs_s = statistics.median(s.seconds for s in theirs)
        # The two UIs' repetitions alternate, one pair at a time: a pair saw the same load.
        pairs = [t.seconds / o.seconds for o, t in zip(ours, theirs, strict=True)]
        lines.append(
            f"| {i}. {task.title} | {_effort(ours)} | {ours_s:.2f} | {_effort(theirs)} | "
            f"{theirs_s:.2f} | {theirs_s / ours_s:.2f} | {min(pairs):.2f}-{max(pairs):.2f} | "
            f"{task.how_mlflow or 'as asked'} |"
        )
    every = [ms for v in result.switches_ms.values() for ms in v]
    by_page = ", ".join(f"{k} {statistics.median(v):.0f}" for k, v in result.switches_ms.items())
    position = result.mlflow_order.index(SQL_PROMPT) + 1
    lines += [
        "",
        f"promptui page switch (sidebar link → the new page drawn and idle, warm app): median "
        f"{statistics.median(every):.0f} ms over {len(every)} switches (min {min(every):.0f}, "
        f"max {max(every):.0f}); median by page, ms: {by_page}.",
        "",
        "Notes: both UIs open a prompt by a click on its name in the list. "
        f"{SQL_PROMPT} is prompt {position} of {len(result.mlflow_order)} in MLflow's "
        f"list; the rollback setup moved production v{PRODUCTION} → v{CHAMPION} through "
        "promptui's recorded path before each repetition, in both UIs.",
    ]
    return "\n".join(lines)


def run(workdir: Path, runs: int = 3, log: Callable[[str], None] = lambda m: None) -> str:
    """The whole benchmark on its own servers; its Markdown section."""
    return markdown(measure(workdir, runs, log))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    args = parser.parse_args()
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="promptui-bench-ui-") as tmp:
        result = measure(
            Path(tmp),
            args.runs,
            lambda m: print(f"[{time.strftime('%H:%M:%S')}] {m}", file=sys.stderr, flush=True),
        )
    if args.json:
        raw = {f"{k}/{ui}": [asdict(s) for s in v] for (k, ui), v in result.samples.items()}
        args.json.write_text(json.dumps({"samples": raw, "switches_ms": result.switches_ms}))
    print(
        f"Machine: {machine()}; load average {load_before} at the start, "
        f"{load_average()} at the end.\n"
    )
    print(markdown(result))


if __name__ == "__main__":
    main()
