"""A list of links as a table (a custom component): each row opens something at once when it
is clicked, or when Enter is pressed on it, and its first cell is a real link.

Streamlit's table waits 150 ms after a row is selected before it tells the server, selects rows
through a checkbox a person has to find, and opens its link cells in a new tab. Here a plain
click anywhere on a row reports the trigger value `open = ROW_ID` at once; the first cell is a
real link (Ctrl/⌘-click, Shift-click or a middle click opens a new tab or window, as any link
does). A chip may be a link too (`ChipLink`): a plain click on it reports its own id instead of
the row's. Rows are drawn a batch at a time as the list scrolls. The component is inline
HTML/CSS/JS (no build step) and sets all user text with `textContent`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import streamlit as st

COMPONENT_NAME = "promptui.link_table"


@dataclass(frozen=True)
class ChipLink:
    """A chip that is a link: `text` shown, `href` its address (relative to the app), `id`
    what a click on it reports instead of its row's id."""

    text: str
    href: str
    id: str


Cell = str | list[str | ChipLink]  # text, or chips (plain, or links)


@dataclass(frozen=True)
class LinkRow:
    """One row: `id` is what a click reports, `label` the first cell's link text, `href` its
    address (relative to the app), `cells` the other columns (text, or lists of chips)."""

    id: str
    label: str
    href: str
    cells: tuple[Cell, ...]


_CSS = """
.pu-list{overflow:auto;border:1px solid rgba(128,128,128,.3);
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
.pu-list tbody tr.pu-selected{background:rgba(131,56,236,.12);
  box-shadow:inset 3px 0 0 var(--st-primary-color, #f63366)}
.pu-list .pu-more{height:1px}
.pu-list .pu-chip{display:inline-block;margin:0 .25rem .15rem 0;padding:0 .45rem;
  border-radius:1rem;white-space:nowrap;background:rgba(131,56,236,.12)}
.pu-list a.pu-chip{font-weight:400;color:inherit}
.pu-list a.pu-chip:hover{background:rgba(131,56,236,.25);text-decoration:none}
"""

_JS = """
const BATCH = 100;
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".pu-list");
  if (!root) {
    root = document.createElement("div");
    root.className = "pu-list";
    parentElement.appendChild(root);
    const open = (row) => row && setTriggerValue("open", row.dataset.id);
    root.addEventListener("click", (e) => {
      const row = e.target.closest("tbody tr");
      if (!row) return;
      // A new tab or window, as links do; a plain click opens the row (or the chip's link)
      // here.
      if (e.target.closest("a") && (e.ctrlKey || e.metaKey || e.shiftKey)) return;
      e.preventDefault();
      const chip = e.target.closest("a[data-open]");
      if (chip) setTriggerValue("open", chip.dataset.open);
      else open(row);
    });
    root.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || e.target.closest("a")) return;
      e.preventDefault();
      open(e.target.closest("tbody tr"));
    });
  }
  root.dataset.testid = data.testid;
  root.style.maxHeight = `${data.maxHeightRem}rem`;
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
    tr.dataset.id = r.id;
    if (r.id === data.selected) {
      tr.className = "pu-selected";
      tr.setAttribute("aria-current", "true");
    }
    const first = tr.insertCell();
    const link = document.createElement("a");
    link.href = r.href;
    link.textContent = r.label;
    first.appendChild(link);
    r.cells.forEach((cell, i) => {
      const td = tr.insertCell();
      if (Array.isArray(cell)) {
        for (const item of cell) {
          const link = typeof item === "object";
          const chip = document.createElement(link ? "a" : "span");
          chip.className = "pu-chip";
          chip.textContent = link ? item.text : item;
          if (link) {
            chip.href = item.href;
            chip.dataset.open = item.id;
          }
          td.appendChild(chip);
        }
      } else {
        td.textContent = cell;
        if (data.nowrap.includes(i + 1)) td.className = "pu-nowrap";
      }
    });
  };
  // Rows are drawn a batch at a time, the next batch as the list is scrolled near its end:
  // a list of 1,000 rows shows as fast as one of 100.
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


def table_data(
    columns: Sequence[str],
    rows: Sequence[LinkRow],
    *,
    testid: str,
    nowrap: Collection[str] = (),
    selected: str | None = None,
    max_height_rem: float = 38,
) -> dict[str, Any]:
    """The component's data (JSON): `columns`, `rows` as `{id, label, href, cells}`, the
    indexes of the `nowrap` columns, the `selected` row's id, the list's `testid` and its
    `maxHeightRem` before it scrolls. Pure."""
    return {
        "columns": list(columns),
        "rows": [
            {"id": r.id, "label": r.label, "href": r.href, "cells": [_cell(c) for c in r.cells]}
            for r in rows
        ],
        "nowrap": [i for i, c in enumerate(columns) if c in nowrap],
        "selected": selected,
        "testid": testid,
        "maxHeightRem": max_height_rem,
    }


def _cell(cell: Cell) -> str | list[str | dict[str, str]]:
    if isinstance(cell, str):
        return cell
    return [c if isinstance(c, str) else {"text": c.text, "href": c.href, "id": c.id} for c in cell]


def _ids(data: dict[str, Any]) -> set[str]:
    """Every id a click on `data`'s list can report: its rows' and its chip links'."""
    ids = {row["id"] for row in data["rows"]}
    for row in data["rows"]:
        for cell in row["cells"]:
            if isinstance(cell, list):
                ids.update(c["id"] for c in cell if isinstance(c, dict))
    return ids


@cache
def _component() -> Callable[..., Any]:
    return st.components.v2.component(COMPONENT_NAME, html="", css=_CSS, js=_JS)


def link_table(data: dict[str, Any], *, key: str, on_open: Callable[[str], None]) -> str | None:
    """Draw the table of `data` (`table_data`) under `key`, which must not hold `__`
    (Streamlit refuses it in a component's key, and prompt names may hold it). A click on a
    row calls `on_open(row id)` (on a chip link: `on_open(its id)`) as the widget's callback,
    before the page runs again. Returns the id a click reported when no callback ran (a value
    set in session_state, as tests do), else None. Only ids of rows and chip links in `data`
    are reported. No request."""
    ids = _ids(data)

    def opened() -> None:
        row_id = (st.session_state.get(key) or {}).get("open")
        if row_id in ids:
            on_open(row_id)

    result = _component()(key=key, data=data, on_open_change=opened, height="content")
    row_id = getattr(result, "open", None)
    return row_id if row_id in ids else None
