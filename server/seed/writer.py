"""How seed rows reach the database: the demo plan written in a few statements per table (once, into an empty
database), extra conversations for one contact, and contacts loaded in bulk (SQLite: with the derived-row triggers
off and what they would write derived afterwards, server/derived_rows.py).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Table, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import models
from server.auth import hash_password, new_token
from server.derived_rows import attribute_values_insert, insert_triggers_off, search_backfill, sqlite_writing
from server.seed.demo_data import (
    ATTRIBUTE_DEFINITIONS,
    DAY,
    DEMO_AGENTS,
    HOUR,
    INBOXES,
    LABELS,
    MINUTE,
    PRIORITIES,
    SEED,
    STATUSES,
    TOPICS,
    Topic,
)
from server.seed.planner import PlannedAccount, demo_plan

# Another process seeding the same PostgreSQL database waits on this lock (migrations use 7_303_001).
SEED_LOCK = 7_303_002


def _table(model: type[models.Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def _insert(session: AsyncSession, model: type[models.Base], rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(_table(model)), rows)


async def _insert_ids(session: AsyncSession, model: type[models.Base], rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows; their new ids, in the order of `rows`."""
    if not rows:
        return []
    table = _table(model)
    result = await session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


async def _write_demo(session: AsyncSession, plan: list[PlannedAccount], now: int) -> None:
    account_ids = await _insert_ids(
        session, models.Account, [{"name": account.name, "created_at": account.created_at} for account in plan]
    )
    hashes = await asyncio.gather(*(asyncio.to_thread(hash_password, agent.password) for agent in DEMO_AGENTS))
    agent_rows = [
        {
            "name": agent.name,
            "email": agent.email,
            "password_hash": password_hash,
            "access_token": new_token(),
            "pubsub_token": new_token(),
            "ui_settings": {},
            "created_at": now - 4 * 365 * DAY + HOUR,
        }
        for agent, password_hash in zip(DEMO_AGENTS, hashes, strict=True)
    ]
    agent_ids = dict(
        zip((a.email for a in DEMO_AGENTS), await _insert_ids(session, models.Agent, agent_rows), strict=True)
    )
    account_by_name = {account.name: account_id for account, account_id in zip(plan, account_ids, strict=True)}
    await _insert(
        session,
        models.AccountAgent,
        [
            {"account_id": account_by_name[agent.account], "agent_id": agent_ids[agent.email], "role": agent.role}
            for agent in DEMO_AGENTS
        ],
    )
    for account, account_id in zip(plan, account_ids, strict=True):
        await _write_account(session, account, account_id, agent_ids)


async def _write_account(
    session: AsyncSession, account: PlannedAccount, account_id: int, agent_ids: dict[str, int]
) -> None:
    created_at = account.created_at
    inbox_rows = [
        {"account_id": account_id, "name": name, "channel_type": kind} for name, kind in INBOXES[account.name]
    ]
    inbox_ids = dict(
        zip((row["name"] for row in inbox_rows), await _insert_ids(session, models.Inbox, inbox_rows), strict=True)
    )
    await _insert(
        session,
        models.Label,
        [
            {
                "account_id": account_id,
                "title": title,
                "description": description,
                "color": color,
                "show_on_sidebar": True,
            }
            for title, color, description in LABELS[account.name]
        ],
    )
    await _insert(
        session,
        models.CustomAttributeDefinition,
        [
            definition | {"account_id": account_id, "created_at": created_at}
            for definition in ATTRIBUTE_DEFINITIONS[account.name]
        ],
    )
    contact_rows = [
        contact.row | {"account_id": account_id, "updated_at": contact.row["created_at"], "version": 1}
        for contact in account.contacts
    ]
    contact_ids = await _insert_ids(session, models.Contact, contact_rows)
    owned = sorted(
        (
            (conversation, contact_id)
            for contact, contact_id in zip(account.contacts, contact_ids, strict=True)
            for conversation in contact.conversations
        ),
        key=lambda pair: pair[0].display_id,
    )
    conversation_ids = await _insert_ids(
        session,
        models.Conversation,
        [
            {
                "account_id": account_id,
                "display_id": conversation.display_id,
                "contact_id": contact_id,
                "inbox_id": inbox_ids[conversation.inbox],
                "assignee_id": agent_ids[conversation.assignee] if conversation.assignee else None,
                "status": conversation.status,
                "priority": conversation.priority,
                "labels": conversation.labels,
                "unread_count": conversation.unread_count,
                "additional_attributes": {},
                "custom_attributes": conversation.custom_attributes,
                "created_at": conversation.created_at,
                "last_activity_at": conversation.last_activity_at,
            }
            for conversation, contact_id in owned
        ],
    )
    messages: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []

    def event(
        contact_id: int, at: int, kind: str, *, field: str | None = None, new: Any = None, agent: int | None = None
    ) -> None:
        events.append(
            {
                "account_id": account_id,
                "contact_id": contact_id,
                "kind": kind,
                "field": field,
                "old_value": None,
                "new_value": new,
                "agent_id": agent,
                "created_at": at,
            }
        )

    for (conversation, contact_id), conversation_id in zip(owned, conversation_ids, strict=True):
        agent = conversation.assignee or account.agents[conversation.display_id % len(account.agents)].email
        for message in conversation.messages:
            messages.append(
                {
                    "conversation_id": conversation_id,
                    "content": message.content,
                    "message_type": 1 if message.outgoing else 0,
                    "private": False,
                    "sender_type": "user" if message.outgoing else "contact",
                    "sender_id": agent_ids[agent] if message.outgoing else contact_id,
                    "created_at": message.created_at,
                }
            )
        event(contact_id, conversation.created_at, "conversation_opened", new=conversation.display_id)
        if conversation.status == "resolved":
            agent_id = agent_ids[conversation.assignee] if conversation.assignee else None
            event(
                contact_id,
                conversation.last_activity_at,
                "conversation_resolved",
                new=conversation.display_id,
                agent=agent_id,
            )
    await _insert(session, models.Message, messages)
    links: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for contact, contact_id in zip(account.contacts, contact_ids, strict=True):
        event(contact_id, contact.row["created_at"], "created")
        links.extend(
            {"contact_id": contact_id, "inbox_id": inbox_ids[name], "source_id": source}
            for name, source in contact.inboxes.items()
        )
        for title, at in contact.labels:
            labels.append({"contact_id": contact_id, "title": title})
            event(contact_id, at, "label_added", field="labels", new=title, agent=agent_ids[account.agents[0].email])
        for note in contact.notes:
            notes.append(
                {
                    "account_id": account_id,
                    "contact_id": contact_id,
                    "agent_id": agent_ids[note.agent],
                    "content": note.content,
                    "created_at": note.created_at,
                    "updated_at": note.created_at,
                }
            )
            event(contact_id, note.created_at, "note_added", new=note.content[:255], agent=agent_ids[note.agent])
    await _insert(session, models.ContactInbox, links)
    await _insert(session, models.ContactLabel, labels)
    await _insert(session, models.Note, notes)
    # The activity trail is read newest id first, so ids must follow time.
    events.sort(key=lambda row: row["created_at"])
    await _insert(session, models.ContactEvent, events)


async def seed_demo_if_empty(session_factory: async_sessionmaker[AsyncSession], now: int | None = None) -> bool:
    """Seed the demo accounts, agents and contacts into a database without accounts; True when it did.

    Times are relative to `now` (the moment of seeding unless given). On PostgreSQL an advisory lock makes
    processes starting together seed once.
    """
    now = int(time.time()) if now is None else now
    plan = demo_plan(now)
    async with session_factory() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEED_LOCK})
        if await session.scalar(select(models.Account.id).limit(1)) is not None:
            return False
        await _write_demo(session, plan, now)
    return True


Progress = Callable[[int, float], None]
"""Told after each batch of a bulk load: the contacts loaded so far, and the seconds since the load began."""
ContactRows = Callable[[int, int], list[tuple[Any, ...]]]
"""The contacts `offset` .. `offset + size - 1` of a bulk load: values in the load's column order, objects (the
JSON columns) as JSON text."""

# For the build only: no fsync (a crash mid-build leaves a database to throw away anyway), sorts and temporary
# b-trees in memory, a cache that holds the indexes being built, and a helper thread for CREATE INDEX's sort.
BULK_PRAGMAS = (
    "PRAGMA synchronous=OFF",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-524288",
    "PRAGMA threads=2",
)


async def load_contacts(
    session_factory: async_sessionmaker[AsyncSession],
    columns: Sequence[str],
    rows: ContactRows,
    count: int,
    *,
    batch: int = 10_000,
    progress: Progress | None = None,
) -> None:
    """Insert `count` contacts that `rows` makes, `batch` per statement; `progress(done, seconds)` after each batch.

    A SQLite file is loaded in one transaction with its indexes built after the data and the derived rows written
    once at the end (see `_load_sqlite`); elsewhere (PostgreSQL) `batch * 10` contacts per transaction.
    """
    async with session_factory() as session:
        first = (await session.scalar(select(func.max(models.Contact.id))) or 0) + 1
        url = (await session.connection()).engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        await asyncio.to_thread(_load_sqlite, url.database, columns, rows, first, count, batch, progress)
        return
    started = time.perf_counter()
    table = _table(models.Contact)
    objects = {column.name for column in table.columns if isinstance(column.type, JSON)}
    per_transaction = batch * 10
    done = 0
    while done < count:
        async with session_factory() as session, session.begin():
            end = min(count, done + per_transaction)
            while done < end:
                size = min(batch, end - done)
                values = [
                    {
                        column: json.loads(value) if column in objects else value
                        for column, value in zip(columns, row, strict=True)
                    }
                    for row in rows(done, size)
                ]
                await session.execute(insert(table), values)
                done += size
                if progress:
                    progress(done, time.perf_counter() - started)


def _load_sqlite(
    database: str,
    columns: Sequence[str],
    rows: ContactRows,
    first: int,
    count: int,
    batch: int,
    progress: Progress | None,
) -> None:
    """Insert the contacts into a SQLite file in one transaction, with every index built after the data.

    The triggers that fill the search table and the filter's attribute values for a new contact are dropped for
    the load, and what they would have written is written afterwards by one statement each over the new contacts
    (server.derived_rows, the SQL the triggers run), before the indexes are built: per row the triggers made the
    load several times slower. All of it in the one transaction, triggers included: nobody sees them missing.
    `first` is the id the first new contact gets.
    """
    started = time.perf_counter()
    with sqlite_writing(database, BULK_PRAGMAS) as connection:
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        with insert_triggers_off(connection):
            listed = ", ".join(columns)
            connection.execute(f"CREATE TEMP TABLE bulk_contacts AS SELECT {listed} FROM main.contacts WHERE 0")
            done = 0
            while done < count:
                size = min(batch, count - done)
                connection.executemany(
                    f"INSERT INTO temp.bulk_contacts ({listed}) VALUES ({', '.join('?' * len(columns))})",
                    rows(done, size),
                )
                connection.execute(f"INSERT INTO main.contacts ({listed}) SELECT {listed} FROM temp.bulk_contacts")
                connection.execute("DELETE FROM temp.bulk_contacts")
                done += size
                if progress:
                    progress(done, time.perf_counter() - started)
            connection.execute("DROP TABLE temp.bulk_contacts")
            loaded = "contacts.id >= :first"
            connection.execute(search_backfill(loaded), {"first": first})
            connection.execute(attribute_values_insert("contacts", loaded), {"first": first})
        for _name, sql in indexes:
            connection.execute(sql)


async def add_conversations(
    session_factory: async_sessionmaker[AsyncSession], contact_id: int, count: int, batch: int = 5_000
) -> None:
    """Add `count` conversations, one incoming message each, to a contact; spread out until now."""
    async with session_factory() as session, session.begin():
        contact = await session.get(models.Contact, contact_id)
        if contact is None:
            raise LookupError(f"contact {contact_id} does not exist")
        account_id = contact.account_id
        links = list(
            await session.scalars(
                select(models.ContactInbox.inbox_id)
                .where(models.ContactInbox.contact_id == contact_id)
                .order_by(models.ContactInbox.id)
            )
        )
        inboxes = list(
            await session.scalars(
                select(models.Inbox.id).where(models.Inbox.account_id == account_id).order_by(models.Inbox.id)
            )
        )
        if not inboxes:
            raise LookupError(f"account {account_id} has no inbox")
        if not links:
            await _insert(
                session,
                models.ContactInbox,
                [{"contact_id": contact_id, "inbox_id": inboxes[0], "source_id": f"contact-{contact_id}"}],
            )
            links = [inboxes[0]]
        agents = list(
            await session.scalars(
                select(models.AccountAgent.agent_id)
                .where(models.AccountAgent.account_id == account_id)
                .order_by(models.AccountAgent.agent_id)
            )
        )
        last_display = (
            await session.scalar(
                select(func.max(models.Conversation.display_id)).where(models.Conversation.account_id == account_id)
            )
            or 0
        )
        rng = random.Random(SEED + contact_id)
        begin = contact.created_at + HOUR
        step = max(MINUTE, (max(int(time.time()), begin + count * MINUTE) - begin) // max(count, 1))
        newest = contact.last_activity_at or 0
        for offset in range(0, count, batch):
            planned: list[tuple[int, Topic, dict[str, Any]]] = []
            for n in range(offset, min(count, offset + batch)):
                created_at = begin + n * step
                topic = rng.choice(TOPICS)
                planned.append(
                    (
                        created_at,
                        topic,
                        {
                            "account_id": account_id,
                            "display_id": last_display + n + 1,
                            "contact_id": contact_id,
                            "inbox_id": rng.choice(links),
                            "assignee_id": rng.choice(agents) if agents and rng.random() < 0.7 else None,
                            "status": rng.choice(STATUSES),
                            "priority": rng.choice(PRIORITIES),
                            "labels": [topic.label] if topic.label else [],
                            "unread_count": 0,
                            "additional_attributes": {},
                            "custom_attributes": {"issue_type": topic.issue_type},
                            "created_at": created_at,
                            "last_activity_at": created_at + step // 2,
                        },
                    )
                )
            ids = await _insert_ids(session, models.Conversation, [row for _at, _topic, row in planned])
            await _insert(
                session,
                models.Message,
                [
                    {
                        "conversation_id": conversation_id,
                        "content": topic.lines[0],
                        "message_type": 0,
                        "private": False,
                        "sender_type": "contact",
                        "sender_id": contact_id,
                        "created_at": row["last_activity_at"],
                    }
                    for conversation_id, (_at, topic, row) in zip(ids, planned, strict=True)
                ],
            )
            await _insert(
                session,
                models.ContactEvent,
                [
                    {
                        "account_id": account_id,
                        "contact_id": contact_id,
                        "kind": "conversation_opened",
                        "field": None,
                        "old_value": None,
                        "new_value": row["display_id"],
                        "agent_id": None,
                        "created_at": created_at,
                    }
                    for created_at, _topic, row in planned
                ],
            )
            newest = max(newest, *(row["last_activity_at"] for _at, _topic, row in planned))
        await session.execute(
            update(models.Contact).where(models.Contact.id == contact_id).values(last_activity_at=newest)
        )
