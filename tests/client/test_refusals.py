"""What the store's actions tell the pages when the server refuses, when the contact went away meanwhile, and
when an edit made in place meets someone else's change; and the re-read after a reconnect."""

from __future__ import annotations

from typing import Any

from api.error_codes import ErrorCode
from state import actions
from state.store import ContactStore
from tests.client.test_actions import loaded, server_contact
from tests.support.processes import RunningServer


def delete_as_admin(server: RunningServer, contact_id: int) -> None:
    """Another administrator deletes the contact (no live connection here tells this store)."""
    with server.http_client(headers=server.admin.headers, timeout=10) as http:
        http.delete(f"{server.url}/api/v1/accounts/1/contacts/{contact_id}").raise_for_status()


def put_as_agent(server: RunningServer, contact_id: int, changes: dict[str, Any]) -> None:
    with server.http_client(headers=server.agent.headers, timeout=10) as http:
        http.put(f"{server.url}/api/v1/accounts/1/contacts/{contact_id}", json=changes).raise_for_status()


async def opened(server: RunningServer, connect: Any, name: str, **fields: Any) -> tuple[int, Any, ContactStore]:
    """A new contact, as the admin's open contact page has it: its id, the page's client and store."""
    contact_id = server.create_contact(name=name, **fields)["id"]
    client = connect(server)
    return contact_id, client, await loaded(client, contact_id)


async def test_reads_of_a_contact_gone_meanwhile_say_not_found(api_server: RunningServer, connect) -> None:
    contact_id, client, store = await opened(api_server, connect, name="Soon Gone")
    delete_as_admin(api_server, contact_id)
    await actions.fetch_labels(store, client, contact_id)
    await actions.fetch_notes(store, client, contact_id)
    await actions.fetch_contact_conversations(store, client, contact_id)
    await actions.fetch_timeline(store, client, contact_id)
    entry = store.entry(contact_id)
    assert entry.labels_error is ErrorCode.NOT_FOUND and entry.labels is None
    assert entry.notes_error is ErrorCode.NOT_FOUND and entry.notes is None
    history, timeline = store.history(contact_id), store.timeline(contact_id)
    assert history.error is ErrorCode.NOT_FOUND and not history.loaded and not history.loading
    assert timeline.error is ErrorCode.NOT_FOUND and not timeline.loaded and not timeline.loading


async def test_labels_and_notes_for_a_contact_gone_meanwhile_show_it_deleted(
    api_server: RunningServer, connect
) -> None:
    for write in ("labels", "note"):
        contact_id, client, store = await opened(api_server, connect, name=f"Gone before the {write}")
        await actions.fetch_labels(store, client, contact_id)
        delete_as_admin(api_server, contact_id)
        if write == "labels":
            assert await actions.set_labels(store, client, contact_id, ["vip"]) is False
            assert store.entry(contact_id).labels == []  # rolled back to what was shown
        else:
            assert await actions.add_note(store, client, contact_id, "Too late") is None
        entry = store.entry(contact_id)
        assert entry.deleted and entry.labels_error is None and entry.notes_error is None


async def test_refused_labels_roll_back_and_say_why(api_server: RunningServer, connect) -> None:
    contact_id, client, store = await opened(api_server, connect, name="Label Refused")
    assert await actions.set_labels(store, client, contact_id, ["vip"])
    assert await actions.set_labels(store, client, contact_id, ["vip", "nul\x00byte"]) is False
    entry = store.entry(contact_id)
    assert entry.labels == ["vip"] and not entry.labels_saving
    assert entry.labels_error is not None and not entry.deleted


async def test_a_refused_note_is_not_added_and_says_why(api_server: RunningServer, connect) -> None:
    contact_id, client, store = await opened(api_server, connect, name="Note Refused")
    await actions.fetch_notes(store, client, contact_id)
    assert await actions.add_note(store, client, contact_id, "x" * 100_000) is None
    entry = store.entry(contact_id)
    assert entry.notes == [] and entry.notes_error is not None and not entry.deleted
    note = await actions.add_note(store, client, contact_id, "Short enough")
    assert note is not None and entry.notes_error is None  # the next one clears the error


async def test_deleting_a_note_takes_it_off_and_onto_the_trail(api_server: RunningServer, connect) -> None:
    contact_id, client, store = await opened(api_server, connect, name="Note Deleted")
    await actions.fetch_notes(store, client, contact_id)
    kept = await actions.add_note(store, client, contact_id, "Keep me")
    dropped = await actions.add_note(store, client, contact_id, "Drop me")
    assert kept is not None and dropped is not None
    await actions.fetch_timeline(store, client, contact_id)
    assert await actions.delete_note(store, client, contact_id, dropped.id)
    entry = store.entry(contact_id)
    assert [note.id for note in entry.notes or []] == [kept.id]
    assert store.timeline(contact_id).events[0].kind == "note_deleted"  # the open trail was read again
    assert await actions.delete_note(store, client, contact_id, dropped.id) is False  # already gone
    assert entry.notes_error is ErrorCode.NOT_FOUND
    assert [note.id for note in entry.notes or []] == [kept.id]


async def test_an_edit_in_place_saves_as_the_form_does(api_server: RunningServer, connect) -> None:
    contact_id, client, store = await opened(api_server, connect, name="In Place", custom_attributes={"plan": "free"})
    outcome = await actions.save_field(store, client, contact_id, "custom_attributes.plan", "pro", seen="free")
    assert outcome.status == "saved" and outcome.fields == ["custom_attributes.plan"]
    assert store.entry(contact_id).draft == {}
    assert server_contact(api_server, contact_id)["custom_attributes"] == {"plan": "pro"}


async def test_an_edit_in_place_over_someone_elses_change_is_a_conflict(api_server: RunningServer, connect) -> None:
    contact_id, client, store = await opened(api_server, connect, name="Seen Before")
    put_as_agent(api_server, contact_id, {"name": "Changed Meanwhile"})
    await actions.fetch_contact(store, client, contact_id)  # the page shows their name now
    outcome = await actions.save_field(store, client, contact_id, "name", "Mine", seen="Seen Before")
    assert outcome.status == "conflict" and outcome.fields == ["name"]
    entry = store.entry(contact_id)
    assert entry.conflict is not None and entry.conflict.remote.name == "Changed Meanwhile"
    assert entry.draft == {"name": "Mine"}  # kept, for "Keep my edits"
    assert server_contact(api_server, contact_id)["name"] == "Changed Meanwhile"  # nothing sent


async def test_after_a_reconnect_the_open_contacts_are_read_again(api_server: RunningServer, connect) -> None:
    shown = api_server.create_contact(name="On Screen")
    closed = api_server.create_contact(name="Closed Page")
    client = connect(api_server)
    store = await loaded(client, shown["id"])
    await actions.fetch_contact(store, client, closed["id"])
    store.subscribe(shown["id"], lambda: None)  # a page shows it; the other page was closed
    for contact in (shown, closed):
        put_as_agent(api_server, contact["id"], {"name": "Missed While Away"})
    with api_server.http_client(headers=api_server.agent.headers, timeout=10) as http:
        labelled = f"{api_server.url}/api/v1/accounts/1/contacts/{shown['id']}/labels"
        http.post(labelled, json={"labels": ["vip"]}).raise_for_status()
    await actions.refetch_open_contacts(store, client)
    assert store.contact(shown["id"]).name == "Missed While Away"
    assert store.entry(shown["id"]).labels == ["vip"]
    assert store.contact(closed["id"]).name == "Closed Page"  # not on screen: not read


async def test_a_contact_page_opens_even_when_every_read_is_refused(api_server: RunningServer, connect, caplog) -> None:
    """Account 2 is not the admin's: the page's reads all fail, and opening it still ends, telling why."""
    created = api_server.create_contact(name="Not Yours")
    client = connect(api_server)
    client.account_id = 2
    store = ContactStore()
    await actions.open_contact(store, client, created["id"], source="test")
    entry = store.entry(created["id"])
    assert entry.load_error is ErrorCode.UNAUTHORIZED and entry.server is None and not entry.loading
    assert entry.labels_error is ErrorCode.UNAUTHORIZED and entry.notes_error is ErrorCode.UNAUTHORIZED
    assert not store.account_loaded  # attributes stay untyped rather than the page broken
    assert "account labels or attribute definitions unavailable" in caplog.text
