"""The embedded server's `/cable`, spoken to frame by frame over a real socket."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from websockets.asyncio.client import connect

from api.cable_client import cable_url
from api.protocol import CABLE_CHANNEL, CABLE_PROTOCOL
from tests.realtime.conftest import OpenCable
from tests.support.cable import SUBPROTOCOLS, room_identifier
from tests.support.processes import RunningServer

CONFIRM = "confirm_subscription"
REJECT = "reject_subscription"


async def rename(server: RunningServer, contact_id: int, name: str) -> None:
    async with httpx.AsyncClient(base_url=server.url, headers=server.admin.headers, timeout=10) as http:
        answer = await http.put(f"/api/v1/accounts/1/contacts/{contact_id}", json={"name": name})
    assert answer.status_code == 200, answer.text


def named(name: str):
    return lambda message: message["event"] == "contact.updated" and message["data"]["name"] == name


async def test_welcome_then_a_ping_every_three_seconds(api_server: RunningServer) -> None:
    async with connect(cable_url(api_server.url), subprotocols=SUBPROTOCOLS) as websocket:
        assert websocket.subprotocol == CABLE_PROTOCOL
        assert json.loads(await websocket.recv()) == {"type": "welcome"}
        started = time.monotonic()
        first = json.loads(await websocket.recv())
        second = json.loads(await websocket.recv())
    assert first["type"] == second["type"] == "ping"
    assert isinstance(first["message"], int) and abs(first["message"] - time.time()) < 5
    assert 2.0 < time.monotonic() - started < 8.0


async def test_right_token_is_confirmed(api_server: RunningServer, open_cable: OpenCable) -> None:
    cable = await open_cable(api_server)
    assert await cable.subscribe(room_identifier(api_server.agent)) == CONFIRM


async def test_ids_sent_as_strings_are_accepted(api_server: RunningServer, open_cable: OpenCable) -> None:
    agent = api_server.agent
    cable = await open_cable(api_server)
    identifier = room_identifier(agent, account_id=str(agent.account_id), user_id=str(agent.user_id))
    assert await cable.subscribe(identifier) == CONFIRM


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"pubsub_token": "not-a-token"}, id="wrong-pubsub-token"),
        pytest.param({"pubsub_token": ""}, id="empty-pubsub-token"),
        pytest.param({"user_id": "other-agent"}, id="user-id-of-another-agent"),
        pytest.param({"account_id": 2}, id="account-not-the-agents"),
        pytest.param({"account_id": 999}, id="account-that-does-not-exist"),
        pytest.param({"channel": "NotificationChannel"}, id="unknown-channel"),
        pytest.param({"account_id": None}, id="no-account"),
    ],
)
async def test_wrong_identifiers_are_rejected(
    api_server: RunningServer, open_cable: OpenCable, change: dict[str, object]
) -> None:
    if change.get("user_id") == "other-agent":
        change = {"user_id": api_server.admin.user_id}
    cable = await open_cable(api_server)
    assert await cable.subscribe(room_identifier(api_server.agent, **change)) == REJECT
    # A rejection leaves the connection usable.
    assert await cable.subscribe(room_identifier(api_server.agent)) == CONFIRM


async def test_contact_updated_reaches_the_accounts_agents(api_server: RunningServer, open_cable: OpenCable) -> None:
    contact = api_server.create_contact(name="Before Rename")
    identifier = room_identifier(api_server.agent)
    cable = await open_cable(api_server)
    assert await cable.subscribe(identifier) == CONFIRM

    new_name = f"Renamed {uuid.uuid4().hex[:6]}"
    await rename(api_server, contact["id"], new_name)

    frame = await cable.event(named(new_name))
    assert frame["identifier"] == identifier
    data = frame["message"]["data"]
    assert data["id"] == contact["id"]
    assert data["account_id"] == 1
    assert data["type"] == "contact"
    assert data["email"] == contact["email"]
    assert data["performer"]["id"] == api_server.admin.user_id
    assert data["performer"]["type"] == "user"
    assert "created_at" not in data and "last_activity_at" not in data


async def test_another_accounts_agent_hears_nothing(api_server: RunningServer, open_cable: OpenCable) -> None:
    contact = api_server.create_contact()
    own = await open_cable(api_server)
    assert await own.subscribe(room_identifier(api_server.agent)) == CONFIRM
    other = await open_cable(api_server)
    assert await other.subscribe(room_identifier(api_server.other_admin)) == CONFIRM

    new_name = f"Private {uuid.uuid4().hex[:6]}"
    await rename(api_server, contact["id"], new_name)

    await own.event(named(new_name))
    heard = [frame["message"] for frame in await other.quiet(1.0)]
    assert all(message["event"] == "presence.update" and message["data"]["account_id"] == 2 for message in heard)


async def test_contact_deleted_after_an_admin_delete(api_server: RunningServer, open_cable: OpenCable) -> None:
    contact = api_server.create_contact()
    cable = await open_cable(api_server)
    assert await cable.subscribe(room_identifier(api_server.agent)) == CONFIRM

    async with httpx.AsyncClient(base_url=api_server.url, headers=api_server.admin.headers, timeout=10) as http:
        answer = await http.delete(f"/api/v1/accounts/1/contacts/{contact['id']}")
    assert answer.status_code == 200

    frame = await cable.event(lambda m: m["event"] == "contact.deleted" and m["data"]["id"] == contact["id"])
    assert frame["message"]["data"]["account_id"] == 1


async def test_update_presence_is_answered_with_presence(api_server: RunningServer, open_cable: OpenCable) -> None:
    """As Chatwoot's RoomChannel: subscribing and each `update_presence` answer `presence.update` (more in
    tests/realtime/test_presence.py)."""
    contact = api_server.create_contact()
    identifier = room_identifier(api_server.agent)
    cable = await open_cable(api_server)
    assert await cable.subscribe(identifier) == CONFIRM

    presence = {"command": "message", "identifier": identifier, "data": json.dumps({"action": "update_presence"})}
    await cable.send(presence)
    await cable.send(presence)
    heard = [frame["message"]["event"] for frame in await cable.quiet(0.5)]
    assert heard == ["presence.update"] * 3

    new_name = f"Present {uuid.uuid4().hex[:6]}"
    await rename(api_server, contact["id"], new_name)
    await cable.event(named(new_name))


async def test_malformed_frames_are_ignored(api_server: RunningServer, open_cable: OpenCable) -> None:
    cable = await open_cable(api_server)
    for junk in (
        "not json at all {",
        "[1, 2, 3]",
        '"a string"',
        "null",
        json.dumps({"command": "subscribe"}),
        json.dumps({"command": "subscribe", "identifier": {"channel": CABLE_CHANNEL}}),
        json.dumps({"command": "fly", "identifier": "x"}),
        json.dumps({"command": "message", "identifier": "never-subscribed", "data": "{"}),
        json.dumps({"command": "unsubscribe", "identifier": "never-subscribed"}),
    ):
        await cable.send(junk)
    await cable.websocket.send(b"\x00\x01binary")
    assert await cable.quiet(0.5) == []

    # An identifier that is not JSON gets a rejection, not a crash.
    assert await cable.subscribe("{not json") == REJECT
    assert await cable.subscribe(room_identifier(api_server.agent)) == CONFIRM


async def test_several_subscriptions_and_unsubscribe(api_server: RunningServer, open_cable: OpenCable) -> None:
    contact = api_server.create_contact()
    agent = api_server.agent
    compact = json.dumps(
        {"channel": CABLE_CHANNEL, "pubsub_token": agent.pubsub_token, "account_id": 1, "user_id": agent.user_id},
        separators=(",", ":"),
    )
    spaced = room_identifier(agent)
    cable = await open_cable(api_server)
    assert await cable.subscribe(compact) == CONFIRM
    assert await cable.subscribe(spaced) == CONFIRM
    # Subscribing again to the same identifier is confirmed without doubling the stream.
    assert await cable.subscribe(spaced) == CONFIRM

    first = f"Both {uuid.uuid4().hex[:6]}"
    await rename(api_server, contact["id"], first)
    frames = [frame for frame in await cable.quiet(1.5) if "message" in frame and named(first)(frame["message"])]
    assert sorted(frame["identifier"] for frame in frames) == sorted([compact, spaced])

    await cable.send({"command": "unsubscribe", "identifier": compact})
    # The server reads frames in order: once this is answered, the unsubscribe has been done.
    assert await cable.subscribe("{barrier") == REJECT
    second = f"One {uuid.uuid4().hex[:6]}"
    await rename(api_server, contact["id"], second)
    frames = [frame for frame in await cable.quiet(1.5) if "message" in frame and named(second)(frame["message"])]
    assert [frame["identifier"] for frame in frames] == [spaced]


async def test_a_client_that_offers_no_subprotocol_still_works(api_server: RunningServer) -> None:
    async with connect(cable_url(api_server.url)) as websocket:
        assert websocket.subprotocol is None
        assert json.loads(await websocket.recv()) == {"type": "welcome"}


async def test_abrupt_disconnects_leave_the_server_healthy(api_server: RunningServer, open_cable: OpenCable) -> None:
    for _ in range(5):
        cable = await open_cable(api_server)
        assert await cable.subscribe(room_identifier(api_server.agent)) == CONFIRM
        cable.websocket.transport.abort()
    contact = api_server.create_contact()
    cable = await open_cable(api_server)
    assert await cable.subscribe(room_identifier(api_server.agent)) == CONFIRM
    new_name = f"Still {uuid.uuid4().hex[:6]}"
    await rename(api_server, contact["id"], new_name)
    await cable.event(named(new_name))
