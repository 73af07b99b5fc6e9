"""People on a real `mlflow server --app-name basic-auth`: each signs in with their own account,
MLflow's permissions decide, protected moves are requested and approved by someone else.

Users (created through MLflow's auth API by the admin): `reader` (READ on the prompt), `editor`
(EDIT), `owner` (MANAGE); editor and owner may write the alias history experiment.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from promptui.aliases.history import AliasHistory
from promptui.registry.errors import PermissionDeniedError
from tests.apptest_util import fresh_streamlit_caches, open_keyboard_panel, texts, unescape
from tests.servers import PROJECT_DIR
from tests.team import PASSWORDS, Team, seeded_team

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here

PROMPT = "support-agent"


@pytest.fixture(scope="module")
def team(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    with seeded_team(template_db, tmp_path_factory.mktemp("people"), PROMPT) as team:
        yield team


def app(monkeypatch: pytest.MonkeyPatch, team: Team) -> AppTest:
    """The app against the team's server, nobody signed in, no service account."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", team.url)
    for key in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "PROMPTUI_USER"):
        monkeypatch.delenv(key, raising=False)
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, user: str, password: str | None = None) -> AppTest:
    at.text_input(key="auth_username").input(user)
    at.text_input(key="auth_password").input(password or PASSWORDS[user])
    at.button(key="FormSubmitter:auth_sign_in-Sign in").click().run()
    assert not at.exception, at.exception
    return at


def open_page(at: AppTest, page: str, **params: str) -> AppTest:
    at.query_params.clear()
    at.query_params.update(params)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def everything_shown(at: AppTest) -> str:
    kinds = ("title", "markdown", "caption", "error", "warning", "info", "success", "code", "text")
    return " ".join(unescape(str(t)) for kind in kinds for t in texts(at, kind))


def test_sign_in_is_asked_and_a_wrong_password_is_said_so(
    monkeypatch: pytest.MonkeyPatch, team: Team
) -> None:
    at = app(monkeypatch, team)
    assert "Sign in" in [s.value for s in at.subheader]
    assert "Registry unreachable" not in everything_shown(at)
    sign_in(at, "reader", "not-the-password")
    assert "User name or password not accepted." in texts(at, "error")
    sign_in(at, "reader")
    assert [m.value for m in at.metric if m.label == "Prompts"] == ["1"]
    shown = everything_shown(at)
    assert "Signed in as" in shown and PASSWORDS["reader"] not in shown
    held = at.session_state["auth_credentials"]
    assert PASSWORDS["reader"] not in f"{held!r} {held}"  # never in a repr an error could show
    at.button(key="auth_sign_out").click().run()
    assert "Sign in" in [s.value for s in at.subheader]


def test_a_reader_browses_and_every_write_is_refused(
    monkeypatch: pytest.MonkeyPatch, team: Team
) -> None:
    at = sign_in(app(monkeypatch, team), "reader")
    open_page(at, "prompt", prompt=PROMPT)
    edit = at.button(key="prompt_edit")
    assert edit.disabled and "MLflow requires EDIT" in (edit.help or "")
    assert at.button(key="prompt_delete").disabled
    open_page(at, "compare", prompt=PROMPT, left="1", right="2")
    assert "kindly" in " ".join(h.proto.body for h in at.get("html"))
    before = team.registry("admin").get_prompt(PROMPT)
    with pytest.raises(PermissionDeniedError) as e:
        team.registry("reader").commit_version(PROMPT, "Mine.", "try")
    assert e.value.message == (
        f"You (reader) may not change Prompt '{PROMPT}': MLflow requires EDIT permission. "
        "Nothing was changed."
    )
    with pytest.raises(PermissionDeniedError, match="requires MANAGE"):
        team.registry("reader").delete_version(PROMPT, 2)
    assert team.registry("admin").get_prompt(PROMPT) == before


def test_reading_never_writes(monkeypatch: pytest.MonkeyPatch, team: Team) -> None:
    admin = team.registry("admin")
    history = AliasHistory(admin)
    admin.client().set_prompt_alias(PROMPT, "staging", 2)  # an outside change
    runs = len(history.read_runs(PROMPT))
    at = sign_in(app(monkeypatch, team), "reader")
    open_page(at, "aliases", prompt=PROMPT)
    shown = [str(v) for v in at.dataframe[0].value["source"]]
    assert any(s.startswith("changed outside promptui (noticed now") for s in shown)
    assert len(history.read_runs(PROMPT)) == runs  # the reader's visit wrote nothing
    admin.client().delete_prompt_alias(PROMPT, "staging")


def test_editor_commits_and_requests_owner_approves(
    monkeypatch: pytest.MonkeyPatch, team: Team
) -> None:
    editor = sign_in(app(monkeypatch, team), "editor")
    open_page(editor, "edit", prompt=PROMPT)
    editor.text_area(key=f"edit_w:{PROMPT}:text").input("Answer {{question}} briefly.")
    editor.text_input(key=f"edit_w:{PROMPT}:message").input("shorter")
    editor.button(key="edit_commit").click().run()
    assert not editor.exception, editor.exception
    assert not texts(editor, "error"), texts(editor, "error")
    latest = team.registry("admin").get_prompt(PROMPT).latest
    assert latest is not None and latest.author == "editor"  # who signed in, not the host

    open_keyboard_panel(open_page(editor, "aliases", prompt=PROMPT))
    editor.selectbox(key="aliases_kb_alias").select("production")
    editor.selectbox(key="aliases_kb_to").select(latest.version)
    editor.button(key="aliases_kb_move").click().run()
    assert not [b for b in editor.button if b.label == "Confirm"]  # may not move it
    reason = next(t for t in editor.text_input if t.label.startswith("Reason"))
    reason.input("shorter answers tested")
    next(b for b in editor.button if b.label == "Request this move").click().run()
    assert any("waits for approval" in s for s in texts(editor, "success"))
    assert team.registry("admin").get_aliases(PROMPT)["production"] == 1  # nothing moved
    assert any("Your request" in c for c in texts(editor, "caption"))
    assert not [b for b in editor.button if b.label == "Approve and move"]

    owner = sign_in(app(monkeypatch, team), "owner")  # another browser session, at once
    open_page(owner, "aliases", prompt=PROMPT)
    next(b for b in owner.button if b.label == "Approve and move").click().run()
    assert not owner.exception, owner.exception
    assert team.registry("admin").get_aliases(PROMPT)["production"] == latest.version
    history = AliasHistory(team.registry("admin"))
    move = history.events(PROMPT)[0]
    assert (move.user, move.to_version) == ("owner", latest.version)
    assert move.reason.startswith("approved request by editor: shorter answers tested")
    table = next(d.value for d in owner.dataframe if "decided by" in d.value.columns)
    assert (table["by"][0], table["state"][0], table["decided by"][0]) == (
        "editor",
        "approved",
        "owner",
    )

    # The editor's session is still the editor's: their own write rights, not the owner's.
    with pytest.raises(PermissionDeniedError, match=r"You \(editor\)"):
        team.registry("editor").delete_version(PROMPT, 1)
