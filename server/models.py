"""SQLAlchemy 2.0 models of the embedded server; the same on SQLite and PostgreSQL.

Times are unix seconds (integers), as the contract sends them. No id is ever given out twice: PostgreSQL's
sequences never go back, and on SQLite every table with an integer surrogate key is AUTOINCREMENT (without it
SQLite reuses the highest deleted id, and whatever still names that id would point at a stranger's row).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> int:
    """The current unix time in whole seconds."""
    return int(time.time())


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)


class Agent(Base):
    __tablename__ = "agents"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    access_token: Mapped[str] = mapped_column(String(64), unique=True)
    pubsub_token: Mapped[str] = mapped_column(String(64), unique=True)
    ui_settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)

    memberships: Mapped[list[AccountAgent]] = relationship(back_populates="agent", lazy="selectin")


class AccountAgent(Base):
    __tablename__ = "account_agents"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), default="agent")

    agent: Mapped[Agent] = relationship(back_populates="memberships")
    account: Mapped[Account] = relationship(lazy="joined")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("account_id", "email", name="uq_contacts_account_email"),
        UniqueConstraint("account_id", "phone_number", name="uq_contacts_account_phone"),
        UniqueConstraint("account_id", "identifier", name="uq_contacts_account_identifier"),
        Index("ix_contacts_account_activity", "account_id", "last_activity_at"),
        Index("ix_contacts_account_name", "account_id", "name"),
        Index("ix_contacts_account_created", "account_id", "created_at"),
        # Search and the list's default order have more (migration 0005): an FTS5 table kept by triggers on
        # SQLite, pg_trgm GIN indexes and an index in the list's order on PostgreSQL.
        # Duplicate suggestions have a company's names in order (migration 0008, server/duplicates.py).
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str | None] = mapped_column(String(255))
    phone_number: Mapped[str | None] = mapped_column(String(255))
    identifier: Mapped[str | None] = mapped_column(String(255))
    thumbnail: Mapped[str] = mapped_column(String(1024), default="")
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    additional_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_activity_at: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=now, onupdate=now)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Inbox(Base):
    __tablename__ = "inboxes"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    channel_type: Mapped[str] = mapped_column(String(64), default="Channel::WebWidget")


class ContactInbox(Base):
    __tablename__ = "contact_inboxes"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(255))

    inbox: Mapped[Inbox] = relationship(lazy="joined")


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("account_id", "display_id", name="uq_conversations_account_display"),
        Index("ix_conversations_contact_activity", "contact_id", "last_activity_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    display_id: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[str | None] = mapped_column(String(16))
    labels: Mapped[list[Any]] = mapped_column(default=list)
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    additional_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)
    last_activity_at: Mapped[int] = mapped_column(BigInteger, default=now)

    inbox: Mapped[Inbox] = relationship(lazy="joined")
    assignee: Mapped[Agent | None] = relationship(lazy="joined")


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_created", "conversation_id", "created_at"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text, default="")
    # Chatwoot's enum: 0 incoming, 1 outgoing, 2 activity, 3 template.
    message_type: Mapped[int] = mapped_column(Integer, default=0)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    sender_type: Mapped[str] = mapped_column(String(16), default="contact")
    # A contact's or an agent's id by `sender_type`, as in Chatwoot, so no foreign key: only ever read
    # with its message, which is read through its account's conversation.
    sender_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("account_id", "title", name="uq_labels_account_title"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255), default="")
    color: Mapped[str] = mapped_column(String(16), default="#1f93ff")
    show_on_sidebar: Mapped[bool] = mapped_column(Boolean, default=True)


class ContactLabel(Base):
    __tablename__ = "contact_labels"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(String(255), primary_key=True)


class CustomAttributeDefinition(Base):
    __tablename__ = "custom_attribute_definitions"
    __table_args__ = (
        UniqueConstraint("account_id", "attribute_key", "attribute_model", name="uq_attribute_definitions_key"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    attribute_display_name: Mapped[str] = mapped_column(String(255))
    attribute_display_type: Mapped[str] = mapped_column(String(16), default="text")
    attribute_key: Mapped[str] = mapped_column(String(255))
    attribute_description: Mapped[str] = mapped_column(String(255), default="")
    attribute_values: Mapped[list[Any]] = mapped_column(default=list)
    regex_pattern: Mapped[str | None] = mapped_column(String(255))
    regex_cue: Mapped[str | None] = mapped_column(String(255))
    default_value: Mapped[str | None] = mapped_column(String(255))
    # Chatwoot: 0 conversation_attribute, 1 contact_attribute.
    attribute_model: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=now, onupdate=now)


class ContactAvatar(Base):
    """A contact's uploaded picture, resized, served at an unguessable `key` (an <img> sends no token).

    In the database rather than on disk, so every process of a deployment serves it; a new upload gets a new
    key, so the URL in `thumbnail` can be cached for good.
    """

    __tablename__ = "contact_avatars"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)


class Note(Base):
    __tablename__ = "notes"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=now, onupdate=now)

    agent: Mapped[Agent | None] = relationship(lazy="joined")


class ContactEvent(Base):
    """The audit trail: who changed which field of a contact from what to what, when.

    It goes with its contact: the values in it are the contact's personal data, which a deletion must not leave
    behind (the deletion itself is announced by the `contact.deleted` live event).
    """

    __tablename__ = "contact_events"
    __table_args__ = (Index("ix_contact_events_contact", "contact_id", "id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE", name="contact_events_contact_id_fkey")
    )
    # created, updated (one row per field), merged, label_added, label_removed,
    # note_added, note_updated, note_deleted, conversation_opened, conversation_resolved
    kind: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(255))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)

    agent: Mapped[Agent | None] = relationship(lazy="joined")


class ContactMerge(Base):
    """A merge that may still be undone: what the two contacts were before it (`snapshot`), for MERGE_UNDO_SECONDS.

    The snapshot holds the merged-away contact's personal data, so it is emptied once the undo has expired or been
    used (`server.contact_merge.forget_expired`), and the row goes with its account or its base contact.
    """

    __tablename__ = "contact_merges"
    __table_args__ = (Index("ix_contact_merges_created", "created_at"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    base_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    # The merged-away contact's id: its row is gone until an undo puts it back, so no foreign key.
    mergee_contact_id: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)
    undone_at: Mapped[int | None] = mapped_column(BigInteger)


class SessionToken(Base):
    """One signed-in client of an agent (devise_token_auth's `client` + `access-token`), revocable by sign-out.

    Only a hash of the token is kept, so a copy of the database does not sign anyone in.
    """

    __tablename__ = "agent_sessions"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)
    expires_at: Mapped[int] = mapped_column(BigInteger)

    agent: Mapped[Agent] = relationship()
