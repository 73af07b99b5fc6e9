"""What each environment config resolves to, and promotions along dev → staging → prod."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from promptui.aliases.moves import version_label
from promptui.config import EnvConfig
from promptui.registry.errors import PromptUIError
from promptui.registry.models import PromptDetail, PromptVersion

# -- environments --------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvResolution:
    """What one environment config loads right now."""

    env: str
    prompt: str
    setting: str  # `latest`, an alias or a version number
    use_registry: bool
    version: int | None  # the version the setting resolves to, None when it cannot
    problem: str = ""  # why it does not resolve
    commit_message: str = ""

    @property
    def setting_kind(self) -> str:
        """`latest`, `number` or `alias`."""
        if self.setting.lower() == "latest":
            return "latest"
        if self.setting.isdigit():
            return "number"
        return "alias"


def resolve_environments(
    envs: Sequence[EnvConfig], details: Mapping[str, PromptDetail | PromptUIError]
) -> list[EnvResolution]:
    """Per environment: the prompt, its `prompt_version` setting and the version it resolves to."""
    out: list[EnvResolution] = []
    for env in envs:
        model = env.model
        setting = model.prompt_version
        found = details.get(model.prompt_name)
        version: PromptVersion | None = None
        problem = ""
        if not model.prompt_name:
            problem = "prompt_name is not set"
        elif found is None:
            problem = "not loaded"
        elif isinstance(found, PromptUIError):
            problem = found.message
        else:
            version = found.resolve(setting)
            if version is None:
                if setting.isdigit():
                    problem = f"version {setting} does not exist"
                elif setting.lower() == "latest":
                    problem = "the prompt has no versions"
                else:
                    problem = f"no alias '{setting}'"
        if not model.use_prompt_registry:
            problem = "use_prompt_registry is false: the config's system_prompt is used" + (
                f" ({problem})" if problem else ""
            )
        out.append(
            EnvResolution(
                env=env.name,
                prompt=model.prompt_name,
                setting=setting,
                use_registry=model.use_prompt_registry,
                version=version.version if version else None,
                problem=problem,
                commit_message=version.commit_message if version else "",
            )
        )
    return out


@dataclass(frozen=True)
class Promotion:
    """Moving the next environment's alias to what the previous environment runs now."""

    prompt: str
    source_env: str
    source_setting: str
    target_env: str
    target_alias: str
    version: int
    current: int | None  # where the target alias points now

    @property
    def label(self) -> str:
        return (
            f"Promote {self.source_setting} (v{self.version}) to {self.target_alias} "
            f"(now {version_label(self.current)})"
        )


def promotions(rows: Sequence[EnvResolution]) -> list[Promotion]:
    """Promotions along the environment order (dev → staging → prod) that would change something.

    The target's setting must be an alias (a pinned number or `latest` cannot be moved).
    """
    out: list[Promotion] = []
    by_prompt: dict[str, list[EnvResolution]] = {}
    for row in rows:
        if row.prompt:
            by_prompt.setdefault(row.prompt, []).append(row)
    for prompt, envs in by_prompt.items():
        for source, target in pairwise(envs):
            if target.setting_kind != "alias" or source.version is None:
                continue
            if source.version == target.version or source.setting == target.setting:
                continue
            out.append(
                Promotion(
                    prompt=prompt,
                    source_env=source.env,
                    source_setting=source.setting,
                    target_env=target.env,
                    target_alias=target.setting,
                    version=source.version,
                    current=target.version,
                )
            )
    return out
