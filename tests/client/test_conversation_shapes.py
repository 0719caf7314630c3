"""The client reads a contact's conversations in every shape servers send: Chatwoot's (no `assignee` key when
unassigned, `uuid`, `waiting_since`, `last_non_activity_message`, ...) and older ones (`assignee: null`, none
of the newer fields)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from api.client import ChatwootClient
from api.models import Conversation
from server import models
from server.db import create_engine, sessions
from tests.api.sample_data import give_conversations
from tests.support.processes import RunningServer

CONTACT = {"id": 7, "name": "Ada", "email": None, "thumbnail": "", "additional_attributes": {}, "custom_attributes": {}}
OLD_SHAPE: dict[str, Any] = {
    "id": 12,
    "account_id": 1,
    "inbox_id": 1,
    "status": "open",
    "priority": None,
    "labels": [],
    "unread_count": 0,
    "created_at": 1_700_000_000,
    "last_activity_at": 1_700_000_500,
    "timestamp": 1_700_000_500,
    "messages": [{"id": 3, "content": "Hi", "message_type": 0, "created_at": 1_700_000_500}],
    "meta": {"sender": CONTACT, "channel": "Channel::WebWidget", "assignee": None, "team": None},
    "additional_attributes": {},
    "custom_attributes": {},
}
CHATWOOT_SHAPE: dict[str, Any] = {
    **OLD_SHAPE,
    "meta": {"sender": CONTACT, "channel": "Channel::WebWidget", "hmac_verified": False},
    "uuid": "5b1d3f9e-3c4b-4d55-9d3e-0f7e7f1c2a10",
    "updated_at": 1_700_000_500.25,
    "assignee_last_seen_at": 0,
    "first_reply_created_at": 0,
    "waiting_since": 1_700_000_400,
    "sla_policy_id": None,
    "last_non_activity_message": {"id": 3, "content": "Hi", "message_type": 0, "created_at": 1_700_000_500},
}


@pytest.mark.parametrize("body", [OLD_SHAPE, CHATWOOT_SHAPE], ids=["assignee-null", "assignee-absent"])
def test_unassigned_in_either_shape(body: dict[str, Any]) -> None:
    conversation = Conversation.model_validate(body)
    assert conversation.meta.assignee is None
    assert conversation.meta.sender is not None and conversation.meta.sender.name == "Ada"
    assert conversation.messages[0].content == "Hi"


def test_chatwoots_added_fields_are_read_and_optional() -> None:
    new = Conversation.model_validate(CHATWOOT_SHAPE)
    assert new.uuid == CHATWOOT_SHAPE["uuid"]
    assert (new.updated_at, new.waiting_since, new.first_reply_created_at) == (1_700_000_500, 1_700_000_400, None)
    assert new.last_non_activity_message is not None and new.last_non_activity_message.id == 3
    old = Conversation.model_validate(OLD_SHAPE)
    assert (old.uuid, old.updated_at, old.waiting_since, old.last_non_activity_message) == (None, None, None, None)


def test_assigned_in_either_shape() -> None:
    assignee = {"id": 4, "name": "Grace", "available_name": "Grace", "thumbnail": ""}
    for body in (OLD_SHAPE, CHATWOOT_SHAPE):
        conversation = Conversation.model_validate({**body, "meta": {**body["meta"], "assignee": assignee}})
        assert conversation.meta.assignee is not None and conversation.meta.assignee.name == "Grace"


def unassign(server: RunningServer, contact_id: int) -> None:
    async def change() -> None:
        engine = create_engine(server.database_url)
        try:
            async with sessions(engine)() as session, session.begin():
                await session.execute(
                    update(models.Conversation)
                    .where(models.Conversation.contact_id == contact_id)
                    .values(assignee_id=None)
                )
        finally:
            await engine.dispose()

    asyncio.run(change())


async def test_client_reads_the_embedded_servers_conversations(
    api_server: RunningServer, connect: Callable[[RunningServer, str], ChatwootClient]
) -> None:
    contact = await asyncio.to_thread(api_server.create_contact)
    await asyncio.to_thread(give_conversations, api_server, contact["id"], 2)
    await asyncio.to_thread(unassign, api_server, contact["id"])
    page = await connect(api_server, "admin").contact_conversations(contact["id"])
    assert len(page.conversations) == 2
    for conversation in page.conversations:
        assert conversation.meta.assignee is None
        assert conversation.uuid and conversation.last_non_activity_message is not None
