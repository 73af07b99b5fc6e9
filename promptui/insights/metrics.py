"""Metrics per version from the linked runs, side by side, and promotion gates.

Pure functions over `Lineage` (no Streamlit, no MLflow). A run linked to several versions counts
for each. A gate (`promotion_gates` in `configs/promptui.yaml`) blocks moving an alias to a
version whose evidence is thin or worse than the current version's, unless overridden with a
reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from promptui.insights.lineage import Lineage
from promptui.registry.errors import ConfigError

THIN_EVIDENCE = 3  # fewer runs than this behind a figure: say the evidence is thin
GATES_KEY = "promotion_gates"


@dataclass(frozen=True)
class MetricStat:
    """The mean of one metric over the runs that logged it, and how many they were."""

    mean: float
    count: int


def version_metrics(lineage: Lineage) -> dict[int, dict[str, MetricStat]]:
    """Per version, per metric: the mean over the linked runs that logged it."""
    values: dict[int, dict[str, list[float]]] = {}
    for run in lineage.runs:
        for version in run.versions:
            for key, value in run.metrics.items():
                values.setdefault(version, {}).setdefault(key, []).append(float(value))
    return {
        v: {k: MetricStat(fmean(xs), len(xs)) for k, xs in sorted(by.items())}
        for v, by in values.items()
    }


@dataclass(frozen=True)
class MetricSideBySide:
    """One metric of two versions, and right minus left."""

    metric: str
    left: MetricStat | None
    right: MetricStat | None

    @property
    def difference(self) -> float | None:
        if self.left is None or self.right is None:
            return None
        return self.right.mean - self.left.mean

    @property
    def thin(self) -> bool:
        return any(s is None or s.count < THIN_EVIDENCE for s in (self.left, self.right))


def side_by_side(lineage: Lineage, left: int, right: int) -> list[MetricSideBySide]:
    """Every metric either version has, in name order."""
    stats = version_metrics(lineage)
    a, b = stats.get(left, {}), stats.get(right, {})
    return [MetricSideBySide(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b))]


def evidence_note(rows: Sequence[MetricSideBySide]) -> str:
    """A plain sentence when the figures rest on little or nothing ("" otherwise)."""
    if not rows:
        return "No linked run logged a metric for either version: there is no evidence here."
    thin = [r.metric for r in rows if r.thin]
    if thin:
        return (
            f"Thin evidence: {', '.join(thin)} rest(s) on fewer than {THIN_EVIDENCE} runs for "
            "at least one side."
        )
    return ""


class Gate(BaseModel):
    """What a version needs before an alias may point to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str = Field(min_length=1)
    min_runs: int = Field(default=1, ge=0)
    not_worse_than_current: bool = False
    higher_is_better: bool = True


def load_gates(extra: Mapping[str, object]) -> dict[str, Gate]:
    """The `promotion_gates` mapping of the settings (alias → gate); ConfigError names the key."""
    raw = extra.get(GATES_KEY) or {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{GATES_KEY}: a mapping of alias names to gates.")
    gates = {}
    for alias, spec in raw.items():
        try:
            gates[str(alias)] = Gate.model_validate(spec)
        except ValidationError as e:
            item = e.errors()[0]
            where = ".".join(str(p) for p in item.get("loc", ()))
            raise ConfigError(f"{GATES_KEY}.{alias}.{where}: {item.get('msg')}") from None
    return gates


@dataclass(frozen=True)
class GateResult:
    """Whether a move passes its gate, and why not."""

    alias: str
    gate: Gate
    reasons: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.reasons


def check_gate(
    alias: str, gate: Gate, lineage: Lineage, target: int, current: int | None
) -> GateResult:
    """The gate of `alias` for moving it from `current` to `target`."""
    stats = version_metrics(lineage)
    mine = stats.get(target, {}).get(gate.metric)
    reasons = []
    runs = mine.count if mine else 0
    if runs < gate.min_runs:
        reasons.append(
            f"v{target} has {runs} run(s) with {gate.metric}; the gate asks for {gate.min_runs}."
        )
    if gate.not_worse_than_current and current is not None and current != target:
        theirs = stats.get(current, {}).get(gate.metric)
        if mine is not None and theirs is not None:
            worse = mine.mean < theirs.mean if gate.higher_is_better else mine.mean > theirs.mean
            if worse:
                reasons.append(
                    f"v{target}'s mean {gate.metric} ({mine.mean:.4g}) is worse than the current "
                    f"v{current}'s ({theirs.mean:.4g})."
                )
        elif mine is None:
            reasons.append(f"v{target} has no {gate.metric} to compare with v{current}.")
    return GateResult(alias, gate, tuple(reasons))
