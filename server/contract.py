"""The contract's objects as the embedded server sends them: strict variants of the client's models (`api.models`).

The client's models read what any server sends, leniently; here the same models are narrowed to what this server
sends exactly (types, and which keys are always there), so that the routes' `response_model`, the OpenAPI document,
schemathesis's response checks and the tests' shape checks (`tests/api/shapes.py`) come from one declaration.
Key order is the client model's, which is Chatwoot's. A key Chatwoot leaves out when there is nothing to say
(`last_activity_at` when null, `meta.assignee` when there is none) is an `Unsent` field, `absent()` by default:
left out of the JSON when None, and not required in the schema. Values the server never varies are the defaults.

A body is built by validating the rows in pydantic-core (`from_attributes`, or a Core row's columns as a dict)
and dumped by it: a route returns the model and FastAPI writes it with `dump_json`, checking nothing again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Self, cast

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import Row

from api import models as contract
from api.duplicates import DuplicateReason
from server import models

# Conversations have no stored uuid: each gets a stable one derived from its row id under this namespace.
CONVERSATION_UUIDS = uuid.UUID("6f1c1f0e-6a0c-4c7e-9a55-6b1d5b0c2a11")
ATTRIBUTE_MODELS = {0: "conversation_attribute", 1: "contact_attribute"}

Unsent = SkipJsonSchema[None]
"""With a field's type: the key is left out rather than sent as null (give it `absent()`).

A field whose strict type mypy cannot see as narrower than the client's (a list of the stricter model: lists are
invariant; a union of several shapes; a key sent or left out) says `type: ignore[assignment]`."""
ConversationStatus = Literal["open", "resolved", "pending", "snoozed"]
ContactRow = models.Contact | Row[Any]
ConversationRow = models.Conversation | Row[Any]
MessageRow = models.Message | Row[Any]


def _is_none(value: object) -> bool:
    return value is None


def absent() -> Any:
    """The default of an `Unsent` field: None, which leaves the key out of the JSON."""
    return Field(None, exclude_if=_is_none)


def rails_time(seconds: int) -> str:
    """Unix seconds as Rails renders a datetime column in JSON: `2024-05-01T10:00:00.000Z`."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Sent(BaseModel):
    """Base of what the server sends: strict types, read from rows by attribute, no other keys in the schema."""

    model_config = ConfigDict(
        strict=True,
        from_attributes=True,
        json_schema_serialization_defaults_required=True,
        json_schema_extra={"additionalProperties": False},
    )


def columns(row: Row[Any]) -> dict[str, Any]:
    """A Core row as a dict to validate: pydantic reads it several times faster than the row's attributes."""
    return row._asdict()


# --- contacts ---------------------------------------------------------------------------------------------------


class InboxRef(contract.InboxRef, Sent):
    name: str
    channel_type: str


class ContactInbox(contract.ContactInbox, Sent):
    source_id: str
    inbox: InboxRef


class Contact(contract.Contact, Sent):
    availability_status: str = "offline"  # the embedded server knows no presence
    name: str
    thumbnail: str
    created_at: int
    # Left out where Chatwoot leaves the inboxes out (`include_contact_inboxes=false`, the avatar's answer).
    contact_inboxes: list[ContactInbox] | Unsent = absent()  # type: ignore[assignment]
    last_activity_at: int | Unsent = absent()
    labels: list[str] | Unsent = absent()

    @classmethod
    def of(cls, contact: ContactRow, inboxes: Sequence[ContactInbox | models.ContactInbox] | None = None) -> Self:
        """The contact of a row, with its `inboxes` unless None."""
        if isinstance(contact, Row):
            return cls.model_validate({**columns(contact), "contact_inboxes": inboxes})
        sent = cls.model_validate(contact)
        if inboxes is not None:
            sent.contact_inboxes = [ContactInbox.model_validate(link) for link in inboxes]
        return sent


class ContactPush(Sent):
    """A contact as Chatwoot's `push_event_data` has it: a message's sender, and the `data` of contact events."""

    additional_attributes: contract.AttributeObject
    custom_attributes: contract.AttributeObject
    email: str | None
    id: int
    identifier: str | None
    name: str
    phone_number: str | None
    thumbnail: str
    blocked: bool
    type: Literal["contact"] = "contact"


class UserPush(Sent):
    """An agent as Chatwoot's user `push_event_data` has it: a message's sender, a contact event's `performer`."""

    id: int
    name: str
    email: str
    available_name: str = Field(validation_alias=AliasChoices("available_name", "name"))
    avatar_url: str = ""
    type: Literal["user"] = "user"
    availability_status: None = None
    thumbnail: str = ""


class SenderRef(Sent):
    """A listed conversation's last message names its sender only."""

    id: int | None
    type: Literal["user", "contact"]


class ContactPayload(Sent):
    payload: Contact


class PageMeta(contract.PageMeta, Sent):
    # Chatwoot's search sends it (its index does not); the filter too with the extensions on.
    has_more: bool | Unsent = absent()
    # An extension: sent only when true.
    count_capped: bool | Unsent = absent()  # type: ignore[assignment]


class ContactPage(Sent):
    meta: PageMeta
    payload: list[Contact]


class UndoneMerge(Sent):
    """Both contacts of an undone merge, as they are again (an extension)."""

    base: Contact
    mergee: Contact


class UndoneMergePayload(Sent):
    payload: UndoneMerge


class CreatedInbox(Sent):
    id: int
    name: str


class CreatedContactInbox(Sent):
    """The inbox a created contact was put in: both null when none was asked for."""

    inbox: CreatedInbox | None
    source_id: str | None


class CreatedContact(Sent):
    contact: Contact
    contact_inbox: CreatedContactInbox


class ContactCreation(Sent):
    payload: CreatedContact


class Inbox(Sent):
    """An inbox as Chatwoot's `api/v1/models/_inbox` partial has it, as far as the embedded server knows one."""

    id: int
    avatar_url: str = ""
    channel_id: int = Field(validation_alias=AliasChoices("channel_id", "id"))
    name: str
    channel_type: str
    greeting_enabled: bool = False
    greeting_message: None = None
    working_hours_enabled: bool = False
    enable_email_collect: bool = False
    csat_survey_enabled: bool = False
    enable_auto_assignment: bool = False
    out_of_office_message: None = None
    working_hours: list[Any] = Field(default_factory=list)
    timezone: str = "UTC"
    callback_webhook_url: None = None
    allow_messages_after_resolved: bool = True
    lock_to_single_conversation: bool = False
    sender_name_type: str = "friendly"
    business_name: None = None
    provider: None = None


class ContactableInbox(Sent):
    inbox: Inbox
    source_id: str


class ContactableInboxes(Sent):
    payload: list[ContactableInbox]


class Titles(Sent):
    """A contact's labels: titles only."""

    payload: list[str]


# --- conversations ----------------------------------------------------------------------------------------------


class Agent(contract.Assignee, Sent):
    """An agent as Chatwoot's `_agent` partial has it, in one account."""

    id: int
    account_id: int
    availability_status: str = "offline"
    auto_offline: bool = True
    confirmed: bool = True
    email: str
    available_name: str
    name: str
    thumbnail: str = ""

    @classmethod
    def of(cls, agent_id: int, name: str, email: str, role: str | None, account_id: int) -> Self:
        """From the agent's columns and its role in the account (None: not a member)."""
        return cls(id=agent_id, account_id=account_id, email=email, available_name=name, name=name, role=role)

    @classmethod
    def of_agent(cls, agent: models.Agent, account_id: int) -> Self:
        role = next((m.role for m in agent.memberships if m.account_id == account_id), None)
        return cls.of(agent.id, agent.name, agent.email, role, account_id)


class Message(contract.Message, Sent):
    content: str
    account_id: int
    inbox_id: int
    conversation_id: int
    message_type: int
    created_at: int
    status: str = "sent"
    content_type: str = "text"
    sender_type: Literal["Contact", "User"]
    # The client reads any of them as a `Sender`.
    sender: ContactPush | UserPush | SenderRef  # type: ignore[assignment]

    @classmethod
    def of(
        cls, message: MessageRow, conversation: ConversationRow, sender: ContactPush | UserPush | None = None
    ) -> Self:
        """A message as Chatwoot lists it; `sender` is whom it names (None: the sender's id and kind only)."""
        return cls(
            id=message.id,
            content=message.content,
            account_id=conversation.account_id,
            inbox_id=conversation.inbox_id,
            conversation_id=conversation.display_id,
            message_type=message.message_type,
            created_at=message.created_at,
            private=message.private,
            sender_type="Contact" if message.sender_type == "contact" else "User",
            sender_id=message.sender_id,
            sender=sender
            or SenderRef(id=message.sender_id, type="user" if message.sender_type == "user" else "contact"),
        )


class ConversationMeta(contract.ConversationMeta, Sent):
    """`assignee` and `team` only when there is one (Chatwoot's dashboard reads `assignee.name` whenever the key
    is there); the embedded server has no teams."""

    sender: Contact
    channel: str
    assignee: Agent | Unsent = absent()
    team: contract.Team | Unsent = absent()
    hmac_verified: bool = False


@dataclass(kw_only=True, slots=True, frozen=True)
class ConversationMessages:
    """What a conversation's messages tell its listing: the newest one, the newest that is not an activity,
    the first reply and since when the contact waits for one (unix seconds, 0 for none, as Chatwoot's `to_i`)."""

    last: MessageRow | None = None
    last_non_activity: MessageRow | None = None
    first_reply_created_at: int = 0
    waiting_since: int = 0


def conversation_uuid(conversation_id: int) -> str:
    return str(uuid.uuid5(CONVERSATION_UUIDS, str(conversation_id)))


class Conversation(contract.Conversation, Sent):
    """A conversation as Chatwoot's `_conversation` partial lists it: the last message only, the contact in
    `meta.sender`."""

    meta: ConversationMeta
    messages: list[Message] = Field(max_length=1)  # type: ignore[assignment]
    account_id: int
    uuid: str
    agent_last_seen_at: int = 0
    assignee_last_seen_at: int = 0
    can_reply: bool = True
    contact_last_seen_at: int = 0
    inbox_id: int
    muted: bool = False
    snoozed_until: None = None
    status: ConversationStatus
    created_at: int
    # Chatwoot sends `updated_at.to_f`; nothing changes a conversation here but its activity.
    updated_at: float  # type: ignore[assignment]
    timestamp: int
    first_reply_created_at: int
    last_non_activity_message: Message | None
    last_activity_at: int
    waiting_since: int
    sla_policy_id: None = None

    @classmethod
    def of(
        cls,
        conversation: ConversationRow,
        sender: Contact,
        messages: ConversationMessages,
        *,
        channel: str,
        assignee: Agent | None,
    ) -> Self:
        """With its inbox's `channel` type and its `assignee`."""
        last, said = messages.last, messages.last_non_activity
        return cls(
            meta=ConversationMeta(sender=sender, channel=channel, assignee=assignee),
            id=conversation.display_id,
            messages=[Message.of(last, conversation)] if last else [],
            account_id=conversation.account_id,
            uuid=conversation_uuid(conversation.id),
            additional_attributes=conversation.additional_attributes,
            custom_attributes=conversation.custom_attributes,
            inbox_id=conversation.inbox_id,
            labels=conversation.labels or [],
            status=cast(ConversationStatus, conversation.status),  # the model checks it
            created_at=conversation.created_at,
            updated_at=float(conversation.last_activity_at),
            timestamp=conversation.last_activity_at,
            first_reply_created_at=messages.first_reply_created_at,
            unread_count=conversation.unread_count,
            last_non_activity_message=Message.of(said, conversation) if said else None,
            last_activity_at=conversation.last_activity_at,
            priority=conversation.priority,
            waiting_since=messages.waiting_since,
        )


class CountMeta(Sent):
    count: int
    current_page: int


class ConversationList(Sent):
    """A contact's conversations: `meta` only when paged (an extension)."""

    meta: CountMeta | Unsent = absent()
    payload: list[Conversation]


class AccountConversationsMeta(Sent):
    all_count: int
    current_page: int


class AccountConversationsPage(Sent):
    meta: AccountConversationsMeta
    payload: list[Conversation]


class AccountConversations(Sent):
    data: AccountConversationsPage


class MessagesMeta(Sent):
    labels: list[str]
    contact: Contact
    assignee: None = None


class MessageList(Sent):
    meta: MessagesMeta
    payload: list[Message]


# --- labels, notes, attribute definitions, activity -------------------------------------------------------------


class Label(contract.Label, Sent):
    description: str
    show_on_sidebar: bool


class Labels(Sent):
    payload: list[Label]


class NoteAuthor(contract.NoteAuthor, Sent):
    id: int
    name: str
    available_name: str = Field(validation_alias=AliasChoices("available_name", "name"))
    email: str
    thumbnail: str = ""
    type: Literal["user"] = "user"


class Note(contract.Note, Sent):
    account_id: int
    contact_id: int
    # The note's author, or None when that agent is gone.
    user: NoteAuthor | None = Field(validation_alias=AliasChoices("user", "agent"))
    created_at: int
    updated_at: int


class AttributeDefinition(contract.AttributeDefinition, Sent):
    """Read from its row: `attribute_model` by name and the times as Rails renders them."""

    attribute_display_type: contract.AttributeDisplayType
    attribute_model: Literal["conversation_attribute", "contact_attribute"]
    default_value: str | None
    created_at: str
    updated_at: str

    @field_validator("attribute_model", mode="before")
    @classmethod
    def _model_name(cls, value: object) -> object:
        return ATTRIBUTE_MODELS.get(value, "contact_attribute") if isinstance(value, int) else value

    @field_validator("created_at", mode="before")
    @classmethod
    def _created(cls, value: object) -> object:
        return rails_time(value) if isinstance(value, int) else value

    @field_validator("updated_at", mode="before")
    @classmethod
    def _updated(cls, value: object, info: Any) -> object:
        """Never updated: when it was created."""
        if value is None:
            return info.data.get("created_at")
        return rails_time(value) if isinstance(value, int) else value


class Performer(contract.Performer, Sent):
    id: int
    name: str
    type: Literal["user"] = "user"


class ContactEvent(contract.ContactEvent, Sent):
    created_at: int
    # Who made the change; None when unknown.
    performer: Performer | None = None

    @classmethod
    def of(cls, event: object, agent: models.Agent | None) -> Self:
        """A trail entry (a `models.ContactEvent`, or one an update just wrote) and who made the change."""
        sent = cls.model_validate(event)
        if agent is not None:
            sent.performer = Performer.model_validate(agent)
        return sent


class ContactEventPage(Sent):
    meta: CountMeta
    payload: list[ContactEvent]


class DuplicateSuggestion(contract.DuplicateSuggestion, Sent):
    contact: Contact
    # One or more, in this order; never empty.
    reasons: list[DuplicateReason]  # type: ignore[assignment]


class DuplicateSuggestions(Sent):
    """`GET /contacts/{id}/duplicates` (an extension): email matches first, then phone numbers, then names."""

    payload: list[DuplicateSuggestion]


# --- agents -----------------------------------------------------------------------------------------------------


class AccountMembership(contract.AccountMembership, Sent):
    status: str = "active"
    active_at: None = None
    permissions: list[str]
    availability: str = "online"
    availability_status: str = "online"
    auto_offline: bool = True
    custom_role_id: None = None
    custom_role: None = None


class User(contract.Profile, Sent):
    """The user object of sign-in and profile, with the tokens the UI needs."""

    access_token: str
    account_id: int | None
    available_name: str
    avatar_url: str = ""
    confirmed: bool = True
    display_name: None = None
    message_signature: None = None
    inviter_id: None = None
    provider: str = "email"
    pubsub_token: str
    role: str | None
    uid: str
    type: Literal["user"] = "user"
    accounts: list[AccountMembership]  # type: ignore[assignment]

    @classmethod
    def of(cls, agent: models.Agent, account_id: int | None = None, **more: Any) -> Self:
        """As a member of `account_id` (the first account when not given or not the agent's); `more` are a
        subclass's fields."""
        memberships = sorted(agent.memberships, key=lambda m: m.account_id)
        current = next((m for m in memberships if m.account_id == account_id), memberships[0] if memberships else None)
        return cls(
            access_token=agent.access_token,
            account_id=current.account_id if current else None,
            available_name=agent.name,
            email=agent.email,
            id=agent.id,
            name=agent.name,
            pubsub_token=agent.pubsub_token,
            role=current.role if current else None,
            ui_settings=agent.ui_settings or {},
            uid=agent.email,
            accounts=[
                AccountMembership(id=m.account_id, name=m.account.name, role=m.role, permissions=[m.role])
                for m in memberships
            ],
            **more,
        )


class SignedIn(Sent):
    data: User


class ValidatedUser(User):
    """The user of `validate_token`, with when it was made."""

    created_at: str


class ValidatedPayload(Sent):
    success: Literal[True] = True
    data: ValidatedUser


class TokenValidation(Sent):
    """Chatwoot's view under `payload` (its dashboard reads it) and devise_token_auth's own answer under `data`."""

    success: Literal[True] = True
    data: ValidatedUser
    payload: ValidatedPayload


class Success(Sent):
    success: Literal[True] = True


# --- errors -----------------------------------------------------------------------------------------------------


class ErrorAnswer(Sent):
    error: str = Field(min_length=1)


class InvalidAnswer(Sent):
    """A refused change: the full messages joined by ", ", and the fields at fault."""

    message: str = Field(min_length=1)
    attributes: list[str] = Field(min_length=1)


class ConflictAnswer(Sent):
    """409 (an extension): the contact changed since the `If-Match` version; the current one in `payload`."""

    error: Literal["CONFLICT"]
    message: str
    payload: Contact


class DeviseError(Sent):
    success: Literal[False] = False
    errors: list[str]


# --- the data of contact events (the websocket's, not a response) -----------------------------------------------


def contact_event_data(contact: ContactRow, performer: models.Agent | None = None) -> dict[str, Any]:
    """The `data` of a contact.* websocket event: the contact's push data, its account, who made the change."""
    data = ContactPush.model_validate(columns(contact) if isinstance(contact, Row) else contact).model_dump()
    data["account_id"] = contact.account_id
    if performer is not None:
        data["performer"] = UserPush.model_validate(performer).model_dump()
    return data
