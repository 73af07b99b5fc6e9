"""Real Chromium, three people at once on a real `mlflow server --app-name basic-auth`: each
signs in with their own account in their own browser context; MLflow's grants decide what each
may do; the editor requests a protected move, the owner approves it; no password ever leaks.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, WebSocket, expect

from promptui.aliases.approvals import requests_from
from promptui.aliases.history import AliasHistory
from tests.browser import wait_idle
from tests.servers import Server, start_streamlit
from tests.team import PASSWORDS, Team, seeded_team

pytestmark = pytest.mark.browser

PROMPT = f"people-{uuid.uuid4().hex[:8]}"
NOT_SIGNED_IN = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "PROMPTUI_USER")


@pytest.fixture(scope="module")
def team(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """reader (READ on the prompt), editor (EDIT), owner (MANAGE); production on v1 of two."""
    with seeded_team(template_db, tmp_path_factory.mktemp("browser-people"), PROMPT) as team:
        yield team


@pytest.fixture
def app(team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """One `streamlit run` with no service account: every person signs in."""
    for key in NOT_SIGNED_IN:
        monkeypatch.delenv(key, raising=False)
    server = start_streamlit(team.url, tmp_path)
    yield server
    server.stop()


@dataclass
class Person:
    """One person's browser context: their page, what the server sent it, where it went."""

    name: str
    page: Page
    frames: list[bytes] = field(default_factory=list)  # from the server
    sent: list[bytes] = field(default_factory=list)  # to the server
    urls: list[str] = field(default_factory=list)

    def listen(self, ws: WebSocket) -> None:
        ws.on(
            "framereceived", lambda f: self.frames.append(f if isinstance(f, bytes) else f.encode())
        )
        ws.on("framesent", lambda f: self.sent.append(f if isinstance(f, bytes) else f.encode()))

    def check(self) -> None:
        """No password in the page's HTML, in anything the server sent, or in a URL."""
        self.urls.append(self.page.url)
        html = self.page.content()
        for password in PASSWORDS.values():
            assert password not in html, f"{self.name}'s page shows a password"
            assert not [f for f in self.frames if password.encode() in f], "password sent back"
            assert not [u for u in self.urls if password in u], "password in a URL"

    def submit(self, password: str) -> None:
        """Fill in and send the sign-in form (MLflow's answer is waited for by the caller)."""
        self.page.get_by_label("MLflow user name", exact=True).fill(self.name)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    def signed_in(self) -> None:
        sidebar = self.page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text(f"Signed in as {self.name}")).to_be_visible()
        wait_idle(self.page)
        self.check()

    def refresh(self) -> None:
        """Read everything afresh in the same browser session (the sidebar's refresh control)."""
        sidebar = self.page.get_by_test_id("stSidebar")
        sidebar.get_by_role("button", name="Refresh from registry").click()


def lane(page: Page, version: int) -> Locator:
    """The alias board's column of one version."""
    return page.locator(f"[data-testid='alias-lane'][data-version='{version}']")


def sign_in_form(page: Page) -> None:
    """The sign-in form, and no error instead of or next to it."""
    crash = page.get_by_test_id("stException")
    expect(page.get_by_role("heading", name="Sign in").or_(crash).first).to_be_visible()
    wait_idle(page)
    assert not crash.all_inner_texts(), crash.all_inner_texts()[0][:600]
    expect(page.get_by_label("MLflow user name", exact=True)).to_be_editable()
    expect(page.get_by_text("Registry unreachable")).to_have_count(0)


def test_three_people_sign_in_request_and_approve(
    browser: Browser, app: Server, team: Team
) -> None:
    # Each opens the page they work on in their own browser context, at the same time.
    where = {"reader": "prompt", "editor": "edit", "owner": "aliases"}
    people = {}
    for name, page_path in where.items():
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        people[name] = person = Person(name, page)
        page.on("websocket", person.listen)
        page.goto(f"{app.url}/{page_path}?prompt={PROMPT}")
    for person in people.values():
        sign_in_form(person.page)
        person.check()
    reader, editor, owner = people["reader"], people["editor"], people["owner"]
    reader.submit("not-the-password")
    expect(reader.page.get_by_text("User name or password not accepted.")).to_be_visible()
    reader.check()
    for person in people.values():
        person.submit(PASSWORDS[person.name])
    for person in people.values():
        person.signed_in()

    # The reader may look, never change (nor write the alias history by looking).
    before = team.registry("admin").get_prompt(PROMPT)
    runs = len(AliasHistory(team.registry("admin")).read_runs(PROMPT))
    expect(reader.page.get_by_role("button", name="New version from v2")).to_be_disabled()
    reader.page.get_by_role("link", name="Aliases, history & rollback").click()
    expect(reader.page.get_by_text("MLflow requires EDIT")).to_be_visible()
    expect(reader.page.get_by_role("heading", name="History")).to_be_visible()
    wait_idle(reader.page)
    expect(reader.page.get_by_text("Move without a mouse")).to_have_count(0)
    expect(reader.page.get_by_role("button", name="Move", exact=True)).to_have_count(0)
    reader.signed_in()
    assert team.registry("admin").get_prompt(PROMPT) == before
    assert len(AliasHistory(team.registry("admin")).read_runs(PROMPT)) == runs

    # The editor commits a version as themself, then requests the protected move.
    template = editor.page.get_by_label("Template", exact=True)
    expect(template).to_have_value("Answer {{question}} kindly.")
    template.fill("Answer {{question}} briefly.")
    template.press("Tab")
    message = editor.page.get_by_label("Commit message", exact=True)
    message.fill("shorter")
    message.press("Enter")
    wait_idle(editor.page)
    editor.page.get_by_role("button", name="Commit version").click()
    expect(editor.page.get_by_role("button", name="New version from v3")).to_be_visible()
    editor.check()
    latest = team.registry("admin").get_prompt(PROMPT).latest
    assert latest is not None and (latest.version, latest.author) == (3, "editor")

    editor.page.get_by_role("link", name="Aliases, history & rollback").click()
    expect(lane(editor.page, 1).locator("[data-alias='production']")).to_be_visible()
    wait_idle(editor.page)
    expander = editor.page.get_by_test_id("stExpander").filter(has_text="Move without a mouse")
    expander.get_by_text("Move without a mouse").click()
    # A list opened while the expander still grows is closed by its scrolling: wait for it.
    opening = expander.locator("details").element_handle()
    editor.page.wait_for_function("d => d.open && d.getAnimations().length === 0", arg=opening)
    alias = editor.page.get_by_role("combobox", name="Alias")
    expect(alias).to_have_value("production")  # the only alias, chosen already
    target = editor.page.get_by_role("combobox", name="Move to")
    target.focus()
    target.press("ArrowDown")  # opens the list from the keyboard
    editor.page.get_by_role("option", name=re.compile(r"^v3 — shorter")).click()
    expect(target).to_have_value(re.compile(r"^v3 — shorter"))
    editor.page.get_by_role("button", name="Move", exact=True).click()
    dialog = editor.page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Request this move")).to_be_visible()
    expect(dialog.get_by_role("button", name="Confirm")).to_have_count(0)
    reason = dialog.get_by_label("Reason (recorded in the alias history)")
    reason.fill("shorter answers tested")
    reason.press("Tab")
    dialog.get_by_role("button", name="Request this move").click()
    expect(editor.page.get_by_text(re.compile("It waits for approval"))).to_be_visible()
    expect(editor.page.get_by_text("Your request: a colleague")).to_be_visible()
    expect(editor.page.get_by_role("button", name="Approve and move")).to_have_count(0)
    editor.check()
    assert team.registry("admin").get_aliases(PROMPT)["production"] == 1  # nothing moved yet

    # The owner, signed in all along in another context, sees the request and approves it.
    owner.refresh()
    expect(owner.page.get_by_text("Waiting for approval")).to_be_visible()
    expect(owner.page.get_by_text("requested by editor")).to_be_visible()
    wait_idle(owner.page)
    owner.page.get_by_role("button", name="Approve and move").click()
    expect(owner.page.get_by_role("button", name="Approve and move")).to_have_count(0)
    expect(lane(owner.page, 3).locator("[data-alias='production']")).to_be_visible()
    owner.signed_in()
    assert team.registry("admin").get_aliases(PROMPT)["production"] == 3
    history = AliasHistory(team.registry("admin"))
    [request] = requests_from(PROMPT, history.read_runs(PROMPT))
    assert (request.requester, request.state, request.decided_by) == ("editor", "approved", "owner")
    move = history.events(PROMPT)[0]
    assert (move.user, move.to_version) == ("owner", 3)

    # The editor's session is still the editor's, and never decides requests.
    editor.refresh()
    expect(editor.page.get_by_text("Waiting for approval")).to_have_count(0)  # read afresh
    expect(lane(editor.page, 3).locator("[data-alias='production']")).to_be_visible()
    editor.signed_in()
    expect(editor.page.get_by_role("button", name="Approve and move")).to_have_count(0)
    # A reload is a new browser session: nothing of the sign-in was kept in the browser.
    editor.page.reload()
    sign_in_form(editor.page)
    editor.submit(PASSWORDS["editor"])
    editor.signed_in()
    expect(editor.page.get_by_text("Requests and decisions")).to_be_visible()
    expect(editor.page.get_by_role("button", name="Approve and move")).to_have_count(0)

    # Nothing anyone was sent, shown or logged holds a password (though each typed theirs).
    for person in people.values():
        person.check()
        assert [f for f in person.sent if PASSWORDS[person.name].encode() in f]
        assert [f for f in person.frames if PROMPT.encode() in f]
    log = app.log_path.read_text(errors="replace")
    assert not [p for p in PASSWORDS.values() if p in log]

    reader.page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    sign_in_form(reader.page)
    reader.check()
