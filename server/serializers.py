"""Rows to the contract's JSON shapes (CONTRACT.md), declared once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from fastapi import Response

from server import models

AVAILABILITY = "offline"
# Conversations have no stored uuid: each gets a stable one derived from its row id under this namespace.
CONVERSATION_UUIDS = uuid.UUID("6f1c1f0e-6a0c-4c7e-9a55-6b1d5b0c2a11")


class InboxFields(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def channel_type(self) -> str: ...


class ContactInboxFields(Protocol):
    """What `contact_json` reads of a contact's inbox: a `models.ContactInbox`, or a `ContactInboxLink`."""

    @property
    def source_id(self) -> str: ...
    @property
    def inbox(self) -> InboxFields: ...


class ContactFields(Protocol):
    """What the contact serializers read of a contact: a `models.Contact`, or a row of the contacts table."""

    @property
    def id(self) -> int: ...
    @property
    def account_id(self) -> int: ...
    @property
    def version(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str | None: ...
    @property
    def phone_number(self) -> str | None: ...
    @property
    def identifier(self) -> str | None: ...
    @property
    def thumbnail(self) -> str: ...
    @property
    def blocked(self) -> bool: ...
    @property
    def additional_attributes(self) -> dict[str, Any]: ...
    @property
    def custom_attributes(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> int: ...
    @property
    def last_activity_at(self) -> int | None: ...


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxSummary:
    id: int
    name: str
    channel_type: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ContactInboxLink:
    """A contact's inbox as read without the ORM."""

    source_id: str
    inbox: InboxSummary


def contact_json(
    contact: ContactFields, inboxes: Sequence[ContactInboxFields] | None = None, *, with_contact_inboxes: bool = True
) -> dict[str, Any]:
    """The contact object; `last_activity_at` only when set, `contact_inboxes` unless left out, as Chatwoot does."""
    body: dict[str, Any] = {
        "additional_attributes": contact.additional_attributes or {},
        "availability_status": AVAILABILITY,
        "email": contact.email,
        "id": contact.id,
        "name": contact.name,
        "phone_number": contact.phone_number,
        "blocked": contact.blocked,
        "identifier": contact.identifier,
        "thumbnail": contact.thumbnail or "",
        "custom_attributes": contact.custom_attributes or {},
        "created_at": contact.created_at,
    }
    if with_contact_inboxes:
        body["contact_inboxes"] = [
            {
                "source_id": link.source_id,
                "inbox": {
                    "id": link.inbox.id,
                    "name": link.inbox.name,
                    "channel_type": link.inbox.channel_type,
                },
            }
            for link in inboxes or []
        ]
    if contact.last_activity_at is not None:
        body["last_activity_at"] = contact.last_activity_at
    return body


def json_response(body: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """`body` as a JSON answer, encoded by orjson.

    Returned as a `Response`, so FastAPI neither checks the body against the route's return type nor encodes it
    itself: for a contact or a page of conversations that cost more than reading them. A value orjson refuses
    (an integer beyond 64 bits in a custom attribute) is encoded by the standard library instead.
    """
    try:
        content = orjson.dumps(body)
    except TypeError:  # orjson.JSONEncodeError
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, status_code=status_code, headers=headers, media_type="application/json")


def inbox_json(inbox: models.Inbox) -> dict[str, Any]:
    """An inbox as Chatwoot's `api/v1/models/_inbox` partial has it, as far as the embedded server knows one."""
    return {
        "id": inbox.id,
        "avatar_url": "",
        "channel_id": inbox.id,
        "name": inbox.name,
        "channel_type": inbox.channel_type,
        "greeting_enabled": False,
        "greeting_message": None,
        "working_hours_enabled": False,
        "enable_email_collect": False,
        "csat_survey_enabled": False,
        "enable_auto_assignment": False,
        "out_of_office_message": None,
        "working_hours": [],
        "timezone": "UTC",
        "callback_webhook_url": None,
        "allow_messages_after_resolved": True,
        "lock_to_single_conversation": False,
        "sender_name_type": "friendly",
        "business_name": None,
        "provider": None,
    }


def contact_event_json(contact: ContactFields, performer: models.Agent | None = None) -> dict[str, Any]:
    """The `data` of a contact.* websocket event: no times, plus account and performer."""
    body: dict[str, Any] = {
        "additional_attributes": contact.additional_attributes or {},
        "custom_attributes": contact.custom_attributes or {},
        "email": contact.email,
        "id": contact.id,
        "identifier": contact.identifier,
        "name": contact.name,
        "phone_number": contact.phone_number,
        "thumbnail": contact.thumbnail or "",
        "blocked": contact.blocked,
        "type": "contact",
        "account_id": contact.account_id,
    }
    if performer is not None:
        body["performer"] = performer_json(performer)
    return body


def performer_json(agent: models.Agent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "email": agent.email,
        "available_name": agent.name,
        "avatar_url": "",
        "type": "user",
        "availability_status": None,
        "thumbnail": "",
    }


def user_json(agent: models.Agent, account_id: int | None = None) -> dict[str, Any]:
    """The user object of sign-in and profile, with the tokens the UI needs."""
    memberships = sorted(agent.memberships, key=lambda m: m.account_id)
    current = next((m for m in memberships if m.account_id == account_id), memberships[0] if memberships else None)
    return {
        "access_token": agent.access_token,
        "account_id": current.account_id if current else None,
        "available_name": agent.name,
        "avatar_url": "",
        "confirmed": True,
        "display_name": None,
        "message_signature": None,
        "email": agent.email,
        "id": agent.id,
        "inviter_id": None,
        "name": agent.name,
        "provider": "email",
        "pubsub_token": agent.pubsub_token,
        "custom_attributes": {},
        "role": current.role if current else None,
        "ui_settings": agent.ui_settings or {},
        "uid": agent.email,
        "type": "user",
        "accounts": [
            {
                "id": m.account_id,
                "name": m.account.name,
                "status": "active",
                "active_at": None,
                "role": m.role,
                "permissions": [m.role],
                "availability": "online",
                "availability_status": "online",
                "auto_offline": True,
                "custom_role_id": None,
                "custom_role": None,
            }
            for m in memberships
        ],
    }


def message_json(
    message: MessageFields, conversation: ConversationFields, sender: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A message as Chatwoot lists it; `sender` is its sender's push data (the contact's, or the agent's)."""
    return {
        "id": message.id,
        "content": message.content,
        "account_id": conversation.account_id,
        "inbox_id": conversation.inbox_id,
        "conversation_id": conversation.display_id,
        "message_type": message.message_type,
        "created_at": message.created_at,
        "private": message.private,
        "status": "sent",
        "content_type": "text",
        "sender_type": "Contact" if message.sender_type == "contact" else "User",
        "sender_id": message.sender_id,
        "sender": sender or {"id": message.sender_id, "type": "user" if message.sender_type == "user" else "contact"},
    }


class ConversationFields(Protocol):
    """A conversation's own columns: an ORM `models.Conversation` or a Core row of its table's columns."""

    @property
    def id(self) -> int: ...
    @property
    def display_id(self) -> int: ...
    @property
    def account_id(self) -> int: ...
    @property
    def inbox_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def priority(self) -> str | None: ...
    @property
    def labels(self) -> list[Any]: ...
    @property
    def unread_count(self) -> int: ...
    @property
    def additional_attributes(self) -> dict[str, Any]: ...
    @property
    def custom_attributes(self) -> dict[str, Any]: ...
    @property
    def created_at(self) -> int: ...
    @property
    def last_activity_at(self) -> int: ...


class MessageFields(Protocol):
    """A message's columns: an ORM `models.Message` or a Core row of its table's columns."""

    @property
    def id(self) -> int: ...
    @property
    def content(self) -> str: ...
    @property
    def message_type(self) -> int: ...
    @property
    def private(self) -> bool: ...
    @property
    def sender_type(self) -> str: ...
    @property
    def sender_id(self) -> int | None: ...
    @property
    def created_at(self) -> int: ...


@dataclass(kw_only=True, slots=True, frozen=True)
class ConversationMessages:
    """What a conversation's messages tell its listing: the newest one, the newest that is not an activity,
    the first reply and since when the contact waits for one (unix seconds, 0 for none, as Chatwoot's `to_i`)."""

    last: MessageFields | None = None
    last_non_activity: MessageFields | None = None
    first_reply_created_at: int = 0
    waiting_since: int = 0


def conversation_uuid(conversation: ConversationFields) -> str:
    return str(uuid.uuid5(CONVERSATION_UUIDS, str(conversation.id)))


def conversation_json(
    conversation: ConversationFields,
    sender: dict[str, Any],
    messages: ConversationMessages,
    *,
    channel: str,
    assignee: dict[str, Any] | None,
) -> dict[str, Any]:
    """A conversation as Chatwoot's `_conversation` partial lists it: the last message only, the sender in `meta`,
    with its inbox's `channel` type and its `assignee` (`agent_json`).

    `meta.assignee` and `meta.team` are there only when there is one (Chatwoot's dashboard reads
    `assignee.name` whenever the key is present); the embedded server has no teams.
    """
    meta: dict[str, Any] = {"sender": sender, "channel": channel}
    if assignee is not None:
        meta["assignee"] = assignee
    meta["hmac_verified"] = False
    return {
        "meta": meta,
        "id": conversation.display_id,
        "messages": [message_json(messages.last, conversation)] if messages.last else [],
        "account_id": conversation.account_id,
        "uuid": conversation_uuid(conversation),
        "additional_attributes": conversation.additional_attributes or {},
        "agent_last_seen_at": 0,
        "assignee_last_seen_at": 0,
        "can_reply": True,
        "contact_last_seen_at": 0,
        "custom_attributes": conversation.custom_attributes or {},
        "inbox_id": conversation.inbox_id,
        "labels": list(conversation.labels or []),
        "muted": False,
        "snoozed_until": None,
        "status": conversation.status,
        "created_at": conversation.created_at,
        # Chatwoot sends `updated_at.to_f`; nothing changes a conversation here but its activity.
        "updated_at": float(conversation.last_activity_at),
        "timestamp": conversation.last_activity_at,
        "first_reply_created_at": messages.first_reply_created_at,
        "unread_count": conversation.unread_count,
        "last_non_activity_message": message_json(messages.last_non_activity, conversation)
        if messages.last_non_activity
        else None,
        "last_activity_at": conversation.last_activity_at,
        "priority": conversation.priority,
        "waiting_since": messages.waiting_since,
        "sla_policy_id": None,
    }


def agent_json(agent: models.Agent, account_id: int) -> dict[str, Any]:
    """An agent as Chatwoot's `api/v1/models/_agent` partial has it, in the account `account_id`."""
    role = next((m.role for m in agent.memberships if m.account_id == account_id), None)
    return agent_fields_json(agent.id, agent.name, agent.email, role, account_id)


def agent_fields_json(agent_id: int, name: str, email: str, role: str | None, account_id: int) -> dict[str, Any]:
    """`agent_json` from the agent's columns and its role in the account (a Core row's)."""
    return {
        "id": agent_id,
        "account_id": account_id,
        "availability_status": "offline",
        "auto_offline": True,
        "confirmed": True,
        "email": email,
        "available_name": name,
        "name": name,
        "role": role,
        "thumbnail": "",
        "custom_role_id": None,
    }


def note_json(note: models.Note) -> dict[str, Any]:
    author = note.agent
    return {
        "id": note.id,
        "content": note.content,
        "account_id": note.account_id,
        "contact_id": note.contact_id,
        "user": {
            "id": author.id,
            "name": author.name,
            "available_name": author.name,
            "email": author.email,
            "thumbnail": "",
            "type": "user",
        }
        if author
        else None,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
    }


def label_json(label: models.Label) -> dict[str, Any]:
    return {
        "id": label.id,
        "title": label.title,
        "description": label.description,
        "color": label.color,
        "show_on_sidebar": label.show_on_sidebar,
    }


ATTRIBUTE_MODELS = {0: "conversation_attribute", 1: "contact_attribute"}


def rails_time(seconds: int) -> str:
    """Unix seconds as Rails renders a datetime column in JSON: `2024-05-01T10:00:00.000Z`."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def attribute_definition_json(definition: models.CustomAttributeDefinition) -> dict[str, Any]:
    return {
        "id": definition.id,
        "attribute_display_name": definition.attribute_display_name,
        "attribute_display_type": definition.attribute_display_type,
        "attribute_description": definition.attribute_description,
        "attribute_key": definition.attribute_key,
        "regex_pattern": definition.regex_pattern,
        "regex_cue": definition.regex_cue,
        "attribute_values": list(definition.attribute_values or []),
        "attribute_model": ATTRIBUTE_MODELS.get(definition.attribute_model, "contact_attribute"),
        "default_value": definition.default_value,
        "created_at": rails_time(definition.created_at),
        "updated_at": rails_time(definition.updated_at or definition.created_at),
    }


class ContactEventFields(Protocol):
    """What `contact_activity_json` reads of a trail entry: a `models.ContactEvent`, or one just written."""

    @property
    def id(self) -> int: ...
    @property
    def contact_id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def field(self) -> str | None: ...
    @property
    def old_value(self) -> Any: ...
    @property
    def new_value(self) -> Any: ...
    @property
    def created_at(self) -> int: ...


def contact_activity_json(event: ContactEventFields, agent: models.Agent | None) -> dict[str, Any]:
    """One entry of `GET /contacts/{id}/events` (an extension); `agent` is who made the change (None: unknown)."""
    return {
        "id": event.id,
        "contact_id": event.contact_id,
        "kind": event.kind,
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "performer": {"id": agent.id, "name": agent.name, "type": "user"} if agent else None,
        "created_at": event.created_at,
    }
