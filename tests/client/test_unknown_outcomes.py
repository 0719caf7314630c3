"""Writes whose answer is lost: settled by asking the server, never shown as failed on a timeout alone.

The delay is real: a second SQLite connection holds the server's database with `BEGIN IMMEDIATE`, so
the server's write waits on its busy timeout while the client, given a 1.5 s timeout here, gives up
waiting for the answer. Reads go on meanwhile (WAL), as they do for a busy production database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from api.client import ChatwootClient
from api.error_codes import ErrorCode
from state import actions
from state.problems import Problem
from state.store import ContactStore
from tests.support.processes import RunningServer
from tests.support.tcp_proxy import TcpProxy

CLIENT_TIMEOUT = 1.5  # for writes; also how long a lost answer is settled for


def impatient_client(server: RunningServer, url: str | None = None, timeout: float = CLIENT_TIMEOUT) -> ChatwootClient:
    """A client that gives up waiting for the answer to a write after `timeout` seconds (and settles for as long)."""
    signed_in = server.admin
    return ChatwootClient(
        url or server.url,
        token=signed_in.token,
        account_id=signed_in.account_id,
        write_timeout=timeout,
        transport=None if url else server.async_transport(),
    )


async def loaded(client: ChatwootClient, contact_id: int) -> ContactStore:
    await client.profile()
    store = ContactStore()
    await actions.fetch_contact(store, client, contact_id)
    return store


def server_get(server: RunningServer, path: str) -> httpx.Response:
    """What the server has now, read by the administrator of account 1."""
    with server.http_client() as http:
        return http.get(f"{server.url}/api/v1/accounts/1{path}", headers=server.admin.headers)


def server_contact(server: RunningServer, contact_id: int) -> dict:
    answer = server_get(server, f"/contacts/{contact_id}")
    answer.raise_for_status()
    return {**answer.json()["payload"], "etag": answer.headers.get("ETag")}


def name_changes(server: RunningServer, contact_id: int) -> list[dict]:
    answer = server_get(server, f"/contacts/{contact_id}/events")
    return [e for e in answer.json()["payload"] if e["kind"] == "updated" and e["field"] == "name"]


def server_notes(server: RunningServer, contact_id: int) -> list[dict]:
    answer = server_get(server, f"/contacts/{contact_id}/notes")
    body = answer.json()
    return body.get("payload", []) if isinstance(body, dict) else body


async def eventually(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true"
        await asyncio.sleep(0.1)


def shown_states(store: ContactStore, contact_id: int) -> list[tuple[str | None, Problem | None]]:
    """Every (name shown, save error) the pages of this contact were told about, in order."""
    seen: list[tuple[str | None, Problem | None]] = []
    store.subscribe(
        contact_id, lambda: seen.append((store.contact(contact_id).name, store.entry(contact_id).save_error))
    )
    return seen


async def test_a_save_the_server_commits_after_the_timeout_settles_as_saved(api_server: RunningServer) -> None:
    created = api_server.create_contact(name="Before")
    contact_id = created["id"]
    async with impatient_client(api_server) as client:
        store = await loaded(client, contact_id)
        entry = store.entry(contact_id)
        seen = shown_states(store, contact_id)
        actions.set_draft(store, contact_id, "name", "After")
        with api_server.database_held():
            save = asyncio.create_task(actions.update_contact(store, client, contact_id, {"name": "After"}))
            await asyncio.sleep(CLIENT_TIMEOUT + 0.3)
            # The answer is lost, the write waits in the server: unknown, so still pending, never failed.
            assert not save.done()
            assert store.contact(contact_id).name == "After" and entry.saving and entry.save_error is None
            assert entry.slow and entry.checking  # "Still saving...", and asking the server
        outcome = await save
    assert outcome.status == "saved" and outcome.fields == ["name"]
    assert store.contact(contact_id).name == "After"
    assert entry.save_error is None and entry.draft == {} and not entry.saving and not entry.slow
    assert entry.etag == server_contact(api_server, contact_id)["etag"]  # the store took the server's contact
    # One final outcome: the new value throughout, never rolled back, never an error.
    assert seen and all(state == ("After", None) for state in seen)
    assert len(name_changes(api_server, contact_id)) == 1


async def test_a_save_the_server_never_commits_settles_as_not_saved(api_server: RunningServer) -> None:
    created = api_server.create_contact(name="Before")
    contact_id = created["id"]
    async with impatient_client(api_server) as client:
        store = await loaded(client, contact_id)
        entry = store.entry(contact_id)
        actions.set_draft(store, contact_id, "name", "After")
        with api_server.database_held() as database:
            # Another writer's change commits first, so the save's If-Match no longer holds: the server refuses it.
            database.execute(
                "UPDATE contacts SET identifier = ?, version = version + 1 WHERE id = ?",
                (f"crm-{contact_id}", contact_id),
            )
            save = asyncio.create_task(actions.update_contact(store, client, contact_id, {"name": "After"}))
            await asyncio.sleep(CLIENT_TIMEOUT + 0.3)
            assert not save.done() and store.contact(contact_id).name == "After" and entry.save_error is None
        outcome = await save
        assert outcome.status == "failed" and outcome.message is ErrorCode.NOT_SAVED
        assert store.contact(contact_id).name == "Before"  # rolled back
        assert store.contact(contact_id).identifier == f"crm-{contact_id}"  # the server's contact, as it is now
        assert entry.draft == {"name": "After"}  # kept for Retry
        assert entry.save_error is ErrorCode.NOT_SAVED
        assert server_contact(api_server, contact_id)["name"] == "Before"
        # Retry sends it again, once.
        retry = await actions.update_contact(store, client, contact_id, dict(entry.draft))
    assert retry.status == "saved"
    assert server_contact(api_server, contact_id)["name"] == "After"
    assert entry.save_error is None and entry.draft == {}
    assert len(name_changes(api_server, contact_id)) == 1


async def test_retry_after_an_unknown_outcome_does_not_apply_twice(api_server: RunningServer) -> None:
    created = api_server.create_contact(name="Before")
    contact_id = created["id"]
    version_before = server_contact(api_server, contact_id)["etag"]
    async with impatient_client(api_server) as client:
        store = await loaded(client, contact_id)
        entry = store.entry(contact_id)
        actions.set_draft(store, contact_id, "name", "After")
        with api_server.database_held():
            # The server does not show the change within the settling time: "not saved" for now, though
            # the first write is still waiting inside the server.
            first = await actions.update_contact(store, client, contact_id, {"name": "After"})
            assert first.status == "failed" and entry.draft == {"name": "After"}
            assert store.contact(contact_id).name == "Before"
            # The agent retries while the first write still waits.
            retry = asyncio.create_task(actions.update_contact(store, client, contact_id, dict(entry.draft)))
            await asyncio.sleep(CLIENT_TIMEOUT + 0.3)
        outcome = await retry
    assert outcome.status == "saved" and entry.conflict is None  # my own earlier write is no conflict
    assert store.contact(contact_id).name == "After" and entry.save_error is None and entry.draft == {}
    final = server_contact(api_server, contact_id)
    assert final["name"] == "After"
    assert len(name_changes(api_server, contact_id)) == 1  # applied once
    assert int(final["etag"].strip('"').rsplit("-", 1)[1]) == int(version_before.strip('"').rsplit("-", 1)[1]) + 1


async def test_a_retry_after_the_late_commit_sends_nothing(api_server: RunningServer) -> None:
    created = api_server.create_contact(name="Before")
    contact_id = created["id"]
    async with impatient_client(api_server) as client:
        store = await loaded(client, contact_id)
        entry = store.entry(contact_id)
        actions.set_draft(store, contact_id, "name", "After")
        with api_server.database_held():
            first = await actions.update_contact(store, client, contact_id, {"name": "After"})
            assert first.status == "failed"
        await eventually(lambda: server_contact(api_server, contact_id)["name"] == "After")  # the first write lands
        retry = await actions.update_contact(store, client, contact_id, {"name": "After"})
    assert retry.status == "saved"
    assert entry.save_error is None and entry.draft == {} and store.contact(contact_id).name == "After"
    assert len(name_changes(api_server, contact_id)) == 1


async def test_a_save_whose_answer_is_cut_off_settles_as_saved(api_server: RunningServer) -> None:
    created = api_server.create_contact(name="Before")
    contact_id = created["id"]
    proxy = await TcpProxy(api_server.port).start()
    try:
        # A timeout longer than the test: the answer is lost to the dropped connection, not to waiting.
        async with impatient_client(api_server, url=proxy.url, timeout=10.0) as client:
            store = await loaded(client, contact_id)
            with api_server.database_held():
                save = asyncio.create_task(actions.update_contact(store, client, contact_id, {"name": "After"}))
                await asyncio.sleep(0.5)  # the request reached the server, which waits for the database
                proxy.cut()  # the connection drops before the answer
                proxy.restore()
                await asyncio.sleep(0.3)
                assert not save.done() and store.contact(contact_id).name == "After"
            outcome = await save
    finally:
        await proxy.stop()
    assert outcome.status == "saved"
    assert store.entry(contact_id).save_error is None and store.contact(contact_id).name == "After"
    assert len(name_changes(api_server, contact_id)) == 1


async def test_a_note_whose_answer_is_lost_is_found_not_posted_again(api_server: RunningServer) -> None:
    created = api_server.create_contact(name="Noted")
    contact_id = created["id"]
    async with impatient_client(api_server) as client:
        store = await loaded(client, contact_id)
        await actions.fetch_notes(store, client, contact_id)
        with api_server.database_held():
            adding = asyncio.create_task(actions.add_note(store, client, contact_id, "Called back"))
            await asyncio.sleep(CLIENT_TIMEOUT + 0.3)
            assert not adding.done()  # unknown, still being settled
        note = await adding
        assert note is not None and note.content == "Called back"
        assert [n.content for n in store.entry(contact_id).notes or []] == ["Called back"]
        assert store.entry(contact_id).notes_error is None
    assert [n["content"] for n in server_notes(api_server, contact_id)] == ["Called back"]


async def test_a_note_added_again_after_an_unknown_outcome_is_not_duplicated(api_server: RunningServer) -> None:
    created = api_server.create_contact(name="Noted")
    contact_id = created["id"]
    async with impatient_client(api_server) as client:
        store = await loaded(client, contact_id)
        await actions.fetch_notes(store, client, contact_id)
        with api_server.database_held():
            # Not on the server within the settling time: the text stays in the box for another try.
            assert await actions.add_note(store, client, contact_id, "Sent the invoice") is None
            assert store.entry(contact_id).notes_error
        await eventually(lambda: len(server_notes(api_server, contact_id)) == 1)  # the first POST lands
        again = await actions.add_note(store, client, contact_id, "Sent the invoice")
        assert again is not None and again.content == "Sent the invoice"
        assert store.entry(contact_id).notes_error is None
        assert [n.content for n in store.entry(contact_id).notes or []] == ["Sent the invoice"]
    assert [n["content"] for n in server_notes(api_server, contact_id)] == ["Sent the invoice"]


async def test_labels_whose_answer_is_lost_settle_as_saved(api_server: RunningServer) -> None:
    created = api_server.create_contact(name="Labelled")
    contact_id = created["id"]
    async with impatient_client(api_server) as client:
        store = await loaded(client, contact_id)
        await actions.fetch_labels(store, client, contact_id)
        with api_server.database_held():
            labelling = asyncio.create_task(actions.set_labels(store, client, contact_id, ["vip"]))
            await asyncio.sleep(CLIENT_TIMEOUT + 0.3)
            assert not labelling.done() and store.entry(contact_id).labels == ["vip"]
        assert await labelling
    assert store.entry(contact_id).labels == ["vip"] and store.entry(contact_id).labels_error is None
