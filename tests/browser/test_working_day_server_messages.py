"""A server's message about a known field problem shows translated in the banner, as in the field (issue 11, bug 10)."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

TAKEN = "مستخدم بالفعل لجهة اتصال أخرى"  # ERRORS.TAKEN in Arabic
EMAIL = "البريد الإلكتروني"
UPDATE_FAILED = "تعذّر تحديث جهة الاتصال"


async def test_a_duplicate_email_is_told_in_arabic_in_the_banner(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    contact = app_server.create_contact(name="Duplicate Email Case")
    other = app_server.create_contact(name="Email Owner Case")
    agent = await open_agent(locale="ar")
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    await view.open_edit_form()

    await view.field("email").fill(other["email"])
    await view.save_button.click()
    await expect(view.field_box("email")).to_contain_text(TAKEN)  # the server refused it, and the field says so

    # The form closed (a reload here), the refusal is told in the banner: in Arabic too, with the field's name.
    await agent.page.reload()
    await view.wait_loaded()
    banner = view.testid("save-error")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text(UPDATE_FAILED)
    await expect(banner).to_contain_text(f"{EMAIL}: {TAKEN}")
    await expect(banner).not_to_contain_text("has already been taken")
