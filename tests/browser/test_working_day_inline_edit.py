"""Name, email and phone are edited in place on the panel: click or Enter to edit, Enter saves, Esc cancels, with
the edit dialog's validation (issue 11, "Inline edit")."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from playwright.async_api import Locator, expect

from state.i18n import t
from tests.browser.agents import OpenAgent
from tests.browser.contact_page import ContactPage, opened
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

SAVED = "Contact updated successfully"
LIVE_TIMEOUT_MS = 10_000


def inline_input(view: ContactPage, slug: str) -> Locator:
    """The native <input> of an inline editor (Quasar puts the test id on it)."""
    return view.page.locator(f'input[data-testid="inline-{slug}"]')


def inline_box(view: ContactPage, slug: str) -> Locator:
    """The Quasar field around it, where its validation message shows."""
    return view.page.locator("label.q-field").filter(has=inline_input(view, slug))


async def stored(api: httpx.AsyncClient, contact_id: int) -> dict[str, Any]:
    contact: dict[str, Any] = (await api.get(f"/contacts/{contact_id}")).raise_for_status().json()["payload"]
    return contact


async def put_fields(api: httpx.AsyncClient, contact_id: int, fields: dict[str, Any]) -> None:
    (await api.put(f"/contacts/{contact_id}", json=fields)).raise_for_status()


async def test_a_click_on_the_email_edits_it_and_enter_saves_it(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Inline Email")
    view = await opened(open_agent, app_server, contact["id"])
    new_email = f"inline-{contact['id']}@example.com"  # emails are unique in an account: this contact's own

    await view.testid("contact-email").click()
    field = inline_input(view, "email")
    await expect(field).to_be_focused()
    await expect(field).to_have_value(contact["email"])
    await field.fill(new_email)
    await field.press("Enter")

    await expect(view.toast(SAVED)).to_be_visible()
    await expect(field).to_have_count(0)
    await expect(view.testid("contact-email")).to_have_text(new_email)
    await expect(view.testid("email-link")).to_have_attribute("href", f"mailto:{new_email}")
    assert (await stored(api, contact["id"]))["email"] == new_email


async def test_enter_on_the_focused_name_edits_it_from_the_keyboard(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Keyboard Name")
    view = await opened(open_agent, app_server, contact["id"])
    name = view.name

    # A button-like control with a name that says what it does, and a visible focus ring.
    await expect(name).to_have_attribute("role", "button")
    await expect(name).to_have_accessible_name("Edit name: Keyboard Name")
    await name.focus()
    outline = await name.evaluate("(e) => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
    assert outline == ["solid", "2px"]
    await view.page.keyboard.press("Enter")
    field = inline_input(view, "name")
    await expect(field).to_be_focused()
    await view.page.keyboard.press("End")
    await view.page.keyboard.type(" Renamed")
    await view.page.keyboard.press("Enter")

    await expect(view.toast(SAVED)).to_be_visible()
    await expect(name).to_have_text("Keyboard Name Renamed")
    await expect(name).to_be_focused()  # the focus is back where the agent was
    assert (await stored(api, contact["id"]))["name"] == "Keyboard Name Renamed"


async def test_escape_cancels_and_leaves_the_value_as_it_was(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Escaped Phone")
    phone = f"+44207943{contact['id'] % 10_000:04d}"  # phone numbers are unique in an account: this contact's own
    await put_fields(api, contact["id"], {"phone_number": phone})
    view = await opened(open_agent, app_server, contact["id"])
    shown = await view.testid("contact-phone").inner_text()

    await view.testid("contact-phone").click()
    field = inline_input(view, "phone-number")
    await field.fill("+44 20 7000 0000")
    await field.press("Escape")

    await expect(field).to_have_count(0)
    await expect(view.testid("contact-phone")).to_have_text(shown)
    await expect(view.testid("contact-phone")).to_be_focused()
    await asyncio.sleep(0.5)  # anything sent would have arrived by now
    assert (await stored(api, contact["id"]))["phone_number"] == phone
    await expect(view.toast(SAVED)).to_have_count(0)


async def test_a_phone_typed_with_spaces_is_saved_in_e164(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Inline Phone")
    local = f"{contact['id'] % 10_000:04d}"
    typed, e164 = f"+44 20 7942 {local}", f"+44207942{local}"
    await put_fields(api, contact["id"], {"phone_number": f"+44207941{local}"})
    view = await opened(open_agent, app_server, contact["id"])

    await view.testid("contact-phone").click()
    field = inline_input(view, "phone-number")
    await field.fill(typed)
    await expect(inline_box(view, "phone-number")).not_to_contain_text("Enter a valid phone number")
    await field.press("Enter")

    await expect(view.testid("contact-phone")).to_have_text(typed)
    await expect(view.testid("phone-link")).to_have_attribute("href", f"tel:{e164}")
    await expect(view.toast(SAVED)).to_be_visible()
    assert (await stored(api, contact["id"]))["phone_number"] == e164


@pytest.mark.parametrize("width", [1440, 390])
async def test_an_invalid_email_shows_the_translated_error_and_sends_nothing(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, width: int
) -> None:
    """Typed and Enter pressed at once (a script's speed): what the input holds is checked, not an older copy."""
    contact = app_server.create_contact(name="Invalid Inline")
    view = await opened(open_agent, app_server, contact["id"], locale="de-DE", viewport={"width": width, "height": 900})
    before = await stored(api, contact["id"])

    await expect(view.testid("contact-email")).to_have_accessible_name(f"E-Mail bearbeiten: {contact['email']}")
    await view.testid("contact-email").click()
    field = inline_input(view, "email")
    await field.fill("not an email")
    await field.press("Enter")

    await expect(inline_box(view, "email")).to_contain_text(t("ERRORS.INVALID_EMAIL", "de"))
    await asyncio.sleep(0.5)  # anything sent would have arrived by now
    await expect(field).to_be_visible()
    await expect(field).to_have_value("not an email")
    assert await stored(api, contact["id"]) == before
    await expect(view.testid("contact-email")).to_be_hidden()


async def test_an_email_the_server_refuses_reopens_the_input_with_its_reason(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    taken = app_server.create_contact(name="Holder Of The Email")["email"]
    contact = app_server.create_contact(name="Refused Inline")
    view = await opened(open_agent, app_server, contact["id"])

    await view.testid("contact-email").click()
    await inline_input(view, "email").fill(taken)
    await inline_input(view, "email").press("Enter")

    await expect(inline_box(view, "email")).to_contain_text("Already used by another contact")
    await expect(inline_input(view, "email")).to_have_value(taken)
    await expect(view.testid("contact-email")).to_be_hidden()
    assert (await stored(api, contact["id"]))["email"] == contact["email"]
    # Esc gives up: the value as it is stored, and no leftover typing offered as a draft.
    await inline_input(view, "email").press("Escape")
    await expect(view.testid("contact-email")).to_have_text(contact["email"])
    await expect(view.testid("draft-notice")).to_have_count(0)


async def test_a_live_change_to_another_field_keeps_the_input_and_its_caret(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Caret Keeper")
    view = await opened(open_agent, app_server, contact["id"])
    await view.name.click()
    field = inline_input(view, "name")
    await field.press("End")
    await field.press_sequentially(" Half typ")
    await field.press("ArrowLeft")
    await field.press("ArrowLeft")
    input_id = await field.evaluate("(e) => e.id")

    new_email = f"caret-{contact['id']}@example.com"
    await put_fields(api, contact["id"], {"email": new_email, "additional_attributes": {"city": "Oslo"}})

    await expect(view.testid("contact-email")).to_have_text(new_email, timeout=LIVE_TIMEOUT_MS)
    await expect(view.testid("contact-city")).to_have_text("Oslo", timeout=LIVE_TIMEOUT_MS)
    await asyncio.sleep(0.3)  # anything the change sets off has reached the page
    await expect(field).to_have_value("Caret Keeper Half typ")
    assert await field.evaluate("(e) => e.id") == input_id, "the same input, not a new one"
    focused = await view.page.evaluate(
        "() => [document.activeElement?.dataset?.testid, document.activeElement?.selectionStart]"
    )
    assert focused == ["inline-name", len("Caret Keeper Half t")]
    await view.page.keyboard.type("X")
    await view.page.keyboard.press("Enter")
    await expect(view.name).to_have_text("Caret Keeper Half tXyp")
    await expect(view.toast(SAVED)).to_be_visible()
    assert (await stored(api, contact["id"]))["name"] == "Caret Keeper Half tXyp"


async def test_a_change_by_someone_else_to_the_field_being_edited_is_asked_as_a_conflict(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient
) -> None:
    contact = app_server.create_contact(name="Contested Name")
    view = await opened(open_agent, app_server, contact["id"])
    await view.name.click()
    await inline_input(view, "name").fill("Mine")

    await put_fields(api, contact["id"], {"name": "Theirs"})
    await expect(view.name).to_have_text("Theirs", timeout=LIVE_TIMEOUT_MS)  # behind the input
    await expect(inline_input(view, "name")).to_have_value("Mine")
    await inline_input(view, "name").press("Enter")

    dialog = view.testid("conflict-dialog")
    await expect(dialog).to_be_visible()
    await expect(view.testid("conflict-theirs-name")).to_contain_text("Theirs")
    await expect(view.testid("conflict-mine-name")).to_contain_text("Mine")
    assert (await stored(api, contact["id"]))["name"] == "Theirs"
    await view.testid("conflict-reload").click()
    await expect(view.name).to_have_text("Theirs")
    await expect(view.testid("draft-notice")).to_have_count(0)
