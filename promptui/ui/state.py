"""The one registry per process, and reads that show what the registry holds now.

Opening or reloading a page reads the prompts it shows afresh (a prompt: two requests); widget
reruns within that page load reuse what it read, so typing or clicking never calls the registry.
The prompt list is shared by every session for `LIST_MAX_AGE_S` seconds and re-read when a
browser session starts (a reload); page loads that arrive during a read share it. Writes forget
everything read. When a read fails, the last good read is kept for the page to show, labelled
with its age, never as current.
"""

from __future__ import annotations

import getpass
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import streamlit as st

from promptui.aliases.approvals import AliasRequest, requests_from
from promptui.aliases.config_changes import ConfigChange, config_changes_from
from promptui.aliases.history import AliasEvent, AliasHistory, events_from
from promptui.config import default_tracking_uri, load_settings
from promptui.insights.lineage import Lineage, LineageReader, LinkedTrace
from promptui.registry.credentials import Credentials
from promptui.registry.errors import PromptUIError
from promptui.registry.models import PromptDetail, PromptSummary
from promptui.registry.service import PromptRegistry
from promptui.ui.single_flight import SingleFlight

T = TypeVar("T")
LIST_MAX_AGE_S = 10.0
_PAGE_KEY = "state_page"
_READS_KEY = "state_reads"
_CARRY_KEY = "state_carry"
_FAILED_KEY = "state_failed"  # reads `read_together` tried that failed, raised once by `_read`
CARRY_MAX_AGE_S = 10.0  # a read older than this is not carried into the next page load
_LAST_GOOD_MAX = 512


@dataclass(frozen=True)
class Read(Generic[T]):
    """A value read from the registry, and when (UTC)."""

    value: T
    at: datetime

    @property
    def age_s(self) -> float:
        return seconds_since(self.at)


class _Shared:
    """Reads shared by every session of the process: the timed list, and the last good read of
    each prompt (shown, labelled, while the registry does not answer)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lists: dict[str, Read[list[PromptSummary]]] = {}
        self.last_good: OrderedDict[tuple[str, str], Read[Any]] = OrderedDict()
        # Page loads that arrive while the list is being read share that read.
        self.list_reads: SingleFlight[list[PromptSummary]] = SingleFlight()

    def remember(self, key: tuple[str, str], read: Read[Any]) -> None:
        with self.lock:
            self.last_good[key] = read
            self.last_good.move_to_end(key)
            while len(self.last_good) > _LAST_GOOD_MAX:
                self.last_good.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _registry_for(uri: str) -> PromptRegistry:
    return PromptRegistry(uri, timeout_s=load_settings().request_timeout_s)


@st.cache_resource(show_spinner=False)
def _history_for(uri: str) -> AliasHistory:
    return AliasHistory(_registry_for(uri), load_settings().history_experiment)


@st.cache_resource(show_spinner=False)
def _shared() -> _Shared:
    return _Shared()


CREDENTIALS_KEY = "auth_credentials"  # this browser session's own MLflow credentials


def credentials() -> Credentials | None:
    """The credentials this browser session signed in with (None: not signed in)."""
    value = st.session_state.get(CREDENTIALS_KEY)
    return value if isinstance(value, Credentials) else None


def registry() -> PromptRegistry:
    """The service for the configured tracking URI: with this session's own credentials when
    someone signed in (built for them, never shared), else one per URI and process."""
    uri = default_tracking_uri()
    creds = credentials()
    if creds is None:
        return _registry_for(uri)
    return PromptRegistry(uri, timeout_s=load_settings().request_timeout_s, credentials=creds)


def alias_history() -> AliasHistory:
    """The alias history of the configured registry, read and written as `registry()`."""
    if credentials() is None:
        return _history_for(default_tracking_uri())
    return AliasHistory(registry(), load_settings().history_experiment)


def _who() -> str:
    """Whose reads these are, for caches shared by sessions (people may see different things)."""
    creds = credentials()
    return creds.username if creds is not None else ""


def begin_page(page: str) -> None:
    """Mark a page load: what the previous page (or page load) read is not reused, except the
    reads `carry_reads` named (once, when at most CARRY_MAX_AGE_S old)."""
    carried = st.session_state.pop(_CARRY_KEY, ())
    st.session_state.pop(_FAILED_KEY, None)
    if st.session_state.get(_PAGE_KEY) != page:
        st.session_state[_PAGE_KEY] = page
        before = st.session_state.get(_READS_KEY, {})
        st.session_state[_READS_KEY] = {
            key: before[key]
            for key in carried
            if key in before and before[key].age_s <= CARRY_MAX_AGE_S
        }


def carry_reads(*keys: tuple[str, str]) -> None:
    """Let the next page load reuse these reads (`("prompt", NAME)`) of this one: a page a
    button of this page opens starts from what the person saw. No request."""
    st.session_state[_CARRY_KEY] = keys


def _reads() -> dict[tuple[str, str], Read[Any]]:
    if _READS_KEY not in st.session_state:
        st.session_state[_READS_KEY] = {}
    return st.session_state[_READS_KEY]


def read_once(kind: str, name: str, fetch: Callable[[], T]) -> T:
    """Any read done once per page load (see `_read`)."""
    return _read(kind, name, fetch)


def _read(kind: str, name: str, fetch: Callable[[], T]) -> T:
    """`fetch()` once per page load; the result is kept for reruns and as the last good read.
    A failure `read_together` met for this read is raised instead, once (not waited for again)."""
    key = (kind, name)
    reads = _reads()
    if key in reads:
        return reads[key].value
    failed = st.session_state.get(_FAILED_KEY, {}).pop(key, None)
    if failed is not None:
        raise failed
    return _keep(key, fetch())


def _keep(key: tuple[str, str], value: T) -> T:
    read = Read(value, datetime.now(tz=UTC))
    _reads()[key] = read
    _shared().remember((default_tracking_uri(), f"{_who()}:{key[0]}:{key[1]}"), read)
    return value


def read_together(name: str, *, history: bool = False, lineage: bool = False) -> None:
    """Do the prompt's reads that are asked for and not yet done in this page load at once: the
    alias history (one request) and the lineage (three, the last two at once), so a step that
    needs both waits for the longer one only. A failure is kept and raised, once, by the
    function that reads it (`alias_events`, `lineage`); nothing is raised here."""
    reads = _reads()
    wanted: dict[tuple[str, str], Callable[[], Any]] = {}
    if history and ("history", name) not in reads:
        keeper = alias_history()  # built here: session state is not reachable from a thread
        wanted["history", name] = lambda: keeper.read_runs(name)
    if lineage and ("lineage", name) not in reads:
        reader = LineageReader(registry())
        wanted["lineage", name] = lambda: reader.lineage(name)
    if len(wanted) < 2:
        return  # one read is done where it is needed, as before
    with ThreadPoolExecutor(max_workers=len(wanted), thread_name_prefix="promptui-read") as pool:
        futures = {key: pool.submit(fetch) for key, fetch in wanted.items()}
    failed = st.session_state.setdefault(_FAILED_KEY, {})
    for key, future in futures.items():
        try:
            _keep(key, future.result())
        except PromptUIError as e:
            failed[key] = e


def list_prompts() -> list[PromptSummary]:
    """All prompts (one request per 1,000), at most `LIST_MAX_AGE_S` old, re-read when a
    browser session starts; reused within a page load. Sessions that ask while a read is
    under way share it."""
    key = f"{default_tracking_uri()} {_who()}"
    shared = _shared()
    fresh_session = "state_seen_list" not in st.session_state

    def fetch() -> list[PromptSummary]:
        with shared.lock:
            cached = shared.lists.get(key)
        if cached is not None and cached.age_s <= LIST_MAX_AGE_S and not fresh_session:
            return cached.value
        return shared.list_reads.read(key, read_list, wait_s=3 * registry().timeout_s)

    def read_list() -> list[PromptSummary]:
        value = registry().list_prompts()
        with shared.lock:
            shared.lists[key] = Read(value, datetime.now(tz=UTC))
        return value

    value = _read("list", "", fetch)
    st.session_state["state_seen_list"] = True
    return value


def list_read_at() -> datetime | None:
    """When the prompt list this page load shows was read (None before it was)."""
    with _shared().lock:
        cached = _shared().lists.get(f"{default_tracking_uri()} {_who()}")
    shown = _reads().get(("list", ""))
    if shown is None:
        return None
    # The page load keeps the list it got; the shared read tells how old that list is.
    return cached.at if cached is not None and cached.value is shown.value else shown.at


def all_prompts() -> list[PromptDetail]:
    """Every prompt with every version, read once per page load and only when called: the
    prompts from the shared list (`list_prompts`), then one request per 2,000 versions. Kept
    for this page load only, not as a last good read: it can be large."""
    reads = _reads()
    key = ("all", "")
    if key not in reads:
        reads[key] = Read(registry().all_prompts(list_prompts()), datetime.now(tz=UTC))
    return reads[key].value


def get_prompt(name: str) -> PromptDetail:
    """One prompt with its versions, read afresh on each page load (two requests)."""
    return _read("prompt", name, lambda: registry().get_prompt(name))


def alias_events(name: str) -> list[AliasEvent]:
    """Recorded alias changes of one prompt, newest first, read afresh on each page load (one
    request, shared with `alias_requests`)."""
    return events_from(_read("history", name, lambda: alias_history().read_runs(name)))


def alias_requests(name: str) -> list[AliasRequest]:
    """Requests to move the prompt's protected aliases, with their decisions (the same read as
    `alias_events`)."""
    return requests_from(name, _read("history", name, lambda: alias_history().read_runs(name)))


def config_changes(name: str) -> list[ConfigChange]:
    """Recorded changes of the prompt's versions' model settings, newest first (the same one
    history read per page load as `alias_events`)."""
    return config_changes_from(
        name, _read("history", name, lambda: alias_history().read_runs(name))
    )


def lineage(name: str) -> Lineage:
    """Runs and logged models that used the prompt, read once per page load (three requests)."""
    return _read("lineage", name, lambda: LineageReader(registry()).lineage(name))


def version_traces(name: str, version: int, experiment_ids: tuple[str, ...]) -> list[LinkedTrace]:
    """The newest traces that used one version, read once per page load (one request)."""
    return _read(
        "traces",
        f"{name}/{version}",
        lambda: LineageReader(registry()).traces(name, version, experiment_ids),
    )


def last_good_prompt(name: str) -> Read[PromptDetail] | None:
    """The last prompt read that succeeded in this process, for a page to show (labelled)
    while the registry does not answer."""
    with _shared().lock:
        return _shared().last_good.get((default_tracking_uri(), f"{_who()}:prompt:{name}"))


def invalidate(fresh: PromptDetail | None = None) -> None:
    """Forget what was read, after a write or when asked to refresh: the next read asks the
    registry. `fresh`, a read of one prompt made after the write, is kept as this page load's
    read of it."""
    st.session_state[_READS_KEY] = {}
    st.session_state.pop(_FAILED_KEY, None)
    if fresh is not None:
        _read("prompt", fresh.name, lambda: fresh)
    shared = _shared()
    with shared.lock:
        shared.lists.clear()


def seconds_since(when: datetime) -> float:
    """Seconds from `when` (UTC) until now."""
    return (datetime.now(tz=UTC) - when).total_seconds()


def age_text(seconds: float) -> str:
    """`just now`, `12 s ago`, `3 min ago`, `2 h ago`."""
    if seconds < 2:
        return "just now"
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.0f} h ago"


def current_user() -> str | None:
    """Who acts, as recorded (author, history): the person signed in to MLflow; else
    `PROMPTUI_USER`; else the service account of the environment; else the OS account."""
    creds = credentials()
    if creds is not None:
        return creds.username
    return (
        os.environ.get("PROMPTUI_USER")
        or os.environ.get("MLFLOW_TRACKING_USERNAME")
        or getpass.getuser()
        or None
    )
