"""Real servers on loopback for tests and benchmarks: `mlflow server` and `streamlit run`."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A child process serving on 127.0.0.1:port, stopped by its PID."""

    proc: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """Stop the server and its workers (its own process group, started by us)."""
        if self.proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._signal(signal.SIGKILL)  # workers left behind by a parent that already exited

    def _signal(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)


def _wait_ready(server: Server, health_path: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited with {server.proc.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url + health_path, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server not ready after {timeout_s} s:\n{server.log()}")


def _start(cmd: list[str], port: int, log_path: Path, env: dict[str, str], cwd: Path) -> Server:
    # Output goes to a file, not a pipe: a full pipe would block the server.
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            cmd, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
    return Server(proc=proc, port=port, log_path=log_path)


def start_mlflow_server(
    db_uri: str,
    workdir: Path,
    *,
    extra_args: list[str] | None = None,
    timeout_s: float = 90,
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> Server:
    """`mlflow server` on loopback (a free port unless given) over the given backend store."""
    port = port or free_port()
    artifacts = workdir / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", db_uri,
        "--default-artifact-root", str(artifacts),
        "--host", "127.0.0.1", "--port", str(port),
        "--workers", "2",
        # Uvicorn restarts a worker that misses a 5 s health check; on a busy machine a page of
        # 1,000 prompts can hold a worker that long, and the restart drops the request.
        "--uvicorn-opts", "--timeout-worker-healthcheck 120",
        *(extra_args or []),
    ]  # fmt: skip
    # The job runner (a pool of background workers) serves features promptui does not use.
    full_env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", **(env or {})}
    server = _start(cmd, port, workdir / f"mlflow-{port}.log", full_env, workdir)
    _wait_ready(server, "/health", timeout_s)
    return server


def start_streamlit(
    tracking_uri: str, workdir: Path, *, env: dict[str, str] | None = None, timeout_s: float = 60
) -> Server:
    """`streamlit run app.py` on a free loopback port, pointed at `tracking_uri`."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "app.py"),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    full_env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri, **(env or {})}
    server = _start(cmd, port, workdir / f"streamlit-{port}.log", full_env, PROJECT_DIR)
    _wait_ready(server, "/_stcore/health", timeout_s)
    return server


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def start_basic_auth_server(
    db_uri: str, workdir: Path, *, admin: str, admin_password: str
) -> Server:
    """`mlflow server --app-name basic-auth` over `db_uri`, with its own user database in
    `workdir`, READ as the default permission, and `admin` made at first start."""
    config = workdir / "basic_auth.ini"
    config.write_text(
        "[mlflow]\n"
        "default_permission = READ\n"
        f"database_uri = sqlite:///{workdir / 'auth.db'}\n"
        f"admin_username = {admin}\n"
        f"admin_password = {admin_password}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
    )
    return start_mlflow_server(
        db_uri,
        workdir,
        extra_args=["--app-name", "basic-auth"],
        env={
            "MLFLOW_AUTH_CONFIG_PATH": str(config),
            "MLFLOW_FLASK_SERVER_SECRET_KEY": uuid.uuid4().hex,  # for the auth app's CSRF check
        },
    )


def post_json(url: str, path: str, auth: tuple[str, str], **body: str) -> None:
    """POST `body` as JSON to a server's REST `path` with basic auth; asserts it succeeded."""
    response = requests.post(f"{url}{path}", json=body, auth=auth, timeout=10)
    assert response.status_code == 200, response.text
