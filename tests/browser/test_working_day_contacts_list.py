"""The contacts list: avatar, labels and last activity in each row, sortable columns, a label filter (issue 11).

Sort and labels are in the URL with the page, so Back returns to the list as it was.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def labelled_contacts(app_server: RunningServer, api: httpx.AsyncClient, label: str) -> list[int]:
    """Three contacts with `label` (named so that name order differs from creation order), and one without."""
    ids = []
    for name in ("Bravo", "Alpha", "Charlie"):
        contact = app_server.create_contact(name=f"{name} {label}")
        answer = await api.post(f"/contacts/{contact['id']}/labels", json={"labels": [label, "zz-other"]})
        answer.raise_for_status()
        ids.append(contact["id"])
    app_server.create_contact(name=f"Delta {label}")
    return ids


async def row_names(page: Page) -> list[str]:
    return await page.locator("[data-testid^=contact-row-]").all_inner_texts()


async def test_sorting_by_a_header_and_back_keep_the_list(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    label = f"sorted-{uuid.uuid4().hex[:6]}"
    await labelled_contacts(app_server, api, label)
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/contacts?label={label}")
    rows = page.locator("[data-testid^=contact-row-]")
    await expect(rows).to_have_count(3)  # the contact without the label is not listed

    name_header = page.locator("th", has=page.get_by_test_id("sort-name"))
    await expect(name_header).to_have_attribute("aria-sort", "none")
    await expect(page.locator("th", has=page.get_by_test_id("sort-activity"))).to_have_attribute(
        "aria-sort", "descending"
    )
    await page.get_by_test_id("sort-name").click()
    await expect(name_header).to_have_attribute("aria-sort", "ascending")
    await expect(rows).to_have_text([f"Alpha {label}", f"Bravo {label}", f"Charlie {label}"])
    await expect(page).to_have_url(re.compile(rf"/contacts\?label={label}&sort=name$"))

    await page.get_by_test_id("sort-name").focus()
    await page.keyboard.press("Enter")  # the header is a button: the keyboard sorts too
    await expect(name_header).to_have_attribute("aria-sort", "descending")
    await expect(rows).to_have_text([f"Charlie {label}", f"Bravo {label}", f"Alpha {label}"])
    await expect(page).to_have_url(re.compile(rf"/contacts\?label={label}&sort=-name$"))

    await rows.first.click()
    view = ContactPage(page=page, base_url=app_server.url)
    await view.wait_loaded()
    await page.go_back()
    await expect(page).to_have_url(re.compile(rf"/contacts\?label={label}&sort=-name$"))
    await expect(rows).to_have_text([f"Charlie {label}", f"Bravo {label}", f"Alpha {label}"])
    await expect(name_header).to_have_attribute("aria-sort", "descending")
    await expect(page.get_by_test_id("label-filter")).to_contain_text(label)


async def test_rows_show_avatar_labels_and_last_activity(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    label = f"shown-{uuid.uuid4().hex[:6]}"
    ids = await labelled_contacts(app_server, api, label)
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/contacts?label={label}&sort=name")
    first = page.locator("tr", has=page.get_by_test_id(f"contact-row-{ids[1]}"))
    await expect(first.get_by_test_id("row-avatar")).to_have_text("AS")  # "Alpha shown-…": its initials
    await expect(page.get_by_test_id(f"row-labels-{ids[1]}")).to_have_text(re.compile(rf"{label}\s*zz-other"))
    activity = page.get_by_test_id(f"row-activity-{ids[1]}")
    await expect(activity).to_have_text("No activity yet")

    # Ada Lovelace (demo data) was active recently: relative time shown, the exact one on hover.
    await page.goto(f"{app_server.url}/contacts?q=ada@example.com")
    ada = page.locator("[data-testid^=row-activity-]").first
    await expect(ada).to_have_text(re.compile(r"ago|just now"))
    # The exact time as CLDR writes it in English: `Nov 26, 2026, 8:21 AM UTC`.
    exact = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d\u202f[AP]M UTC$")
    await expect(ada).to_have_attribute("title", exact)

    # A label changed by someone else shows in the row as it happens, with no reload of the page.
    await api.post(f"/contacts/{ids[1]}/labels", json={"labels": [label, "urgent-now"]})
    await page.goto(f"{app_server.url}/contacts?label={label}&sort=name")
    await expect(page.get_by_test_id(f"row-labels-{ids[1]}")).to_contain_text("urgent-now")
    await api.post(f"/contacts/{ids[1]}/labels", json={"labels": [label, "changed-live"]})
    await expect(page.get_by_test_id(f"row-labels-{ids[1]}")).to_contain_text("changed-live")


async def test_picking_a_label_filters_the_list_and_stays_in_the_url(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/contacts")
    rows = page.locator("[data-testid^=contact-row-]")
    await expect(rows).to_have_count(15)
    await page.get_by_test_id("label-filter").click()
    await page.get_by_role("option", name="vip", exact=True).click()
    await page.keyboard.press("Escape")
    await expect(page).to_have_url(re.compile(r"/contacts\?label=vip$"))
    await expect(page.get_by_test_id("list-status")).not_to_have_text(re.compile("Loading"))
    labels = page.locator("[data-testid^=row-labels-]")
    await expect(labels.first).to_be_visible()
    count = await rows.count()
    assert count > 0
    await expect(labels).to_have_count(count)
    for index in range(count):
        await expect(labels.nth(index)).to_contain_text("vip")

    await rows.first.click()
    await ContactPage(page=page, base_url=app_server.url).wait_loaded()
    await page.go_back()
    await expect(page).to_have_url(re.compile(r"/contacts\?label=vip$"))
    await expect(labels).to_have_count(count)


async def test_no_sideways_scroll_at_390_px(open_agent: OpenAgent, app_server: RunningServer) -> None:
    agent = await open_agent(viewport={"width": 390, "height": 844})
    page = agent.page
    await page.goto(f"{app_server.url}/contacts?sort=name")
    await expect(page.locator("[data-testid^=contact-row-]")).to_have_count(15)
    await expect(page.get_by_test_id("sort-name")).to_be_visible()
    await expect(page.get_by_test_id("label-filter")).to_be_visible()
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the list is {overflow} px wider than the phone"
