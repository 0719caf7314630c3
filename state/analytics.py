"""Product analytics: `track()` records an event without ever blocking the event loop or raising.

Each record is `{"event", "properties", "timestamp"}` plus `agent_id` and
`account_id` when known: passed to `track()` or set for the current context
with `identify()` (explicit arguments win). Sinks deliver records on their own
worker thread, so `track()` only validates and enqueues; it works the same from
async and sync code. Events must be declared in `EVENT_SCHEMAS`; unknown events
and wrong property types are logged and dropped, so bad data never reaches the sink.

The sink comes from `ANALYTICS_SINK`: an http(s) URL posts JSON batches, any
other value is a JSON-lines file, and an empty value turns analytics off.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import copy
import json
import logging
import queue
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx

log = logging.getLogger(__name__)

# event name -> property name -> expected type; `list` means a list of strings.
EVENT_SCHEMAS: dict[str, dict[str, type]] = {
    "contact_viewed": {"contact_id": int, "source": str},
    "contact_updated": {"contact_id": int, "fields_updated": list},
    "contact_history_viewed": {"contact_id": int, "conversation_count": int},
}
FLUSH_TIMEOUT = 10.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Identity:
    """Who is acting, attached to every record tracked in this context."""

    agent_id: int | None = None
    account_id: int | None = None


current_identity: contextvars.ContextVar[Identity | None] = contextvars.ContextVar("analytics_identity", default=None)


def identify(*, agent_id: int | None, account_id: int | None) -> None:
    """Attach this agent and account to records tracked from the current context on."""
    current_identity.set(Identity(agent_id=agent_id, account_id=account_id))


class Sink(Protocol):
    """Where records go. `emit` must return at once; delivery happens elsewhere."""

    def emit(self, record: dict[str, Any]) -> None: ...

    async def flush(self) -> None: ...

    def close(self, timeout: float = FLUSH_TIMEOUT) -> None: ...


class NullSink:
    """Analytics switched off."""

    def emit(self, record: dict[str, Any]) -> None:
        pass

    async def flush(self) -> None:
        pass

    def close(self, timeout: float = FLUSH_TIMEOUT) -> None:
        pass


_STOP = object()


class ThreadedSink:
    """A sink whose `deliver` runs in batches on one daemon thread, fed by a queue."""

    batch_size = 100

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def deliver(self, batch: list[dict[str, Any]]) -> None:
        """Write one batch; runs on the worker thread. Exceptions are logged and the batch dropped."""
        raise NotImplementedError

    def stop_worker(self) -> None:
        """Release what `deliver` holds; runs on the worker thread as it ends."""

    def emit(self, record: dict[str, Any]) -> None:
        if self._closed:
            log.debug("Analytics sink closed; dropping %s", record.get("event"))
            return
        self._ensure_worker()
        self._queue.put(record)

    async def flush(self) -> None:
        """Wait (without blocking the loop) until everything emitted so far is delivered or dropped."""
        if self._closed or self._thread is None or not self._thread.is_alive():
            return
        done: Future[None] = Future()
        self._queue.put(done)
        try:
            await asyncio.wait_for(asyncio.wrap_future(done), FLUSH_TIMEOUT)
        except TimeoutError:
            log.warning("Analytics flush timed out after %.1fs", FLUSH_TIMEOUT)

    def close(self, timeout: float = FLUSH_TIMEOUT) -> None:
        """Deliver what is queued, then stop the worker (blocks up to `timeout`; for shutdown)."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._queue.put(_STOP)
        thread.join(timeout)
        if thread.is_alive():
            log.warning("Analytics sink did not finish within %.1fs; pending events are lost", timeout)

    def _ensure_worker(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name=f"analytics-{type(self).__name__}", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        stopping = False
        while not stopping:
            batch: list[dict[str, Any]] = []
            waiters: list[Future[None]] = []
            item = self._queue.get()
            while True:
                if item is _STOP:
                    stopping = True
                elif isinstance(item, Future):
                    waiters.append(item)
                else:
                    batch.append(item)
                if stopping or len(batch) >= self.batch_size:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                try:
                    self.deliver(batch)
                except Exception as error:
                    log.warning("Analytics: %s dropped %d event(s): %r", type(self).__name__, len(batch), error)
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        try:
            self.stop_worker()
        except Exception as error:
            log.warning("Analytics: %s did not stop cleanly: %r", type(self).__name__, error)


class JsonLinesSink(ThreadedSink):
    """Appends one JSON object per line to a file (created with its folder on first write)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)

    def deliver(self, batch: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(record, ensure_ascii=False, default=str) + "\n" for record in batch)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(lines)


class HttpSink(ThreadedSink):
    """POSTs batches as `{"events": [...]}` to a collector; failures are logged and the batch dropped."""

    def __init__(self, url: str, *, timeout: float = 5.0, headers: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.url = url
        self.timeout = timeout
        self.headers = dict(headers or {})
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None

    def deliver(self, batch: list[dict[str, Any]]) -> None:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._post(batch))

    async def _post(self, batch: list[dict[str, Any]]) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, headers=self.headers)
        body = json.dumps({"events": batch}, ensure_ascii=False, default=str)
        try:
            response = await self._client.post(self.url, content=body, headers={"Content-Type": "application/json"})
            response.raise_for_status()
        except httpx.HTTPError as error:
            log.warning("Analytics: POST %s failed, dropped %d event(s): %r", self.url, len(batch), error)

    def stop_worker(self) -> None:
        if self._loop is None:
            return
        if self._client is not None:
            self._loop.run_until_complete(self._client.aclose())
        self._loop.close()


def sink_from_setting(value: str | None) -> Sink:
    """The sink an `ANALYTICS_SINK` value names: URL -> HttpSink, path -> JsonLinesSink, empty -> off."""
    value = (value or "").strip()
    if not value:
        return NullSink()
    if value.lower().startswith(("http://", "https://")):
        return HttpSink(value)
    return JsonLinesSink(value)


def problems(event: str, properties: Mapping[str, Any]) -> list[str]:
    """Why a record does not match its declared schema; empty when it does."""
    schema = EVENT_SCHEMAS.get(event)
    if schema is None:
        return [f"unknown event {event!r}"]
    found: list[str] = []
    for name in sorted(schema.keys() - properties.keys()):
        found.append(f"missing {name!r}")
    for name in sorted(properties.keys() - schema.keys()):
        found.append(f"unexpected {name!r}")
    for name, expected in schema.items():
        if name not in properties:
            continue
        value = properties[name]
        if expected is list:
            ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        else:
            # bool is an int subclass, but True is no contact id.
            ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if not ok:
            found.append(f"{name!r} should be {'list[str]' if expected is list else expected.__name__}")
    return found


class Tracker:
    """Validates events, stamps them and hands them to a sink."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    def track(
        self,
        event: str,
        properties: Mapping[str, Any],
        *,
        agent_id: int | None = None,
        account_id: int | None = None,
    ) -> None:
        """Record one event; never raises, never waits for the sink."""
        try:
            found = problems(event, properties)
            if found:
                log.warning("Analytics: dropped %s: %s", event, "; ".join(found))
                return
            identity = current_identity.get() or Identity()
            record: dict[str, Any] = {
                "event": event,
                "properties": copy.deepcopy(dict(properties)),
                "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            }
            agent = agent_id if agent_id is not None else identity.agent_id
            account = account_id if account_id is not None else identity.account_id
            if agent is not None:
                record["agent_id"] = agent
            if account is not None:
                record["account_id"] = account
            self.sink.emit(record)
        except Exception:
            log.warning("Analytics: could not track %s", event, exc_info=True)


_tracker: Tracker | None = None
_tracker_lock = threading.Lock()


def configure(sink: Sink | str | None) -> Tracker:
    """Replace the process-wide tracker (a sink, or an `ANALYTICS_SINK`-style value); closes the old sink."""
    global _tracker
    new = Tracker(sink_from_setting(sink) if sink is None or isinstance(sink, str) else sink)
    with _tracker_lock:
        old, _tracker = _tracker, new
    if old is not None:
        old.sink.close()
    return new


def get_tracker() -> Tracker:
    """The process-wide tracker, created from settings on first use."""
    global _tracker
    if _tracker is None:
        from api.settings import get_settings

        with _tracker_lock:
            if _tracker is None:
                _tracker = Tracker(sink_from_setting(get_settings().analytics_sink))
    return _tracker


def track(
    event: str, properties: Mapping[str, Any], *, agent_id: int | None = None, account_id: int | None = None
) -> None:
    """Record an event with the process-wide tracker; never raises, never blocks."""
    try:
        get_tracker().track(event, properties, agent_id=agent_id, account_id=account_id)
    except Exception:
        log.warning("Analytics: could not track %s", event, exc_info=True)


async def flush() -> None:
    """Wait until every event tracked so far has been delivered (or dropped); for tests and shutdown."""
    tracker = _tracker
    if tracker is not None:
        try:
            await tracker.sink.flush()
        except Exception:
            log.warning("Analytics: flush failed", exc_info=True)


def close(timeout: float = FLUSH_TIMEOUT) -> None:
    """Deliver what is queued and stop the sink's worker; `track()` afterwards starts a fresh tracker."""
    global _tracker
    with _tracker_lock:
        tracker, _tracker = _tracker, None
    if tracker is not None:
        try:
            tracker.sink.close(timeout)
        except Exception:
            log.warning("Analytics: close failed", exc_info=True)


atexit.register(close, 2.0)
