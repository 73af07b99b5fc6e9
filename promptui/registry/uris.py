"""Prompt URIs (`prompts:/NAME/N`, `prompts:/NAME@ALIAS`), read by MLflow's own URI parser."""

from __future__ import annotations

from mlflow.exceptions import MlflowException
from mlflow.store.artifact.utils.models import _parse_model_uri

from promptui.registry.errors import InvalidInputError


def parse_prompt_ref(name_or_uri: str, version: str | int | None = None) -> tuple[str, str]:
    """`(name, version or alias)` from a name and version, or from a `prompts:/NAME/N` or
    `prompts:/NAME@ALIAS` URI (parsed by MLflow's own URI parser). InvalidInputError on a URI
    MLflow would refuse, or on a URI given together with a version."""
    if not name_or_uri.startswith("prompts:/"):
        return name_or_uri, "latest" if version is None else str(version)
    if version is not None:
        raise InvalidInputError(
            f"{name_or_uri} already names the version; do not pass prompt_version as well."
        )
    try:
        parsed = _parse_model_uri(name_or_uri, scheme="prompts")
    except MlflowException as e:
        raise InvalidInputError(str(e.message)) from None
    if parsed.name is None or (parsed.version is None and parsed.alias is None):
        raise InvalidInputError(
            f"{name_or_uri} is not a prompt URI: use prompts:/NAME/VERSION or prompts:/NAME@ALIAS."
        )
    return parsed.name, parsed.version if parsed.version is not None else str(parsed.alias)
