"""ActionCable at `/cable`: agents subscribe to `RoomChannel` and receive their account's contact events.

Speaks the `actioncable-v1-json` protocol as Rails does (CONTRACT.md, "Real time"), so the
app's own client, `@rails/actioncable` and Chatwoot's frontend can all connect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, WebSocket
from sqlalchemy import select

from server.events import Event
from server.models import Agent
from server.redis_bus import RESYNC_EVENT
from server.runtime import ServerRuntime

log = logging.getLogger(__name__)

router = APIRouter()

PROTOCOL = "actioncable-v1-json"
CHANNEL = "RoomChannel"
PING_INTERVAL = 3.0
MAX_SUBSCRIPTIONS = 20
# A legitimate frame is a few hundred bytes; anything far larger is not worth parsing.
MAX_FRAME_CHARS = 64 * 1024


@dataclass(kw_only=True, slots=True)
class RoomSubscription:
    """One confirmed `RoomChannel` subscription: the account's event queue and the task forwarding it."""

    account_id: int
    queue: asyncio.Queue[Event]
    forwarder: asyncio.Task[None]


@dataclass(kw_only=True, slots=True)
class RoomIdentifier:
    """What a `RoomChannel` identifier names."""

    pubsub_token: str
    account_id: int
    user_id: int


@router.websocket("/cable")
async def cable(websocket: WebSocket) -> None:
    """One ActionCable connection; ends when the client goes away."""
    runtime: ServerRuntime = websocket.app.state.contact_server
    if not await runtime.wait_ready():
        await websocket.close(code=1013)  # try again later
        return
    offered = websocket.scope.get("subprotocols") or []
    await websocket.accept(subprotocol=PROTOCOL if PROTOCOL in offered else None)
    await CableConnection(websocket, runtime).run()


class CableConnection:
    """Welcome, pings, subscriptions and event forwarding for one socket."""

    def __init__(self, websocket: WebSocket, runtime: ServerRuntime) -> None:
        self.websocket = websocket
        self.runtime = runtime
        self.subscriptions: dict[str, RoomSubscription] = {}
        self.subscribed = asyncio.Event()
        self.checking = False  # a subscription's token is being looked up
        self.closed = asyncio.Event()
        self._send_lock = asyncio.Lock()

    async def run(self) -> None:
        pinger = asyncio.create_task(self._ping())
        receiver = asyncio.create_task(self._receive())
        closed = asyncio.create_task(self.closed.wait())
        deadline = asyncio.create_task(self._require_subscription())
        try:
            await self.send({"type": "welcome"})
            await asyncio.wait({receiver, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            tasks: list[asyncio.Task[Any]] = [pinger, receiver, closed, deadline]
            tasks += [task for identifier in list(self.subscriptions) if (task := self._drop(identifier))]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self.websocket.close()

    async def send(self, message: dict[str, Any]) -> None:
        """Send one frame; a failure means the client is gone, so the connection ends."""
        if self.closed.is_set():
            return
        try:
            async with self._send_lock:
                await self.websocket.send_text(json.dumps(message, separators=(",", ":")))
        except Exception:
            self.closed.set()

    async def _require_subscription(self) -> None:
        """Close the socket unless a subscription is confirmed in time: anyone can open one, only agents keep it.

        A token still being looked up when the time is up (a slow database) gets its answer first.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.runtime.settings.cable_subscribe_timeout
        while not self.subscribed.is_set():
            if loop.time() >= deadline and not self.checking:
                # What Rails sends when it rejects a connection; clients do not reconnect.
                await self.send({"type": "disconnect", "reason": "unauthorized", "reconnect": False})
                self.closed.set()
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(deadline - loop.time(), 0.1)):
                    await self.subscribed.wait()

    async def _ping(self) -> None:
        while not self.closed.is_set():
            await asyncio.sleep(PING_INTERVAL)
            await self.send({"type": "ping", "message": int(time.time())})

    async def _receive(self) -> None:
        while True:
            try:
                message = await self.websocket.receive()
            except Exception:
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if isinstance(text, str) and len(text) <= MAX_FRAME_CHARS:
                await self._handle(text)

    async def _handle(self, text: str) -> None:
        try:
            frame = json.loads(text)
        except ValueError:
            return
        if not isinstance(frame, dict):
            return
        command = frame.get("command")
        identifier = frame.get("identifier")
        if not isinstance(identifier, str):
            return
        if command == "subscribe":
            await self._subscribe(identifier)
        elif command == "unsubscribe" and (forwarder := self._drop(identifier)):
            forwarder.cancel()
        # "message" (update_presence and any other action) needs no answer: presence is not tracked here.

    async def _subscribe(self, identifier: str) -> None:
        if identifier in self.subscriptions:
            # Rails confirms a repeated subscribe again without a second stream.
            await self.send({"identifier": identifier, "type": "confirm_subscription"})
            return
        room = parse_identifier(identifier)
        self.checking = True
        try:
            account_id = await self._authorize(room) if room else None
        finally:
            self.checking = False
        if account_id is None or len(self.subscriptions) >= MAX_SUBSCRIPTIONS or self.closed.is_set():
            await self.send({"identifier": identifier, "type": "reject_subscription"})
            return
        queue = self.runtime.bus.subscribe(account_id)
        forwarder = asyncio.create_task(self._forward(identifier, queue))
        self.subscriptions[identifier] = RoomSubscription(account_id=account_id, queue=queue, forwarder=forwarder)
        self.subscribed.set()
        await self.send({"identifier": identifier, "type": "confirm_subscription"})

    async def _authorize(self, room: RoomIdentifier) -> int | None:
        """The account to stream when the token is the user's and the user belongs to the account."""
        try:
            async with self.runtime.session() as session:
                agent = (
                    await session.execute(select(Agent).where(Agent.pubsub_token == room.pubsub_token))
                ).scalar_one_or_none()
        except Exception:
            log.exception("cable: could not look up a subscriber")
            return None
        if agent is None or agent.id != room.user_id:
            return None
        if not any(m.account_id == room.account_id for m in agent.memberships):
            return None
        return room.account_id

    async def _forward(self, identifier: str, queue: asyncio.Queue[Event]) -> None:
        while not self.closed.is_set():
            event = await queue.get()
            if event.get("event") == RESYNC_EVENT:
                # Events may have been missed: make the client reconnect, which makes it re-fetch.
                await self.send({"type": "disconnect", "reason": "server_restart", "reconnect": True})
                self.closed.set()
                return
            await self.send({"identifier": identifier, "message": event})

    def _drop(self, identifier: str) -> asyncio.Task[None] | None:
        """Stop streaming one subscription; returns its forwarder for the caller to cancel."""
        subscription = self.subscriptions.pop(identifier, None)
        if subscription is None:
            return None
        self.runtime.bus.unsubscribe(subscription.account_id, subscription.queue)
        return subscription.forwarder


def parse_identifier(identifier: str) -> RoomIdentifier | None:
    """The `RoomChannel` identifier's fields; None for another channel or a malformed one."""
    try:
        fields = json.loads(identifier)
    except ValueError:
        return None
    if not isinstance(fields, dict) or fields.get("channel") != CHANNEL:
        return None
    token = fields.get("pubsub_token")
    account_id = as_id(fields.get("account_id"))
    user_id = as_id(fields.get("user_id"))
    if not isinstance(token, str) or not token or account_id is None or user_id is None:
        return None
    return RoomIdentifier(pubsub_token=token, account_id=account_id, user_id=user_id)


def as_id(value: Any) -> int | None:
    """A positive id sent as a number or a string of digits (browsers send either)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None
