"""Possible duplicates on the contact page in Chromium (issue 15): the other contact's name, address and reason, a
link that opens it (by mouse and by keyboard), nothing when there are none, a new lookup when the contact's name
changes, a phone's width, and no critical or serious axe violations."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import StorageState, expect

from tests.api.sample_data import unique_token
from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage, opened
from tests.browser.test_accessibility import THEMES, assert_no_blocking_violations, themed
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

PHONE = {"width": 390, "height": 844}
# Tab presses allowed to reach the Open link from the top of the page (header, basic info, then the block).
MAX_TABS = 60


def company(token: str) -> dict[str, str]:
    return {"company_name": f"Browser Co {token}"}


async def test_a_suggestion_shows_who_and_why_and_opens_the_other_contact(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    token = unique_token()
    contact = app_server.create_contact(name="Grace Hopper", additional_attributes=company(token))
    other = app_server.create_contact(name="Hopper, Grace", additional_attributes=company(token))
    view = await opened(open_agent, app_server, contact["id"])

    row = view.testid(f"duplicate-{other['id']}")
    await expect(view.testid("duplicate-suggestions")).to_contain_text("Possible duplicates")
    await expect(row.get_by_test_id("duplicate-name")).to_have_text("Hopper, Grace")
    await expect(row).to_contain_text(other["email"])
    await expect(row.get_by_test_id("duplicate-reasons")).to_have_text("Similar name, same company")
    await expect(row.get_by_test_id("duplicate-merge")).to_have_attribute(
        "aria-label", "Merge Hopper, Grace into this contact"
    )
    link = row.get_by_test_id("duplicate-open")
    await expect(link).to_have_attribute("aria-label", "Open Hopper, Grace")

    await link.click()
    await expect(view.page).to_have_url(f"{app_server.url}/contacts/{other['id']}?source=duplicates")
    await view.wait_loaded()
    await expect(view.name).to_have_text("Hopper, Grace")
    await expect(view.testid(f"duplicate-{contact['id']}")).to_contain_text("Grace Hopper")


@pytest.mark.parametrize("width", [1440, 390])
async def test_merge_from_a_suggestion_removes_it_and_undo_brings_it_back(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, width: int
) -> None:
    """A suggestion's Merge opens the merge dialog on that contact's preview; once merged the suggestion goes
    (from the live event, nothing asked), and the merge undone, it is looked up and shown again."""
    token = unique_token()
    contact = app_server.create_contact(name="Ada Lovelace", additional_attributes=company(token))
    other = app_server.create_contact(name="Lovelace, Ada", additional_attributes=company(token))
    view = await opened(open_agent, app_server, contact["id"], viewport={"width": width, "height": 900})
    row = view.testid(f"duplicate-{other['id']}")

    await row.get_by_test_id("duplicate-merge").click()
    await expect(view.testid("merge-mergee-name")).to_have_text("Lovelace, Ada")
    await view.testid("merge-confirm").click()
    await expect(view.toast("was merged into")).to_be_visible()
    await expect(row).to_have_count(0)
    await expect(view.testid("duplicate-suggestions")).to_be_hidden()
    assert (await api.get(f"/contacts/{other['id']}")).status_code == 404

    await view.testid("merge-undo-button").click()
    await expect(view.toast("The merge was undone")).to_be_visible()
    await expect(row.get_by_test_id("duplicate-name")).to_have_text("Lovelace, Ada")
    assert (await api.get(f"/contacts/{other['id']}")).status_code == 200


async def test_the_link_is_reached_and_followed_by_keyboard(open_agent: OpenAgent, app_server: RunningServer) -> None:
    token = unique_token()
    contact = app_server.create_contact(name="Alan Turing", additional_attributes=company(token))
    other = app_server.create_contact(name="Alan Turring", additional_attributes=company(token))
    view = await opened(open_agent, app_server, contact["id"])
    link = view.testid(f"duplicate-{other['id']}").get_by_test_id("duplicate-open")
    await expect(link).to_be_visible()

    for _ in range(MAX_TABS):
        await view.page.keyboard.press("Tab")
        if await link.evaluate("(element) => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the duplicate's Open link")
    await view.page.keyboard.press("Enter")
    await expect(view.page).to_have_url(f"{app_server.url}/contacts/{other['id']}?source=duplicates")
    await expect(view.name).to_have_text("Alan Turring")


async def test_nothing_shows_until_there_is_a_duplicate_then_it_appears_live(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    """A contact without duplicates shows no block; when its name changes (another agent's edit, arriving live)
    the suggestions are looked up again."""
    token = unique_token()
    contact = app_server.create_contact(name="Unique Name", additional_attributes=company(token))
    other = app_server.create_contact(name="Ada Lovelace", additional_attributes=company(token))
    view = await opened(open_agent, app_server, contact["id"])
    await expect(view.testid("live-status")).to_have_attribute("aria-label", "Live updates are on")
    block = view.testid("duplicate-suggestions")
    await expect(block).to_be_hidden()

    (await api.put(f"/contacts/{contact['id']}", json={"name": "Ada Lovelace"})).raise_for_status()
    await expect(view.name).to_have_text("Ada Lovelace")
    await expect(block).to_be_visible()
    await expect(view.testid(f"duplicate-{other['id']}")).to_contain_text("Similar name, same company")

    (await api.put(f"/contacts/{contact['id']}", json={"name": "Nobody Alike"})).raise_for_status()
    await expect(block).to_be_hidden()


async def test_a_phone_shows_the_block_within_its_width(open_agent: OpenAgent, app_server: RunningServer) -> None:
    token = unique_token()
    long_email = f"a-very-long-address-{token}-that-has-to-wrap@example.com"
    contact = app_server.create_contact(name="Katherine Johnson", additional_attributes=company(token))
    other = app_server.create_contact(name="Catherine Johnson", email=long_email, additional_attributes=company(token))
    view = await opened(open_agent, app_server, contact["id"], viewport=PHONE)
    row = view.testid(f"duplicate-{other['id']}")
    await expect(row).to_contain_text(long_email)
    await expect(row.get_by_test_id("duplicate-open")).to_be_in_viewport()
    box = await view.testid("duplicate-suggestions").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    overflow = await view.page.evaluate("document.scrollingElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


@pytest.mark.parametrize("theme", THEMES)
async def test_the_suggestions_have_no_critical_or_serious_accessibility_violations(
    open_agent: OpenAgent, app_server: RunningServer, dark_sign_in: StorageState, theme: str
) -> None:
    token = unique_token()
    contact = app_server.create_contact(name="Axe Duplicate", additional_attributes=company(token))
    other = app_server.create_contact(name="Axe Duplicates", additional_attributes=company(token))
    view = ContactPage(page=(await open_agent(**themed(theme, dark_sign_in))).page, base_url=app_server.url)
    await view.open(contact["id"])
    await expect(view.testid(f"duplicate-{other['id']}")).to_be_visible()
    await assert_no_blocking_violations(view.page, theme)
