"""Pushed updates: other agents' edits and deletions arrive through the live bridge (ActionCable)."""

from __future__ import annotations

from collections.abc import Callable

from nicegui.testing import User

from tests.support.processes import RunningServer
from tests.ui.interaction import (
    HTTP,
    act,
    attribute_text,
    click,
    eventually,
    open_contact,
    resume_session,
    shown,
    text_of,
    unique,
    update_as,
    wait_for,
)


async def test_another_agents_edit_appears(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Old Name"), custom_attributes={"plan": "free"})
    await open_contact(agent, contact["id"])
    new_name = unique("Pushed Name")
    update_as(api_server, "agent", contact["id"], name=new_name, custom_attributes={"plan": "pro"})
    await eventually(lambda: text_of(agent, "contact-name") == new_name)
    await eventually(lambda: attribute_text(agent, "plan") == "pro")


async def test_an_edit_in_one_browser_reaches_another(
    agent: User, create_user: Callable[[], User], api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Two Views"))
    colleague = create_user()
    await resume_session(colleague, api_server.agent.token)
    await open_contact(agent, contact["id"])
    await open_contact(colleague, contact["id"])
    new_name = unique("Edited By Sam")
    await click(colleague, "edit-contact")
    name = await wait_for(colleague, "field-name")
    act(colleague, name).clear().type(new_name).trigger("keydown.enter")
    await eventually(lambda: colleague.notify.contains("Contact updated successfully"))
    await eventually(lambda: text_of(agent, "contact-name") == new_name)


async def test_a_remote_change_to_the_field_being_edited_is_a_conflict(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Contested"))
    await open_contact(agent, contact["id"])
    await click(agent, "edit-contact")
    name = await wait_for(agent, "field-name")
    act(agent, name).clear().type("My Version")
    theirs = unique("Their Version")
    update_as(api_server, "agent", contact["id"], name=theirs)
    await wait_for(agent, "conflict-dialog")  # nothing saved: the live event alone raised it
    assert shown(agent, content="Sam Agent changed this contact while you were editing.")
    assert shown(agent, content=f"Their value: {theirs}")
    assert shown(agent, content="Your value: My Version")
    assert name.value == "My Version"  # never silently overwritten


async def test_a_contact_deleted_elsewhere_turns_read_only(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Vanishing"))
    await open_contact(agent, contact["id"])
    HTTP.delete(
        f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}", headers=api_server.admin.headers
    ).raise_for_status()
    await wait_for(agent, "deleted-state")
    assert not shown(agent, "edit-contact")
    assert not shown(agent, "note-input")
