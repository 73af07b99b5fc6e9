"""Template variables and rendering, checked against MLflow's own `PromptVersion.format`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mlflow.entities.model_registry import PromptVersion as MlflowPromptVersion
from mlflow.prompt.constants import PROMPT_TEMPLATE_VARIABLE_PATTERN

from promptui.registry.models import ChatMessage
from promptui.templates import (
    VARIABLE_PATTERN,
    extract_variables,
    message_variables,
    render,
    template_variables,
    uses_jinja,
)

identifiers = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,8}", fullmatch=True)
plain_text = st.text(alphabet=st.characters(exclude_characters="{}%"), max_size=20)
values_text = st.text(max_size=15)


def test_pattern_is_mlflows() -> None:
    assert VARIABLE_PATTERN is PROMPT_TEMPLATE_VARIABLE_PATTERN


def test_variables_in_order_of_first_use_without_duplicates() -> None:
    text = "Hi {{ name }}, {{team}} says {{name}} about {{ user.city }}."
    assert extract_variables(text) == ("name", "team", "user.city")
    assert template_variables(text) == ("name", "team", "user.city")


def test_not_variables() -> None:
    text = "{single} {{1x}} {{ two words }} {{}} {{a-b}} {{{triple}}}"
    assert template_variables(text) == ("triple",)


def test_variables_of_chat_messages_include_parts_as_mlflow_finds_them() -> None:
    messages = (
        ChatMessage("system", "Speak {{language}}."),
        ChatMessage.from_data(
            {"role": "user", "content": [{"type": "text", "text": "Look at {{thing}}"}]}
        ),
        ChatMessage("user", "{{question}}"),
    )
    assert message_variables(messages) == ("language", "thing", "question")
    expected = MlflowPromptVersion("p", 1, [m.data() for m in messages]).variables
    assert set(message_variables(messages)) == expected


def test_jinja_names_read_by_blocks_are_variables_in_order() -> None:
    text = "{% if tone == 'formal' %}Dear {{ name }},{% else %}Hi {{ name }}!{% endif %}"
    assert uses_jinja(text)
    assert template_variables(text) == ("tone", "name")
    loop = "{% for item in items %}- {{ item }}\n{% endfor %}{{ footer }}"
    assert template_variables(loop) == ("items", "footer")  # `item` is set by the loop


@given(st.lists(st.tuples(plain_text, identifiers), max_size=6), plain_text)
def test_variables_match_mlflows_prompt_version(parts: list[tuple[str, str]], tail: str) -> None:
    template = "".join(f"{text}{{{{{var}}}}}" for text, var in parts) + tail
    expected = MlflowPromptVersion("p", 1, template).variables
    assert set(template_variables(template)) == expected


@given(
    st.lists(st.tuples(plain_text, identifiers), min_size=1, max_size=5),
    plain_text,
    st.data(),
)
def test_render_is_mlflows_format(parts: list[tuple[str, str]], tail: str, data) -> None:
    template = "".join(f"{text}{{{{{var}}}}}" for text, var in parts) + tail
    names = sorted({var for _, var in parts})
    values = {n: data.draw(values_text) for n in names}
    expected = MlflowPromptVersion("p", 1, template).format(**values)
    assert render(template, values) == render(template, values)  # no state between calls
    assert render(template, values).text == expected


def test_render_keeps_placeholders_of_missing_values_and_names_them() -> None:
    result = render("Answer in {{ language }} for {{team}}.", {"language": "French"})
    assert result.text == "Answer in French for {{team}}."
    assert result.unfilled == ("team",)


def test_render_chat_returns_messages_like_format() -> None:
    messages = (ChatMessage("system", "Be {{tone}}."), ChatMessage("user", "{{question}}"))
    result = render(messages, {"tone": "brief", "question": "Why?"})
    assert result.messages == (ChatMessage("system", "Be brief."), ChatMessage("user", "Why?"))
    expected = MlflowPromptVersion("p", 1, [m.data() for m in messages]).format(
        tone="brief", question="Why?"
    )
    assert [m.data() for m in result.messages] == expected


def test_render_jinja_like_mlflow() -> None:
    text = "{% if tone == 'formal' %}Dear {{ name }},{% else %}Hi {{ name }}!{% endif %}"
    assert render(text, {"tone": "formal", "name": "Ada"}).text == "Dear Ada,"
    assert render(text, {"name": "Bo"}).text == "Hi Bo!"


def test_format_leaves_extra_message_keys_out_and_says_so() -> None:
    message = ChatMessage.from_data({"role": "user", "content": "Hi {{x}}", "name": "bob"})
    result = render((message,), {"x": "1"})
    assert result.messages == (ChatMessage("user", "Hi 1"),)
    assert result.dropped_keys == ("name",)


@pytest.mark.parametrize(
    ("messages", "values", "says"),
    [
        (
            [{"role": "assistant", "content": None, "tool_calls": []}],
            {},
            "message 1 (assistant): its content is null",
        ),
        (
            [{"role": "user", "content": [{"type": "text", "text": "{{x}}"}]}],
            {"x": "1"},
            "message 1 (user): its content is a list of parts",
        ),
    ],
)
def test_what_mlflow_cannot_format_is_said_not_raised(
    messages: list[dict], values: dict[str, str], says: str
) -> None:
    template = tuple(ChatMessage.from_data(m) for m in messages)
    with pytest.raises(TypeError):  # MLflow itself fails here
        MlflowPromptVersion("p", 1, messages).format(**values)
    result = render(template, values)
    assert not result.ok and says in result.error


def test_a_value_that_cannot_be_rendered_is_named() -> None:
    result = render("{{ count + 1 }} and {{ name }} {% if x %}{% endif %}", {"count": "a"})
    assert not result.ok
    assert "'count'" in result.error
    syntax = render("{% if %}", {})
    assert not syntax.ok and "TemplateSyntaxError" in syntax.error


def test_empty_chat_renders_as_mlflow_reads_it() -> None:
    assert render((), {}).text == MlflowPromptVersion("p", 1, []).format() == "[]"
