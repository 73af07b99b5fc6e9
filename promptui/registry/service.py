"""The service layer: `PromptRegistry` over `mlflow.MlflowClient`.

MLflow entities and exceptions stop here: callers get promptui's frozen dataclasses and errors.
Every method states its request count; reads (in `reads`) are one or two REST requests, never
one per row. Every write first makes sure the name is a prompt, not a plain registered model.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from mlflow.entities.model_registry import ModelVersionTag
from mlflow.prompt.constants import _STORE_PROMPT_SOURCE_PLACEHOLDER
from mlflow.store.model_registry.abstract_store import AbstractStore

from promptui.registry import validation
from promptui.registry.connection import display_uri
from promptui.registry.errors import (
    ConflictError,
    InvalidInputError,
    NotAPromptError,
    NotFoundError,
    PromptUIError,
    StaleBaseError,
)
from promptui.registry.models import AliasMove, ChatMessage, PromptVersion
from promptui.registry.reads import RegistryReads, versions_filter
from promptui.registry.stored import (
    AUTHOR_TAG,
    MODEL_CONFIG_TAG,
    VersionContent,
    is_prompt_model,
    version_content,
    version_from_mlflow,
)

__all__ = ["UNSET", "PromptRegistry", "display_uri"]

UNSET: Any = object()  # "no expectation" for compare-and-set alias moves


class PromptRegistry(RegistryReads):
    """Prompts in one MLflow registry: reads, writes, input checks and bounded failure."""

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
        response_format: Mapping[str, object] | None = None,
        author: str | None = None,
    ) -> PromptVersion:
        """A new prompt with version 1: two requests (three on a refused name).

        Raises ConflictError when a prompt has the name, NotAPromptError when a registered model
        has it, InvalidInputError for input MLflow would refuse."""
        validation.check_name(name)
        content = version_content(
            template, None, version_tags, model_config, response_format, author
        )
        prompt_tags = validation.check_tags(tags)
        self._create_empty(name, prompt_tags)
        store = self._store_checked()
        try:
            return self._create_version(name, content, commit_message.strip())
        except PromptUIError:
            # Nothing half-written: remove the empty prompt this call created.
            with contextlib.suppress(PromptUIError):
                self._call(
                    f"Prompt '{name}'", lambda: store.delete_registered_model(name), needs="MANAGE"
                )
            raise

    def create_empty_prompt(self, name: str, *, tags: Mapping[str, str] | None = None) -> None:
        """A new prompt without versions (for importing): one request (two on a refused name).
        ConflictError when a prompt has the name, NotAPromptError when a registered model does."""
        validation.check_name(name)
        self._create_empty(name, validation.check_tags(tags))

    def _create_empty(self, name: str, tags: Mapping[str, str]) -> None:
        client = self._mlflow()
        try:
            self._call(
                f"Prompt '{name}'",
                lambda: client.create_prompt(name=name, tags=dict(tags)),
                needs="EDIT",
            )
        except ConflictError:
            self._prompt_model(name)  # a registered model of that name: NotAPromptError
            raise ConflictError(
                f"A prompt named '{name}' already exists. Open it and commit a new version, "
                "or choose another name."
            ) from None

    def copy_version(
        self, name: str, version: PromptVersion, *, commit_message: str | None = None
    ) -> PromptVersion:
        """A new version of prompt `name` holding exactly what `version` holds (template, type,
        model config, response format and version tags as stored, and its author): one request,
        no reads. For importing and promoting, whose plan has read the target already and whose
        input was checked where it came in; the new version's number is MLflow's next one."""
        tags = dict(version.user_tags)
        if version.author:
            tags[AUTHOR_TAG] = version.author[:250]
        content = VersionContent(
            prompt_type=version.prompt_type,
            text=version.text,
            model_config_json=version.model_config_json,
            response_format_json=version.response_format_json,
            tags=tags,
        )
        message = version.commit_message if commit_message is None else commit_message
        return self._create_version(name, content, message)

    def commit_version(
        self,
        name: str,
        template: str | Sequence[ChatMessage],
        commit_message: str,
        *,
        base_version: int | None = None,
        based_on: PromptVersion | None = None,
        version_tags: Mapping[str, str] | None = None,
        model_config: Mapping[str, object] | None = None,
        response_format: Mapping[str, object] | None = None,
        author: str | None = None,
    ) -> PromptVersion:
        """A new version: three requests (the prompt and its newest version read at once, then
        the write).

        `based_on` is the version the new one was edited from: what is equal to it is carried
        byte for byte and not checked again, and `version_tags`, `model_config` or
        `response_format` left as None keep its values. With `base_version` (the newest version
        the user saw), a newer version raises StaleBaseError. A plain registered model of that
        name raises NotAPromptError; nothing is written then."""
        validation.check_name(name)
        message = validation.check_commit_message(commit_message)
        content = version_content(
            template, based_on, version_tags, model_config, response_format, author
        )
        store = self._store_checked()
        rm, newest = self._parallel(
            f"Prompt '{name}'",
            lambda: store.get_registered_model(name),
            lambda: store.search_model_versions(
                filter_string=versions_filter(name),
                max_results=1,
                order_by=["version_number DESC"],
            ),
        )
        if not is_prompt_model(rm):
            raise NotAPromptError(name)
        latest = int(newest[0].version) if newest else 0
        if base_version is not None and latest != base_version:
            raise StaleBaseError(
                f"Version {latest} of '{name}' was committed after you opened version "
                f"{base_version}. Review what changed in version {latest} before committing.",
                base_version=base_version,
                latest_version=latest,
            )
        return self._create_version(name, content, message)

    def _create_version(self, name: str, content: VersionContent, message: str) -> PromptVersion:
        """Write one version with exactly these tags: one request."""
        store = self._store_checked()
        what = f"Prompt '{name}'"
        if type(store).create_prompt_version is not AbstractStore.create_prompt_version:
            # A store with its own prompt API (Unity Catalog) gets MLflow's client call.
            client = self._mlflow()
            pv = self._call(
                what,
                lambda: client.create_prompt_version(
                    name=name,
                    template=content.template(),
                    description=message or None,
                    tags=dict(content.tags) or None,
                    response_format=_loads(content.response_format_json),
                    model_config=_loads(content.model_config_json),
                ),
                needs="EDIT",
            )
            return self.get_version(name, pv.version)
        tags = [ModelVersionTag(k, v) for k, v in content.version_tags().items()]
        mv = self._call(
            what,
            lambda: store.create_model_version(
                name=name,
                source=_STORE_PROMPT_SOURCE_PLACEHOLDER,
                tags=tags,
                description=message or None,
            ),
            needs="EDIT",
        )
        return version_from_mlflow(mv, {})

    def set_alias(
        self, name: str, alias: str, version: int, *, expected: int | None = UNSET
    ) -> AliasMove:
        """Point `alias` at `version`: two requests. `expected` (None: absent) guards against a
        lost update (ConflictError); NotAPromptError for a registered model."""
        validation.check_alias(alias)
        current = self._check_expected(name, alias, expected)
        store = self._store_checked()
        # The store directly: MlflowClient.set_prompt_alias first re-reads the version (2 more
        # requests); the server refuses a missing version on its own.
        self._call(
            f"Prompt '{name}' version {version}",
            lambda: store.set_prompt_alias(name, alias, int(version)),
            needs="EDIT",
        )
        return AliasMove(name, alias, current, int(version))

    def delete_alias(self, name: str, alias: str, *, expected: int | None = UNSET) -> AliasMove:
        """Remove `alias`: two requests; with `expected`, refuses when it moved since the user
        saw it."""
        current = self._check_expected(name, alias, expected)
        if current is None:
            raise NotFoundError(f"Prompt '{name}' has no alias '{alias}'.")
        store = self._store_checked()
        self._call(
            f"Alias '{alias}'", lambda: store.delete_prompt_alias(name, alias), needs="MANAGE"
        )
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
        """Add or change a prompt tag: two requests."""
        key, value = validation.check_tag(key, value)
        self._prompt_model(name)
        client = self._mlflow()
        self._call(
            f"Prompt '{name}'", lambda: client.set_prompt_tag(name, key, value), needs="EDIT"
        )

    def delete_prompt_tag(self, name: str, key: str) -> None:
        """Remove a prompt tag: two requests."""
        if key.startswith(("mlflow.", "_mlflow")):
            raise InvalidInputError(f"'{key}' belongs to MLflow and cannot be removed here.")
        self._prompt_model(name)
        client = self._mlflow()
        self._call(
            f"Tag '{key}' of '{name}'", lambda: client.delete_prompt_tag(name, key), needs="EDIT"
        )

    def set_model_config(
        self,
        name: str,
        version: int,
        config: Mapping[str, Any],
        *,
        expected_json: str | None = UNSET,
    ) -> PromptVersion:
        """Replace the model settings of an existing version, the one part of a version MLflow
        lets change (as `mlflow.genai.set_prompt_model_config` does; empty settings remove
        them): three requests (prompt check, version read, tag write).

        `expected_json` is the stored settings the person edited (`model_config_json`, None
        for none): when they changed meanwhile, ConflictError and nothing written. Unchanged
        keys keep their stored values exactly. Raises InvalidInputError for settings MLflow
        refuses, NotFoundError, NotAPromptError. Returns the version as it now is."""
        self._prompt_model(name)
        current = self.get_version(name, int(version))
        if expected_json is not UNSET and current.model_config_json != expected_json:
            raise ConflictError(
                f"The model settings of '{name}' v{current.version} changed since you opened "
                "them. Look at them again before saving."
            )
        checked = validation.check_model_config(config, base=current.model_config)
        client = self._mlflow()
        what = f"Model settings of '{name}' v{current.version}"
        stored = json.dumps(checked) if checked else None
        if stored is None:
            if current.model_config_json is not None:
                self._call(
                    what,
                    lambda: client.delete_prompt_version_tag(
                        name, current.version, MODEL_CONFIG_TAG
                    ),
                    needs="EDIT",
                )
        else:
            self._call(
                what,
                lambda: client.set_prompt_version_tag(
                    name, current.version, MODEL_CONFIG_TAG, stored
                ),
                needs="EDIT",
            )
        return replace(current, model_config=checked, model_config_json=stored)

    def delete_version(
        self, name: str, version: int, *, confirmed_aliases: Sequence[str] | None = None
    ) -> tuple[AliasMove, ...]:
        """Delete one version; its aliases go with it, returned as moves to nothing (two
        requests).

        With `confirmed_aliases`, refuses (ConflictError) when the version holds an alias the
        user did not confirm, e.g. one set by someone else meanwhile."""
        aliases = self.get_aliases(name)
        held = sorted(a for a, v in aliases.items() if v == int(version))
        if confirmed_aliases is not None:
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
            needs="MANAGE",
        )
        return tuple(AliasMove(name, a, int(version), None) for a in held)

    def delete_prompt(self, name: str) -> tuple[AliasMove, ...]:
        """Delete a prompt and all its versions; returns the aliases that went with them."""
        detail = self.get_prompt(name)
        store = self._store_checked()
        removed: list[AliasMove] = []
        for v in detail.versions:
            removed.extend(self.delete_version(name, v.version))
        self._call(f"Prompt '{name}'", lambda: store.delete_registered_model(name), needs="MANAGE")
        return tuple(removed)


def _loads(raw: str | None) -> Any:
    return json.loads(raw) if raw is not None else None
