"""ActionCable at `/cable`: agents subscribe to `RoomChannel` and receive their account's contact events.

Speaks the `actioncable-v1-json` protocol as Rails does (CONTRACT.md, "Real time"), so the
app's own client, `@rails/actioncable` and Chatwoot's frontend can all connect. Presence as
Chatwoot's RoomChannel keeps it: on subscribe and on each `update_presence` the subscriber is
noted online and answered `presence.update` with the account's agents seen lately.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, WebSocket
from redis.exceptions import RedisError
from sqlalchemy import select

from api.protocol import CABLE_CHANNEL, CABLE_PATH, CABLE_PROTOCOL
from server.events import Event, EventBus
from server.models import Agent
from server.redis_bus import RESYNC_EVENT, RedisEventBus
from server.runtime import ServerRuntime

log = logging.getLogger(__name__)

router = APIRouter()

PING_INTERVAL = 3.0
MAX_SUBSCRIPTIONS = 20
# A legitimate frame is a few hundred bytes; anything far larger is not worth parsing.
MAX_FRAME_CHARS = 64 * 1024
# Chatwoot's OnlineStatusTracker: an agent is online while their last `update_presence` (sent every 20 s by
# its dashboard) is at most this old.
PRESENCE_DURATION = 60.0
# Seconds without asking Redis after it failed to answer about presence (the process's own view is used).
PRESENCE_REDIS_PAUSE = 5.0


@dataclass(kw_only=True, slots=True)
class RoomSubscription:
    """One confirmed `RoomChannel` subscription: the account's event queue and the task forwarding it."""

    account_id: int
    user_id: int
    queue: asyncio.Queue[Event]
    forwarder: asyncio.Task[None]


@dataclass(kw_only=True, slots=True)
class RoomIdentifier:
    """What a `RoomChannel` identifier names."""

    pubsub_token: str
    account_id: int
    user_id: int


@router.websocket(CABLE_PATH)
async def cable(websocket: WebSocket) -> None:
    """One ActionCable connection; ends when the client goes away."""
    runtime: ServerRuntime = websocket.app.state.contact_server
    if not await runtime.wait_ready():
        await websocket.close(code=1013)  # try again later
        return
    offered = websocket.scope.get("subprotocols") or []
    await websocket.accept(subprotocol=CABLE_PROTOCOL if CABLE_PROTOCOL in offered else None)
    await CableConnection(websocket, runtime, presence_of(websocket.app, runtime)).run()


class LocalPresence:
    """The agents this process has seen, per account, by when they last said they were there."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[int, dict[int, float]] = {}

    def mark(self, account_id: int, user_id: int) -> set[int]:
        """Note the agent present now; the account's agents seen within `PRESENCE_DURATION`."""
        self._seen.setdefault(account_id, {})[user_id] = self._clock()
        return self.seen(account_id)

    def seen(self, account_id: int) -> set[int]:
        """The account's agents seen within `PRESENCE_DURATION`; older sightings are forgotten."""
        users = self._seen.get(account_id)
        if users is None:
            return set()
        cutoff = self._clock() - PRESENCE_DURATION
        for user_id in [user_id for user_id, seen_at in users.items() if seen_at < cutoff]:
            del users[user_id]
        if not users:
            del self._seen[account_id]
        return set(users)


class Presence:
    """Which agents of an account are online: seen by any process when the bus is Redis, else by this one.

    Redis not answering costs only the other processes' agents: this process's own view answers meanwhile.
    """

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.local = LocalPresence()
        self._redis_paused_until = 0.0

    async def mark(self, account_id: int, user_id: int) -> set[int]:
        """Note the agent present now; the account's agents online."""
        here = self.local.mark(account_id, user_id)
        if not isinstance(self.bus, RedisEventBus) or time.monotonic() < self._redis_paused_until:
            return here
        try:
            everywhere = await self.bus.mark_present(account_id, user_id, within=PRESENCE_DURATION)
        except (RedisError, OSError) as error:
            log.warning("cable: Redis did not answer about presence (%s); this process's agents only", error)
            self._redis_paused_until = time.monotonic() + PRESENCE_REDIS_PAUSE
            return here
        return everywhere | here


def presence_of(app: FastAPI, runtime: ServerRuntime) -> Presence:
    """The presence kept for the app's runtime (made on first use)."""
    presence: Presence | None = getattr(app.state, "cable_presence", None)
    if presence is None or presence.bus is not runtime.bus:
        presence = Presence(runtime.bus)
        app.state.cable_presence = presence
    return presence


class CableConnection:
    """Welcome, pings, subscriptions, presence and event forwarding for one socket."""

    def __init__(self, websocket: WebSocket, runtime: ServerRuntime, presence: Presence) -> None:
        self.websocket = websocket
        self.runtime = runtime
        self.presence = presence
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
        elif command == "message" and identifier in self.subscriptions and is_update_presence(frame.get("data")):
            await self._update_presence(identifier)
        # Any other action gets no answer, as RoomChannel has none.

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
        if room is None or account_id is None or len(self.subscriptions) >= MAX_SUBSCRIPTIONS or self.closed.is_set():
            await self.send({"identifier": identifier, "type": "reject_subscription"})
            return
        queue = self.runtime.bus.subscribe(account_id)
        forwarder = asyncio.create_task(self._forward(identifier, queue))
        self.subscriptions[identifier] = RoomSubscription(
            account_id=account_id, user_id=room.user_id, queue=queue, forwarder=forwarder
        )
        self.subscribed.set()
        await self.send({"identifier": identifier, "type": "confirm_subscription"})
        await self._update_presence(identifier)

    async def _update_presence(self, identifier: str) -> None:
        """Note the subscriber online and answer `presence.update` with its account's agents online.

        Chatwoot broadcasts the answer to the subscriber's own stream, never to other agents (each agent's
        dashboard asks every 20 s); here it goes to the subscription that asked, and the agent's other tabs ask
        for themselves. Contacts' presence is not tracked: `contacts` is empty.
        """
        subscription = self.subscriptions.get(identifier)
        if subscription is None:
            return
        users = await self.presence.mark(subscription.account_id, subscription.user_id)
        data = {
            "account_id": subscription.account_id,
            "users": {str(user_id): "online" for user_id in sorted(users)},
            "contacts": {},
        }
        await self.send({"identifier": identifier, "message": {"event": "presence.update", "data": data}})

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


def is_update_presence(data: Any) -> bool:
    """Whether a `message` command's `data` (a JSON string) performs `update_presence`."""
    if not isinstance(data, str):
        return False
    try:
        fields = json.loads(data)
    except ValueError:
        return False
    return isinstance(fields, dict) and fields.get("action") == "update_presence"


def parse_identifier(identifier: str) -> RoomIdentifier | None:
    """The `RoomChannel` identifier's fields; None for another channel or a malformed one."""
    try:
        fields = json.loads(identifier)
    except ValueError:
        return None
    if not isinstance(fields, dict) or fields.get("channel") != CABLE_CHANNEL:
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
