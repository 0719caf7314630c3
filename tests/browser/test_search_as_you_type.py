"""Search as you type: the list follows the query while it is typed, and an older answer never replaces a newer one
(issue 13)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_typing_a_query_shows_its_matches_without_pressing_enter(
    open_agent: OpenAgent, app_server: RunningServer
) -> None:
    word = f"Typed{uuid.uuid4().hex[:6]}"
    found = [app_server.create_contact(name=f"{word} {n}") for n in range(3)]
    other = app_server.create_contact(name=f"{word}x other", email=f"{word.lower()}-other@example.com")
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/contacts")
    rows = page.locator("[data-testid^=contact-row-]")
    await expect(rows.first).to_be_visible()

    search = page.locator("input[data-testid=contact-search]")
    await search.press_sequentially(word, delay=40)
    await expect(rows).to_have_count(4)
    await expect(page.get_by_test_id("list-status")).to_have_text("4 contacts")

    # Typed on quickly: whatever answers come back late, the list ends with the last query's matches.
    await search.press_sequentially(" 1", delay=10)
    await expect(rows).to_have_count(1)
    await expect(page.get_by_test_id(f"contact-row-{found[1]['id']}")).to_be_visible()
    await expect(page.get_by_test_id(f"contact-row-{other['id']}")).to_have_count(0)
    await expect(page).to_have_url(re.compile(rf"/contacts\?q={word}\+1$"))


async def test_a_short_query_finds_the_word_starts(open_agent: OpenAgent, app_server: RunningServer) -> None:
    word = f"Qz{uuid.uuid4().hex[:6]}"
    created = app_server.create_contact(name=f"Ann {word}")
    agent = await open_agent()
    page = agent.page
    await page.goto(f"{app_server.url}/contacts")
    await page.locator("input[data-testid=contact-search]").press_sequentially(word[:2])
    await expect(page.get_by_test_id(f"contact-row-{created['id']}")).to_be_visible()
