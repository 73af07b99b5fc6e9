"""The alias board: one lane per version, alias chips dragged between lanes (a custom component).

The component is inline HTML/CSS/JS (no build step). The lanes wrap onto more rows as needed;
the remove area stays beside them, on the first row, however many versions there are. It
redraws itself from `data` on every call, sets all user text with `textContent`, and reports a
drop as the trigger value `move = {alias, from, to, at}` (`to` is null for the remove area, `at`
tells two drops apart).
Keyboard users get the same moves through `alias_controls.keyboard_moves` (selects and
buttons), which AppTest can drive too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

import streamlit as st

from promptui.registry.models import PromptDetail
from promptui.registry.validation import NAME_RULE

COMPONENT_NAME = "promptui.alias_board"

_HTML = '<div class="pu-board" aria-label="Alias board"></div>'

_CSS = """
.pu-board{display:flex;flex-wrap:nowrap;align-items:stretch;gap:.6rem;
  font-family:var(--st-font, sans-serif);color:var(--st-text-color, inherit)}
.pu-lanes{flex:1 1 auto;min-width:0;display:flex;flex-wrap:wrap;gap:.6rem}
.pu-lane{flex:1 1 10rem;min-width:0;min-height:6.5rem;border:1px solid rgba(128,128,128,.4);
  border-radius:.5rem;padding:.45rem .55rem;background:var(--st-secondary-background-color,#f6f6f8)}
.pu-lane.pu-over,.pu-remove.pu-over{outline:2px dashed var(--st-primary-color,#f63366);
  outline-offset:-2px}
.pu-head{display:flex;gap:.45rem;align-items:baseline;flex-wrap:wrap}
.pu-version{font-weight:700}
.pu-age{opacity:.65;font-size:.8rem}
.pu-latest{font-size:.75rem;padding:0 .4rem;border-radius:.3rem;
  border:1px dashed rgba(128,128,128,.7);opacity:.8;cursor:default}
.pu-message{font-size:.82rem;opacity:.85;margin:.2rem 0 .35rem 0;overflow-wrap:anywhere;
  white-space:pre-wrap;max-height:3.2em;overflow:hidden}
.pu-chips{display:flex;flex-wrap:wrap;gap:.3rem;min-height:1.8rem}
.pu-chip{cursor:grab;user-select:none;padding:.1rem .55rem;border-radius:1rem;font-size:.85rem;
  background:rgba(131,56,236,.16);border:1px solid rgba(131,56,236,.55)}
.pu-chip.pu-protected{background:rgba(230,80,60,.16);border:2px solid rgba(230,80,60,.8);
  font-weight:600}
.pu-chip.pu-dragging{opacity:.4}
.pu-remove{flex:0 0 8rem;min-height:6.5rem;display:flex;align-items:center;justify-content:center;
  text-align:center;border:1px dashed rgba(230,80,60,.7);border-radius:.5rem;padding:.4rem;
  font-size:.85rem;opacity:.85}
"""

_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let root = parentElement.querySelector(".pu-board");
  if (!root) {
    root = document.createElement("div");
    root.className = "pu-board";
    parentElement.appendChild(root);
  }
  root.replaceChildren();
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };
  let dragged = null;
  const dropTarget = (node, to) => {
    node.addEventListener("dragover", (ev) => {
      if (!dragged) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "move";
      node.classList.add("pu-over");
    });
    node.addEventListener("dragleave", () => node.classList.remove("pu-over"));
    node.addEventListener("drop", (ev) => {
      ev.preventDefault();
      node.classList.remove("pu-over");
      const move = dragged;
      dragged = null;
      if (!move || move.from === to) return;
      setTriggerValue("move", { alias: move.alias, from: move.from, to: to, at: Date.now() });
    });
  };
  // The lanes wrap among themselves; the remove area stays beside them on the first row.
  const lanesNode = el("div", "pu-lanes");
  root.append(lanesNode);
  const lanes = (data && Array.isArray(data.lanes)) ? data.lanes : [];
  for (const lane of lanes) {
    const laneNode = el("div", "pu-lane");
    laneNode.setAttribute("data-testid", "alias-lane");
    laneNode.setAttribute("data-version", String(lane.version));
    const head = el("div", "pu-head");
    head.append(el("span", "pu-version", "v" + lane.version));
    if (lane.latest) {
      const marker = el("span", "pu-latest", "latest");
      marker.title = "latest always means the newest version; it cannot be moved";
      head.append(marker);
    }
    head.append(el("span", "pu-age", lane.age));
    laneNode.append(head);
    laneNode.append(el("div", "pu-message", lane.message || "(no commit message)"));
    const chips = el("div", "pu-chips");
    for (const alias of lane.aliases || []) {
      const chip = el("span", "pu-chip" + (alias.protected ? " pu-protected" : ""), alias.name);
      chip.draggable = !data.readonly;
      chip.setAttribute("data-testid", "alias-chip");
      chip.setAttribute("data-alias", alias.name);
      chip.title = data.readonly
        ? (data.readonly_reason || "You may not move aliases of this prompt")
        : alias.protected
        ? "Protected: moving it asks for confirmation and a reason"
        : "Drag to another version, or to the remove area";
      chip.addEventListener("dragstart", (ev) => {
        dragged = { alias: alias.name, from: lane.version };
        ev.dataTransfer.effectAllowed = "move";
        ev.dataTransfer.setData("text/plain", alias.name);
        chip.classList.add("pu-dragging");
      });
      chip.addEventListener("dragend", () => chip.classList.remove("pu-dragging"));
      chips.append(chip);
    }
    laneNode.append(chips);
    dropTarget(laneNode, lane.version);
    lanesNode.append(laneNode);
  }
  if (data.readonly) return;  // nothing to drop, nowhere to drop it
  const bin = el("div", "pu-remove", "Drop an alias here to remove it");
  bin.setAttribute("data-testid", "alias-remove");
  dropTarget(bin, null);
  root.append(bin);
}
"""


@cache
def _component() -> Callable[..., Any]:
    """The registered board component (registered on first use, not at import)."""
    return st.components.v2.component(COMPONENT_NAME, html=_HTML, css=_CSS, js=_JS)


def age_label(when: datetime, now: datetime | None = None) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `12 d ago`."""
    seconds = max(0, int(((now or datetime.now(tz=UTC)) - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def lanes_in_use(detail: PromptDetail, selected: int | None = None) -> list[int]:
    """The versions a short board shows (the prompt page's): each version an alias points at,
    the newest and the `selected` one, newest first. Pure."""
    wanted = {int(v) for v in detail.aliases.values()}
    if detail.latest is not None:
        wanted.add(detail.latest.version)
    if selected is not None:
        wanted.add(selected)
    return [v.version for v in detail.versions if v.version in wanted]


def board_data(
    detail: PromptDetail,
    protected: Collection[str],
    now: datetime | None = None,
    *,
    readonly: str | None = None,
    versions: Collection[int] | None = None,
) -> dict[str, Any]:
    """What the component draws: lanes (newest version first) with their alias chips; only the
    lanes of `versions` when given (an alias on a version left out is not drawn)."""
    newest = detail.latest.version if detail.latest else None
    by_version: dict[int, list[str]] = {}
    for alias, version in detail.aliases.items():
        by_version.setdefault(int(version), []).append(alias)
    lanes = [
        {
            "version": v.version,
            "message": v.commit_message,
            "age": age_label(v.created_at, now),
            "latest": v.version == newest,
            "aliases": [
                {"name": a, "protected": a in protected}
                for a in sorted(by_version.get(v.version, []))
            ],
        }
        for v in detail.versions
        if versions is None or v.version in versions
    ]
    data: dict[str, Any] = {"prompt": detail.name, "lanes": lanes}
    if readonly is not None:  # the reason the chips do not move
        data["readonly"] = True
        data["readonly_reason"] = readonly
    return data


def _is_version(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def parse_move(raw: object) -> tuple[str, int, int | None] | None:
    """A dropped move `(alias, from, to)` from the component, or None when malformed.

    `from` is the version the user saw the alias on: the move is refused when it moved since.
    """
    if not isinstance(raw, Mapping):
        return None
    alias, frm, to = raw.get("alias"), raw.get("from"), raw.get("to")
    if not isinstance(alias, str) or not NAME_RULE.match(alias) or not _is_version(frm):
        return None
    if to is not None and not _is_version(to):
        return None
    if to == frm:
        return None
    return alias, frm, to  # type: ignore[return-value]


def _drop_id(raw: object) -> str:
    return repr(sorted(raw.items(), key=str)) if isinstance(raw, Mapping) else repr(raw)


def alias_board(
    detail: PromptDetail,
    protected: Collection[str],
    *,
    key: str,
    on_move: Callable[[str, int, int | None], None],
    readonly: str | None = None,
    versions: Collection[int] | None = None,
) -> tuple[str, int, int | None] | None:
    """Draw the board (only the lanes of `versions` when given); a drop calls
    `on_move(alias, from, to)` as a widget callback, before the page runs again (so the page
    runs once, after the move). With `readonly` (the reason), the chips are shown and cannot be
    dragged. Returns a move reported when no callback ran (a value set in session_state, as
    tests do), else None. No request."""

    done = f"{key}:done"  # the last drop acted on (each drop carries its own time)

    def dropped() -> None:
        raw = (st.session_state.get(key) or {}).get("move")
        if (move := parse_move(raw)) is not None:
            st.session_state[done] = _drop_id(raw)
            on_move(*move)

    result = _component()(
        key=key,
        data=board_data(detail, protected, readonly=readonly, versions=versions),
        on_move_change=dropped,
        height="content",
    )
    raw = getattr(result, "move", None)
    if readonly is not None or raw is None or _drop_id(raw) == st.session_state.get(done):
        return None
    st.session_state[done] = _drop_id(raw)
    return parse_move(raw)
