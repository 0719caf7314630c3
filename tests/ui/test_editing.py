"""Editing a contact: validation as the agent types, optimistic saves, failures, conflicts, deletion."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path
from typing import Any

from nicegui import app, ui
from nicegui.testing import User

from state import analytics
from tests.support.processes import RunningServer
from tests.support.tcp_proxy import TcpProxy
from tests.ui.interaction import (
    HTTP,
    act,
    attribute_rows,
    attribute_text,
    click,
    edit_attribute,
    eventually,
    open_contact,
    server_contact,
    server_events,
    shown,
    text_of,
    toasted,
    unique,
    update_as,
    wait_for,
    wait_for_attribute,
    wait_for_entry,
    wait_gone,
)


async def open_form(user: User) -> ui.card:
    await click(user, "edit-contact")
    return await wait_for(user, "edit-form", kind=ui.card)


async def field(user: User, name: str) -> ui.input:
    return await wait_for(user, f"field-{name}", kind=ui.input)


async def retype(user: User, name: str, text: str) -> ui.input:
    element = await field(user, name)
    act(user, element).clear().type(text)
    return element


def save_button(user: User) -> ui.button:
    return shown(user, "edit-save", kind=ui.button)[0]


def tracked_events() -> list[dict[str, Any]]:
    """What analytics recorded in this test (the sink is a file per test, see conftest)."""
    lines = Path(os.environ["ANALYTICS_SINK"]).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def updates(server: RunningServer, contact_id: int) -> list[dict[str, Any]]:
    return [event for event in server_events(server, contact_id) if event["kind"] == "updated"]


async def test_an_invalid_email_is_explained_as_typed_and_never_sent(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Typo"))
    await open_contact(agent, contact["id"], live=False)
    await open_form(agent)
    email = await retype(agent, "email", "not-an-email")
    assert email.error == "Enter a valid email address"
    assert not save_button(agent).enabled
    act(agent, email).trigger("keydown.enter")  # Enter tries to save; nothing may leave
    act(agent, save_button(agent)).click()
    await asyncio.sleep(0.2)
    assert shown(agent, "edit-form")
    assert updates(api_server, contact["id"]) == []
    act(agent, email).clear().type("fixed@example.com")
    assert email.error is None
    assert save_button(agent).enabled


async def test_the_inline_errors_are_translated(agent: User, make_contact) -> None:
    contact = make_contact(name=unique("Tippfehler"))
    with agent.client:  # type: ignore[union-attr]
        app.storage.user["locale"] = "de"
    await open_contact(agent, contact["id"], live=False)
    await open_form(agent)
    assert (await retype(agent, "email", "keine-adresse")).error == "Geben Sie eine gültige E-Mail-Adresse ein"
    phone = await retype(agent, "phone-number", "12345")
    assert phone.error and phone.error.startswith("Geben Sie eine gültige Telefonnummer")
    assert not save_button(agent).enabled


async def test_a_valid_edit_shows_at_once_and_is_saved(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Before"))
    new_name = unique("After")
    await open_contact(agent, contact["id"], live=False)
    await open_form(agent)
    name = await retype(agent, "name", new_name)
    act(agent, name).trigger("keydown.enter")
    # Optimistic: the new name shows while the save is still on its way.
    for _ in range(10_000):
        if shown(agent, "saving"):
            assert text_of(agent, "contact-name") == new_name
            break
        await asyncio.sleep(0)
    else:
        raise AssertionError("the save never showed as in progress")
    await toasted(agent, "Contact updated successfully")
    await wait_gone(agent, "saving")
    assert text_of(agent, "contact-name") == new_name
    assert not shown(agent, "edit-form")
    assert server_contact(api_server, contact["id"])["name"] == new_name
    assert [event["field"] for event in updates(api_server, contact["id"])] == ["name"]  # only what changed
    await wait_for_entry(agent, "updated")
    await analytics.flush()
    updated = next(event for event in tracked_events() if event["event"] == "contact_updated")
    assert {"contact_id": contact["id"], "fields_updated": ["name"]}.items() <= updated["properties"].items()


async def test_escape_and_cancel_discard_the_typing(agent: User, api_server: RunningServer, make_contact) -> None:
    original = unique("Kept")
    contact = make_contact(name=original)
    await open_contact(agent, contact["id"], live=False)
    form = await open_form(agent)
    await retype(agent, "name", "Thrown Away")
    act(agent, form).trigger("keydown.escape")
    await wait_gone(agent, "edit-form")
    assert text_of(agent, "contact-name") == original
    await open_form(agent)
    assert (await field(agent, "name")).value == original  # the typing is gone, not kept as a draft
    await retype(agent, "name", "Thrown Away Too")
    await click(agent, "edit-cancel")
    await wait_gone(agent, "edit-form")
    await open_form(agent)
    assert (await field(agent, "name")).value == original
    assert updates(api_server, contact["id"]) == []


async def test_a_server_refusal_shows_on_the_field_and_keeps_the_typing(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    taken = f"taken-{uuid.uuid4().hex[:8]}@example.com"
    make_contact(name=unique("Owner"), email=taken)
    contact = make_contact(name=unique("Latecomer"))
    await open_contact(agent, contact["id"], live=False)
    await open_form(agent)
    act(agent, await retype(agent, "email", taken)).trigger("keydown.enter")
    await wait_for(agent, "form-error", content="Please correct the highlighted fields")
    email = await field(agent, "email")
    assert email.value == taken  # the agent's typing is still there
    assert email.error == "Already used by another contact"
    assert text_of(agent, "contact-email") == contact["email"]  # the optimistic value was rolled back
    assert server_contact(api_server, contact["id"])["email"] == contact["email"]
    act(agent, email).clear().type(f"free-{uuid.uuid4().hex[:8]}@example.com")
    assert email.error is None


async def test_a_network_failure_rolls_back_and_offers_retry(
    proxied_agent: User, proxy: TcpProxy, api_server: RunningServer, make_contact
) -> None:
    user = proxied_agent
    original, wanted = unique("Steady"), unique("Wanted")
    contact = make_contact(name=original)
    await open_contact(user, contact["id"], live=False)
    await open_form(user)
    name = await retype(user, "name", wanted)
    proxy.cut()
    act(user, name).trigger("keydown.enter")
    await wait_for(user, "save-error")
    await toasted(user, "Could not update the contact")
    assert text_of(user, "contact-name") == original  # rolled back
    assert shown(user, content="Could not update the contact")
    proxy.restore()
    await click(user, "retry-save")
    await toasted(user, "Contact updated successfully")
    await wait_gone(user, "save-error")
    assert text_of(user, "contact-name") == wanted
    assert server_contact(api_server, contact["id"])["name"] == wanted


async def test_the_typing_survives_a_failure_for_another_try(
    proxied_agent: User, proxy: TcpProxy, make_contact
) -> None:
    user = proxied_agent
    contact = make_contact(name=unique("Patient"))
    wanted = unique("Retyped")
    await open_contact(user, contact["id"], live=False)
    await open_form(user)
    name = await retype(user, "name", wanted)
    proxy.cut()
    act(user, name).trigger("keydown.enter")
    await wait_for(user, "save-error")
    proxy.restore()
    await click(user, "edit-again")
    assert (await field(user, "name")).value == wanted


async def conflict_after_their_edit(user: User, server: RunningServer, contact_id: int, mine: str, theirs: str) -> None:
    """The agent types `mine` into the name, another agent saves `theirs`, then the agent saves."""
    await open_form(user)
    name = await retype(user, "name", mine)
    update_as(server, "agent", contact_id, name=theirs)
    act(user, name).trigger("keydown.enter")  # the live event may come first; either way it is a conflict
    await wait_for(user, "conflict-dialog")
    await wait_gone(user, "saving")  # a save that raced the live event has answered too
    await wait_for(user, content=f"Their value: {theirs}")
    await wait_for(user, content=f"Your value: {mine}")


async def test_a_conflict_reload_shows_their_value(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Shared"))
    mine, theirs = unique("Mine"), unique("Theirs")
    await open_contact(agent, contact["id"], live=False)
    await conflict_after_their_edit(agent, api_server, contact["id"], mine, theirs)
    await click(agent, "conflict-reload")
    await wait_gone(agent, "conflict-dialog")
    await eventually(lambda: text_of(agent, "contact-name") == theirs)
    assert server_contact(api_server, contact["id"])["name"] == theirs
    if not shown(agent, "edit-form"):
        await open_form(agent)
    assert (await field(agent, "name")).value == theirs  # my conflicting typing is gone


async def test_a_conflict_cancel_keeps_my_edit_for_saving(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Shared"))
    mine, theirs = unique("Mine"), unique("Theirs")
    await open_contact(agent, contact["id"], live=False)
    await conflict_after_their_edit(agent, api_server, contact["id"], mine, theirs)
    await click(agent, "conflict-cancel")
    await wait_gone(agent, "conflict-dialog")
    await wait_for(agent, "edit-form")
    name = await field(agent, "name")
    await eventually(lambda: name.value == mine)
    act(agent, name).trigger("keydown.enter")
    await toasted(agent, "Contact updated successfully")
    await eventually(lambda: text_of(agent, "contact-name") == mine)
    assert server_contact(api_server, contact["id"])["name"] == mine


async def test_a_contact_deleted_while_editing_turns_read_only(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Doomed"), custom_attributes={"seats": 2})
    await open_contact(agent, contact["id"], live=False)
    await open_form(agent)
    name = await retype(agent, "name", "Too Late")
    HTTP.delete(
        f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}", headers=api_server.admin.headers
    ).raise_for_status()
    act(agent, name).trigger("keydown.enter")  # the save or the live event finds it gone
    await wait_for(agent, "deleted-state")
    assert shown(agent, content="This contact has been deleted and can no longer be edited.")
    await wait_gone(agent, "edit-form")
    assert not shown(agent, "edit-contact")
    assert not shown(agent, "note-input")
    assert not attribute_rows(agent)["seats"]["editable"]
    assert text_of(agent, "contact-name") == contact["name"]


async def test_attribute_editors_fit_their_types(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(
        name=unique("Typed"),
        custom_attributes={"seats": 3, "plan": "free", "newsletter": False, "signed_up": "2024-01-02"},
    )
    await open_contact(agent, contact["id"], live=False)
    expected_kinds = {
        "seats": ui.number,
        "mrr": ui.number,
        "discount": ui.number,
        "plan": ui.select,
        "newsletter": ui.switch,
        "signed_up": ui.input,
        "crm_url": ui.input,
        "account_manager": ui.input,
    }
    for key, kind in expected_kinds.items():
        await edit_attribute(agent, key)
        editor = await wait_for(agent, f"attribute-editor-{key}")
        assert isinstance(editor, kind), (key, editor)
        await click(agent, f"attribute-cancel-{key}")
        await wait_gone(agent, f"attribute-editor-{key}")

    await edit_attribute(agent, "seats")
    seats = await wait_for(agent, "attribute-editor-seats", kind=ui.number)
    with agent:
        seats.value = 250
    act(agent, seats).trigger("keydown.enter")
    await wait_for_attribute(agent, "seats", "250")
    await wait_gone(agent, "saving")

    await edit_attribute(agent, "plan")
    plan = await wait_for(agent, "attribute-editor-plan", kind=ui.select)
    assert plan.options == ["free", "starter", "pro", "enterprise"]
    with agent:
        plan.value = "pro"
    await click(agent, "attribute-save-plan")
    await wait_for_attribute(agent, "plan", "pro")
    await wait_gone(agent, "saving")

    await edit_attribute(agent, "newsletter")
    act(agent, await wait_for(agent, "attribute-editor-newsletter", kind=ui.switch)).click()
    await click(agent, "attribute-save-newsletter")
    await wait_for_attribute(agent, "newsletter", "Yes")
    await wait_gone(agent, "saving")

    await edit_attribute(agent, "signed_up")
    date = await wait_for(agent, "attribute-editor-signed_up", kind=ui.input)
    act(agent, date).clear().type("2024-13-45")
    assert date.error == "Enter a date as YYYY-MM-DD"
    act(agent, date).trigger("keydown.enter")
    await toasted(agent, "Enter a date as YYYY-MM-DD")
    act(agent, date).trigger("keydown.escape")
    await wait_gone(agent, "attribute-editor-signed_up")
    assert attribute_text(agent, "signed_up") == "Jan 2, 2024"  # still 2024-01-02, as English writes it (CLDR)

    await edit_attribute(agent, "crm_url")
    link = await wait_for(agent, "attribute-editor-crm_url", kind=ui.input)
    act(agent, link).type("ftp://files.example.com")
    assert link.error == "Enter a link starting with http:// or https://"
    act(agent, link).clear().type("https://crm.example.com/typed")
    act(agent, link).trigger("keydown.enter")
    await wait_for_attribute(agent, "crm_url", "https://crm.example.com/typed")

    saved = await eventually(
        lambda: (
            server_contact(api_server, contact["id"])["custom_attributes"].get("crm_url")
            == "https://crm.example.com/typed"
        )
    )
    assert saved
    assert server_contact(api_server, contact["id"])["custom_attributes"] == {
        "seats": 250,
        "plan": "pro",
        "newsletter": True,
        "signed_up": "2024-01-02",
        "crm_url": "https://crm.example.com/typed",
    }


async def test_labels_are_added_and_removed(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Labelled"))
    labels_url = f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}/labels"
    await open_contact(agent, contact["id"], live=False)
    await wait_for(agent, "labels-empty")
    picker = await wait_for(agent, "add-label", kind=ui.select)
    assert "vip" in picker.options
    with agent:
        picker.value = "vip"
    await wait_for(agent, "label-vip", kind=ui.chip)
    await eventually(lambda: HTTP.get(labels_url, headers=api_server.admin.headers).json()["payload"] == ["vip"])
    await wait_for_entry(agent, "label_added")
    with agent:
        shown(agent, "label-vip", kind=ui.chip)[0].value = False  # what the chip's remove button does
    await wait_for(agent, "labels-empty")
    await eventually(lambda: HTTP.get(labels_url, headers=api_server.admin.headers).json()["payload"] == [])


async def test_notes_are_added_and_deleted(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Noted"))
    await open_contact(agent, contact["id"], live=False)
    await wait_for(agent, "notes-empty")
    note_input = await wait_for(agent, "note-input", kind=ui.textarea)
    act(agent, note_input).type("Called back, all sorted <b>not bold</b>")
    await click(agent, "note-add")
    await toasted(agent, "Note added")
    await wait_for(agent, content="Called back, all sorted <b>not bold</b>", kind=ui.label)  # as text, not HTML
    assert note_input.value == ""
    act(agent, note_input).type("Second note by keyboard")
    act(agent, note_input).trigger("keydown.ctrl.enter")
    await wait_for(agent, content="Second note by keyboard", kind=ui.label)
    notes = HTTP.get(
        f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}/notes", headers=api_server.admin.headers
    ).json()
    notes = notes["payload"] if isinstance(notes, dict) else notes
    assert [note["content"] for note in notes][:2] == [
        "Second note by keyboard",
        "Called back, all sorted <b>not bold</b>",
    ]
    await wait_for_entry(agent, "note_added")

    await click(agent, f"note-delete-{notes[0]['id']}")
    await click(agent, "note-delete-confirm")
    await toasted(agent, "Note deleted")
    await wait_gone(agent, f"note-{notes[0]['id']}")
    assert shown(agent, f"note-{notes[1]['id']}")
