"""A throwaway PostgreSQL cluster on loopback and an `mlflow server` on it, for the load tests.

Debian's `postgresql` package provides the binaries (`make postgres` installs it). The cluster
lives in a temp folder, runs as the `postgres` user when the tests run as root (PostgreSQL
refuses root), and is stopped by its postmaster's PID.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.servers import Server, free_port, start_mlflow_server

DATABASE = "promptui"


def pg_bin(program: str) -> str:
    """The path of a PostgreSQL program (`initdb`, `pg_ctl`, ...), or fail naming the fix."""
    found = shutil.which(program) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"), reverse=True)), None
    )
    if found is None:
        pytest.fail(f"PostgreSQL's {program} is missing: run `make postgres` (apt-get install)")
    return found


def _as_owner(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Postgres:
    """A running cluster: its port, data folder and postmaster PID."""

    port: int
    data_dir: Path
    pid: int

    @property
    def uri(self) -> str:
        # SQLAlchemy 2.1 picks psycopg 3 for plain postgresql://; psycopg2-binary is installed.
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        """Fast shutdown by PID, waiting until the postmaster is gone."""
        try:
            os.kill(self.pid, signal.SIGINT)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        os.kill(self.pid, signal.SIGKILL)


def start_postgres(workdir: Path) -> Postgres:
    """A new cluster in `workdir` (under /tmp), started on a free loopback port, with a database.

    As root, `workdir` must be reachable by the `postgres` user: pytest's own temp root is not.
    """
    data_dir, socket_dir = workdir / "data", workdir / "sock"
    socket_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        for path in (workdir, socket_dir):
            shutil.chown(path, "postgres", "postgres")
    log = workdir / "postgres.log"
    run: dict[str, Any] = {"check": True, "capture_output": True, "text": True, "cwd": workdir}
    initdb = [pg_bin("initdb"), "-D", str(data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    subprocess.run(_as_owner(initdb), **run)
    port = free_port()
    options = f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
    start = [pg_bin("pg_ctl"), "-D", str(data_dir), "-o", options, "-l", str(log), "-w", "start"]
    try:
        subprocess.run(_as_owner(start), **run)
    except subprocess.CalledProcessError as e:
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {e.stderr}\n{detail}") from e
    pid = int((data_dir / "postmaster.pid").read_text().split()[0])
    server = Postgres(port=port, data_dir=data_dir, pid=pid)
    try:
        subprocess.run(
            [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", DATABASE],
            **run,
        )
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def postgres_mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real `mlflow server` whose backend store is a fresh PostgreSQL database."""
    # Not under pytest's temp root: that one is private to the user running the tests.
    pg_dir = Path(tempfile.mkdtemp(prefix="promptui-pg-"))
    try:
        postgres = start_postgres(pg_dir)
        try:
            workdir = tmp_path_factory.mktemp("mlflow-postgres")
            server = start_mlflow_server(postgres.uri, workdir, timeout_s=240)
            try:
                yield server
            finally:
                server.stop()
        finally:
            postgres.stop()
    finally:
        shutil.rmtree(pg_dir, ignore_errors=True)
