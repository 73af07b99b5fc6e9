"""Real Chromium against `streamlit run app.py`: the home page with demo data, every page URL."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from promptui.demo import seed_demo
from promptui.registry import PromptRegistry
from promptui.ui.layout import PAGES, PageSpec
from tests.browser import wait_idle
from tests.servers import Server

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_registry(mlflow_server: Server) -> PromptRegistry:
    """The session's real mlflow server with the demo prompts in it."""
    registry = PromptRegistry(mlflow_server.url)
    seed_demo(registry)
    return registry


@pytest.fixture
def app(demo_registry: PromptRegistry, app: Server) -> Server:
    """The shared `app` (a fresh `streamlit run`), started once the demo prompts are seeded."""
    return app


def rendered(page: Page) -> None:
    """Wait until Streamlit finished the run, then check it ended without an exception."""
    wait_idle(page)
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
    expect(page.locator("[data-testid='prompt-list'] tbody tr").first).to_be_visible()
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
