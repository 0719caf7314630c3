"""Analytics: records reach the JSON-lines and HTTP sinks; nothing blocks the loop or raises into the caller."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from api.settings import get_settings
from state import analytics
from state.analytics import HttpSink, JsonLinesSink, NullSink, sink_from_setting

SEED_EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("contact_viewed", {"contact_id": 7, "source": "conversation"}),
    ("contact_updated", {"contact_id": 7, "fields_updated": ["email", "custom_attributes.plan"]}),
    ("contact_history_viewed", {"contact_id": 7, "conversation_count": 3}),
]


@pytest.fixture(autouse=True)
def fresh_tracker() -> Iterator[None]:
    analytics.close()
    yield
    analytics.close()


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_seed_records(records: list[dict[str, Any]], **identity: int) -> None:
    assert [(r["event"], r["properties"]) for r in records] == SEED_EVENTS
    for record in records:
        assert set(record) == {"event", "properties", "timestamp", *identity}
        assert {key: record[key] for key in identity} == identity
        stamp = datetime.fromisoformat(record["timestamp"])
        assert stamp.tzinfo is not None and stamp.utcoffset() == UTC.utcoffset(None)
        assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60


def track_seed_events(**identity: int) -> None:
    for event, properties in SEED_EVENTS:
        analytics.track(event, properties, **identity)


@dataclass
class Collector:
    """A tiny HTTP endpoint in a thread that records posted bodies; `gate` holds its answers back."""

    port: int
    status: int = 204
    bodies: list[dict[str, Any]] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event = field(default_factory=threading.Event)
    responded: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/events"

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for body in self.bodies for event in body["events"]]


@pytest.fixture
def collector() -> Iterator[Collector]:
    state = Collector(port=0)
    state.gate.set()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.bodies.append(json.loads(self.rfile.read(length)))
            state.received.set()
            state.gate.wait(10)
            self.send_response(state.status)
            self.end_headers()
            state.responded.set()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.gate.set()
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_json_lines_sink_receives_the_seed_events_from_async_code(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "analytics.jsonl"
    analytics.configure(JsonLinesSink(path))
    track_seed_events(agent_id=1, account_id=2)
    await analytics.flush()
    assert_seed_records(read_lines(path), agent_id=1, account_id=2)


def test_json_lines_sink_receives_the_seed_events_from_sync_code(tmp_path: Path) -> None:
    path = tmp_path / "analytics.jsonl"
    analytics.configure(str(path))
    track_seed_events()
    analytics.close()
    assert_seed_records(read_lines(path))


def test_appends_to_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "analytics.jsonl"
    path.write_text('{"event": "earlier"}\n', encoding="utf-8")
    analytics.configure(JsonLinesSink(path))
    track_seed_events()
    analytics.close()
    records = read_lines(path)
    assert records[0] == {"event": "earlier"}
    assert_seed_records(records[1:])


async def test_identity_comes_from_the_context_and_explicit_arguments_win(tmp_path: Path) -> None:
    path = tmp_path / "analytics.jsonl"
    analytics.configure(JsonLinesSink(path))

    async def agent_tab() -> None:
        analytics.identify(agent_id=5, account_id=9)
        analytics.track(*SEED_EVENTS[0])
        analytics.track(*SEED_EVENTS[1], agent_id=6)

    await asyncio.create_task(agent_tab())
    analytics.track(*SEED_EVENTS[2])
    await analytics.flush()
    first, second, third = read_lines(path)
    assert (first["agent_id"], first["account_id"]) == (5, 9)
    assert (second["agent_id"], second["account_id"]) == (6, 9)
    assert "agent_id" not in third and "account_id" not in third


async def test_http_sink_posts_the_seed_events(collector: Collector) -> None:
    analytics.configure(collector.url)
    track_seed_events(agent_id=3, account_id=1)
    await analytics.flush()
    assert_seed_records(collector.events, agent_id=3, account_id=1)


def test_http_sink_from_sync_code(collector: Collector) -> None:
    analytics.configure(HttpSink(collector.url))
    track_seed_events()
    analytics.close()
    assert_seed_records(collector.events)


async def test_track_returns_before_a_slow_endpoint_answers(collector: Collector) -> None:
    collector.gate.clear()
    analytics.configure(HttpSink(collector.url))
    analytics.track(*SEED_EVENTS[0])
    assert not collector.responded.is_set()
    # The request is in flight and the endpoint holds it, yet the loop keeps running and tracking.
    assert await asyncio.to_thread(collector.received.wait, 10)
    ticks = 0
    for _ in range(5):
        await asyncio.sleep(0.01)
        ticks += 1
    analytics.track(*SEED_EVENTS[1])
    assert ticks == 5 and not collector.responded.is_set()
    collector.gate.set()
    await analytics.flush()
    assert [e["event"] for e in collector.events] == ["contact_viewed", "contact_updated"]


async def test_http_sink_with_server_down_logs_and_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    analytics.configure(HttpSink(f"http://127.0.0.1:{closed_port()}/events", timeout=2.0))
    with caplog.at_level(logging.WARNING, logger="state.analytics"):
        track_seed_events()
        await analytics.flush()
    assert any("failed" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


async def test_http_sink_error_status_is_logged_and_dropped(
    collector: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    collector.status = 500
    analytics.configure(HttpSink(collector.url))
    with caplog.at_level(logging.WARNING, logger="state.analytics"):
        analytics.track(*SEED_EVENTS[0])
        await analytics.flush()
        analytics.track(*SEED_EVENTS[1])
        await analytics.flush()
    assert len(collector.bodies) == 2
    assert sum("dropped" in r.getMessage() for r in caplog.records) == 2


async def test_unwritable_path_logs_and_does_not_raise(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    analytics.configure(JsonLinesSink(blocker / "analytics.jsonl"))
    with caplog.at_level(logging.WARNING, logger="state.analytics"):
        track_seed_events()
        await analytics.flush()
        track_seed_events()
        await analytics.flush()
    assert any("dropped" in r.getMessage() for r in caplog.records)


class ExplodingSink(NullSink):
    def emit(self, record: dict[str, Any]) -> None:
        raise RuntimeError("boom")


def test_a_sink_that_raises_does_not_reach_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    analytics.configure(ExplodingSink())
    with caplog.at_level(logging.WARNING, logger="state.analytics"):
        track_seed_events()
    assert len(caplog.records) == 3


@pytest.mark.parametrize(
    ("event", "properties"),
    [
        ("contact_deleted", {"contact_id": 1}),
        ("contact_viewed", {"contact_id": "7", "source": "conversation"}),
        ("contact_viewed", {"contact_id": True, "source": "conversation"}),
        ("contact_viewed", {"contact_id": 7}),
        ("contact_viewed", {"contact_id": 7, "source": "direct", "extra": 1}),
        ("contact_updated", {"contact_id": 7, "fields_updated": "email"}),
        ("contact_updated", {"contact_id": 7, "fields_updated": [1]}),
        ("contact_history_viewed", {"contact_id": 7, "conversation_count": 2.5}),
    ],
)
async def test_events_off_schema_are_logged_and_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, event: str, properties: dict[str, Any]
) -> None:
    path = tmp_path / "analytics.jsonl"
    analytics.configure(JsonLinesSink(path))
    with caplog.at_level(logging.WARNING, logger="state.analytics"):
        analytics.track(event, properties)
    analytics.track(*SEED_EVENTS[0])
    await analytics.flush()
    assert [r["event"] for r in read_lines(path)] == ["contact_viewed"]
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


async def test_properties_are_copied_when_tracked(tmp_path: Path) -> None:
    path = tmp_path / "analytics.jsonl"
    analytics.configure(JsonLinesSink(path))
    fields = ["email"]
    analytics.track("contact_updated", {"contact_id": 1, "fields_updated": fields})
    fields.append("name")
    await analytics.flush()
    assert read_lines(path)[0]["properties"]["fields_updated"] == ["email"]


def test_sink_from_setting(tmp_path: Path) -> None:
    assert isinstance(sink_from_setting("https://collector.example/events"), HttpSink)
    assert isinstance(sink_from_setting("HTTP://collector.example"), HttpSink)
    file_sink = sink_from_setting(str(tmp_path / "a.jsonl"))
    assert isinstance(file_sink, JsonLinesSink) and file_sink.path == tmp_path / "a.jsonl"
    assert isinstance(sink_from_setting(""), NullSink)
    assert isinstance(sink_from_setting(None), NullSink)


def test_default_tracker_follows_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "from-settings.jsonl"
    monkeypatch.setenv("ANALYTICS_SINK", str(path))
    get_settings.cache_clear()
    try:
        sink = analytics.get_tracker().sink
        assert isinstance(sink, JsonLinesSink) and sink.path == path
        track_seed_events()
        analytics.close()
        assert_seed_records(read_lines(path))
    finally:
        get_settings.cache_clear()


async def test_flush_and_close_without_events_return_at_once() -> None:
    await analytics.flush()
    analytics.close()
    analytics.configure(NullSink())
    analytics.track(*SEED_EVENTS[0])
    await analytics.flush()
