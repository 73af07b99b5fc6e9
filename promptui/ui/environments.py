"""The environments view: per config file, the version it resolves to, and promotions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from promptui.aliases import EnvResolution, promotions, resolve_environments
from promptui.config import list_env_configs
from promptui.registry.errors import PromptUIError, RegistryUnavailableError
from promptui.registry.models import PromptDetail
from promptui.ui import state
from promptui.ui.alias_actions import AliasActions, MoveRequest
from promptui.ui.feedback import md_escape


def environment_rows() -> list[EnvResolution]:
    """Every environment config resolved against the registry (cached reads per prompt)."""
    envs = list_env_configs()
    details: dict[str, PromptDetail | PromptUIError] = {}
    for name in sorted({e.model.prompt_name for e in envs if e.model.prompt_name}):
        try:
            details[name] = state.get_prompt(name)
        except RegistryUnavailableError:
            raise  # the whole registry is down: the page says so once, with a Retry
        except PromptUIError as e:  # one missing prompt must not hide the other environments
            details[name] = e
    return resolve_environments(envs, details)


def environments_table(rows: list[EnvResolution]) -> None:
    """One row per environment, shown literally."""
    if not rows:
        st.info("No environment configs found in configs/.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "environment": [r.env for r in rows],
                "prompt": [r.prompt for r in rows],
                "prompt_version": [r.setting for r in rows],
                "resolves to": [f"v{r.version}" if r.version else "—" for r in rows],
                "commit message": [r.commit_message for r in rows],
                "problem": [r.problem for r in rows],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def promotion_buttons(rows: list[EnvResolution], actions: AliasActions, prefix: str) -> None:
    """One deliberate button per promotion along dev → staging → prod."""
    offered = promotions(rows)
    if not offered:
        st.caption("Every environment's alias already points where the previous one does.")
        return
    for i, promo in enumerate(offered):
        st.caption(md_escape(f"{promo.source_env} → {promo.target_env} · {promo.prompt}"))
        if st.button(
            md_escape(promo.label), key=f"{prefix}_promote_{i}", icon=":material/upgrade:"
        ):
            actions.request(
                MoveRequest(
                    promo.prompt,
                    promo.target_alias,
                    promo.current,
                    promo.version,
                    reason=f"Promote {promo.source_setting} to {promo.target_alias}",
                )
            )
