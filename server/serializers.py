"""Rows to the contract's JSON shapes (CONTRACT.md), declared once."""

from __future__ import annotations

from typing import Any

from server import models

AVAILABILITY = "offline"


def contact_json(contact: models.Contact, inboxes: list[models.ContactInbox] | None = None) -> dict[str, Any]:
    """The contact object; `last_activity_at` only when set, as Chatwoot does."""
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
        "contact_inboxes": [
            {
                "source_id": link.source_id,
                "inbox": {
                    "id": link.inbox.id,
                    "name": link.inbox.name,
                    "channel_type": link.inbox.channel_type,
                },
            }
            for link in inboxes or []
        ],
    }
    if contact.last_activity_at is not None:
        body["last_activity_at"] = contact.last_activity_at
    return body


def contact_event_json(contact: models.Contact, performer: models.Agent | None = None) -> dict[str, Any]:
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
    message: models.Message, conversation: models.Conversation, sender: dict[str, Any] | None = None
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


def conversation_json(
    conversation: models.Conversation,
    sender: dict[str, Any],
    last_message: models.Message | None,
) -> dict[str, Any]:
    """A conversation as listed for a contact: the last message only, the sender in `meta`."""
    assignee = conversation.assignee
    return {
        "id": conversation.display_id,
        "account_id": conversation.account_id,
        "inbox_id": conversation.inbox_id,
        "status": conversation.status,
        "priority": conversation.priority,
        "labels": list(conversation.labels or []),
        "unread_count": conversation.unread_count,
        "created_at": conversation.created_at,
        "last_activity_at": conversation.last_activity_at,
        "timestamp": conversation.last_activity_at,
        "can_reply": True,
        "muted": False,
        "snoozed_until": None,
        "agent_last_seen_at": 0,
        "contact_last_seen_at": 0,
        "messages": [message_json(last_message, conversation)] if last_message else [],
        "meta": {
            "sender": sender,
            "channel": conversation.inbox.channel_type,
            "assignee": {"id": assignee.id, "name": assignee.name, "available_name": assignee.name}
            if assignee
            else None,
            "team": None,
            "hmac_verified": False,
        },
        "additional_attributes": conversation.additional_attributes or {},
        "custom_attributes": conversation.custom_attributes or {},
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
        "created_at": definition.created_at,
    }


def contact_activity_json(event: models.ContactEvent, performer: models.Agent | None = None) -> dict[str, Any]:
    """One entry of `GET /contacts/{id}/events` (an extension).

    `performer`: the agent who just made the change, for an entry whose `agent` relationship is not loaded.
    """
    agent = performer if performer is not None else event.agent
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
