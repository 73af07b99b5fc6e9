"""The alias history of one prompt: the chart of which version each alias pointed to over time,
and the table of recorded events.

The chart's colours depend on the version number only (v3 has the same colour in every render,
whatever other versions are drawn and in whatever order), its time axis steps by an interval
chosen from the time span so no two ticks read the same, and a segment's version label is drawn
only when the segment is wide enough for it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from promptui.aliases import TimelineRow, timeline, version_label
from promptui.aliases.history import AliasEvent, reconcile
from promptui.registry.models import PromptDetail
from promptui.ui import state

# Light colours (Tableau 20's light half): black labels stay readable on every one of them.
PALETTE: tuple[str, ...] = (
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#c7c7c7",
    "#dbdb8d",
    "#9edae5",
)
MAX_TICKS = 8
MIN_SPAN = timedelta(minutes=1)  # a shorter history is drawn over the last minute
ROW_PX = 32  # height per alias: bars are 18 px, so neighbouring rows never overlap
AXIS_PX = 80  # below the plot: tick labels and the axis title
STAMP = "%Y-%m-%d %H:%M:%S UTC"


def version_color(version: int) -> str:
    """The colour of version `version` in every chart (the palette repeats every 10 versions)."""
    return PALETTE[(int(version) - 1) % len(PALETTE)]


def color_scale(versions: Sequence[int]) -> alt.Scale:
    """An explicit scale: domain the version labels in version order, range their colours."""
    ordered = sorted(set(int(v) for v in versions))
    return alt.Scale(
        domain=[version_label(v) for v in ordered], range=[version_color(v) for v in ordered]
    )


@dataclass(frozen=True)
class TimeAxis:
    """Ticks at `ticks` (UTC, within the axis), labelled with strftime `fmt`: one label per
    tick, no two alike."""

    ticks: tuple[datetime, ...]
    fmt: str
    title: str

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(t.strftime(self.fmt) for t in self.ticks)


# (unit, step, about that long in seconds), shortest first. Units: seconds, month, year.
_STEPS: tuple[tuple[str, int, float], ...] = (
    *(("s", n, n) for n in (1, 5, 15, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600)),
    *(("s", n, n) for n in (12 * 3600, 86400, 2 * 86400, 7 * 86400)),
    *(("month", n, n * 31 * 86400) for n in (1, 3, 6)),
    *(("year", n, n * 366 * 86400) for n in (1, 5, 25, 100)),
)


def _ticks(lo: datetime, hi: datetime, unit: str, step: int) -> tuple[datetime, ...]:
    """Every `step` `unit`s from `lo` to `hi` (UTC), aligned to round UTC times."""
    out: list[datetime] = []
    if unit == "s":
        epoch = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday: week steps start on Mondays
        n = -(-int((lo - epoch).total_seconds()) // step)  # ceiling
        at = epoch + timedelta(seconds=n * step)
        while at <= hi:
            out.append(at)
            at += timedelta(seconds=step)
        return tuple(out)
    months = lo.year * 12 + lo.month - 1
    unit_months = step if unit == "month" else 12 * step
    months = -(-months // unit_months) * unit_months
    while True:
        at = datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)
        if at < lo:
            months += unit_months
            continue
        if at > hi:
            return tuple(out)
        out.append(at)
        months += unit_months


def time_axis(lo: datetime, hi: datetime) -> TimeAxis:
    """Ticks and label format for a UTC axis from `lo` to `hi` (aware datetimes): at most
    `MAX_TICKS` ticks at a round step chosen from the span, and a format fine enough that no
    two ticks read the same (no "07:44" three times) and no finer."""
    lo, hi = lo.astimezone(UTC), hi.astimezone(UTC)
    span = max((hi - lo).total_seconds(), 1.0)
    unit, step, _ = next(((u, s, n) for u, s, n in _STEPS if span / n <= MAX_TICKS), _STEPS[-1])
    if unit == "s" and step < 60:
        fmt = "%H:%M:%S"
    elif unit == "s" and step < 86400:
        fmt = "%H:%M" if lo.date() == hi.date() else "%m-%d %H:%M"
    elif unit == "s":
        fmt = "%Y-%m-%d"
    elif unit == "month":
        fmt = "%Y-%m"
    else:
        fmt = "%Y"
    title = "UTC"
    if fmt.startswith("%H"):  # the labels carry no date: the title does
        title += f", {lo:%Y-%m-%d}" + ("" if lo.date() == hi.date() else f" – {hi:%Y-%m-%d}")
    return TimeAxis(_ticks(lo, hi, unit, step), fmt, title)


def _utc(when: datetime) -> datetime:
    """Naive UTC, which charts and tables show as is (no browser time-zone shift)."""
    return when.astimezone(UTC).replace(tzinfo=None)


def _vega_time(when: datetime) -> alt.DateTime:
    """A UTC moment for Vega-Lite (scale domains and tick values)."""
    w = when.astimezone(UTC)
    return alt.DateTime(
        year=w.year,
        month=w.month,
        date=w.day,
        hours=w.hour,
        minutes=w.minute,
        seconds=w.second,
        milliseconds=w.microsecond // 1000,
        utc=True,
    )


def chart_frame(rows: Sequence[TimelineRow]) -> tuple[pd.DataFrame, datetime, datetime]:
    """The chart's data (one row per stretch, sorted by alias, start and version, so the
    order the stretches come in never matters) and the time domain `(lo, hi)`."""
    rows = sorted(rows, key=lambda r: (r.alias, r.start, r.version))
    hi = max(r.end for r in rows)
    lo = min(min(r.start for r in rows), hi - MIN_SPAN)
    span = (hi - lo).total_seconds()
    frame = pd.DataFrame(
        {
            "alias": [r.alias for r in rows],
            "version": [version_label(r.version) for r in rows],
            "start": [_utc(r.start) for r in rows],
            "end": [_utc(r.end) for r in rows],
            "from": [r.start.astimezone(UTC).strftime(STAMP) for r in rows],
            "until": ["now" if r.current else r.end.astimezone(UTC).strftime(STAMP) for r in rows],
            # the stretch's share of the axis; its label needs share × plot width ≥ label_px
            "share": [(r.end - r.start).total_seconds() / span for r in rows],
            "label_px": [10 + 7 * len(version_label(r.version)) for r in rows],
        }
    )
    return frame, lo, hi


def history_chart_spec(rows: Sequence[TimelineRow]) -> alt.LayerChart:
    """The chart of `rows`: bars per alias coloured by version, labels where they fit."""
    frame, lo, hi = chart_frame(rows)
    axis = time_axis(lo, hi)
    # Naive UTC timestamps on a UTC scale: the axis shows UTC whatever the browser's zone.
    x_axis = alt.Axis(
        format=axis.fmt,
        title=axis.title,
        values=[_vega_time(t) for t in axis.ticks],
        labelOverlap=True,
    )
    x_scale = alt.Scale(type="utc", domain=[_vega_time(lo), _vega_time(hi)], nice=False)
    base = alt.Chart(frame).encode(y=alt.Y("alias:N", title=None))
    versions = [int(v[1:]) for v in frame["version"]]
    # The scale and axis are given once (by the bars): the labels layer shares them.
    bars = base.mark_bar(cornerRadius=3, height=18).encode(
        x=alt.X("start:T", scale=x_scale, axis=x_axis),
        x2="end:T",
        color=alt.Color("version:N", title="version", scale=color_scale(versions)),
        tooltip=["alias:N", "version:N", "from:N", "until:N"],
    )
    labels = base.mark_text(align="left", dx=4, color="black").encode(
        x="start:T",
        text=alt.condition(
            "datum.share * width >= datum.label_px", alt.Text("version:N"), alt.value("")
        ),
    )
    return (bars + labels).properties(height=ROW_PX * frame["alias"].nunique())


@lru_cache(maxsize=256)
def _chart_dict(rows: tuple[TimelineRow, ...]) -> dict[str, Any]:
    """The Vega-Lite spec of `rows`, its data inline; built (about 60 ms of Altair) once per
    distinct timeline and process."""
    return history_chart_spec(rows).to_dict()


def history_chart(events: list[AliasEvent], detail: PromptDetail) -> None:
    """Which version each alias pointed to over time, up to the current minute (so reruns
    within a minute draw the same chart, built once)."""
    now = datetime.now(tz=UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    rows = timeline(events, detail.aliases, now=max([now, *(e.at for e in events)]))
    if not rows:
        st.caption("No alias has been set yet.")
        return
    plot = ROW_PX * len({r.alias for r in rows})
    # The element's height holds the plot and the time axis with its title.
    spec = copy.deepcopy(_chart_dict(tuple(rows)))  # the cached one stays as built
    st.vega_lite_chart(spec, width="stretch", height=plot + AXIS_PX)


def load_history(name: str, detail: PromptDetail) -> list[AliasEvent]:
    """The prompt's alias history, newest first, with changes made outside promptui that are
    not recorded yet on top (noticed by this read; a read never writes: they are recorded by
    the next alias change someone makes here). No request beyond the page's cached reads."""
    events = state.alias_events(name)
    return [*reconcile(name, detail.aliases, events), *events]


def _source(event: AliasEvent) -> str:
    if not event.outside:
        return "promptui"
    if not event.event_id:
        return "changed outside promptui (noticed now, recorded with the next change)"
    return "changed outside promptui"


def history_table(events: list[AliasEvent]) -> None:
    """The recorded events, newest first, shown literally."""
    if not events:
        st.caption("No alias change recorded yet.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "when (UTC)": [_utc(e.at) for e in events],
                "alias": [e.alias for e in events],
                "from": [version_label(e.from_version) for e in events],
                "to": [version_label(e.to_version) for e in events],
                "by": [e.user or "" for e in events],
                "reason": [e.reason for e in events],
                "source": [_source(e) for e in events],
            }
        ),
        hide_index=True,
        width="stretch",
    )
