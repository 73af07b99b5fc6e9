"""A real `mlflow server --app-name basic-auth`: the app works with credentials, never shows them.

Credentials come from MLflow's own `MLFLOW_TRACKING_USERNAME` / `MLFLOW_TRACKING_PASSWORD`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from promptui.registry import PromptRegistry
from promptui.registry.errors import AuthenticationError
from tests.apptest_util import fresh_streamlit_caches, start_app, texts, unescape
from tests.browser import guarded_page, template_view
from tests.conftest import fresh_db
from tests.servers import Server, start_basic_auth_server, start_streamlit

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here

ADMIN = "admin"
CREDENTIAL_VARS = "MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD"


@dataclass(frozen=True)
class AuthServer:
    server: Server
    password: str

    @property
    def url(self) -> str:
        return self.server.url

    def env(self, password: str | None = None) -> dict[str, str]:
        """The client environment that signs in as the admin (with `password` if given)."""
        return {
            "MLFLOW_TRACKING_USERNAME": ADMIN,
            "MLFLOW_TRACKING_PASSWORD": password or self.password,
        }


@pytest.fixture(scope="module")
def auth_server(
    template_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AuthServer]:
    """A basic-auth server with its own user database and an admin made at first start."""
    workdir = tmp_path_factory.mktemp("basic-auth")
    password = f"Pw-{uuid.uuid4().hex}"  # the server asks for 12 characters or more
    server = start_basic_auth_server(
        fresh_db(template_db, workdir), workdir, admin=ADMIN, admin_password=password
    )
    yield AuthServer(server, password)
    server.stop()


def signed_in(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_service_layer_works_with_credentials(
    auth_server: AuthServer, monkeypatch: pytest.MonkeyPatch, unique_name: str
) -> None:
    signed_in(monkeypatch, auth_server.env())
    registry = PromptRegistry(auth_server.url)
    created = registry.create_prompt(unique_name, "Hello {{name}}", "first", tags={"team": "a"})
    registry.set_alias(unique_name, "production", created.version)
    listed = {p.name: p for p in registry.list_prompts()}
    assert listed[unique_name].aliases == {"production": 1}
    assert registry.get_prompt(unique_name).latest.text == "Hello {{name}}"  # type: ignore[union-attr]


@pytest.mark.parametrize("password", ["wrong-password-123", None])
def test_wrong_or_missing_credentials_name_the_variables(
    auth_server: AuthServer, monkeypatch: pytest.MonkeyPatch, password: str | None
) -> None:
    if password is None:
        monkeypatch.delenv("MLFLOW_TRACKING_USERNAME", raising=False)
        monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD", raising=False)
    else:
        signed_in(monkeypatch, auth_server.env(password))
    registry = PromptRegistry(auth_server.url)
    for read in (registry.list_prompts, lambda: registry.get_prompt("anything")):
        with pytest.raises(AuthenticationError) as e:  # not "unreachable": it answered
            read()
        assert CREDENTIAL_VARS in e.value.message
        assert auth_server.url in e.value.message
        assert "did not accept" in e.value.message
        for secret in (auth_server.password, "wrong-password-123"):
            assert secret not in e.value.message


def test_app_with_a_wrong_password_says_so_without_showing_it(
    auth_server: AuthServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in(monkeypatch, auth_server.env("wrong-password-123"))
    at = start_app(monkeypatch, auth_server.url)
    shown = " ".join(unescape(e) for e in texts(at, "error"))
    assert "Registry unreachable" not in shown
    assert "Credentials not accepted" in shown and CREDENTIAL_VARS in shown
    assert any(b.label == "Retry" for b in at.button)
    for kind in ("title", "markdown", "caption", "error", "code", "text"):
        assert not [t for t in texts(at, kind) if "wrong-password-123" in str(t)]


@pytest.mark.browser
def test_app_renders_the_home_page_and_never_shows_the_password(
    auth_server: AuthServer,
    browser: Browser,
    tmp_path: Path,
    unique_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signed_in(monkeypatch, auth_server.env())
    registry = PromptRegistry(auth_server.url)
    registry.create_prompt(unique_name, "Hi {{name}}", "first")
    count = len(registry.list_prompts())
    app = start_streamlit(auth_server.url, tmp_path, env=auth_server.env())
    try:
        with guarded_page(browser) as page:
            page.goto(app.url)
            metric = page.get_by_test_id("stMetric").filter(has_text="Prompts")
            expect(metric.get_by_test_id("stMetricValue")).to_have_text(str(count))
            expect(page.get_by_text(unique_name)).to_be_attached()
            assert auth_server.password not in page.content()
            page.goto(f"{app.url}/prompt?prompt={unique_name}")
            expect(template_view(page, "Hi {{name}}").first).to_be_visible()
            assert auth_server.password not in page.content()
    finally:
        app.stop()
    assert auth_server.password not in app.log_path.read_text(errors="replace")
