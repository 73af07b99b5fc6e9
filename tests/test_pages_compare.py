"""AppTest: the compare page (sides by version and alias, swap, toggles, deep links, errors)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.registry.models import ChatMessage
from tests.apptest_util import fresh_streamlit_caches, open_page, start_app, texts
from tests.servers import Server

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here


def _story(reg: PromptRegistry, name: str) -> None:
    """v1 (production), v2 (champion) adds a variable, v3 changes only whitespace."""
    reg.create_prompt(
        name,
        "You answer {{question}}.\nBe polite.\n",
        "first",
        tags={"team": "support"},
        version_tags={"reviewed": "no"},
        model_config={"temperature": 0.1},
        author="ana@example.com",
    )
    reg.commit_version(
        name,
        "You answer {{question}} about {{topic}}.\nBe polite.\n",
        "add topic",
        version_tags={"reviewed": "yes"},
        model_config={"temperature": 0.3},
    )
    reg.commit_version(
        name,
        "You answer {{question}} about {{topic}}.\nBe   polite.\n",
        "spacing only",
        model_config={"temperature": 0.3},
    )
    reg.set_alias(name, "production", 1)
    reg.set_alias(name, "champion", 2)


def shown(at: AppTest, kind: str) -> list[str]:
    """Texts of one element kind as the reader sees them (Markdown escapes removed)."""
    return [unescape(t) for t in texts(at, kind)]


def unescape(text: str) -> str:
    """Markdown text as it reads once rendered (md_escape undone)."""
    return re.sub(r"\\(.)", r"\1", text).replace("  \n", "\n")


def _html(at: AppTest) -> str:
    """The diff view's HTML (the page's one st.html element)."""
    elements = at.get("html")
    assert len(elements) == 1
    return elements[0].proto.body


def _query(at: AppTest) -> dict[str, str]:
    return {k: at.query_params[k] for k in at.query_params}


def _summary(at: AppTest) -> str:
    return next(m for m in shown(at, "markdown") if "words" in m)


@pytest.fixture
def story(monkeypatch: pytest.MonkeyPatch, sqlite_uri: str, unique_name: str) -> AppTest:
    _story(PromptRegistry(sqlite_uri), unique_name)
    return start_app(monkeypatch, sqlite_uri)


def test_default_view_is_production_against_latest(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name)
    # The page fills the sides in without rewriting the address (which would add a history
    # entry that Back lands on); a change of side then writes the whole view.
    assert _query(at) == {"prompt": unique_name}
    assert at.selectbox(key="compare_prompt").value == unique_name
    assert at.selectbox(key="compare_left").value == "production"
    assert at.selectbox(key="compare_right").value == "latest"
    html = _html(at)
    assert f"{unique_name}@production (v1)" in html
    assert f"{unique_name}@latest (v3)" in html
    assert '<ins class="pu-ins"> about &#123;&#123;topic&#125;&#125;</ins>' in html
    assert "variables: +topic" in _summary(at)
    assert any("topic" in w and "would break" in w for w in shown(at, "warning"))
    pinned = next(link for link in at.page_link if "exactly" in link.value)
    assert pinned.value == "Link to exactly v1 and v3"
    assert parse_qs(pinned.proto.query_string)["left"] == ["1"]
    assert parse_qs(pinned.proto.query_string)["right"] == ["3"]
    at.selectbox(key="compare_right").set_value("2").run()
    assert _query(at) == {"prompt": unique_name, "left": "production", "right": "2"}


def test_sides_by_version_number(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name, left=1, right=2)
    html = _html(at)
    assert f"{unique_name} v1" in html and f"{unique_name} v2" in html
    assert "pu-ins" in html
    assert at.selectbox(key="compare_left").value == "1"
    assert at.selectbox(key="compare_left").format_func("1") == "v1"
    assert not any("exactly" in link.value for link in at.page_link)  # already pinned


def test_sides_by_alias(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name, left="production", right="champion")
    html = _html(at)
    assert f"{unique_name}@production (v1)" in html
    assert f"{unique_name}@champion (v2)" in html
    labels = at.selectbox(key="compare_right")
    assert labels.format_func("champion") == "champion → v2"


def test_choosing_a_side_updates_the_link(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name)
    at.selectbox(key="compare_left").set_value("2").run()
    assert not at.exception
    assert _query(at)["left"] == "2"
    assert f"{unique_name} v2" in _html(at)
    assert at.selectbox(key="compare_left").value == "2"


def test_swap_exchanges_the_sides(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name)
    assert "+topic" in _summary(at)
    at.button(key="compare_swap").click().run()
    assert not at.exception
    assert (_query(at)["left"], _query(at)["right"]) == ("latest", "production")
    assert at.selectbox(key="compare_left").value == "latest"
    assert "−topic" in _summary(at)
    assert "<del class" in _html(at)


def test_view_mode_and_ignore_whitespace_toggles(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name, left=2, right=3)
    assert "pu-side" in _html(at)
    assert "1 line changed" in _summary(at)
    at.segmented_control(key="compare_mode").set_value("inline").run()
    assert _query(at)["mode"] == "inline"
    assert "pu-unified" in _html(at)
    at.toggle(key="compare_ignore_ws").set_value(True).run()
    assert _query(at)["ignore_ws"] == "true"
    assert "0 lines changed" in _summary(at)
    # v2 has a version tag v3 lacks: the templates agree, the versions do not.
    assert any(
        "identical apart from whitespace, but the tags differ" in s for s in shown(at, "warning")
    )
    assert "pu-unified" in _html(at)  # one toggle does not reset the other


def test_deep_link_reproduces_the_view(story: AppTest, unique_name: str) -> None:
    at = open_page(
        story,
        "compare",
        prompt=unique_name,
        left="champion",
        right="1",
        mode="inline",
        ignore_ws="true",
    )
    assert at.selectbox(key="compare_left").value == "champion"
    assert at.selectbox(key="compare_right").value == "1"
    assert at.segmented_control(key="compare_mode").value == "inline"
    assert at.toggle(key="compare_ignore_ws").value is True
    assert "pu-unified" in _html(at)
    assert "−topic" in _summary(at)


def test_choosing_another_prompt_resets_the_sides(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str, unique_name: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    _story(reg, unique_name)
    other = unique_name + "-b"
    reg.create_prompt(other, "Hi {{a}}.", "one")
    reg.commit_version(other, "Hello {{a}}.", "two")
    at = open_page(start_app(monkeypatch, sqlite_uri), "compare", prompt=unique_name, left=2)
    at.selectbox(key="compare_prompt").set_value(other).run()
    assert not at.exception
    assert _query(at) == {"prompt": other}  # the sides of the other prompt are reset
    html = _html(at)
    assert f"{other} v1" in html  # no production alias: the previous version
    assert f"{other}@latest (v2)" in html


def test_no_prompt_chosen_offers_the_picker(story: AppTest) -> None:
    at = open_page(story, "compare")
    assert at.selectbox(key="compare_prompt").value is None
    assert any("Choose a prompt" in i for i in shown(at, "info"))
    assert not at.get("html")


def test_unknown_prompt_shows_a_clear_message(story: AppTest) -> None:
    at = open_page(story, "compare", prompt="no-such-prompt")
    assert any("no-such-prompt" in w and "does not exist" in w for w in shown(at, "warning"))
    assert not at.get("html")


def test_unknown_side_names_the_side_and_the_options(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name, left="staging", right=9)
    warnings = " ".join(shown(at, "warning"))
    assert "left side" in warnings and "staging" in warnings
    assert "champion" in warnings and "production" in warnings
    assert not at.get("html")
    # The selectors still work: picking a real version brings the view back.
    at.selectbox(key="compare_left").set_value("production").run()
    at.selectbox(key="compare_right").set_value("2").run()
    assert not at.exception
    assert f"{unique_name} v2" in _html(at)


def test_bad_link_values_are_ignored_and_reported(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name, mode="table", ignore_ws="perhaps")
    notes = " ".join(shown(at, "caption"))
    assert "Ignored in the link" in notes and "table" in notes and "perhaps" in notes
    assert "pu-side" in _html(at)  # shown side by side, the default


def test_chat_prompts_compare_message_by_message(
    monkeypatch: pytest.MonkeyPatch, sqlite_uri: str, unique_name: str
) -> None:
    reg = PromptRegistry(sqlite_uri)
    system = ChatMessage("system", "You help {{team}} customers.")
    user = ChatMessage("user", "{{question}}")
    reg.create_prompt(unique_name, (system, user), "first")
    reg.commit_version(
        unique_name,
        (
            user,
            ChatMessage("system", "You help {{team}} customers kindly."),
            ChatMessage("assistant", "Sure."),
        ),
        "reorder",
    )
    at = open_page(start_app(monkeypatch, sqlite_uri), "compare", prompt=unique_name)
    html = _html(at)
    assert "pu-msg-added" in html and "pu-msg-changed" in html
    assert '<ins class="pu-ins"> kindly</ins>' in html
    assert "&quot;role&quot;" not in html and '"role"' not in html
    assert "messages: 1 added" in _summary(at)


def test_details_table_and_download(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name, left=1, right=2)
    table = at.table[0].value
    assert [unescape(str(c)) for c in table.columns] == [
        "",
        f"Left · {unique_name} v1",
        f"Right · {unique_name} v2",
        "change",
    ]
    rows = {r[0]: r[1:] for r in ([unescape(str(c)) for c in t] for t in table.values)}
    assert rows["commit message"] == ["first", "add topic", "changed"]
    assert rows["author"] == ["ana@example.com", "—", "changed"]
    assert rows["model config: temperature"] == ["0.1", "0.3", "changed"]
    assert rows["tag: reviewed"] == ["no", "yes", "changed"]
    assert rows["created"][0].endswith(" UTC")
    download = at.download_button(key="compare_download")
    assert download.label == "Download .diff"
    assert not download.proto.disabled


def test_identical_versions_disable_the_download(story: AppTest, unique_name: str) -> None:
    at = open_page(story, "compare", prompt=unique_name, left="champion", right=2)
    assert any("Both sides are version 2" in i for i in shown(at, "info"))
    assert at.download_button(key="compare_download").proto.disabled


def test_changing_sides_and_toggles_sends_no_request(
    monkeypatch: pytest.MonkeyPatch, mlflow_server: Server, unique_name: str
) -> None:
    _story(PromptRegistry(mlflow_server.url), unique_name)
    at = start_app(monkeypatch, mlflow_server.url)
    with count_requests() as opening:
        open_page(at, "compare", prompt=unique_name)
    # The prompt list is cached by the home page; the prompt is get_prompt's two requests.
    assert opening.count == 2, opening.calls
    with count_requests() as log:
        at.toggle(key="compare_ignore_ws").set_value(True).run()
        at.segmented_control(key="compare_mode").set_value("inline").run()
        at.button(key="compare_swap").click().run()
        at.selectbox(key="compare_left").set_value("2").run()
        at.run()
    assert not at.exception
    assert log.count == 0, log.calls
    assert _query(at)["left"] == "2"
