"""Prompts as files against real registries: export, import, promote and the deployment check.

Two `mlflow server`s: the session's (the source) and one of this module's (the target).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as hs
from mlflow import MlflowClient
from pydantic import BaseModel

from promptui.aliases.history import AliasHistory
from promptui.cli import main
from promptui.files.format import PromptFile, VersionEntry, dump, load, read_dir
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from tests.conftest import fresh_db
from tests.servers import Server, free_port, start_mlflow_server


class Answer(BaseModel):
    answer: str
    score: float


@pytest.fixture(scope="module")
def target_server(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("files-target")
    server = start_mlflow_server(fresh_db(template_db, workdir), workdir)
    yield server
    server.stop()


def sdk(url: str) -> MlflowClient:
    return MlflowClient(tracking_uri=url, registry_uri=url)


def seed(url: str, prefix: str) -> list[str]:
    """Every shape MLflow stores, written by MLflow's SDK; one version deleted (a gap)."""
    c = sdk(url)
    text, chat, jinja, wide = (f"{prefix}-{k}" for k in ("text", "chat", "jinja", "wide"))
    c.register_prompt(text, "Answer {{question}}.\nBe kind.\n", "first", tags={"team": "qa"})
    c.register_prompt(text, "Answer {{question}} briefly.", "second")
    c.register_prompt(text, "Answer {{question}} very briefly.", "third")
    c.delete_prompt_version(text, "2")  # the source has versions 1 and 3
    c.set_prompt_alias(text, "production", 3)
    c.set_prompt_alias(text, "champion", 1)
    messages = [
        {"role": "developer", "content": "Be brief. 親切に 🙂"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Describe {{thing}}"},
                {"type": "image_url", "image_url": {"url": "https://img.example/c.png"}},
            ],
        },
        {"role": "assistant", "content": None, "tool_calls": [{"id": "1", "type": "function",
                                                                "function": {"name": "f",
                                                                             "arguments": "{}"}}]},
        {"role": "tool", "content": "42", "tool_call_id": "1", "name": "f"},
    ]  # fmt: skip
    c.register_prompt(chat, messages, "chat")
    c.register_prompt(chat, [], "an empty chat")
    c.register_prompt(jinja, "{% if tone == 'formal' %}Dear {{ name }},{% else %}Hi!{% endif %}")
    c.register_prompt(
        wide,
        "Return JSON.  \n  trailing spaces kept  \n",
        "with settings",
        response_format=Answer,
        model_config={"temperature": 0.3, "frequency_penalty": 3.0, "extra": {"a": [1, None]}},
    )
    return [text, chat, jinja, wide]


def snapshot(url: str, names: list[str]) -> list[tuple]:
    """What MLflow's own `load_prompt` gives for every version, plus the aliases."""
    c = sdk(url)
    out = []
    for name in names:
        versions = sorted(int(v.version) for v in c.search_prompt_versions(name))
        for number in versions:
            pv = c.load_prompt(f"prompts:/{name}/{number}", cache_ttl_seconds=0)
            tags = {k: v for k, v in pv.tags.items() if not k.startswith(("_promptui", "mlflow."))}
            out.append(
                (name, number, pv.template, pv.is_text_prompt, pv.response_format,
                 pv.model_config, tags, pv.commit_message)
            )  # fmt: skip
        out.append((name, "aliases", sorted(PromptRegistry(url).get_aliases(name).items())))
    return out


def test_round_trip_between_two_servers_is_byte_identical(
    mlflow_server: Server, target_server: Server, tmp_path: Path
) -> None:
    prefix = f"rt-{uuid.uuid4().hex[:8]}"
    names = seed(mlflow_server.url, prefix)
    first, second = tmp_path / "first", tmp_path / "second"
    args = ["--tracking-uri"]
    assert main(["export", str(first), *[a for n in names for a in ("--prompt", n)], *args,
                 mlflow_server.url]) == 0  # fmt: skip
    assert main(["import", str(first), "--reason", "copy", *args, target_server.url]) == 0
    assert main(["export", str(second), *[a for n in names for a in ("--prompt", n)], *args,
                 target_server.url]) == 0  # fmt: skip
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(f"{n}.yaml" for n in names)
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert snapshot(target_server.url, names) == snapshot(mlflow_server.url, names)
    text = (first / f"{prefix}-text.yaml").read_text()
    assert "template: |\n" in text  # readable in a pull request: a block scalar
    # Numbering is kept: version 2 was deleted in the source and does not exist in the target.
    assert [v.version for v in PromptRegistry(target_server.url).get_prompt(names[0]).versions] == [
        3,
        1,
    ]
    events = AliasHistory(PromptRegistry(target_server.url)).events(names[0])
    assert {e.reason for e in events} == {f"imported from {names[0]}.yaml: copy"}


def test_import_twice_is_a_no_op_and_dry_run_writes_nothing(
    mlflow_server: Server, target_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    names = seed(mlflow_server.url, f"dry-{uuid.uuid4().hex[:8]}")
    folder = tmp_path / "files"
    picked = [a for n in names for a in ("--prompt", n)]
    assert main(["export", str(folder), *picked, "--tracking-uri", mlflow_server.url]) == 0
    target = ["--tracking-uri", target_server.url]
    before = PromptRegistry(target_server.url).all_prompts()
    with count_requests() as reads:
        assert main(["import", str(folder), "--dry-run", *target]) == 0
    assert PromptRegistry(target_server.url).all_prompts() == before  # nothing written
    assert reads.count <= 4  # prompts, versions and registered models: a request each
    assert f"create prompt {names[0]}" in capsys.readouterr().out
    assert main(["import", str(folder), "--reason", "first", *target]) == 0
    after = PromptRegistry(target_server.url).all_prompts()
    capsys.readouterr()
    assert main(["import", str(folder), *target]) == 0  # no reason needed: nothing moves
    *plan, summary = capsys.readouterr().out.splitlines()
    assert plan == [f"unchanged {n}" for n in sorted(names)]  # files in name order
    assert summary.startswith("Imported 0 prompt(s); 0 conflict(s)")
    assert PromptRegistry(target_server.url).all_prompts() == after


def test_a_conflicting_version_writes_nothing_for_that_prompt(
    mlflow_server: Server, target_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    names = seed(mlflow_server.url, f"cf-{uuid.uuid4().hex[:8]}")
    folder = tmp_path / "files"
    picked = [a for n in names for a in ("--prompt", n)]
    assert main(["export", str(folder), *picked, "--tracking-uri", mlflow_server.url]) == 0
    target = ["--tracking-uri", target_server.url]
    assert main(["import", str(folder), "--reason", "first", *target]) == 0
    # Someone edits version 1 of the text prompt in the file, and adds a version to the chat.
    text_file = folder / f"{names[0]}.yaml"
    text_file.write_text(text_file.read_text().replace("Be kind.", "Be very kind."))
    chat = load((folder / f"{names[1]}.yaml").read_text(), "chat")
    added = chat.model_copy(
        update={"versions": [*chat.versions, VersionEntry(version=3, type="text", template="Hi")]}
    )
    (folder / f"{names[1]}.yaml").write_text(dump(added))
    before = PromptRegistry(target_server.url).get_prompt(names[0])
    capsys.readouterr()
    assert main(["import", str(folder), *target]) == 1
    out = capsys.readouterr().out
    assert f"CONFLICT {names[0]} ({names[0]}.yaml): version 1 differs" in out
    assert PromptRegistry(target_server.url).get_prompt(names[0]) == before
    assert PromptRegistry(target_server.url).get_prompt(names[1]).latest.text == "Hi"


def test_a_protected_alias_needs_a_reason(
    mlflow_server: Server, target_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    names = seed(mlflow_server.url, f"pr-{uuid.uuid4().hex[:8]}")
    folder = tmp_path / "files"
    assert main(["export", str(folder), "--prompt", names[0], "--tracking-uri",
                 mlflow_server.url]) == 0  # fmt: skip
    assert main(["import", str(folder), "--tracking-uri", target_server.url]) == 2
    assert "Give a reason" in capsys.readouterr().err
    assert names[0] not in {p.name for p in PromptRegistry(target_server.url).list_prompts()}


def test_promote_copies_the_alias_target_with_history(
    mlflow_server: Server, target_server: Server, capsys: pytest.CaptureFixture
) -> None:
    names = seed(mlflow_server.url, f"pm-{uuid.uuid4().hex[:8]}")
    ref = f"{names[3]}@production"
    sdk(mlflow_server.url).set_prompt_alias(names[3], "production", 1)
    argv = ["promote", ref, "--from", mlflow_server.url, "--to", target_server.url]
    assert main([*argv, "--reason", "release 7"]) == 0
    target = PromptRegistry(target_server.url)
    copied = target.get_version(names[3], "production")
    source = PromptRegistry(mlflow_server.url).get_version(names[3], "production")
    assert (copied.text, copied.model_config_json, copied.response_format_json) == (
        source.text,
        source.model_config_json,
        source.response_format_json,
    )
    assert copied.commit_message.startswith(f"Promoted from {mlflow_server.url} v1")
    (event,) = AliasHistory(target).events(names[3])
    assert event.reason == f"promoted from {mlflow_server.url} {names[3]} v1: release 7"
    capsys.readouterr()
    assert main([*argv, "--reason", "again"]) == 0  # nothing new: same content, same place
    assert "already the newest" in capsys.readouterr().out
    assert len(target.get_prompt(names[3]).versions) == 1


def write_config(tmp_path: Path, name: str, prompt: str, version: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        "model:\n  use_prompt_registry: true\n  system_prompt: 'Fallback.'\n"
        f"  prompt_name: {prompt!r}\n  prompt_version: {version!r}\n"
    )
    return path


@pytest.mark.parametrize(
    ("prompt", "version", "variables", "code", "says"),
    [
        ("text", "production", "question", 0, "loads from the registry"),
        ("missing", "production", None, 1, "FAIL prompt exists: Prompt"),
        ("text", "canary", None, 1, "FAIL alias exists: "),
        ("text", "production", "question,language", 1, "the template does not use language"),
        ("text", "champion", "", 1, "FAIL variables: the template needs question"),
    ],
)
def test_check_exit_codes_and_reasons(
    mlflow_server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    prompt: str,
    version: str,
    variables: str | None,
    code: int,
    says: str,
) -> None:
    names = seed(mlflow_server.url, f"ck-{uuid.uuid4().hex[:8]}")
    name = names[0] if prompt == "text" else f"{names[0]}-missing"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    config = write_config(tmp_path, "prod", name, version)
    argv = ["check", str(config)] + (["--vars", variables] if variables is not None else [])
    assert main(argv) == code
    assert says in capsys.readouterr().out
    assert main([*argv, "--json"]) == code


def test_check_a_dead_registry_fails_within_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("PROMPTUI_REQUEST_TIMEOUT_S", "2")
    start = time.monotonic()
    assert main(["check", str(write_config(tmp_path, "prod", "p", "production"))]) == 1
    assert time.monotonic() - start < 5
    out = capsys.readouterr().out
    assert "FAIL registry reachable" in out and "connection refused" in out


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("name: p\nversions: []\ncolour: red\n", "colour: Extra inputs are not permitted"),
        ("name: 'has space'\n", "only letters, digits"),
        ("name: p\nversions:\n- version: 1\n  type: text\n", "a text version has `template`"),
        ("name: p\naliases: {production: 2}\nversions: []\n", "not in the file"),
    ],
)
def test_bad_files_stop_before_anything_is_read_or_written(
    tmp_path: Path, capsys: pytest.CaptureFixture, text: str, says: str
) -> None:
    (tmp_path / "p.yaml").write_text(text)
    dead = f"http://127.0.0.1:{free_port()}"
    assert main(["import", str(tmp_path), "--tracking-uri", dead]) == 2
    assert says in capsys.readouterr().err


def test_a_dead_registry_is_a_clear_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    assert main(["export", str(tmp_path), "--tracking-uri", dead]) == 1
    assert "could not be reached" in capsys.readouterr().err


texts = hs.text(alphabet=hs.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(template=texts, message=texts, tag=texts)
def test_any_text_survives_the_file_exactly(template: str, message: str, tag: str) -> None:
    prompt = PromptFile(
        name="p",
        tags={"t": tag},
        versions=[
            VersionEntry(version=1, type="text", template=template, commit_message=message),
            VersionEntry(version=2, type="chat", messages=[{"role": "user", "content": template}]),
        ],
    )
    text = dump(prompt)
    assert load(text, "p.yaml") == prompt
    assert dump(load(text, "p.yaml")) == text


def test_read_dir_reads_every_file(tmp_path: Path) -> None:
    for name in ("b", "a"):
        prompt = PromptFile(
            name=name, versions=[VersionEntry(version=1, type="text", template="x")]
        )
        (tmp_path / f"{name}.yaml").write_text(dump(prompt))
    assert [p.name for _, p in read_dir(tmp_path)] == ["a", "b"]
