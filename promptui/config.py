"""Environment configs (`configs/<env>.yaml`, the guide's schema), settings and tracking URI."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from promptui.registry.errors import ConfigError

PROJECT_DIR = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_DIR / "configs"
EMBEDDED_DB = PROJECT_DIR / ".promptui" / "registry.db"
SETTINGS_FILE = "promptui.yaml"
DEFAULT_TIMEOUT_S = 5.0
TIMEOUT_ENV = "PROMPTUI_REQUEST_TIMEOUT_S"
SETTINGS_ENV = "PROMPTUI_SETTINGS_FILE"  # another settings file (one deployment, a test run)
DEFAULT_PROTECTED_ALIASES = ("production",)
TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class ModelConfig:
    """The `model:` section of an environment config, as in the guide."""

    endpoint_name: str = ""
    temperature: float | None = None
    system_prompt: str | None = None
    use_prompt_registry: bool = False
    prompt_name: str = ""
    prompt_version: str = "latest"  # a version number, "latest" or an alias name
    prompt_variables: tuple[str, ...] | None = None  # what the application fills (checked)


@dataclass(frozen=True)
class EnvConfig:
    """One environment (dev, staging, prod) read from its file."""

    name: str
    path: Path
    model: ModelConfig


@dataclass(frozen=True)
class AppSettings:
    """promptui's own settings (`configs/promptui.yaml`)."""

    request_timeout_s: float = DEFAULT_TIMEOUT_S
    protected_aliases: tuple[str, ...] = DEFAULT_PROTECTED_ALIASES
    history_experiment: str = "promptui-alias-history"
    extra: Mapping[str, object] = field(default_factory=dict)


def default_tracking_uri() -> str:
    """`MLFLOW_TRACKING_URI` when set, else the embedded SQLite registry inside the project."""
    uri = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if uri:
        return uri
    return f"sqlite:///{EMBEDDED_DB}"


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: the file does not exist.") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML ({e}).") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys to values.")
    return data


def _as_bool(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise ConfigError(f"{where}: {value!r} is not allowed; use true or false.")


def _as_version(value: object, where: str) -> str:
    """A version number, 'latest' or an alias name, normalised to a string."""
    if isinstance(value, bool) or value is None:
        raise ConfigError(
            f"{where}: {value!r} is not allowed; use a version number (1, 2, ...), "
            "'latest', or an alias name such as 'production'."
        )
    if isinstance(value, int):
        if value < 1:
            raise ConfigError(f"{where}: version numbers start at 1 (got {value}).")
        return str(value)
    text = str(value).strip()
    if not text:
        raise ConfigError(f"{where}: empty; use a version number, 'latest', or an alias name.")
    if text.isascii() and text.isdigit() and int(text) < 1:
        raise ConfigError(f"{where}: version numbers start at 1 (got {text}).")
    from promptui.registry.validation import ALIAS_RULE

    if not ALIAS_RULE.fullmatch(text):
        raise ConfigError(
            f"{where}: {text!r} is not a version number, 'latest', or a valid alias name "
            "(letters, digits, '_', '-')."
        )
    return text


def _as_prompt_name(value: object, where: str) -> str:
    """A prompt name MLflow accepts, or empty (no registry prompt)."""
    if value is None or value == "":
        return ""
    from promptui.registry.validation import NAME_RULE

    if not isinstance(value, str) or not NAME_RULE.fullmatch(value):
        raise ConfigError(
            f"{where}: {value!r} is not a prompt name; use letters, digits, '_', '.' and '-'."
        )
    return value


def parse_model(data: Mapping[str, object], source: str) -> ModelConfig:
    """The `model:` mapping checked key by key; errors name the source and the key."""
    known = {f for f in ModelConfig.__dataclass_fields__}
    for key in data:
        if key not in known:
            raise ConfigError(
                f"{source}: unknown key model.{key}; allowed keys: {', '.join(sorted(known))}."
            )
    temperature = data.get("temperature")
    if temperature is not None and (
        isinstance(temperature, bool) or not isinstance(temperature, int | float)
    ):
        raise ConfigError(f"{source}: model.temperature must be a number, got {temperature!r}.")
    system_prompt = data.get("system_prompt")
    if system_prompt is not None and not isinstance(system_prompt, str):
        raise ConfigError(f"{source}: model.system_prompt must be text.")
    prompt_name = _as_prompt_name(data.get("prompt_name"), f"{source}: model.prompt_name")
    variables = data.get("prompt_variables")
    if variables is not None and (
        not isinstance(variables, list) or not all(isinstance(v, str) and v for v in variables)
    ):
        raise ConfigError(
            f"{source}: model.prompt_variables must be a list of variable names, got {variables!r}."
        )
    return ModelConfig(
        endpoint_name=str(data.get("endpoint_name") or ""),
        temperature=float(temperature) if temperature is not None else None,
        system_prompt=system_prompt,
        use_prompt_registry=_as_bool(
            data.get("use_prompt_registry", False), f"{source}: model.use_prompt_registry"
        ),
        prompt_name=prompt_name,
        prompt_version=_as_version(
            data.get("prompt_version", "latest"), f"{source}: model.prompt_version"
        ),
        prompt_variables=tuple(variables) if variables is not None else None,
    )


def apply_env_overrides(model: ModelConfig, env: Mapping[str, str] | None = None) -> ModelConfig:
    """`USE_PROMPT_REGISTRY`, `PROMPT_NAME`, `PROMPT_VERSION`, `SYSTEM_PROMPT` win over the file."""
    env = os.environ if env is None else env
    changes: dict[str, object] = {}
    if "USE_PROMPT_REGISTRY" in env:
        changes["use_prompt_registry"] = _as_bool(
            env["USE_PROMPT_REGISTRY"], "environment variable USE_PROMPT_REGISTRY"
        )
    if env.get("PROMPT_NAME"):
        changes["prompt_name"] = _as_prompt_name(
            env["PROMPT_NAME"], "environment variable PROMPT_NAME"
        )
    if env.get("PROMPT_VERSION"):
        changes["prompt_version"] = _as_version(
            env["PROMPT_VERSION"], "environment variable PROMPT_VERSION"
        )
    if env.get("SYSTEM_PROMPT"):
        changes["system_prompt"] = env["SYSTEM_PROMPT"]
    return replace(model, **changes) if changes else model


def load_env_config(
    name_or_path: str | Path,
    *,
    config_dir: Path = CONFIG_DIR,
    env: Mapping[str, str] | None = None,
    overrides: bool = True,
) -> EnvConfig:
    """Read `configs/<name>.yaml` (or a path) and apply the environment variable overrides."""
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = config_dir / f"{name_or_path}.yaml"
    data = _read_yaml(path)
    model_data = data.get("model")
    if not isinstance(model_data, dict):
        raise ConfigError(f"{path}: needs a 'model:' section (see configs/dev.yaml).")
    model = parse_model(model_data, str(path))
    if overrides:
        model = apply_env_overrides(model, env)
    return EnvConfig(name=path.stem, path=path, model=model)


def list_env_configs(config_dir: Path = CONFIG_DIR) -> list[EnvConfig]:
    """Every environment file in the folder (files with a `model:` section), as written."""
    envs = []
    for path in sorted(config_dir.glob("*.yaml")):
        if path.name == SETTINGS_FILE:
            continue
        envs.append(load_env_config(path, overrides=False))
    order = {"dev": 0, "staging": 1, "prod": 2}
    return sorted(envs, key=lambda e: (order.get(e.name, 9), e.name))


def _timeout_from_env(env: Mapping[str, str]) -> float | None:
    """`PROMPTUI_REQUEST_TIMEOUT_S` as seconds, None when unset."""
    raw = env.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ConfigError(
            f"environment variable {TIMEOUT_ENV}: {raw!r} is not a positive number of seconds."
        )
    return seconds


def load_settings(
    config_dir: Path = CONFIG_DIR, env: Mapping[str, str] | None = None
) -> AppSettings:
    """promptui's settings file (`PROMPTUI_SETTINGS_FILE`, else `configs/promptui.yaml`; the
    defaults when there is none); `PROMPTUI_REQUEST_TIMEOUT_S` wins over it. The promotion
    gates are checked here too, so a bad one stops the app with the key named."""
    env = os.environ if env is None else env
    override = _timeout_from_env(env)
    path = Path(env.get(SETTINGS_ENV) or config_dir / SETTINGS_FILE)
    if not path.exists():
        return AppSettings(request_timeout_s=override or DEFAULT_TIMEOUT_S)
    data = _read_yaml(path)
    timeout = data.get("request_timeout_s", DEFAULT_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(f"{path}: request_timeout_s must be a positive number of seconds.")
    if override is not None:
        timeout = override
    protected = data.get("protected_aliases", list(DEFAULT_PROTECTED_ALIASES))
    if not isinstance(protected, list) or not all(isinstance(a, str) for a in protected):
        raise ConfigError(f"{path}: protected_aliases must be a list of alias names.")
    experiment = data.get("history_experiment", AppSettings.history_experiment)
    if not isinstance(experiment, str) or not experiment.strip():
        raise ConfigError(f"{path}: history_experiment must be a non-empty name.")
    known = {"request_timeout_s", "protected_aliases", "history_experiment"}
    from promptui.insights.metrics import load_gates  # pydantic schema of the gates

    try:
        load_gates(data)
    except ConfigError as e:
        raise ConfigError(f"{path}: {e.message}") from None
    return AppSettings(
        request_timeout_s=float(timeout),
        protected_aliases=tuple(protected),
        history_experiment=experiment,
        extra={k: v for k, v in data.items() if k not in known},
    )
