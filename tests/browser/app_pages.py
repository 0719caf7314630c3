"""Every page of the app, as the layout and accessibility tests visit them: where it is and when it is shown."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from playwright.async_api import Page, expect

from tests.browser.contact_page import ContactPage

DEMO_CONVERSATION = 1  # a demo conversation whose contact has a conversation history, notes and a timeline


@dataclass(frozen=True, kw_only=True, slots=True)
class AppPage:
    """One page: `path` may name `{conversation}` and `{contact}`; `shown` is visible once its content is."""

    name: str
    path: str
    shown: str
    contact_panel: bool = False
    header: bool = True
    signed_in: bool = True


PAGES = (
    AppPage(name="login", path="/login", shown="input[data-testid=login-email]", signed_in=False),
    AppPage(name="contacts", path="/contacts", shown="[data-testid^=contact-row-]"),
    AppPage(name="conversations", path="/conversations", shown="[data-testid^=conversation-link-]"),
    AppPage(
        name="conversation", path="/conversations/{conversation}", shown="[data-testid=messages]", contact_panel=True
    ),
    AppPage(name="contact", path="/contacts/{contact}", shown="[data-testid=contact-name]", contact_panel=True),
    AppPage(
        name="conversation-contact",
        path="/conversations/{conversation}/contact",
        shown="[data-testid=contact-name]",
        contact_panel=True,
    ),
    AppPage(
        name="embed",
        path="/embed/contacts/{contact}",
        shown="[data-testid=contact-name]",
        contact_panel=True,
        header=False,
    ),
)
PAGE_NAMES = [page.name for page in PAGES]
PAGES_BY_NAME = {page.name: page for page in PAGES}


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoIds:
    conversation: int
    contact: int


async def demo_ids(api: httpx.AsyncClient) -> DemoIds:
    """The demo conversation and its contact."""
    found = (await api.get(f"/conversations/{DEMO_CONVERSATION}")).raise_for_status().json()
    return DemoIds(conversation=DEMO_CONVERSATION, contact=int(found["meta"]["sender"]["id"]))


async def show(page: Page, base_url: str, app_page: AppPage, ids: DemoIds) -> None:
    """Open the page and wait until it shows its content (a contact panel: every section loaded and settled)."""
    await page.goto(base_url + app_page.path.format(conversation=ids.conversation, contact=ids.contact))
    await expect(page.locator(app_page.shown).first).to_be_visible()
    if app_page.contact_panel:
        await ContactPage(page=page, base_url=base_url).wait_loaded()


async def switch_to_dark(page: Page) -> None:
    """The header's theme toggle: the browser's choice, kept in its server-side storage (and across sign-in)."""
    await page.get_by_test_id("theme-toggle").click()
    await expect(page.locator("body.body--dark")).to_be_attached()
