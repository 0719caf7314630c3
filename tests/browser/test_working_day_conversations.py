"""A conversation whose contact has no name shows its email, phone or "Unknown contact #id" (issue 11, bug 9)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import expect

from api.validation import format_phone_international
from tests.browser.agents import OpenAgent
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

LIVE_TIMEOUT_MS = 10_000
PHONE = "+442079460998"


@pytest_asyncio.fixture(loop_scope="session")
async def conversation(api: httpx.AsyncClient) -> AsyncIterator[dict[str, Any]]:
    """The last open demo conversation; its contact gets its name, email and phone back afterwards."""
    listing = (await api.get("/conversations")).raise_for_status().json()["data"]["payload"]
    found: dict[str, Any] = listing[-1]
    sender = found["meta"]["sender"]
    (await api.put(f"/contacts/{sender['id']}", json={"phone_number": PHONE})).raise_for_status()
    try:
        yield found
    finally:
        kept = {key: sender[key] for key in ("name", "email", "phone_number")}
        (await api.put(f"/contacts/{sender['id']}", json=kept)).raise_for_status()


async def test_a_nameless_contact_shows_email_then_phone_then_its_number(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, conversation: dict[str, Any]
) -> None:
    sender = conversation["meta"]["sender"]
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/conversations")
    shown = page.get_by_test_id(f"conversation-sender-{conversation['id']}")
    await expect(shown).to_have_text(sender["name"])

    # Live: each change reaches the open list.
    (await api.put(f"/contacts/{sender['id']}", json={"name": ""})).raise_for_status()
    await expect(shown).to_have_text(sender["email"], timeout=LIVE_TIMEOUT_MS)
    (await api.put(f"/contacts/{sender['id']}", json={"email": None})).raise_for_status()
    await expect(shown).to_have_text(format_phone_international(PHONE), timeout=LIVE_TIMEOUT_MS)
    (await api.put(f"/contacts/{sender['id']}", json={"phone_number": None})).raise_for_status()
    await expect(shown).to_have_text(f"Unknown contact #{sender['id']}", timeout=LIVE_TIMEOUT_MS)

    # Read afresh, in English and in Arabic.
    await page.reload()
    await expect(shown).to_have_text(f"Unknown contact #{sender['id']}")
    arabic = await open_agent(locale="ar")
    await arabic.page.goto(f"{app_server.url}/conversations")
    await expect(arabic.page.get_by_test_id(f"conversation-sender-{conversation['id']}")).to_have_text(
        f"جهة اتصال غير معروفة رقم {sender['id']}"
    )
