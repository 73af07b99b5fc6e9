"""The project's own errors. MLflow's exceptions are translated into these once, in registry.py."""

from __future__ import annotations


class PromptUIError(Exception):
    """Base class: `message` is written for the person using the app."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(PromptUIError):
    """A prompt, version or alias that does not exist."""


class NotAPromptError(NotFoundError):
    """The name belongs to a plain registered model: MLflow keeps prompts and models apart."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"'{name}' is a registered model, not a prompt: MLflow does not allow a prompt with "
            "the same name as an existing model. Nothing was changed; choose another name."
        )
        self.name = name


class InvalidInputError(PromptUIError):
    """Input rejected before anything was written."""


class ConflictError(PromptUIError):
    """Someone else changed the registry since the user last looked."""


class StaleBaseError(ConflictError):
    """A newer version was committed after the editor opened its base version."""

    def __init__(self, message: str, *, base_version: int, latest_version: int) -> None:
        super().__init__(message)
        self.base_version = base_version
        self.latest_version = latest_version


class PermissionDeniedError(PromptUIError):
    """MLflow refused the signed-in person (or the service account) this action."""


class AuthenticationError(PromptUIError):
    """MLflow did not accept the user name and password (or token) it was given."""


class RegistryUnavailableError(PromptUIError):
    """The registry could not be reached or did not answer in time."""


class ConfigError(PromptUIError):
    """A config file or environment variable holds a value that is not allowed."""
