"""The registry group: the service layer over MLflow, its dataclasses, errors and input checks."""

from promptui.registry.service import UNSET, PromptRegistry, display_uri

__all__ = ["UNSET", "PromptRegistry", "display_uri"]
