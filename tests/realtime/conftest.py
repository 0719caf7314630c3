"""Helpers for the real-time tests: raw ActionCable connections, recorded CableClients, a private Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from api.cable_client import CableClient, cable_url
from tests.support.cable import SUBPROTOCOLS
from tests.support.processes import RunningServer, free_port
from tests.support.sign_in import SignedIn


class CableSession:
    """One raw ActionCable connection, read frame by frame."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket

    async def send(self, frame: dict[str, Any] | str) -> None:
        await self.websocket.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def frame(self, within: float = 5.0, *, pings: bool = False) -> dict[str, Any]:
        """The next frame (pings skipped unless asked for), within `within` seconds."""
        async with asyncio.timeout(within):
            while True:
                frame: dict[str, Any] = json.loads(await self.websocket.recv())
                if pings or frame.get("type") != "ping":
                    return frame

    async def subscribe(self, identifier: str) -> str:
        """Subscribe; returns the answer's type (`confirm_subscription` or `reject_subscription`).

        Messages arriving meanwhile (another subscription's `presence.update`) are skipped.
        """
        await self.send({"command": "subscribe", "identifier": identifier})
        while "type" not in (frame := await self.frame()):
            pass
        assert frame["identifier"] == identifier
        return str(frame["type"])

    async def event(self, predicate: Callable[[dict[str, Any]], bool], within: float = 5.0) -> dict[str, Any]:
        """The first forwarded message (`{"identifier", "message"}`) whose message matches."""
        async with asyncio.timeout(within):
            while True:
                frame = await self.frame(within)
                if "message" in frame and predicate(frame["message"]):
                    return frame

    async def quiet(self, duration: float) -> list[dict[str, Any]]:
        """Every frame but pings that arrives within `duration` seconds."""
        frames: list[dict[str, Any]] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + duration
        while (remaining := deadline - loop.time()) > 0:
            try:
                frames.append(await self.frame(remaining))
            except TimeoutError:
                break
        return frames


OpenCable = Callable[..., Awaitable[CableSession]]


@pytest.fixture
async def open_cable() -> AsyncIterator[OpenCable]:
    """Open ActionCable connections to a server, welcomed; all closed after the test."""
    sockets: list[ClientConnection] = []

    async def open_(server: RunningServer, *, welcome: bool = True) -> CableSession:
        websocket = await connect(cable_url(server.url), subprotocols=SUBPROTOCOLS)
        sockets.append(websocket)
        session = CableSession(websocket)
        if welcome:
            assert await session.frame() == {"type": "welcome"}
        return session

    yield open_
    for websocket in sockets:
        await websocket.close()


@dataclass
class Recorder:
    """What a CableClient handed to its callbacks, in order."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    statuses: list[bool] = field(default_factory=list)
    reconnects: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def on_event(self, event: str, data: dict[str, Any]) -> None:
        self.events.append((event, data))
        self.changed.set()

    def on_status(self, connected: bool) -> None:
        self.statuses.append(connected)
        self.changed.set()

    async def on_reconnect(self) -> None:
        self.reconnects += 1
        self.changed.set()

    async def until(self, condition: Callable[[Recorder], bool], within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while not condition(self):
                self.changed.clear()
                await self.changed.wait()


MakeClient = Callable[..., CableClient]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """Started CableClients reporting to a Recorder (`client.recorder`); all stopped after the test."""
    clients: list[CableClient] = []

    def make(url: str, signed_in: SignedIn | None = None, **options: Any) -> CableClient:
        recorder = Recorder()
        options.setdefault("backoff_cap", 1.0)
        client = CableClient(
            url,
            pubsub_token=signed_in.pubsub_token if signed_in else "token",
            account_id=signed_in.account_id if signed_in else 1,
            user_id=signed_in.user_id if signed_in else 7,
            on_event=recorder.on_event,
            on_status=recorder.on_status,
            on_reconnect=recorder.on_reconnect,
            **options,
        )
        client.recorder = recorder  # type: ignore[attr-defined]
        clients.append(client)
        client.start()
        return client

    yield make
    for client in clients:
        await client.stop()


def recorder_of(client: CableClient) -> Recorder:
    recorder: Recorder = client.recorder  # type: ignore[attr-defined]
    return recorder


class PrivateRedis:
    """A redis-server of this test's own on a free port, to stop and start at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is needed (the machine's Redis package)"
        arguments = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([binary, *arguments], stdout=subprocess.DEVNULL)
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
