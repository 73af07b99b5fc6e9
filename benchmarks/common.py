"""What every benchmark shares: the result row, timing with request counts, the seeded server."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.seed import bulk_seed, create_registry_db
from promptui.instrument import count_requests
from tests.servers import Server, start_mlflow_server


@dataclass(frozen=True)
class Row:
    """One measure: promptui's figure, the naive way's figure (None: none exists or not run)."""

    measure: str
    promptui: float
    unit: str = "s"  # "s", "ms" or "MiB"
    naive: float | None = None
    requests: int | None = None
    naive_requests: int | None = None
    naive_note: str = ""  # shown instead of a naive figure

    @property
    def ratio(self) -> float | None:
        """How many times the naive way's figure promptui's is (> 1: promptui is faster)."""
        if self.naive is None or self.promptui <= 0:
            return None
        return self.naive / self.promptui


def timed(fn: Callable[[], object]) -> tuple[int, float]:
    """Requests and wall seconds of one call."""
    with count_requests() as log:
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
    return log.count, seconds


def median_timed(fn: Callable[[], object], runs: int) -> tuple[int, float]:
    """Requests of one call and the median wall seconds of `runs` calls after one warm-up."""
    fn()
    samples = [timed(fn) for _ in range(runs)]
    return max(r for r, _ in samples), statistics.median(s for _, s in samples)


@contextmanager
def seeded_server(
    workdir: Path, prompts: int, versions: int, *, extra_args: list[str] | None = None
) -> Iterator[Server]:
    """A real `mlflow server` on loopback over a fresh SQLite registry of prompts x versions."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "mlflow.db"
    uri = create_registry_db(db)
    if prompts:
        bulk_seed(db, prompts, versions)
    server = start_mlflow_server(uri, workdir, extra_args=extra_args, timeout_s=180)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def stock_retries() -> Iterator[None]:
    """MLflow's own HTTP retry setting inside the block, for the naive way.

    promptui's registry turns the client's retries off process-wide (it has deadlines instead).
    """
    saved = os.environ.pop("MLFLOW_HTTP_REQUEST_MAX_RETRIES", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = saved


def _mem_total_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.0f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    """The 1/5/15-minute load averages, as `uptime` prints them."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f}, {five:.1f}, {fifteen:.1f}"


def machine() -> str:
    """Where the figures were taken: platform, CPUs, memory, Python and library versions."""
    import mlflow
    import streamlit

    return (
        f"{platform.platform()}, {_cpu_model()}, {os.cpu_count()} CPUs, {_mem_total_gib()}, "
        f"Python {platform.python_version()}, mlflow {mlflow.__version__}, "
        f"streamlit {streamlit.__version__}"
    )


def _number(value: float, unit: str) -> str:
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    if unit == "ms":
        return f"{value:,.2f} ms"
    return f"{value:,.3f} s" if value < 10 else f"{value:,.1f} s"


def _ratio(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2f}x"


def _requests(row: Row) -> str:
    ours = "—" if row.requests is None else f"{row.requests:,}"
    if row.naive_requests is None:
        return ours
    return f"{ours} / {row.naive_requests:,}"


def markdown_table(rows: list[Row]) -> str:
    """The rows as one Markdown table: measure, promptui, naive, ratio, requests."""
    lines = [
        "| measure | promptui | naive | ratio (naive / promptui) | requests (promptui / naive) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        naive = _number(row.naive, row.unit) if row.naive is not None else row.naive_note or "—"
        lines.append(
            f"| {row.measure} | {_number(row.promptui, row.unit)} | {naive} | "
            f"{_ratio(row.ratio)} | {_requests(row)} |"
        )
    return "\n".join(lines)
