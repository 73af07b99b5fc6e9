"""Alias history kept in MLflow itself: one run per alias change in a dedicated experiment.

MLflow overwrites an alias in place and keeps no history. promptui records each change it makes
as a finished run tagged with prompt, alias, from/to version, user, reason and source, so every
instance of the app reads the same history and concurrent writers never overwrite each other
(each event is its own row). Reading one prompt's history is one `search_runs` request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from mlflow.entities import RunStatus

from promptui.config import load_settings
from promptui.registry import PromptRegistry, validation
from promptui.registry.errors import ConflictError, InvalidInputError

Source = Literal["promptui", "outside"]

PROMPT_TAG = "promptui.prompt"
ALIAS_TAG = "promptui.alias"
FROM_TAG = "promptui.from"
TO_TAG = "promptui.to"
REASON_TAG = "promptui.reason"
USER_TAG = "promptui.user"
SOURCE_TAG = "promptui.source"
KIND_TAG = "promptui.kind"  # "move" (or absent), "request", "decision"
MAX_EVENTS = 50_000  # MLflow's largest search_runs page
MAX_REASON_CHARS = 5000

_clock_lock = threading.Lock()
_EXPERIMENT_IDS: dict[tuple[str, str], str] = {}  # (registry URI, experiment name) -> id
_EXPERIMENT_LOCK = threading.Lock()
_last_ms = 0


@dataclass(frozen=True)
class AliasEvent:
    """One recorded alias change; a version of None means the alias was absent."""

    prompt: str
    alias: str
    from_version: int | None
    to_version: int | None
    at: datetime
    user: str | None
    reason: str
    source: Source
    event_id: str = ""

    @property
    def outside(self) -> bool:
        """True when the change was made outside promptui (noticed later)."""
        return self.source == "outside"


def _event_ms() -> int:
    """Wall-clock milliseconds, strictly increasing within this process (events never tie)."""
    global _last_ms
    with _clock_lock:
        _last_ms = max(int(time.time() * 1000), _last_ms + 1)
        return _last_ms


def _version_text(version: int | None) -> str:
    return "" if version is None else str(int(version))


def _version_of(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def event_from_run(run: Any) -> AliasEvent:
    """An AliasEvent from an MLflow run written by `AliasHistory.record`."""
    tags: Mapping[str, str] = run.data.tags
    source = tags.get(SOURCE_TAG, "promptui")
    return AliasEvent(
        prompt=tags.get(PROMPT_TAG, ""),
        alias=tags.get(ALIAS_TAG, ""),
        from_version=_version_of(tags.get(FROM_TAG)),
        to_version=_version_of(tags.get(TO_TAG)),
        at=datetime.fromtimestamp((run.info.start_time or 0) / 1000, tz=UTC),
        user=tags.get(USER_TAG) or None,
        reason=tags.get(REASON_TAG, ""),
        source="outside" if source == "outside" else "promptui",
        event_id=run.info.run_id,
    )


class AliasHistory:
    """Alias changes of every prompt in one registry, stored as runs of one MLflow experiment."""

    def __init__(self, registry: PromptRegistry, experiment_name: str | None = None) -> None:
        self.registry = registry
        self.experiment_name = experiment_name or load_settings().history_experiment
        self._key = (registry.uri, self.experiment_name)

    def experiment_id(self, *, create: bool) -> str | None:
        """The history experiment's id (looked up once per process and registry, whoever asks);
        created on first write when asked."""
        if self._key in _EXPERIMENT_IDS:
            return _EXPERIMENT_IDS[self._key]
        with _EXPERIMENT_LOCK:
            if self._key not in _EXPERIMENT_IDS:
                found = self._find_or_create(create)
                if found is None:
                    return None
                _EXPERIMENT_IDS[self._key] = found
        return _EXPERIMENT_IDS[self._key]

    def _find_or_create(self, create: bool) -> str | None:
        client = self.registry.client()
        name = self.experiment_name
        what = f"Alias history experiment '{name}'"
        exp = self.registry.call(what, lambda: client.get_experiment_by_name(name))
        if exp is not None and exp.lifecycle_stage == "deleted":
            if not create:
                return None
            self.registry.call(what, lambda: client.restore_experiment(exp.experiment_id))
            return exp.experiment_id
        if exp is not None:
            return exp.experiment_id
        if not create:
            return None
        tags = {"promptui.purpose": "alias history: one run per alias change"}
        try:
            return self.registry.call(what, lambda: client.create_experiment(name, tags=tags))
        except ConflictError:  # another instance created it at the same moment
            exp = self.registry.call(what, lambda: client.get_experiment_by_name(name))
            if exp is None:
                raise
            return exp.experiment_id

    def record(
        self,
        name: str,
        alias: str,
        from_version: int | None,
        to_version: int | None,
        *,
        reason: str = "",
        user: str | None = None,
        source: Source = "promptui",
    ) -> AliasEvent:
        """Write one event (two requests: create the run, mark it finished)."""
        validation.check_name(name)
        reason = (reason or "").strip()  # checked where it entered (`check_reason`)
        user = (user or "")[:250]
        tags = {
            ALIAS_TAG: alias,
            FROM_TAG: _version_text(from_version),
            TO_TAG: _version_text(to_version),
            REASON_TAG: reason,
            USER_TAG: user,
            SOURCE_TAG: source,
        }
        if user:
            tags["mlflow.user"] = user
        run_name = f"{name} {alias}: v{_version_text(from_version) or '-'} → "
        run_name += f"v{_version_text(to_version) or '-'}"
        run_id, at_ms = self.write_run(name, tags, run_name)
        return AliasEvent(
            prompt=name,
            alias=alias,
            from_version=from_version,
            to_version=to_version,
            at=datetime.fromtimestamp(at_ms / 1000, tz=UTC),
            user=user or None,
            reason=reason,
            source=source,
            event_id=run_id,
        )

    def record_all(self, events: Iterable[AliasEvent]) -> list[AliasEvent]:
        """Write several events (e.g. from `reconcile`), keeping their order."""
        return [
            self.record(
                e.prompt,
                e.alias,
                e.from_version,
                e.to_version,
                reason=e.reason,
                user=e.user,
                source=e.source,
            )
            for e in events
        ]

    def events(self, name: str) -> list[AliasEvent]:
        """Every recorded change of one prompt, newest first: one request (plus the cached
        experiment lookup)."""
        return events_from(self.read_runs(name))

    def read_runs(self, name: str) -> list[Any]:
        """Every run the history holds for one prompt (changes, requests, decisions), newest
        first: one request per 50,000."""
        validation.check_name(name)
        experiment_id = self.experiment_id(create=False)
        if experiment_id is None:
            return []
        client = self.registry.client()
        # Names match NAME_RULE (no quotes), so the filter cannot be broken out of.
        query = f"tags.`{PROMPT_TAG}` = '{name}'"
        out: list[Any] = []
        token: str | None = None
        while True:
            page = self.registry.call(
                f"Alias history of '{name}'",
                lambda t=token: client.search_runs(
                    [experiment_id],
                    filter_string=query,
                    max_results=MAX_EVENTS,
                    order_by=["attributes.start_time DESC"],
                    page_token=t,
                ),
            )
            out.extend(page)
            token = page.token
            if not token:
                return out

    def write_run(self, name: str, tags: Mapping[str, str], run_name: str) -> tuple[str, int]:
        """One finished run in the history experiment for prompt `name` (two requests); its id
        and time (ms). The experiment is created, or restored, as needed."""
        experiment_id = self.experiment_id(create=True)
        assert experiment_id is not None
        at_ms = _event_ms()
        client = self.registry.client()
        what = f"the alias history ('{self.experiment_name}')"
        all_tags = {PROMPT_TAG: name, **tags}

        def create(eid: str) -> Any:
            return self.registry.call(
                what,
                lambda: client.create_run(eid, start_time=at_ms, tags=all_tags, run_name=run_name),
                needs="EDIT",
            )

        try:
            run = create(experiment_id)
        except InvalidInputError:  # deleted meanwhile: MLflow refuses runs in it
            with _EXPERIMENT_LOCK:
                _EXPERIMENT_IDS.pop(self._key, None)
            experiment_id = self.experiment_id(create=True)  # restored
            assert experiment_id is not None
            run = create(experiment_id)
        # The store directly: MlflowClient.set_terminated first fetches the run to print a link.
        store = client._tracking_client.store
        self.registry.call(
            what,
            lambda: store.update_run_info(
                run.info.run_id, run_status=RunStatus.FINISHED, end_time=at_ms, run_name=None
            ),
            needs="EDIT",
        )
        return run.info.run_id, at_ms


def events_from(runs: Iterable[Any]) -> list[AliasEvent]:
    """The alias changes among a prompt's history runs, newest first."""
    out = [event_from_run(r) for r in runs if r.data.tags.get(KIND_TAG, "move") == "move"]
    out.sort(key=lambda e: e.at, reverse=True)
    return out


def check_reason(reason: str | None, *, required: bool = True) -> str:
    """A reason for the history: not blank when required, within `MAX_REASON_CHARS` (refused
    past it, never cut)."""
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInputError("Give a reason: it is recorded in the history.")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInputError(
            f"The reason is {len(reason):,} characters long; use at most {MAX_REASON_CHARS:,}."
        )
    return reason


def last_recorded(events: Iterable[AliasEvent]) -> dict[str, AliasEvent]:
    """The newest event of each alias (events in any order)."""
    newest: dict[str, AliasEvent] = {}
    for e in events:
        if e.alias not in newest or e.at > newest[e.alias].at:
            newest[e.alias] = e
    return newest


def reconcile(
    name: str,
    aliases: Mapping[str, int],
    events: Iterable[AliasEvent],
    *,
    at: datetime | None = None,
) -> list[AliasEvent]:
    """Outside events that make the history agree with the registry's current aliases.

    An alias whose current version differs from the last recorded `to` (or that has no event,
    or that vanished) was changed outside promptui: from = last recorded `to`, to = now.
    """
    at = at or datetime.now(tz=UTC)
    newest = last_recorded(events)
    out: list[AliasEvent] = []
    for alias in sorted(set(aliases) | set(newest)):
        recorded = newest[alias].to_version if alias in newest else None
        current = aliases.get(alias)
        current = int(current) if current is not None else None
        if current != recorded:
            out.append(
                AliasEvent(
                    prompt=name,
                    alias=alias,
                    from_version=recorded,
                    to_version=current,
                    at=at,
                    user=None,
                    reason="",
                    source="outside",
                )
            )
    return out
