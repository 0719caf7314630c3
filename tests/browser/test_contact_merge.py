"""Merging contacts in Chromium (issue 15): the search, the side-by-side choice, Undo within 30 seconds, another
agent on the merged-away contact told where it went (and following the link), the keyboard, a phone's width, and
axe on the dialog and on the merged-into banner."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import StorageState, expect

from api.demo import AGENT
from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage, opened, stored_contact
from tests.browser.test_accessibility import THEMES, assert_no_blocking_violations, themed
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PHONE = {"width": 390, "height": 844}


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


async def pick_mergee(view: ContactPage, name: str, contact_id: int) -> None:
    """Merge… from the menu, the other contact found by its name and chosen; the preview shown."""
    await view.testid("contact-actions").click()
    await view.testid("merge-contact").click()
    await expect(view.testid("merge-search")).to_be_focused()
    await view.testid("merge-search").fill(name)
    await view.testid(f"merge-pick-{contact_id}").click()
    await expect(view.testid("merge-moves")).to_be_visible()


async def test_merge_by_choice_undo_and_another_agent_follows_the_link(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    base = app_server.create_contact(name=unique("Kept In Browser"))
    mergee = app_server.create_contact(name=unique("Merged In Browser"))
    colleague = await opened(open_agent, app_server, mergee["id"], credentials=AGENT)
    await expect(colleague.testid("live-status")).to_have_attribute("aria-label", "Live updates are on")
    admin = await opened(open_agent, app_server, base["id"])

    await pick_mergee(admin, mergee["name"], mergee["id"])
    dialog = admin.page.get_by_role("dialog")
    await expect(dialog.get_by_text("This contact (kept)")).to_be_visible()
    await expect(admin.testid("merge-mergee-name")).to_have_text(mergee["name"])
    await admin.testid("merge-choice-email").get_by_role("radio", name=mergee["email"]).click()
    await admin.testid("merge-confirm").click()
    await expect(admin.toast("was merged into")).to_be_visible()
    await expect(dialog).to_be_hidden()
    await expect(admin.testid("contact-email")).to_have_text(mergee["email"])
    merged = await stored_contact(api, base["id"])
    assert merged is not None and (merged["name"], merged["email"]) == (base["name"], mergee["email"])
    assert await stored_contact(api, mergee["id"]) is None

    message = f"This contact was merged into \u2068{base['name']}\u2069. It can no longer be edited."
    await expect(colleague.testid("deleted-message")).to_have_text(message)
    await expect(colleague.testid("contact-actions")).to_be_hidden()
    await colleague.testid("merged-into-link").click()
    await colleague.page.wait_for_url(f"{app_server.url}/contacts/{base['id']}")
    await colleague.wait_loaded()
    await expect(colleague.testid("contact-email")).to_have_text(mergee["email"])

    undo = admin.testid("merge-undo-button")
    await expect(undo).to_contain_text("Undo (")
    await undo.click()
    await expect(admin.toast("The merge was undone")).to_be_visible()
    await expect(admin.testid("merge-undo")).to_have_count(0)
    await expect(admin.testid("contact-email")).to_have_text(base["email"])
    await expect(colleague.testid("contact-email")).to_have_text(base["email"])  # live, on the other agent's page
    assert await stored_contact(api, mergee["id"]) is not None
    assert (await stored_contact(api, base["id"]) or {}).get("email") == base["email"]


async def test_merge_by_keyboard_on_a_phone(open_agent: OpenAgent, app_server: RunningServer) -> None:
    base = app_server.create_contact(name=unique("Phone Base"))
    mergee = app_server.create_contact(name=unique("Phone Mergee"))
    view = await opened(open_agent, app_server, base["id"], viewport=PHONE)
    await view.testid("contact-actions").focus()
    await view.page.keyboard.press("Enter")
    item = view.testid("merge-contact")
    await expect(item).to_be_visible()
    await item.focus()
    await view.page.keyboard.press("Enter")
    search = view.testid("merge-search")
    await expect(search).to_be_focused()
    await view.page.keyboard.type(mergee["name"])
    pick = view.testid(f"merge-pick-{mergee['id']}")
    await expect(pick).to_be_visible()
    await pick.focus()
    await view.page.keyboard.press("Enter")
    await expect(view.testid("merge-moves")).to_be_visible()
    name_choice = view.testid("merge-choice-name").get_by_role("radio", name=mergee["name"])
    await name_choice.focus()
    await view.page.keyboard.press("Space")
    await expect(name_choice).to_have_attribute("aria-checked", "true")
    card = await view.testid("merge-dialog").bounding_box()
    assert card is not None and card["x"] >= 0 and card["x"] + card["width"] <= PHONE["width"]
    assert await view.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await view.page.keyboard.press("Escape")
    await expect(view.testid("merge-dialog")).to_be_hidden()


@pytest.mark.parametrize("theme", THEMES)
async def test_the_dialog_and_the_merged_into_banner_pass_axe(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, dark_sign_in: StorageState, theme: str
) -> None:
    base = app_server.create_contact(name=unique("Axe Base"), custom_attributes={"plan": "pro"})
    mergee = app_server.create_contact(name=unique("Axe Mergee"), custom_attributes={"plan": "free"})
    options = themed(theme, dark_sign_in)
    watcher = ContactPage(page=(await open_agent(**options)).page, base_url=app_server.url)
    await watcher.open(mergee["id"])
    admin = ContactPage(page=(await open_agent(**options)).page, base_url=app_server.url)
    await admin.open(base["id"])
    await pick_mergee(admin, mergee["name"], mergee["id"])
    await assert_no_blocking_violations(admin.page, f"merge dialog, {theme}")
    await admin.testid("merge-confirm").click()
    await expect(admin.testid("merge-undo")).to_be_visible()
    await assert_no_blocking_violations(admin.page, f"undo bar, {theme}")
    await expect(watcher.testid("merged-into-link")).to_be_visible()
    await assert_no_blocking_violations(watcher.page, f"merged-into banner, {theme}")
    assert await stored_contact(api, mergee["id"]) is None
