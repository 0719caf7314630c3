"""Attributes, labels and social profiles update in place: live changes keep the elements the agent sees and uses."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from api.validation import MAX_ATTRIBUTE_BYTES, attribute_bytes
from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

LIVE_TIMEOUT_MS = 10_000
SAVED = "Contact updated successfully"
NOT_SAVED = "Could not update the contact"

# The NiceGUI element id (`c123`) of every keyed item of the section, by its test id.
IDS_JS = """
() => Object.fromEntries(
    [...document.querySelectorAll(
        '[data-testid="attributes"] > [data-testid^="attribute-"],'
        + ' [data-testid="labels"] > [data-testid^="label-"],'
        + ' [data-testid="social-profiles"] > [data-testid^="social-"]'
    )].map((element) => [element.dataset.testid, element.id])
)
"""


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


async def element_ids(page: Page) -> dict[str, str]:
    ids: dict[str, str] = await page.evaluate(IDS_JS)
    return ids


def app_log(app_server: RunningServer) -> str:
    return Path(app_server.log_path or "").read_text(encoding="utf-8", errors="replace")


async def open_contact(open_agent: OpenAgent, app_server: RunningServer, contact_id: int) -> ContactPage:
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact_id)
    return view


def meta_contact(app_server: RunningServer, **fields: Any) -> dict[str, Any]:
    return app_server.create_contact(
        name=unique("In Place"),
        custom_attributes={"seats": 3, "plan": "free", "region": "EMEA", "tier": "gold"},
        additional_attributes={"social_profiles": {"github": "ada", "twitter": "ada_l"}},
        **fields,
    )


async def test_a_remote_attribute_change_updates_only_its_row_in_place(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = meta_contact(app_server)
    (await api.post(f"/contacts/{contact['id']}/labels", json={"labels": ["vip", "billing"]})).raise_for_status()
    view = await open_contact(open_agent, app_server, contact["id"])
    await expect(view.testid("label-billing")).to_be_visible()
    before = await element_ids(view.page)
    assert {"attribute-seats", "attribute-region", "label-vip", "social-github", "social-twitter"} <= set(before)

    (await api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {"seats": 7}})).raise_for_status()
    await expect(view.testid("attribute-value-seats")).to_have_text("7", timeout=LIVE_TIMEOUT_MS)
    assert await element_ids(view.page) == before  # the changed row too: updated, not rebuilt

    (await api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {"zone": "north"}})).raise_for_status()
    await expect(view.testid("attribute-value-zone")).to_have_text("north", timeout=LIVE_TIMEOUT_MS)
    added = await element_ids(view.page)
    assert set(added) - set(before) == {"attribute-zone"}
    assert {key: added[key] for key in before} == before

    destroy = await api.post(
        f"/contacts/{contact['id']}/destroy_custom_attributes", json={"custom_attributes": ["region"]}
    )
    destroy.raise_for_status()
    await expect(view.testid("attribute-region")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    removed = await element_ids(view.page)
    assert removed == {key: value for key, value in added.items() if key != "attribute-region"}

    social = {"additional_attributes": {"social_profiles": {"github": "ada", "twitter": "ada_l", "linkedin": "ada-l"}}}
    (await api.put(f"/contacts/{contact['id']}", json=social)).raise_for_status()
    await expect(view.testid("social-linkedin")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    linked = await element_ids(view.page)
    assert set(linked) - set(removed) == {"social-linkedin"}
    assert {key: linked[key] for key in removed} == removed

    (await api.put(f"/contacts/{contact['id']}", json={"name": unique("Renamed")})).raise_for_status()
    await expect(view.name).to_contain_text("Renamed", timeout=LIVE_TIMEOUT_MS)
    assert await element_ids(view.page) == linked


async def test_a_label_change_adds_or_removes_only_its_chip_in_every_tab(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = meta_contact(app_server)
    (await api.post(f"/contacts/{contact['id']}/labels", json={"labels": ["vip"]})).raise_for_status()
    view = await open_contact(open_agent, app_server, contact["id"])
    other = ContactPage(page=await view.page.context.new_page(), base_url=app_server.url)  # the agent's second tab
    await other.open(contact["id"])
    before = await element_ids(other.page)

    await view.page.bring_to_front()
    await view.testid("add-label").click()
    await view.page.get_by_role("option", name="billing", exact=True).click()
    await expect(other.testid("label-billing")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    added = await element_ids(other.page)
    assert set(added) - set(before) == {"label-billing"}
    assert {key: added[key] for key in before} == before

    await view.testid("label-vip").locator(".q-chip__icon--remove").click()
    await expect(other.testid("label-vip")).to_have_count(0, timeout=LIVE_TIMEOUT_MS)
    assert await element_ids(other.page) == {key: value for key, value in added.items() if key != "label-vip"}


async def test_a_half_typed_attribute_survives_remote_changes_to_other_fields(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = meta_contact(app_server)
    view = await open_contact(open_agent, app_server, contact["id"])
    await view.testid("attribute-edit-region").click()
    editor = view.page.locator('input[data-testid="attribute-editor-region"]')
    await expect(editor).to_be_focused()
    await editor.press_sequentially("-West")  # after the current value
    await editor.press("ArrowLeft")
    await editor.press("ArrowLeft")
    editor_id = await editor.evaluate("(input) => input.closest('[id^=c]').id")

    (await api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {"seats": 9}})).raise_for_status()
    await expect(view.testid("attribute-value-seats")).to_have_text("9", timeout=LIVE_TIMEOUT_MS)
    (await api.put(f"/contacts/{contact['id']}", json={"name": unique("Renamed")})).raise_for_status()
    await expect(view.name).to_contain_text("Renamed", timeout=LIVE_TIMEOUT_MS)
    await view.page.wait_for_timeout(300)  # any re-render of the section lands meanwhile

    await expect(editor).to_have_value("EMEA-West")
    state = await view.page.evaluate(
        """() => {
            const input = document.activeElement;
            return {testid: input.dataset.testid, caret: input.selectionStart, id: input.closest('[id^=c]').id};
        }"""
    )
    assert state == {"testid": "attribute-editor-region", "caret": len("EMEA-West") - 2, "id": editor_id}


async def test_an_open_label_menu_stays_open_through_a_remote_change(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = meta_contact(app_server)
    view = await open_contact(open_agent, app_server, contact["id"])
    await view.testid("add-label").click()
    menu = view.page.locator(".q-menu")
    await expect(menu).to_be_visible()

    (await api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {"seats": 11}})).raise_for_status()
    await expect(view.testid("attribute-value-seats")).to_have_text("11", timeout=LIVE_TIMEOUT_MS)
    await view.page.wait_for_timeout(300)
    await expect(menu).to_be_visible()


async def test_an_inline_attribute_save_shows_its_toast(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = meta_contact(app_server)
    view = await open_contact(open_agent, app_server, contact["id"])
    await view.testid("attribute-edit-seats").click()
    editor = view.page.locator('input[data-testid="attribute-editor-seats"]')
    await editor.fill("300")
    await editor.press("Enter")

    await expect(view.toast(SAVED)).to_be_visible()
    await expect(view.testid("attribute-value-seats")).to_have_text("300")
    saved = (await api.get(f"/contacts/{contact['id']}")).raise_for_status().json()["payload"]
    assert saved["custom_attributes"]["seats"] == 300
    assert "has been deleted" not in app_log(app_server)


async def test_an_inline_attribute_save_the_server_refuses_shows_its_error_toast(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    # Attributes just under the server's limit for a contact: a longer value passes the agent's checks
    # (they see one field) but is refused by the server (it sees the stored contact).
    value = "x" * 200
    filler: list[str] = []
    attributes: dict[str, Any] = {"custom_attributes": {"filler": filler}, "additional_attributes": {}}
    while attribute_bytes(attributes) < MAX_ATTRIBUTE_BYTES - 250:
        filler.append("y" * 200)
    filler.append("z" * (MAX_ATTRIBUTE_BYTES - 100 - attribute_bytes(attributes) - 3))
    assert MAX_ATTRIBUTE_BYTES - 110 < attribute_bytes(attributes) <= MAX_ATTRIBUTE_BYTES - 100
    contact = app_server.create_contact(name=unique("Nearly Full"), **attributes)
    view = await open_contact(open_agent, app_server, contact["id"])
    await view.testid("attribute-edit-account_manager").click()
    editor = view.page.locator('input[data-testid="attribute-editor-account_manager"]')
    await editor.fill(value)
    await editor.press("Enter")

    await expect(view.toast(NOT_SAVED)).to_be_visible()
    saved = (await api.get(f"/contacts/{contact['id']}")).raise_for_status().json()["payload"]
    assert "account_manager" not in saved["custom_attributes"]
    assert "has been deleted" not in app_log(app_server)
