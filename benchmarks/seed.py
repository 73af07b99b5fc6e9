"""Bulk seeding of a large prompt registry, straight into MLflow's SQLite schema.

Going through the REST API would take minutes for 1,000 prompts x 20 versions; these rows are
the same ones MLflow's own SQL store writes for `register_prompt` and `set_prompt_alias`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from mlflow import MlflowClient


def create_registry_db(db_path: Path) -> str:
    """An empty MLflow SQLite database with every migration applied; returns its URI."""
    uri = f"sqlite:///{db_path}"
    MlflowClient(tracking_uri=uri, registry_uri=uri).search_registered_models(max_results=1)
    return uri


def prompt_text(i: int, v: int) -> str:
    return (
        f"You are assistant number {i}. Version {v} of the instructions.\n"
        f"Answer the {{{{question}}}} about {{{{topic}}}} in a {['short', 'long'][v % 2]} reply.\n"
        + "Be precise and cite sources. "
        * 20
    )


def bulk_seed(db_path: Path, prompts: int, versions: int, prefix: str = "bench") -> None:
    """Add `prompts` text prompts with `versions` versions each and a `production` alias."""
    now = int(time.time() * 1000)
    con = sqlite3.connect(db_path)
    with con:
        rm, rm_tags, mv, mv_tags, aliases = [], [], [], [], []
        for i in range(prompts):
            name = f"{prefix}-{i:05d}"
            rm.append((name, now, now + versions, f"Prompt {i}"))
            rm_tags.append((name, "mlflow.prompt.is_prompt", "true"))
            rm_tags.append((name, "team", f"team-{i % 7}"))
            for v in range(1, versions + 1):
                mv.append((name, v, now + v, now + v, f"commit {v} of {name}", "dummy-source"))
                mv_tags.extend(
                    [
                        (name, v, "mlflow.prompt.is_prompt", "true"),
                        (name, v, "mlflow.prompt.text", prompt_text(i, v)),
                        (name, v, "_mlflow_prompt_type", "text"),
                        (
                            name,
                            v,
                            "_mlflow_prompt_model_config",
                            json.dumps({"temperature": 0.1 * (v % 10)}),
                        ),
                    ]
                )
            aliases.append((name, "production", max(1, versions - 1)))
        con.executemany(
            "INSERT INTO registered_models (name, creation_time, last_updated_time, description)"
            " VALUES (?, ?, ?, ?)",
            rm,
        )
        con.executemany(
            "INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?)", rm_tags
        )
        con.executemany(
            "INSERT INTO model_versions (name, version, creation_time, last_updated_time,"
            " description, source, current_stage, status)"
            " VALUES (?, ?, ?, ?, ?, ?, 'None', 'READY')",
            mv,
        )
        con.executemany(
            "INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?)",
            mv_tags,
        )
        con.executemany(
            "INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?)",
            aliases,
        )
    con.close()
