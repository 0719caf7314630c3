"""RedisEventBus on the machine's real Redis: fan-out between processes, and life without Redis."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from server.events import Event
from server.redis_bus import RESYNC_EVENT, RedisEventBus
from tests.realtime.conftest import MakeClient, OpenCable, PrivateRedis, recorder_of
from tests.support.cable import room_identifier
from tests.support.processes import RunningServer, free_port
from tests.support.tcp_proxy import TcpProxy

REDIS_URL = "redis://127.0.0.1:6379/0"

Make = Callable[..., RedisEventBus]


@pytest.fixture
async def make_bus() -> AsyncIterator[Make]:
    """Started buses sharing one fresh channel prefix, as separate processes would; stopped after the test."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    buses: list[RedisEventBus] = []

    def make(url: str = REDIS_URL) -> RedisEventBus:
        bus = RedisEventBus(url, prefix=prefix)
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        await bus.stop()


async def started(bus: RedisEventBus, *, listening: bool = True) -> RedisEventBus:
    await bus.start()
    if listening:
        async with asyncio.timeout(5):
            await bus.wait_until_listening()
    return bus


async def next_event(queue: asyncio.Queue[Event], within: float = 3.0) -> Event:
    async with asyncio.timeout(within):
        return await queue.get()


async def stays_empty(queue: asyncio.Queue[Event], duration: float = 0.5) -> bool:
    await asyncio.sleep(duration)
    return queue.empty()


@pytest.mark.redis
async def test_an_event_published_in_one_process_reaches_the_other(make_bus: Make) -> None:
    first, second = await started(make_bus()), await started(make_bus())
    local = first.subscribe(7)
    remote = second.subscribe(7)
    data: dict[str, Any] = {"id": 1, "name": "Ada", "account_id": 7}

    await first.publish(7, "contact.updated", data)

    assert await next_event(remote) == {"event": "contact.updated", "data": data}
    assert await next_event(local) == {"event": "contact.updated", "data": data}
    # The publisher hears its own message back from Redis and must not deliver it twice.
    assert await stays_empty(local)
    assert await stays_empty(remote)


@pytest.mark.redis
async def test_other_accounts_subscribers_hear_nothing(make_bus: Make) -> None:
    first, second = await started(make_bus()), await started(make_bus())
    other_account = second.subscribe(8)
    same_account = second.subscribe(7)

    await first.publish(7, "contact.deleted", {"id": 5, "account_id": 7})

    assert (await next_event(same_account))["event"] == "contact.deleted"
    assert await stays_empty(other_account)


@pytest.mark.redis
async def test_unsubscribed_queues_hear_nothing(make_bus: Make) -> None:
    first, second = await started(make_bus()), await started(make_bus())
    queue = second.subscribe(7)
    second.unsubscribe(7, queue)
    await first.publish(7, "contact.updated", {"id": 1, "account_id": 7})
    assert await stays_empty(queue)


async def test_without_redis_publishing_falls_back_to_this_process(
    make_bus: Make, caplog: pytest.LogCaptureFixture
) -> None:
    bus = await started(make_bus(f"redis://127.0.0.1:{free_port()}/0"), listening=False)
    queue = bus.subscribe(3)

    with caplog.at_level(logging.WARNING, logger="server.redis_bus"):
        await bus.publish(3, "contact.updated", {"id": 9, "account_id": 3})

    assert await next_event(queue) == {"event": "contact.updated", "data": {"id": 9, "account_id": 3}}
    assert any("publish failed" in record.getMessage() for record in caplog.records)
    assert not bus.listening


@pytest.mark.redis
async def test_the_listener_survives_a_redis_outage(make_bus: Make, caplog: pytest.LogCaptureFixture) -> None:
    proxy = await TcpProxy(6379).start()
    try:
        behind_proxy = await started(make_bus(f"redis://127.0.0.1:{proxy.port}/0"))
        direct = await started(make_bus())
        queue = behind_proxy.subscribe(4)

        with caplog.at_level(logging.WARNING, logger="server.redis_bus"):
            proxy.cut()
            for _ in range(100):
                if not behind_proxy.listening:
                    break
                await asyncio.sleep(0.05)
            assert not behind_proxy.listening
            # While Redis is out of reach, its own writes still reach its own subscribers.
            await behind_proxy.publish(4, "contact.updated", {"id": 1, "account_id": 4})
            assert (await next_event(queue))["data"]["id"] == 1

            proxy.restore()
            async with asyncio.timeout(15):
                await behind_proxy.wait_until_listening()

        assert any("lost Redis" in record.getMessage() for record in caplog.records)
        # Other processes' events of the outage are lost: subscribers are told to re-fetch.
        assert await next_event(queue) == {"event": RESYNC_EVENT, "data": {"account_id": 4}}
        await direct.publish(4, "contact.updated", {"id": 2, "account_id": 4})
        assert (await next_event(queue))["data"]["id"] == 2
    finally:
        await proxy.stop()


@pytest.mark.redis
async def test_both_processes_survive_a_redis_restart(make_bus: Make, caplog: pytest.LogCaptureFixture) -> None:
    redis = PrivateRedis()
    await asyncio.to_thread(redis.start)
    try:
        first, second = await started(make_bus(redis.url)), await started(make_bus(redis.url))
        queue = second.subscribe(5)

        with caplog.at_level(logging.WARNING, logger="server.redis_bus"):
            await asyncio.to_thread(redis.stop)
            for _ in range(100):
                if not (first.listening or second.listening):
                    break
                await asyncio.sleep(0.05)
            assert not (first.listening or second.listening)
            await first.publish(5, "contact.updated", {"id": 1, "account_id": 5})  # logged, not raised

            await asyncio.to_thread(redis.start)
            async with asyncio.timeout(20):
                await first.wait_until_listening()
                await second.wait_until_listening()

        assert any("publish failed" in record.getMessage() for record in caplog.records)
        assert any("lost Redis" in record.getMessage() for record in caplog.records)
        assert await next_event(queue) == {"event": RESYNC_EVENT, "data": {"account_id": 5}}
        await first.publish(5, "contact.updated", {"id": 2, "account_id": 5})
        assert (await next_event(queue))["data"]["id"] == 2
    finally:
        await asyncio.to_thread(redis.stop)


@pytest.mark.redis
async def test_two_server_processes_share_events_through_redis(
    tmp_path_factory: pytest.TempPathFactory, open_cable: OpenCable
) -> None:
    """An edit on one server process reaches an agent connected to another, as behind a load balancer."""
    tmp = tmp_path_factory.mktemp("redis-servers")
    database_url = f"sqlite+aiosqlite:///{tmp / 'contacts.db'}"
    env = {"REDIS_URL": REDIS_URL}
    writer = RunningServer(database_url=database_url, extra_env=env, log_path=tmp / "writer.log")
    reader = RunningServer(database_url=database_url, extra_env=env, log_path=tmp / "reader.log")
    await asyncio.to_thread(writer.start)
    try:
        await asyncio.to_thread(reader.start)
        try:
            contact = writer.create_contact()
            cable = await open_cable(reader)
            assert await cable.subscribe(room_identifier(reader.agent)) == "confirm_subscription"
            # The reader's listener subscribes to Redis in the background at startup.
            await asyncio.sleep(0.5)

            new_name = f"Across {uuid.uuid4().hex[:6]}"
            async with httpx.AsyncClient(base_url=writer.url, headers=writer.admin.headers, timeout=10) as http:
                answer = await http.put(f"/api/v1/accounts/1/contacts/{contact['id']}", json={"name": new_name})
            assert answer.status_code == 200

            frame = await cable.event(
                lambda m: m["event"] == "contact.updated" and m["data"]["name"] == new_name, within=10
            )
            assert frame["message"]["data"]["id"] == contact["id"]
        finally:
            await asyncio.to_thread(reader.stop)
    finally:
        await asyncio.to_thread(writer.stop)


@pytest.mark.redis
async def test_agents_reconnect_and_refetch_after_a_redis_restart(
    tmp_path_factory: pytest.TempPathFactory, make_client: MakeClient
) -> None:
    """Events of other processes during an outage are lost, so the server makes clients reconnect (and re-fetch)."""
    redis = PrivateRedis()
    await asyncio.to_thread(redis.start)
    tmp = tmp_path_factory.mktemp("redis-restart-server")
    server = RunningServer(
        database_url=f"sqlite+aiosqlite:///{tmp / 'contacts.db'}",
        extra_env={"REDIS_URL": redis.url},
        log_path=tmp / "server.log",
    )
    try:
        await asyncio.to_thread(server.start)
        contact = server.create_contact()
        client = make_client(server.url, server.agent)
        recorder = recorder_of(client)
        await recorder.until(lambda r: r.statuses == [True])

        await asyncio.to_thread(redis.stop)
        await asyncio.sleep(0.5)
        await asyncio.to_thread(redis.start)

        await recorder.until(lambda r: r.reconnects == 1 and r.statuses == [True, False, True], within=20)
        new_name = f"After Redis {uuid.uuid4().hex[:6]}"
        async with httpx.AsyncClient(base_url=server.url, headers=server.admin.headers, timeout=10) as http:
            answer = await http.put(f"/api/v1/accounts/1/contacts/{contact['id']}", json={"name": new_name})
        assert answer.status_code == 200
        await recorder.until(lambda r: any(data.get("name") == new_name for _, data in r.events))
        assert not any(event == RESYNC_EVENT for event, _ in recorder.events)
    finally:
        await asyncio.to_thread(server.stop)
        await asyncio.to_thread(redis.stop)
