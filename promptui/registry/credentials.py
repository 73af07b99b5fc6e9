"""One person's credentials for an MLflow server, carried by their own client only.

MLflow's client reads credentials from the process environment; a shared app must not (one
person's password would serve everyone). A client built here sends exactly these credentials
with every request, and nothing of them reaches `os.environ`, a file or a log: the password is
kept out of every `repr`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mlflow import MlflowClient
from mlflow.store.model_registry.rest_store import RestStore as RegistryRestStore
from mlflow.store.tracking.rest_store import RestStore as TrackingRestStore
from mlflow.tracing.client import TracingClient
from mlflow.tracking._model_registry.client import ModelRegistryClient
from mlflow.tracking._tracking_service.client import TrackingServiceClient
from mlflow.utils.credentials import get_default_host_creds
from mlflow.utils.rest_utils import MlflowHostCreds

T = TypeVar("T")
CredsSource = Callable[[], MlflowHostCreds]


@dataclass(frozen=True)
class Credentials:
    """An MLflow user name and password (or a personal access token, as `token`)."""

    username: str
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)

    def __str__(self) -> str:
        return self.username


def host_creds(uri: str, credentials: Credentials) -> CredsSource:
    """What the REST stores ask for before each request: these credentials, with the TLS
    settings of the environment (certificates are the deployment's, not a person's)."""

    def creds() -> MlflowHostCreds:
        base = get_default_host_creds(uri)
        return MlflowHostCreds(
            host=uri,
            username=credentials.username if not credentials.token else None,
            password=credentials.password if not credentials.token else None,
            token=credentials.token or None,
            ignore_tls_verification=base.ignore_tls_verification,
            client_cert_path=base.client_cert_path,
            server_cert_path=base.server_cert_path,
        )

    return creds


def _own_store(base: type[T], store: Callable[..., Any], creds: CredsSource, *args: str) -> T:
    """An MLflow client of class `base` (built with `args`) whose REST store sends `creds`."""

    class WithCreds(base):  # type: ignore[valid-type,misc]
        @property
        def store(self) -> Any:
            return store(creds)

    return WithCreds(*args)


def client_with(uri: str, credentials: Credentials) -> MlflowClient:
    """An MlflowClient for an `http(s)` server whose every request carries `credentials`."""
    creds = host_creds(uri, credentials)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client._tracking_client = _own_store(TrackingServiceClient, TrackingRestStore, creds, uri)
    client._tracing_client = _own_store(TracingClient, TrackingRestStore, creds, uri)
    client._registry_client_lazy = _own_store(  # type: ignore[attr-defined]
        ModelRegistryClient, RegistryRestStore, creds, uri, uri
    )
    return client
