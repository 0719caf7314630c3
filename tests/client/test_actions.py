"""Every store action against the embedded server (in this process; through a real socket where one is cut)."""

from __future__ import annotations

import asyncio

import pytest

from api.client import ChatwootClient
from api.error_codes import ErrorCode
from state import actions
from state.store import ContactStore
from tests.support.processes import RunningServer
from tests.support.tcp_proxy import TcpProxy


async def loaded(client: ChatwootClient, contact_id: int) -> ContactStore:
    """A store with the contact fetched, as an open contact page has it."""
    await client.profile()  # learns which extensions the server offers
    store = ContactStore()
    await actions.fetch_contact(store, client, contact_id)
    return store


def server_contact(server: RunningServer, contact_id: int) -> dict:
    with server.http_client() as http:
        answer = http.get(f"{server.url}/api/v1/accounts/1/contacts/{contact_id}", headers=server.admin.headers)
    answer.raise_for_status()
    return answer.json()["payload"]


def recorded_changes(server: RunningServer, contact_id: int) -> list[dict]:
    with server.http_client() as http:
        answer = http.get(f"{server.url}/api/v1/accounts/1/contacts/{contact_id}/events", headers=server.admin.headers)
    return [e for e in answer.json()["payload"] if e["kind"] == "updated"]


def delete_contact(server: RunningServer, contact_id: int) -> None:
    with server.http_client() as http:
        http.delete(f"{server.url}/api/v1/accounts/1/contacts/{contact_id}", headers=server.admin.headers)


async def test_fetch_contact(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Fetch Me")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    entry = store.entry(created["id"])
    assert store.contact(created["id"]).name == "Fetch Me"
    assert entry.etag and entry.etag.startswith('"')
    assert client.supports_etag and client.supports_paging and client.supports_events
    assert not entry.loading and entry.load_error is None


async def test_update_is_optimistic_then_confirmed(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Before")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    seen: list[str | None] = []
    store.subscribe(created["id"], lambda: seen.append(store.contact(created["id"]).name))
    task = asyncio.create_task(actions.update_contact(store, client, created["id"], {"name": "After"}))
    await asyncio.sleep(0)
    assert store.contact(created["id"]).name == "After"  # shown before the server answered
    assert store.entry(created["id"]).saving
    outcome = await task
    assert outcome.status == "saved" and outcome.fields == ["name"]
    assert server_contact(api_server, created["id"])["name"] == "After"
    assert not store.entry(created["id"]).optimistic and not store.entry(created["id"]).saving
    assert "After" in seen


async def test_only_changed_fields_are_sent(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Same", custom_attributes={"plan": "pro", "seats": 3})
    client = connect(api_server)
    store = await loaded(client, created["id"])
    outcome = await actions.update_contact(store, client, created["id"], {"name": "Same", "custom_attributes.seats": 4})
    assert outcome.status == "saved" and outcome.fields == ["custom_attributes.seats"]
    changes = recorded_changes(api_server, created["id"])
    assert [c["field"] for c in changes] == ["custom_attributes.seats"]
    assert server_contact(api_server, created["id"])["custom_attributes"] == {"plan": "pro", "seats": 4}


async def test_invalid_input_is_refused_before_sending(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Valid")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    actions.set_draft(store, created["id"], "email", "not-an-email")
    outcome = await actions.update_contact(store, client, created["id"], {"email": "not-an-email"})
    assert outcome.status == "invalid" and outcome.field_errors == {"email": "INVALID_EMAIL"}
    assert recorded_changes(api_server, created["id"]) == []  # nothing reached the server
    assert store.entry(created["id"]).draft == {"email": "not-an-email"}


async def test_server_422_rolls_back_and_keeps_the_draft(api_server: RunningServer, connect) -> None:
    taken = api_server.create_contact(name="Owner")
    created = api_server.create_contact(name="Mine")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    before = store.contact(created["id"]).email
    actions.set_draft(store, created["id"], "email", taken["email"].upper())
    outcome = await actions.update_contact(store, client, created["id"], {"email": taken["email"].upper()})
    assert outcome.status == "invalid"
    assert outcome.field_errors == {"email": "TAKEN"}
    assert store.contact(created["id"]).email == before  # rolled back
    assert store.entry(created["id"]).draft["email"] == taken["email"].upper()  # kept for retry
    assert server_contact(api_server, created["id"])["email"] == before


async def test_conflict_on_the_same_field_returns_the_current_contact(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Original")
    mine, theirs = connect(api_server, "admin"), connect(api_server, "agent")
    store = await loaded(mine, created["id"])
    await theirs.update_contact(created["id"], {"name": "Theirs"})
    actions.set_draft(store, created["id"], "name", "Mine")
    outcome = await actions.update_contact(store, mine, created["id"], {"name": "Mine"})
    entry = store.entry(created["id"])
    assert outcome.status == "conflict" and outcome.fields == ["name"]
    assert entry.conflict is not None and entry.conflict.remote.name == "Theirs"
    assert store.contact(created["id"]).name == "Theirs"
    assert entry.draft == {"name": "Mine"}
    assert server_contact(api_server, created["id"])["name"] == "Theirs"
    # Reload: take theirs, drop my edit of that field.
    await actions.resolve_conflict(store, mine, created["id"], keep_mine=False)
    assert entry.conflict is None and entry.draft == {} and store.contact(created["id"]).name == "Theirs"


async def test_conflict_cancel_keeps_my_draft_and_the_next_save_wins(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Original")
    mine, theirs = connect(api_server, "admin"), connect(api_server, "agent")
    store = await loaded(mine, created["id"])
    await theirs.update_contact(created["id"], {"name": "Theirs"})
    actions.set_draft(store, created["id"], "name", "Mine")
    assert (await actions.update_contact(store, mine, created["id"], {"name": "Mine"})).status == "conflict"
    await actions.resolve_conflict(store, mine, created["id"], keep_mine=True)
    assert store.entry(created["id"]).draft == {"name": "Mine"}
    outcome = await actions.update_contact(store, mine, created["id"], {"name": "Mine"})
    assert outcome.status == "saved"
    assert server_contact(api_server, created["id"])["name"] == "Mine"


async def test_concurrent_edits_of_different_fields_are_both_kept(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Shared", custom_attributes={"plan": "free"})
    first, second = connect(api_server, "admin"), connect(api_server, "agent")
    store_a, store_b = await loaded(first, created["id"]), await loaded(second, created["id"])
    outcomes = await asyncio.gather(
        actions.update_contact(store_a, first, created["id"], {"name": "Renamed by A"}),
        actions.update_contact(store_b, second, created["id"], {"custom_attributes.plan": "pro"}),
    )
    assert [o.status for o in outcomes] == ["saved", "saved"]
    final = server_contact(api_server, created["id"])
    assert final["name"] == "Renamed by A" and final["custom_attributes"]["plan"] == "pro"


async def test_stale_version_with_other_fields_changed_saves_without_conflict(
    api_server: RunningServer, connect
) -> None:
    created = api_server.create_contact(name="Stale")
    mine, theirs = connect(api_server, "admin"), connect(api_server, "agent")
    store = await loaded(mine, created["id"])
    await theirs.update_contact(created["id"], {"identifier": f"crm-{created['id']}"})
    outcome = await actions.update_contact(store, mine, created["id"], {"name": "Fresh"})
    assert outcome.status == "saved"
    final = server_contact(api_server, created["id"])
    assert final["name"] == "Fresh" and final["identifier"] == f"crm-{created['id']}"


async def test_deleted_while_viewing(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Doomed")
    client = connect(api_server, "agent")
    store = await loaded(client, created["id"])
    delete_contact(api_server, created["id"])
    outcome = await actions.update_contact(store, client, created["id"], {"name": "Too late"})
    assert outcome.status == "deleted"
    assert store.entry(created["id"]).deleted
    assert (await actions.update_contact(store, client, created["id"], {"name": "Again"})).status == "deleted"


async def test_refetch_of_a_deleted_contact_marks_it_deleted(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Gone")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    delete_contact(api_server, created["id"])
    await actions.fetch_contact(store, client, created["id"])
    assert store.entry(created["id"]).deleted


async def test_unknown_contact_is_not_found(api_server: RunningServer, connect) -> None:
    client = connect(api_server)
    store = ContactStore()
    await actions.fetch_contact(store, client, 987654321)
    entry = store.entry(987654321)
    assert entry.load_error is ErrorCode.NOT_FOUND and not entry.deleted and store.contact(987654321) is None


async def test_network_cut_rolls_back_and_keeps_the_draft(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Steady")
    proxy = await TcpProxy(api_server.port).start()
    try:
        client = connect(api_server, "admin", url=proxy.url)
        store = await loaded(client, created["id"])
        actions.set_draft(store, created["id"], "name", "Unsent")
        proxy.cut()
        outcome = await actions.update_contact(store, client, created["id"], {"name": "Unsent"})
        assert outcome.status == "failed"
        assert store.contact(created["id"]).name == "Steady"
        assert store.entry(created["id"]).draft == {"name": "Unsent"}
        assert store.entry(created["id"]).save_error
        proxy.restore()
        retry = await actions.update_contact(store, client, created["id"], dict(store.entry(created["id"]).draft))
        assert retry.status == "saved" and store.entry(created["id"]).draft == {}
        assert server_contact(api_server, created["id"])["name"] == "Unsent"
    finally:
        await proxy.stop()


async def test_rollback_keeps_a_live_update_that_arrived_meanwhile(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Racing")
    proxy = await TcpProxy(api_server.port).start()
    try:
        client = connect(api_server, "admin", url=proxy.url)
        store = await loaded(client, created["id"])
        proxy.cut()
        task = asyncio.create_task(actions.update_contact(store, client, created["id"], {"name": "Mine"}))
        await asyncio.sleep(0)
        live = {**server_contact(api_server, created["id"]), "email": "live@example.com", "account_id": 1}
        actions.apply_event(store, "contact.updated", live, account_id=1)
        assert (await task).status == "failed"
        shown = store.contact(created["id"])
        assert shown.name == "Racing"  # my field rolled back
        assert shown.email == "live@example.com"  # their update survived the rollback
    finally:
        await proxy.stop()


@pytest.mark.process
async def test_server_stopped_then_back(tmp_path, connect) -> None:
    server = RunningServer(database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}", log_path=tmp_path / "log")
    server.start()
    try:
        created = server.create_contact(name="Patient")
        client = connect(server)
        store = await loaded(client, created["id"])
        server.stop()
        outcome = await actions.update_contact(store, client, created["id"], {"name": "While down"})
        assert outcome.status == "failed" and store.contact(created["id"]).name == "Patient"
        server.start()
        retry = await actions.update_contact(store, client, created["id"], {"name": "While down"})
        assert retry.status == "saved"
        assert server_contact(server, created["id"])["name"] == "While down"
    finally:
        server.stop()


async def test_live_update_of_a_field_being_edited_is_a_conflict(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Calm")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    actions.set_draft(store, created["id"], "name", "My edit")
    other = {**server_contact(api_server, created["id"]), "account_id": 1, "custom_attributes": {"plan": "pro"}}
    actions.apply_event(store, "contact.updated", other, account_id=1)
    assert store.entry(created["id"]).conflict is None  # another field: merged quietly
    assert store.contact(created["id"]).custom_attributes == {"plan": "pro"}
    clash = {**other, "name": "Their edit", "performer": {"id": 9, "name": "Sam Agent", "type": "user"}}
    actions.apply_event(store, "contact.updated", clash, account_id=1)
    conflict = store.entry(created["id"]).conflict
    assert conflict is not None and conflict.fields == ["name"] and conflict.performer == "Sam Agent"
    assert store.entry(created["id"]).draft == {"name": "My edit"}


async def test_events_for_other_accounts_are_dropped(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Local")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    actions.apply_event(store, "contact.updated", {"id": created["id"], "name": "Foreign", "account_id": 2}, 1)
    actions.apply_event(store, "contact.deleted", {"id": created["id"], "account_id": 2}, 1)
    assert store.contact(created["id"]).name == "Local" and not store.entry(created["id"]).deleted
    actions.apply_event(store, "contact.deleted", {"id": created["id"], "account_id": 1}, 1)
    assert store.entry(created["id"]).deleted


async def test_conversations_first_page_and_more(api_server: RunningServer, connect) -> None:
    client = connect(api_server)
    await client.profile()
    store = ContactStore()
    showcase = 1  # the seed's first contact has 25 conversations
    await actions.fetch_contact_conversations(store, client, showcase)
    history = store.history(showcase)
    assert len(history.conversations) == 20 and history.count == 25 and history.has_more
    await actions.fetch_contact_conversations(store, client, showcase, more=True)
    assert len(history.conversations) == 25 and not history.has_more
    assert len({c.id for c in history.conversations}) == 25
    stamps = [c.last_activity_at for c in history.conversations]
    assert stamps == sorted(stamps, reverse=True)


async def test_labels_and_notes(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Labelled")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    await actions.fetch_labels(store, client, created["id"])
    assert store.entry(created["id"]).labels == []
    assert await actions.set_labels(store, client, created["id"], ["vip", "billing"])
    assert store.entry(created["id"]).labels == ["billing", "vip"]
    note = await actions.add_note(store, client, created["id"], "Called about the invoice")
    assert note is not None and store.entry(created["id"]).notes[0].content == "Called about the invoice"
    assert await actions.delete_note(store, client, created["id"], note.id)
    assert store.entry(created["id"]).notes == []


async def test_timeline_from_server_events(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Tracked")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    await actions.update_contact(store, client, created["id"], {"name": "Tracked Again"})
    await actions.fetch_timeline(store, client, created["id"])
    timeline = store.timeline(created["id"])
    assert timeline.from_server
    kinds = [e.kind for e in timeline.events]
    assert kinds[0] == "updated" and kinds[-1] == "created"
    change = timeline.events[0]
    assert (change.field, change.old_value, change.new_value) == ("name", "Tracked", "Tracked Again")
    assert change.performer is not None and change.performer.name == "Alex Admin"


@pytest.mark.parametrize("who", ["admin"])
async def test_plain_chatwoot_mode_every_action_works(plain_api_server: RunningServer, connect, who: str) -> None:
    server = plain_api_server
    created = server.create_contact(name="Plain")
    client = connect(server, who)
    store = await loaded(client, created["id"])
    assert not client.supports_etag and not client.supports_paging and not client.supports_events
    assert store.entry(created["id"]).etag is None
    assert (await actions.update_contact(store, client, created["id"], {"name": "Plain Saved"})).status == "saved"
    assert server_contact(server, created["id"])["name"] == "Plain Saved"
    await actions.fetch_contact_conversations(store, client, 1)
    history = store.history(1)
    assert history.count is None and len(history.conversations) == 20 and not history.has_more
    await actions.fetch_notes(store, client, 1)
    await actions.fetch_timeline(store, client, 1)
    timeline = store.timeline(1)
    assert not timeline.from_server and timeline.events
    assert {e.kind for e in timeline.events} >= {"conversation_opened"}
    assert await actions.set_labels(store, client, created["id"], ["vip"])
    assert await actions.add_note(store, client, created["id"], "plain note") is not None
    delete_contact(server, created["id"])
    assert (await actions.update_contact(store, client, created["id"], {"name": "x"})).status == "deleted"


async def test_quick_successive_saves_by_one_agent_all_land(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Busy", custom_attributes={"seats": 1, "plan": "free"})
    client = connect(api_server)
    store = await loaded(client, created["id"])
    outcomes = await asyncio.gather(
        actions.update_contact(store, client, created["id"], {"custom_attributes.seats": 5}),
        actions.update_contact(store, client, created["id"], {"custom_attributes.plan": "pro"}),
        actions.update_contact(store, client, created["id"], {"custom_attributes.newsletter": True}),
    )
    assert [o.status for o in outcomes] == ["saved", "saved", "saved"]
    assert server_contact(api_server, created["id"])["custom_attributes"] == {
        "seats": 5,
        "plan": "pro",
        "newsletter": True,
    }


async def test_a_field_changed_live_after_i_started_editing_is_not_overwritten(
    api_server: RunningServer, connect
) -> None:
    created = api_server.create_contact(name="Start")
    mine, theirs = connect(api_server, "admin"), connect(api_server, "agent")
    store = await loaded(mine, created["id"])
    actions.set_draft(store, created["id"], "name", "Mine")
    await theirs.update_contact(created["id"], {"name": "Theirs"})
    live = {**server_contact(api_server, created["id"]), "account_id": 1}
    actions.apply_event(store, "contact.updated", live, account_id=1)
    store.entry(created["id"]).conflict = None  # the agent closed the dialog without choosing
    outcome = await actions.update_contact(store, mine, created["id"], {"name": "Mine"})
    assert outcome.status == "conflict"
    assert server_contact(api_server, created["id"])["name"] == "Theirs"


async def test_network_errors_are_reported_as_a_translatable_code(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Coded")
    proxy = await TcpProxy(api_server.port).start()
    try:
        client = connect(api_server, "admin", url=proxy.url)
        store = await loaded(client, created["id"])
        proxy.cut()
        outcome = await actions.update_contact(store, client, created["id"], {"name": "x"})
        assert outcome.status == "failed" and store.entry(created["id"]).save_error is ErrorCode.NETWORK
    finally:
        await proxy.stop()


async def test_a_note_edited_elsewhere_replaces_the_shown_one(api_server: RunningServer, connect) -> None:
    created = api_server.create_contact(name="Noted")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    await actions.fetch_notes(store, client, created["id"])
    note = await actions.add_note(store, client, created["id"], "First words")
    assert note is not None
    base = f"{api_server.url}/api/v1/accounts/1/contacts/{created['id']}"
    with api_server.http_client(timeout=10, headers=api_server.agent.headers) as http:
        edited = http.patch(f"{base}/notes/{note.id}", json={"content": "Better words"})
    edited.raise_for_status()
    # What the server tells every agent of the account (`contact.activity` with the note).
    actions.apply_event(store, "contact.activity", {"id": created["id"], "account_id": 1, "note": edited.json()}, 1)
    assert [n.content for n in store.entry(created["id"]).notes] == ["Better words"]


async def test_events_other_than_contacts_leave_the_store_alone(api_server: RunningServer, connect, caplog) -> None:
    created = api_server.create_contact(name="Present")
    client = connect(api_server)
    store = await loaded(client, created["id"])
    before = store.contact(created["id"])
    presence = {"account_id": 1, "users": {"1": "online"}, "contacts": {}}
    with caplog.at_level("WARNING"):
        actions.apply_event(store, "presence.update", presence, 1)
    assert store.contact(created["id"]) == before
    assert "malformed" not in caplog.text  # not a broken contact event: no event of ours at all


async def test_the_history_keeps_what_it_shows_not_the_whole_conversation(api_server: RunningServer, connect) -> None:
    """Each conversation of a contact's history comes with the contact itself as its sender and more; a page's
    store keeps only what the history shows (every open page of another contact holds its own history)."""
    client = connect(api_server)
    await client.profile()
    store = ContactStore()
    showcase = 1
    full = (await client.contact_conversations(showcase, 1)).conversations
    assert any(c.meta.sender is not None for c in full)  # what the server sends
    await actions.fetch_contact_conversations(store, client, showcase)
    kept = store.history(showcase).conversations
    assert [c.id for c in kept] == [c.id for c in full]
    for shown, sent in zip(kept, full, strict=True):
        assert shown.meta.sender is None and shown.last_non_activity_message is None
        assert (shown.status, shown.unread_count, shown.labels, shown.inbox_id) == (
            sent.status,
            sent.unread_count,
            sent.labels,
            sent.inbox_id,
        )
        assert (shown.created_at, shown.last_activity_at, shown.meta.channel) == (
            sent.created_at,
            sent.last_activity_at,
            sent.meta.channel,
        )
        assert [m.content for m in shown.messages] == [m.content for m in sent.messages[-1:]]
        assert all(m.sender is None for m in shown.messages)
