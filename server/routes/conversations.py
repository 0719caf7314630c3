"""Conversations: a contact's history, and a conversation with its messages."""

from __future__ import annotations

from typing import Any

from fastapi import Query
from sqlalchemy import Row, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import models
from server.auth import Caller
from server.contact_service import contact_payload, find_contact
from server.contract import (
    AccountConversations,
    AccountConversationsMeta,
    AccountConversationsPage,
    Agent,
    Contact,
    ContactPush,
    Conversation,
    ConversationList,
    ConversationMessages,
    CountMeta,
    Message,
    MessageList,
    MessageRow,
    MessagesMeta,
    UserPush,
)
from server.deps import CallerDep, RuntimeDep, SessionDep
from server.errors import ApiProblem, account_router
from server.routes.params import MAX_ID, PageNumber, RowId

router = account_router("conversations")
HISTORY_SIZE = 20
MESSAGES_PAGE = 20


INCOMING, OUTGOING, ACTIVITY = 0, 1, 2  # Chatwoot's message types
MESSAGE_COLUMNS = tuple(models.Message.__table__.c)
# A contact's history as Core rows (the ORM's objects, relationships and identity map cost more than the query):
# the conversation's columns, its inbox's channel, and its assignee with the assignee's role in the account.
LISTED = (
    select(
        *models.Conversation.__table__.c,
        models.Inbox.channel_type.label("channel_type"),
        models.Agent.name.label("assignee_name"),
        models.Agent.email.label("assignee_email"),
        models.AccountAgent.role.label("assignee_role"),
    )
    .join(models.Inbox, models.Inbox.id == models.Conversation.inbox_id)
    .outerjoin(models.Agent, models.Agent.id == models.Conversation.assignee_id)
    .outerjoin(
        models.AccountAgent,
        and_(
            models.AccountAgent.agent_id == models.Conversation.assignee_id,
            models.AccountAgent.account_id == models.Conversation.account_id,
        ),
    )
)


async def _conversation_messages(session: AsyncSession, ids: list[int]) -> dict[int, ConversationMessages]:
    """What the messages of each conversation tell its listing, in three queries whatever the number.

    Private notes count for none of it: a listing shows what the contact saw. A reply is a public outgoing
    message; the contact waits from its first incoming message after the last reply.
    """
    if not ids:
        return {}
    public = and_(models.Message.conversation_id.in_(ids), models.Message.private.is_(False))
    is_reply = models.Message.message_type == OUTGOING
    summary = (
        select(
            models.Message.conversation_id.label("conversation_id"),
            func.max(models.Message.id).label("last_id"),
            func.max(case((models.Message.message_type != ACTIVITY, models.Message.id))).label("last_said_id"),
            func.min(case((is_reply, models.Message.created_at))).label("first_reply"),
            func.max(case((is_reply, models.Message.created_at))).label("last_reply"),
        )
        .where(public)
        .group_by(models.Message.conversation_id)
        .subquery()
    )
    found = {row.conversation_id: row for row in await session.execute(select(summary))}
    wanted = {i for row in found.values() for i in (row.last_id, row.last_said_id) if i is not None}
    by_id: dict[int, MessageRow] = {}
    if wanted:
        # Core rows of the message columns: the listing only reads them.
        rows = await session.execute(select(*MESSAGE_COLUMNS).where(models.Message.id.in_(wanted)))
        by_id = {m.id: m for m in rows}
    waiting_rows = await session.execute(
        select(models.Message.conversation_id, func.min(models.Message.created_at))
        .join(summary, summary.c.conversation_id == models.Message.conversation_id)
        .where(
            public,
            models.Message.message_type == INCOMING,
            (summary.c.last_reply.is_(None)) | (models.Message.created_at > summary.c.last_reply),
        )
        .group_by(models.Message.conversation_id)
    )
    waiting: dict[int, int] = {conversation_id: since for conversation_id, since in waiting_rows}
    return {
        conversation_id: ConversationMessages(
            last=by_id.get(row.last_id),
            last_non_activity=by_id.get(row.last_said_id) if row.last_said_id is not None else None,
            first_reply_created_at=row.first_reply or 0,
            waiting_since=waiting.get(conversation_id) or 0,
        )
        for conversation_id, row in found.items()
    }


def _listed(row: Row[Any], sender: Contact, told: ConversationMessages) -> Conversation:
    """A `LISTED` row as the contract lists a conversation."""
    assignee = None
    if row.assignee_id is not None and row.assignee_name is not None:
        assignee = Agent.of(row.assignee_id, row.assignee_name, row.assignee_email, row.assignee_role, row.account_id)
    return Conversation.of(row, sender, told, channel=row.channel_type, assignee=assignee)


def _orm_listed(conversation: models.Conversation, sender: Contact, told: ConversationMessages) -> Conversation:
    """An ORM conversation (its inbox and assignee loaded with it) as the contract lists it."""
    assignee = conversation.assignee
    return Conversation.of(
        conversation,
        sender,
        told,
        channel=conversation.inbox.channel_type,
        assignee=Agent.of_agent(assignee, conversation.account_id) if assignee is not None else None,
    )


@router.get("/contacts/{contact_id}/conversations")
async def contact_conversations(
    runtime: RuntimeDep,
    session: SessionDep,
    contact_id: RowId,
    caller: CallerDep,
    page: int | None = Query(None, ge=1, le=1_000_000),
) -> ConversationList:
    """The newest 20 by activity (Chatwoot); with `?page=` and the extensions on, pages of 20 with `meta`."""
    paged = page is not None and runtime.extensions
    contact = await find_contact(session, caller.account_id, contact_id)
    sender = await contact_payload(session, contact)
    condition = and_(models.Conversation.account_id == caller.account_id, models.Conversation.contact_id == contact.id)
    query = (
        LISTED.where(condition)
        .order_by(models.Conversation.last_activity_at.desc(), models.Conversation.id.desc())
        .limit(HISTORY_SIZE)
    )
    if paged and page is not None:
        query = query.offset((page - 1) * HISTORY_SIZE)
    rows = list(await session.execute(query))
    told = await _conversation_messages(session, [row.id for row in rows])
    listed = ConversationList(payload=[_listed(row, sender, told.get(row.id, ConversationMessages())) for row in rows])
    if paged and page is not None:
        count = (
            await session.execute(select(func.count()).select_from(models.Conversation).where(condition))
        ).scalar_one()
        listed.meta = CountMeta(count=count, current_page=page)
    return listed


async def _conversation(session: AsyncSession, caller: Caller, display_id: int) -> models.Conversation:
    row = await session.execute(
        select(models.Conversation).where(
            models.Conversation.account_id == caller.account_id, models.Conversation.display_id == display_id
        )
    )
    conversation = row.scalar_one_or_none()
    if conversation is None:
        raise ApiProblem.not_found()
    return conversation


@router.get("/conversations")
async def list_conversations(
    session: SessionDep,
    caller: CallerDep,
    status: str = Query("open", pattern="^(open|resolved|pending|snoozed|all)$"),
    page: PageNumber = 1,
) -> AccountConversations:
    """The account's conversations by newest activity, 25 a page (`{data: {meta, payload}}`)."""
    condition = models.Conversation.account_id == caller.account_id
    if status != "all":
        condition = condition & (models.Conversation.status == status)
    count = (await session.execute(select(func.count()).select_from(models.Conversation).where(condition))).scalar_one()
    rows = await session.execute(
        select(models.Conversation, models.Contact)
        .join(models.Contact, models.Contact.id == models.Conversation.contact_id)
        .where(condition)
        .order_by(models.Conversation.last_activity_at.desc(), models.Conversation.id.desc())
        .offset((page - 1) * 25)
        .limit(25)
    )
    pairs = list(rows)
    told = await _conversation_messages(session, [c.id for c, _ in pairs])
    payload = [
        _orm_listed(c, await contact_payload(session, contact), told.get(c.id, ConversationMessages()))
        for c, contact in pairs
    ]
    meta = AccountConversationsMeta(all_count=count, current_page=page)
    return AccountConversations(data=AccountConversationsPage(meta=meta, payload=payload))


@router.get("/conversations/{display_id}")
async def show_conversation(session: SessionDep, display_id: RowId, caller: CallerDep) -> Conversation:
    """One conversation by its per-account number (a bare object, as Chatwoot answers)."""
    conversation = await _conversation(session, caller, display_id)
    contact = await find_contact(session, caller.account_id, conversation.contact_id)
    told = await _conversation_messages(session, [conversation.id])
    return _orm_listed(
        conversation, await contact_payload(session, contact), told.get(conversation.id, ConversationMessages())
    )


@router.get("/conversations/{display_id}/messages")
async def conversation_messages(
    session: SessionDep,
    display_id: RowId,
    caller: CallerDep,
    before: int | None = Query(None, ge=1, le=MAX_ID),
) -> MessageList:
    """Up to 20 messages, oldest first, before the message id `before` when given."""
    conversation = await _conversation(session, caller, display_id)
    query = select(models.Message).where(models.Message.conversation_id == conversation.id)
    if before is not None:
        query = query.where(models.Message.id < before)
    rows = await session.execute(query.order_by(models.Message.id.desc()).limit(MESSAGES_PAGE))
    messages = sorted(rows.scalars(), key=lambda m: m.id)
    contact = await find_contact(session, caller.account_id, conversation.contact_id)
    shown = await contact_payload(session, contact)
    # Who wrote each message, as Chatwoot names them: the contact, or agents of this account (never another's).
    agent_ids = {m.sender_id for m in messages if m.sender_type != "contact" and m.sender_id is not None}
    agents = (
        await session.execute(
            select(models.Agent)
            .join(models.AccountAgent, models.AccountAgent.agent_id == models.Agent.id)
            .where(models.Agent.id.in_(agent_ids), models.AccountAgent.account_id == caller.account_id)
        )
        if agent_ids
        else None
    )
    senders = {agent.id: UserPush.model_validate(agent) for agent in (agents.scalars() if agents else [])}
    as_sender = ContactPush.model_validate(contact)
    meta = MessagesMeta(labels=list(conversation.labels or []), contact=shown)
    return MessageList(
        meta=meta,
        payload=[
            Message.of(m, conversation, as_sender if m.sender_type == "contact" else senders.get(m.sender_id or 0))
            for m in messages
        ],
    )
