"""A phone number typed as the page shows it is accepted and saved in E.164 (issue 11, bug 3)."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SAVED = "Contact updated successfully"
INVALID_PHONE = "Enter a valid phone number"


async def test_a_phone_typed_with_spaces_is_saved_in_e164(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Spaced Phone Case")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    await view.open_edit_form()

    # Phone numbers are unique in an account, and other tests use London numbers too: this one is the contact's own.
    local = f"{contact['id'] % 10_000:04d}"
    typed, stored = f"+44 20 7946 {local}", f"+4420 7946{local}".replace(" ", "")
    await view.field("phone-number").fill("")
    await view.field("phone-number").press_sequentially(typed)

    await expect(view.field_box("phone-number")).not_to_contain_text(INVALID_PHONE)
    await expect(view.save_button).to_be_enabled()
    await view.save_button.click()

    await expect(view.toast(SAVED)).to_be_visible()
    await expect(view.edit_form).to_be_hidden()
    await expect(view.testid("contact-phone")).to_have_text(typed)
    saved = (await api.get(f"/contacts/{contact['id']}")).raise_for_status().json()["payload"]
    assert saved["phone_number"] == stored


async def test_a_phone_without_its_country_code_is_still_refused(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    contact = app_server.create_contact(name="National Phone Case")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    await view.open_edit_form()

    await view.field("phone-number").fill("020 7946 0999")

    await expect(view.field_box("phone-number")).to_contain_text(INVALID_PHONE)
    await expect(view.save_button).to_be_disabled()
