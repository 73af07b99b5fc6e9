"""The registry group: the service layer over MLflow (`service`), its dataclasses (`models`),
errors (`errors`) and input checks (`validation`).

`PromptRegistry`, `UNSET` and `display_uri` are importable from here; they load on first use, so
that importing the light modules (models, errors) does not import MLflow's client.
"""

from __future__ import annotations

from typing import Any

__all__ = ["UNSET", "PromptRegistry", "display_uri"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from promptui.registry import service

        return getattr(service, name)
    raise AttributeError(f"module 'promptui.registry' has no attribute {name!r}")
