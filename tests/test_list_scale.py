"""Listing a big registry over HTTP: one request per 1,000 prompts, page tokens past that."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.seed import bulk_seed
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.registry.models import PromptSummary
from tests.conftest import fresh_db
from tests.servers import Server, start_mlflow_server

VERSIONS = 3


@dataclass
class BigRegistry:
    """A second real `mlflow server` over its own database, seeded with exactly 1,000 prompts."""

    server: Server
    db_path: Path

    def registry(self) -> PromptRegistry:
        # Counts are the point here, not speed: a generous deadline keeps a busy machine green.
        return PromptRegistry(self.server.url, timeout_s=120)


@pytest.fixture(scope="module")
def big(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigRegistry]:
    workdir = tmp_path_factory.mktemp("big-registry")
    uri = fresh_db(template_db, workdir)
    db_path = workdir / "mlflow.db"
    bulk_seed(db_path, 1000, VERSIONS, prefix="big")
    server = start_mlflow_server(uri, workdir)
    yield BigRegistry(server, db_path)
    server.stop()


def listed(registry: PromptRegistry) -> tuple[int, list[PromptSummary]]:
    with count_requests() as log:
        prompts = registry.list_prompts()
    return log.count, prompts


def test_one_request_lists_1000_prompts_with_their_latest_versions(big: BigRegistry) -> None:
    registry = big.registry()
    requests, prompts = listed(registry)
    assert requests == 1
    assert len(prompts) == 1000
    assert len({p.name for p in prompts}) == 1000
    first = prompts[0]
    assert first.name == "big-00000"
    assert first.latest_version == VERSIONS
    assert first.aliases == {"production": VERSIONS - 1}
    assert first.tags == {"team": "team-0"}
    assert f"Version {VERSIONS} of the instructions" in first.latest_text
    assert first.latest_commit_message == f"commit {VERSIONS} of big-00000"


def test_get_prompt_on_the_big_registry_takes_at_most_two_requests(big: BigRegistry) -> None:
    registry = big.registry()
    with count_requests() as log:
        detail = registry.get_prompt("big-00999")
    assert log.count <= 2
    assert [v.version for v in detail.versions] == list(range(VERSIONS, 0, -1))
    assert detail.aliases == {"production": VERSIONS - 1}


def unseed(db_path: Path, prefix: str) -> None:
    """Remove what `bulk_seed(..., prefix=prefix)` wrote, child rows first."""
    with closing(sqlite3.connect(db_path)) as con, con:
        for table in (
            "model_version_tags",
            "registered_model_aliases",
            "model_versions",
            "registered_model_tags",
            "registered_models",
        ):
            con.execute(f"DELETE FROM {table} WHERE name LIKE ?", (f"{prefix}-%",))


def test_past_1000_prompts_list_pages_with_tokens(big: BigRegistry, unique_name: str) -> None:
    registry = big.registry()
    try:
        registry.create_prompt(unique_name, "One more {{thing}}", "the 1,001st prompt")
        requests, prompts = listed(registry)
        assert len(prompts) == 1001
        assert requests == 2
        assert unique_name in {p.name for p in prompts}

        bulk_seed(big.db_path, 999, 1, prefix="more")
        requests, prompts = listed(registry)
        assert len(prompts) == 2000
        assert len({p.name for p in prompts}) == 2000
        assert requests == 2
    finally:
        # Back to exactly 1,000, so the other tests here hold in any order.
        unseed(big.db_path, "more")
        registry.delete_prompt(unique_name)
    assert len(registry.list_prompts()) == 1000
