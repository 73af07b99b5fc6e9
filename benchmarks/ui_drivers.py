"""How benchmarks/ui_tasks.py does each task in promptui and in MLflow's own web UI.

Every selector is in the block below: roles and labels first, anchored regexes where a label may
change a little, test ids only where a widget has no role (the alias
board, MLflow's icon-only copy button). A driver starts on its UI's prompt list, acts through
an `Actor`, which counts clicks (a drag counts as one) and typed fields and waits by polling
every 20 ms (Playwright's own waits back off to 500 ms, too coarse to time a task), and returns
once the result is on screen.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from playwright.sync_api import Locator, Page

T = TypeVar("T")

# --- promptui (Streamlit) -------------------------------------------------------------------
PU_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PU_WIDGET_CODE = "html[data-pu-widget-code]"  # set once the widgets' code is fetched (or not)
PU_MAIN, PU_SIDEBAR = "stMain", "stSidebar"
PU_LIST_ROW = "[data-testid='prompt-list'] tbody tr"  # the prompts list (promptui's own id)
PU_SEARCH = re.compile(r"^Search prompts")
PU_CREATE = re.compile(r"^Create prompt$")
PU_NAME = re.compile(r"^Name$")
PU_CREATE_CHAT = re.compile(r"^Create chat prompt$")
PU_TEMPLATE = re.compile(r"^Template$")
PU_MESSAGE = re.compile(r"^Commit message")
PU_NEW_VERSION = re.compile(r"^New version")
PU_COMMIT = re.compile(r"^Commit( version)?$")
PU_COMPARE = re.compile(r"^Compare\b")
PU_COPY_PRODUCTION = re.compile(r"^Copy code to load production$")
PU_CONFIRM = re.compile(r"^Confirm$")
PU_ONE_FOUND = re.compile(r"\b1 of [\d,]+ prompts")
PU_DIFF = ".pu-diff"  # the compare page's diff (promptui's own class)
PU_TEMPLATE_VIEW = ".pu-template"  # the prompt page's template view (promptui's own class)
# Filled in with `rx` / `str.format`:
PU_ALIAS_LINK = r"^{alias}\s*(→|->)"  # a link to the version an alias is on (list chips too)
PU_CONTENT = r"^Message {i} content"
PU_ROLLBACK = r"^Roll back {alias}\b"  # on the prompt page; the dialog names the version
PU_ALIAS_ON = r"^{alias}\s*(→|->)\s*v{version}\b"  # the prompt page's link, once moved
PU_CHIP = "[data-testid='alias-chip'][data-alias='{alias}']"  # the alias board's own test ids
PU_LANE = "[data-testid='alias-lane'][data-version='{version}']"
PU_SWITCHES = ("Prompts", "Compare", "Aliases", "Prompt", "Home")  # sidebar links

# --- MLflow 3.17 web UI (React, Du Bois / Ant components) ------------------------------------
ML_CREATE_PROMPT = re.compile(r"^Create prompt$")
ML_CREATE_VERSION = re.compile(r"^Create prompt version$")
ML_NAME = re.compile(r"^Name")
ML_PROMPT = re.compile(r"^Prompt")
ML_MESSAGE = re.compile(r"^Commit message")
ML_ROLE = "role"  # placeholder of a chat message's role box
ML_ADD_MESSAGE = re.compile(r"^Add message$")
ML_CREATE = re.compile(r"^Create$")
ML_SAVE_ALIASES = re.compile(r"^Save aliases")
ML_USE = re.compile(r"^Use$")
ML_BASELINE = re.compile(r"^Select as baseline")
ML_COMPARED = re.compile(r"^Select as compared")
ML_ANY_VERSION = re.compile(r"^Version \d+$")
ML_COPY = "[data-component-id='mlflow.shared.copy_button']"  # an icon button without a name
ML_LIST_LINK = "a[href^='#/prompts/']"  # the prompt names in the list, in the order shown
ML_VERSION = r"^Version {version}$"
ML_VIEWING = r"^Viewing version {version}$"
ML_COMPARING = r"Comparing version ({a} with version {b}|{b} with version {a})\b"
# A row's text runs on into its date ("@ production11/30/2026"): no \b after the alias.
ML_ALIAS_TAG = r"@\s*{alias}(?![A-Za-z_.-])"


def rx(pattern: str, **values: object) -> re.Pattern[str]:
    """A pattern above with its `{placeholders}` filled in literally."""
    return re.compile(pattern.format(**{k: re.escape(str(v)) for k, v in values.items()}))


# --- acting and waiting -------------------------------------------------------------------
POLL_S, TIMEOUT_S = 0.02, 90.0


def wait_for(check: Callable[[], T], what: str, timeout_s: float = TIMEOUT_S) -> T:
    """Poll `check` every 20 ms until it returns something true, and return that; TimeoutError
    naming `what` after timeout_s."""
    deadline = time.perf_counter() + timeout_s
    while not (result := check()):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"not within {timeout_s:.0f} s: {what}")
        time.sleep(POLL_S)
    return result


def shown(target: Locator, what: str = "") -> None:
    """Wait until the first element `target` matches is visible."""
    wait_for(target.first.is_visible, what or str(target))


@dataclass(frozen=True)
class Job:
    """One repetition of a task: the prompt it works on and what to type and to see."""

    prompt: str
    show: str = ""  # text that proves the result is on screen or copied ("a|b": both texts)
    text: str = ""  # text to type: a template, a search
    message: str = ""  # commit message
    versions: tuple[int, int] = (0, 0)  # (from, to) of an alias; (production, latest) to compare
    alias: str = ""
    messages: tuple[tuple[str, str], ...] = ()  # (role, content) of a chat prompt to create
    pages: tuple[tuple[str, str], ...] = ()  # (name, text on its page) of every listed prompt


def _centre(target: Locator) -> tuple[float, float]:
    box = target.first.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


class Actor:
    """Acts on one page as a person who acts as soon as the next thing is visible (in both UIs
    alike); counts clicks (a drag counts as one) and typed fields."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.clicks = self.fields = 0

    def click(self, target: Locator) -> None:
        shown(target)
        target.first.click()
        self.clicks += 1

    def click_at(self, x: float, y: float) -> None:
        self.page.mouse.click(x, y)
        self.clicks += 1

    def drag(self, source: Locator, target: Locator) -> None:
        """A real mouse drag: press, move in steps, release."""
        shown(source)
        shown(target)
        a, b, mouse = _centre(source), _centre(target), self.page.mouse
        mouse.move(*a)
        mouse.down()
        mouse.move(*b, steps=10)  # some drag code starts only after a few pixels
        mouse.up()
        self.clicks += 1

    def type(self, field: Locator, text: str, *, key: str = "Tab") -> None:
        """Type into a field and leave it (Tab) or confirm it (Enter): one typed field."""
        shown(field)
        field.first.fill(text)
        field.first.press(key)
        self.fields += 1

    def clipboard_has(self, text: str) -> None:
        wait_for(lambda: text in self.page.evaluate("navigator.clipboard.readText()"), text)


# --- promptui ---------------------------------------------------------------------------------
def pu_start(page: Page, url: str) -> None:
    """The prompt list drawn, the code of the widgets other pages draw loaded (as MLflow's UI
    has all its code once its list shows), and idle."""
    page.goto(f"{url}/prompts")
    wait_for(lambda: page.locator(PU_LIST_ROW).count(), "promptui's prompt list")
    wait_for(lambda: page.locator(PU_WIDGET_CODE).count(), "promptui's widget code")
    wait_for(lambda: page.locator(PU_IDLE).count(), "promptui idle")


def pu_open(act: Actor, name: str) -> Locator:
    """Click the prompt's name in the list; the page's main area once the prompt page shows
    the prompt."""
    main = act.page.get_by_test_id(PU_MAIN)
    act.click(main.locator(PU_LIST_ROW).get_by_role("link", name=name, exact=True))
    shown(main.get_by_role("heading", name=name, exact=True), f"prompt page of {name}")
    return main


def pu_read(act: Actor, job: Job) -> None:
    """The alias's chip in the prompt's row of the list opens the version it points at."""
    main = act.page.get_by_test_id(PU_MAIN)
    row = main.locator(PU_LIST_ROW).filter(
        has=act.page.get_by_role("link", name=job.prompt, exact=True)
    )
    act.click(row.get_by_role("link", name=rx(PU_ALIAS_LINK, alias=job.alias)))
    shown(main.locator(PU_TEMPLATE_VIEW).filter(has_text=job.show))


def pu_compare(act: Actor, job: Job) -> None:
    main = pu_open(act, job.prompt)
    act.click(main.get_by_role("link", name=PU_COMPARE))
    before, after = job.show.split("|")
    shown(main.locator(PU_DIFF).filter(has_text=before).filter(has_text=after), "the diff")


def pu_edit(act: Actor, job: Job) -> None:
    """On the prompt page itself: "New version" opens the template and a commit message."""
    main = pu_open(act, job.prompt)
    act.click(main.get_by_role("button", name=PU_NEW_VERSION))
    act.type(main.get_by_role("textbox", name=PU_TEMPLATE), job.text)
    act.type(main.get_by_role("textbox", name=PU_MESSAGE), job.message)
    act.click(main.get_by_role("button", name=PU_COMMIT))
    shown(main.locator(PU_TEMPLATE_VIEW).filter(has_text=job.show))


def _pu_lane(act: Actor, version: int, alias: str = "") -> Locator:
    """A version's lane on the alias board, or the alias's chip in it."""
    lane = act.page.locator(PU_LANE.format(version=version))
    return lane.locator(PU_CHIP.format(alias=alias)) if alias else lane


def pu_move(act: Actor, job: Job) -> None:
    """On the prompt page's short alias board (the aliases page has every version)."""
    pu_open(act, job.prompt)
    act.drag(act.page.locator(PU_CHIP.format(alias=job.alias)), _pu_lane(act, job.versions[1]))
    shown(_pu_lane(act, job.versions[1], job.alias))


def pu_rollback(act: Actor, job: Job) -> None:
    main = pu_open(act, job.prompt)
    to = job.versions[1]
    act.click(main.get_by_role("button", name=rx(PU_ROLLBACK, alias=job.alias)))
    dialog = act.page.get_by_role("dialog")
    shown(dialog.get_by_text(f"v{to}", exact=True), f"the move back to v{to}")
    act.click(dialog.get_by_role("button", name=PU_CONFIRM))
    shown(main.get_by_role("link", name=rx(PU_ALIAS_ON, alias=job.alias, version=to)))


def pu_create_chat(act: Actor, job: Job) -> None:
    main = act.page.get_by_test_id(PU_MAIN)
    act.click(main.get_by_role("button", name=PU_CREATE_CHAT))  # a system and a user message
    act.type(main.get_by_role("textbox", name=PU_NAME), job.prompt)
    for i, (_role, content) in enumerate(job.messages, start=1):
        act.type(main.get_by_role("textbox", name=rx(PU_CONTENT, i=i)), content)
    act.type(main.get_by_role("textbox", name=PU_MESSAGE), job.message)
    act.click(main.get_by_role("button", name=PU_CREATE))
    shown(main.get_by_role("heading", name=job.prompt, exact=True))
    shown(main.get_by_text(job.show))


def pu_search(act: Actor, job: Job) -> None:
    main = act.page.get_by_test_id(PU_MAIN)
    act.type(main.get_by_role("searchbox", name=PU_SEARCH), job.text)
    shown(main.get_by_text(PU_ONE_FOUND), "one prompt found")
    found = main.locator(PU_LIST_ROW).filter(
        has=act.page.get_by_role("link", name=job.prompt, exact=True)
    )
    wait_for(found.count, f"{job.prompt} in the table")


def pu_copy(act: Actor, job: Job) -> None:
    """The prompt page's copy button loads production's snippet (the "Use this prompt" tab
    has every alias and version)."""
    main = pu_open(act, job.prompt)
    act.click(main.get_by_role("button", name=PU_COPY_PRODUCTION))
    act.clipboard_has(job.show)


# --- MLflow's web UI ------------------------------------------------------------------------
def ml_start(page: Page, url: str) -> None:
    """The Prompts list, rendered."""
    page.goto(f"{url}/#/prompts")
    shown(page.get_by_role("main").locator(ML_LIST_LINK), "MLflow's prompt list")


def ml_open(act: Actor, name: str) -> Locator:
    main = act.page.get_by_role("main")
    act.click(main.get_by_role("link", name=name, exact=True))
    shown(main.get_by_role("heading", name=name, exact=True))
    return main


def ml_row(main: Locator, *, version: int | None = None, alias: str = "") -> Locator:
    """A version's row in the prompt page's version list."""
    rows = main.get_by_role("row")
    if alias:
        return rows.filter(has_text=rx(ML_ALIAS_TAG, alias=alias))
    return rows.filter(has=main.page.get_by_text(rx(ML_VERSION, version=version)))


def ml_mode(main: Locator, name: str) -> Locator:
    """A segmented control's option (a hidden radio inside its label)."""
    return main.locator("label", has=main.page.get_by_role("radio", name=name, exact=True))


def ml_read(act: Actor, job: Job) -> None:
    main = ml_open(act, job.prompt)
    act.click(ml_row(main, alias=job.alias).get_by_text(ML_ANY_VERSION))
    shown(main.get_by_text(job.show))


def ml_compare(act: Actor, job: Job) -> None:
    """Compare opens as the selected (latest) version against the one before it: pick
    production as the other side (the fewest clicks), then the Text view, which highlights."""
    main = ml_open(act, job.prompt)
    act.click(ml_mode(main, "Compare"))
    production, latest = job.versions
    for version, radio in ((latest, ML_BASELINE), (production, ML_COMPARED)):
        side = ml_row(main, version=version).get_by_role("radio", name=radio)
        shown(side)
        if side.first.get_attribute("aria-checked") != "true":
            act.click(side)
    act.click(ml_mode(main, "Text"))
    shown(main.get_by_role("heading", name=rx(ML_COMPARING, a=production, b=latest)))
    wait_for(main.get_by_role("radio", name="Text", exact=True).first.is_checked, "Text view")


def ml_edit(act: Actor, job: Job) -> None:
    main = ml_open(act, job.prompt)
    act.click(main.get_by_role("button", name=ML_CREATE_VERSION))
    dialog = act.page.get_by_role("dialog")
    act.type(dialog.get_by_label(ML_PROMPT), job.text)
    act.type(dialog.get_by_label(ML_MESSAGE), job.message)
    act.click(dialog.get_by_role("button", name=ML_CREATE))
    shown(main.get_by_text(job.show))


def ml_set_alias(act: Actor, job: Job) -> None:
    """Aliases are edited per version ("Add", or the pencil beside its aliases): typing an
    alias that another version holds moves it here. There is no history, so a rollback is
    this too, by a person who knows which version was there before."""
    main, to = ml_open(act, job.prompt), job.versions[1]
    act.click(ml_row(main, version=to).get_by_role("button"))
    dialog = act.page.get_by_role("dialog")
    act.type(dialog.get_by_role("combobox"), job.alias, key="Enter")
    act.click(dialog.get_by_role("button", name=ML_SAVE_ALIASES))
    shown(ml_row(main, version=to).filter(has_text=rx(ML_ALIAS_TAG, alias=job.alias)))


def ml_create_chat(act: Actor, job: Job) -> None:
    main = act.page.get_by_role("main")
    act.click(main.get_by_role("button", name=ML_CREATE_PROMPT))
    dialog = act.page.get_by_role("dialog")
    act.type(dialog.get_by_label(ML_NAME), job.prompt)
    act.click(ml_mode(dialog, "Chat"))
    for i, (role, content) in enumerate(job.messages):
        if i:
            act.click(dialog.get_by_role("button", name=ML_ADD_MESSAGE))
        box = dialog.get_by_placeholder(ML_ROLE).nth(i)
        shown(box)
        if box.input_value() != role:  # the first message starts as "user"
            act.type(box, role, key="Enter")
        act.type(dialog.locator("textarea").nth(i), content)
    act.type(dialog.get_by_label(ML_MESSAGE), job.message)
    act.click(dialog.get_by_role("button", name=ML_CREATE))
    shown(main.get_by_role("heading", name=job.prompt, exact=True))
    shown(main.get_by_text(job.show))


def ml_search(act: Actor, job: Job) -> None:
    """MLflow's search matches names and tags only: open the prompts in list order and read
    each one's text until one mentions the word."""
    main, pages = act.page.get_by_role("main"), dict(job.pages)
    names = [n.strip() for n in main.locator(ML_LIST_LINK).all_inner_texts()]
    for name in names:
        ml_open(act, name)
        shown(main.get_by_text(pages[name]), f"{name}'s text")
        if main.get_by_text(re.compile(rf"\b{re.escape(job.text)}\b")).count():
            assert name == job.prompt, f"{name} mentions {job.text}"
            return
        act.click(main.get_by_role("link", name="Prompts", exact=True))  # the breadcrumb
        shown(main.locator(ML_LIST_LINK))
    raise AssertionError(f"no listed prompt mentions {job.text}")


def ml_copy(act: Actor, job: Job) -> None:
    """The "Use" snippet pins the selected version's number (prompts:/NAME/2), not the alias:
    copied from production's version."""
    main = ml_open(act, job.prompt)
    act.click(ml_row(main, alias=job.alias).get_by_text(ML_ANY_VERSION))
    shown(main.get_by_role("heading", name=rx(ML_VIEWING, version=job.versions[1])))
    act.click(main.get_by_role("button", name=ML_USE))
    act.click(act.page.get_by_role("dialog").locator(ML_COPY))
    act.clipboard_has(job.show)


DRIVERS: dict[str, dict[str, Callable[[Actor, Job], None]]] = {
    "promptui": {
        "read": pu_read, "compare": pu_compare, "edit": pu_edit, "champion": pu_move,
        "rollback": pu_rollback, "chat": pu_create_chat, "search": pu_search, "copy": pu_copy,
    },
    "mlflow": {
        "read": ml_read, "compare": ml_compare, "edit": ml_edit, "champion": ml_set_alias,
        "rollback": ml_set_alias, "chat": ml_create_chat, "search": ml_search, "copy": ml_copy,
    },
}  # fmt: skip
