"""CableClient against the real server process, and against a scripted ActionCable server for the odd cases."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.typing import Subprotocol

from api.cable_client import CableClient, cable_url, origin_of
from api.protocol import CABLE_CHANNEL, CABLE_PROTOCOL
from tests.realtime.conftest import MakeClient, Recorder, recorder_of
from tests.support.processes import RunningServer
from tests.support.sign_in import SignedIn


async def rename(server: RunningServer, contact_id: int, name: str) -> None:
    async with httpx.AsyncClient(base_url=server.url, headers=server.admin.headers, timeout=10) as http:
        answer = await http.put(f"/api/v1/accounts/1/contacts/{contact_id}", json={"name": name})
    assert answer.status_code == 200, answer.text


def has_name(name: str) -> Callable[[Recorder], bool]:
    return lambda r: any(event == "contact.updated" and data.get("name") == name for event, data in r.events)


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://127.0.0.1:8080", "ws://127.0.0.1:8080/cable"),
        ("http://127.0.0.1:8080/", "ws://127.0.0.1:8080/cable"),
        ("https://app.chatwoot.com", "wss://app.chatwoot.com/cable"),
        ("https://example.org/chatwoot/", "wss://example.org/chatwoot/cable"),
        ("wss://example.org/cable", "wss://example.org/cable"),
    ],
)
def test_cable_url(base: str, expected: str) -> None:
    assert cable_url(base) == expected


def test_cable_url_refuses_what_is_not_a_server() -> None:
    with pytest.raises(ValueError, match="Not an http"):
        cable_url("ftp://example.org")


def test_origin_is_the_pages_origin_rails_expects() -> None:
    assert origin_of("wss://app.chatwoot.com/cable") == "https://app.chatwoot.com"
    assert origin_of("ws://127.0.0.1:3000/cable") == "http://127.0.0.1:3000"


async def test_receives_contact_updated_from_the_real_server(
    api_server: RunningServer, make_client: MakeClient
) -> None:
    contact = api_server.create_contact()
    client = make_client(api_server.url, api_server.agent)
    recorder = recorder_of(client)
    await recorder.until(lambda r: r.statuses == [True])
    assert client.connected

    new_name = f"Live {uuid.uuid4().hex[:6]}"
    await rename(api_server, contact["id"], new_name)

    await recorder.until(has_name(new_name))
    data = next(d for e, d in recorder.events if d.get("name") == new_name)
    assert data["id"] == contact["id"]
    assert data["performer"]["id"] == api_server.admin.user_id
    assert recorder.reconnects == 0


async def test_a_wrong_token_is_reported_and_never_raises(api_server: RunningServer, make_client: MakeClient) -> None:
    agent = api_server.agent
    wrong = SignedIn(email=agent.email, token="", pubsub_token="wrong", user_id=agent.user_id, account_id=1)
    client = make_client(api_server.url, wrong, rejected_delay=60)
    await recorder_of(client).until(lambda r: r.statuses == [False])
    assert not client.connected
    assert client.running


async def test_reconnects_after_the_server_restarts(
    tmp_path_factory: pytest.TempPathFactory, make_client: MakeClient
) -> None:
    tmp = tmp_path_factory.mktemp("restarted-server")
    server = RunningServer.in_directory(tmp, module="server")
    await asyncio.to_thread(server.start)
    try:
        contact = server.create_contact()
        client = make_client(server.url, server.agent)
        recorder = recorder_of(client)
        await recorder.until(lambda r: r.statuses == [True])

        await asyncio.to_thread(server.stop)
        await recorder.until(lambda r: r.statuses == [True, False])
        await asyncio.sleep(1.0)  # a few refused attempts while the server is away
        await asyncio.to_thread(server.start)

        await recorder.until(lambda r: r.statuses == [True, False, True] and r.reconnects == 1, within=20)
        new_name = f"After restart {uuid.uuid4().hex[:6]}"
        await rename(server, contact["id"], new_name)
        await recorder.until(has_name(new_name))
    finally:
        await asyncio.to_thread(server.stop)


# A scripted ActionCable server, for what the real one never does.

Script = Callable[[ServerConnection, int], Awaitable[None]]


@dataclass
class ScriptedServer:
    """Runs `script(connection, n)` for the n-th connection (0-based); records what clients send."""

    script: Script
    received: list[dict[str, Any]] = field(default_factory=list)
    connections: int = 0
    port: int = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/cable"

    async def handle(self, connection: ServerConnection) -> None:
        number = self.connections
        self.connections += 1
        await self.script(connection, number)

    async def subscription(self, connection: ServerConnection) -> str:
        """Welcome the client and wait for its subscribe; returns the identifier."""
        await connection.send(json.dumps({"type": "welcome"}))
        while True:
            frame = json.loads(await connection.recv())
            self.received.append(frame)
            if frame.get("command") == "subscribe":
                return str(frame["identifier"])

    async def record_until_closed(self, connection: ServerConnection) -> None:
        async for raw in connection:
            self.received.append(json.loads(raw))


@pytest.fixture
async def scripted() -> AsyncIterator[Callable[[Script], Awaitable[ScriptedServer]]]:
    servers: list[Any] = []

    async def start(script: Script) -> ScriptedServer:
        scripted_server = ScriptedServer(script)
        protocols = [Subprotocol(CABLE_PROTOCOL)]
        server = await serve(scripted_server.handle, "127.0.0.1", 0, subprotocols=protocols, ping_interval=None)
        servers.append(server)
        scripted_server.port = server.sockets[0].getsockname()[1]
        return scripted_server

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def confirm(identifier: str) -> str:
    return json.dumps({"identifier": identifier, "type": "confirm_subscription"})


def event(identifier: str, name: str, data: Any) -> str:
    return json.dumps({"identifier": identifier, "message": {"event": name, "data": data}})


async def test_drops_other_accounts_and_malformed_events(scripted, make_client: MakeClient) -> None:
    async def script(connection: ServerConnection, _number: int) -> None:
        identifier = await fake.subscription(connection)
        await connection.send(confirm(identifier))
        for frame in (
            event(identifier, "contact.updated", {"id": 1, "name": "Other account", "account_id": 2}),
            event(identifier, "contact.updated", {"id": 2, "name": "No account"}),
            event(identifier, "contact.updated", {"id": 3, "name": "Account as text", "account_id": "2"}),
            event(identifier, "contact.updated", "not an object"),
            event("another identifier", "contact.updated", {"id": 4, "name": "Not ours", "account_id": 1}),
            json.dumps({"identifier": identifier, "message": ["not", "an", "event"]}),
            "not json {",
            json.dumps([1, 2]),
            event(identifier, "contact.updated", {"id": 5, "name": "Ours", "account_id": 1}),
            event(identifier, "contact.deleted", {"id": 6, "account_id": "1"}),
        ):
            await connection.send(frame)
        await fake.record_until_closed(connection)

    fake = await scripted(script)
    client = make_client(fake.url)
    recorder = recorder_of(client)
    await recorder.until(lambda r: len(r.events) >= 2)
    await asyncio.sleep(0.2)
    assert [(name, data["id"]) for name, data in recorder.events] == [("contact.updated", 5), ("contact.deleted", 6)]
    assert recorder.statuses == [True]


async def test_subscribes_with_chatwoots_identifier_and_sends_presence(scripted, make_client: MakeClient) -> None:
    async def script(connection: ServerConnection, _number: int) -> None:
        identifier = await fake.subscription(connection)
        await connection.send(confirm(identifier))
        await fake.record_until_closed(connection)

    fake = await scripted(script)
    make_client(fake.url, presence_interval=0.2)
    async with asyncio.timeout(5):
        while sum(frame.get("command") == "message" for frame in fake.received) < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    subscribe = fake.received[0]
    assert subscribe["command"] == "subscribe"
    assert json.loads(subscribe["identifier"]) == {
        "channel": CABLE_CHANNEL,
        "pubsub_token": "token",
        "account_id": 1,
        "user_id": 7,
    }
    presence = next(frame for frame in fake.received if frame.get("command") == "message")
    assert presence["identifier"] == subscribe["identifier"]
    assert json.loads(presence["data"]) == {"action": "update_presence"}


async def test_a_connection_without_pings_is_dead(scripted, make_client: MakeClient) -> None:
    async def script(connection: ServerConnection, _number: int) -> None:
        identifier = await fake.subscription(connection)
        await connection.send(confirm(identifier))
        await fake.record_until_closed(connection)  # and never a ping

    fake = await scripted(script)
    client = make_client(fake.url, stale_after=0.5, backoff_base=0.05, backoff_cap=0.1)
    recorder = recorder_of(client)
    await recorder.until(lambda r: r.reconnects >= 1 and r.statuses[-1])
    assert recorder.statuses[:3] == [True, False, True]
    assert fake.connections >= 2


async def test_pings_keep_a_quiet_connection_alive(scripted, make_client: MakeClient) -> None:
    async def script(connection: ServerConnection, _number: int) -> None:
        identifier = await fake.subscription(connection)
        await connection.send(confirm(identifier))
        while True:
            await asyncio.sleep(0.1)
            await connection.send(json.dumps({"type": "ping", "message": 0}))

    fake = await scripted(script)
    client = make_client(fake.url, stale_after=0.5)
    recorder = recorder_of(client)
    await recorder.until(lambda r: r.statuses == [True])
    await asyncio.sleep(1.5)
    assert fake.connections == 1
    assert recorder.statuses == [True]
    assert client.connected


async def test_a_rejected_subscription_is_retried_slowly(scripted, make_client: MakeClient) -> None:
    async def script(connection: ServerConnection, number: int) -> None:
        identifier = await fake.subscription(connection)
        if number == 0:
            await connection.send(json.dumps({"identifier": identifier, "type": "reject_subscription"}))
        else:
            await connection.send(confirm(identifier))
        await fake.record_until_closed(connection)

    fake = await scripted(script)
    client = make_client(fake.url, rejected_delay=0.4)
    recorder = recorder_of(client)
    await recorder.until(lambda r: r.statuses == [False])
    assert fake.connections == 1
    await recorder.until(lambda r: r.statuses == [False, True])
    # The first confirmed subscription is not a reconnect: nothing was missed.
    assert recorder.reconnects == 0
    assert client.connected


async def test_a_callback_that_fails_does_not_stop_the_client(scripted, make_client: MakeClient) -> None:
    async def script(connection: ServerConnection, _number: int) -> None:
        identifier = await fake.subscription(connection)
        await connection.send(confirm(identifier))
        await connection.send(event(identifier, "contact.updated", {"id": 1, "account_id": 1}))
        await connection.send(event(identifier, "contact.updated", {"id": 2, "account_id": 1}))
        await fake.record_until_closed(connection)

    fake = await scripted(script)
    seen: list[int] = []
    done = asyncio.Event()

    async def on_event(_event: str, data: dict[str, Any]) -> None:
        seen.append(data["id"])
        if data["id"] == 1:
            raise RuntimeError("a bug in the app")
        done.set()

    client = CableClient(fake.url, pubsub_token="t", account_id=1, user_id=1, on_event=on_event)
    client.start()
    try:
        async with asyncio.timeout(5):
            await done.wait()
        assert seen == [1, 2]
        assert client.connected
    finally:
        await client.stop()


async def test_stop_ends_a_client_that_never_connected() -> None:
    async def on_event(_event: str, _data: dict[str, Any]) -> None:
        return None

    client = CableClient("ws://127.0.0.1:9/cable", pubsub_token="t", account_id=1, user_id=1, on_event=on_event)
    client.start()
    await asyncio.sleep(0.3)
    assert client.running
    await client.stop()
    assert not client.running
    await client.stop()  # twice is harmless


async def test_a_callback_may_stop_the_client(scripted) -> None:
    async def script(connection: ServerConnection, _number: int) -> None:
        identifier = await fake.subscription(connection)
        await connection.send(confirm(identifier))
        await connection.send(event(identifier, "contact.updated", {"id": 1, "account_id": 1}))
        await fake.record_until_closed(connection)

    fake = await scripted(script)
    stopped = asyncio.Event()
    events: list[int] = []

    async def on_event(_event: str, data: dict[str, Any]) -> None:
        events.append(data["id"])

    async def on_status(connected: bool) -> None:
        if connected:
            await client.stop()
            stopped.set()

    client = CableClient(fake.url, pubsub_token="t", account_id=1, user_id=1, on_event=on_event, on_status=on_status)
    client.start()
    async with asyncio.timeout(5):
        await stopped.wait()
    await asyncio.sleep(0.3)
    assert not client.running
    assert events == []  # nothing after stop()
