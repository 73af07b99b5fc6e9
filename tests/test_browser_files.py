"""Real Chromium: prompts as files. Download a prompt as YAML, import it into a second, empty
registry with the plan shown first, see a second import do nothing, refuse a bad file, and
download every prompt as a zip; file contents and plan lines stay literal text.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from mlflow import MlflowClient
from playwright.sync_api import Page, expect

from promptui.files.format import dump, load
from promptui.registry import PromptRegistry
from tests.browser import wait_idle
from tests.conftest import fresh_db
from tests.servers import Server, start_mlflow_server, start_streamlit

pytestmark = pytest.mark.browser

V1 = "Hello <b>bold</b> {{name}}!\nGrüße from Zürich.\n"
V2 = "Hi <b>bold</b> {{name}}, Grüße."


@pytest.fixture(scope="module")
def servers(
    mlflow_server: Server, template_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Server]]:
    """The app over the session's registry (the source), and a second `mlflow server` over an
    empty registry with its own app (the target), started side by side to save time."""
    folder = tmp_path_factory.mktemp("files")
    started: dict[str, Server] = {}

    def start_target() -> None:
        started["target"] = start_mlflow_server(fresh_db(template_db, folder / "t"), folder / "t")
        started["target_app"] = start_streamlit(started["target"].url, folder / "t")

    def start_app() -> None:
        started["app"] = start_streamlit(mlflow_server.url, folder)

    try:
        with ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(start_target), pool.submit(start_app)]:
                future.result()
        yield started
    finally:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(Server.stop, list(started.values())))


@pytest.fixture
def app(servers: dict[str, Server]) -> Server:
    return servers["app"]


def sdk(url: str) -> MlflowClient:
    return MlflowClient(tracking_uri=url, registry_uri=url)


def seed(url: str, name: str) -> None:
    """Two versions by MLflow's SDK, `production` on the older one."""
    client = sdk(url)
    client.register_prompt(name, V1, "first")
    client.register_prompt(name, V2, "second")
    client.set_prompt_alias(name, "production", 1)


def visit(page: Page, url: str) -> None:
    """Open a page by URL, wait for its run to end, and fail on any traceback."""
    page.goto(url)
    expect(page.locator("h1").first).to_be_visible()  # the run started: idle now means done
    wait_idle(page)
    no_exception(page)


def no_exception(page: Page) -> None:
    errors = page.get_by_test_id("stException")
    assert errors.count() == 0, errors.all_inner_texts()


def no_markup(page: Page) -> None:
    """The prompt text's `<b>` never became an element."""
    assert page.locator("b", has_text="bold").count() == 0


def upload(page: Page, app: Server, path: Path) -> None:
    """A fresh Files page (an empty uploader) with `path` uploaded."""
    visit(page, f"{app.url}/files")
    page.locator("input[type=file]").set_input_files(path)
    expect(page.get_by_test_id("stFileChip").filter(has_text=path.name)).to_be_visible()
    wait_idle(page)
    no_exception(page)


def download_yaml(page: Page, app: Server, name: str, folder: Path) -> Path:
    visit(page, f"{app.url}/prompt?prompt={name}")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download as YAML").click()
    download = info.value
    assert download.suggested_filename == f"{name}.yaml"
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_download_prompt_as_yaml(
    page: Page, app: Server, mlflow_server: Server, unique_name: str, tmp_path: Path
) -> None:
    seed(mlflow_server.url, unique_name)
    path = download_yaml(page, app, unique_name, tmp_path)
    prompt = load(path.read_text(encoding="utf-8"), "x")
    assert prompt.name == unique_name
    got = [(v.version, v.type, v.template, v.commit_message) for v in prompt.versions]
    assert got == [(1, "text", V1, "first"), (2, "text", V2, "second")]
    assert prompt.aliases == {"production": 1}
    no_markup(page)


def test_upload_plans_then_imports_into_empty_registry(
    page: Page, servers: dict[str, Server], mlflow_server: Server, unique_name: str, tmp_path: Path
) -> None:
    app, target, target_app = servers["app"], servers["target"], servers["target_app"]
    name = unique_name
    seed(mlflow_server.url, name)
    path = download_yaml(page, app, name, tmp_path)

    upload(page, target_app, path)
    plan = page.get_by_test_id("stCode")
    for line in (
        f"create prompt {name}",
        f"create {name} version 1",
        f"create {name} version 2",
        f"move {name}@production (protected): (none) -> v1",
    ):
        expect(plan).to_contain_text(line)
    no_markup(page)
    target_registry = PromptRegistry(target.url)
    assert name not in [p.name for p in target_registry.list_prompts()]  # nothing written yet

    warning = page.get_by_test_id("stAlert").filter(has_text="Protected aliases move")
    expect(warning).to_contain_text(f"{name}@production")
    reason = page.get_by_label("Reason", exact=True)
    reason.fill("copy to the second registry")
    reason.press("Enter")
    page.get_by_role("button", name="Apply this plan").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Imported 1 prompt(s).")).to_be_visible()
    wait_idle(page)
    no_exception(page)

    source, copy = sdk(mlflow_server.url), sdk(target.url)
    for number, text in ((1, V1), (2, V2)):
        a = source.load_prompt(name, version=number, cache_ttl_seconds=0)
        b = copy.load_prompt(name, version=number, cache_ttl_seconds=0)
        assert b.template == a.template == text
        assert b.commit_message == a.commit_message
    uri = f"prompts:/{name}@production"
    assert copy.load_prompt(uri, cache_ttl_seconds=0).version == 1
    assert source.load_prompt(uri, cache_ttl_seconds=0).version == 1

    # The same file again: nothing to do, nothing to apply.
    upload(page, target_app, path)
    expect(page.get_by_test_id("stCode")).to_contain_text(f"unchanged {name}")
    expect(page.get_by_text("already holds what these files say")).to_be_visible()
    expect(page.get_by_role("button", name="Apply this plan")).to_have_count(0)

    # A changed prompt tag is planned and shown literally, markup and all.
    tagged = load(path.read_text(encoding="utf-8"), "x")
    tagged = tagged.model_copy(update={"tags": {"note": V2}})
    tagged_path = tmp_path / "tagged.yaml"
    tagged_path.write_text(dump(tagged), encoding="utf-8")
    upload(page, target_app, tagged_path)
    expect(page.get_by_test_id("stCode")).to_contain_text(f"set tag {name} note={V2}")
    no_markup(page)
    no_exception(page)


def test_bad_file_names_the_key_and_writes_nothing(
    page: Page, app: Server, mlflow_server: Server, unique_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"format: promptui/prompt-v1\nname: {unique_name}\ncolour: red\n"
        "versions:\n- version: 1\n  type: text\n  template: Hi <b>bold</b>\n",
        encoding="utf-8",
    )
    upload(page, app, path)
    expect(page.get_by_test_id("stAlert").filter(has_text="bad.yaml: colour:")).to_be_visible()
    expect(page.get_by_test_id("stCode")).to_have_count(0)
    expect(page.get_by_role("button", name="Apply this plan")).to_have_count(0)
    no_markup(page)
    no_exception(page)
    names = [p.name for p in PromptRegistry(mlflow_server.url).list_prompts()]
    assert unique_name not in names


def test_download_all_prompts_as_zip(
    page: Page, app: Server, mlflow_server: Server, unique_name: str
) -> None:
    seed(mlflow_server.url, unique_name)
    visit(page, f"{app.url}/files")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download all prompts (.zip)").click()
    download = info.value
    assert download.suggested_filename == "prompts.zip"
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as archive:
        assert f"{unique_name}.yaml" in archive.namelist()
        prompt = load(archive.read(f"{unique_name}.yaml").decode("utf-8"), "x")
    assert [v.template for v in prompt.versions] == [V1, V2]
    assert prompt.aliases == {"production": 1}
    no_exception(page)
