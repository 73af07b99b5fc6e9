"""Environment configs, env-variable overrides, settings and the tracking URI (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptui.config import (
    CONFIG_DIR,
    DEFAULT_TIMEOUT_S,
    EMBEDDED_DB,
    AppSettings,
    ModelConfig,
    apply_env_overrides,
    default_tracking_uri,
    list_env_configs,
    load_env_config,
    load_settings,
)
from promptui.registry.errors import ConfigError

NO_ENV: dict[str, str] = {}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("env", "version"), [("dev", "latest"), ("staging", "champion"), ("prod", "production")]
)
def test_shipped_configs_follow_the_guide(env: str, version: str) -> None:
    config = load_env_config(env, env=NO_ENV)
    assert config.name == env
    assert config.path == CONFIG_DIR / f"{env}.yaml"
    assert config.model.use_prompt_registry is True
    assert config.model.prompt_name == "agent-system-prompt"
    assert config.model.prompt_version == version
    assert config.model.system_prompt  # the fallback when the registry is down
    assert config.model.endpoint_name == "databricks-claude-3-7-sonnet"
    assert config.model.temperature == 0.7


def test_list_env_configs_in_promotion_order() -> None:
    assert [e.name for e in list_env_configs()] == ["dev", "staging", "prod"]


def test_env_variables_override_the_file() -> None:
    env = {
        "USE_PROMPT_REGISTRY": "false",
        "PROMPT_NAME": "other-prompt",
        "PROMPT_VERSION": "4",
        "SYSTEM_PROMPT": "From the environment.",
    }
    model = load_env_config("prod", env=env).model
    assert model.use_prompt_registry is False
    assert model.prompt_name == "other-prompt"
    assert model.prompt_version == "4"
    assert model.system_prompt == "From the environment."


def test_process_environment_is_used_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPT_VERSION", "champion")
    assert load_env_config("dev").model.prompt_version == "champion"
    assert load_env_config("dev", overrides=False).model.prompt_version == "latest"


@pytest.mark.parametrize(("word", "value"), [("TRUE", True), ("yes", True), ("0", False)])
def test_use_prompt_registry_words(word: str, value: bool) -> None:
    model = apply_env_overrides(ModelConfig(), {"USE_PROMPT_REGISTRY": word})
    assert model.use_prompt_registry is value


def test_empty_env_variables_do_not_override() -> None:
    base = ModelConfig(prompt_name="p", prompt_version="2", system_prompt="s")
    empty = {"PROMPT_NAME": "", "PROMPT_VERSION": "", "SYSTEM_PROMPT": ""}
    assert apply_env_overrides(base, empty) == base


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"USE_PROMPT_REGISTRY": "maybe"}, "USE_PROMPT_REGISTRY: 'maybe' is not allowed; use true"),
        ({"PROMPT_VERSION": "0"}, "PROMPT_VERSION: version numbers start at 1"),
        ({"PROMPT_VERSION": "prod.v2"}, "PROMPT_VERSION: 'prod.v2' is not a version number"),
        ({"PROMPT_NAME": "my prompt"}, "PROMPT_NAME: 'my prompt' is not a prompt name"),
    ],
)
def test_bad_env_values_name_the_variable_and_the_allowed_values(
    env: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigError) as e:
        load_env_config("dev", env=env)
    assert f"environment variable {says}" in e.value.message


GOOD_MODEL = """\
model:
  use_prompt_registry: true
  prompt_name: "agent-system-prompt"
"""


@pytest.mark.parametrize(
    ("line", "key", "allowed"),
    [
        ("use_prompt_registry: perhaps", "model.use_prompt_registry", "use true or false"),
        ("prompt_version: 0", "model.prompt_version", "start at 1"),
        ("prompt_version: ''", "model.prompt_version", "use a version number, 'latest'"),
        ("prompt_version: [1, 2]", "model.prompt_version", "'latest', or a valid alias"),
        ("prompt_version: 1.5", "model.prompt_version", "'latest', or a valid alias"),
        ("prompt_version: true", "model.prompt_version", "use a version number (1, 2, ...)"),
        ("prompt_name: 'bad name'", "model.prompt_name", "letters, digits"),
        ("prompt_name: 3", "model.prompt_name", "letters, digits"),
        ("temperature: warm", "model.temperature", "must be a number"),
        ("system_prompt: [1]", "model.system_prompt", "must be text"),
        ("endpont_name: x", "model.endpont_name", "allowed keys: endpoint_name, prompt_name"),
    ],
)
def test_bad_values_name_file_key_and_allowed_values(
    tmp_path: Path, line: str, key: str, allowed: str
) -> None:
    path = write(tmp_path, "dev.yaml", GOOD_MODEL + f"  {line}\n")
    with pytest.raises(ConfigError) as e:
        load_env_config(path, env=NO_ENV)
    message = e.value.message
    assert str(path) in message
    assert key in message
    assert allowed in message


def test_version_numbers_and_aliases_are_normalised(tmp_path: Path) -> None:
    cases = [("3", "3"), ("'7'", "7"), ("' champion '", "champion"), ("'²'", "²")]
    for value, expected in cases:  # '²' is a digit to str.isdigit, but only an alias name
        path = write(tmp_path, "dev.yaml", GOOD_MODEL + f"  prompt_version: {value}\n")
        assert load_env_config(path, env=NO_ENV).model.prompt_version == expected


def test_defaults_when_keys_are_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "mini.yaml", "model: {}\n")
    assert load_env_config(path, env=NO_ENV).model == ModelConfig()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("model: [unclosed", "not valid YAML"),
        ("- a\n- b\n", "top level must be a mapping"),
        ("other: 1\n", "needs a 'model:' section"),
        ("model: plain\n", "needs a 'model:' section"),
        ("", "needs a 'model:' section"),
    ],
)
def test_bad_files_name_the_file(tmp_path: Path, text: str, says: str) -> None:
    path = write(tmp_path, "broken.yaml", text)
    with pytest.raises(ConfigError) as e:
        load_env_config(path, env=NO_ENV)
    assert str(path) in e.value.message
    assert says in e.value.message


def test_missing_environment_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist") as e:
        load_env_config("qa", config_dir=tmp_path, env=NO_ENV)
    assert str(tmp_path / "qa.yaml") in e.value.message


def test_settings_defaults_and_shipped_file(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == AppSettings()
    shipped = load_settings()
    assert shipped.request_timeout_s == DEFAULT_TIMEOUT_S
    assert shipped.protected_aliases == ("production",)
    assert shipped.history_experiment == "promptui-alias-history"


def test_settings_keep_unknown_keys_as_extra(tmp_path: Path) -> None:
    write(tmp_path, "promptui.yaml", "request_timeout_s: 2.5\nprotected_aliases: [a, b]\nx: 1\n")
    settings = load_settings(tmp_path)
    assert settings.request_timeout_s == 2.5
    assert settings.protected_aliases == ("a", "b")
    assert settings.extra == {"x": 1}


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("request_timeout_s: 0", "request_timeout_s must be a positive number"),
        ("request_timeout_s: fast", "request_timeout_s must be a positive number"),
        ("protected_aliases: production", "protected_aliases must be a list"),
        ("history_experiment: ''", "history_experiment must be a non-empty name"),
    ],
)
def test_bad_settings_name_file_and_key(tmp_path: Path, line: str, says: str) -> None:
    path = write(tmp_path, "promptui.yaml", line + "\n")
    with pytest.raises(ConfigError) as e:
        load_settings(tmp_path)
    assert str(path) in e.value.message
    assert says in e.value.message


def test_tracking_uri_from_environment_or_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", " http://127.0.0.1:5000 ")
    assert default_tracking_uri() == "http://127.0.0.1:5000"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "")
    assert default_tracking_uri() == f"sqlite:///{EMBEDDED_DB}"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert default_tracking_uri() == f"sqlite:///{EMBEDDED_DB}"
