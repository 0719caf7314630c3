"""The event bus: contact events for an account's agents.

In-process by default. `RedisEventBus` (server/redis_bus.py) fans events out
across processes when `REDIS_URL` is set.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any, Protocol

Event = dict[str, Any]  # {"event": "contact.updated", "data": {...}}


class EventBus(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def publish(self, account_id: int, event: str, data: dict[str, Any]) -> None: ...
    def subscribe(self, account_id: int) -> asyncio.Queue[Event]: ...
    def unsubscribe(self, account_id: int, queue: asyncio.Queue[Event]) -> None: ...


class LocalEventBus:
    """Delivers events to subscribers in this process."""

    def __init__(self, queue_size: int = 1000) -> None:
        self._subscribers: dict[int, set[asyncio.Queue[Event]]] = defaultdict(set)
        self._queue_size = queue_size

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self._subscribers.clear()

    async def publish(self, account_id: int, event: str, data: dict[str, Any]) -> None:
        self.deliver(account_id, {"event": event, "data": data})

    def deliver(self, account_id: int, message: Event) -> None:
        """Hand one event to every local subscriber of the account; a full queue drops its oldest."""
        for queue in list(self._subscribers.get(account_id, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    def subscribe(self, account_id: int) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=self._queue_size)
        self._subscribers[account_id].add(queue)
        return queue

    def unsubscribe(self, account_id: int, queue: asyncio.Queue[Event]) -> None:
        queues = self._subscribers.get(account_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:  # nothing stays behind once an account's last subscriber leaves
                del self._subscribers[account_id]
