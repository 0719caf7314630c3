"""The event bus across processes: Redis pub/sub in front of each process's local subscribers.

Each event is delivered to this process's subscribers at once and published to
`<prefix>:account:<id>` for the others; one listener per process, subscribed to
`<prefix>:account:*`, hands other processes' events to local subscribers. Redis
being down costs cross-process delivery only: publishing logs a warning, the
listener reconnects with backoff, and no HTTP write fails because of it. Once the
listener is back, local subscribers get `RESYNC_EVENT`, since other processes'
events of the outage are lost.

The same connection keeps the agents' presence shared by all processes: a sorted set per
account, `<prefix>:presence:<id>`, scored by when each agent last said it was there (as
Chatwoot's OnlineStatusTracker keeps it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import random
import time
import uuid
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from server.events import Event, LocalEventBus

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "contacts"
RECONNECT_BASE = 0.5
RECONNECT_CAP = 10.0
# Seconds of silence before the listener pings Redis, and before it gives the connection up.
IDLE_PING = 10.0
SILENCE_LIMIT = 20.0
# Handed to local subscribers when the listener is back after losing Redis: other processes'
# events of the outage are gone, so whoever streams to clients should make them re-fetch.
RESYNC_EVENT = "bus.resync"


class RedisEventBus:
    """Contact events for an account's agents, fanned out to every process through Redis."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        queue_size: int = 1000,
        timeout: float = 1.0,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.local = LocalEventBus(queue_size=queue_size)
        # Tells this process's own messages apart when the listener hears them back.
        self.origin = uuid.uuid4().hex
        self._timeout = timeout
        self._publisher: Redis | None = None
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._accounts: set[int] = set()

    @property
    def listening(self) -> bool:
        """True while the listener is subscribed to Redis."""
        return self._listening.is_set()

    def channel(self, account_id: int) -> str:
        return f"{self.prefix}:account:{account_id}"

    def presence_key(self, account_id: int) -> str:
        return f"{self.prefix}:presence:{account_id}"

    @property
    def pattern(self) -> str:
        escaped = "".join(f"\\{c}" if c in "*?[]\\" else c for c in self.prefix)
        return f"{escaped}:account:*"

    async def start(self) -> None:
        """Start the listener; returns at once, even when Redis is not reachable yet."""
        if self._publisher is None:
            # One quick retry replaces a pooled connection that a Redis restart left dead.
            self._publisher = Redis.from_url(
                self.url,
                socket_timeout=self._timeout,
                socket_connect_timeout=self._timeout,
                retry=Retry(NoBackoff(), 1),
            )
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="redis-event-bus-listener")

    async def wait_until_listening(self) -> None:
        """Return once the listener is subscribed (wrap in `asyncio.timeout` to bound the wait)."""
        await self._listening.wait()

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
            self._listening.clear()
        if self._publisher is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._publisher.aclose()
            self._publisher = None
        await self.local.stop()

    async def publish(self, account_id: int, event: str, data: dict[str, Any]) -> None:
        """Deliver locally, then to the other processes; a Redis failure is logged, never raised."""
        self.local.deliver(account_id, {"event": event, "data": data})
        if self._publisher is None:
            log.warning("Redis event bus not started; %s for account %s stayed in this process", event, account_id)
            return
        try:
            payload = json.dumps({"origin": self.origin, "event": event, "data": data}, separators=(",", ":"))
            await self._publisher.publish(self.channel(account_id), payload)
        except (RedisError, OSError, TypeError, ValueError) as error:
            log.warning(
                "Redis publish failed (%s); %s for account %s reached this process only", error, event, account_id
            )

    async def mark_present(self, account_id: int, user_id: int, *, within: float) -> set[int]:
        """Note the agent present in the account now; the account's agents any process noted within `within`
        seconds. Raises `RedisError` or `OSError` when Redis does not answer.

        Times are the processes' clocks, so processes on several machines need them synchronised (NTP).
        """
        if self._publisher is None:
            raise RedisError("the Redis event bus is not started")
        now = time.time()
        key = self.presence_key(account_id)
        async with self._publisher.pipeline(transaction=True) as pipeline:
            pipeline.zadd(key, {str(user_id): now})
            pipeline.zremrangebyscore(key, "-inf", now - within)
            pipeline.zrange(key, 0, -1)
            # An account nobody is present in any more leaves nothing behind.
            pipeline.expire(key, math.ceil(within) * 2)
            answers = await pipeline.execute()
        members: list[bytes] = answers[2]
        return {int(member) for member in members if member.isdigit()}

    def subscribe(self, account_id: int) -> asyncio.Queue[Event]:
        self._accounts.add(account_id)
        return self.local.subscribe(account_id)

    def unsubscribe(self, account_id: int, queue: asyncio.Queue[Event]) -> None:
        self.local.unsubscribe(account_id, queue)

    async def _listen(self) -> None:
        """Hear every process's events until stopped, reconnecting with jittered backoff."""
        attempt = 0
        while True:
            try:
                await self._listen_once(recovering=attempt > 0)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if self.listening:
                    attempt = 0
                self._listening.clear()
                delay = random.uniform(0, min(RECONNECT_CAP, RECONNECT_BASE * 2**attempt))
                # One warning per outage; the retries after it would only repeat it.
                level = logging.WARNING if attempt == 0 else logging.DEBUG
                log.log(level, "Redis event listener lost Redis (%s); retrying in %.1f s", error, delay)
                attempt = min(attempt + 1, 16)
                await asyncio.sleep(delay)

    async def _listen_once(self, *, recovering: bool) -> None:
        """One connection's worth of listening; raises when the connection is lost."""
        client = Redis.from_url(self.url, socket_connect_timeout=self._timeout, retry=Retry(NoBackoff(), 0))
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.psubscribe(self.pattern)
            log.log(
                logging.WARNING if recovering else logging.INFO, "Redis event listener subscribed to %s", self.pattern
            )
            self._listening.set()
            if recovering:
                for account_id in list(self._accounts):
                    self.local.deliver(account_id, {"event": RESYNC_EVENT, "data": {"account_id": account_id}})
            loop = asyncio.get_running_loop()
            last_heard = pinged = loop.time()
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                now = loop.time()
                if message is not None:
                    last_heard = now
                    if message.get("type") == "pmessage":
                        self._receive(message["channel"], message["data"])
                elif now - last_heard > SILENCE_LIMIT:
                    # A cut network does not close the socket: only an unanswered ping shows it.
                    raise ConnectionError(f"Redis did not answer for {SILENCE_LIMIT:.0f} s")
                elif now - max(last_heard, pinged) > IDLE_PING:
                    pinged = now
                    await pubsub.ping()
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()

    def _receive(self, channel: bytes | str, payload: bytes | str) -> None:
        """Hand another process's event to local subscribers; anything unreadable is dropped."""
        if isinstance(channel, bytes):
            channel = channel.decode(errors="replace")
        suffix = channel.rsplit(":", 1)[-1]
        if not suffix.isdigit():
            return
        try:
            message = json.loads(payload)
        except ValueError:
            log.warning("Redis event bus: dropped an unreadable message on %s", channel)
            return
        if not isinstance(message, dict) or message.get("origin") == self.origin:
            return
        event, data = message.get("event"), message.get("data")
        if isinstance(event, str) and isinstance(data, dict):
            self.local.deliver(int(suffix), {"event": event, "data": data})
