"""The deployment check: the guide's troubleshooting list for one environment config.

"Failed to load prompt from registry" has a short list of causes; this walks it before an
application ships: the tracking URI is set and the registry answers, the prompt exists, the
version or alias exists, the variables the application fills match the template's, and what
the fallback chain would serve. Three requests against a live registry; bounded by the request
timeout against a dead one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from promptui.config import CONFIG_DIR, ModelConfig, load_env_config
from promptui.loader import resolve_system_prompt
from promptui.registry.errors import (
    ConfigError,
    PromptUIError,
    RegistryUnavailableError,
)
from promptui.registry.service import PromptRegistry


@dataclass(frozen=True)
class CheckItem:
    """One line of the list: what was checked, whether it passed, and why."""

    check: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class CheckReport:
    """Every check for one config, and what the application would load."""

    config: str
    items: tuple[CheckItem, ...]
    source: str = ""  # registry, config, env or default: what the fallback chain serves

    @property
    def ok(self) -> bool:
        """True when the application would load its prompt from the registry as meant."""
        return all(i.ok for i in self.items)

    def as_json(self) -> str:
        data = {"config": self.config, "ok": self.ok, "serves": self.source}
        data["checks"] = [asdict(i) for i in self.items]  # type: ignore[assignment]
        return json.dumps(data, indent=2, ensure_ascii=False)

    def lines(self) -> list[str]:
        out = [f"{'ok  ' if i.ok else 'FAIL'} {i.check}: {i.detail}" for i in self.items]
        verdict = "loads from the registry" if self.ok else "would NOT load as meant"
        return [*out, f"{self.config}: {verdict} (serves: {self.source or 'nothing'})"]


def check_config(
    config: str | Path,
    *,
    variables: Sequence[str] | None = None,
    tracking_uri: str | None = None,
    env: Mapping[str, str],
    timeout_s: float,
    config_dir: Path = CONFIG_DIR,
) -> CheckReport:
    """Check one config (a path or an environment name such as `prod`) against its registry.

    `variables` (else the config's `model.prompt_variables`) are what the application fills.
    Never raises for what it checks: each problem is a failing item."""
    items: list[CheckItem] = []
    try:
        model = load_env_config(config, config_dir=config_dir, env=env).model
    except ConfigError as e:
        return CheckReport(str(config), (CheckItem("config", False, e.message),))
    target = f"{model.prompt_name or '(no prompt)'}@{model.prompt_version}"
    items.append(CheckItem("config", True, target))
    if not model.use_prompt_registry:
        items.append(CheckItem("use_prompt_registry", False, "false: the config's prompt is used"))
    uri = tracking_uri or env.get("MLFLOW_TRACKING_URI", "").strip()
    if not uri:
        items.append(CheckItem("tracking URI", False, "MLFLOW_TRACKING_URI is not set"))
        return CheckReport(str(config), tuple(items), "")
    registry = PromptRegistry(uri, timeout_s=timeout_s)
    items.append(CheckItem("tracking URI", True, registry.display_uri))
    if not model.prompt_name:
        items.append(CheckItem("prompt", False, "model.prompt_name is not set"))
        return CheckReport(str(config), tuple(items), "config")
    try:
        detail = registry.get_prompt(model.prompt_name)
    except RegistryUnavailableError as e:
        items.append(CheckItem("registry reachable", False, e.message))
        return CheckReport(str(config), tuple(items), _fallback(model, env))
    except PromptUIError as e:
        items += [CheckItem("registry reachable", True, "answered")]
        items.append(CheckItem("prompt exists", False, e.message))
        return CheckReport(str(config), tuple(items), _fallback(model, env))
    items += [
        CheckItem("registry reachable", True, "answered"),
        CheckItem("prompt exists", True, f"{len(detail.versions)} version(s)"),
    ]
    version = detail.resolve(model.prompt_version)
    if version is None:
        what = "version" if model.prompt_version.isdigit() else "alias"
        items.append(
            CheckItem(f"{what} exists", False, f"'{model.prompt_name}' has no {what} "
                      f"'{model.prompt_version}'")
        )  # fmt: skip
        return CheckReport(str(config), tuple(items), _fallback(model, env))
    items.append(CheckItem("version exists", True, f"{model.prompt_version} → v{version.version}"))
    wanted = variables if variables is not None else model.prompt_variables
    if wanted is None:
        items.append(CheckItem("variables", True, "not checked (pass --vars or prompt_variables)"))
    else:
        missing = [v for v in version.variables if v not in wanted]
        unused = [v for v in wanted if v not in version.variables]
        problems = [f"the template needs {', '.join(missing)}"] if missing else []
        problems += [f"the template does not use {', '.join(unused)}"] if unused else []
        detail_text = "; ".join(problems) or f"match ({', '.join(version.variables) or 'none'})"
        items.append(CheckItem("variables", not problems, detail_text))
    resolved = resolve_system_prompt(model, registry=registry, env=env)
    serves_registry = resolved.source == "registry"
    items.append(
        CheckItem(
            "fallback chain",
            serves_registry,
            f"serves v{resolved.version} from the registry"
            if serves_registry
            else f"falls back to the {resolved.source} prompt ({resolved.reason})",
        )
    )
    return CheckReport(str(config), tuple(items), resolved.source)


def _fallback(model: ModelConfig, env: Mapping[str, str]) -> str:
    """What the chain serves when the registry cannot: config, env or default."""
    if model.system_prompt:
        return "config"
    return "env" if env.get("SYSTEM_PROMPT") else "default"
