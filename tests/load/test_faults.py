"""Faults under load, made for real: the server killed (SIGKILL) and restarted, the SQLite file locked by
another process, Redis restarted under two server processes. Acknowledged writes must survive all of them;
nothing may answer 5xx.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sqlite3
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from api.cable_client import cable_url
from tests.load.workload import (
    Crowd,
    Ledger,
    assert_no_traceback,
    field_value,
    final_state_problems,
    run_crowd,
    soak_seconds,
    sqlite_server,
)
from tests.support.cable import SUBPROTOCOLS, room_identifier
from tests.support.databases import create_postgres_database, drop_postgres_database
from tests.support.processes import RunningServer

WRITERS = 20
# Writers piling onto one contact at once (more than the update retries can absorb).
BURST = 40
REDIS_URL = "redis://127.0.0.1:6379/0"
# As `make services` starts it.
REDIS_START = shlex.split("redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no")


@pytest.fixture
def fault_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A SQLite server of this test alone (it gets killed or locked)."""
    server = sqlite_server(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def database_path(server: RunningServer) -> Path:
    return Path(server.database_url.removeprefix("sqlite+aiosqlite:///"))


def assert_no_lost_write(server: RunningServer, problems: list[str], ledger: Ledger) -> None:
    assert not ledger.server_errors, ledger.server_errors[:5]
    assert not ledger.surprises, ledger.surprises[:5]
    assert problems == [], f"{problems[:5]} ({ledger.summary()})"
    assert_no_traceback(server)


# --- the server killed and restarted -----------------------------------------------------------------------------


async def kill_and_restart(server: RunningServer, crowd: Crowd, ledger: Ledger, down_for: float = 1.0) -> float:
    """SIGKILL the server while the agents write; check every acknowledged write is back after the restart.

    Returns the moment the server answered again.
    """
    await asyncio.to_thread(server.kill)
    before_kill = dict(ledger.acked)
    notes_before_kill = {contact: set(ids) for contact, ids in ledger.notes.items()}
    await asyncio.sleep(down_for)
    await asyncio.to_thread(server.start)
    back = time.monotonic()

    async with httpx.AsyncClient(base_url=f"{server.url}/api/v1/accounts/1", headers=server.admin.headers) as http:
        for contact in crowd.own:
            payload = (await http.get(f"/contacts/{contact}")).json()["payload"]
            acked = before_kill.get((contact, "custom_attributes.counter"))
            if acked is not None:
                # Agents go on writing bigger counters, so the value may have moved on, never back.
                shown = field_value(payload, "custom_attributes.counter")
                assert shown is not None and shown >= acked, f"contact {contact}: {shown} after restart, acked {acked}"
            notes = {note["id"] for note in (await http.get(f"/contacts/{contact}/notes")).json()}
            assert notes_before_kill.get(contact, set()) <= notes, f"contact {contact} lost notes in the crash"
    return back


async def assert_survives_kills(server: RunningServer, seconds: float, kills: int) -> None:
    crowd = Crowd.create(server, WRITERS, 0)
    ledger = Ledger()
    recoveries: list[float] = []

    async def crashes() -> None:
        for _ in range(kills):
            await asyncio.sleep(seconds / (kills + 1))
            recoveries.append(await kill_and_restart(server, crowd, ledger))
        # Time enough after the last restart for every agent to write again.
        await asyncio.sleep(2.0)

    await run_crowd(crowd, ledger, WRITERS, seconds, during=crashes)

    # While the server was down the agents saw connection errors, never an HTTP error.
    assert ledger.connection_errors > 0, ledger.summary()
    # And all of them recovered: each got writes acknowledged after the last restart.
    recovered = ledger.acks_after(recoveries[-1])
    assert sorted(recovered) == list(range(WRITERS)), f"agents without an ack after restart: {recovered}"
    assert_no_lost_write(server, await final_state_problems(crowd, ledger), ledger)


async def test_server_killed_and_restarted_mid_run_loses_no_acknowledged_write(fault_server: RunningServer) -> None:
    await assert_survives_kills(fault_server, seconds=3.0, kills=1)


@pytest.mark.slow
async def test_server_killed_again_and_again_loses_no_acknowledged_write(fault_server: RunningServer) -> None:
    seconds = soak_seconds()
    await assert_survives_kills(fault_server, seconds=seconds, kills=max(2, int(seconds // 15)))


# --- the SQLite database locked ------------------------------------------------------------------------------------


def hold_exclusive_lock(path: Path, seconds: float) -> tuple[float, float]:
    """Take SQLite's write lock from another process's point of view (another connection), hold it, let go.

    Returns when the lock was taken and released (monotonic).
    """
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        taken = time.monotonic()
        time.sleep(seconds)
        connection.execute("COMMIT")
        return taken, time.monotonic()
    finally:
        connection.close()


async def assert_survives_locks(server: RunningServer, seconds: float, locks: int, hold: float = 2.5) -> None:
    # Own contacts only: writers piling onto one shared contact behind the lock is the next test's case.
    crowd = Crowd.create(server, WRITERS, 0)
    ledger = Ledger()
    windows: list[tuple[float, float]] = []

    async def lock_repeatedly() -> None:
        for _ in range(locks):
            await asyncio.sleep(min(1.5, seconds / (locks + 1)))
            windows.append(await asyncio.to_thread(hold_exclusive_lock, database_path(server), hold))
        await asyncio.sleep(1.0)

    await run_crowd(crowd, ledger, WRITERS, seconds, during=lock_repeatedly)

    assert ledger.connection_errors == 0, ledger.summary()
    for taken, released in windows:
        # Writes under way while the lock was held: started before its last half second, not finished before it was
        # taken (on a busy machine every writer may already be waiting when the lock is taken, and none starts).
        during = [
            e for e in ledger.exchanges if e.kind == "write" and e.started < released - 0.5 and e.finished > taken
        ]
        assert during, "no write was attempted while the database was locked"
        # Writers waited for the lock (busy timeout) and then succeeded: nothing failed, nothing was lost.
        # (409 is an If-Match agent losing a race to another agent, as without any lock.)
        assert {e.status for e in during} <= {200, 409}, [e.status for e in during]
        succeeded = [e for e in during if e.status == 200]
        assert succeeded, "no write made while the database was locked succeeded"
        assert max(e.finished for e in succeeded) >= released - 0.05, "writes went through a lock that was held"
    assert_no_lost_write(server, await final_state_problems(crowd, ledger), ledger)


async def test_database_locked_for_a_moment_delays_writes_without_failing_them(fault_server: RunningServer) -> None:
    await assert_survives_locks(fault_server, seconds=5.0, locks=1)


async def test_writers_released_together_onto_one_contact_all_succeed(fault_server: RunningServer) -> None:
    """Forty agents each set their own key on one contact while the database is locked; when the lock goes,
    every write must land (Chatwoot's last-write-wins per field), none may fail."""
    contact = fault_server.create_contact(name="Burst target")["id"]
    base = f"{fault_server.url}/api/v1/accounts/1/contacts/{contact}"
    lock = asyncio.create_task(asyncio.to_thread(hold_exclusive_lock, database_path(fault_server), 1.5))
    await asyncio.sleep(0.3)
    async with httpx.AsyncClient(headers=fault_server.admin.headers, timeout=60) as http:
        answers = await asyncio.gather(
            *(http.put(base, json={"custom_attributes": {f"burst_{n}": n}}) for n in range(BURST))
        )
        await lock
        assert [a.status_code for a in answers] == [200] * BURST, [a.text for a in answers if a.status_code != 200]
        shown = (await http.get(base)).json()["payload"]["custom_attributes"]
    assert shown == {f"burst_{n}": n for n in range(BURST)}


@pytest.mark.slow
async def test_database_locked_again_and_again_delays_writes_without_failing_them(fault_server: RunningServer) -> None:
    seconds = soak_seconds()
    await assert_survives_locks(fault_server, seconds=seconds, locks=max(2, int(seconds // 8)))


# --- Redis restarted under two server processes ----------------------------------------------------------------------


def redis_answers() -> bool:
    ping = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True, text=True)
    return ping.stdout.strip() == "PONG"


def start_redis() -> None:
    """Start the machine's Redis as `make services` does, and wait until it answers."""
    if not redis_answers():
        subprocess.run(REDIS_START, check=True, capture_output=True)
    deadline = time.monotonic() + 20
    while not redis_answers():
        assert time.monotonic() < deadline, "Redis did not come back"
        time.sleep(0.1)


def stop_redis() -> None:
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    deadline = time.monotonic() + 10
    while redis_answers():
        assert time.monotonic() < deadline, "Redis did not stop"
        time.sleep(0.1)


@pytest.fixture
def redis_restorer() -> Iterator[None]:
    """Whatever happens in the test, Redis is running again afterwards: other suites need it."""
    try:
        yield
    finally:
        start_redis()


@pytest.fixture
def two_processes(tmp_path: Path) -> Iterator[tuple[RunningServer, RunningServer]]:
    """Two `python -m server` processes on one PostgreSQL database, sharing events through Redis."""
    url = create_postgres_database()
    env = {"REDIS_URL": REDIS_URL}
    first = RunningServer(database_url=url, extra_env=env, log_path=tmp_path / "a.log")
    second = RunningServer(database_url=url, extra_env=env, log_path=tmp_path / "b.log")
    try:
        # One after the other: the first migrates and seeds, the second finds it done.
        first.start()
        second.start()
        yield first, second
    finally:
        second.stop()
        first.stop()
        drop_postgres_database(url)


class Room:
    """An ActionCable connection subscribed to account 1's events, with the contact events it heard."""

    def __init__(self, cable: ClientConnection) -> None:
        self.cable = cable
        self.heard: list[dict[str, Any]] = []
        self.disconnect: dict[str, Any] | None = None

    async def _next_frame(self) -> None:
        frame = json.loads(await self.cable.recv())
        message = frame.get("message")
        if isinstance(message, dict) and "event" in message:
            self.heard.append(message)
        elif frame.get("type") == "disconnect":
            self.disconnect = frame

    async def hear(self, predicate: Any, within: float) -> dict[str, Any] | None:
        """The first event so far or within `within` seconds that matches, else None."""
        try:
            async with asyncio.timeout(within):
                while True:
                    for event in self.heard:
                        if predicate(event):
                            return event
                    await self._next_frame()
        except TimeoutError:
            return None

    async def told_to_reconnect(self, within: float) -> bool:
        """True once the server has said `disconnect` with `reconnect: true` (ActionCable's way to make
        a client reconnect and re-fetch) and closed the socket."""
        try:
            async with asyncio.timeout(within):
                while self.disconnect is None:
                    await self._next_frame()
                await self.cable.wait_closed()
        except TimeoutError:
            return False
        return self.disconnect.get("reconnect") is True


@asynccontextmanager
async def room_of(server: RunningServer) -> AsyncIterator[Room]:
    identifier = room_identifier(server.agent)
    async with connect(cable_url(server.url), subprotocols=SUBPROTOCOLS) as cable:
        await cable.send(json.dumps({"command": "subscribe", "identifier": identifier}))
        async with asyncio.timeout(10):
            while json.loads(await cable.recv()).get("type") != "confirm_subscription":
                pass
        yield Room(cable)


async def rename(http: httpx.AsyncClient, server: RunningServer, contact: int, name: str) -> None:
    started = time.monotonic()
    answer = await http.put(
        f"{server.url}/api/v1/accounts/1/contacts/{contact}", json={"name": name}, headers=server.admin.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["payload"]["name"] == name
    # A write never waits on Redis for long: publishing gives up after its one-second socket timeout.
    assert time.monotonic() - started < 5, "a write hung on Redis"


async def delivered_across(
    http: httpx.AsyncClient, writer: RunningServer, room: Room, contact: int, within: float
) -> bool:
    """Rename through `writer` until the event reaches `room` (the listener may still be connecting)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        name = f"Across {uuid.uuid4().hex[:8]}"
        await rename(http, writer, contact, name)
        if await room.hear(lambda m, n=name: m["event"] == "contact.updated" and m["data"]["name"] == n, 1.0):
            return True
    return False


async def assert_survives_redis_restarts(first: RunningServer, second: RunningServer, restarts: int) -> None:
    contact = first.create_contact(name="Redis outage")["id"]
    async with httpx.AsyncClient(timeout=30) as http:
        for restart in range(restarts):
            async with room_of(first) as first_room, room_of(second) as second_room:
                # Events cross between the processes (at first, once the listeners have subscribed).
                assert await delivered_across(http, first, second_room, contact, within=20), "A -> B before"
                assert await delivered_across(http, second, first_room, contact, within=20), "B -> A before"

                stop_redis()
                try:
                    # Writes go on through either process while Redis is away.
                    outage_names = [f"Outage {restart}-{n} {uuid.uuid4().hex[:6]}" for n in range(6)]
                    for n, name in enumerate(outage_names):
                        await rename(http, first if n % 2 == 0 else second, contact, name)
                    # And a process's own writes still reach its own agents.
                    last = outage_names[-1]
                    assert await second_room.hear(lambda m, n=last: m["data"].get("name") == n, 5)
                    for server in (first, second):
                        shown = await http.get(
                            f"{server.url}/api/v1/accounts/1/contacts/{contact}", headers=server.admin.headers
                        )
                        assert shown.json()["payload"]["name"] == last, "a write made during the outage is missing"
                finally:
                    start_redis()

                # Events of the outage are lost, so once Redis is back each process tells its clients to
                # reconnect (and so re-fetch).
                assert await first_room.told_to_reconnect(within=30), "A's clients never told to resync"
                assert await second_room.told_to_reconnect(within=30), "B's clients never told to resync"

            # Reconnected clients get events across the processes again, both ways.
            async with room_of(first) as first_room, room_of(second) as second_room:
                assert await delivered_across(http, first, second_room, contact, within=20), "A -> B after"
                assert await delivered_across(http, second, first_room, contact, within=20), "B -> A after"

    for server in (first, second):
        assert_no_traceback(server)


@pytest.mark.postgres
@pytest.mark.redis
async def test_redis_restarted_under_two_processes(
    redis_restorer: None, two_processes: tuple[RunningServer, RunningServer]
) -> None:
    await assert_survives_redis_restarts(*two_processes, restarts=1)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
async def test_redis_restarted_again_and_again_under_two_processes(
    redis_restorer: None, two_processes: tuple[RunningServer, RunningServer]
) -> None:
    await assert_survives_redis_restarts(*two_processes, restarts=max(2, int(soak_seconds() // 30)))
