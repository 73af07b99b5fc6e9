"""Round trip through the editor: whatever MLflow's SDK can store survives a promptui commit.

Hypothesis generates prompts that `mlflow.genai.register_prompt` accepts (text, Jinja, chat with
text / content-part / null content, extra message keys, every role, a response format, any
model config, version tags), registers them with MLflow's own SDK, opens each in the editor
(AppTest), changes one word of the text or of one message, commits, and reads both versions
back with `mlflow.genai.load_prompt`: everything but the edited word is equal.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mlflow
import mlflow.tracking._model_registry.utils as registry_utils
import mlflow.tracking._tracking_service.utils as tracking_utils
import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from tests.apptest_util import open_page, start_app, texts, titles
from tests.conftest import fresh_db

WORD, EDITED = "please", "kindly"  # every editable text holds WORD; the edit swaps its first one
words = hs.lists(hs.sampled_from(["alpha", "beta", "gamma", "delta", "sky", "blue"]), max_size=6)
idents = hs.sampled_from(["name", "topic", "question", "lang"])
unicode_text = hs.text(
    alphabet=hs.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
)


@hs.composite
def plain(draw: hs.DrawFn) -> str:
    """Text with WORD first, some words, a placeholder and any unicode."""
    parts = [WORD, *draw(words)]
    if draw(hs.booleans()):
        parts.append("{{ " + draw(idents) + " }}")
    return " ".join(parts) + " " + draw(unicode_text).replace("{", "(").replace("%", "")


@hs.composite
def jinja(draw: hs.DrawFn) -> str:
    return (
        WORD
        + " {% if tone == 'formal' %}Dear {{ name }},{% else %}Hi {{ name }}!{% endif %} "
        + " ".join(draw(words))
    )


@hs.composite
def message(draw: hs.DrawFn) -> dict[str, Any]:
    role = draw(hs.sampled_from(["system", "user", "assistant", "developer", "tool", "critic"]))
    shape = draw(hs.sampled_from(["text", "parts", "tool_calls", "extra"]))
    if shape == "parts":
        return {
            "role": role,
            "content": [
                {"type": "text", "text": draw(plain())},
                {"type": "image_url", "image_url": {"url": "https://img.example/{{ pic }}.png"}},
            ],
        }
    if shape == "tool_calls":
        call = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        return {"role": "assistant", "content": None, "tool_calls": [call]}
    data: dict[str, Any] = {"role": role, "content": draw(plain())}
    if shape == "extra":
        data[draw(hs.sampled_from(["name", "tool_call_id"]))] = draw(hs.sampled_from(["bob", "c1"]))
    return data


def editable(m: dict[str, Any]) -> bool:
    return isinstance(m.get("content"), str | list)


chat = hs.lists(message(), min_size=1, max_size=4).filter(lambda ms: any(map(editable, ms)))
json_values = hs.recursive(
    hs.none() | hs.booleans() | hs.integers(-10, 10**6) | hs.text(max_size=8),
    lambda inner: (
        hs.lists(inner, max_size=3) | hs.dictionaries(hs.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
model_configs = hs.one_of(
    hs.none(),
    hs.fixed_dictionaries(
        {},
        optional={
            "model_name": hs.sampled_from(["gpt-4o-mini", " padded ", "claude"]),
            "provider": hs.sampled_from(["openai", "anthropic"]),
            "temperature": hs.floats(0, 5, allow_nan=False) | hs.integers(0, 2),
            "max_tokens": hs.integers(1, 100_000),
            "top_p": hs.floats(0, 1, allow_nan=False),
            "top_k": hs.integers(1, 500),
            "frequency_penalty": hs.floats(-5, 5, allow_nan=False),
            "presence_penalty": hs.floats(-5, 5, allow_nan=False),
            "stop_sequences": hs.lists(hs.sampled_from(["END", "###", "a\nb", " "]), max_size=3),
            "seed": hs.integers(0, 2**31),
            "extra_options": json_values,
        },
    ),
)
response_formats = hs.one_of(
    hs.none(),
    hs.builds(
        lambda props: {
            "title": "Answer",
            "type": "object",
            "properties": {p: {"type": "string", "description": "ünïcode ✓"} for p in props},
            "required": sorted(props),
        },
        hs.sets(hs.sampled_from(["answer", "score", "sources"]), min_size=1),
    ),
)
version_tags = hs.dictionaries(
    hs.sampled_from(["team", "ticket", "eval score"]), hs.text(max_size=10), max_size=2
)


@pytest.fixture(scope="module")
def registry_uri(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An embedded registry for the module, also MLflow's own default while the tests run
    (MLflow's globals and environment variables are put back afterwards)."""
    uri = fresh_db(template_db, tmp_path_factory.mktemp("fidelity"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tracking_utils, "_tracking_uri", uri)
        mp.setattr(registry_utils, "_registry_uri", uri)
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        mp.setenv("MLFLOW_REGISTRY_URI", uri)
        yield uri


def swap_word(text: str) -> str:
    assert WORD in text
    return text.replace(WORD, EDITED, 1)


def edit_in_editor(
    monkeypatch: pytest.MonkeyPatch, uri: str, name: str, target: int | None
) -> None:
    """Open the editor on the latest version, swap one word, commit."""
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_page(start_app(monkeypatch, uri), "edit", prompt=name)
    prefix = f"edit_w:{name}:"
    if target is None:
        area = at.text_area(key=f"{prefix}text")
    else:
        keys = {a.key for a in at.text_area}
        content_key = f"{prefix}content:{target}"
        area = at.text_area(key=content_key if content_key in keys else f"{prefix}json:{target}")
    area.input(swap_word(area.value)).run()
    at.text_input(key=f"{prefix}message").input("one word").run()
    at.button(key="edit_commit").click().run()
    assert not at.exception, at.exception
    assert titles(at) == [name], texts(at, "error")  # committed: the prompt page opened


def expected_template(template: Any, target: int | None) -> Any:
    if target is None:
        return swap_word(template)
    out = copy.deepcopy(template)
    content = out[target]["content"]
    if isinstance(content, str):
        out[target]["content"] = swap_word(content)
    else:  # the first text part holding the word, as a JSON edit of the message swaps it
        part = next(p for p in content if p.get("type") == "text" and WORD in p["text"])
        part["text"] = swap_word(part["text"])
    return out


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=hs.sampled_from(["text", "jinja", "chat"]),
    data=hs.data(),
    config=model_configs,
    response_format=response_formats,
    tags=version_tags,
)
def test_a_one_word_edit_changes_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
    registry_uri: str,
    kind: str,
    data: hs.DataObject,
    config: dict[str, Any] | None,
    response_format: dict[str, Any] | None,
    tags: dict[str, str],
) -> None:
    template: Any = {"text": plain, "jinja": jinja, "chat": lambda: chat}[kind]()
    template = data.draw(template)
    name = f"fid-{uuid.uuid4().hex[:10]}"
    mlflow.genai.register_prompt(
        name,
        template,
        commit_message="from a notebook",
        tags=tags,
        response_format=response_format,
        model_config=config,
    )
    target = None
    if kind == "chat":
        target = data.draw(hs.sampled_from([i for i, m in enumerate(template) if editable(m)]))
    edit_in_editor(monkeypatch, registry_uri, name, target)

    before = mlflow.genai.load_prompt(name, version=1)
    after = mlflow.genai.load_prompt(name, version=2)
    assert after.template == expected_template(before.template, target)
    assert after.is_text_prompt == before.is_text_prompt
    assert after.response_format == before.response_format
    assert after.model_config == before.model_config
    assert json.dumps(after.model_config) == json.dumps(before.model_config)  # types and order
    carried = {k: v for k, v in after.tags.items() if k != "_promptui_author"}
    assert carried == before.tags
    assert after.commit_message == "one word"
    kwargs = {v: "x" for v in before.variables}
    if kind != "chat":  # the same values render the same way, but for the edited word
        assert after.format(**kwargs) == swap_word(before.format(**kwargs))
