"""The draft model (pure) and saving drafts through the service layer to a real server."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promptui.drafts import Draft, draft_from_version, new_draft, parse_tags, save_draft
from promptui.registry import PromptRegistry
from promptui.registry.errors import ConflictError, InvalidInputError, StaleBaseError
from promptui.registry.models import ChatMessage


def test_new_draft_reports_empty_fields_only_after_a_commit_was_tried() -> None:
    draft = new_draft()
    draft.commit_message = ""
    assert set(draft.problems()) == {"name", "template", "commit_message"}
    assert draft.visible_problems() == {}
    draft.attempted = True
    assert set(draft.visible_problems()) == {"name", "template", "commit_message"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("has space", "only letters, digits"),
        ("x" * 300, "at most 256"),
        ("taken", "already exists"),
    ],
)
def test_bad_names_are_named_as_you_type(name: str, message: str) -> None:
    draft = new_draft()
    draft.name = name
    assert message in draft.visible_problems({"taken"})["name"]


def test_template_rules() -> None:
    draft = new_draft()
    draft.text = "x" * 100_001
    assert "at most 100,000" in draft.problems()["template"]
    draft.set_type("chat")
    draft.messages[0].content = "ok"
    draft.add_message("critic", "hm")  # MLflow accepts any role
    assert "template" not in draft.problems()
    draft.messages[1].role = "user"
    draft.messages[1].content = "  "
    assert "no content" in draft.problems()["template"]
    draft.messages[1].json_text = '{"role": "user", "content": 5}'
    assert "content: Input should be a valid string" in draft.problems()["template"]


def test_chat_messages_add_move_remove() -> None:
    draft = new_draft("chat")
    assert [m.role for m in draft.messages] == ["system", "user"]
    draft.messages[0].content, draft.messages[1].content = "a {{x}}", "b {{y}}"
    third = draft.add_message("assistant", "c {{x}}")
    draft.move_message(third.id, -1)
    assert [m.content for m in draft.messages] == ["a {{x}}", "c {{x}}", "b {{y}}"]
    draft.move_message(draft.messages[0].id, -1)  # already first: stays
    assert draft.messages[0].content == "a {{x}}"
    draft.remove_message(third.id)
    assert draft.variables() == ("x", "y")
    assert draft.template() == (ChatMessage("system", "a {{x}}"), ChatMessage("user", "b {{y}}"))


def test_switching_type_carries_the_text() -> None:
    draft = new_draft()
    draft.text = "Hello {{name}}"
    draft.set_type("chat")
    assert draft.chat_messages() == (ChatMessage("system", "Hello {{name}}"),)
    draft.text = ""
    draft.set_type("text")
    assert draft.text == "Hello {{name}}"


def _texts(draft: Draft) -> set[str]:
    """Every non-blank text a draft holds: its text, each message's content or JSON."""
    held = [draft.text, *(m.json_text or m.content for m in draft.messages)]
    return {t for t in held if t.strip()}


def _shown(draft: Draft) -> set[str]:
    """The non-blank texts of the side the editor shows."""
    if draft.is_chat:
        return {t for m in draft.messages if (t := m.json_text or m.content).strip()}
    return {draft.text} if draft.text.strip() else set()


_EDITS = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(["", " ", "Hello {{name}}", "Bye"])),
    st.tuples(st.just("content"), st.sampled_from(["", "  ", "You help.", "{{q}}"])),
    st.tuples(st.just("add"), st.sampled_from(["user", "assistant"])),
    st.tuples(st.just("switch"), st.sampled_from(["text", "chat"])),
)


@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from(["text", "chat"]), edits=st.lists(_EDITS, max_size=12))
def test_switching_type_never_drops_text_and_shows_it_when_the_side_is_blank(
    start: str, edits: list[tuple[str, str]]
) -> None:
    draft = new_draft("chat" if start == "chat" else "text")
    for kind, value in edits:
        if kind == "text" and not draft.is_chat:
            draft.text = value
        elif kind == "content" and draft.is_chat and draft.messages:
            draft.messages[-1].content = value
        elif kind == "add" and draft.is_chat:
            draft.add_message(value, "")
        elif kind == "switch":
            before, shown_before = _texts(draft), _shown(draft)
            draft.set_type("chat" if value == "chat" else "text")
            assert before <= _texts(draft)  # nothing dropped
            if shown_before and not _shown(draft):
                raise AssertionError(f"the {value} side shows nothing of {shown_before}")


def test_tags_and_model_settings() -> None:
    assert parse_tags("team=support\n\n project = agent ") == {
        "team": "support",
        "project": "agent",
    }
    with pytest.raises(InvalidInputError, match="line 2"):
        parse_tags("a=b\nno equals sign")
    draft = Draft(model_name=" gpt ", temperature=0.2, stop_text="END\n\n###", top_p=None)
    assert draft.model_config() == {
        "model_name": "gpt",
        "temperature": 0.2,
        "stop_sequences": ["END", "###"],
    }
    draft.top_p = 3.0
    assert draft.problems()["model_config"] == (
        "Model settings: top_p: Input should be less than or equal to 1"
    )


def test_draft_from_version_keeps_settings_the_form_does_not_edit(
    registry: PromptRegistry, unique_name: str
) -> None:
    config = {"model_name": "m", "temperature": 0.5, "top_k": 40, "stop_sequences": ["X"]}
    v1 = registry.create_prompt(unique_name, "Hi {{who}}", "first", model_config=config)
    draft = draft_from_version(registry.get_prompt(unique_name).latest, latest=v1.version)
    assert (draft.model_name, draft.temperature, draft.stop_text) == ("m", 0.5, "X")
    assert draft.other_config == {"top_k": 40}
    assert draft.model_config() == config  # in the stored order
    assert draft.model_config() == config
    assert draft.same_as(registry.get_prompt(unique_name).latest)
    draft.text += "!"
    assert not draft.same_as(registry.get_prompt(unique_name).latest)


def test_save_new_prompt_then_version(registry: PromptRegistry, unique_name: str) -> None:
    draft = new_draft()
    draft.name, draft.text, draft.tags_text = unique_name, "Answer {{q}}", "team=qa"
    created = save_draft(registry, draft, author="ana@example.com")
    detail = registry.get_prompt(unique_name)
    assert (created.version, detail.tags, detail.latest.author) == (
        1,
        {"team": "qa"},
        "ana@example.com",
    )
    edit = draft_from_version(detail.latest, latest=1)
    edit.text, edit.commit_message = "Answer {{q}} briefly", "Shorter answers"
    assert save_draft(registry, edit, author=None).version == 2
    assert registry.get_prompt(unique_name).latest.commit_message == "Shorter answers"


def test_stale_base_stops_the_commit(registry: PromptRegistry, unique_name: str) -> None:
    registry.create_prompt(unique_name, "v1 {{q}}", "first")
    draft = draft_from_version(registry.get_prompt(unique_name).latest, latest=1)
    registry.commit_version(unique_name, "v2 by a colleague {{q}}", "colleague")
    draft.text, draft.commit_message = "mine {{q}}", "mine"
    with pytest.raises(StaleBaseError) as caught:
        save_draft(registry, draft, author=None)
    assert caught.value.latest_version == 2
    assert registry.latest_version_number(unique_name) == 2
    draft.seen_latest = 2
    assert save_draft(registry, draft, author=None).version == 3


def test_delete_version_refuses_aliases_not_confirmed(
    registry: PromptRegistry, unique_name: str
) -> None:
    registry.create_prompt(unique_name, "one", "first")
    registry.commit_version(unique_name, "two", "second")
    registry.set_alias(unique_name, "production", 1)
    registry.set_alias(unique_name, "staging", 1)
    with pytest.raises(ConflictError, match="staging"):
        registry.delete_version(unique_name, 1, confirmed_aliases=["production"])
    assert [v.version for v in registry.get_prompt(unique_name).versions] == [2, 1]
    registry.delete_version(unique_name, 1, confirmed_aliases=["production", "staging"])
    detail = registry.get_prompt(unique_name)
    assert ([v.version for v in detail.versions], detail.aliases) == ([2], {})
    registry.delete_version(unique_name, 2, confirmed_aliases=())
    assert registry.get_prompt(unique_name).versions == ()
