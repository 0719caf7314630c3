"""Live changes reach the history, notes and timeline in place: existing rows keep their DOM ids, one row is added.

NiceGUI gives every element an `id` attribute (`c123`) for as long as it lives; a rebuilt element gets a new one.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.agents import OpenAgent
from tests.browser.contact_page import NODE_TOKENS_JS, ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

LIVE_TIMEOUT_MS = 10_000
HALF_TYPED = "Called about the renewal, she"
CARET_BACK = 4  # the caret sits this many characters before the end of the half-typed text

SECTION_IDS_JS = """
() => ({
  history: document.querySelector('[data-testid="conversation-history"]').id,
  notes: Array.from(document.querySelectorAll('[data-testid^="note-"]'))
    .filter((element) => /^note-\\d+$/.test(element.dataset.testid))
    .map((element) => element.id),
})
"""
TIMELINE_ENTRIES = '[data-testid="activity-timeline"] .q-timeline__entry'

NOTE_INPUT_JS = """
() => {
  const input = document.querySelector('textarea[data-testid="note-input"]');
  return {
    value: input.value,
    focused: document.activeElement === input,
    caret: input.selectionStart,
  };
}
"""


async def section_ids(page: Page) -> dict[str, Any]:
    ids: dict[str, Any] = await page.evaluate(SECTION_IDS_JS)
    ids["timeline"] = await page.evaluate(NODE_TOKENS_JS, TIMELINE_ENTRIES)  # entries are drawn from data
    return ids


async def contact_with_history(app_server: RunningServer, api: httpx.AsyncClient) -> int:
    """A new contact that has conversations (merged in from a demo contact other than Ada) and two notes."""
    contact = app_server.create_contact(name="In Place Case")
    listed = (await api.get("/contacts", params={"page": 1})).raise_for_status().json()["payload"]
    for candidate in reversed(listed):
        if candidate["id"] in {1, contact["id"]}:
            continue
        history = await api.get(f"/contacts/{candidate['id']}/conversations", params={"page": 1})
        if history.raise_for_status().json()["meta"]["count"]:
            merge = {"base_contact_id": contact["id"], "mergee_contact_id": candidate["id"]}
            (await api.post("/actions/contact_merge", json=merge)).raise_for_status()
            break
    else:
        pytest.fail("no demo contact with conversations to merge in")
    for text in ("First note, kept in place", "Second note, kept in place"):
        (await api.post(f"/contacts/{contact['id']}/notes", json={"content": text})).raise_for_status()
    return int(contact["id"])


async def test_remote_changes_add_one_row_and_keep_every_other_element(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact_id = await contact_with_history(app_server, api)
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact_id)
    other = await open_agent()  # the same agent in another browser: a note added there is this agent's too
    theirs = ContactPage(page=other.page, base_url=app_server.url)
    await theirs.open(contact_id)
    await expect(view.testid("conversation-history").locator('[data-testid^="conversation-"]').first).to_be_visible()
    before = await section_ids(view.page)
    assert len(before["notes"]) >= 2 and before["timeline"]

    note_input = view.testid("note-input")
    await note_input.click()
    await note_input.press_sequentially(HALF_TYPED)
    for _ in range(CARET_BACK):
        await note_input.press("ArrowLeft")
    typed = {"value": HALF_TYPED, "focused": True, "caret": len(HALF_TYPED) - CARET_BACK}
    assert await view.page.evaluate(NOTE_INPUT_JS) == typed

    # A remote field edit: the timeline gains one entry at the top, nothing else is replaced.
    changed = await api.put(f"/contacts/{contact_id}", json={"additional_attributes": {"city": "Lisbon"}})
    changed.raise_for_status()
    entries = view.page.locator(TIMELINE_ENTRIES)
    await expect(entries).to_have_count(len(before["timeline"]) + 1, timeout=LIVE_TIMEOUT_MS)
    await expect(entries.first).to_contain_text("Lisbon")
    await view.wait_loaded()
    after_edit = await section_ids(view.page)
    assert after_edit["history"] == before["history"]
    assert after_edit["notes"] == before["notes"]
    assert after_edit["timeline"][1:] == before["timeline"]
    assert after_edit["timeline"][0] not in before["timeline"]
    assert await view.page.evaluate(NOTE_INPUT_JS) == typed

    # A note added elsewhere: one note row and one timeline entry appear at the top.
    await theirs.testid("note-input").fill("Added in the other browser")
    await theirs.testid("note-add").click()
    notes = view.page.locator('[data-testid^="note-"]').filter(has_text="Added in the other browser")
    await expect(notes).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    await expect(entries).to_have_count(len(after_edit["timeline"]) + 1, timeout=LIVE_TIMEOUT_MS)
    await view.wait_loaded()
    after_note = await section_ids(view.page)
    assert after_note["history"] == before["history"]
    assert after_note["notes"][1:] == before["notes"]
    assert after_note["notes"][0] not in before["notes"]
    assert after_note["timeline"][1:] == after_edit["timeline"]
    assert await view.page.evaluate(NOTE_INPUT_JS) == typed
