"""The demo data is dated from the moment it was seeded, so the demo looks alive (issue 11, bug 12)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def shown_conversations(open_agent: OpenAgent, app_server: RunningServer, status: str) -> str:
    agent = await open_agent()
    await agent.page.goto(f"{app_server.url}/conversations?status={status}")
    rows = agent.page.locator("[data-testid^=conversation-link-]")
    await expect(rows.first).to_be_visible()
    return "\n".join(await rows.all_inner_texts())


async def test_open_conversations_are_from_minutes_and_hours_ago(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    shown = await shown_conversations(open_agent, app_server, "open")
    assert re.search(r"\b\d+ minutes ago\b", shown), shown
    assert re.search(r"\b\d+ hours ago\b", shown), shown
    assert not re.search(r"\b(years?|months?) ago\b", shown), shown


async def test_resolved_conversations_are_from_days_ago_on(open_agent: OpenAgent, app_server: RunningServer) -> None:
    shown = await shown_conversations(open_agent, app_server, "resolved")
    assert re.search(r"\bdays? ago\b", shown), shown
    assert not re.search(r"\byears? ago\b", shown), shown


async def test_the_showcase_contact_was_active_minutes_ago(open_agent: OpenAgent, app_server: RunningServer) -> None:
    agent = await open_agent()
    await agent.page.goto(f"{app_server.url}/contacts?q=ada@example.com")
    await expect(agent.page.get_by_test_id("contacts-table")).to_contain_text(re.compile(r"\d+ minutes ago"))
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(1)
    await expect(view.testid("contact-panel")).to_contain_text(re.compile(r"\d+ minutes ago"))
