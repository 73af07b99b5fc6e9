"""Input checks (pure): MLflow's own rules, said clearly, before anything is written."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mlflow.entities.model_registry.prompt_version import PromptModelConfig
from mlflow.exceptions import MlflowException
from mlflow.prompt.registry_utils import validate_prompt_name
from mlflow.utils.validation import (
    _validate_model_alias_name,
    _validate_model_alias_name_reserved,
    _validate_model_name,
)
from pydantic import ValidationError

from promptui.registry import validation
from promptui.registry.errors import InvalidInputError
from promptui.registry.models import ChatMessage

NAME_CHARS = "abcXYZ019_.-"
ALIAS_CHARS = "abcXYZ019_-.vV é"


def mlflow_accepts_name(name: str) -> bool:
    """What MLflow itself says about a prompt name (its own validators, no store)."""
    try:
        validate_prompt_name(name)
        _validate_model_name(name)
    except MlflowException:
        return False
    return True


def mlflow_accepts_alias(alias: str) -> bool:
    """What MLflow itself says about an alias."""
    try:
        _validate_model_alias_name(alias)
        _validate_model_alias_name_reserved(alias)
    except MlflowException:
        return False
    return True


def accepts(check: object, value: object) -> bool:
    try:
        check(value)  # type: ignore[operator]
    except InvalidInputError:
        return False
    return True


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["agent-system-prompt", "a", "A.b_c-1", "v1", ".hidden", "a.."])
def test_valid_names_pass(name: str) -> None:
    assert validation.check_name(name) == name


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "Enter a prompt name"),
        ("   ", "Enter a prompt name"),
        ("my prompt", "' '"),
        ("a/b", "'/'"),
        ("a:b", "':'"),
        ("prömpt", "'ö'"),
        ("name\n", "'\\n'"),
        ("<script>", "'<'"),
        (".", "file path"),
        ("..", "file path"),
        ("..secret", "file path"),
        ("x" * 257, "at most 256"),
    ],
)
def test_invalid_names_say_why(name: str, says: str) -> None:
    with pytest.raises(InvalidInputError) as e:
        validation.check_name(name)
    assert says in e.value.message


@given(st.text(alphabet=NAME_CHARS, min_size=1, max_size=256))
def test_names_in_mlflow_alphabet_agree_with_mlflow(name: str) -> None:
    assert accepts(validation.check_name, name) == mlflow_accepts_name(name)


@given(st.text(max_size=300))
def test_a_name_we_accept_mlflow_accepts(name: str) -> None:
    if accepts(validation.check_name, name):
        assert mlflow_accepts_name(name)


# -- aliases -------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["production", "champion", "v1x", "version2", "latest-ok", "a_b"])
def test_valid_aliases_pass(alias: str) -> None:
    assert validation.check_alias(alias) == alias


@pytest.mark.parametrize("alias", ["latest", "LATEST", "Latest", "v1", "V1", "v0042", "V99"])
def test_reserved_aliases_are_refused_in_any_case(alias: str) -> None:
    with pytest.raises(InvalidInputError) as e:
        validation.check_alias(alias)
    assert "reserved" in e.value.message
    assert not mlflow_accepts_alias(alias)


@pytest.mark.parametrize(
    ("alias", "says"),
    [
        ("", "Enter an alias"),
        ("prod uction", "spaces"),
        (" production", "spaces"),
        ("prod.v2", "letters, digits"),
        ("prod/1", "letters, digits"),
        ("a" * 256, "at most 255"),
    ],
)
def test_invalid_aliases_say_why(alias: str, says: str) -> None:
    with pytest.raises(InvalidInputError) as e:
        validation.check_alias(alias)
    assert says in e.value.message


@given(st.text(alphabet=ALIAS_CHARS, max_size=260))
def test_aliases_agree_with_mlflow(alias: str) -> None:
    assert accepts(validation.check_alias, alias) == mlflow_accepts_alias(alias)


@given(st.text(max_size=300))
def test_an_alias_we_accept_mlflow_accepts(alias: str) -> None:
    if accepts(validation.check_alias, alias):
        assert mlflow_accepts_alias(alias)


# -- templates -----------------------------------------------------------------------------


def test_text_template_length_limit_is_mlflows() -> None:
    at_limit = "x" * validation.MAX_TEMPLATE_CHARS
    assert validation.check_text_template(at_limit) == at_limit
    with pytest.raises(InvalidInputError) as e:
        validation.check_text_template(at_limit + "y")
    assert "100,000" in e.value.message
    assert "by 1" in e.value.message


@pytest.mark.parametrize("text", ["", " ", "\n\t "])
def test_empty_text_template_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        validation.check_text_template(text)


def test_chat_messages_are_checked() -> None:
    ok = (ChatMessage("system", "Be brief."), ChatMessage("user", "{{question}}"))
    assert validation.check_messages(ok) == ok
    with pytest.raises(InvalidInputError, match="at least one message"):
        validation.check_messages(())
    # MLflow accepts any role, content parts, null content with tool calls and extra keys.
    wide = (
        ChatMessage("developer", "Be brief."),
        ChatMessage.from_data({"role": "user", "content": [{"type": "text", "text": "hi"}]}),
        ChatMessage.from_data({"role": "assistant", "content": None, "tool_calls": []}),
        ChatMessage.from_data({"role": "tool", "content": "42", "tool_call_id": "c1"}),
    )
    assert validation.check_messages(wide) == wide
    with pytest.raises(InvalidInputError, match=r"Message 1 \(user\) has no content"):
        validation.check_messages((ChatMessage("user", "  "),))
    blank = ChatMessage("user", " ")  # carried unchanged from the base version: not refused
    assert validation.check_messages((blank,), keep=(blank,)) == (blank,)
    bad = ChatMessage.from_data({"role": "user", "content": 5})
    with pytest.raises(InvalidInputError, match="content: Input should be a valid string"):
        validation.check_messages((bad,))


def test_chat_template_limit_counts_the_stored_json() -> None:
    body = "x" * (validation.MAX_TEMPLATE_CHARS - 40)
    with pytest.raises(InvalidInputError, match="as stored"):
        validation.check_messages((ChatMessage("user", body), ChatMessage("user", "y" * 40)))


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("[{", "not valid JSON (line 1"),
        ('{"role": "user"}', "is a list"),
        ('["hi"]', 'Message 1 needs a "role" (text)'),
        ('[{"content": "x"}]', 'Message 1 needs a "role" (text)'),
        ('[{"role": "user", "content": 3}]', "content: Input should be a valid string"),
        ("[]", "at least one message"),
    ],
)
def test_malformed_chat_json_is_refused(raw: str, says: str) -> None:
    with pytest.raises(InvalidInputError) as e:
        validation.parse_chat_json(raw)
    assert says in e.value.message


messages_strategy = st.lists(
    st.builds(
        ChatMessage,
        st.sampled_from(["system", "user", "assistant"]),
        st.text(min_size=1).filter(str.strip),
    ),
    min_size=1,
    max_size=5,
)


@given(messages_strategy)
def test_chat_json_round_trips(messages: list[ChatMessage]) -> None:
    raw = validation.messages_to_json(messages)
    assert validation.parse_chat_json(raw) == tuple(messages)
    assert json.loads(raw) == [{"role": m.role, "content": m.content} for m in messages]


def test_pasted_messages_keep_every_key_and_shape() -> None:
    raw = json.dumps(
        [
            {"role": "user", "name": "bob", "content": "hi"},
            {"role": "assistant", "content": None, "tool_calls": []},
        ]
    )
    messages = validation.parse_chat_json(raw)
    assert validation.messages_to_json(messages) == raw


# -- tags, commit messages, model config ---------------------------------------------------


def test_tags_are_checked() -> None:
    assert validation.check_tag("team", "ml") == ("team", "ml")
    assert validation.check_tag("empty", None) == ("empty", "")  # type: ignore[arg-type]
    assert validation.check_tags({"a": "1", "b": "2"}) == {"a": "1", "b": "2"}
    assert validation.check_tags(None) == {}
    for key, value, says in [
        ("", "x", "needs a key"),
        (" team ", "x", "may not start or end with a space"),
        ("mlflow.prompt.is_prompt", "false", "reserved"),
        ("_mlflow_prompt_type", "chat", "reserved"),
        ("k" * 251, "x", "at most 250"),
        ("k", "v" * 5001, "at most 5,000"),
    ]:
        with pytest.raises(InvalidInputError, match=says):
            validation.check_tag(key, value)


def test_commit_message_is_required_and_trimmed() -> None:
    assert validation.check_commit_message("  Fix tone \n") == "Fix tone"
    for empty in ("", "   "):
        with pytest.raises(InvalidInputError, match="commit message"):
            validation.check_commit_message(empty)


def test_model_config_is_checked_and_normalized_by_mlflows_rules() -> None:
    config = {
        "model_name": "gpt-4o-mini",
        "temperature": 1,
        "max_tokens": 800,
        "stop_sequences": ("END",),
        "frequency_penalty": 3.0,  # no range in MLflow
        "provider_setting": {"cache": None},  # any key MLflow keeps as an extra parameter
        "top_k": None,
    }
    checked = validation.check_model_config(config)
    assert checked == PromptModelConfig.from_dict(config).to_dict()
    assert checked["temperature"] == 1.0 and isinstance(checked["temperature"], float)
    assert "top_k" not in checked
    assert validation.check_model_config(None) == {}


def test_unchanged_model_settings_are_kept_as_they_are() -> None:
    base = {"temperature": -1, "top_k": 0, "model_name": "m"}  # stored by hand, odd values
    edited = {**base, "model_name": "n"}
    assert validation.check_model_config(edited, base) == edited
    with pytest.raises(InvalidInputError, match="temperature"):
        validation.check_model_config({**base, "temperature": -2}, base)


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({"temperature": -0.1}, "temperature: Input should be greater than or equal to 0"),
        (
            {"temperature": "hot"},
            "temperature: Input should be a valid number, unable to parse string as a number",
        ),
        ({"top_p": 1.5}, "top_p: Input should be less than or equal to 1"),
        ({"max_tokens": 0}, "max_tokens: Input should be greater than 0"),
        (
            {"max_tokens": 1.5},
            "max_tokens: Input should be a valid integer, got a number with a fractional part",
        ),
        ({"stop_sequences": "END"}, "stop_sequences: Input should be a valid list"),
        ({"stop_sequences": ["END", 3]}, "stop_sequences: Input should be a valid string"),
    ],
)
def test_bad_model_config_is_refused(config: dict[str, object], says: str) -> None:
    with pytest.raises(InvalidInputError) as e:
        validation.check_model_config(config)
    assert e.value.message == f"Model settings: {says}"
    with pytest.raises(ValidationError):  # MLflow refuses it too
        PromptModelConfig.from_dict(config)
