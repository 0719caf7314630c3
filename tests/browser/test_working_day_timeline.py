"""The activity trail in the browser: an entry about a conversation opens it; the trail narrows to a kind (issue 11)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

ENTRY = '[data-testid="activity-timeline"] [data-testid="timeline-{kind}"]'


async def test_a_conversation_entry_opens_its_conversation(open_agent: OpenAgent, app_server: RunningServer) -> None:
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(1)
    opened = agent.page.locator(ENTRY.format(kind="conversation_opened")).first
    link = opened.get_by_role("link")
    await expect(link).to_have_text(re.compile(r"^Conversation #\d+ opened$"))
    number = re.search(r"#(\d+)", await link.inner_text())
    assert number is not None
    await link.click()
    await expect(agent.page).to_have_url(re.compile(rf"/conversations/{number[1]}$"))

    await view.open(1)
    resolved = agent.page.locator(ENTRY.format(kind="conversation_resolved")).first.get_by_role("link")
    number = re.search(r"#(\d+)", await resolved.inner_text())
    assert number is not None
    await resolved.focus()
    await agent.page.keyboard.press("Enter")
    await expect(agent.page).to_have_url(re.compile(rf"/conversations/{number[1]}$"))

    # Other entries are plain text.
    await view.open(1)
    await expect(agent.page.locator(ENTRY.format(kind="note_added")).first.get_by_role("link")).to_have_count(0)


async def test_the_trail_narrows_to_notes_and_back(open_agent: OpenAgent, app_server: RunningServer) -> None:
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(1)
    entries = agent.page.locator('[data-testid="activity-timeline"] [data-testid^="timeline-"]')
    await expect(entries).to_have_count(25)
    choice = view.testid("timeline-filter")
    await choice.get_by_role("button", name="Notes").click()
    # The newest entry is a note anyway: wait for the others to go, not for the first to be a note.
    others = agent.page.locator(
        '[data-testid="activity-timeline"] [data-testid^="timeline-"]:not([data-testid^="timeline-note_"])'
    )
    await expect(others).to_have_count(0)
    kinds = {await entry.get_attribute("data-testid") for entry in await entries.all()}
    assert kinds and kinds <= {"timeline-note_added", "timeline-note_updated", "timeline-note_deleted"}
    await choice.get_by_role("button", name="All").click()
    await expect(entries).to_have_count(25)
