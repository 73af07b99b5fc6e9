"""The service layer: `PromptRegistry` over `mlflow.MlflowClient`.

MLflow entities and exceptions stop here: callers get promptui's frozen dataclasses and errors.
Every method states its request count; reads are one or two REST requests, never one per row.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from promptui.config import DEFAULT_TIMEOUT_S, EMBEDDED_DB, default_tracking_uri
from promptui.registry import validation
from promptui.registry.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PromptUIError,
    RegistryUnavailableError,
    StaleBaseError,
)
from promptui.registry.models import (
    AliasMove,
    ChatMessage,
    PromptDetail,
    PromptSummary,
    PromptVersion,
    RegistryInfo,
)
from promptui.search import filter_prompts
from promptui.templates import extract_variables, message_variables

T = TypeVar("T")

IS_PROMPT_TAG = "mlflow.prompt.is_prompt"
TEXT_TAG = "mlflow.prompt.text"
TYPE_TAG = "_mlflow_prompt_type"
MODEL_CONFIG_TAG = "_mlflow_prompt_model_config"
AUTHOR_TAG = "_promptui_author"
PROMPT_FILTER = f"tags.`{IS_PROMPT_TAG}` = 'true'"
PAGE_SIZE = 1000  # MLflow's maximum for search_registered_models
MAX_VERSIONS = 10_000
UNSET: Any = object()  # "no expectation" for compare-and-set alias moves

_NOT_FOUND = {"RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"}
_INVALID = {"INVALID_PARAMETER_VALUE", "BAD_REQUEST", "INVALID_STATE", "MALFORMED_REQUEST"}
_DENIED = {"PERMISSION_DENIED", "UNAUTHENTICATED", "CUSTOMER_UNAUTHORIZED"}


def is_internal_tag(key: str) -> bool:
    """Tags MLflow and promptui keep for themselves; the UI hides them."""
    return key.startswith(("mlflow.", "_mlflow", "_promptui"))


def user_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Only the tags a person set."""
    return {k: v for k, v in (tags or {}).items() if not is_internal_tag(k)}


def display_uri(uri: str) -> str:
    """The tracking URI without credentials, safe to show."""
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. an unclosed IPv6 bracket: the host part cannot be told apart
        scheme, sep, _ = uri.partition("://")
        return f"{scheme}://…" if sep else "(invalid URI)"
    if "@" not in parts.netloc:
        return uri
    # Everything up to the last '@' is user info; the rest keeps IPv6 brackets and port.
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _when(ms: int | None) -> datetime:
    return datetime.fromtimestamp((ms or 0) / 1000, tz=UTC)


def _tags_dict(tags: Any) -> dict[str, str]:
    if isinstance(tags, dict):
        return dict(tags)
    return {t.key: t.value for t in tags or []}


def version_from_mlflow(mv: Any, aliases: Mapping[str, int] | None = None) -> PromptVersion:
    """A promptui PromptVersion from an MLflow ModelVersion of a prompt."""
    tags = _tags_dict(mv.tags)
    number = int(mv.version)
    text = tags.get(TEXT_TAG, "")
    prompt_type = tags.get(TYPE_TAG) or "text"
    messages: tuple[ChatMessage, ...] = ()
    if prompt_type == "chat":
        try:
            messages = validation.messages_from_data(json.loads(text))
        except (json.JSONDecodeError, InvalidInputError):
            prompt_type = "text"  # shown as stored rather than hidden
    try:
        model_config = json.loads(tags.get(MODEL_CONFIG_TAG) or "{}")
    except json.JSONDecodeError:
        model_config = {}
    if aliases is not None:
        version_aliases = tuple(sorted(a for a, v in aliases.items() if int(v) == number))
    else:
        version_aliases = tuple(sorted(getattr(mv, "aliases", None) or ()))
    return PromptVersion(
        name=mv.name,
        version=number,
        prompt_type="chat" if prompt_type == "chat" else "text",
        text=text,
        messages=messages,
        variables=message_variables(messages) if messages else extract_variables(text),
        commit_message=mv.description or "",
        tags=user_tags(tags),
        model_config=model_config if isinstance(model_config, dict) else {},
        aliases=version_aliases,
        created_at=_when(mv.creation_timestamp),
        author=getattr(mv, "user_id", None) or tags.get(AUTHOR_TAG),
    )


def summary_from_mlflow(rm: Any) -> PromptSummary:
    """A list row from a RegisteredModel returned by search_registered_models."""
    latest = max(rm.latest_versions or [], key=lambda v: int(v.version), default=None)
    aliases = {a: int(v) for a, v in (rm.aliases or {}).items()}
    version = version_from_mlflow(latest, aliases) if latest is not None else None
    return PromptSummary(
        name=rm.name,
        latest_version=version.version if version else 0,
        aliases=dict(sorted(aliases.items())),
        tags=user_tags(_tags_dict(rm.tags)),
        updated_at=_when(rm.last_updated_timestamp),
        created_at=_when(rm.creation_timestamp),
        prompt_type=version.prompt_type if version else "text",
        latest_text=version.text if version else "",
        latest_commit_message=version.commit_message if version else "",
    )


class PromptRegistry:
    """Prompts in one MLflow registry: reads, writes, input checks and bounded failure."""

    def __init__(
        self,
        tracking_uri: str | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.uri = tracking_uri or default_tracking_uri()
        self.timeout_s = timeout_s
        # The stock client retries a dead server for minutes; a call here has a deadline instead.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        _raise_http_timeout(timeout_s)
        self._bounded = not self.uri.startswith("sqlite:")
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="promptui-registry")
        self._client: MlflowClient | None = None

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """`embedded` (SQLite file), `databricks` or `server`."""
        if self.uri.startswith("sqlite:"):
            return "embedded"
        if self.uri.startswith("databricks"):
            return "databricks"
        return "server"

    @property
    def display_uri(self) -> str:
        return display_uri(self.uri)

    def _mlflow(self) -> MlflowClient:
        if self._client is None:
            if self.uri == f"sqlite:///{EMBEDDED_DB}":
                EMBEDDED_DB.parent.mkdir(parents=True, exist_ok=True)
            self._client = MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)
        return self._client

    def _store(self) -> Any:
        return self._mlflow()._get_registry_client().store

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one registry operation within the deadline, translating MLflow's errors."""
        try:
            if not self._bounded:
                return fn()
            future = self._pool.submit(fn)
            try:
                return future.result(timeout=self.timeout_s)
            except FutureTimeout:
                raise RegistryUnavailableError(
                    f"The registry at {self.display_uri} did not answer within "
                    f"{self.timeout_s:g} s. Check that the MLflow server is running and "
                    "reachable, then retry."
                ) from None
        except PromptUIError:
            raise
        except Exception as e:
            raise self._translate(e, what) from e

    def client(self) -> MlflowClient:
        """The MlflowClient behind this registry, for the service layer's other modules."""
        return self._mlflow()

    def call(self, what: str, fn: Callable[[], T]) -> T:
        """Run one MLflow operation within the deadline, translating MLflow's errors."""
        return self._call(what, fn)

    def _parallel(self, what: str, *fns: Callable[[], Any]) -> list[Any]:
        """Run independent requests at once (one round trip of latency), same deadline."""

        def both() -> list[Any]:
            futures = [self._pool.submit(f) for f in fns]
            return [f.result() for f in futures]

        return self._call(what, both)

    def _translate(self, e: Exception, what: str) -> PromptUIError:
        where = self.display_uri
        if isinstance(e, MlflowException):
            code = e.error_code
            text = e.message if isinstance(e.message, str) else str(e)
            if "database is locked" in text:
                return RegistryUnavailableError(
                    "The registry database is busy with another write; nothing was changed. "
                    "Retry in a moment."
                )
            if code in _NOT_FOUND:
                return NotFoundError(f"{what} does not exist.")
            if code == "RESOURCE_ALREADY_EXISTS":
                return ConflictError(f"{what}: {text}")
            if code in _INVALID:
                return InvalidInputError(f"{what}: {text}")
            if code in _DENIED:
                return RegistryUnavailableError(
                    f"The registry at {where} refused access ({code}). Check "
                    "MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD or your token."
                )
            return RegistryUnavailableError(
                f"The registry at {where} could not be reached or failed ({_reason(text)}). "
                "Check that the MLflow server is running, then retry."
            )
        if isinstance(e, OSError | TimeoutError) or type(e).__module__.startswith(
            ("requests", "urllib3", "sqlalchemy")
        ):
            return RegistryUnavailableError(
                f"The registry at {where} could not be reached ({_reason(str(e))}). "
                "Check that the MLflow server is running, then retry."
            )
        raise e

    # -- reads ------------------------------------------------------------------------------

    def list_prompts(self, search: str | None = None) -> list[PromptSummary]:
        """Every prompt with latest version, aliases and tags: one request per 1,000 prompts."""
        store = self._store_checked()
        summaries: list[PromptSummary] = []
        token: str | None = None
        while True:
            page = self._call(
                "Listing prompts",
                lambda t=token: store.search_registered_models(
                    filter_string=PROMPT_FILTER, max_results=PAGE_SIZE, page_token=t
                ),
            )
            summaries.extend(summary_from_mlflow(rm) for rm in page)
            token = page.token
            if not token:
                break
        summaries.sort(key=lambda s: s.name.lower())
        return filter_prompts(summaries, search) if search else summaries

    def get_prompt(self, name: str) -> PromptDetail:
        """One prompt with all its versions, newest first: two requests, sent at once."""
        validation.check_name(name)
        store = self._store_checked()
        rm, versions = self._parallel(
            f"Prompt '{name}'",
            lambda: store.get_registered_model(name),
            lambda: store.search_model_versions(
                filter_string=_versions_filter(name), max_results=MAX_VERSIONS
            ),
        )
        internal = _tags_dict(getattr(rm, "_tags", None) or rm.tags)
        if internal.get(IS_PROMPT_TAG) != "true" and _tags_dict(rm.tags).get(IS_PROMPT_TAG) != (
            "true"
        ):
            raise NotFoundError(f"'{name}' is a registered model, not a prompt.")
        aliases = {a: int(v) for a, v in (rm.aliases or {}).items()}
        parsed = sorted(
            (version_from_mlflow(mv, aliases) for mv in versions),
            key=lambda v: v.version,
            reverse=True,
        )
        return PromptDetail(
            name=rm.name,
            tags=user_tags(_tags_dict(rm.tags)),
            aliases=dict(sorted(aliases.items())),
            versions=tuple(parsed),
            created_at=_when(rm.creation_timestamp),
            updated_at=_when(rm.last_updated_timestamp),
            description=rm.description or "",
        )

    def get_version(self, name: str, ref: str | int = "latest") -> PromptVersion:
        """One version by number, `latest` or alias: one request."""
        validation.check_name(name)
        store = self._store_checked()
        text = str(ref).strip()
        what = f"Prompt '{name}' version {text}"
        if text.lower() == "latest":
            page = self._call(
                what,
                lambda: store.search_model_versions(
                    filter_string=_versions_filter(name),
                    max_results=1,
                    order_by=["version_number DESC"],
                ),
            )
            if not page:
                raise NotFoundError(f"Prompt '{name}' has no versions.")
            mv = page[0]
        elif re.fullmatch(r"[vV]?[0-9]+", text):
            number = text.lstrip("vV")
            mv = self._call(what, lambda: store.get_model_version(name, number))
        else:
            try:
                mv = self._call(what, lambda: store.get_model_version_by_alias(name, text))
            except InvalidInputError:  # MLflow reports a missing alias as a bad parameter
                raise NotFoundError(f"Prompt '{name}' has no alias '{text}'.") from None
        if _tags_dict(mv.tags).get(IS_PROMPT_TAG) != "true":
            raise NotFoundError(f"'{name}' is a registered model, not a prompt.")
        return version_from_mlflow(mv)

    def latest_version_number(self, name: str) -> int:
        """The newest version number (0 when there is none): one request."""
        try:
            return self.get_version(name, "latest").version
        except NotFoundError:
            self.get_aliases(name)  # tells a missing prompt from an empty one
            return 0

    def get_aliases(self, name: str) -> dict[str, int]:
        """The alias map of one prompt: one request."""
        validation.check_name(name)
        store = self._store_checked()
        rm = self._call(f"Prompt '{name}'", lambda: store.get_registered_model(name))
        return {a: int(v) for a, v in (rm.aliases or {}).items()}

    def info(self) -> RegistryInfo:
        """Which registry this is and how many prompts it holds (the list request)."""
        count = len(self.list_prompts())
        return RegistryInfo(uri=self.display_uri, kind=self.kind, prompt_count=count)  # type: ignore[arg-type]

    # -- writes -----------------------------------------------------------------------------

    def create_prompt(
        self,
        name: str,
        template: str | Sequence[ChatMessage],
        commit_message: str = "",
        *,
        tags: Mapping[str, str] | None = None,
        version_tags: Mapping[str, str] | None = None,
        model_config: Mapping[str, object] | None = None,
        author: str | None = None,
    ) -> PromptVersion:
        """A new prompt with version 1. Refuses a name that exists (ConflictError)."""
        validation.check_name(name)
        payload = _template_payload(template)
        prompt_tags = validation.check_tags(tags)
        v_tags = _version_tags(version_tags, author)
        config = validation.check_model_config(model_config)
        client = self._mlflow()
        store = self._store_checked()
        try:
            self._call(
                f"Prompt '{name}'", lambda: client.create_prompt(name=name, tags=prompt_tags)
            )
        except ConflictError:
            raise ConflictError(
                f"A prompt named '{name}' already exists. Open it and commit a new version, "
                "or choose another name."
            ) from None
        try:
            return self._create_version(name, payload, commit_message, v_tags, config)
        except PromptUIError:
            # Nothing half-written: remove the empty prompt this call created.
            with contextlib.suppress(PromptUIError):
                self._call(f"Prompt '{name}'", lambda: store.delete_registered_model(name))
            raise

    def commit_version(
        self,
        name: str,
        template: str | Sequence[ChatMessage],
        commit_message: str,
        *,
        base_version: int | None = None,
        version_tags: Mapping[str, str] | None = None,
        model_config: Mapping[str, object] | None = None,
        author: str | None = None,
    ) -> PromptVersion:
        """A new version; with `base_version`, a newer version raises StaleBaseError."""
        validation.check_name(name)
        payload = _template_payload(template)
        message = validation.check_commit_message(commit_message)
        v_tags = _version_tags(version_tags, author)
        config = validation.check_model_config(model_config)
        if base_version is not None:
            latest = self.latest_version_number(name)
            if latest != base_version:
                raise StaleBaseError(
                    f"Version {latest} of '{name}' was committed after you opened version "
                    f"{base_version}. Review what changed in version {latest} before committing.",
                    base_version=base_version,
                    latest_version=latest,
                )
        return self._create_version(name, payload, message, v_tags, config)

    def _create_version(
        self,
        name: str,
        payload: str | list[dict[str, str]],
        message: str,
        tags: dict[str, str],
        config: dict[str, object],
    ) -> PromptVersion:
        client = self._mlflow()
        pv = self._call(
            f"Prompt '{name}'",
            lambda: client.create_prompt_version(
                name=name,
                template=payload,
                description=message or None,
                tags=tags or None,
                model_config=config or None,
            ),
        )
        messages = (
            tuple(ChatMessage(m["role"], m["content"]) for m in payload)
            if isinstance(payload, list)
            else ()
        )
        return PromptVersion(
            name=name,
            version=int(pv.version),
            prompt_type="chat" if isinstance(payload, list) else "text",
            text=payload if isinstance(payload, str) else json.dumps(payload),
            messages=messages,
            # Same order as a read gives (first use); MLflow's own is an unordered set.
            variables=extract_variables(payload)
            if isinstance(payload, str)
            else message_variables(messages),
            commit_message=message,
            tags=user_tags(tags),
            model_config=config,
            aliases=(),
            created_at=_when(pv.creation_timestamp),
            author=tags.get(AUTHOR_TAG),
        )

    def set_alias(
        self, name: str, alias: str, version: int, *, expected: int | None = UNSET
    ) -> AliasMove:
        """Point `alias` at `version`; `expected` (None: absent) guards against a lost update."""
        validation.check_name(name)
        validation.check_alias(alias)
        current = self._check_expected(name, alias, expected)
        store = self._store_checked()
        # The store directly: MlflowClient.set_prompt_alias first re-reads the version (2 more
        # requests); the server refuses a missing version on its own.
        self._call(
            f"Prompt '{name}' version {version}",
            lambda: store.set_prompt_alias(name, alias, int(version)),
        )
        return AliasMove(name, alias, current, int(version))

    def delete_alias(self, name: str, alias: str, *, expected: int | None = UNSET) -> AliasMove:
        """Remove `alias`; with `expected`, refuses when it moved since the user saw it."""
        validation.check_name(name)
        current = self._check_expected(name, alias, expected)
        if current is None:
            raise NotFoundError(f"Prompt '{name}' has no alias '{alias}'.")
        store = self._store_checked()
        self._call(f"Alias '{alias}'", lambda: store.delete_prompt_alias(name, alias))
        return AliasMove(name, alias, current, None)

    def _check_expected(self, name: str, alias: str, expected: int | None) -> int | None:
        current = self.get_aliases(name).get(alias)
        if expected is not UNSET and current != expected:
            now = f"version {current}" if current is not None else "no version (it was removed)"
            saw = f"version {expected}" if expected is not None else "no version"
            raise ConflictError(
                f"'{alias}' of '{name}' now points to {now}; you saw {saw}. Someone else "
                "changed it meanwhile. Look at the refreshed state and try again."
            )
        return current

    def set_prompt_tag(self, name: str, key: str, value: str) -> None:
        """Add or change a prompt tag."""
        validation.check_name(name)
        key, value = validation.check_tag(key, value)
        client = self._mlflow()
        self._call(f"Prompt '{name}'", lambda: client.set_prompt_tag(name, key, value))

    def delete_prompt_tag(self, name: str, key: str) -> None:
        """Remove a prompt tag."""
        validation.check_name(name)
        if is_internal_tag(key):
            raise InvalidInputError(f"'{key}' belongs to MLflow and cannot be removed here.")
        client = self._mlflow()
        self._call(f"Tag '{key}' of '{name}'", lambda: client.delete_prompt_tag(name, key))

    def delete_version(
        self, name: str, version: int, *, confirmed_aliases: Collection[str] | None = None
    ) -> None:
        """Delete one version (its aliases go with it).

        With `confirmed_aliases`, refuses (ConflictError) when the version holds an alias the
        user did not confirm, e.g. one set by someone else meanwhile: one extra request.
        """
        validation.check_name(name)
        if confirmed_aliases is not None:
            held = sorted(a for a, v in self.get_aliases(name).items() if v == int(version))
            unconfirmed = [a for a in held if a not in set(confirmed_aliases)]
            if unconfirmed:
                raise ConflictError(
                    f"Version {version} of '{name}' now holds the alias(es) "
                    f"{', '.join(unconfirmed)}; nothing was deleted. Review and confirm again."
                )
        client = self._mlflow()
        self._call(
            f"Prompt '{name}' version {version}",
            lambda: client.delete_prompt_version(name, str(int(version))),
        )

    def delete_prompt(self, name: str) -> None:
        """Delete a prompt and all its versions."""
        validation.check_name(name)
        store = self._store_checked()
        detail = self.get_prompt(name)
        for v in detail.versions:
            self.delete_version(name, v.version)
        self._call(f"Prompt '{name}'", lambda: store.delete_registered_model(name))

    def _store_checked(self) -> Any:
        return self._call("Connecting to the registry", self._store)


def _raise_http_timeout(timeout_s: float) -> None:
    """MLflow's per-request timeout is process-wide: keep it no shorter than any deadline here."""
    wanted = max(1, math.ceil(timeout_s))
    current = os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT", "")
    if not current.isdigit() or int(current) < wanted:
        os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(wanted)


def _versions_filter(name: str) -> str:
    # The stores hide prompt versions from searches that do not ask for the prompt tag.
    return f"name = '{name}' AND tag.`{IS_PROMPT_TAG}` = 'true'"


def _template_payload(template: str | Sequence[ChatMessage]) -> str | list[dict[str, str]]:
    if isinstance(template, str):
        return validation.check_text_template(template)
    messages = validation.check_messages(template)
    return [{"role": m.role, "content": m.content} for m in messages]


def _version_tags(tags: Mapping[str, str] | None, author: str | None) -> dict[str, str]:
    out = validation.check_tags(tags)
    if author:
        out[AUTHOR_TAG] = author[:250]
    return out


# Specific causes first: urllib3 wraps each of them in "Max retries exceeded".
_REASONS = (
    ("connection refused", "connection refused"),
    ("timed out", "no answer in time"),
    ("timeout", "no answer in time"),
    ("name or service not known", "host not found"),
    ("nodename nor servname", "host not found"),
    ("connection aborted", "the connection was dropped"),
    ("connection reset", "the connection was dropped"),
    ("remote end closed", "the connection was dropped"),
    ("max retries exceeded", "no connection"),
)


def _reason(text: str) -> str:
    """A short human reason for a low-level failure message."""
    low = text.lower()
    for needle, reason in _REASONS:
        if needle in low:
            return reason
    return _short(text, 120)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
