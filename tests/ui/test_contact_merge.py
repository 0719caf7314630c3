"""Merging from the panel (issue 15), with NiceGUI's `User` against the real server: the search, the choice per
field, Undo, what another agent on the merged-away contact sees, and a plain Chatwoot (no choices taken by the
server, no undo)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from nicegui import ui
from nicegui.testing import User, UserInteraction

from components.contact_actions import ContactActions
from components.merge_dialog import open_merge_dialog
from tests.api.sample_data import give_conversations, unique_phone
from tests.support.processes import RunningServer
from tests.ui.interaction import (
    HTTP,
    act,
    click,
    eventually,
    open_contact,
    resume_session,
    shown,
    text_of,
    toasted,
    unique,
    wait_for,
    wait_gone,
)


def make(server: RunningServer, **fields: Any) -> dict[str, Any]:
    fields.setdefault("email", f"merge-{uuid.uuid4().hex[:12]}@example.com")
    answer = HTTP.post(f"{server.url}/api/v1/accounts/1/contacts", json=fields, headers=server.admin.headers)
    contact: dict[str, Any] = answer.raise_for_status().json()["payload"]["contact"]
    return contact


async def find_and_pick(user: User, query: str, contact_id: int) -> None:
    """Open Merge… from the menu, search for the other contact and choose it."""
    await click(user, "contact-actions")
    await click(user, "merge-contact")
    act(user, await wait_for(user, "merge-search", kind=ui.input)).type(query)
    await click(user, f"merge-pick-{contact_id}")
    await wait_for(user, "merge-moves")


def choose(user: User, slug: str, label: str) -> None:
    """Pick the option shown as `label` in a field's choice."""
    radio = shown(user, f"merge-choice-{slug}", kind=ui.radio)[0]
    UserInteraction(user, {radio}, label).click()


async def test_merge_with_chosen_values_then_undo(agent: User, api_server: RunningServer) -> None:
    base = make(api_server, name=unique("Kept Person"), custom_attributes={"plan": "pro"})
    mergee_name = unique("Merged Person")
    phone = unique_phone()
    mergee = make(api_server, name=mergee_name, phone_number=phone, custom_attributes={"plan": "free"})
    await open_contact(agent, base["id"], settled=False)
    await find_and_pick(agent, mergee_name, mergee["id"])
    assert text_of(agent, "merge-base-name") == base["name"]
    assert text_of(agent, "merge-mergee-name") == mergee_name
    assert shown(agent, content="You can undo the merge for 30 seconds.")
    # The phone: only the mergee has one, and this server would take the blank too; the name and plan: chosen.
    assert shown(agent, "merge-choice-phone-number")
    choose(agent, "name", mergee_name)
    choose(agent, "custom-attributes-plan", "free")
    await click(agent, "merge-confirm")
    await toasted(agent, f"\u2068{mergee_name}\u2069 was merged into \u2068{mergee_name}\u2069")
    merged = api_server.stored_contact(base["id"])
    assert merged is not None
    assert (merged["name"], merged["email"], merged["phone_number"]) == (mergee_name, base["email"], phone)
    assert merged["custom_attributes"] == {"plan": "free"}
    assert api_server.stored_contact(mergee["id"]) is None
    await wait_for(agent, "contact-name", content=mergee_name)

    await wait_for(agent, "merge-undo")
    assert shown(agent, content=f"\u2068{mergee_name}\u2069 was merged into this contact.")
    await click(agent, "merge-undo-button")
    await toasted(agent, "The merge was undone")
    await wait_gone(agent, "merge-undo")
    assert api_server.stored_contact(mergee["id"]) is not None
    restored = api_server.stored_contact(base["id"])
    assert restored is not None and (restored["name"], restored["custom_attributes"]) == (base["name"], {"plan": "pro"})
    await wait_for(agent, "contact-name", content=base["name"])


async def test_the_search_does_not_offer_the_contact_itself(agent: User, api_server: RunningServer) -> None:
    name = unique("Only One")
    contact = make(api_server, name=name)
    await open_contact(agent, contact["id"], settled=False)
    await click(agent, "contact-actions")
    await click(agent, "merge-contact")
    act(agent, await wait_for(agent, "merge-search", kind=ui.input)).type(name)
    await wait_for(agent, "merge-search-status", content="No other contact matches")
    assert not shown(agent, f"merge-pick-{contact['id']}")


async def test_others_on_the_merged_contact_see_where_it_went_and_see_it_back_after_undo(
    agent: User, create_user: Callable[[], User], ui_env: RunningServer
) -> None:
    base = make(ui_env, name=unique("Into Here"))
    mergee = make(ui_env, name=unique("Goes Away"))
    colleague = create_user()
    await resume_session(colleague, ui_env.agent.token)
    await open_contact(colleague, mergee["id"], settled=False)
    await open_contact(agent, base["id"], settled=False)
    await find_and_pick(agent, mergee["name"], mergee["id"])
    await click(agent, "merge-confirm")
    await wait_for(agent, "merge-undo")

    await wait_for(colleague, "deleted-state")
    assert text_of(colleague, "deleted-message") == (
        f"This contact was merged into \u2068{base['name']}\u2069. It can no longer be edited."
    )
    link = shown(colleague, "merged-into-link", kind=ui.link)[0]
    assert link.props["href"] == f"/contacts/{base['id']}"
    assert link.text == f"Open \u2068{base['name']}\u2069"
    assert not shown(colleague, "contact-actions")

    await click(agent, "merge-undo-button")
    await toasted(agent, "The merge was undone")
    await wait_gone(colleague, "deleted-state")
    await wait_for(colleague, "contact-name", content=mergee["name"])
    await wait_for(colleague, "contact-actions")


async def test_the_merged_contacts_conversations_arrive_on_the_base(agent: User, api_server: RunningServer) -> None:
    base = make(api_server, name=unique("History Base"))
    mergee = make(api_server, name=unique("History Mergee"))
    await asyncio.to_thread(give_conversations, api_server, mergee["id"], 2)  # it runs a loop of its own
    await open_contact(agent, base["id"], settled=False)
    await find_and_pick(agent, mergee["name"], mergee["id"])
    assert shown(agent, content="2 conversations move here")
    await wait_for(agent, "history-empty")
    await click(agent, "merge-confirm")
    await wait_for(agent, "merge-undo")
    await wait_for(agent, "history-count", content="2 conversations")  # read again once the merge was done
    await click(agent, "merge-undo-button")
    await wait_for(agent, "history-empty")


async def test_a_plain_chatwoot_keeps_the_choices_it_can_and_offers_no_undo(
    plain_agent: User, plain_env: RunningServer
) -> None:
    base = make(plain_env, name=unique("Plain Kept"))
    phone = unique_phone()
    mergee = make(plain_env, name=unique("Plain Merged"), phone_number=phone)
    await open_contact(plain_agent, base["id"], settled=False)
    await find_and_pick(plain_agent, mergee["name"], mergee["id"])
    assert shown(plain_agent, content="This server cannot undo a merge.")
    # Chatwoot keeps the mergee's phone over the base's blank, whatever is picked: no choice is offered there.
    assert not shown(plain_agent, "merge-choice-phone-number")
    assert shown(plain_agent, "merge-field-phone-number")
    assert shown(plain_agent, content="The server keeps a value over an empty one")
    choose(plain_agent, "name", mergee["name"])
    choose(plain_agent, "email", mergee["email"])
    await click(plain_agent, "merge-confirm")
    await toasted(plain_agent, "was merged into")
    merged = plain_env.stored_contact(base["id"])
    assert merged is not None
    assert (merged["name"], merged["email"], merged["phone_number"]) == (
        mergee["name"],
        mergee["email"],
        phone,
    )
    assert plain_env.stored_contact(mergee["id"]) is None
    await eventually(lambda: not shown(plain_agent, "merge-dialog"))
    assert not shown(plain_agent, "merge-undo")


def panel_actions(user: User) -> ContactActions:
    """The page's More actions menu, found through its button's click handler (what duplicate suggestions, which
    call `open_merge_dialog` with a contact chosen, have at hand: the page's view and its dialogs' element)."""
    button = shown(user, "contact-actions", kind=ui.button)[0]
    # NiceGUI wraps the click callback (the menu's bound method) in a lambda: the method is in its closure.
    callbacks = [
        cell.cell_contents
        for listener in button._event_listeners.values()
        for cell in getattr(listener.handler, "__closure__", None) or ()
    ]
    owners = [getattr(callback, "__self__", None) for callback in callbacks]
    return next(owner for owner in owners if isinstance(owner, ContactActions))


async def test_a_contact_chosen_elsewhere_opens_on_the_preview(agent: User, api_server: RunningServer) -> None:
    base = make(api_server, name=unique("Suggested Base"))
    mergee = make(api_server, name=unique("Suggested Duplicate"))
    await open_contact(agent, base["id"], settled=False)
    menu = panel_actions(agent)
    with agent.client:  # type: ignore[union-attr]
        open_merge_dialog(menu.view, menu.dialogs, mergee_id=mergee["id"])
    await wait_for(agent, "merge-moves")
    assert text_of(agent, "merge-mergee-name") == mergee["name"]
    assert not shown(agent, "merge-search")
    await click(agent, "merge-back")  # another contact after all: the search
    await wait_for(agent, "merge-search")
    await click(agent, "merge-cancel")
    await wait_gone(agent, "merge-dialog")
    assert api_server.stored_contact(mergee["id"]) is not None


async def test_a_contact_chosen_to_merge_into_itself_is_refused(agent: User, api_server: RunningServer) -> None:
    base = make(api_server, name=unique("Not Twice"))
    await open_contact(agent, base["id"], settled=False)
    menu = panel_actions(agent)
    with agent.client:  # type: ignore[union-attr]
        open_merge_dialog(menu.view, menu.dialogs, mergee_id=base["id"])
    await wait_for(agent, "merge-error", content="A contact cannot be merged into itself.")
    assert not shown(agent, "merge-confirm")[0].enabled
    assert api_server.stored_contact(base["id"]) is not None
