"""Pydantic models of the contract's objects.

They ignore fields they do not know (real servers send more) and accept
timestamps as unix seconds or ISO strings, as servers in the wild differ.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _unix_seconds(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a timestamp, not a boolean")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
    raise ValueError("a unix timestamp or an ISO 8601 string")


def _object_or_empty(value: object) -> object:
    return {} if value is None else value


def _unix_seconds_or_unset(value: object) -> int | None:
    """As `_unix_seconds`, and 0 (Chatwoot's `nil.to_i`) is no time at all."""
    return _unix_seconds(value) or None


UnixTime = Annotated[int | None, BeforeValidator(_unix_seconds)]
# Times Chatwoot sends as 0 when there is none (`first_reply_created_at`, `waiting_since`, ...).
UnixTimeOrUnset = Annotated[int | None, BeforeValidator(_unix_seconds_or_unset)]
AttributeObject = Annotated[dict[str, Any], BeforeValidator(_object_or_empty)]


class ContractModel(BaseModel):
    """Base: unknown fields ignored, known ones strict about their types."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class InboxRef(ContractModel):
    id: int
    name: str = ""
    channel_type: str = ""


class ContactInbox(ContractModel):
    source_id: str | None = None
    inbox: InboxRef | None = None


class Contact(ContractModel):
    """Fields in the order Chatwoot's contact partial writes them (the embedded server sends them so)."""

    additional_attributes: AttributeObject = Field(default_factory=dict)
    availability_status: str | None = None
    email: str | None = None
    id: int
    name: str | None = ""
    phone_number: str | None = None
    blocked: bool = False
    identifier: str | None = None
    thumbnail: str | None = ""
    custom_attributes: AttributeObject = Field(default_factory=dict)
    created_at: UnixTime = None
    contact_inboxes: list[ContactInbox] = Field(default_factory=list)
    last_activity_at: UnixTime = None
    # Not in Chatwoot's contact: the embedded server's lists add it when asked (`include_labels`); None = not told.
    labels: list[str] | None = None


class Performer(ContractModel):
    id: int | None = None
    name: str | None = None
    type: str | None = None


class Sender(ContractModel):
    id: int | None = None
    name: str | None = None
    type: str | None = None
    thumbnail: str | None = None


class Message(ContractModel):
    id: int
    content: str | None = None
    account_id: int | None = None
    inbox_id: int | None = None
    conversation_id: int | None = None
    message_type: int | str | None = None
    created_at: UnixTime = None
    private: bool = False
    status: str | None = None
    content_type: str | None = None
    sender_type: str | None = None
    sender_id: int | None = None
    sender: Sender | None = None


class Assignee(ContractModel):
    """An agent as Chatwoot's `_agent` partial writes one (the client reads the id and name)."""

    id: int | None = None
    account_id: int | None = None
    availability_status: str | None = None
    auto_offline: bool | None = None
    confirmed: bool | None = None
    email: str | None = None
    available_name: str | None = None
    name: str | None = None
    role: str | None = None
    thumbnail: str | None = None
    custom_role_id: int | None = None


class Team(ContractModel):
    id: int | None = None
    name: str | None = None


class ConversationMeta(ContractModel):
    """Chatwoot leaves `assignee` and `team` out when there is none; older servers send null: both read as None."""

    sender: Contact | None = None
    channel: str | None = None
    assignee: Assignee | None = None
    team: Team | None = None
    hmac_verified: bool | None = None


class Conversation(ContractModel):
    """Fields in the order of Chatwoot's `_conversation` partial; some came with Chatwoot 4.x and are absent from
    older servers and documents."""

    meta: ConversationMeta = Field(default_factory=ConversationMeta)
    id: int
    messages: list[Message] = Field(default_factory=list)
    account_id: int | None = None
    uuid: str | None = None
    additional_attributes: AttributeObject = Field(default_factory=dict)
    agent_last_seen_at: UnixTimeOrUnset = None
    assignee_last_seen_at: UnixTimeOrUnset = None
    can_reply: bool | None = None
    contact_last_seen_at: UnixTimeOrUnset = None
    custom_attributes: AttributeObject = Field(default_factory=dict)
    inbox_id: int | None = None
    labels: list[str] = Field(default_factory=list)
    muted: bool | None = None
    snoozed_until: UnixTime = None
    status: str = "open"
    created_at: UnixTime = None
    updated_at: UnixTime = None
    timestamp: UnixTime = None
    first_reply_created_at: UnixTimeOrUnset = None
    unread_count: int = 0
    last_non_activity_message: Message | None = None
    last_activity_at: UnixTime = None
    priority: str | None = None
    waiting_since: UnixTimeOrUnset = None
    sla_policy_id: int | None = None


class Label(ContractModel):
    id: int
    title: str
    description: str | None = None
    color: str = "#1f93ff"
    show_on_sidebar: bool | None = None


# In the order of Chatwoot's enum (its numbers).
AttributeDisplayType = Literal["text", "number", "currency", "percent", "link", "date", "list", "checkbox"]


class AttributeDefinition(ContractModel):
    id: int
    attribute_display_name: str
    attribute_display_type: str = "text"
    attribute_description: str | None = None
    attribute_key: str
    regex_pattern: str | None = None
    regex_cue: str | None = None
    attribute_values: list[Any] = Field(default_factory=list)
    attribute_model: str | int | None = None
    default_value: Any = None
    # As Rails renders times: ISO 8601 strings.
    created_at: str | None = None
    updated_at: str | None = None


class NoteAuthor(ContractModel):
    id: int | None = None
    name: str | None = None
    available_name: str | None = None
    email: str | None = None
    thumbnail: str | None = None
    type: str | None = None


class Note(ContractModel):
    id: int
    content: str
    account_id: int | None = None
    contact_id: int | None = None
    user: NoteAuthor | None = None
    created_at: UnixTime = None
    updated_at: UnixTime = None


class ContactEvent(ContractModel):
    """One entry of the activity trail (`GET /contacts/{id}/events`, an extension)."""

    id: int
    contact_id: int
    kind: str
    field: str | None = None
    old_value: Any = None
    new_value: Any = None
    performer: Performer | None = None
    created_at: UnixTime = None


class MergedInto(ContractModel):
    """The contact a merged-away contact went into."""

    id: int
    name: str | None = None


class ContactEventData(Contact):
    """The `data` of a contact.* websocket event: a contact without times, plus who did it.

    Extensions of the embedded server: `activity`, the entries the change added to the contact's trail;
    on `contact.activity` (labels or notes changed) also the contact's `labels` now, the `note` added or
    the `deleted_note_id`; on the `contact.deleted` of a merge, `merged_into`; after a merge was undone, the
    mergee's `contact.created` says `restored` and the base's `contact.updated` names the `unmerged_contact_id`.
    """

    account_id: int | None = None
    type: str | None = None
    performer: Performer | None = None
    activity: list[ContactEvent] | None = None
    labels: list[str] | None = None
    note: Note | None = None
    deleted_note_id: int | None = None
    merged_into: MergedInto | None = None
    restored: bool | None = None
    unmerged_contact_id: int | None = None


class AccountMembership(ContractModel):
    id: int
    name: str = ""
    status: str | None = None
    active_at: UnixTime = None
    role: str = "agent"
    permissions: list[str] = Field(default_factory=list)
    availability: str | None = None
    availability_status: str | None = None
    auto_offline: bool | None = None
    custom_role_id: int | None = None
    custom_role: dict[str, Any] | None = None


class Profile(ContractModel):
    """The user of sign-in and profile, in the order Chatwoot's user partial writes it."""

    access_token: str | None = None
    account_id: int | None = None
    available_name: str | None = None
    avatar_url: str | None = None
    confirmed: bool | None = None
    display_name: str | None = None
    message_signature: str | None = None
    email: str = ""
    id: int
    inviter_id: int | None = None
    name: str = ""
    provider: str | None = None
    pubsub_token: str | None = None
    custom_attributes: AttributeObject = Field(default_factory=dict)
    role: str | None = None
    ui_settings: AttributeObject = Field(default_factory=dict)
    uid: str | None = None
    type: str | None = None
    accounts: list[AccountMembership] = Field(default_factory=list)


class PageMeta(ContractModel):
    count: int = 0
    current_page: int = 1
    # Chatwoot's search sends it (its `count` is then only the page's); None when a server does not.
    has_more: bool | None = None
    # The embedded server's (extension): `count` stopped at a bound, so more contacts match than it says.
    count_capped: bool = False


class ContactPage(ContractModel):
    meta: PageMeta = Field(default_factory=PageMeta)
    payload: list[Contact] = Field(default_factory=list)


class DuplicateSuggestion(ContractModel):
    """Another contact of the account that may be the same person, and why (api/duplicates.py): any of `email`,
    `phone_number`, `name`. The embedded server's `GET /contacts/{id}/duplicates` (an extension) answers a list."""

    contact: Contact
    reasons: list[str] = Field(default_factory=list)
