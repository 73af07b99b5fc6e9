"""AppTest on app.py: the home page with demo data, and with the registry unreachable."""

from __future__ import annotations

import pytest

from promptui.demo import seed_demo
from promptui.registry import PromptRegistry
from tests.apptest_util import (
    click_row,
    fresh_streamlit_caches,
    list_data,
    start_app,
    titles,
    unescape,
)
from tests.servers import free_port

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to take effect here


def metrics(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}  # type: ignore[attr-defined]


def test_home_shows_registry_and_demo_counts(
    sqlite_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = PromptRegistry(sqlite_uri)
    seed_demo(registry)
    listed = registry.list_prompts()

    at = start_app(monkeypatch, sqlite_uri)

    assert any(sqlite_uri in unescape(m.value) for m in at.markdown)
    assert any(sqlite_uri in unescape(c.value) for c in at.sidebar.caption)
    shown = metrics(at)
    assert shown["Prompts"] == str(len(listed)) == "3"
    assert shown["Aliases"] == str(sum(len(s.aliases) for s in listed))
    recent = list_data(at, "home_recent")
    assert recent is not None
    # Each name is a link to its prompt page.
    assert {(r["label"], r["href"]) for r in recent["rows"]} == {
        (s.name, f"prompt?prompt={s.name}") for s in listed
    }
    assert not at.error
    # A click on a prompt opens it.
    first = recent["rows"][0]["id"]
    click_row(at, first, "home_recent")
    assert not at.exception
    assert first in titles(at)


def test_home_on_an_empty_registry_says_how_to_load_the_demo(
    sqlite_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = start_app(monkeypatch, sqlite_uri)
    assert metrics(at)["Prompts"] == "0"
    assert any("python -m promptui demo" in i.value for i in at.info)


def test_home_with_registry_unreachable_shows_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    at = start_app(monkeypatch, url)  # asserts no exception was raised
    (error,) = at.error
    assert "Registry unreachable" in error.value
    assert url in unescape(error.value)
    assert "Retry" in [b.label for b in at.button]
    assert not at.metric


def test_credentials_in_the_uri_are_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://alice:s3cret@127.0.0.1:{free_port()}"
    at = start_app(monkeypatch, url)
    assert "Registry unreachable" in at.error[0].value
    shown = [e.value for kind in ("markdown", "caption", "error") for e in getattr(at, kind)]
    shown += [e.value for e in at.sidebar.caption]
    assert shown
    assert not any("s3cret" in text or "alice" in text for text in shown)
