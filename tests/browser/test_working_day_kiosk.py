"""Kiosk mode signs every visitor in, so it offers no sign-out that only signs straight back in (issue 11, bug 6)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Browser, expect

from api.demo import AGENT
from tests.browser.agents import OpenAgent
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


@pytest.fixture(scope="module")
def kiosk_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The app in kiosk mode: every visitor is the demo agent."""
    directory = tmp_path_factory.mktemp("kiosk-app")
    kiosk = {"KIOSK_EMAIL": AGENT[0], "KIOSK_PASSWORD": AGENT[1]}
    with RunningServer.in_directory(directory, module="main", **kiosk).running() as app:
        yield app


@pytest.mark.parametrize("path", ["/contacts", "/contacts/1", "/conversations"])
async def test_a_kiosk_shows_no_sign_out(browser: Browser, kiosk_app: RunningServer, path: str) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        await page.goto(f"{kiosk_app.url}{path}")
        await expect(page.get_by_text("Sam Agent").first).to_be_visible()  # signed in by the kiosk
        await expect(page.get_by_test_id("theme-toggle")).to_be_visible()  # the header is there
        await expect(page.get_by_test_id("sign-out")).to_have_count(0)
    finally:
        await context.close()


async def test_a_signed_in_agent_still_signs_out(open_agent: OpenAgent, app_server: RunningServer) -> None:
    agent = await open_agent()
    await agent.page.goto(f"{app_server.url}/contacts")
    await expect(agent.page.get_by_test_id("sign-out")).to_be_visible()
