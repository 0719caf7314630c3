"""Merging through the store's actions (issue 15): the preview, the merge with the agent's choices and its undo,
against the embedded server in this process (with its merge extension, and in plain-Chatwoot mode, where the
choices are kept by updating the base first), and what the merge's live events do to an open page's store."""

from __future__ import annotations

import asyncio
from typing import Any

from api.client import ChatwootClient
from api.models import Contact
from state import actions, contact_merge
from state.contact_merge import MergeIssue, merge_fields
from state.store import ContactStore
from tests.api.sample_data import give_conversations, unique_phone
from tests.support.processes import RunningServer


async def opened(client: ChatwootClient, contact_id: int) -> ContactStore:
    """A store with the contact open, as a contact page has it (subscribed, everything read)."""
    profile = await client.profile()  # also learns which extensions the server offers
    store = ContactStore(agent_id=profile.id, account_id=client.account_id)
    store.subscribe(contact_id, lambda: None)
    await actions.open_contact(store, client, contact_id, source="direct")
    return store


def contact(**fields: Any) -> Contact:
    return Contact.model_validate({"id": 1, **fields})


def test_the_fields_offered_are_those_that_differ() -> None:
    base = contact(id=1, name="Ada", email="ada@example.com", custom_attributes={"plan": "pro", "tier": 1})
    mergee = contact(id=2, name="Ada", phone_number="+442071838750", custom_attributes={"plan": "free", "vat": "GB"})
    fields = {item.path: item for item in merge_fields(base, mergee, choosable=True)}
    assert list(fields) == [
        "email",
        "phone_number",
        "custom_attributes.plan",
        "custom_attributes.tier",
        "custom_attributes.vat",
    ]
    assert {path: item.choice for path, item in fields.items()} == {
        "email": "base",
        "phone_number": "mergee",  # Chatwoot's rule to start from: a blank of the base is filled
        "custom_attributes.plan": "base",
        "custom_attributes.tier": "base",
        "custom_attributes.vat": "mergee",
    }
    assert not any(item.fixed for item in fields.values())
    # Chatwoot keeps a value over a blank, and no update of the base removes an attribute the mergee lacks.
    fixed = {item.path for item in merge_fields(base, mergee, choosable=False) if item.fixed}
    assert fixed == {"phone_number", "custom_attributes.vat", "custom_attributes.tier"}


async def test_preview_merge_and_undo_keep_the_store_in_step(server: RunningServer, connect) -> None:
    client = connect(server)
    base = server.create_contact(name="Store Base")
    mergee = server.create_contact(name="Store Mergee", phone_number=unique_phone())
    await asyncio.to_thread(give_conversations, server, mergee["id"], 2)  # it runs a loop of its own
    assert (await client.set_contact_labels(mergee["id"], ["lead"])) == ["lead"]
    await client.add_note(mergee["id"], "From the mergee")
    store = await opened(client, base["id"])

    preview = await contact_merge.merge_preview(store, client, base["id"], mergee["id"])
    assert (preview.labels, preview.conversations, preview.notes, preview.undoable) == (["lead"], 2, 1, True)
    for item in preview.fields:
        if item.path == "name":
            item.choice = "mergee"
    outcome = await contact_merge.merge_contacts(store, client, preview)
    assert outcome.merged and outcome.undo is not None and outcome.contact is not None
    assert outcome.contact.name == "Store Mergee"
    assert store.contact(base["id"]).name == "Store Mergee"  # type: ignore[union-attr]
    assert store.entry(base["id"]).labels == ["lead"]
    assert store.history(base["id"]).count == 2
    entry = store.entry(mergee["id"])
    assert (entry.deleted, entry.merged_into, entry.merged_into_name) == (True, base["id"], "Store Mergee")

    assert await contact_merge.undo_merge(store, client, outcome.undo) is None
    assert store.contact(base["id"]).name == "Store Base"  # type: ignore[union-attr]
    assert store.entry(base["id"]).labels == []
    assert store.history(base["id"]).count == 0
    entry = store.entry(mergee["id"])
    assert (entry.deleted, entry.merged_into) == (False, None)
    assert server.stored_contact(mergee["id"]) is not None
    assert await contact_merge.undo_merge(store, client, outcome.undo) == MergeIssue.UNDONE_ALREADY


async def test_a_contact_is_not_merged_into_itself(server: RunningServer, connect) -> None:
    client = connect(server)
    base = server.create_contact(name="Alone")
    store = await opened(client, base["id"])
    try:
        await contact_merge.merge_preview(store, client, base["id"], base["id"])
    except ValueError as refused:
        assert refused.args == (MergeIssue.SELF,)
    else:
        raise AssertionError("a contact was offered to merge into itself")
    assert server.stored_contact(base["id"]) is not None


async def test_plain_chatwoot_gets_the_choices_by_an_update_first(plain_api_server: RunningServer, connect) -> None:
    client = connect(plain_api_server)
    base = plain_api_server.create_contact(name="Plain Base", custom_attributes={"plan": "pro"})
    mergee = plain_api_server.create_contact(name="Plain Mergee", custom_attributes={"plan": "free"})
    store = await opened(client, base["id"])
    preview = await contact_merge.merge_preview(store, client, base["id"], mergee["id"])
    assert not preview.undoable
    for item in preview.fields:
        item.choice = "mergee"
    outcome = await contact_merge.merge_contacts(store, client, preview)
    assert outcome.merged and outcome.undo is None
    merged = plain_api_server.stored_contact(base["id"])
    assert merged is not None
    assert (merged["name"], merged["email"], merged["custom_attributes"]) == (
        "Plain Mergee",
        mergee["email"],
        {"plan": "free"},
    )
    assert plain_api_server.stored_contact(mergee["id"]) is None


def test_the_live_events_of_a_merge_and_its_undo() -> None:
    store = ContactStore(agent_id=1, account_id=1)
    shown = {"id": 7, "name": "Gone Soon", "email": "gone@example.com"}
    actions.take_server_contact(store, 7, shown, performer=None)
    performer = {"id": 2, "name": "Sam Agent", "type": "user"}
    gone = {**shown, "account_id": 1, "performer": performer, "merged_into": {"id": 3, "name": "Kept"}}
    actions.apply_event(store, "contact.deleted", gone, account_id=1)
    entry = store.entry(7)
    assert (entry.deleted, entry.merged_into, entry.merged_into_name, entry.deleted_by) == (
        True,
        3,
        "Kept",
        "Sam Agent",
    )
    actions.apply_event(store, "contact.created", {**shown, "account_id": 1, "restored": True}, account_id=1)
    assert (entry.deleted, entry.merged_into, entry.merged_into_name, entry.deleted_by) == (False, None, None, None)
    assert store.contact(7).name == "Gone Soon"  # type: ignore[union-attr]
