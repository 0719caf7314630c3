"""A contact's conversations as Chatwoot renders them (`api/v1/conversations/partials/_conversation.json.jbuilder`).

Chatwoot's partial writes `meta.assignee` and `meta.team` only when there is one (its dashboard's message
preview reads `assignee.name` whenever the key is there), and sends `uuid`, `updated_at`,
`assignee_last_seen_at`, `first_reply_created_at`, `waiting_since` (0 when unset: `nil.to_i`),
`sla_policy_id` and `last_non_activity_message`.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import select, update

from server import models
from server.db import create_engine, sessions
from tests.api.account_api import AccountApi
from tests.api.sample_data import give_conversations
from tests.api.shapes import assert_conversation
from tests.support.processes import RunningServer

CHATWOOT_ADDED_FIELDS = {
    "uuid",
    "updated_at",
    "assignee_last_seen_at",
    "first_reply_created_at",
    "waiting_since",
    "sla_policy_id",
    "last_non_activity_message",
}


def change_conversations(server: RunningServer, contact_id: int, **values: Any) -> None:
    """Set columns of all a contact's conversations straight in the database (no API changes them)."""

    async def change() -> None:
        engine = create_engine(server.database_url)
        try:
            async with sessions(engine)() as session, session.begin():
                await session.execute(
                    update(models.Conversation).where(models.Conversation.contact_id == contact_id).values(**values)
                )
        finally:
            await engine.dispose()

    asyncio.run(change())


def add_messages(server: RunningServer, contact_id: int, messages: list[tuple[int, int, bool]]) -> None:
    """Add (message_type, seconds after the conversation opened, private) to the contact's first conversation."""

    async def add() -> None:
        engine = create_engine(server.database_url)
        try:
            async with sessions(engine)() as session, session.begin():
                conversation = (
                    (
                        await session.execute(
                            select(models.Conversation)
                            .where(models.Conversation.contact_id == contact_id)
                            .order_by(models.Conversation.id)
                        )
                    )
                    .scalars()
                    .first()
                )
                assert conversation is not None
                for message_type, after, private in messages:
                    session.add(
                        models.Message(
                            conversation_id=conversation.id,
                            content=f"type {message_type} at +{after}",
                            message_type=message_type,
                            private=private,
                            sender_type="contact" if message_type == 0 else "user",
                            created_at=conversation.created_at + after,
                        )
                    )
        finally:
            await engine.dispose()

    asyncio.run(add())


def conversations_of(api: AccountApi, contact_id: int) -> list[dict[str, Any]]:
    answer = api.get(f"/contacts/{contact_id}/conversations")
    assert answer.status_code == 200, answer.text
    payload: list[dict[str, Any]] = answer.json()["payload"]
    return payload


def test_meta_has_no_assignee_or_team_key_when_there_is_none(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    give_conversations(server, contact["id"], 2)
    change_conversations(server, contact["id"], assignee_id=None)
    for conversation in conversations_of(admin_api, contact["id"]):
        assert "assignee" not in conversation["meta"], conversation["meta"]
        assert "team" not in conversation["meta"], conversation["meta"]
        assert_conversation(conversation)
    shown = admin_api.get(f"/conversations/{conversations_of(admin_api, contact['id'])[0]['id']}").json()
    assert "assignee" not in shown["meta"] and "team" not in shown["meta"]


def test_meta_assignee_is_the_agent_when_assigned(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    give_conversations(server, contact["id"], 1)
    change_conversations(server, contact["id"], assignee_id=server.agent.user_id)
    (conversation,) = conversations_of(admin_api, contact["id"])
    assert conversation["meta"]["assignee"]["id"] == server.agent.user_id
    assert isinstance(conversation["meta"]["assignee"]["name"], str) and conversation["meta"]["assignee"]["name"]
    assert "team" not in conversation["meta"]


def test_conversation_carries_chatwoots_other_fields(server: RunningServer, admin_api: AccountApi) -> None:
    contact = server.create_contact()
    give_conversations(server, contact["id"], 2)
    for conversation in conversations_of(admin_api, contact["id"]):
        assert set(conversation) >= CHATWOOT_ADDED_FIELDS, sorted(CHATWOOT_ADDED_FIELDS - set(conversation))
        assert str(uuid.UUID(conversation["uuid"])) == conversation["uuid"]
        assert isinstance(conversation["updated_at"], int | float) and conversation["updated_at"] > 0
        for key in ("assignee_last_seen_at", "first_reply_created_at", "waiting_since"):
            assert isinstance(conversation[key], int) and not isinstance(conversation[key], bool), key
        assert conversation["sla_policy_id"] is None
        last = conversation["last_non_activity_message"]
        assert last is not None and last["id"] == conversation["messages"][0]["id"]
    again = conversations_of(admin_api, contact["id"])
    assert [c["uuid"] for c in again] == [c["uuid"] for c in conversations_of(admin_api, contact["id"])]
    assert len({c["uuid"] for c in again}) == 2


def test_reply_and_waiting_times_follow_the_messages(server: RunningServer, admin_api: AccountApi) -> None:
    """First reply: the first outgoing message; waiting since: the first incoming one after the last reply."""
    contact = server.create_contact()
    give_conversations(server, contact["id"], 1)
    change_conversations(server, contact["id"], status="open")
    (before,) = conversations_of(admin_api, contact["id"])
    assert before["first_reply_created_at"] == 0
    opened = before["created_at"]
    # outgoing at +100 and +300, a private note at +350, incoming at +200, +400 and +500, an activity at +600
    add_messages(
        server,
        contact["id"],
        [(1, 100, False), (0, 200, False), (1, 300, False), (1, 350, True), (0, 400, False), (0, 500, False)],
    )
    add_messages(server, contact["id"], [(2, 600, False)])
    (after,) = conversations_of(admin_api, contact["id"])
    assert after["first_reply_created_at"] == opened + 100
    assert after["waiting_since"] == opened + 400
    assert after["last_non_activity_message"]["content"] == "type 0 at +500"
    assert after["messages"][0]["content"] == "type 2 at +600"


def test_account_isolation_of_conversations(server: RunningServer, other_admin_api: AccountApi) -> None:
    contact = server.create_contact()
    give_conversations(server, contact["id"], 1)
    assert other_admin_api.get(f"/contacts/{contact['id']}/conversations").status_code == 404


def test_plain_mode_sends_the_same_shape(plain_api_server: RunningServer, http: Any) -> None:
    api = AccountApi.of(http, plain_api_server, "admin")
    contact = plain_api_server.create_contact()
    give_conversations(plain_api_server, contact["id"], 1)
    change_conversations(plain_api_server, contact["id"], assignee_id=None)
    (conversation,) = conversations_of(api, contact["id"])
    assert "assignee" not in conversation["meta"]
    assert set(conversation) >= CHATWOOT_ADDED_FIELDS
