"""People on an MLflow server with user accounts (`mlflow server --app-name basic-auth`): who is
signed in, and the grants a person holds.

MLflow decides; these reads only let the app say so before a click. Each is one request; a
server without user accounts answers 404, read here as "no accounts" (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mlflow.utils.credentials import get_default_host_creds
from mlflow.utils.rest_utils import MlflowHostCreds, http_request

from promptui.registry.connection import RegistryConnection
from promptui.registry.credentials import host_creds
from promptui.registry.errors import AuthenticationError, RegistryUnavailableError

Level = Literal["READ", "USE", "EDIT", "MANAGE", "NO_PERMISSIONS", "DENY"]
RANK = {"NO_PERMISSIONS": 0, "DENY": 0, "READ": 1, "USE": 2, "EDIT": 3, "MANAGE": 4}
CURRENT_USER = "/api/2.0/mlflow/users/current"
CURRENT_PERMISSIONS = "/api/3.0/mlflow/users/current/permissions"


def allows(permission: str | None, needed: str) -> bool:
    """True when `permission` (None: the server has no accounts) is at least `needed`."""
    return permission is None or RANK.get(permission, 0) >= RANK.get(needed, 4)


def _creds(registry: RegistryConnection) -> MlflowHostCreds:
    if registry.credentials is not None:
        return host_creds(registry.uri, registry.credentials)()
    return get_default_host_creds(registry.uri)


def _get(registry: RegistryConnection, what: str, endpoint: str, **params: str) -> Any:
    """One GET with the registry's deadline; None on 404 (no user accounts there)."""
    creds = _creds(registry)

    def send() -> Any:
        return http_request(
            creds, endpoint, "GET", params=params, max_retries=0, timeout=registry.timeout_s
        )

    response = registry.call(what, send)
    if response.status_code == 404:
        return None
    if response.status_code == 401:
        who = registry.user or "(nobody)"
        raise AuthenticationError(
            f"The registry at {registry.display_uri} did not accept the user name or password "
            f"of {who}."
        )
    if response.status_code != 200:
        raise RegistryUnavailableError(
            f"The registry at {registry.display_uri} answered {what.lower()} with HTTP "
            f"{response.status_code}."
        )
    return response.json()


@dataclass(frozen=True)
class Account:
    """A person as MLflow's user accounts know them."""

    username: str
    is_admin: bool = False


def current_user(registry: RegistryConnection) -> Account | None:
    """Whom MLflow sees for the registry's credentials (None: the server has no user
    accounts). AuthenticationError when it does not accept them. One request."""
    if registry.kind != "server":
        return None
    data = _get(registry, "Signing in", CURRENT_USER)
    user = (data or {}).get("user") or {}
    if not user.get("username"):
        return None
    return Account(str(user["username"]), bool(user.get("is_admin")))


@dataclass(frozen=True)
class Grants:
    """What MLflow's auth lists for the signed-in person: admin or not, and their grants as
    (resource type, resource name or `*`) -> permission."""

    is_admin: bool
    grants: dict[tuple[str, str], str]

    def on(self, kind: str, resource: str) -> str | None:
        """The best permission granted on a resource (None: no grant, so MLflow's default
        applies, which the server does not tell: nothing is assumed)."""
        if self.is_admin:
            return "MANAGE"
        found = [self.grants.get((kind, resource)), self.grants.get((kind, "*"))]
        held = [p for p in found if p is not None]
        return max(held, key=lambda p: RANK.get(p, 0)) if held else None


def current_grants(registry: RegistryConnection) -> Grants | None:
    """The signed-in person's grants (one request); None on a server without user accounts."""
    if registry.kind != "server" or not registry.user:
        return None
    data = _get(registry, f"Permissions of {registry.user}", CURRENT_PERMISSIONS)
    if data is None:
        return None
    grants: dict[tuple[str, str], str] = {}
    for row in data.get("permissions") or []:
        key = (str(row.get("resource_type")), str(row.get("resource_pattern")))
        permission = str(row.get("permission"))
        if RANK.get(permission, 0) >= RANK.get(grants.get(key, ""), -1):
            grants[key] = permission
    return Grants(bool(data.get("is_admin")), grants)
