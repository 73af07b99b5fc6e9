"""Template variables and rendering (pure), checked against MLflow's own behaviour."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from mlflow.entities.model_registry import PromptVersion as MlflowPromptVersion
from mlflow.genai.prompts.utils import format_prompt
from mlflow.prompt.constants import PROMPT_TEMPLATE_VARIABLE_PATTERN

from promptui.registry.models import ChatMessage
from promptui.templates import (
    VARIABLE_PATTERN,
    extract_variables,
    message_variables,
    missing_variables,
    render_messages,
    render_text,
)

identifiers = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,8}", fullmatch=True)
plain_text = st.text(alphabet=st.characters(exclude_characters="{}"), max_size=20)


def test_pattern_is_mlflows() -> None:
    assert VARIABLE_PATTERN.pattern == PROMPT_TEMPLATE_VARIABLE_PATTERN.pattern


def test_variables_in_order_of_first_use_without_duplicates() -> None:
    text = "Hi {{ name }}, {{team}} says {{name}} about {{ user.city }}."
    assert extract_variables(text) == ("name", "team", "user.city")


def test_not_variables() -> None:
    text = "{single} {{1x}} {{ two words }} {{}} {{a-b}} {{{triple}}}"
    assert extract_variables(text) == ("triple",)


def test_variables_over_several_texts_and_chat_messages() -> None:
    assert extract_variables(["{{b}} {{a}}", "{{a}} {{c}}"]) == ("b", "a", "c")
    messages = (ChatMessage("system", "Speak {{language}}."), ChatMessage("user", "{{question}}"))
    assert message_variables(messages) == ("language", "question")
    assert extract_variables("") == ()


@given(st.lists(st.tuples(plain_text, identifiers), max_size=6), plain_text)
def test_variables_match_mlflows_prompt_version(parts: list[tuple[str, str]], tail: str) -> None:
    template = "".join(f"{text}{{{{{var}}}}}" for text, var in parts) + tail
    if not template.strip():
        return
    expected = MlflowPromptVersion("p", 1, template).variables
    assert set(extract_variables(template)) == set(expected)


def test_render_fills_known_and_keeps_unknown() -> None:
    text = "Answer in {{ language }} for {{team}}; {{unknown}} stays."
    assert render_text(text, {"language": "French", "team": "data"}) == (
        "Answer in French for data; {{unknown}} stays."
    )


def test_render_is_one_pass_and_literal() -> None:
    # A value that looks like a placeholder or a regex escape is inserted as it is.
    assert render_text("{{a}} {{b}}", {"a": "{{b}}", "b": r"C:\new\u"}) == r"{{b}} C:\new\u"
    assert render_text("{{n}}", {"n": 3}) == "3"  # type: ignore[dict-item]


@given(st.lists(st.tuples(plain_text, identifiers), max_size=6), st.data())
def test_render_matches_mlflows_format(parts: list[tuple[str, str]], data: st.DataObject) -> None:
    template = "".join(f"{text}{{{{ {var} }}}}" for text, var in parts)
    values = {var: data.draw(plain_text) for _, var in parts}
    assert render_text(template, values) == format_prompt(template, **values)


def test_missing_variables_treat_empty_as_given() -> None:
    assert missing_variables(("a", "b", "c"), {"a": "", "c": "x"}) == ("b",)
    assert missing_variables((), {}) == ()


def test_render_messages_keeps_roles() -> None:
    messages = (ChatMessage("system", "Be {{tone}}."), ChatMessage("user", "{{question}}"))
    assert render_messages(messages, {"tone": "brief", "question": "Why?"}) == (
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "Why?"),
    )
