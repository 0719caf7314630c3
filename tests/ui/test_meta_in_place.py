"""Attributes, labels and social profiles are updated in place, keeping the editor the agent is typing in."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from components.attribute_list import AttributeList
from tests.support.processes import RunningServer
from tests.support.tcp_proxy import TcpProxy
from tests.ui.interaction import (
    HTTP,
    act,
    attribute_rows,
    attribute_text,
    edit_attribute,
    eventually,
    open_contact,
    server_contact,
    shown,
    text_of,
    toasted,
    unique,
    update_as,
    wait_for,
    wait_for_attribute,
    wait_gone,
)


def keyed_ids(user: User) -> dict[str, int]:
    """The element id of every label chip and social link on screen, by marker; attribute rows are data of one
    element (`attribute-<key>`: that element's id, the same for all while it is not rebuilt)."""
    attributes = shown(user, "attributes", kind=AttributeList)
    found: dict[str, int] = {f"attribute-{key}": attributes[0].id for key in attribute_rows(user)}
    for element in shown(user):
        for marker in element._markers:
            if marker.startswith(("label-", "social-")) and marker.count("-") == 1:
                found[marker] = element.id
    return found


async def test_remote_changes_touch_only_their_rows(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(
        name=unique("In Place"),
        custom_attributes={"seats": 3, "region": "EMEA", "tier": "gold"},
        additional_attributes={"social_profiles": {"github": "ada"}},
    )
    HTTP.post(
        f"{api_server.url}/api/v1/accounts/1/contacts/{contact['id']}/labels",
        json={"labels": ["vip"]},
        headers=api_server.admin.headers,
    ).raise_for_status()
    await open_contact(agent, contact["id"])
    await wait_for(agent, "label-vip", kind=ui.chip)
    await eventually(lambda: attribute_rows(agent)["seats"]["editable"])  # definitions arrived: rows are final
    before = keyed_ids(agent)
    assert {"attribute-seats", "attribute-region", "label-vip", "social-github"} <= set(before)

    update_as(api_server, "agent", contact["id"], custom_attributes={"seats": 7})
    await eventually(lambda: attribute_text(agent, "seats") == "7")
    assert keyed_ids(agent) == before

    update_as(api_server, "agent", contact["id"], custom_attributes={"zone": "north"})
    await wait_for_attribute(agent, "zone", "north")
    after = keyed_ids(agent)
    assert set(after) - set(before) == {"attribute-zone"}
    assert {key: after[key] for key in before} == before


async def test_a_half_typed_attribute_survives_a_remote_change(
    agent: User, api_server: RunningServer, make_contact
) -> None:
    contact = make_contact(name=unique("Typing"), custom_attributes={"seats": 3, "region": "EMEA"})
    await open_contact(agent, contact["id"])
    await edit_attribute(agent, "region")
    editor = await wait_for(agent, "attribute-editor-region", kind=ui.input)
    act(agent, editor).type("-West")

    update_as(api_server, "agent", contact["id"], name=unique("Renamed"), custom_attributes={"seats": 9})
    await eventually(lambda: "Renamed" in text_of(agent, "contact-name"))
    await eventually(lambda: attribute_text(agent, "seats") == "9")

    assert shown(agent, "attribute-editor-region") == [editor]
    assert not editor.is_deleted
    assert editor.value == "EMEA-West"


async def test_an_inline_attribute_save_shows_its_toast(agent: User, api_server: RunningServer, make_contact) -> None:
    contact = make_contact(name=unique("Seats"), custom_attributes={"seats": 3})
    await open_contact(agent, contact["id"])
    await edit_attribute(agent, "seats")
    seats = await wait_for(agent, "attribute-editor-seats", kind=ui.number)
    with agent:
        seats.value = 300
    act(agent, seats).trigger("keydown.enter")
    await toasted(agent, "Contact updated successfully")
    await wait_for_attribute(agent, "seats", "300")
    assert server_contact(api_server, contact["id"])["custom_attributes"]["seats"] == 300


async def test_an_inline_attribute_save_that_fails_shows_its_error_toast(
    proxied_agent: User, proxy: TcpProxy, api_server: RunningServer, make_contact
) -> None:
    user = proxied_agent
    contact = make_contact(name=unique("Cut Off"), custom_attributes={"seats": 3})
    await open_contact(user, contact["id"])
    await edit_attribute(user, "seats")
    seats = await wait_for(user, "attribute-editor-seats", kind=ui.number)
    with user:
        seats.value = 300
    proxy.cut()
    act(user, seats).trigger("keydown.enter")
    await toasted(user, "Could not update the contact")
    await wait_gone(user, "saving")
    assert attribute_text(user, "seats") == "3"  # rolled back
    proxy.restore()
    assert server_contact(api_server, contact["id"])["custom_attributes"]["seats"] == 3
