"""Template variables and rendering by MLflow's own rules: `PromptVersion.format` does the work.

A template is a text or a sequence of chat messages. Variables are what MLflow's `format()`
fills: `{{ name }}` placeholders found the way MLflow finds them, and for Jinja2 templates
(`{% ... %}` blocks) also the names Jinja2 reads, such as `tone` in `{% if tone == 'formal' %}`.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jinja2 import Environment, TemplateSyntaxError, meta
from mlflow.entities.model_registry.prompt_version import PromptVersion as MlflowPromptVersion
from mlflow.prompt.constants import PROMPT_TEMPLATE_VARIABLE_PATTERN

from promptui.registry.models import ChatMessage

Template = str | Sequence[ChatMessage]
VARIABLE_PATTERN = PROMPT_TEMPLATE_VARIABLE_PATTERN
_MAX_CULPRIT_TRIES = 30


def stored_text(template: Template) -> str:
    """The template as MLflow stores it: the text, or the chat messages as JSON."""
    if isinstance(template, str):
        return template
    return json.dumps([m.data() for m in template])


def _texts(template: Template) -> list[str]:
    if isinstance(template, str):
        return [template]
    return [m.content for m in template if isinstance(m.content, str)]


def uses_jinja(template: Template) -> bool:
    """True when MLflow renders the template with Jinja2 (a text holds both `{%` and `%}`)."""
    return any("{%" in t and "%}" in t for t in _texts(template))


def extract_variables(texts: str | Sequence[str]) -> tuple[str, ...]:
    """`{{ name }}` placeholders in order of first appearance, without duplicates."""
    if isinstance(texts, str):
        texts = [texts]
    seen: dict[str, None] = {}
    for text in texts:
        for match in VARIABLE_PATTERN.finditer(text):
            seen.setdefault(match.group(1), None)
    return tuple(seen)


def _jinja_names(text: str) -> list[str] | None:
    """Names a Jinja2 template reads from its values, in order of first appearance (None when
    it does not parse: rendering then says why)."""
    try:
        names = meta.find_undeclared_variables(Environment().parse(text))
    except TemplateSyntaxError:
        return None
    return sorted(names, key=lambda n: (text.find(n), n))


def template_variables(template: Template) -> tuple[str, ...]:
    """What `format()` fills, in order of first appearance.

    Placeholders are found in the stored text (for chat, the JSON MLflow stores), as MLflow
    finds them. A Jinja2 template gets the names its text reads from the values instead, such
    as `tone` in `{% if tone %}` (a loop's own variable is not one of them).
    """
    text = stored_text(template)
    if uses_jinja(template):
        names: dict[str, int] = {}
        for part in _texts(template):
            found = _jinja_names(part)
            if found is None:
                break
            for name in found:
                names.setdefault(name, text.find(name))
        else:
            return tuple(sorted(names, key=lambda n: names[n]))
    return extract_variables(text)


def message_variables(messages: Sequence[ChatMessage]) -> tuple[str, ...]:
    """Variables of a chat template (see `template_variables`)."""
    return template_variables(tuple(messages))


@dataclass(frozen=True)
class Rendering:
    """What `format()` returns for some values: a text, messages, or why it failed."""

    text: str | None = None
    messages: tuple[ChatMessage, ...] = ()
    unfilled: tuple[str, ...] = ()  # variables without a value
    dropped_keys: tuple[str, ...] = ()  # message keys format() leaves out of its result
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _format(template: Template, values: Mapping[str, str]) -> object:
    data = template if isinstance(template, str) else [m.data() for m in template]
    version = MlflowPromptVersion("prompt", 1, data)
    out = version.format(allow_partial=True, **values)
    return out.template if isinstance(out, MlflowPromptVersion) else out


def _culprit(template: Template, values: Mapping[str, str]) -> str | None:
    """The one value without which the template renders, if there is one."""
    for name in list(values)[:_MAX_CULPRIT_TRIES]:
        try:
            _format(template, {k: v for k, v in values.items() if k != name})
        except Exception:
            continue
        return name
    return None


def _explain(template: Template, values: Mapping[str, str], error: Exception) -> str:
    reason = f"{type(error).__name__}: {error}"
    if not isinstance(template, str):
        for number, m in enumerate(template, 1):
            # MLflow's format() reads every message's content as text: null content always
            # fails, content parts fail as soon as a value is filled in.
            if m.content is None and (m.parts is None or values):
                shape = "a list of parts" if m.parts is not None else "null"
                return (
                    f"MLflow's format() cannot fill message {number} ({m.role}): its content "
                    f"is {shape}, not text. Applications calling format() on this version fail "
                    f"the same way ({reason})."
                )
    culprit = _culprit(template, values) if values else None
    if culprit is None:
        culprit = _value_on_failing_line(template, values, error)
    if culprit is not None:
        return f"The value of {culprit!r} cannot be rendered into this template ({reason})."
    return f"MLflow cannot render this template ({reason})."


def _value_on_failing_line(
    template: Template, values: Mapping[str, str], error: Exception
) -> str | None:
    """The one given value used on the template line where Jinja2 stopped, if there is one."""
    lines = [
        f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == "<template>"
    ]
    if not lines or not isinstance(template, str):
        return None
    source = template.splitlines()
    line = source[lines[-1] - 1] if 0 < lines[-1] <= len(source) else ""
    used = [name for name in values if re.search(rf"\b{re.escape(name)}\b", line)]
    return used[0] if len(used) == 1 else None


def render(template: Template, values: Mapping[str, str]) -> Rendering:
    """The template filled by MLflow's `PromptVersion.format` (partially, when values are
    missing: their placeholders stay). Never raises: a failure comes back as `error`."""
    variables = template_variables(template)
    unfilled = tuple(v for v in variables if v not in values)
    try:
        out = _format(template, values)
    except Exception as e:  # MLflow's and Jinja2's errors alike: shown, never a traceback
        return Rendering(unfilled=unfilled, error=_explain(template, values, e))
    if isinstance(out, str):
        return Rendering(text=out, unfilled=unfilled)
    rendered = tuple(ChatMessage.from_data(m) for m in out)  # type: ignore[union-attr]
    dropped: dict[str, None] = {}
    if not isinstance(template, str):
        for m in template:
            dropped.update(dict.fromkeys(m.extra_keys))
    return Rendering(messages=rendered, unfilled=unfilled, dropped_keys=tuple(dropped))
