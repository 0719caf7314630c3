"""Typing kept from an earlier visit is announced, restored with its errors shown, or discarded (issue 11, bug 4)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

TIME_ZONE = "Asia/Tokyo"  # not the machine's: the notice must tell the time where the agent is
INVALID_EMAIL = "Enter a valid email address"
ARABIC_NOTICE = re.compile(r"^تغييرات غير محفوظة منذ الساعة [0-9٠-٩]{1,2}:[0-9٠-٩]{2}\s[صم]$")


def clock(moment: datetime) -> str:
    """A time as en-US says it: `2:02 PM`."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


async def test_kept_typing_is_announced_then_restored_with_its_error_or_discarded(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    contact = app_server.create_contact(name="Kept Draft Case")
    agent = await open_agent(locale="en-US", timezone_id=TIME_ZONE)
    view = ContactPage(page=agent.page, base_url=app_server.url)
    notice = view.testid("draft-notice")
    await view.open(contact["id"])
    await expect(notice).to_have_count(0)

    await view.open_edit_form()
    await view.field("email").fill("")
    await view.field("email").press_sequentially("not-an-email")
    await expect(view.field_box("email")).to_contain_text(INVALID_EMAIL)
    typed_at = datetime.now(ZoneInfo(TIME_ZONE))

    await agent.page.reload()
    await view.wait_loaded()
    await expect(view.edit_form).to_be_hidden()
    await expect(notice).to_be_visible()
    text = (await view.testid("draft-notice-text").text_content() or "").replace("\u202f", " ")
    minutes = {clock(typed_at + timedelta(minutes=step)) for step in (-1, 0, 1)}
    assert text in {f"Unsaved changes from {minute}" for minute in minutes}, text
    await expect(notice.get_by_role("button", name="Restore")).to_be_visible()
    await expect(notice.get_by_role("button", name="Discard")).to_be_visible()

    # The same agent in another browser, in Arabic: told too, in Arabic, with the time as Arabic writes it.
    arabic = await open_agent(locale="ar", timezone_id=TIME_ZONE)
    arabic_view = ContactPage(page=arabic.page, base_url=app_server.url)
    await arabic_view.open(contact["id"])
    # Hours and minutes, then ص (morning) or م (afternoon); Chromium's Arabic takes Western or Arabic-Indic digits.
    await expect(arabic_view.testid("draft-notice-text")).to_have_text(ARABIC_NOTICE)
    await expect(arabic_view.testid("draft-restore")).to_have_text("استعادة")
    await expect(arabic_view.testid("draft-discard")).to_have_text("تجاهل")

    # Restore: the form with the typing, and its error shown at once.
    await view.testid("draft-restore").click()
    await expect(view.edit_form).to_be_visible()
    await expect(view.field("email")).to_have_value("not-an-email")
    await expect(view.field_box("email")).to_contain_text(INVALID_EMAIL)
    await expect(view.save_button).to_be_disabled()
    await expect(notice).to_be_hidden()

    # Leave with the typing kept once more, and this time discard it.
    await agent.page.reload()
    await view.wait_loaded()
    await view.testid("draft-discard").click()
    await expect(notice).to_be_hidden()
    await view.open_edit_form()
    await expect(view.field("email")).to_have_value(contact["email"])
    await expect(view.field_box("email")).not_to_contain_text(INVALID_EMAIL)
    await expect(view.save_button).to_be_enabled()
    await view.testid("edit-cancel").click()
    await agent.page.reload()
    await view.wait_loaded()
    await expect(notice).to_be_hidden()
