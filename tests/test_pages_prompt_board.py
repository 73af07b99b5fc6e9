"""AppTest: the short alias board on the prompt page (the versions aliases are on, the newest
and the shown one), moves from it, and what the page reads after a move."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from promptui.aliases import move_alias
from promptui.aliases.history import AliasHistory
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from tests.apptest_util import fresh_streamlit_caches, list_data, open_page, start_app, unescape
from tests.servers import Server

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here

BOARD = "prompt_board"


def _seed(registry: PromptRegistry, name: str, versions: int = 6) -> AliasHistory:
    registry.create_prompt(name, "Answer {{question}}.", "first")
    for n in range(2, versions + 1):
        registry.commit_version(name, f"Answer {{{{question}}}} ({n}).", f"version {n}")
    history = AliasHistory(registry)
    move_alias(registry, history, name, "champion", 2, expected=None)
    move_alias(registry, history, name, "production", 3, expected=None)
    return history


def _lanes(at: AppTest) -> dict[int, list[str]]:
    data = list_data(at, BOARD)
    assert data is not None, "no alias board on the page"
    return {lane["version"]: [a["name"] for a in lane["aliases"]] for lane in data["lanes"]}


def _drop(at: AppTest, alias: str, frm: int, to: int | None, at_ms: int = 1) -> AppTest:
    """A drop on the board as its component reports it, then the run."""
    at.session_state[BOARD] = {"move": {"alias": alias, "from": frm, "to": to, "at": at_ms}}
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(mlflow_server: Server, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return start_app(monkeypatch, mlflow_server.url)  # as tester@example.com


def test_board_shows_aliased_newest_and_shown_versions(
    app: AppTest, server_registry: PromptRegistry, unique_name: str
) -> None:
    _seed(server_registry, unique_name)
    open_page(app, "prompt", prompt=unique_name)
    assert _lanes(app) == {6: [], 3: ["production"], 2: ["champion"]}
    open_page(app, "prompt", prompt=unique_name, version=4)
    assert _lanes(app) == {6: [], 4: [], 3: ["production"], 2: ["champion"]}


def test_no_board_without_aliases(
    app: AppTest, server_registry: PromptRegistry, unique_name: str
) -> None:
    server_registry.create_prompt(unique_name, "Answer {{question}}.", "first")
    server_registry.commit_version(unique_name, "Answer {{question}} now.", "second")
    open_page(app, "prompt", prompt=unique_name)
    assert list_data(app, BOARD) is None


def test_a_drop_moves_the_alias_once(
    app: AppTest, server_registry: PromptRegistry, unique_name: str
) -> None:
    history = _seed(server_registry, unique_name)
    open_page(app, "prompt", prompt=unique_name)
    with count_requests() as log:
        _drop(app, "champion", 2, 6)
    assert server_registry.get_aliases(unique_name) == {"champion": 6, "production": 3}
    assert _lanes(app) == {6: ["champion"], 3: ["production"], 2: []}  # v2 kept: drag it back
    assert [unescape(s.value) for s in app.success] == ["'champion' now points to v6."]
    newest = history.events(unique_name)[0]
    assert (newest.alias, newest.from_version, newest.to_version) == ("champion", 2, 6)
    assert newest.user == "tester@example.com"
    # The history (read for changes made outside promptui), the alias read for the
    # compare-and-set, the write, the history record (two), and the prompt read again (two)
    # while the record is written: the run after the move reads nothing more.
    assert log.count == 7, log.calls
    urls = [url.split("/api/2.0/mlflow/")[-1] for _, url in log.calls]
    reread = len(urls) - 1 - urls[::-1].index("registered-models/get")
    assert reread < urls.index("runs/update"), urls  # sent before the record was finished

    with count_requests() as rerun:
        app.run()  # the same drop, reported again, is not a second move
    assert rerun.count == 0
    assert [e.to_version for e in history.events(unique_name)].count(6) == 1


def test_a_protected_alias_waits_for_the_confirm_step(
    app: AppTest, server_registry: PromptRegistry, unique_name: str
) -> None:
    _seed(server_registry, unique_name)
    open_page(app, "prompt", prompt=unique_name)
    _drop(app, "production", 3, 6)
    assert server_registry.get_aliases(unique_name)["production"] == 3  # not yet
    assert [b for b in app.button if b.label == "Confirm"]
    reason = next(t for t in app.text_input if t.label.startswith("Reason"))
    reason.input("ship v6").run()
    next(b for b in app.button if b.label == "Confirm").click().run()
    assert server_registry.get_aliases(unique_name)["production"] == 6
    assert _lanes(app)[6] == ["production"]


def test_after_a_move_the_page_shows_changes_made_outside_promptui(
    app: AppTest, server_registry: PromptRegistry, unique_name: str
) -> None:
    history = _seed(server_registry, unique_name)
    open_page(app, "prompt", prompt=unique_name)
    server_registry.client().set_prompt_alias(unique_name, "production", 5)  # the SDK, not us
    _drop(app, "champion", 2, 6)
    assert _lanes(app) == {6: ["champion"], 5: ["production"], 2: []}  # read again
    assert history.events(unique_name)[0].alias == "champion"
