"""The contact details page as the tests see it: where things are and how to wait for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from playwright.async_api import Locator, Page, expect

from tests.browser.agents import OpenAgent
from tests.support.processes import RunningServer

# Resolves true once the panel's DOM has had no nodes added or removed for `quiet` ms, false after `limit` ms.
SETTLED_JS = """
([quiet, limit]) => new Promise((resolve) => {
    const root = document.querySelector('[data-testid="contact-panel"]') || document.body;
    const finish = (settled) => { observer.disconnect(); clearTimeout(timer); clearTimeout(cap); resolve(settled); };
    const restart = () => { clearTimeout(timer); timer = setTimeout(() => finish(true), quiet); };
    const observer = new MutationObserver(restart);
    let timer = setTimeout(() => finish(true), quiet);
    const cap = setTimeout(() => finish(false), limit);
    observer.observe(root, { childList: true, subtree: true });
})
"""


# The DOM nodes matching a selector, each as a token it keeps for as long as the node lives: a node drawn again
# (not just updated) gets a new one. For elements drawn in the browser from data, which have no NiceGUI id.
NODE_TOKENS_JS = """
(selector) => {
  const tokens = window.__nodeTokens || (window.__nodeTokens = { map: new WeakMap(), next: 0 });
  return Array.from(document.querySelectorAll(selector)).map((node) => {
    if (!tokens.map.has(node)) tokens.map.set(node, `node-${++tokens.next}`);
    return tokens.map.get(node);
  });
}
"""


@dataclass(kw_only=True)
class ContactPage:
    """One browser page showing a contact (`/contacts/{id}` or `/conversations/{id}/contact`)."""

    page: Page
    base_url: str

    async def open(self, contact_id: int) -> None:
        await self.page.goto(f"{self.base_url}/contacts/{contact_id}")
        await self.wait_loaded()

    async def open_from_conversation(self, display_id: int) -> None:
        await self.page.goto(f"{self.base_url}/conversations/{display_id}/contact")
        await self.wait_loaded()

    async def wait_loaded(self) -> None:
        """Every section has replaced its skeleton or spinner with content, and the panel stopped re-rendering.

        The panel rebuilds its sections on every store change; while the page's fetches land, a
        click may hit a button that is replaced before the server sees the click. A tab of an agent
        whose store already holds the contact shows no skeletons at all, hence the quiet period.
        """
        await expect(self.testid("contact-name")).to_be_visible()
        panel = self.testid("contact-panel")
        await expect(panel.locator(".q-skeleton:visible")).to_have_count(0)
        await expect(panel.locator(".q-spinner:visible")).to_have_count(0)  # a section re-fetching shows a spinner
        assert await self.page.evaluate(SETTLED_JS, [500, 10_000]), "the contact panel kept re-rendering"

    def testid(self, name: str) -> Locator:
        return self.page.locator(f'[data-testid="{name}"]')

    @property
    def name(self) -> Locator:
        return self.testid("contact-name")

    @property
    def edit_form(self) -> Locator:
        return self.testid("edit-form")

    def field(self, slug: str) -> Locator:
        """The native input of an edit-form field (Quasar puts the test id on the <input> itself)."""
        return self.edit_form.locator(f'[data-testid="field-{slug}"]')

    def field_box(self, slug: str) -> Locator:
        """The whole Quasar field around that input, where its validation message shows."""
        return self.edit_form.locator("label.q-field").filter(has=self.page.locator(f'[data-testid="field-{slug}"]'))

    async def open_edit_form(self) -> None:
        await self.testid("edit-contact").click()
        await expect(self.edit_form).to_be_visible()

    @property
    def save_button(self) -> Locator:
        return self.testid("edit-save")

    def toast(self, text: str) -> Locator:
        return self.page.locator(".q-notification").filter(has_text=text)


async def opened(open_agent: OpenAgent, app_server: RunningServer, contact_id: int, **options: Any) -> ContactPage:
    """A new agent's browser (`open_agent`'s options) showing the contact, loaded."""
    agent = await open_agent(**options)
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact_id)
    return view


async def stored_contact(api: httpx.AsyncClient, contact_id: int) -> dict[str, Any] | None:
    """The contact as the server has it now (through the `api` fixture); None once it is gone."""
    answer = await api.get(f"/contacts/{contact_id}")
    if answer.status_code == 404:
        return None
    payload: dict[str, Any] = answer.raise_for_status().json()["payload"]
    return payload
