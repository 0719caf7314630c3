"""Live changes update the contact page's elements in place: in every tab, without rebuilding what did not change."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from api.validation import format_phone_international
from tests.browser.agents import OpenAgent
from tests.browser.contact_page import NODE_TOKENS_JS, ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

TABS = 5
LIVE_TIMEOUT_MS = 15_000
SECTIONS = ("contact-banner", "section-basic-info", "section-meta", "section-history", "section-notes")
TIMELINE = "section-timeline"

# Per section root: the ids of every NiceGUI element in it (ids like "c123" live as long as their element).
SECTION_IDS_JS = """
(names) => Object.fromEntries(names.map((name) => {
    const root = document.querySelector(`[data-testid="${name}"]`);
    if (!root) return [name, null];
    const ids = [root, ...root.querySelectorAll('[id]')].map((e) => e.id).filter((id) => /^c\\d+$/.test(id));
    return [name, ids.sort()];
}))
"""
TIMELINE_ENTRIES = '[data-testid="activity-timeline"] .q-timeline__entry'


@dataclass(kw_only=True)
class RemoteEdit:
    """One change made through the API, what every tab must then show, and the sections it may touch."""

    send: Callable[[httpx.AsyncClient, int], Awaitable[Any]]
    testid: str
    text: str | None  # None: the element is hidden
    touches: frozenset[str]


def put(fields: dict[str, Any]) -> Callable[[httpx.AsyncClient, int], Awaitable[Any]]:
    async def send(api: httpx.AsyncClient, contact_id: int) -> Any:
        return (await api.put(f"/contacts/{contact_id}", json=fields)).raise_for_status()

    return send


def edit(fields: dict[str, Any], testid: str, text: str | None, *touches: str) -> RemoteEdit:
    return RemoteEdit(send=put(fields), testid=testid, text=text, touches=frozenset(touches))


def twenty_edits(contact_id: int) -> list[RemoteEdit]:
    """Name, email, phone, company, two custom attributes and the blocked flag, in turn (each one event)."""
    basic, meta = "section-basic-info", "section-meta"
    edits: list[RemoteEdit] = []
    for n in range(1, 5):
        edits.append(edit({"name": f"In Place {n}"}, "contact-name", f"In Place {n}", basic))
        if n == 4:
            break
        email = f"in-place-{contact_id}-{n}@example.com"  # emails and phone numbers are unique in an account
        edits.append(edit({"email": email}, "contact-email", email, basic))
        phone = f"+44207{contact_id % 10_000:04d}{n:03d}"
        edits.append(edit({"phone_number": phone}, "contact-phone", format_phone_international(phone) or phone, basic))
        company = f"Company {n}"
        edits.append(
            edit({"additional_attributes": {"company_name": company}}, "contact-company", company, basic, meta)
        )
        manager = f"Manager {n}"
        edits.append(
            edit({"custom_attributes": {"account_manager": manager}}, "attribute-value-account_manager", manager, meta)
        )
        if n < 3:
            edits.append(edit({"custom_attributes": {"seats": 10 + n}}, "attribute-value-seats", str(10 + n), meta))
            edits.append(edit({"blocked": n == 1}, "blocked-badge", "Blocked" if n == 1 else None, basic))
    assert len(edits) == 20
    return edits


async def section_ids(page: Page) -> dict[str, list[str] | None]:
    ids: dict[str, list[str] | None] = await page.evaluate(SECTION_IDS_JS, SECTIONS)
    ids[TIMELINE] = await page.evaluate(NODE_TOKENS_JS, TIMELINE_ENTRIES)  # entries are drawn from data
    return ids


async def open_tabs(open_agent: OpenAgent, app_server: RunningServer, contact_id: int) -> list[ContactPage]:
    """The same agent's contact page in five browser tabs (contexts sharing the agent's sign-in)."""
    agents = [await open_agent() for _ in range(TABS)]
    views = [ContactPage(page=agent.page, base_url=app_server.url) for agent in agents]
    for view in views:
        await view.open(contact_id)
    return views


async def apply_remote_edits(
    views: list[ContactPage], api: httpx.AsyncClient, contact_id: int
) -> list[tuple[RemoteEdit, list[dict[str, list[str] | None]], list[dict[str, list[str] | None]]]]:
    """Send the twenty edits one by one; each tab shows each one. Returns the section ids before and after each."""
    record = []
    before = [await section_ids(view.page) for view in views]
    for edit in twenty_edits(contact_id):
        entries = await views[0].page.locator(TIMELINE_ENTRIES).count()
        await edit.send(api, contact_id)
        for view in views:
            shown = view.testid(edit.testid)
            if edit.text is None:
                await expect(shown).to_be_hidden(timeout=LIVE_TIMEOUT_MS)
            else:
                await expect(shown).to_contain_text(edit.text, timeout=LIVE_TIMEOUT_MS)
            # The activity trail gains the change's entry: nothing the edit sets off is still on its way.
            await expect(view.page.locator(TIMELINE_ENTRIES)).to_have_count(entries + 1, timeout=LIVE_TIMEOUT_MS)
        after = [await section_ids(view.page) for view in views]
        record.append((edit, before, after))
        before = after
    return record


async def test_twenty_remote_edits_reach_five_tabs_and_basic_info_and_banner_keep_their_elements(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="In Place 0", custom_attributes={"account_manager": "Manager 0"})
    views = await open_tabs(open_agent, app_server, contact["id"])
    record = await apply_remote_edits(views, api, contact["id"])

    shown = {"contact-name", "contact-email"}  # what the new contact has: built when the page opened
    for change, before, after in record:
        first = change.text is not None and change.testid not in shown
        if change.text is not None:
            shown.add(change.testid)
        for tab, (old, new) in enumerate(zip(before, after, strict=True)):
            for section in ("contact-banner", "section-basic-info"):
                previous, current = old[section], new[section]
                assert previous and current is not None, f"tab {tab}: {section} gone"
                if first and section == "section-basic-info":
                    # A part the contact did not have yet (the phone line, the company, the blocked badge) is built
                    # the first time it is shown: elements added, every other one kept.
                    assert [i for i in current if i in previous] == previous, (
                        f"tab {tab}: {section} rebuilt by the edit first showing {change.testid}"
                    )
                    continue
                assert current == previous, f"tab {tab}: {section} rebuilt by the edit showing {change.text!r}"
    # And at the end every tab shows every last value.
    for view in views:
        await expect(view.name).to_have_text("In Place 4")
        await expect(view.testid("contact-email")).to_have_text(f"in-place-{contact['id']}-3@example.com")
        await expect(view.testid("contact-company")).to_have_text("Company 3")
        await expect(view.testid("attribute-value-account_manager")).to_have_text("Manager 3")
        await expect(view.testid("blocked-badge")).to_be_hidden()


async def test_twenty_remote_edits_leave_every_untouched_section_as_it_was(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    """The other sections too: one an edit does not touch keeps its elements; the activity trail only gains one."""
    contact = app_server.create_contact(name="In Place 0", custom_attributes={"account_manager": "Manager 0"})
    views = await open_tabs(open_agent, app_server, contact["id"])
    record = await apply_remote_edits(views, api, contact["id"])

    rebuilt = []
    for change, before, after in record:
        for tab, (old, new) in enumerate(zip(before, after, strict=True)):
            for section in SECTIONS:
                if section not in change.touches and new[section] != old[section]:
                    rebuilt.append(f"tab {tab}: {section} rebuilt by the edit showing {change.text!r}")
            if not set(old[TIMELINE] or []) <= set(new[TIMELINE] or []):
                rebuilt.append(f"tab {tab}: activity trail entries rebuilt by the edit showing {change.text!r}")
    assert not rebuilt, "\n".join(rebuilt[:20]) + f"\n({len(rebuilt)} in all)"


async def test_a_half_typed_value_survives_a_remote_change_to_another_field(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Typing Agent", phone_number="+442079460200")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    await view.open_edit_form()
    name = view.field("name")
    await name.click()
    await name.press("End")
    await name.press_sequentially(" Half typ")
    await name.press("ArrowLeft")
    await name.press("ArrowLeft")

    (await api.put(f"/contacts/{contact['id']}", json={"phone_number": "+442079460299"})).raise_for_status()

    await expect(view.testid("contact-phone")).to_have_text("+44 20 7946 0299", timeout=LIVE_TIMEOUT_MS)
    # The field nobody is typing in follows the change; the one being typed in keeps value, focus and caret.
    await expect(view.field("phone-number")).to_have_value("+442079460299", timeout=LIVE_TIMEOUT_MS)
    await asyncio.sleep(0.3)  # anything the change sets off has reached the page
    await expect(view.edit_form).to_be_visible()
    await expect(name).to_have_value("Typing Agent Half typ")
    focused = await view.page.evaluate(
        "() => [document.activeElement?.dataset?.testid, document.activeElement?.selectionStart]"
    )
    assert focused == ["field-name", len("Typing Agent Half t")]
    await view.page.keyboard.type("X")
    await expect(name).to_have_value("Typing Agent Half tXyp")
