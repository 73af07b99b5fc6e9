"""The theme chosen in the app's menu (System / Light / Dark) on every page of the app.

Streamlit remembers the choice in the browser per page address (`stActiveTheme-<path>-v2` in
localStorage), so a link to another page opened in a new tab came up in the default theme. A
tiny script (no element drawn) writes the choice under every page's address as it is made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import streamlit as st

COMPONENT_NAME = "promptui_theme_everywhere"

_JS = """
export default function (component) {
  const pages = component.data.pages;
  const path = window.location.pathname.replace(/\\/+$/, "");
  const parts = path.split("/");
  const base = pages.includes(parts[parts.length - 1]) ? parts.slice(0, -1).join("/") : path;
  const paths = pages.flatMap(p => (p ? [`${base}/${p}`] : [`${base}/`, base]));
  const keys = [...new Set(paths.filter(Boolean))].map(p => `stActiveTheme-${p}-v2`);
  const proto = Storage.prototype;
  if (proto.__promptuiTheme) { proto.__promptuiTheme.keys = keys; return; }
  const state = { keys };
  const set = proto.setItem, remove = proto.removeItem;
  // Only this app's own page keys: Streamlit also clears keys of older formats.
  const mine = (store, key) => store === window.localStorage && state.keys.includes(key);
  proto.setItem = function (key, value) {
    set.call(this, key, value);
    if (mine(this, key)) for (const k of state.keys) if (k !== key) set.call(this, k, value);
  };
  proto.removeItem = function (key) {
    remove.call(this, key);
    if (mine(this, key)) for (const k of state.keys) if (k !== key) remove.call(this, k);
  };
  proto.__promptuiTheme = state;
}
"""


@cache
def _component() -> Callable[..., Any]:
    return st.components.v2.component(COMPONENT_NAME, html="<span hidden></span>", js=_JS)


def theme_everywhere(page_paths: Sequence[str]) -> None:
    """Mount the script that keeps the menu's theme choice for every page in `page_paths`
    (each page's URL path, `""` for the home page). Draws nothing; no registry request."""
    _component()(key="theme_everywhere", data={"pages": list(page_paths)}, height=0)
