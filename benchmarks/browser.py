"""Benchmark the app in real Chromium: cold start, a page switch, and memory with many sessions.

Run: .venv/bin/python benchmarks/browser.py [--prompts 1000] [--versions 20] [--sessions 10]
Cold start: `streamlit run` process start → the home page's prompt count rendered.
Page switch: a click on "Prompts" in the sidebar → the prompts page's heading and list rendered
and the script finished. Memory: resident set of the Streamlit server (with any children) after
`--sessions` browser contexts each opened the prompts page, one after another (all kept open).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, Page, expect, sync_playwright

from benchmarks.common import Row, machine, markdown_table, seeded_server
from tests.servers import CHROMIUM, CHROMIUM_ARGS, start_streamlit

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SWITCHES = 5


def _rendered_home(page: Page, prompts: int) -> None:
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(f"{prompts:,}".replace(",", ""))
    expect(page.locator(IDLE)).to_be_attached()


def _rendered_prompts(page: Page) -> None:
    expect(page.get_by_role("heading", name="Prompts", exact=True)).to_be_visible()
    expect(page.locator("[data-testid='prompt-list'] tbody tr").first).to_be_visible()
    expect(page.locator(IDLE)).to_be_attached()


def _switch(page: Page, link: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=link, exact=True).click()


def rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:  # the process ended while we looked
            continue
        children.setdefault(int(fields["PPid"]), []).append(int(fields["Pid"]))
    total_kib = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def measure(browser: Browser, mlflow_url: str, workdir: Path, prompts: int, sessions: int) -> dict:
    """Cold start and median page-switch seconds, and the server's RSS before and after."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    start = time.perf_counter()
    app = start_streamlit(mlflow_url, workdir, timeout_s=180)
    try:
        page.goto(app.url)
        _rendered_home(page, prompts)
        cold = time.perf_counter() - start
        switches = []
        for _ in range(SWITCHES):
            begin = time.perf_counter()
            _switch(page, "Prompts")
            _rendered_prompts(page)
            switches.append(time.perf_counter() - begin)
            _switch(page, "Home")
            _rendered_home(page, prompts)
        one_session = rss_mib(app.proc.pid)
        contexts = [
            browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(sessions)
        ]
        # One after another, each drawn before the next opens: this measures memory, and ten
        # Chromium tabs loading at once on the same 2 CPUs starve the server they measure.
        for context in contexts:
            tab = context.new_page()
            tab.goto(f"{app.url}/prompts")
            _rendered_prompts(tab)
        many_sessions = rss_mib(app.proc.pid)
        for context in contexts:
            context.close()
    finally:
        app.stop()
        page.close()
    return {
        "cold": cold,
        "switch": statistics.median(switches),
        "rss_one": one_session,
        "rss_many": many_sessions,
    }


def run(mlflow_url: str, workdir: Path, prompts: int, sessions: int | None = 10) -> list[Row]:
    """Browser rows for a server holding `prompts` prompts; memory only when `sessions` is set."""
    expect.set_options(timeout=120_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            result = measure(browser, mlflow_url, workdir, prompts, sessions or 0)
        finally:
            browser.close()
    rows = [
        Row(
            f"app cold start to home page with data, {prompts:,} prompts (browser)", result["cold"]
        ),
        Row(
            f"page switch Home → Prompts, {prompts:,} prompts (browser, median of {SWITCHES})",
            result["switch"],
        ),
    ]
    if sessions:
        rows.append(
            Row(
                f"Streamlit server memory (RSS), 1 browser session, {prompts:,} prompts",
                result["rss_one"],
                unit="MiB",
            )
        )
        rows.append(
            Row(
                f"Streamlit server memory (RSS), {sessions} browser sessions on the prompts page, "
                f"{prompts:,} prompts",
                result["rss_many"],
                unit="MiB",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="promptui-bench-") as tmp:
        work = Path(tmp)
        with seeded_server(work / "mlflow", args.prompts, args.versions) as server:
            rows = run(server.url, work, args.prompts, args.sessions)
    print(f"Machine: {machine()}\n")
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
