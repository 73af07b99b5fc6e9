"""Reading prompts: the list, one prompt, one version, every prompt with every version.

Every method states its request count: one or two REST requests, never one per row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from promptui.registry import validation
from promptui.registry.connection import RegistryConnection
from promptui.registry.errors import InvalidInputError, NotAPromptError, NotFoundError
from promptui.registry.models import PromptDetail, PromptSummary, PromptVersion, RegistryInfo
from promptui.registry.stored import (
    IS_PROMPT_TAG,
    is_prompt_model,
    summary_from_mlflow,
    tags_dict,
    user_tags,
    version_from_mlflow,
    when,
)
from promptui.search import filter_prompts

PROMPT_FILTER = f"tags.`{IS_PROMPT_TAG}` = 'true'"
PAGE_SIZE = 1000  # MLflow's maximum for search_registered_models
MAX_VERSIONS = 10_000
# Versions of every prompt are read in pages of this size: a page of 10,000 (about 14 MB of
# JSON) can take longer than the request deadline; 2,000 takes about a second.
BULK_VERSIONS_PAGE = 2_000
_VERSION_REF = re.compile(r"[vV]?[0-9]+")


class RegistryReads(RegistryConnection):
    """The reads of `PromptRegistry`."""

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
        """One prompt with all its versions, newest first: two requests, sent at once.

        Raises NotFoundError (NotAPromptError for a plain registered model)."""
        validation.check_name(name)
        store = self._store_checked()
        rm, versions = self._parallel(
            f"Prompt '{name}'",
            lambda: store.get_registered_model(name),
            lambda: store.search_model_versions(
                filter_string=versions_filter(name), max_results=MAX_VERSIONS
            ),
        )
        if not is_prompt_model(rm):
            raise NotAPromptError(name)
        aliases = {a: int(v) for a, v in (rm.aliases or {}).items()}
        parsed = sorted(
            (version_from_mlflow(mv, aliases) for mv in versions),
            key=lambda v: v.version,
            reverse=True,
        )
        return PromptDetail(
            name=rm.name,
            tags=user_tags(tags_dict(rm.tags)),
            aliases=dict(sorted(aliases.items())),
            versions=tuple(parsed),
            created_at=when(rm.creation_timestamp),
            updated_at=when(rm.last_updated_timestamp),
            description=rm.description or "",
        )

    def get_version(self, name: str, ref: str | int = "latest") -> PromptVersion:
        """One version by number, `latest` or alias: one request (one more when it is missing,
        to say whether the prompt or only the version is).

        Raises NotFoundError naming what is missing, NotAPromptError for a registered model."""
        validation.check_name(name)
        store = self._store_checked()
        text = str(ref).strip()
        what = f"Prompt '{name}' version {text}"
        try:
            if text.lower() == "latest":
                page = self._call(
                    what,
                    lambda: store.search_model_versions(
                        filter_string=versions_filter(name),
                        max_results=1,
                        order_by=["version_number DESC"],
                    ),
                )
                if not page:
                    raise NotFoundError(f"Prompt '{name}' has no versions.")
                mv = page[0]
            elif _VERSION_REF.fullmatch(text):
                number = text.lstrip("vV")
                mv = self._call(what, lambda: store.get_model_version(name, number))
            else:
                try:
                    mv = self._call(what, lambda: store.get_model_version_by_alias(name, text))
                except InvalidInputError:  # MLflow reports a missing alias as a bad parameter
                    raise NotFoundError(f"Prompt '{name}' has no alias '{text}'.") from None
        except NotFoundError:
            self._prompt_model(name)  # says "does not exist" or "not a prompt" when so
            raise
        if tags_dict(mv.tags).get(IS_PROMPT_TAG) != "true":
            raise NotAPromptError(name)
        return version_from_mlflow(mv)

    def latest_version_number(self, name: str) -> int:
        """The newest version number (0 when there is none): one request (two when none)."""
        validation.check_name(name)
        store = self._store_checked()
        page = self._call(
            f"Prompt '{name}'",
            lambda: store.search_model_versions(
                filter_string=versions_filter(name),
                max_results=1,
                order_by=["version_number DESC"],
            ),
        )
        if page:
            return int(page[0].version)
        self._prompt_model(name)  # tells a missing prompt from an empty one
        return 0

    def get_aliases(self, name: str) -> dict[str, int]:
        """The alias map of one prompt: one request. NotAPromptError for a registered model."""
        return {a: int(v) for a, v in (self._prompt_model(name).aliases or {}).items()}

    def _prompt_model(self, name: str) -> Any:
        """The registered model of a prompt: one request. NotFoundError when there is none,
        NotAPromptError when the name belongs to a plain registered model."""
        validation.check_name(name)
        store = self._store_checked()
        try:
            rm = self._call(f"Prompt '{name}'", lambda: store.get_registered_model(name))
        except NotFoundError:
            raise NotFoundError(f"Prompt '{name}' does not exist.") from None
        if not is_prompt_model(rm):
            raise NotAPromptError(name)
        return rm

    def all_prompts(self, listed: Sequence[PromptSummary] | None = None) -> list[PromptDetail]:
        """Every prompt with every version (newest first in each): one request per 1,000
        prompts plus one per 2,000 versions, whatever their spread. Given the prompt list
        already read (`listed`), only the versions are read."""
        summaries = list(listed) if listed is not None else self.list_prompts()
        store = self._store_checked()
        versions: dict[str, list[PromptVersion]] = {s.name: [] for s in summaries}
        token: str | None = None
        while True:
            page = self._call(
                "Listing prompt versions",
                lambda t=token: store.search_model_versions(
                    filter_string=f"tag.`{IS_PROMPT_TAG}` = 'true'",
                    max_results=BULK_VERSIONS_PAGE,
                    page_token=t,
                ),
            )
            for mv in page:
                if mv.name in versions:  # a prompt-tagged version inside a plain model: skipped
                    versions[mv.name].append(version_from_mlflow(mv))
            token = page.token
            if not token:
                break
        return [
            PromptDetail(
                name=s.name,
                tags=dict(s.tags),
                aliases=dict(s.aliases),
                versions=tuple(sorted(versions[s.name], key=lambda v: v.version, reverse=True)),
                created_at=s.created_at,
                updated_at=s.updated_at,
            )
            for s in summaries
        ]

    def model_names(self) -> list[str]:
        """Names of the plain registered models (not prompts), which no prompt may take: one
        request per 1,000 models."""
        store = self._store_checked()
        names: list[str] = []
        token: str | None = None
        while True:
            page = self._call(
                "Listing registered models",
                lambda t=token: store.search_registered_models(
                    filter_string=f"tags.`{IS_PROMPT_TAG}` != 'true'",
                    max_results=PAGE_SIZE,
                    page_token=t,
                ),
            )
            names.extend(rm.name for rm in page if not is_prompt_model(rm))
            token = page.token
            if not token:
                return names

    def info(self) -> RegistryInfo:
        """Which registry this is and how many prompts it holds (the list request)."""
        count = len(self.list_prompts())
        return RegistryInfo(uri=self.display_uri, kind=self.kind, prompt_count=count)  # type: ignore[arg-type]


def versions_filter(name: str) -> str:
    # The stores hide prompt versions from searches that do not ask for the prompt tag.
    return f"name = '{name}' AND tag.`{IS_PROMPT_TAG}` = 'true'"
