"""Editing a contact in the browser: validation before sending, saving, and two agents editing at once."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from api.demo import AGENT
from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SAVED = "Contact updated successfully"
INVALID_EMAIL = "Enter a valid email address"
THEIR_NAME = "Name saved by the agent"
MY_NAME = "Name typed by the admin"


async def updates(api: httpx.AsyncClient, contact_id: int) -> list[dict[str, Any]]:
    """The `updated` entries of the contact's activity trail: one per field the server changed."""
    events = (await api.get(f"/contacts/{contact_id}/events")).raise_for_status().json()["payload"]
    return [event for event in events if event["kind"] == "updated"]


async def stored(api: httpx.AsyncClient, contact_id: int) -> dict[str, Any]:
    contact: dict[str, Any] = (await api.get(f"/contacts/{contact_id}")).raise_for_status().json()["payload"]
    return contact


async def test_invalid_email_shows_the_error_and_sends_nothing(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Invalid Email Case")
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    await view.open_edit_form()

    await view.field("email").fill("not-an-email@")

    await expect(view.field_box("email")).to_contain_text(INVALID_EMAIL)
    await expect(view.save_button).to_be_disabled()
    await view.field("email").press("Enter")  # Enter saves a valid form; this one must stay open
    await expect(view.edit_form).to_be_visible()
    await expect(view.field_box("email")).to_contain_text(INVALID_EMAIL)
    await expect(view.testid("saving")).to_be_hidden()

    # The agent corrects the address and changes the name. That save is the first and only one the
    # server sees, so nothing sent for the invalid address could hide behind a slow response.
    await view.field("email").fill(contact["email"])
    await expect(view.field_box("email")).not_to_contain_text(INVALID_EMAIL)
    await view.field("name").fill("Invalid Email Case, fixed")
    await expect(view.save_button).to_be_enabled()
    await view.save_button.click()
    await expect(view.toast(SAVED)).to_be_visible()
    await expect(view.name).to_have_text("Invalid Email Case, fixed")
    await expect(view.testid("contact-email")).to_have_text(contact["email"])

    saved = await stored(api, contact["id"])
    assert saved["email"] == contact["email"]
    assert saved["additional_attributes"] == contact["additional_attributes"]  # untouched fields not sent
    changes = [(u["field"], u["old_value"], u["new_value"]) for u in await updates(api, contact["id"])]
    assert changes == [("name", "Invalid Email Case", "Invalid Email Case, fixed")]


async def test_valid_edit_shows_the_toast_and_is_saved_on_the_server(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Valid Edit Case")
    new_email = f"edited-{uuid.uuid4().hex[:10]}@example.com"
    agent = await open_agent()
    view = ContactPage(page=agent.page, base_url=app_server.url)
    await view.open(contact["id"])
    await view.open_edit_form()

    await view.field("email").fill(f"  {new_email.upper()}  ")
    await view.field("phone-number").fill("+14155552671")
    await view.field("additional-attributes-company-name").fill("Difference Engines plc")
    await expect(view.save_button).to_be_enabled()
    await view.save_button.click()

    await expect(view.toast(SAVED)).to_be_visible()
    await expect(view.edit_form).to_be_hidden()
    await expect(view.testid("contact-email")).to_have_text(new_email)
    await expect(view.testid("contact-phone")).to_have_text("+1 415-555-2671")
    await expect(view.testid("contact-panel").get_by_text("Difference Engines plc", exact=True)).to_be_visible()

    saved = await stored(api, contact["id"])
    assert saved["email"] == new_email
    assert saved["phone_number"] == "+14155552671"
    assert saved["additional_attributes"]["company_name"] == "Difference Engines plc"
    assert saved["name"] == "Valid Edit Case"
    assert saved["additional_attributes"] == {"company_name": "Difference Engines plc"}
    fields = {u["field"] for u in await updates(api, contact["id"])}
    assert fields == {"email", "phone_number", "additional_attributes.company_name"}

    # After a reload the page shows what the server has, not what the tab remembered.
    await agent.page.reload()
    await view.wait_loaded()
    await expect(view.testid("contact-email")).to_have_text(new_email)


async def test_second_agent_saving_the_field_being_edited_opens_the_conflict_dialog(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Conflict Case")
    first = await open_agent()
    second = await open_agent(AGENT)
    mine = ContactPage(page=first.page, base_url=app_server.url)
    theirs = ContactPage(page=second.page, base_url=app_server.url)
    await mine.open(contact["id"])
    await theirs.open(contact["id"])

    await mine.open_edit_form()
    await mine.field("name").fill(MY_NAME)  # not saved

    await theirs.open_edit_form()
    await theirs.field("name").fill(THEIR_NAME)
    await theirs.save_button.click()
    await expect(theirs.toast(SAVED)).to_be_visible()

    dialog = mine.testid("conflict-dialog")
    try:
        await expect(dialog).to_be_visible()  # pushed live over the websocket
    except AssertionError:
        await mine.save_button.click()  # no live push: saving with the stale ETag must end here too (409)
        await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(THEIR_NAME)
    await expect(mine.name).not_to_have_text(MY_NAME)

    await mine.testid("conflict-reload").click()
    await expect(dialog).to_be_hidden()
    await expect(mine.name).to_have_text(THEIR_NAME)
    # Reload dropped the admin's typing: a form still open shows their name, and saving it changes nothing.
    if await mine.edit_form.is_visible():
        await expect(mine.field("name")).to_have_value(THEIR_NAME)
        await mine.save_button.click()
        await expect(mine.edit_form).to_be_hidden()
    await expect(mine.name).to_have_text(THEIR_NAME)

    assert (await stored(api, contact["id"]))["name"] == THEIR_NAME
    assert [u["new_value"] for u in await updates(api, contact["id"]) if u["field"] == "name"] == [THEIR_NAME]
