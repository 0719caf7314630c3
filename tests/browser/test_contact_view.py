"""Viewing a contact in the browser: every section from a conversation, and hostile text staying text."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.agents import Agent, OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SHOWCASE_NOTES = (
    "Key account: decides on renewals for the whole group.",
    "Asked for a roadmap call about reporting",
    "Prefers email; answers within the hour",
)


async def test_contact_opened_from_a_conversation_shows_every_section(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    history = (await api.get("/contacts/1/conversations", params={"page": 1})).raise_for_status().json()
    display_id = history["payload"][0]["id"]
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)

    await view.open_from_conversation(display_id)

    await expect(view.testid("back-to-conversation")).to_have_attribute("href", f"/conversations/{display_id}")
    await expect(view.name).to_have_text("Ada Lovelace")
    await expect(view.testid("contact-email")).to_have_text("ada@example.com")
    await expect(view.testid("contact-phone")).to_have_text("+44 20 7183 8750")
    await expect(view.testid("contact-initials")).to_have_text("AL")

    await expect(view.testid("attribute-value-account_manager")).to_have_text("Alex Admin")
    await expect(view.testid("attribute-value-seats")).to_have_text("250")
    await expect(view.testid("attribute-value-plan")).to_have_text("enterprise")
    await expect(view.testid("attribute-value-newsletter")).to_have_text("Yes")
    crm = view.testid("attribute-crm_url").get_by_role("link")
    await expect(crm).to_have_attribute("href", "https://crm.example.com/contacts/1001")

    for label in ("vip", "enterprise", "billing"):
        await expect(view.testid(f"label-{label}")).to_be_visible()
        await expect(view.testid(f"label-{label}")).to_contain_text(label)

    for network, href in (
        ("github", "https://github.com/ada"),
        ("twitter", "https://twitter.com/ada"),
        ("linkedin", "https://linkedin.com/in/ada-l"),
    ):
        link = view.page.locator(f'a[data-testid="social-{network}"]')
        await expect(link).to_be_visible()
        await expect(link).to_have_attribute("href", href)
    await expect(view.testid("social-facebook")).to_have_count(0)

    await expect(view.testid("history-count")).to_have_text(f"{history['meta']['count']} conversations")
    rows = view.testid("conversation-history").locator('[data-testid^="conversation-"]')
    await expect(rows.first).to_have_attribute("data-testid", f"conversation-{display_id}")
    await expect(rows.first).to_contain_text(f"#{display_id}")
    await expect(rows.nth(1)).to_be_visible()

    for text in SHOWCASE_NOTES:
        await expect(view.page.locator('[data-testid^="note-"]').filter(has_text=text)).to_be_visible()

    timeline = view.testid("activity-timeline")
    await expect(timeline).to_be_visible()
    await expect(timeline.locator('[data-testid^="timeline-"]').first).to_be_visible()
    await expect(timeline.locator('[data-testid="timeline-note_added"]').first).to_contain_text("Note added")


XSS_NAME = "<img src=x onerror=alert(1)>"


async def test_hostile_contact_data_renders_as_text(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    """Markup in any field is shown literally; no handler, script, dialog or javascript: link comes of it."""
    hostile = {
        "company_name": "<script>alert(2)</script>",
        "city": '"><svg onload=alert(3)>',
        "description": "<b onmouseover=alert(4)>bio</b>",
        "account_manager": "<img src=x onerror=alert(5)>",
        "untyped": "{{ constructor.constructor('alert(6)')() }}",
        "note": "<iframe src=javascript:alert(7)></iframe>",
        "identifier": f"<a href=javascript:alert(8)>id-{uuid.uuid4().hex[:6]}</a>",
    }
    email = f"xss-{uuid.uuid4().hex[:10]}@example.com"
    contact = app_server.create_contact(
        name=XSS_NAME,
        email=email,
        identifier=hostile["identifier"],
        additional_attributes={
            "company_name": hostile["company_name"],
            "description": hostile["description"],
            "social_profiles": {
                "github": "javascript:alert(1)",
                "twitter": "javascript://example.com/%0Aalert(1)",
                "linkedin": "<img src=x onerror=alert(9)>",
            },
        },
        custom_attributes={"account_manager": hostile["account_manager"], "untyped": hostile["untyped"]},
    )
    contact_id = contact["id"]
    # A change after creation, so the activity timeline shows hostile old/new values too.
    changed = await api.put(f"/contacts/{contact_id}", json={"additional_attributes": {"city": hostile["city"]}})
    changed.raise_for_status()
    (await api.post(f"/contacts/{contact_id}/notes", json={"content": hostile["note"]})).raise_for_status()

    agent = await open_agent()
    page = agent.page
    view = ContactPage(page=page, base_url=app_server.url)
    await view.open(contact_id)

    await expect(view.name).to_have_text(XSS_NAME)
    panel = view.testid("contact-panel")
    await expect(panel.get_by_text(hostile["company_name"], exact=True)).to_be_visible()
    await expect(view.testid("attribute-value-account_manager")).to_have_text(hostile["account_manager"])
    await expect(view.testid("attribute-value-untyped")).to_have_text(hostile["untyped"])
    await expect(page.locator('[data-testid^="note-"]').filter(has_text=hostile["note"])).to_be_visible()
    await expect(view.testid("social-github")).to_have_text("GitHub: javascript:alert(1)")
    await expect(view.testid("social-twitter")).to_have_text("Twitter: javascript://example.com/%0Aalert(1)")
    await expect(view.testid("social-linkedin")).to_have_text("LinkedIn: <img src=x onerror=alert(9)>")
    await expect(view.testid("activity-timeline")).to_contain_text(hostile["city"])

    await view.open_edit_form()
    await expect(view.field("name")).to_have_value(XSS_NAME)
    await expect(view.field("identifier")).to_have_value(hostile["identifier"])
    await expect(view.field("additional-attributes-description")).to_have_value(hostile["description"])
    await expect(view.field("additional-attributes-city")).to_have_value(hostile["city"])
    await view.testid("edit-cancel").click()
    await expect(view.edit_form).to_be_hidden()

    await assert_nothing_became_markup(agent)

    # The contacts list renders names through its own table slot.
    await page.goto(f"{app_server.url}/contacts?q={email}")
    await expect(page.locator(f'[data-testid="contact-row-{contact_id}"]')).to_have_text(XSS_NAME)
    await assert_nothing_became_markup(agent)


async def assert_nothing_became_markup(agent: Agent) -> None:
    page = agent.page
    await expect(page.locator("img[src=x], img[src='x']")).to_have_count(0)
    await expect(page.locator("[onerror], [onload], [onmouseover]")).to_have_count(0)
    await expect(page.locator("iframe")).to_have_count(0)
    await expect(page.locator('a[href^="javascript:" i], iframe[src^="javascript:" i]')).to_have_count(0)
    await expect(page.locator("#main script, [data-testid=contact-panel] script")).to_have_count(0)
    assert not await page.evaluate("() => [...document.querySelectorAll('b')].some(b => b.textContent === 'bio')")
    assert agent.dialogs == [], f"a dialog fired: {agent.dialogs}"
