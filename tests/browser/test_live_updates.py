"""Changes made elsewhere reach an open contact page over the websocket, without a reload."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

LIVE_TIMEOUT_MS = 10_000


async def test_contact_deleted_through_the_api_while_open_shows_the_deleted_state(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Deleted While Open")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    await expect(view.testid("edit-contact")).to_be_visible()

    (await api.delete(f"/contacts/{contact['id']}")).raise_for_status()

    await expect(view.testid("deleted-state")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    await expect(view.testid("deleted-state")).to_contain_text("Contact deleted")
    await expect(view.testid("edit-contact")).to_be_hidden()
    await expect(view.testid("note-input")).to_be_hidden()
    await expect(view.name).to_have_text("Deleted While Open")


async def test_contact_changed_through_the_api_while_open_updates_live(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Changed While Open")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])

    changes = {"name": "Changed Elsewhere", "phone_number": "+442079460999"}
    (await api.put(f"/contacts/{contact['id']}", json=changes)).raise_for_status()

    await expect(view.name).to_have_text("Changed Elsewhere", timeout=LIVE_TIMEOUT_MS)
    await expect(view.testid("contact-phone")).to_have_text("+44 20 7946 0999", timeout=LIVE_TIMEOUT_MS)
