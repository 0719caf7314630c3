"""`presence.update` over `/cable`, as Chatwoot's RoomChannel sends it: on subscribe and on `update_presence`,
the account's agents seen lately, to the subscriber; never another account's, and across processes via Redis."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from server.cable import PRESENCE_DURATION, LocalPresence
from tests.realtime.conftest import CableSession, OpenCable
from tests.realtime.test_actioncable_js import node_client, subscribe  # noqa: F401 - fixtures
from tests.support.cable import room_identifier
from tests.support.processes import RunningServer
from tests.support.sign_in import SignedIn

REDIS_URL = "redis://127.0.0.1:6379/0"
UPDATE_PRESENCE = json.dumps({"action": "update_presence"})


def is_presence(message: dict[str, Any]) -> bool:
    return message.get("event") == "presence.update"


async def present(server: RunningServer, open_cable: OpenCable, signed_in: SignedIn) -> tuple[CableSession, str]:
    """A subscribed agent; returns the cable and the identifier, after the subscribe's own presence.update."""
    cable = await open_cable(server)
    identifier = room_identifier(signed_in)
    assert await cable.subscribe(identifier) == "confirm_subscription"
    await cable.event(is_presence)
    return cable, identifier


async def ask_presence(cable: CableSession, identifier: str) -> dict[str, Any]:
    """Send `update_presence` as Chatwoot's dashboard does every 20 s; the `data` of the answer."""
    await cable.send({"command": "message", "identifier": identifier, "data": UPDATE_PRESENCE})
    frame = await cable.event(is_presence)
    assert frame["identifier"] == identifier
    data: dict[str, Any] = frame["message"]["data"]
    return data


async def test_subscribing_answers_presence_with_the_subscriber_online(
    api_server: RunningServer, open_cable: OpenCable
) -> None:
    agent = api_server.agent
    cable = await open_cable(api_server)
    identifier = room_identifier(agent)
    assert await cable.subscribe(identifier) == "confirm_subscription"
    frame = await cable.event(is_presence)
    assert frame["identifier"] == identifier
    data = frame["message"]["data"]
    assert set(data) == {"account_id", "users", "contacts"}
    assert data["account_id"] == 1
    assert data["users"][str(agent.user_id)] == "online"
    assert data["contacts"] == {}


async def test_update_presence_lists_every_agent_of_the_account_seen_lately(
    api_server: RunningServer, open_cable: OpenCable
) -> None:
    agent_cable, agent_identifier = await present(api_server, open_cable, api_server.agent)
    admin_cable = await open_cable(api_server)
    admin_identifier = room_identifier(api_server.admin)
    assert await admin_cable.subscribe(admin_identifier) == "confirm_subscription"
    on_subscribe = (await admin_cable.event(is_presence))["message"]["data"]
    both = {str(api_server.agent.user_id): "online", str(api_server.admin.user_id): "online"}
    assert both.items() <= on_subscribe["users"].items()

    answer = await ask_presence(agent_cable, agent_identifier)
    assert answer["account_id"] == 1
    assert both.items() <= answer["users"].items()
    assert (await ask_presence(admin_cable, admin_identifier))["users"].keys() >= both.keys()


async def test_presence_never_crosses_accounts(api_server: RunningServer, open_cable: OpenCable) -> None:
    other = api_server.other_admin
    account_1_cable, account_1_identifier = await present(api_server, open_cable, api_server.agent)
    account_2_cable = await open_cable(api_server)
    account_2_identifier = room_identifier(other)
    assert await account_2_cable.subscribe(account_2_identifier) == "confirm_subscription"
    account_2_view = (await account_2_cable.event(is_presence))["message"]["data"]

    account_1_view = await ask_presence(account_1_cable, account_1_identifier)
    assert account_2_view["account_id"] == 2
    assert str(other.user_id) in account_2_view["users"]
    assert str(api_server.agent.user_id) not in account_2_view["users"]
    assert str(api_server.admin.user_id) not in account_2_view["users"]
    assert str(other.user_id) not in account_1_view["users"]
    # Account 1's update_presence never reaches account 2's subscriber, not even as its own answer.
    assert not any("message" in frame for frame in await account_2_cable.quiet(1.0))
    # Nor can account 2's subscription ask about account 1 by naming it in another identifier.
    forged = room_identifier(other, account_id=1)
    await account_2_cable.send({"command": "message", "identifier": forged, "data": UPDATE_PRESENCE})
    assert not any("message" in frame for frame in await account_2_cable.quiet(1.0))


@pytest.mark.parametrize(
    "data",
    [
        json.dumps({"action": "speak"}),
        "not json",
        json.dumps(["update_presence"]),
        None,
    ],
    ids=["another-action", "not-json", "not-an-object", "no-data"],
)
async def test_other_messages_get_no_presence(
    api_server: RunningServer, open_cable: OpenCable, data: str | None
) -> None:
    cable, identifier = await present(api_server, open_cable, api_server.agent)
    frame: dict[str, Any] = {"command": "message", "identifier": identifier}
    if data is not None:
        frame["data"] = data
    await cable.send(frame)
    assert not any("message" in frame for frame in await cable.quiet(1.0))
    # The connection still answers a proper update_presence.
    assert str(api_server.agent.user_id) in (await ask_presence(cable, identifier))["users"]


async def test_an_unconfirmed_identifier_gets_no_presence(api_server: RunningServer, open_cable: OpenCable) -> None:
    cable = await open_cable(api_server)
    wrong = room_identifier(api_server.agent, pubsub_token="not-a-token")
    assert await cable.subscribe(wrong) == "reject_subscription"
    await cable.send({"command": "message", "identifier": wrong, "data": UPDATE_PRESENCE})
    assert not any("message" in frame for frame in await cable.quiet(1.0))


async def test_presence_in_plain_chatwoot_mode(plain_api_server: RunningServer, open_cable: OpenCable) -> None:
    cable, identifier = await present(plain_api_server, open_cable, plain_api_server.agent)
    assert (await ask_presence(cable, identifier))["users"][str(plain_api_server.agent.user_id)] == "online"


async def test_rails_actioncable_client_receives_presence(api_server: RunningServer, subscribe) -> None:  # noqa: F811
    """Rails' own client, performing `update_presence` as Chatwoot's dashboard does, gets Chatwoot's answer."""
    subscriber = await subscribe(api_server, api_server.agent)
    await subscriber.line(lambda line: line.get("status") == "connected")
    line = await subscriber.line(lambda line: line.get("received", {}).get("event") == "presence.update")
    data = line["received"]["data"]
    assert data["account_id"] == 1
    assert data["users"][str(api_server.agent.user_id)] == "online"
    assert data["contacts"] == {}


def test_local_presence_forgets_agents_silent_for_the_presence_duration() -> None:
    now = 1000.0
    presence = LocalPresence(clock=lambda: now)
    assert presence.mark(1, 7) == {7}
    now += PRESENCE_DURATION / 2
    assert presence.mark(1, 8) == {7, 8}
    assert presence.mark(2, 9) == {9}
    now += PRESENCE_DURATION / 2 + 1
    assert presence.mark(1, 8) == {8}
    assert presence.seen(1) == {8}
    now += PRESENCE_DURATION + 1
    assert presence.seen(1) == set() and presence.seen(2) == set()


@pytest.mark.redis
async def test_two_server_processes_share_presence_through_redis(
    tmp_path_factory: pytest.TempPathFactory, open_cable: OpenCable
) -> None:
    """Agents behind a load balancer, on different processes, see each other online; other accounts never."""
    tmp = tmp_path_factory.mktemp("presence-servers")
    database_url = f"sqlite+aiosqlite:///{tmp / 'contacts.db'}"
    env = {"REDIS_URL": REDIS_URL}
    first = RunningServer(database_url=database_url, extra_env=env, log_path=tmp / "first.log")
    second = RunningServer(database_url=database_url, extra_env=env, log_path=tmp / "second.log")
    await asyncio.to_thread(first.start)
    try:
        await asyncio.to_thread(second.start)
        try:
            agent_cable, agent_identifier = await present(first, open_cable, first.agent)
            await present(second, open_cable, second.admin)
            await present(second, open_cable, second.other_admin)

            users = (await ask_presence(agent_cable, agent_identifier))["users"]
            assert users == {str(first.agent.user_id): "online", str(second.admin.user_id): "online"}
        finally:
            await asyncio.to_thread(second.stop)
    finally:
        await asyncio.to_thread(first.stop)


@pytest.mark.redis
async def test_presence_stays_per_process_while_redis_is_down(
    tmp_path_factory: pytest.TempPathFactory, open_cable: OpenCable
) -> None:
    """No Redis answering: agents still get an answer, with the agents this process has seen."""
    tmp = tmp_path_factory.mktemp("presence-no-redis")
    unreachable = "redis://127.0.0.1:1/0"
    server = RunningServer(
        database_url=f"sqlite+aiosqlite:///{tmp / 'contacts.db'}",
        extra_env={"REDIS_URL": unreachable},
        log_path=tmp / "server.log",
    )
    await asyncio.to_thread(server.start)
    try:
        cable, identifier = await present(server, open_cable, server.agent)
        await present(server, open_cable, server.admin)
        users = (await ask_presence(cable, identifier))["users"]
        assert users == {str(server.agent.user_id): "online", str(server.admin.user_id): "online"}
    finally:
        await asyncio.to_thread(server.stop)
