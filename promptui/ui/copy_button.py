"""A button that copies a text to the clipboard in the browser (a custom component).

Streamlit's own way to copy is the icon that appears on a code block while the pointer is over
it, under a tab that has to be opened first. This button is always visible, writes the text
it was given at once, and sends nothing to the server: a click runs no script. Where the
Clipboard API is missing (a page served over plain HTTP from another host is no secure
context), it copies through a hidden text field instead. It says "Copied" (or that copying
failed) for a moment. The component is inline HTML/CSS/JS (no build step) and sets all text
with `textContent`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import streamlit as st

COMPONENT_NAME = "promptui.copy_button"

_CSS = """
.pu-copy{display:inline-flex;align-items:center;gap:.4rem;min-height:2.5rem;padding:.25rem .75rem;
  border:1px solid rgba(128,128,128,.35);border-radius:.5rem;cursor:pointer;white-space:nowrap;
  font-family:var(--st-font, sans-serif);font-size:.875rem;line-height:1.6;
  color:var(--st-text-color, inherit);background:var(--st-background-color, transparent)}
.pu-copy:hover{border-color:var(--st-primary-color, #f63366);
  color:var(--st-primary-color, inherit)}
.pu-copy:focus-visible{outline:2px solid var(--st-primary-color, #f63366);outline-offset:1px}
.pu-copy svg{width:1.1rem;height:1.1rem;flex:none;fill:currentColor}
"""

_JS = """
// A copy icon (two overlapping sheets), built as elements: no markup is parsed.
const SVG = "http://www.w3.org/2000/svg";
const ICON_PATH = "M16 1H4a2 2 0 0 0-2 2v14h2V3h12V1zm3 4H8a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h11a2 " +
  "2 0 0 0 2-2V7a2 2 0 0 0-2-2zm0 16H8V7h11v14z";
function icon() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICON_PATH);
  svg.appendChild(path);
  return svg;
}
function copyByField(text) {
  const field = document.createElement("textarea");
  field.value = text;
  field.setAttribute("readonly", "");
  field.style.cssText = "position:fixed;top:0;left:0;opacity:0;pointer-events:none";
  document.body.appendChild(field);
  field.select();
  let done = false;
  try { done = document.execCommand("copy"); } catch (e) { done = false; }
  field.remove();
  return done;
}
export default function (component) {
  const { data, parentElement } = component;
  let button = parentElement.querySelector("button.pu-copy");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "pu-copy";
    button.append(icon(), document.createElement("span"));
    parentElement.appendChild(button);
    button.addEventListener("click", async () => {
      const d = button.__puData;
      let done = false;
      try {
        await navigator.clipboard.writeText(d.text);
        done = true;
      } catch (e) {
        done = copyByField(d.text);
      }
      const label = button.querySelector("span");
      label.textContent = done ? d.copied : d.failed;
      clearTimeout(button.__puTimer);
      button.__puTimer = setTimeout(() => { label.textContent = button.__puData.label; }, 1500);
    });
  }
  button.__puData = data;
  button.querySelector("span").textContent = data.label;
  button.title = data.text;
  button.dataset.testid = data.testid;
}
"""


@cache
def _component() -> Callable[..., Any]:
    return st.components.v2.component(COMPONENT_NAME, html="", css=_CSS, js=_JS)


def copy_button(label: str, text: str, *, key: str, testid: str = "copy-button") -> None:
    """Draw a button labelled `label` that copies `text` (shown as its tooltip) when clicked.
    `key` must not hold `__` (Streamlit refuses it in a component's key). The click is handled
    in the browser: no rerun, no request."""
    data = {"label": label, "text": text, "copied": "Copied", "failed": "Copy failed: select "
            "the text in “Use this prompt”", "testid": testid}  # fmt: skip
    _component()(key=key, data=data, width="content", height="content")
