"""The contacts list keeps its search and page in the URL, so Back returns to the list as it was (issue 11, bug 7)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_back_from_a_contact_returns_to_the_filtered_list(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    word = f"Backsearch{uuid.uuid4().hex[:6]}"
    found = [app_server.create_contact(name=f"{word} {n}") for n in range(2)]
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/contacts")
    rows = page.locator("[data-testid^=contact-row-]")
    await expect(rows.first).to_be_visible()

    await page.locator("input[data-testid=contact-search]").press_sequentially(word)
    await expect(rows).to_have_count(2)
    await expect(page).to_have_url(re.compile(rf"/contacts\?q={word}$"))

    await page.get_by_test_id(f"contact-row-{found[0]['id']}").click()
    view = ContactPage(page=page, base_url=app_server.url)
    await view.wait_loaded()
    await expect(view.name).to_have_text(f"{word} 0")

    await page.go_back()
    await expect(page).to_have_url(re.compile(rf"/contacts\?q={word}$"))
    await expect(page.locator("input[data-testid=contact-search]")).to_have_value(word)
    await expect(rows).to_have_count(2)
    await expect(page.get_by_test_id(f"contact-row-{found[1]['id']}")).to_be_visible()


async def test_the_page_number_is_in_the_url_and_back_returns_to_it(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/contacts")
    pager = page.get_by_test_id("pager")
    await expect(pager).to_contain_text("Page 1 of")
    assert not re.search(r"of 1\b", await pager.inner_text()), "the demo data fills more than one page"

    await page.get_by_test_id("page-next").click()
    await expect(pager).to_contain_text("Page 2 of")
    await expect(page).to_have_url(re.compile(r"/contacts\?page=2$"))
    second_page_row = page.locator("[data-testid^=contact-row-]").first
    name = await second_page_row.inner_text()

    await second_page_row.click()
    await ContactPage(page=page, base_url=app_server.url).wait_loaded()
    await page.go_back()
    await expect(pager).to_contain_text("Page 2 of")
    await expect(page.locator("[data-testid^=contact-row-]").first).to_have_text(name)

    await page.get_by_test_id("page-previous").click()
    await expect(pager).to_contain_text("Page 1 of")
    await expect(page).to_have_url(re.compile(r"/contacts$"))
