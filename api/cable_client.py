"""An ActionCable client for Chatwoot's `RoomChannel`: an agent's account events, live.

Works against a real Chatwoot and the embedded server alike (the `actioncable-v1-json`
protocol of CONTRACT.md, "Real time"). It keeps itself connected: a connection
without a ping for `stale_after` seconds is dead, reconnects back off exponentially
with full jitter, and a rejected subscription (wrong token or account) is retried
slowly. Callbacks run one at a time, in the order things happened, from one task,
so a slow callback never makes a healthy connection look dead; their exceptions are
logged and never reach the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import inspect
import json
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin, Subprotocol

from api.protocol import CABLE_CHANNEL, CABLE_PATH, CABLE_PROTOCOL

log = logging.getLogger(__name__)
EventHandler = Callable[[str, dict[str, Any]], Awaitable[None]]
StatusHandler = Callable[[bool], Awaitable[None] | None]
ReconnectHandler = Callable[[], Awaitable[None] | None]
Callback = Callable[[], Awaitable[None] | None]


def cable_url(base_url: str) -> str:
    """The ActionCable URL of a server: `https://host/x` -> `wss://host/x/cable`; ws(s) URLs are kept."""
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    if not parts.netloc or scheme not in {"http", "https", "ws", "wss"}:
        raise ValueError(f"Not an http(s) or ws(s) URL: {base_url!r}")
    if scheme in {"ws", "wss"}:
        return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))
    secure = scheme == "https"
    return urlunsplit(("wss" if secure else "ws", parts.netloc, parts.path.rstrip("/") + CABLE_PATH, "", ""))


def origin_of(url: str) -> str:
    """The browser-style `Origin` of a websocket URL, which Rails checks against its allowed origins."""
    parts = urlsplit(url)
    scheme = "https" if parts.scheme.lower() in {"wss", "https"} else "http"
    host = parts.netloc.rpartition("@")[2]
    return f"{scheme}://{host}"


class _Outcome(enum.Enum):
    LOST = "lost"
    REJECTED = "rejected"


class CableClient:
    """Subscribes one agent to `RoomChannel` and hands the account's events to `on_event`.

    `on_status(connected)` is called when the subscription is confirmed and when it is
    lost or rejected; `on_reconnect()` after every confirmed subscription that follows
    a disconnect, so the app can re-fetch what it may have missed. No callback runs
    after `stop()`.
    """

    def __init__(
        self,
        url: str,
        *,
        pubsub_token: str,
        account_id: int,
        user_id: int,
        on_event: EventHandler,
        on_status: StatusHandler | None = None,
        on_reconnect: ReconnectHandler | None = None,
        origin: str | None = None,
        stale_after: float = 10.0,
        presence_interval: float = 20.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 15.0,
        rejected_delay: float = 60.0,
        open_timeout: float = 10.0,
    ) -> None:
        self.url = url if url.startswith(("ws://", "wss://")) else cable_url(url)
        self.origin = origin or origin_of(self.url)
        self.account_id = account_id
        self.user_id = user_id
        self.identifier = json.dumps(
            {"channel": CABLE_CHANNEL, "pubsub_token": pubsub_token, "account_id": account_id, "user_id": user_id},
            separators=(",", ":"),
        )
        self.stale_after = stale_after
        self.presence_interval = presence_interval
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rejected_delay = rejected_delay
        self.open_timeout = open_timeout
        self._on_event = on_event
        self._on_status = on_status
        self._on_reconnect = on_reconnect
        self._task: asyncio.Task[None] | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self._callbacks: asyncio.Queue[Callback] = asyncio.Queue()
        self._connected = False
        self._reported: bool | None = None
        self._was_subscribed = False
        self._failures = 0

    @property
    def connected(self) -> bool:
        """True while the subscription is confirmed."""
        return self._connected

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Connect and stay connected in a background task (call from the running event loop)."""
        if self.running:
            return
        self._dispatcher = asyncio.create_task(self._dispatch(), name="cable-callbacks")
        self._task = asyncio.create_task(self._run(), name="cable-client")

    async def stop(self) -> None:
        """Close the connection and end the background tasks; pending callbacks are dropped."""
        runner, dispatcher = self._task, self._dispatcher
        self._task = self._dispatcher = None
        self._connected = False
        self._callbacks = asyncio.Queue()
        await _finish(runner)
        # stop() may come from a callback, that is from the dispatcher, which then ends after it.
        if dispatcher is not asyncio.current_task():
            await _finish(dispatcher)

    async def _run(self) -> None:
        while True:
            outcome = await self._session()
            self._connected = False
            self._report(False)
            if outcome is _Outcome.REJECTED:
                delay = self.rejected_delay * random.uniform(0.5, 1.0)
            else:
                delay = random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**self._failures))
                self._failures = min(self._failures + 1, 32)
            await asyncio.sleep(delay)

    async def _session(self) -> _Outcome:
        """One connection, from opening to losing it."""
        try:
            async with connect(
                self.url,
                subprotocols=[Subprotocol(CABLE_PROTOCOL)],
                origin=Origin(self.origin),
                open_timeout=self.open_timeout,
                ping_interval=None,  # ActionCable's own pings tell whether the connection lives
                close_timeout=2,
                max_size=8 * 1024 * 1024,
            ) as websocket:
                return await self._converse(websocket)
        except asyncio.CancelledError:
            raise
        except InvalidStatus as error:
            self._log_failure("the server refused the websocket with HTTP %s", error.response.status_code)
        except Exception as error:
            self._log_failure("%s", str(error) or type(error).__name__)
        return _Outcome.LOST

    def _log_failure(self, message: str, *args: Any) -> None:
        # The first failure of a streak is worth a warning; the retries after it only repeat it.
        level = logging.WARNING if self._failures == 0 else logging.DEBUG
        log.log(level, "Cable %s: " + message + "; reconnecting", self.url, *args)

    async def _converse(self, websocket: ClientConnection) -> _Outcome:
        loop = asyncio.get_running_loop()
        last_ping = loop.time()
        presence: asyncio.Task[None] | None = None
        try:
            while True:
                remaining = last_ping + self.stale_after - loop.time()
                if remaining <= 0:
                    self._log_failure("no ping for %.0f s", self.stale_after)
                    return _Outcome.LOST
                try:
                    async with asyncio.timeout(remaining):
                        raw = await websocket.recv()
                except TimeoutError:
                    continue
                frame = _parse(raw)
                if frame is None:
                    continue
                kind = frame.get("type")
                if kind in {"welcome", "ping"}:
                    last_ping = loop.time()
                    if kind == "welcome":
                        await websocket.send(json.dumps({"command": "subscribe", "identifier": self.identifier}))
                elif kind == "disconnect":
                    log.warning("Cable %s: the server disconnected us (%s)", self.url, frame.get("reason"))
                    return _Outcome.REJECTED if frame.get("reconnect") is False else _Outcome.LOST
                elif frame.get("identifier") != self.identifier:
                    continue
                elif kind == "confirm_subscription" and presence is None:
                    presence = asyncio.create_task(self._keep_present(websocket))
                    self._subscribed()
                elif kind == "reject_subscription":
                    log.warning(
                        "Cable %s: RoomChannel subscription rejected (wrong pubsub token, user or account?);"
                        " retrying in about %.0f s",
                        self.url,
                        self.rejected_delay,
                    )
                    return _Outcome.REJECTED
                elif "message" in frame and presence is not None:
                    self._receive(frame["message"])
        finally:
            if presence is not None:
                presence.cancel()

    def _subscribed(self) -> None:
        self._failures = 0
        self._connected = True
        self._report(True)
        if self._was_subscribed and self._on_reconnect is not None:
            self._callbacks.put_nowait(self._on_reconnect)
        self._was_subscribed = True

    async def _keep_present(self, websocket: ClientConnection) -> None:
        """`update_presence` every `presence_interval` seconds, as Chatwoot's frontend does."""
        message = json.dumps(
            {"command": "message", "identifier": self.identifier, "data": json.dumps({"action": "update_presence"})}
        )
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(self.presence_interval)
                await websocket.send(message)

    def _receive(self, message: Any) -> None:
        """Queue an account event for `on_event`; other accounts' and malformed ones are dropped."""
        if not isinstance(message, dict):
            return
        event, data = message.get("event"), message.get("data")
        if not isinstance(event, str) or not isinstance(data, dict):
            return
        if _as_int(data.get("account_id")) != self.account_id:
            log.debug("Cable: dropped %s for account %r", event, data.get("account_id"))
            return

        def deliver() -> Awaitable[None]:
            return self._on_event(event, data)

        self._callbacks.put_nowait(deliver)

    def _report(self, connected: bool) -> None:
        if self._reported is connected or self._on_status is None:
            return
        self._reported = connected
        on_status = self._on_status
        self._callbacks.put_nowait(lambda: on_status(connected))

    async def _dispatch(self) -> None:
        while self._dispatcher is asyncio.current_task():
            callback = await self._callbacks.get()
            try:
                result = callback()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("Cable: a callback failed")


async def _finish(task: asyncio.Task[None] | None) -> None:
    """Cancel a task and wait for it, without swallowing a cancellation of the caller."""
    if task is None:
        return
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
    except Exception:
        log.exception("Cable: a task failed while stopping")


def _parse(raw: str | bytes) -> dict[str, Any] | None:
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) else None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None
