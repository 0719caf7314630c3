"""Keyboard use: the skip link is the first tab stop, one main landmark, visible focus rings (issue 11, bug 11)."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.agents import OpenAgent
from tests.browser.app_pages import PAGE_NAMES, PAGES_BY_NAME, AppPage, demo_ids, show
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SKIP_LINK = "Skip to main content"
MAX_TABS = 40
FOCUSED_TESTID_JS = "() => document.activeElement?.closest('[data-testid]')?.dataset.testid ?? null"
FOCUS_RING_JS = """
() => {
    const style = getComputedStyle(document.activeElement);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== 'none';
}
"""


async def open_page(open_agent: OpenAgent, base_url: str, api: httpx.AsyncClient, app_page: AppPage) -> Page:
    """The page in a fresh context: signed in, or for the sign-in page a browser that is not."""
    agent = await open_agent()
    if not app_page.signed_in:
        await agent.context.clear_cookies()
    await show(agent.page, base_url, app_page, await demo_ids(api))
    return agent.page


async def tab_to(page: Page, testid: str) -> None:
    """Press Tab until the element marked `testid` has the focus, as a keyboard user gets there."""
    for _ in range(MAX_TABS):
        await page.keyboard.press("Tab")
        if await page.evaluate(FOCUSED_TESTID_JS) == testid:
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {testid}")


@pytest.mark.parametrize("name", [page.name for page in PAGES_BY_NAME.values() if page.header])
async def test_the_first_tab_stop_is_the_skip_link_and_it_leads_to_the_content(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, name: str
) -> None:
    page = await open_page(open_agent, app_server.url, api, PAGES_BY_NAME[name])

    await page.keyboard.press("Tab")
    focused = page.locator(":focus")
    await expect(focused).to_have_text(SKIP_LINK)
    box = await focused.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 10, f"the focused skip link is not shown: {box}"

    await page.keyboard.press("Enter")
    await expect(page.locator("#main")).to_be_focused()


@pytest.mark.parametrize("name", PAGE_NAMES)
async def test_a_page_has_exactly_one_main_landmark(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, name: str
) -> None:
    page = await open_page(open_agent, app_server.url, api, PAGES_BY_NAME[name])

    assert await page.locator("[role=main], main").count() == 1


@pytest.mark.parametrize("button", ["theme-toggle", "edit-contact"])
async def test_a_focused_icon_button_shows_a_focus_ring(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, button: str
) -> None:
    page = await open_page(open_agent, app_server.url, api, PAGES_BY_NAME["contact"])

    await tab_to(page, button)
    assert await page.evaluate(FOCUS_RING_JS), f"{button} has the focus but shows no ring"


async def test_the_edit_dialog_focuses_its_first_field(open_agent: OpenAgent, app_server: RunningServer) -> None:
    contact = app_server.create_contact(name="Focus Test")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])

    await tab_to(agent.page, "edit-contact")
    await agent.page.keyboard.press("Enter")
    await expect(view.edit_form).to_be_visible()
    await expect(view.field("name")).to_be_focused()
