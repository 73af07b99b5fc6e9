"""A team on a real basic-auth MLflow server, shared by the people tests: `reader` (READ on the
prompt), `editor` (EDIT) and `owner` (MANAGE) made through MLflow's auth API, and the prompt
with two versions and `production` on v1 (moved, so the alias history experiment exists)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from promptui.aliases import move_alias
from promptui.aliases.history import AliasHistory
from promptui.registry import PromptRegistry
from promptui.registry.credentials import Credentials
from tests.conftest import fresh_db
from tests.servers import Server, post_json, start_basic_auth_server

PASSWORDS = {
    name: f"{name}-Secret-{uuid.uuid4().hex[:8]}" for name in ("reader", "editor", "owner")
}
PERMISSIONS = {"reader": "READ", "editor": "EDIT", "owner": "MANAGE"}
GRANT = "/api/3.0/mlflow/users/permissions/grant"  # MLflow's auth API


@dataclass(frozen=True)
class Team:
    server: Server
    admin_password: str

    @property
    def url(self) -> str:
        return self.server.url

    def registry(self, user: str) -> PromptRegistry:
        """The registry as `user` (`admin` or one of PASSWORDS) sees it."""
        password = self.admin_password if user == "admin" else PASSWORDS[user]
        return PromptRegistry(self.url, credentials=Credentials(user, password))


@contextmanager
def seeded_team(template_db: Path, workdir: Path, prompt: str) -> Iterator[Team]:
    """The server with the team and `prompt`, stopped when the block ends. Movers (editor,
    owner) get EDIT on the alias history experiment, which recording a move needs."""
    admin_password = f"Admin-{uuid.uuid4().hex}"
    server = start_basic_auth_server(
        fresh_db(template_db, workdir), workdir, admin="admin", admin_password=admin_password
    )
    try:
        team = Team(server, admin_password)
        admin = ("admin", admin_password)
        for user, password in PASSWORDS.items():
            post_json(team.url, "/api/2.0/mlflow/users/create", admin, username=user,
                      password=password)  # fmt: skip
        registry = team.registry("admin")
        registry.create_prompt(prompt, "Answer {{question}}.", "first")
        registry.commit_version(prompt, "Answer {{question}} kindly.", "second")
        history = AliasHistory(registry)
        move_alias(
            registry, history, prompt, "production", 1, expected=None, reason="launch", user="admin"
        )
        experiment = history.experiment_id(create=False)
        assert experiment is not None
        for user, permission in PERMISSIONS.items():
            post_json(team.url, GRANT, admin, username=user, resource_type="prompt",
                      resource_id=prompt, permission=permission)  # fmt: skip
            if user != "reader":
                post_json(team.url, GRANT, admin, username=user, resource_type="experiment",
                          resource_id=experiment, permission="EDIT")  # fmt: skip
        yield team
    finally:
        server.stop()
