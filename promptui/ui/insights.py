"""Version insights on the pages: runs, logged models and traces per version, metrics across
versions, metrics side by side on compare, and the evidence (and gate) before an alias move."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from promptui.config import load_settings
from promptui.insights.lineage import Lineage
from promptui.insights.metrics import (
    GateResult,
    check_gate,
    evidence_note,
    load_gates,
    side_by_side,
    version_metrics,
)
from promptui.registry.errors import PromptUIError
from promptui.registry.models import PromptDetail, PromptVersion
from promptui.ui import state
from promptui.ui.feedback import md_code, md_escape, show_error


def _ui_base() -> str | None:
    """The MLflow UI's address when the registry is an MLflow server (None otherwise)."""
    registry = state.registry()
    return registry.display_uri.rstrip("/") if registry.kind == "server" else None


def read_lineage(name: str) -> Lineage | None:
    """The prompt's lineage for this page load, or None with the reason shown."""
    try:
        return state.lineage(name)
    except PromptUIError as e:
        show_error(e)
        return None


def version_insights(version: PromptVersion) -> None:
    """The runs, logged models and traces that used this version, newest first."""
    lineage = read_lineage(version.name)
    if lineage is None:
        return
    base = _ui_base()
    runs = lineage.runs_of(version.version)
    models = lineage.models_of(version.version)
    try:
        traces = state.version_traces(version.name, version.version, lineage.experiment_ids)
    except PromptUIError as e:
        show_error(e)
        traces = []
    if not (runs or models or traces):
        st.info(
            f"Version {version.version} was used nowhere yet: no run, logged model or trace "
            "loaded or linked it.",
            icon="🔎",
        )
        return
    if runs:
        st.markdown(f"**Runs** ({len(runs)})")
        metrics = sorted({k for r in runs for k in r.metrics})
        frame = pd.DataFrame(
            [
                {
                    "experiment": r.experiment,
                    "run": r.name,
                    "status": r.status,
                    "started": r.started.replace(tzinfo=None),
                    **{m: r.metrics.get(m) for m in metrics},
                    "link": f"{base}/#/experiments/{r.experiment_id}/runs/{r.run_id}"
                    if base
                    else None,
                }
                for r in runs
            ]
        )
        config = {
            "started": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm", help="UTC"),
            "link": st.column_config.LinkColumn(display_text="open in MLflow"),
        }
        if not base:
            frame = frame.drop(columns=["link"])
        st.dataframe(frame, hide_index=True, width="stretch", column_config=config)
    if models:
        st.markdown(f"**Logged models** ({len(models)})")
        st.dataframe(
            pd.DataFrame(
                [{"model": m.name, "id": m.model_id, "created": m.created.replace(tzinfo=None)}
                 for m in models]
            ),
            hide_index=True,
            width="stretch",
        )  # fmt: skip
    if traces:
        st.markdown(f"**Traces** (newest {len(traces)})")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "trace": t.name or t.trace_id,
                        "id": t.trace_id,
                        "state": t.state,
                        "started": t.started.replace(tzinfo=None),
                        "duration (ms)": t.duration_ms,
                    }
                    for t in traces
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def metrics_across_versions(detail: PromptDetail) -> None:
    """Versions × metrics (mean and run count) and a chart of one metric over the versions."""
    st.subheader("Metrics across versions")
    lineage = read_lineage(detail.name)
    if lineage is None:
        return
    stats = version_metrics(lineage)
    names = lineage.metric_names
    if not names:
        st.caption("No run linked to this prompt logged a metric yet.")
        return
    rows = [
        {"version": v.version, **{m: _cell(stats.get(v.version, {}).get(m)) for m in names}}
        for v in detail.versions
        if v.version in stats
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    metric = st.selectbox("Metric", names, key=f"insights_metric:{detail.name}")
    points = [
        {"version": f"v{v}", "number": v, "mean": s[metric].mean, "runs": s[metric].count}
        for v, s in sorted(stats.items())
        if metric in s
    ]
    chart = (
        alt.Chart(pd.DataFrame(points))
        .mark_line(point=True)
        .encode(
            x=alt.X("version:N", sort=[p["version"] for p in points], title="version"),
            y=alt.Y("mean:Q", title=f"mean {metric}"),
            tooltip=["version", "mean", "runs"],
        )
    )
    st.altair_chart(chart, width="stretch")


def _cell(stat: object) -> str:
    if stat is None:
        return ""
    return f"{stat.mean:.4g} (n={stat.count})"  # type: ignore[attr-defined]


def evidence_table(name: str, left: int, right: int, titles: tuple[str, str]) -> None:
    """Two versions' metrics side by side with the difference and how many runs are behind."""
    lineage = read_lineage(name)
    if lineage is None:
        return
    rows = side_by_side(lineage, left, right)
    note = evidence_note(rows)
    if rows:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "metric": r.metric,
                        f"{titles[0]} mean": r.left.mean if r.left else None,
                        f"{titles[0]} runs": r.left.count if r.left else 0,
                        f"{titles[1]} mean": r.right.mean if r.right else None,
                        f"{titles[1]} runs": r.right.count if r.right else 0,
                        "difference": r.difference,
                    }
                    for r in rows
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if note:
        st.caption(md_escape(note))


def gated_aliases() -> set[str]:
    """Aliases with a promotion gate (`promotion_gates` in configs/promptui.yaml)."""
    return set(load_gates(load_settings().extra))


def move_evidence(
    name: str, alias: str, current: int | None, target: int | None
) -> GateResult | None:
    """The metrics of the version the alias leaves and the one it takes, and its gate's result
    (None when the alias has no gate or is being removed)."""
    if target is None:
        return None
    st.markdown("**Evidence**")
    left = current if current is not None else target
    evidence_table(name, left, target, (f"v{left}", f"v{target}"))
    gate = load_gates(load_settings().extra).get(alias)
    lineage = state.lineage(name) if gate is not None else None
    if gate is None or lineage is None:
        return None
    result = check_gate(alias, gate, lineage, target, current)
    if result.passed:
        st.success(f"The {md_code(alias)} gate on {md_code(gate.metric)} passes.", icon="✅")
    else:
        reasons = " ".join(md_escape(r) for r in result.reasons)
        st.error(f"The {md_code(alias)} gate blocks this move: {reasons}", icon="⛔")
    return result
