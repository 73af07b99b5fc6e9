"""The prompts list: one row per prompt; a click on a row or its name opens the prompt in place,
at once (a custom component).

Streamlit's table waited 150 ms after a row was selected before telling the server, selected
rows through a checkbox a person had to find, and opened its link cells in a new tab. Here the
name is a real link (Ctrl/⌘-click, Shift-click or a middle click opens a new tab or window, as
any link does); a plain click anywhere on the row, or Enter on a focused row, reports the
trigger value `open = NAME` at once. The component is inline HTML/CSS/JS (no build step) and
sets all user text with `textContent`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from functools import cache
from typing import Any

import streamlit as st

from promptui.registry.models import PromptSummary
from promptui.tables import alias_labels, tag_labels
from promptui.ui.nav import PROMPT_PAGE, prompt_link, prompt_params, queue_page

COMPONENT_NAME = "promptui.prompt_list"
COLUMNS = ("name", "latest", "aliases", "tags", "last modified (UTC)", "type")

_CSS = """
.pu-list{max-height:38rem;overflow:auto;border:1px solid rgba(128,128,128,.3);
  border-radius:.5rem;font-family:var(--st-font, sans-serif);color:var(--st-text-color, inherit);
  font-size:.875rem}
.pu-list table{border-collapse:collapse;width:100%}
.pu-list th{position:sticky;top:0;z-index:1;text-align:left;font-weight:600;white-space:nowrap;
  padding:.4rem .6rem;background:var(--st-secondary-background-color, #f0f2f6)}
.pu-list td{padding:.35rem .6rem;border-top:1px solid rgba(128,128,128,.2);vertical-align:top;
  overflow-wrap:anywhere}
.pu-list td.pu-nowrap,.pu-list td:first-child{white-space:nowrap}
.pu-list tbody tr{cursor:pointer}
.pu-list tbody tr:hover{background:rgba(128,128,128,.1)}
.pu-list tbody tr:focus{outline:2px solid var(--st-primary-color, #f63366);outline-offset:-2px}
.pu-list a{color:var(--st-primary-color, inherit);font-weight:600;text-decoration:none}
.pu-list a:hover{text-decoration:underline}
.pu-list .pu-more{height:1px}
.pu-list .pu-chip{display:inline-block;margin:0 .25rem .15rem 0;padding:0 .45rem;
  border-radius:1rem;white-space:nowrap;background:rgba(131,56,236,.12)}
"""

_JS = """
const BATCH = 100;
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".pu-list");
  if (!root) {
    root = document.createElement("div");
    root.className = "pu-list";
    root.dataset.testid = "prompt-list";
    parentElement.appendChild(root);
    const open = (row) => row && setTriggerValue("open", row.dataset.name);
    root.addEventListener("click", (e) => {
      const row = e.target.closest("tbody tr");
      if (!row) return;
      // A new tab or window, as links do; a plain click opens the prompt here.
      if (e.target.closest("a") && (e.ctrlKey || e.metaKey || e.shiftKey)) return;
      e.preventDefault();
      open(row);
    });
    root.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || e.target.closest("a")) return;
      e.preventDefault();
      open(e.target.closest("tbody tr"));
    });
  }
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const name of data.columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  const addRow = (r) => {
    const tr = body.insertRow();
    tr.tabIndex = 0;
    tr.dataset.name = r.name;
    const first = tr.insertCell();
    const link = document.createElement("a");
    link.href = r.href;
    link.textContent = r.name;
    first.appendChild(link);
    r.cells.forEach((cell, i) => {
      const td = tr.insertCell();
      if (Array.isArray(cell)) {
        for (const text of cell) {
          const chip = document.createElement("span");
          chip.className = "pu-chip";
          chip.textContent = text;
          td.appendChild(chip);
        }
      } else {
        td.textContent = cell;
        if (data.nowrap.includes(i + 1)) td.className = "pu-nowrap";
      }
    });
  };
  // Rows are drawn a batch at a time, the next batch as the list is scrolled near its end:
  // a page of 1,000 prompts shows as fast as one of 100.
  let drawn = 0;
  const more = document.createElement("div");
  more.className = "pu-more";
  const drawMore = () => {
    const end = Math.min(drawn + BATCH, data.rows.length);
    for (; drawn < end; drawn++) addRow(data.rows[drawn]);
    more.hidden = drawn >= data.rows.length;
  };
  drawMore();
  if (root.__puObserver) root.__puObserver.disconnect();
  root.__puObserver = new IntersectionObserver(
    (entries) => { if (entries.some((e) => e.isIntersecting)) drawMore(); },
    { root, rootMargin: "600px" },
  );
  root.__puObserver.observe(more);
  root.replaceChildren(table, more);
}
"""


def list_data(
    summaries: Sequence[PromptSummary], matched: Sequence[str] | None = None
) -> dict[str, Any]:
    """The component's data: `columns` (with `matched` after the name when given), and per
    prompt in the order given `{name, href, cells}`, `href` the prompt page's address relative
    to the app (`prompt?prompt=NAME`) and `cells` the other columns' text (aliases and tags as
    lists of chips). Pure; no request."""
    columns = list(COLUMNS)
    if matched is not None:
        columns.insert(1, "matched")
    rows = []
    for i, s in enumerate(summaries):
        cells: list[str | list[str]] = [
            f"v{s.latest_version}" if s.latest_version else "",
            alias_labels(s.aliases),
            tag_labels(s.tags),
            s.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            s.prompt_type,
        ]
        if matched is not None:
            cells.insert(0, matched[i])
        rows.append({"name": s.name, "href": prompt_link(s.name), "cells": cells})
    nowrap = [columns.index(c) for c in ("latest", "last modified (UTC)", "type")]
    return {"columns": columns, "rows": rows, "nowrap": nowrap}


@cache
def _component() -> Callable[..., Any]:
    return st.components.v2.component(COMPONENT_NAME, html="", css=_CSS, js=_JS)


def prompt_list(
    summaries: Sequence[PromptSummary], matched: Sequence[str] | None = None, *, key: str
) -> str | None:
    """Draw the list; a click on a row opens that prompt's page from the click's callback,
    before the page runs again. Returns the name a row click reported when no callback ran
    (a value set in session_state, as tests do), else None. Only names listed are opened."""
    names = {s.name for s in summaries}

    def opened() -> None:
        name = (st.session_state.get(key) or {}).get("open")
        if name in names:
            queue_page(PROMPT_PAGE, prompt_params(name))

    result = _component()(
        key=key, data=list_data(summaries, matched), on_open_change=opened, height="content"
    )
    name = getattr(result, "open", None)
    return name if name in names else None
