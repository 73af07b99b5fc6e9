"""Fetch the code of the widgets promptui's pages draw while the browser is idle after the
first page shows, so the first click that opens each page does not wait for it.

Streamlit loads each widget type's code (a JavaScript module) the first time a page draws
that widget: the version picker, the template editor, the history chart, the code view. In a
fresh tab that load and its compilation came on top of the click that opened the page (the
code view alone about 0.3 s). A tiny script (no element drawn) imports the same modules, by
the same addresses Streamlit uses, once per tab in the browser's idle time; Streamlit then
finds them loaded. When done it sets `data-pu-widget-code="loaded"` on the document element.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

COMPONENT_NAME = "promptui_widget_code"

# The widget types promptui's pages draw beyond those of the first page (each module's own
# imports come with it). Names as Streamlit's build names its modules: `Selectbox.<hash>.js`.
WIDGET_MODULES: tuple[str, ...] = (
    "DataFrame",  # tables (prompts, versions)
    "Selectbox",  # version and prompt pickers
    "ButtonGroup",  # Text / Markdown, side by side / inline
    "DownloadButton",
    "TextArea",  # template and message editors
    "TextInput",
    "NumberInput",
    "Checkbox",
    "PageLink",
    "Html",  # diffs, template views, search snippets
    "Metric",
    "Table",
    "Toast",
    "StreamlitSyntaxHighlighter",  # st.code: snippets to copy
    "ArrowVegaLiteChart",  # the alias history chart
    "FileUploader",
)

_JS = """
export default function (component) {
  if (window.__promptuiWidgetCode) return;
  window.__promptuiWidgetCode = true;
  const entry = document.querySelector("script[type='module'][src*='/static/js/index.']");
  const root = document.documentElement;
  if (!entry) { root.dataset.puWidgetCode = "unavailable"; return; }
  const base = new URL(".", entry.src);
  const idle = window.requestIdleCallback || ((f) => setTimeout(f, 50));
  const modules = [...component.data.modules];
  const next = () => {
    if (!modules.length) { root.dataset.puWidgetCode = "loaded"; return; }
    // One module per idle period: a click meanwhile is not kept waiting behind all of them.
    import(new URL(modules.shift(), base).href).catch(() => {}).finally(() => idle(next));
  };
  idle(next);
}
"""


@cache
def module_files(static_js: Path | None = None) -> tuple[str, ...]:
    """File names of WIDGET_MODULES in the installed Streamlit's build (`Selectbox.7rsxE6LC.js`),
    in WIDGET_MODULES order; a name the build lacks is left out. Reads one directory listing."""
    folder = static_js or Path(st.__file__).parent / "static" / "static" / "js"
    names = [p.name for p in folder.glob("*.js")]
    found = []
    for module in WIDGET_MODULES:
        pattern = re.compile(rf"^{re.escape(module)}\.[\w-]+\.js$")
        found.extend(sorted(n for n in names if pattern.match(n))[:1])
    return tuple(found)


@cache
def _component() -> Callable[..., Any]:
    return st.components.v2.component(COMPONENT_NAME, html="<span hidden></span>", js=_JS)


def load_widget_code(modules: Sequence[str] | None = None) -> None:
    """Mount the script that imports `modules` (default: `module_files()`) once per browser
    tab, one per idle period. Draws nothing; no registry request."""
    files = list(module_files() if modules is None else modules)
    _component()(key="widget_code", data={"modules": files}, height=0)
