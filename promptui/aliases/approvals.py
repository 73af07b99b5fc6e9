"""Requests to move a protected alias, and their approval or rejection, kept in MLflow itself.

Who may move a protected alias is `alias_movers` in `configs/promptui.yaml` (an MLflow
permission such as `MANAGE`, the default, or a list of user names). Anyone else may request the
move: the request (prompt, alias, from, to, requester, reason, what the change looked like) is a
run of the history experiment, so every instance and colleague sees it. Someone allowed approves
it (the move is applied with the compare-and-set against the version the requester saw) or
rejects it with a reason; nobody decides their own request. Decisions are runs too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from promptui.aliases.history import (
    ALIAS_TAG,
    FROM_TAG,
    KIND_TAG,
    REASON_TAG,
    TO_TAG,
    USER_TAG,
    AliasEvent,
    AliasHistory,
    check_reason,
)
from promptui.aliases.moves import move_alias, remove_alias, version_label
from promptui.config import load_settings
from promptui.registry.accounts import allows
from promptui.registry.errors import ConfigError, ConflictError, InvalidInputError
from promptui.registry.service import PromptRegistry

State = Literal["pending", "approved", "rejected"]
REQUEST_TAG = "promptui.request"  # on a decision: the request's run id
DECISION_TAG = "promptui.decision"  # approved / rejected
SUMMARY_TAG = "promptui.summary"  # what the requester saw the change to be
MOVERS_KEY = "alias_movers"
DEFAULT_MOVERS = "MANAGE"


@dataclass(frozen=True)
class AliasRequest:
    """One request to move (or remove, `to_version` None) a protected alias."""

    request_id: str
    prompt: str
    alias: str
    from_version: int | None
    to_version: int | None
    requester: str
    reason: str
    summary: str
    at: datetime
    state: State = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str = ""

    @property
    def label(self) -> str:
        return (
            f"{self.alias}: {version_label(self.from_version)} → "
            f"{version_label(self.to_version) if self.to_version is not None else 'removed'}"
        )


def _version(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _when(run: Any) -> datetime:
    return datetime.fromtimestamp((run.info.start_time or 0) / 1000, tz=UTC)


def requests_from(name: str, runs: Iterable[Any]) -> list[AliasRequest]:
    """The requests among a prompt's history runs, with their decisions, newest first."""
    runs = list(runs)
    decisions = {
        r.data.tags.get(REQUEST_TAG): r for r in runs if r.data.tags.get(KIND_TAG) == "decision"
    }
    out = []
    for run in runs:
        tags: Mapping[str, str] = run.data.tags
        if tags.get(KIND_TAG) != "request":
            continue
        request = AliasRequest(
            request_id=run.info.run_id,
            prompt=name,
            alias=tags.get(ALIAS_TAG, ""),
            from_version=_version(tags.get(FROM_TAG)),
            to_version=_version(tags.get(TO_TAG)),
            requester=tags.get(USER_TAG, ""),
            reason=tags.get(REASON_TAG, ""),
            summary=tags.get(SUMMARY_TAG, ""),
            at=_when(run),
        )
        decision = decisions.get(run.info.run_id)
        if decision is not None:
            state = decision.data.tags.get(DECISION_TAG)
            request = replace(
                request,
                state="approved" if state == "approved" else "rejected",
                decided_by=decision.data.tags.get(USER_TAG) or None,
                decided_at=_when(decision),
                decision_reason=decision.data.tags.get(REASON_TAG, ""),
            )
        out.append(request)
    out.sort(key=lambda r: r.at, reverse=True)
    return out


def movers(alias: str, extra: Mapping[str, object] | None = None) -> str | tuple[str, ...]:
    """Who may move `alias`: an MLflow permission (`MANAGE`, `EDIT`) or user names."""
    settings = load_settings().extra if extra is None else extra
    raw = (settings.get(MOVERS_KEY) or {}) if isinstance(settings, Mapping) else {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{MOVERS_KEY}: a mapping of alias names to a permission or users.")
    rule = raw.get(alias, DEFAULT_MOVERS)
    if isinstance(rule, str) and rule in ("READ", "USE", "EDIT", "MANAGE"):
        return rule
    if isinstance(rule, list) and all(isinstance(u, str) for u in rule):
        return tuple(rule)
    raise ConfigError(f"{MOVERS_KEY}.{alias}: an MLflow permission (EDIT, MANAGE) or user names.")


def may_move(alias: str, user: str | None, permission: str | None) -> bool:
    """Whether `user`, holding `permission` on the prompt (None: the registry has no user
    accounts, so one person uses it), may move the protected `alias` without approval."""
    rule = movers(alias)
    if isinstance(rule, tuple):
        return user is not None and user in rule
    return allows(permission, rule)


def request_move(
    history: AliasHistory,
    name: str,
    alias: str,
    from_version: int | None,
    to_version: int | None,
    *,
    requester: str,
    reason: str,
    summary: str = "",
) -> AliasRequest:
    """Store a request (two requests to MLflow); a reason is required."""
    reason = check_reason(reason)
    tags = {
        KIND_TAG: "request",
        ALIAS_TAG: alias,
        FROM_TAG: "" if from_version is None else str(from_version),
        TO_TAG: "" if to_version is None else str(to_version),
        REASON_TAG: reason,
        USER_TAG: requester,
        SUMMARY_TAG: summary[:5000],
    }
    run_id, at_ms = history.write_run(name, tags, f"{name} {alias}: requested")
    return AliasRequest(
        run_id, name, alias, from_version, to_version, requester, reason, summary,
        datetime.fromtimestamp(at_ms / 1000, tz=UTC),
    )  # fmt: skip


def _decide(
    history: AliasHistory, request: AliasRequest, decision: str, by: str, reason: str
) -> None:
    if by == request.requester:
        raise InvalidInputError("Nobody decides their own request: ask a colleague.")
    if request.state != "pending":
        raise ConflictError(f"This request was {request.state} by {request.decided_by} already.")
    tags = {
        KIND_TAG: "decision",
        REQUEST_TAG: request.request_id,
        DECISION_TAG: decision,
        ALIAS_TAG: request.alias,
        USER_TAG: by,
        REASON_TAG: reason,
    }
    history.write_run(request.prompt, tags, f"{request.prompt} {request.alias}: {decision}")


def approve(
    registry: PromptRegistry,
    history: AliasHistory,
    request: AliasRequest,
    *,
    approver: str,
    reason: str = "",
) -> AliasEvent | None:
    """Apply the requested move as `approver` and record the approval. ConflictError when the
    alias moved since the request (nothing moved then); InvalidInputError for one's own."""
    reason = check_reason(reason, required=False)
    if approver == request.requester:
        raise InvalidInputError("Nobody approves their own request: ask a colleague.")
    if request.state != "pending":
        raise ConflictError(f"This request was {request.state} by {request.decided_by} already.")
    why = f"approved request by {request.requester}: {request.reason}"
    why = f"{why} ({reason})" if reason else why
    try:
        if request.to_version is None:
            event: AliasEvent | None = remove_alias(
                registry, history, request.prompt, request.alias,
                expected=request.from_version, reason=why, user=approver,
            )  # fmt: skip
        else:
            event = move_alias(
                registry, history, request.prompt, request.alias, request.to_version,
                expected=request.from_version, reason=why, user=approver,
            )  # fmt: skip
    except ConflictError as e:
        raise ConflictError(
            f"'{request.alias}' moved since the request was made, so it was not approved: "
            f"{e.message}"
        ) from None
    _decide(history, request, "approved", approver, reason)
    return event


def reject(history: AliasHistory, request: AliasRequest, *, by: str, reason: str) -> None:
    """Record the rejection (a reason is required); nothing moves."""
    _decide(history, request, "rejected", by, check_reason(reason))


def pending(requests: Sequence[AliasRequest]) -> list[AliasRequest]:
    return [r for r in requests if r.state == "pending"]
