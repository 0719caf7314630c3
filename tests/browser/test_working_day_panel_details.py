"""The panel shows what the contact has (identifier, company, city, country, bio, dates; email and phone as
mailto:/tel: links), never rows of "not set", and keeps it current in place (issue 11, "Show what exists")."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from state.i18n import format_datetime
from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

LIVE_TIMEOUT_MS = 10_000
# CLDR's medium date and short time, in UTC: English `Nov 26, 2026, 8:21 AM UTC`, German `26.11.2026, 08:21 UTC`.
ENGLISH_EXACT_TIME = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\u202f[AP]M UTC$")
GERMAN_EXACT_TIME = re.compile(r"^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} UTC$")
BASIC_IDS_JS = """
() => {
  const root = document.querySelector('[data-testid="section-basic-info"]');
  return [root, ...root.querySelectorAll('[id]')].map((e) => e.id).filter((id) => /^c\\d+$/.test(id)).sort();
}
"""
FACTS = ("contact-identifier", "contact-city", "contact-country", "contact-description", "contact-company")


def own_phone(contact_id: int, prefix: str = "7945") -> tuple[str, str]:
    """A London number of this contact's own (numbers are unique in an account): as shown, and in E.164."""
    local = f"{contact_id % 10_000:04d}"
    return f"+44 20 {prefix} {local}", f"+4420{prefix}{local}"


async def basic_ids(page: Page) -> list[str]:
    ids: list[str] = await page.evaluate(BASIC_IDS_JS)
    return ids


async def test_every_known_field_is_on_the_panel_as_text_with_links_for_email_and_phone(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Shown Details")
    shown_phone, phone = own_phone(contact["id"])
    email = f"Shown.{contact['id']}@Example.com"
    bio = "Buys <b>in bulk</b>\nprefers email"
    attributes = {"company_name": "Details & Co", "city": "Lisbon", "country": "Portugal", "description": bio}
    (
        await api.put(
            f"/contacts/{contact['id']}",
            json={"email": email, "phone_number": phone, "identifier": f"cust-{contact['id']}"}
            | {"additional_attributes": attributes},
        )
    ).raise_for_status()
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])

    await expect(view.testid("contact-identifier")).to_have_text(f"cust-{contact['id']}")
    await expect(view.testid("contact-company")).to_have_text("Details & Co")
    await expect(view.testid("contact-city")).to_have_text("Lisbon")
    await expect(view.testid("contact-country")).to_have_text("Portugal")
    # The bio is text: its markup shows as typed, nothing of it is drawn as HTML, and its line break stays.
    await expect(view.testid("contact-description")).to_have_text(bio)
    assert await view.testid("contact-description").locator("b").count() == 0
    assert await view.testid("contact-description").inner_text() == bio
    # Each fact is named on the panel, so it is clear what "Lisbon" is.
    await expect(view.testid("section-basic-info")).to_contain_text("City")
    await expect(view.testid("section-basic-info")).to_contain_text("Bio")

    stored_email = email.lower()
    await expect(view.testid("contact-email")).to_have_text(stored_email)
    await expect(view.testid("email-link")).to_have_attribute("href", f"mailto:{stored_email}")
    await expect(view.testid("contact-phone")).to_have_text(shown_phone)
    await expect(view.testid("phone-link")).to_have_attribute("href", f"tel:{phone}")
    # Beside the copy buttons, and named for a screen reader.
    await expect(view.testid("email-link")).to_have_accessible_name("Send email")
    await expect(view.testid("phone-link")).to_have_accessible_name("Call")
    await expect(view.testid("copy-email")).to_be_visible()

    created = view.testid("contact-created")
    await expect(created).to_have_text(re.compile(r"^Created (just now|a minute ago|\d+ minutes ago)$"))
    title = await created.get_attribute("title")
    assert title == format_datetime(contact["created_at"], "en") and ENGLISH_EXACT_TIME.match(title)


async def test_last_activity_shows_relative_with_the_exact_time_on_hover_in_the_agents_language(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    ada = (await api.get("/contacts/1")).raise_for_status().json()["payload"]
    assert ada["last_activity_at"], "the demo's Ada has conversations"
    agent = await open_agent(locale="de-DE")
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(1)

    active = view.testid("contact-last-activity")
    await expect(active).to_have_text(re.compile(r"^Zuletzt aktiv (gerade eben|vor .+)$"))
    title = await active.get_attribute("title")
    assert title == format_datetime(ada["last_activity_at"], "de") and GERMAN_EXACT_TIME.match(title)
    await expect(view.testid("contact-created")).to_have_text(re.compile(r"^Erstellt "))


async def test_empty_fields_are_not_shown(open_agent: OpenAgent, app_server: RunningServer) -> None:
    contact = app_server.create_contact(name="Sparse Details", email=None)
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])

    for part in ("contact-email", "contact-phone", "email-link", "phone-link", "copy-email", *FACTS):
        await expect(view.testid(part)).to_have_count(0)  # not even built: most contacts lack most of these
    section = view.testid("section-basic-info")
    await expect(section).not_to_contain_text("No email")
    await expect(section).not_to_contain_text("No phone")
    await expect(view.testid("contact-created")).to_be_visible()


async def test_a_field_set_live_is_built_in_its_place_and_then_updated_in_place(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Live Details", identifier=None)
    _, phone = own_phone(contact["id"], prefix="7944")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    before = await basic_ids(agent.page)

    async def put(fields: dict[str, object]) -> None:
        (await api.put(f"/contacts/{contact['id']}", json=fields)).raise_for_status()

    await put({"additional_attributes": {"city": "Porto"}})
    await expect(view.testid("contact-city")).to_have_text("Porto", timeout=LIVE_TIMEOUT_MS)
    first = await basic_ids(agent.page)
    assert first == before, "what was there stays, in place"
    # The city is drawn by the facts' element, which was there before it: one element for all the facts.
    facts = view.testid("contact-facts")
    assert await facts.get_attribute("id") in before
    await expect(facts.get_by_test_id("contact-city")).to_have_text("Porto")

    await put({"additional_attributes": {"city": "Faro"}, "phone_number": phone})
    await expect(view.testid("contact-city")).to_have_text("Faro", timeout=LIVE_TIMEOUT_MS)
    await expect(view.testid("phone-link")).to_have_attribute("href", f"tel:{phone}", timeout=LIVE_TIMEOUT_MS)
    # The phone line goes between the email and the city, where it belongs, however late it came.
    order = await agent.page.evaluate(
        """() => ['contact-email', 'contact-phone', 'contact-city'].map((id) =>
            document.querySelector(`[data-testid="${id}"]`).getBoundingClientRect().top)"""
    )
    assert order == sorted(order)
    second = await basic_ids(agent.page)
    assert set(first) < set(second)

    await put({"additional_attributes": {"city": "Braga"}})
    await expect(view.testid("contact-city")).to_have_text("Braga", timeout=LIVE_TIMEOUT_MS)
    assert await basic_ids(agent.page) == second, "a change to a shown field updates it in place"

    await put({"additional_attributes": {"city": ""}})
    await expect(view.testid("contact-city")).to_be_hidden(timeout=LIVE_TIMEOUT_MS)
