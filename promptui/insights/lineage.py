"""Which runs, logged models and traces used each version of a prompt, read from MLflow.

MLflow records the link itself: a run, logged model or trace in which `load_prompt` was called
(or that `link_prompt_version_to_run` / `_to_model` / `link_prompt_versions_to_trace` linked)
carries the tag `mlflow.linkedPrompts`, a JSON list of `{"name", "version"}`. One prompt's
lineage is a bounded number of requests whatever its versions and runs: experiments (one per
1,000), runs (one per 50,000), logged models (one per 1,000 matches); traces are read per
version (one request), since MLflow filters traces by exactly one `name/version`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from promptui.registry import validation
from promptui.registry.service import PromptRegistry

LINK_TAG = "mlflow.linkedPrompts"
EXPERIMENTS_PAGE = 1000
RUNS_PAGE = 50_000  # MLflow's largest search_runs page
MODELS_PAGE = 1000
TRACES_SHOWN = 50


@dataclass(frozen=True)
class LinkedRun:
    """A run that used versions of the prompt, with its latest metric values."""

    run_id: str
    name: str
    experiment_id: str
    experiment: str
    status: str
    started: datetime
    versions: tuple[int, ...]
    metrics: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkedModel:
    """A logged model linked to versions of the prompt."""

    model_id: str
    name: str
    experiment_id: str
    created: datetime
    versions: tuple[int, ...]


@dataclass(frozen=True)
class LinkedTrace:
    """A trace that used one version of the prompt."""

    trace_id: str
    name: str
    experiment_id: str
    started: datetime
    state: str
    duration_ms: float | None


@dataclass(frozen=True)
class Lineage:
    """Everything linked to one prompt, newest first."""

    prompt: str
    runs: tuple[LinkedRun, ...] = ()
    models: tuple[LinkedModel, ...] = ()
    experiment_ids: tuple[str, ...] = ()  # where traces are looked for

    def runs_of(self, version: int) -> list[LinkedRun]:
        return [r for r in self.runs if version in r.versions]

    def models_of(self, version: int) -> list[LinkedModel]:
        return [m for m in self.models if version in m.versions]

    @property
    def metric_names(self) -> list[str]:
        return sorted({k for r in self.runs for k in r.metrics})


def linked_versions(tag: str | None, name: str) -> tuple[int, ...]:
    """The versions of `name` a `mlflow.linkedPrompts` tag names (a bad tag names none)."""
    try:
        items = json.loads(tag or "[]")
    except json.JSONDecodeError:
        return ()
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("name") == name:
            version = str(item.get("version", ""))
            if version.isdigit():
                out.append(int(version))
    return tuple(sorted(set(out)))


def _when(ms: int | None) -> datetime:
    return datetime.fromtimestamp((ms or 0) / 1000, tz=UTC)


def _link_filter(name: str) -> str:
    # Prompt names hold no quotes (NAME_RULE); `_` is a LIKE wildcard, so matches are re-checked.
    return f'tags.`{LINK_TAG}` LIKE \'%"name": "{name}"%\''


class LineageReader:
    """Reads lineage through the registry's client, with its deadline and error translation."""

    def __init__(self, registry: PromptRegistry) -> None:
        self.registry = registry

    def _experiments(self) -> dict[str, str]:
        client = self.registry.client()
        out: dict[str, str] = {}
        token: str | None = None
        while True:
            page = self.registry.call(
                "Listing experiments",
                lambda t=token: client.search_experiments(
                    max_results=EXPERIMENTS_PAGE, page_token=t
                ),
            )
            out.update({e.experiment_id: e.name for e in page})
            token = page.token
            if not token:
                return out

    def _paged(self, what: str, search: Any) -> Iterable[Any]:
        token: str | None = None
        while True:
            page = self.registry.call(what, lambda t=token: search(t))
            yield from page
            token = page.token
            if not token:
                return

    def lineage(self, name: str) -> Lineage:
        """Runs and logged models that used any version of `name`: three requests, the last two
        at once (more only past 1,000 experiments, 50,000 runs or 1,000 models)."""
        validation.check_name(name)
        client = self.registry.client()
        experiments = self._experiments()
        if not experiments:
            return Lineage(name)
        ids = list(experiments)
        query = _link_filter(name)

        def read_runs() -> list[Any]:
            return list(
                self._paged(
                    f"Runs that used '{name}'",
                    lambda t: client.search_runs(
                        ids,
                        filter_string=query,
                        max_results=RUNS_PAGE,
                        order_by=["attributes.start_time DESC"],
                        page_token=t,
                    ),
                )
            )

        def read_models() -> list[Any]:
            return list(
                self._paged(
                    f"Logged models that used '{name}'",
                    lambda t: client.search_logged_models(
                        experiment_ids=ids,
                        filter_string=query,
                        max_results=MODELS_PAGE,
                        page_token=t,
                    ),
                )
            )

        # Both searches at once (one round trip of latency); each page keeps its own deadline.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="promptui-lineage") as pool:
            runs_read, models_read = pool.submit(read_runs), pool.submit(read_models)
            found_runs, found_models = runs_read.result(), models_read.result()
        runs = []
        for run in found_runs:
            versions = linked_versions(run.data.tags.get(LINK_TAG), name)
            if versions:
                runs.append(
                    LinkedRun(
                        run_id=run.info.run_id,
                        name=run.info.run_name or run.info.run_id,
                        experiment_id=run.info.experiment_id,
                        experiment=experiments.get(run.info.experiment_id, ""),
                        status=run.info.status,
                        started=_when(run.info.start_time),
                        versions=versions,
                        metrics=dict(run.data.metrics),
                    )
                )
        models = []
        for model in found_models:
            versions = linked_versions((model.tags or {}).get(LINK_TAG), name)
            if versions:
                models.append(
                    LinkedModel(
                        model_id=model.model_id,
                        name=model.name,
                        experiment_id=model.experiment_id,
                        created=_when(model.creation_timestamp),
                        versions=versions,
                    )
                )
        models.sort(key=lambda m: m.created, reverse=True)
        return Lineage(name, tuple(runs), tuple(models), tuple(ids))

    def traces(self, name: str, version: int, experiment_ids: Iterable[str]) -> list[LinkedTrace]:
        """The newest traces that used one version (one request; at most `TRACES_SHOWN`)."""
        validation.check_name(name)
        ids = list(experiment_ids)
        if not ids:
            return []
        client = self.registry.client()
        page = self.registry.call(
            f"Traces that used '{name}' v{version}",
            lambda: client.search_traces(
                locations=ids,
                filter_string=f'prompt = "{name}/{int(version)}"',
                max_results=TRACES_SHOWN,
                order_by=["timestamp_ms DESC"],
                include_spans=False,  # the list needs the trace's summary, not its spans
            ),
        )
        return [
            LinkedTrace(
                trace_id=t.info.trace_id,
                name=t.info.tags.get("mlflow.traceName", ""),
                experiment_id=str(t.info.experiment_id or ""),
                started=_when(t.info.timestamp_ms),
                state=str(getattr(t.info.status, "name", t.info.status)),
                duration_ms=t.info.execution_time_ms,
            )
            for t in page
        ]
