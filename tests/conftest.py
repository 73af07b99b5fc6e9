"""Fixtures: a real `mlflow server` on loopback, embedded SQLite stores, unique names, Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from benchmarks.seed import create_registry_db
from promptui.registry import PromptRegistry
from tests.browser import guarded_page, launch, streamlit_app
from tests.servers import Server, start_mlflow_server

# Tests must never touch the project's own embedded registry.
os.environ.pop("MLFLOW_TRACKING_URI", None)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, fully migrated MLflow SQLite database, copied for each store that needs one."""
    path = tmp_path_factory.mktemp("template") / "mlflow.db"
    create_registry_db(path)
    return path


def fresh_db(template_db: Path, folder: Path) -> str:
    """A copy of the migrated template (migrations take seconds; a copy takes milliseconds)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mlflow.db"
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def mlflow_server(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real `mlflow server` (SQLite backend in a temp folder) for the whole session."""
    workdir = tmp_path_factory.mktemp("mlflow-server")
    server = start_mlflow_server(fresh_db(template_db, workdir), workdir)
    yield server
    server.stop()


@pytest.fixture
def sqlite_uri(template_db: Path, tmp_path: Path) -> str:
    """A private embedded SQLite registry for one test."""
    return fresh_db(template_db, tmp_path / "embedded")


@pytest.fixture(params=["server", "embedded"])
def registry(request: pytest.FixtureRequest) -> PromptRegistry:
    """The service layer over HTTP to the real server, and over the embedded SQLite store."""
    if request.param == "server":
        return PromptRegistry(request.getfixturevalue("mlflow_server").url)
    return PromptRegistry(request.getfixturevalue("sqlite_uri"))


@pytest.fixture
def server_registry(mlflow_server: Server) -> PromptRegistry:
    """The service layer over HTTP only."""
    return PromptRegistry(mlflow_server.url)


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A loopback server that takes connections and never answers (nobody calls accept)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def unique_name() -> str:
    """A prompt name no other test uses."""
    return f"t-{uuid.uuid4().hex[:12]}"


# -- browser tests ----------------------------------------------------------------------------


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Headless Chromium for one test.

    Per test on purpose: a sync Playwright keeps its event loop marked as running while it is
    open, which would break `asyncio.run()` and other Playwright sessions in later tests.
    """
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A 1400x1000 page in a fresh context; fails the test if a JavaScript dialog opened."""
    with guarded_page(browser) as page:
        yield page


@pytest.fixture
def app(mlflow_server: Server, tmp_path: Path) -> Iterator[Server]:
    """A fresh `streamlit run` of the app against the session's mlflow server."""
    with streamlit_app(mlflow_server.url, tmp_path) as server:
        yield server
