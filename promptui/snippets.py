"""What a developer copies to use a prompt: `prompts:/` URIs and a `load_prompt` snippet."""

from __future__ import annotations

import json
import keyword
from collections.abc import Iterable


def version_uri(name: str, version: int) -> str:
    """The URI that loads exactly one version: `prompts:/NAME/N`."""
    return f"prompts:/{name}/{int(version)}"


def alias_uri(name: str, alias: str) -> str:
    """The URI that follows an alias: `prompts:/NAME@ALIAS`."""
    return f"prompts:/{name}@{alias}"


def placeholder(variable: str) -> str:
    """The stand-in value shown for a variable in a snippet."""
    return f"<{variable}>"


def format_arguments(variables: Iterable[str]) -> str:
    """The argument list of `.format(...)` with a placeholder per variable."""
    plain: list[str] = []
    other: list[str] = []
    for var in variables:
        value = json.dumps(placeholder(var))
        # Dotted names and keywords are no valid keyword arguments; pass them as a dict.
        if var.isidentifier() and not keyword.iskeyword(var):
            plain.append(f"{var}={value}")
        else:
            other.append(f"{json.dumps(var)}: {value}")
    if other:
        plain.append("**{" + ", ".join(other) + "}")
    return ", ".join(plain)


def load_snippet(uri: str, variables: Iterable[str]) -> str:
    """Python that loads the prompt by URI and fills its variables with placeholders."""
    args = format_arguments(variables)
    return (
        "import mlflow\n\n"
        f"prompt = mlflow.genai.load_prompt({json.dumps(uri)})\n"
        f"filled = prompt.format({args})\n"
    )
