"""A "Previous conversations" row opens its conversation on a click, on Enter and on Space (issue 11, bug 1)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Locator, expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_a_history_row_opens_its_conversation_by_click_enter_and_space(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    history = (await api.get("/contacts/1/conversations", params={"page": 1})).raise_for_status().json()
    first, second, third = (conversation["id"] for conversation in history["payload"][:3])
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)

    def row(display_id: int) -> Locator:
        return view.testid("conversation-history").locator(f'[data-testid="conversation-{display_id}"]')

    await view.open(1)
    await expect(row(first)).to_have_attribute("role", "link")
    await row(first).click()
    await expect(agent.page).to_have_url(re.compile(rf"/conversations/{first}$"))

    await view.open(1)
    await row(second).focus()
    await agent.page.keyboard.press("Enter")
    await expect(agent.page).to_have_url(re.compile(rf"/conversations/{second}$"))

    await view.open(1)
    await row(third).focus()
    await agent.page.keyboard.press("Space")
    await expect(agent.page).to_have_url(re.compile(rf"/conversations/{third}$"))
