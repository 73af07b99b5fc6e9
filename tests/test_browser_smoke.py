"""Real Chromium against `streamlit run app.py`: the home page with demo data, every page URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from promptui.demo import seed_demo
from promptui.registry import PromptRegistry
from promptui.ui.layout import PAGES, PageSpec
from tests.servers import CHROMIUM, CHROMIUM_ARGS, Server, start_streamlit

pytestmark = pytest.mark.browser

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield page
    page.close()


@pytest.fixture
def demo_registry(mlflow_server: Server) -> PromptRegistry:
    """The session's real mlflow server with the demo prompts in it."""
    registry = PromptRegistry(mlflow_server.url)
    seed_demo(registry)
    return registry


@pytest.fixture
def app(demo_registry: PromptRegistry, mlflow_server: Server, tmp_path: Path) -> Iterator[Server]:
    """A freshly started `streamlit run app.py` against the real mlflow server."""
    server = start_streamlit(mlflow_server.url, tmp_path)
    yield server
    server.stop()


def rendered(page: Page) -> None:
    """Wait until Streamlit finished the run, then check it ended without an exception."""
    expect(page.locator(IDLE)).to_be_attached()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Registry:")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def metric(page: Page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label)
    return box.get_by_test_id("stMetricValue").inner_text().strip()


def test_home_page_renders_the_demo_data(
    app: Server, page: Page, demo_registry: PromptRegistry, mlflow_server: Server
) -> None:
    listed = demo_registry.list_prompts()
    assert {"agent-system-prompt", "agent-chat-prompt"} <= {s.name for s in listed}

    page.goto(app.url)
    expect(page.get_by_role("heading", name="promptui")).to_be_visible()
    rendered(page)
    expect(page.get_by_test_id("stMain")).to_contain_text(f"{mlflow_server.url} (server)")
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    assert metric(page, "Prompts") == str(len(listed))
    assert metric(page, "Aliases") == str(sum(len(s.aliases) for s in listed))
    expect(page.get_by_text("Recently changed")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    assert page.title() == "Home · promptui"


def url_of(spec: PageSpec) -> str:
    """The URL path `st.navigation` gives a page: the default page lives at the root."""
    return "/" if spec.default else f"/{spec.url_path}"


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_url_opened_directly_on_a_fresh_server_renders(
    app: Server, page: Page, spec: PageSpec
) -> None:
    # `app` is started for this test alone: the URL is the first request the server sees.
    page.goto(app.url + url_of(spec))
    expect(page).to_have_title(f"{spec.title} · promptui")
    rendered(page)
    assert page.url.rstrip("/") == (app.url + url_of(spec)).rstrip("/")
