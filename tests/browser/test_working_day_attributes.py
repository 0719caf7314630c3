"""Custom attributes read as name and value side by side; the pencil shows on hover or focus only (issue 11)."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Locator, expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

OPACITY_JS = "(element) => getComputedStyle(element).opacity"


async def opacity_becomes(pencil: Locator, opacity: str) -> None:
    """Wait (3 s at most) until the element's computed opacity is this; its transition takes 0.15 s."""
    for _ in range(60):
        if await pencil.evaluate(OPACITY_JS) == opacity:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"opacity stayed {await pencil.evaluate(OPACITY_JS)}, not {opacity}")


async def test_the_pencil_shows_on_hover_and_on_focus(open_agent: OpenAgent, app_server: RunningServer) -> None:
    agent = await open_agent()
    page = agent.page
    await page.set_viewport_size({"width": 1440, "height": 900})
    view = ContactPage(page=page, base_url=app_server.url)
    await view.open(1)
    pencil = view.testid("attribute-edit-seats")
    await expect(pencil).to_be_attached()
    await page.mouse.move(0, 0)
    await opacity_becomes(pencil, "0")

    await view.testid("attribute-seats").hover()
    await opacity_becomes(pencil, "1")
    await page.mouse.move(0, 0)
    await opacity_becomes(pencil, "0")

    await pencil.focus()  # as Tab reaches it
    await opacity_becomes(pencil, "1")
    await page.keyboard.press("Enter")
    await expect(view.testid("attribute-editor-seats")).to_be_visible()


async def test_name_and_value_stay_close_on_a_wide_screen(open_agent: OpenAgent, app_server: RunningServer) -> None:
    agent = await open_agent()
    await agent.page.set_viewport_size({"width": 1440, "height": 900})
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(1)
    row = view.testid("attribute-seats")
    value = view.testid("attribute-value-seats")
    await expect(value).to_have_text("250")
    row_box, value_box = await row.bounding_box(), await value.bounding_box()
    assert row_box is not None and value_box is not None
    assert row_box["width"] > 900  # a wide card
    assert value_box["x"] - row_box["x"] < 16 * 16  # the value starts within 16rem of the row's start
