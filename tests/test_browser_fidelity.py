"""Real Chromium: prompts written by MLflow's own SDK are shown faithfully on every page.

A multimodal chat prompt (content parts, null content with tool calls, a tool message with
extra keys), a Jinja2 prompt, and a text prompt with a response format and model settings are
registered with `MlflowClient.register_prompt` (the code path of `mlflow.genai.register_prompt`),
then opened on the prompt, compare and edit pages: no traceback, nothing lost, nothing rendered
as markup.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from mlflow import MlflowClient
from playwright.sync_api import Page, expect
from pydantic import BaseModel

from tests.browser import wait_idle
from tests.servers import Server

pytestmark = pytest.mark.browser

IMAGE = "https://img.example/cat.png"
TOOL_CALL = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
JINJA = "{% if tone == 'formal' %}Dear {{ name }},{% else %}Hi {{ name }}!{% endif %}"


class Answer(BaseModel):
    answer: str


def chat(text: str, tool_result: str) -> list[dict]:
    return [
        {"role": "developer", "content": "Be brief."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": text},
                {"type": "image_url", "image_url": {"url": IMAGE}},
            ],
        },
        {"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]},
        {"role": "tool", "content": tool_result, "tool_call_id": "call_1", "name": "lookup"},
    ]


def seed(url: str, base: str) -> tuple[str, str, str]:
    """The chat (2 versions), Jinja (1) and response-format (2) prompts, by MLflow's SDK."""
    client = MlflowClient(tracking_uri=url, registry_uri=url)
    chat_name, jinja_name, schema_name = f"{base}-chat", f"{base}-jinja", f"{base}-schema"
    client.register_prompt(chat_name, chat("Describe <b>this</b> {{thing}}", "42"), "one")
    client.register_prompt(chat_name, chat("Describe <b>this</b> {{thing}} briefly", "43"), "two")
    client.register_prompt(jinja_name, JINJA, "jinja")
    config = {"temperature": 0.3, "frequency_penalty": 3.0, "max_tokens": 50}
    client.register_prompt(
        schema_name, "Answer {{question}}.", "typed", response_format=Answer, model_config=config
    )
    client.register_prompt(schema_name, "Answer {{question}}.", "untyped", model_config=config)
    return chat_name, jinja_name, schema_name


def visit(page: Page, app: Server, path: str, **params: str) -> None:
    """Open a page by URL, wait for its run to end, and fail on any traceback."""
    page.goto(f"{app.url}/{path}?{urlencode(params)}")
    expect(page.locator("h1").first).to_be_visible()  # the run started: idle now means done
    wait_idle(page)
    errors = page.get_by_test_id("stException")
    assert errors.count() == 0, errors.all_inner_texts()
    expect(page.get_by_test_id("stMain")).not_to_contain_text("Traceback")


def code(page: Page, text: str) -> None:
    """A visible code block or template view holds `text`."""
    blocks = page.locator("[data-testid='stCode'], .pu-template").filter(has_text=text)
    expect(blocks.first).to_be_visible()


def try_it(page: Page, field: str, value: str, rendered: str) -> None:
    """Type a value into a "Try it" field and see the rendered prompt."""
    area = page.get_by_label(field, exact=True)
    expect(area).to_be_visible()  # the tab's run has drawn it
    wait_idle(page)
    area.fill(value)
    area.press("Control+Enter")
    code(page, rendered)
    wait_idle(page)


def test_sdk_prompts_show_faithfully(
    page: Page, app: Server, mlflow_server: Server, unique_name: str
) -> None:
    chat_name, jinja_name, schema_name = seed(mlflow_server.url, unique_name)

    # Prompt page, chat: every role, content parts and tool keys as JSON, markup as text.
    visit(page, app, "prompt", prompt=chat_name, version="1")
    for caption in ("1. developer", "2. user", "3. assistant", "4. tool"):
        expect(page.get_by_text(caption, exact=True)).to_be_visible()
    code(page, "Be brief.")
    code(page, "Describe <b>this</b> {{thing}}")
    code(page, IMAGE)
    code(page, '"tool_calls"')
    code(page, '"tool_call_id": "call_1"')
    expect(page.get_by_text("<b>this</b>").first).to_be_visible()
    expect(page.locator("b:text-is('this')")).to_have_count(0)
    expect(page.locator(f"img[src='{IMAGE}']")).to_have_count(0)

    # Prompt page, Jinja: the "Try it" tab renders the template's blocks.
    visit(page, app, "prompt", prompt=jinja_name)
    code(page, JINJA)
    page.get_by_role("tab", name="Try it").click()
    try_it(page, "name", "Ada", "Hi Ada!")
    try_it(page, "tone", "formal", "Dear Ada,")

    # Prompt page, response format and model settings.
    visit(page, app, "prompt", prompt=schema_name, version="1")
    expect(page.get_by_text("Response format", exact=True)).to_be_visible()
    code(page, '"answer"')
    page.get_by_role("tab", name="Settings & tags").click()
    settings = page.get_by_role("tabpanel", name="Settings & tags").get_by_test_id("stDataFrame")
    expect(settings).to_be_visible()
    # Data grids draw on a canvas and keep their cells in a hidden table.
    expect(settings.get_by_text("frequency_penalty", exact=True)).to_be_attached()
    expect(settings.get_by_text(re.compile(r"^3(\.0)?$"))).to_be_attached()

    # Compare, response format dropped in v2.
    visit(page, app, "compare", prompt=schema_name, left="1", right="2")
    expect(page.get_by_text(re.compile("response format changed"))).to_be_visible()
    details = page.get_by_test_id("stTable")
    expect(details.get_by_role("row").filter(has_text="response format")).to_be_visible()
    expect(details).to_contain_text("changed")

    # Compare, chat v1 → v2: the changed wording of the text part and of the tool result.
    visit(page, app, "compare", prompt=chat_name, left="1", right="2")
    expect(page.get_by_text("messages: 2 changed")).to_be_visible()
    changed = page.locator(".pu-msg-changed")
    expect(changed.locator(".pu-role")).to_have_text(["user", "tool"])
    expect(changed.locator("ins.pu-ins")).to_have_text(["briefly", "43"])
    expect(changed.first).to_contain_text('"text": "Describe <b>this</b> {{thing}}"')
    expect(page.locator("b:text-is('this')")).to_have_count(0)

    # Editor, chat: content parts and tool calls as JSON, the tool message's extra keys kept.
    visit(page, app, "edit", prompt=chat_name)
    expect(page.get_by_role("heading", name=f"New version of {chat_name}")).to_be_visible()
    expect(page.get_by_label("Message 2 as JSON")).to_have_value(re.compile(r'"image_url"'))
    expect(page.get_by_label("Message 2 as JSON")).to_have_value(re.compile(re.escape(IMAGE)))
    expect(page.get_by_label("Message 3 as JSON")).to_have_value(re.compile(r'"tool_calls"'))
    expect(page.get_by_label("Message 4 content", exact=True)).to_have_value("43")
    kept = page.get_by_test_id("stCaptionContainer").filter(has_text="Also kept as stored")
    expect(kept).to_contain_text("tool_call_id")

    # Editor, response format: starts from v2 (none), and from v1 (the schema).
    visit(page, app, "edit", prompt=schema_name)
    expect(page.get_by_label("Template", exact=True)).to_have_value("Answer {{question}}.")
    visit(page, app, "edit", prompt=schema_name, version="1")
    schema = page.get_by_role("textbox", name="Response format (JSON schema)")
    expect(schema).to_have_value(re.compile(r'"answer": \{'))
    page.locator("summary").filter(has_text="Model settings").click()
    other = page.get_by_role("textbox", name="Other model settings (JSON)")
    expect(other).to_have_value(re.compile(r'"frequency_penalty": 3\.0'))
