"""A contact page's tab is titled with the contact's name, kept current as it changes (issue 11, bug 8)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

LIVE_TIMEOUT_MS = 10_000


async def test_the_tab_title_is_the_contact_name_and_follows_a_live_rename(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    name = f"Titled {uuid.uuid4().hex[:6]}"
    contact = app_server.create_contact(name=name)
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])

    await expect(agent.page).to_have_title(f"{name} · Contacts")

    renamed = f"{name} renamed"
    (await api.put(f"/contacts/{contact['id']}", json={"name": renamed})).raise_for_status()
    await expect(view.name).to_have_text(renamed, timeout=LIVE_TIMEOUT_MS)
    await expect(agent.page).to_have_title(f"{renamed} · Contacts", timeout=LIVE_TIMEOUT_MS)


async def test_a_contact_without_a_name_is_titled_by_its_email(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    contact = app_server.create_contact(name="")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])

    await expect(agent.page).to_have_title(f"{contact['email']} · Contacts")


async def test_the_contact_page_of_a_conversation_is_titled_with_the_contact_name(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open_from_conversation(1)
    name = await view.name.inner_text()

    await expect(agent.page).to_have_title(f"{name} · Contacts")
