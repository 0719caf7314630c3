"""Another agent's live change is told in the page and the changed value glows for a moment (issue 11)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

LIVE_TIMEOUT_MS = 10_000


async def test_a_change_by_another_agent_is_told_and_glows(open_agent: OpenAgent, app_server: RunningServer) -> None:
    contact = app_server.create_contact(name="Glowing Case")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    await view.wait_loaded()
    email = f"glow-{contact['id']}@example.com"

    url = f"{app_server.url}/api/v1/accounts/1/contacts/{contact['id']}"
    async with httpx.AsyncClient(headers=app_server.agent.headers, timeout=10) as other:
        (await other.put(url, json={"email": email})).raise_for_status()

    shown = view.testid("contact-email")
    await expect(shown).to_contain_text(email, timeout=LIVE_TIMEOUT_MS)
    await expect(shown).to_have_class(re.compile(r"\bcontacts-just-changed\b"))
    told = re.compile("Sam Agent\u2069? changed Email")  # the name is set apart (Unicode isolate) from the sentence
    await expect(agent.page.locator(".q-notification").filter(has_text=told)).to_be_visible()
