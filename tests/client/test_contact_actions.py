"""The panel's actions beyond editing fields (issue 15): the contact's picture, blocking, deleting; each against the
embedded server in this process, on SQLite and PostgreSQL, and in plain-Chatwoot mode."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from api.client import ChatwootClient
from api.error_codes import ErrorCode
from api.errors import Forbidden
from state import actions
from state.store import ContactStore
from tests.support.processes import RunningServer

PNG = "image/png"


def picture(kind: str = "PNG", size: tuple[int, int] = (400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "purple").save(out, kind)
    return out.getvalue()


async def loaded(client: ChatwootClient, contact_id: int) -> ContactStore:
    """A store with the contact fetched, as an open contact page has it."""
    profile = await client.profile()  # also learns which extensions the server offers
    store = ContactStore(agent_id=profile.id, account_id=client.account_id)
    await actions.fetch_contact(store, client, contact_id)
    return store


def avatar_changes_seen(store: ContactStore, contact_id: int) -> list[str | None]:
    """Every `avatar_change` the contact's pages were told about, in order."""
    seen: list[str | None] = []
    store.subscribe(contact_id, lambda: seen.append(store.entry(contact_id).avatar_change))
    return seen


async def delivered() -> None:
    """Let the store deliver the notification it queued last (`ContactStore.notify` sends on the next loop turn)."""
    await asyncio.sleep(0)


async def test_an_uploaded_picture_becomes_the_thumbnail(server: RunningServer, connect) -> None:
    contact = server.create_contact(name="Pictured", inbox_id=1)
    client = connect(server)
    store = await loaded(client, contact["id"])
    seen = avatar_changes_seen(store, contact["id"])
    outcome = await actions.upload_avatar(store, client, contact["id"], picture(), "me.png", PNG)
    assert outcome.status == "saved" and outcome.fields == ["thumbnail"]
    thumbnail = store.contact(contact["id"]).thumbnail
    assert thumbnail and thumbnail == server.stored_contact(contact["id"])["thumbnail"]
    await delivered()
    assert seen[0] == "uploading" and seen[-1] is None  # pages showed the upload in progress, then its end
    assert store.entry(contact["id"]).etag is not None


async def test_removing_the_picture_keeps_the_rest_of_the_contact(server: RunningServer, connect) -> None:
    contact = server.create_contact(name="Unpictured", inbox_id=1)
    client = connect(server)
    store = await loaded(client, contact["id"])
    assert (await actions.upload_avatar(store, client, contact["id"], picture(), "me.png", PNG)).status == "saved"
    inboxes = store.contact(contact["id"]).contact_inboxes
    assert inboxes
    seen = avatar_changes_seen(store, contact["id"])
    outcome = await actions.remove_avatar(store, client, contact["id"])
    assert outcome.status == "saved"
    assert store.contact(contact["id"]).thumbnail == "" == server.stored_contact(contact["id"])["thumbnail"]
    # Chatwoot answers a removal without the inboxes: the ones shown stay.
    assert store.contact(contact["id"]).contact_inboxes == inboxes
    await delivered()
    assert seen[0] == "removing" and seen[-1] is None


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (("notes.txt", b"just text", "text/plain"), ErrorCode.AVATAR_NOT_IMAGE),
        (("renamed.png", b"%PDF-1.7 not a picture at all", PNG), ErrorCode.AVATAR_NOT_IMAGE),
        (("huge.bmp", picture("BMP", (2600, 2600)), "image/bmp"), ErrorCode.AVATAR_TOO_BIG),
    ],
    ids=["text", "renamed-to-png", "20-mb"],
)
async def test_a_bad_file_is_told_and_changes_nothing(
    server: RunningServer, connect, upload: tuple[str, bytes, str], code: ErrorCode
) -> None:
    contact = server.create_contact(name="Kept As Is")
    client = connect(server)
    store = await loaded(client, contact["id"])
    name, data, content_type = upload
    outcome = await actions.upload_avatar(store, client, contact["id"], data, name, content_type)
    assert outcome.status == "invalid" and outcome.message is code
    assert server.stored_contact(contact["id"]) == contact
    assert store.contact(contact["id"]).thumbnail == "" and store.entry(contact["id"]).avatar_change is None


async def test_an_upload_whose_answer_is_lost_settles_as_saved(api_server: RunningServer) -> None:
    """The server's write waits on a held database past the client's timeout; the client asks and finds it."""
    contact = api_server.create_contact(name="Slow Picture")
    signed_in = api_server.admin
    async with ChatwootClient(
        api_server.url,
        token=signed_in.token,
        account_id=signed_in.account_id,
        write_timeout=1.5,
        transport=api_server.async_transport(),
    ) as client:
        store = await loaded(client, contact["id"])
        with api_server.database_held():
            upload = asyncio.create_task(actions.upload_avatar(store, client, contact["id"], picture(), "a.png", PNG))
            await asyncio.sleep(1.8)
            assert not upload.done() and store.entry(contact["id"]).avatar_change == "uploading"
        outcome = await upload
    assert outcome.status == "saved"
    assert store.contact(contact["id"]).thumbnail == api_server.stored_contact(contact["id"])["thumbnail"] != ""


async def test_block_and_unblock(server: RunningServer, connect) -> None:
    contact = server.create_contact(name="Blockable")
    client = connect(server)
    store = await loaded(client, contact["id"])
    task = asyncio.create_task(actions.set_blocked(store, client, contact["id"], True))
    await asyncio.sleep(0)
    assert store.contact(contact["id"]).blocked is True  # shown before the server answered
    assert (await task).status == "saved"
    assert server.stored_contact(contact["id"])["blocked"] is True
    assert (await actions.set_blocked(store, client, contact["id"], False)).status == "saved"
    assert server.stored_contact(contact["id"])["blocked"] is False
    assert store.contact(contact["id"]).blocked is False


async def test_an_administrator_deletes_a_contact(server: RunningServer, connect) -> None:
    contact = server.create_contact(name="To Delete")
    client = connect(server)
    store = await loaded(client, contact["id"])
    assert await actions.delete_contact(store, client, contact["id"]) is None
    assert server.stored_contact(contact["id"]) is None
    assert store.entry(contact["id"]).deleted and store.entry(contact["id"]).deleted_by is None
    # Deleted meanwhile by someone else (or a second click): it is gone, as asked.
    assert await actions.delete_contact(store, client, contact["id"]) is None


async def test_an_agent_may_not_delete_a_contact(server: RunningServer, connect) -> None:
    contact = server.create_contact(name="Not Yours To Delete")
    client = connect(server, "agent")
    store = await loaded(client, contact["id"])
    with pytest.raises(Forbidden):
        await client.delete_contact(contact["id"])
    assert await actions.delete_contact(store, client, contact["id"]) is ErrorCode.FORBIDDEN
    assert server.stored_contact(contact["id"]) == contact
    assert not store.entry(contact["id"]).deleted


async def test_a_deletion_by_another_agent_says_who(api_server: RunningServer, connect) -> None:
    contact = api_server.create_contact(name="Watched")
    client = connect(api_server, "agent")
    store = await loaded(client, contact["id"])
    data = {"id": contact["id"], "account_id": 1, "performer": {"id": api_server.admin.user_id, "name": "Alex Admin"}}
    actions.apply_event(store, "contact.deleted", data, 1)
    assert store.entry(contact["id"]).deleted and store.entry(contact["id"]).deleted_by == "Alex Admin"
    mine = {**data, "performer": {"id": api_server.agent.user_id, "name": "Sam Agent"}}
    actions.apply_event(store, "contact.deleted", mine, 1)
    assert store.entry(contact["id"]).deleted_by is None  # this agent's own deletion (another tab): no name


async def test_plain_chatwoot_mode(plain_api_server: RunningServer, connect) -> None:
    contact = plain_api_server.create_contact(name="Plain")
    client = connect(plain_api_server)
    store = await loaded(client, contact["id"])
    uploaded = await actions.upload_avatar(store, client, contact["id"], picture("JPEG"), "a.jpg", "image/jpeg")
    assert uploaded.status == "saved" and store.contact(contact["id"]).thumbnail
    assert (await actions.remove_avatar(store, client, contact["id"])).status == "saved"
    assert (await actions.set_blocked(store, client, contact["id"], True)).status == "saved"
    assert await actions.delete_contact(store, client, contact["id"]) is None
    assert plain_api_server.stored_contact(contact["id"]) is None
