"""The lists whose rows open something: the prompts list (Prompts page, Home) and a prompt's
versions (prompt page), both drawn by `link_table`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import streamlit as st

from promptui.registry.models import PromptDetail, PromptSummary
from promptui.tables import alias_labels, tag_labels
from promptui.ui.link_table import Cell, ChipLink, LinkRow, link_table, table_data
from promptui.ui.nav import PROMPT_PAGE, prompt_link, prompt_params, queue_page

PROMPT_COLUMNS = ("name", "latest", "aliases", "tags", "last modified (UTC)", "type")
VERSION_COLUMNS = ("version", "aliases", "commit message", "created (UTC)", "author")


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def _chip_id(name: str, alias: str) -> str:
    """What a click on an alias chip reports: `NAME@ALIAS` (`@` cannot occur in a name)."""
    return f"{name}@{alias}"


def list_data(
    summaries: Sequence[PromptSummary], matched: Sequence[str] | None = None
) -> dict[str, object]:
    """The prompts list's data: one row per prompt in the order given, its id and link text
    the name, its link the prompt page (`prompt?prompt=NAME`); `matched` (where a search
    matched each prompt) after the name when given. Each alias is a chip linking to the version
    it points at (`prompt?prompt=NAME&version=N`, id `NAME@ALIAS`; `@` cannot occur in a
    prompt name). Pure; no request."""
    columns = list(PROMPT_COLUMNS)
    if matched is not None:
        columns.insert(1, "matched")
    rows = []
    for i, s in enumerate(summaries):
        cells: list[Cell] = [
            f"v{s.latest_version}" if s.latest_version else "",
            [
                ChipLink(label, prompt_link(s.name, version), _chip_id(s.name, alias))
                for label, (alias, version) in zip(
                    alias_labels(s.aliases), s.aliases.items(), strict=True
                )
            ],
            tag_labels(s.tags),
            _utc(s.updated_at),
            s.prompt_type,
        ]
        if matched is not None:
            cells.insert(0, matched[i])
        rows.append(LinkRow(s.name, s.name, prompt_link(s.name), tuple(cells)))
    return table_data(
        columns,
        rows,
        testid="prompt-list",
        nowrap=("latest", "last modified (UTC)", "type"),  # and the first column, always
    )


def prompt_list(
    summaries: Sequence[PromptSummary], matched: Sequence[str] | None = None, *, key: str
) -> tuple[str, int | None] | None:
    """Draw the prompts list; a click on a row opens that prompt's page, a click on an alias
    chip the version the alias points at, from the click's callback, before the page runs
    again. Returns the (name, version) a click reported when no callback ran (a value set in
    session_state, as tests do), else None."""
    targets: dict[str, tuple[str, int | None]] = {}
    for s in summaries:
        targets[s.name] = (s.name, None)
        targets.update({_chip_id(s.name, a): (s.name, v) for a, v in s.aliases.items()})

    def opened(target: str) -> None:
        queue_page(PROMPT_PAGE, prompt_params(*targets[target]))

    clicked = link_table(list_data(summaries, matched), key=key, on_open=opened)
    return None if clicked is None else targets[clicked]


def versions_data(detail: PromptDetail, selected: int | None) -> dict[str, object]:
    """A prompt's versions list: one row per version, newest first, its id the number, its
    link `prompt?prompt=NAME&version=N`; the `selected` version marked. Pure; no request."""
    rows = [
        LinkRow(
            str(v.version),
            f"v{v.version}",
            prompt_link(detail.name, v.version),
            (list(v.aliases), v.commit_message, _utc(v.created_at), v.author or ""),
        )
        for v in detail.versions
    ]
    return table_data(
        VERSION_COLUMNS,
        rows,
        testid="version-list",
        nowrap=("created (UTC)",),  # and the first column, always
        selected=None if selected is None else str(selected),
        max_height_rem=17,
    )


def version_list(detail: PromptDetail, selected: int | None, *, key: str) -> int | None:
    """Draw the versions list; a click on a row shows that version (the page's `version`
    query parameter, set in the click's callback: one click, one run). Returns the version a
    click reported when no callback ran (a value set in session_state), else None."""

    def opened(version: str) -> None:
        st.query_params["version"] = version

    clicked = link_table(versions_data(detail, selected), key=key, on_open=opened)
    return None if clicked is None else int(clicked)
