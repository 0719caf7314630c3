"""Slow clients: stalled request lines, headers and bodies are cut off; `/cable` needs a subscription soon.

The app process runs with timeouts of a second or two (HEADER_READ_TIMEOUT, BODY_READ_TIMEOUT,
CABLE_SUBSCRIBE_TIMEOUT), so each test takes seconds. The last test runs the embedded server in this
process, where its event bus can be looked at, and opens and closes 300 `/cable` sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from api.cable_client import cable_url
from api.demo import ADMIN
from api.protocol import HEALTH_PATH
from api.settings import Settings
from server.app import create_app
from tests.support.cable import SUBPROTOCOLS, room_identifier
from tests.support.processes import RunningServer, free_port
from tests.support.sign_in import SignedIn, sign_in

HEADER_TIMEOUT = 1.5
BODY_TIMEOUT = 2.0
CABLE_TIMEOUT = 1.5
# Scheduling slack: two cores shared with other test runs.
GRACE = 2.5
TIMED_OUT = b"HTTP/1.1 408 "


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    timeouts = {
        "HEADER_READ_TIMEOUT": str(HEADER_TIMEOUT),
        "BODY_READ_TIMEOUT": str(BODY_TIMEOUT),
        "CABLE_SUBSCRIBE_TIMEOUT": str(CABLE_TIMEOUT),
    }
    app = RunningServer.in_directory(tmp_path_factory.mktemp("slow-clients-app"), module="main", **timeouts)
    with app.running():
        yield app


@pytest.fixture(scope="module")
def admin(app: RunningServer) -> SignedIn:
    return app.admin


async def raw(app: RunningServer, data: bytes = b"") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", app.port)
    if data:
        writer.write(data)
        await writer.drain()
    return reader, writer


async def until_closed(reader: asyncio.StreamReader, within: float) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    started = time.monotonic()
    received = b""
    async with asyncio.timeout(within):
        while chunk := await reader.read(65536):
            received += chunk
    return received, time.monotonic() - started


def token_header(signed_in: SignedIn) -> bytes:
    """The caller's token as a raw header line.

    A request without one may be refused with 401 before its body is read, and then nothing here would test how
    a body is read: every body below is sent with a valid token.
    """
    return b"api_access_token: %s\r\n" % signed_in.token.encode()


def stalled_body_request(app: RunningServer, signed_in: SignedIn) -> bytes:
    """An authenticated request that declares 100 bytes of body and sends a few of them."""
    return (
        b"POST /api/v1/accounts/1/contacts HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%b"
        b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name": ' % (app.port, token_header(signed_in))
    )


# --- request line and headers --------------------------------------------------------------------------


async def test_half_a_request_line_then_silence_is_answered_408_and_closed(app: RunningServer) -> None:
    reader, writer = await raw(app, b"GET /log")
    try:
        received, took = await until_closed(reader, HEADER_TIMEOUT + GRACE)
    finally:
        writer.close()
    assert received.startswith(TIMED_OUT), received
    assert took > HEADER_TIMEOUT - 0.5


async def test_headers_trickled_byte_by_byte_are_cut_off_at_the_header_timeout(app: RunningServer) -> None:
    request = b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"
    reader, writer = await raw(app)

    async def trickle() -> None:
        with contextlib.suppress(ConnectionError):
            for byte in request:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.1)  # every byte is progress, but the headers never end in time

    trickling = asyncio.create_task(trickle())
    try:
        received, took = await until_closed(reader, HEADER_TIMEOUT + GRACE)
    finally:
        trickling.cancel()
        writer.close()
    assert received.startswith(TIMED_OUT), received
    assert took < HEADER_TIMEOUT + GRACE


async def test_a_connection_that_never_sends_a_byte_is_closed_silently(app: RunningServer) -> None:
    reader, writer = await raw(app)
    try:
        received, _ = await until_closed(reader, HEADER_TIMEOUT + GRACE)
    finally:
        writer.close()
    assert received == b""  # nothing was asked, so nothing is answered


async def test_a_keep_alive_connection_serves_requests_longer_than_the_header_timeout(app: RunningServer) -> None:
    # The timeout is per request: a connection busy with quick requests is never cut.
    async with httpx.AsyncClient(base_url=app.url, timeout=5) as client:
        started = time.monotonic()
        while time.monotonic() - started < HEADER_TIMEOUT * 2:
            assert (await client.get("/api/v1/profile")).status_code == 401
            await asyncio.sleep(0.3)


# --- bodies ----------------------------------------------------------------------------------------------


async def test_a_declared_body_that_stalls_is_answered_408_and_closed(app: RunningServer, admin: SignedIn) -> None:
    reader, writer = await raw(app, stalled_body_request(app, admin))
    try:
        received, took = await until_closed(reader, BODY_TIMEOUT + GRACE)
    finally:
        writer.close()
    assert received.startswith(TIMED_OUT), received
    assert took > BODY_TIMEOUT - 0.5
    log = app.log_path.read_text(errors="replace")
    assert "Exception in ASGI application" not in log


async def test_a_slow_body_that_keeps_coming_is_read_to_the_end(app: RunningServer, admin: SignedIn) -> None:
    body = json.dumps({"name": "Slow But Steady"}).encode()
    head = (
        b"POST /api/v1/accounts/1/contacts HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%b"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (app.port, token_header(admin), len(body))
    )
    reader, writer = await raw(app, head)
    try:
        for start in range(0, len(body), len(body) // 4 + 1):  # the whole body takes longer than the timeout
            await asyncio.sleep(BODY_TIMEOUT * 0.6)
            writer.write(body[start : start + len(body) // 4 + 1])
            await writer.drain()
        received, _ = await until_closed(reader, 10)
    finally:
        writer.close()
    assert received.startswith(b"HTTP/1.1 200 "), received
    created = json.loads(received.partition(b"\r\n\r\n")[2])
    assert created["payload"]["contact"]["name"] == "Slow But Steady"  # the whole body was read


async def test_150_slow_clients_neither_hold_up_others_nor_stay_open(app: RunningServer, admin: SignedIn) -> None:
    slow = [await raw(app, b"GET /contacts HTT") for _ in range(100)]
    slow += [await raw(app, stalled_body_request(app, admin)) for _ in range(50)]
    try:
        async with httpx.AsyncClient(base_url=app.url, timeout=5) as client:
            started = time.monotonic()
            answer = await client.get("/api/v1/profile")
            took = time.monotonic() - started
        assert answer.status_code == 401
        assert took < 2.0  # a quiet server answers in milliseconds; slack for a busy shared machine

        outcomes = await asyncio.gather(
            *(until_closed(reader, max(HEADER_TIMEOUT, BODY_TIMEOUT) + GRACE + 2) for reader, _ in slow)
        )
    finally:
        for _, writer in slow:
            writer.close()
    assert all(received.startswith(TIMED_OUT) for received, _ in outcomes)


# --- /cable ----------------------------------------------------------------------------------------------


async def open_cable(base_url: str) -> ClientConnection:
    cable = await connect(cable_url(base_url), subprotocols=SUBPROTOCOLS)
    assert json.loads(await cable.recv()) == {"type": "welcome"}
    return cable


async def frames_until_closed(cable: ClientConnection, within: float) -> tuple[list[dict[str, Any]], float]:
    started = time.monotonic()
    frames: list[dict[str, Any]] = []
    async with asyncio.timeout(within):
        with contextlib.suppress(ConnectionClosed):
            while True:
                frames.append(json.loads(await cable.recv()))
    return frames, time.monotonic() - started


async def test_a_cable_that_never_subscribes_is_closed(app: RunningServer) -> None:
    cable = await open_cable(app.url)
    frames, took = await frames_until_closed(cable, CABLE_TIMEOUT + GRACE)
    assert frames[-1] == {"type": "disconnect", "reason": "unauthorized", "reconnect": False}
    assert took > CABLE_TIMEOUT - 0.5


async def test_a_cable_with_only_rejected_subscriptions_is_closed(app: RunningServer, admin: SignedIn) -> None:
    cable = await open_cable(app.url)
    await cable.send(json.dumps({"command": "subscribe", "identifier": room_identifier(admin, pubsub_token="wrong")}))
    frames, _ = await frames_until_closed(cable, CABLE_TIMEOUT + GRACE)
    assert frames[0]["type"] == "reject_subscription"
    assert frames[-1]["type"] == "disconnect"


async def test_a_subscribed_cable_stays_open(app: RunningServer, admin: SignedIn) -> None:
    cable = await open_cable(app.url)
    try:
        await cable.send(json.dumps({"command": "subscribe", "identifier": room_identifier(admin)}))
        assert json.loads(await cable.recv())["type"] == "confirm_subscription"
        while (frame := json.loads(await cable.recv())).get("type") == "ping":
            pass
        assert frame["message"]["event"] == "presence.update"
        await asyncio.sleep(CABLE_TIMEOUT + 1)
        async with asyncio.timeout(5):  # pings still come every 3 s
            assert json.loads(await cable.recv())["type"] == "ping"
    finally:
        await cable.close()


# --- 300 /cable sockets in this process ------------------------------------------------------------------


def resident_bytes() -> int:
    """This process's resident memory, after handing memory that nothing holds any more back to the system."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc keeps freed heap otherwise, which would hide what returns
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest_asyncio.fixture
async def embedded_server(tmp_path: Path) -> AsyncIterator[tuple[str, Any]]:
    """The embedded server on a free port inside this test's event loop; yields its URL and runtime."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'contacts.db'}",
        analytics_sink=str(tmp_path / "analytics.jsonl"),
        redis_url=None,
        chatwoot_url=None,
        demo_data=True,
        cable_subscribe_timeout=1.0,
    )
    server_app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(
        server_app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    url = f"http://127.0.0.1:{port}"
    try:
        async with asyncio.timeout(60), httpx.AsyncClient(base_url=url) as client:
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(HEALTH_PATH)).status_code == 200:
                        break
                await asyncio.sleep(0.2)
        yield url, server_app.state.contact_server
    finally:
        server.should_exit = True
        await serving


async def test_300_cable_sockets_opened_and_closed_leave_no_state(embedded_server: tuple[str, Any]) -> None:
    url, runtime = embedded_server
    signed_in = await asyncio.to_thread(sign_in, url, ADMIN)
    subscribers: dict[int, set[Any]] = runtime.bus._subscribers  # what the bus holds, per account
    tasks_before = len(asyncio.all_tasks())
    limit = asyncio.Semaphore(50)

    async def subscribed() -> ClientConnection:
        async with limit:
            cable = await open_cable(url)
            await cable.send(json.dumps({"command": "subscribe", "identifier": room_identifier(signed_in)}))
            while (frame := json.loads(await cable.recv()))["type"] == "ping":
                pass
            assert frame["type"] == "confirm_subscription"
            return cable

    async def silent() -> ClientConnection:
        async with limit:
            return await open_cable(url)

    async def open_and_close_300() -> None:
        """150 agents subscribe and leave; 150 sockets never subscribe and are closed by the server."""
        listening = await asyncio.gather(*(subscribed() for _ in range(150)))
        idle = await asyncio.gather(*(silent() for _ in range(150)))
        assert sum(len(queues) for queues in subscribers.values()) == 150
        for cable in listening:
            await cable.close()
        outcomes = await asyncio.gather(*(frames_until_closed(cable, 1.0 + GRACE + 5) for cable in idle))
        assert all(frames and frames[-1]["type"] == "disconnect" for frames, _ in outcomes)
        for _ in range(150):  # polled: the server's connection handlers are not this test's to await
            if not subscribers and len(asyncio.all_tasks()) <= tasks_before:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        assert subscribers == {}
        assert len(asyncio.all_tasks()) <= tasks_before

    # The first round also fills what stays for the life of the process whatever comes next (the database
    # pool's connections and their threads, caches, the allocator's arenas): measured, it is the second round.
    await open_and_close_300()
    rss_before = resident_bytes()
    await open_and_close_300()
    grown = resident_bytes() - rss_before
    assert grown < 8 * 1024 * 1024, f"resident memory grew by {grown / 2**20:.1f} MiB after 300 sockets closed"
