"""Reading and changing contacts: the rules every contact route shares."""

from __future__ import annotations

import asyncio
import functools
import itertools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Insert, Row, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.error_codes import ErrorCode
from api.validation import (
    ATTRIBUTE_FIELDS,
    FieldProblem,
    chatwoot_phone,
    check_contact_changes,
    check_stored_attributes,
    has_forbidden_characters,
    without_forbidden_characters,
)
from server import models
from server.auth import Caller
from server.avatars import AvatarChange, keep_avatar
from server.contact_reads import contact_row
from server.contract import (
    ConflictAnswer,
    Contact,
    ContactEvent,
    ContactInbox,
    ContactRow,
    UserPush,
    contact_event_data,
)
from server.errors import ApiProblem
from server.models import now
from server.runtime import ServerRuntime

UNIQUE_FIELDS = ("email", "phone_number", "identifier")
UPDATE_DEADLINE = 15.0  # seconds a write without If-Match keeps re-applying itself under contention
CONTACTS = cast(Table, models.Contact.__table__)
EVENTS = cast(Table, models.ContactEvent.__table__)
DEFINITIONS = cast(Table, models.CustomAttributeDefinition.__table__)

# The statements of an update, built once: building one costs more CPU than SQLite takes to run it.
_DEFINITIONS = select(
    DEFINITIONS.c.attribute_key,
    DEFINITIONS.c.attribute_display_type,
    DEFINITIONS.c.attribute_values,
    DEFINITIONS.c.regex_pattern,
).where(DEFINITIONS.c.account_id == bindparam("account_id"), DEFINITIONS.c.attribute_model == 1)
_TAKEN = {
    field: select(CONTACTS.c.id)
    .where(
        CONTACTS.c.account_id == bindparam("account_id"),
        CONTACTS.c[field] == bindparam("value"),
        CONTACTS.c.id != bindparam("exclude_id"),
    )
    .limit(1)
    for field in UNIQUE_FIELDS
}
# The columns set are the parameters' keys besides these two (SQLAlchemy makes the SET clause from them).
_UPDATE = (
    update(CONTACTS)
    .where(CONTACTS.c.id == bindparam("contact_id"), CONTACTS.c.version == bindparam("read_version"))
    .returning(*CONTACTS.c)
)
EVENT_COLUMNS = ("account_id", "contact_id", "kind", "field", "old_value", "new_value", "agent_id", "created_at")


@functools.cache
def _record(rows: int) -> Insert:
    """INSERT of `rows` trail entries, VALUES (...), (...) with parameters `<column>_<row>`, returning each id with
    its field (an update's fields differ). Built once per row count: SQLAlchemy's executemany with RETURNING
    renders its statement again on every call. The parameters are typed here: beyond the first row SQLAlchemy
    would not give them their column's type (JSON values would go in unencoded)."""
    values: list[dict[str, Any]] = [
        {column: bindparam(f"{column}_{row}", type_=EVENTS.c[column].type) for column in EVENT_COLUMNS}
        for row in range(rows)
    ]
    return insert(EVENTS).values(values).returning(EVENTS.c.id, EVENTS.c.field)


def etag(contact: ContactRow) -> str:
    """A strong validator for the contact's current version."""
    return f'"{contact.id}-{contact.version}"'


def etag_matches(header: str, contact: ContactRow) -> bool:
    """True when an `If-Match` header names the current version (or is `*`)."""
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or etag(contact) in candidates


async def find_contact(session: AsyncSession, account_id: int, contact_id: int) -> models.Contact:
    """The account's contact; 404 when missing or another account's."""
    contact = await session.get(models.Contact, contact_id, populate_existing=True)
    if contact is None or contact.account_id != account_id:
        raise ApiProblem.not_found()
    return contact


async def contact_inboxes(session: AsyncSession, contact_id: int) -> list[models.ContactInbox]:
    rows = await session.execute(
        select(models.ContactInbox).where(models.ContactInbox.contact_id == contact_id).order_by(models.ContactInbox.id)
    )
    return list(rows.scalars())


async def contact_payload(
    session: AsyncSession, contact: models.Contact, *, with_contact_inboxes: bool = True
) -> Contact:
    """The contract's contact object, with its inboxes unless left out (Chatwoot's `include_contact_inboxes`)."""
    if not with_contact_inboxes:
        return Contact.of(contact)
    return Contact.of(contact, await contact_inboxes(session, contact.id))


async def contacts_payload(
    session: AsyncSession, contacts: Sequence[models.Contact], *, with_contact_inboxes: bool = True
) -> list[Contact]:
    """Contact objects for a page of contacts, their inboxes read in one query (or left out)."""
    ids = [c.id for c in contacts]
    links: dict[int, list[models.ContactInbox]] = {i: [] for i in ids}
    if not with_contact_inboxes:
        return [Contact.of(c) for c in contacts]
    if ids:
        rows = await session.execute(
            select(models.ContactInbox).where(models.ContactInbox.contact_id.in_(ids)).order_by(models.ContactInbox.id)
        )
        for link in rows.scalars():
            links[link.contact_id].append(link)
    return [Contact.of(c, links[c.id]) for c in contacts]


async def attribute_definitions(database: AsyncSession | AsyncConnection, account_id: int) -> dict[str, dict[str, Any]]:
    """The account's contact attribute definitions by key, for validation."""
    rows = await database.execute(_DEFINITIONS, {"account_id": account_id})
    return {
        row.attribute_key: {
            "attribute_display_type": row.attribute_display_type,
            "attribute_values": row.attribute_values,
            "regex_pattern": row.regex_pattern,
        }
        for row in rows
    }


async def taken_contacts(
    database: AsyncSession | AsyncConnection, account_id: int, values: dict[str, Any], exclude_id: int | None
) -> dict[str, int]:
    """Field -> id of another contact of the account that already has the value."""
    found: dict[str, int] = {}
    for field in UNIQUE_FIELDS:
        value = values.get(field)
        if value is None:
            continue
        parameters = {"account_id": account_id, "value": value, "exclude_id": exclude_id or 0}  # no contact has id 0
        row = (await database.execute(_TAKEN[field], parameters)).first()
        if row is not None:
            found[field] = row[0]
    return found


async def taken_fields(
    database: AsyncSession | AsyncConnection, account_id: int, values: dict[str, Any], exclude_id: int | None
) -> list[FieldProblem]:
    """Fields whose value another contact of the account already has."""
    taken = await taken_contacts(database, account_id, values, exclude_id)
    return [FieldProblem(field=field, code=ErrorCode.TAKEN) for field in taken]


def taken_refusal(taken: dict[str, int], *, name_them: bool) -> ApiProblem:
    """422 for values other contacts have; `name_them` (the client asked, EXISTING_CONTACT_EXTENSION) adds
    `existing_contact_ids`: field -> the contact, always one of the caller's account."""
    problems = [FieldProblem(field=field, code=ErrorCode.TAKEN) for field in taken]
    refusal = ApiProblem.invalid(", ".join(p.message for p in problems), [p.field for p in problems])
    if name_them:
        refusal.body["existing_contact_ids"] = dict(taken)
    return refusal


def merged_values(contact: ContactRow, clean: dict[str, Any]) -> dict[str, Any]:
    """New column values: plain fields replaced, the two attribute objects shallow-merged."""
    values: dict[str, Any] = {}
    for field, value in clean.items():
        if field in {"additional_attributes", "custom_attributes"}:
            values[field] = {**(getattr(contact, field) or {}), **value}
        else:
            values[field] = value
    return values


def changed_fields(contact: ContactRow, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """field -> (old, new) for what would really change; attribute objects key by key."""
    changes: dict[str, tuple[Any, Any]] = {}
    for field, new in values.items():
        old = getattr(contact, field)
        if field in {"additional_attributes", "custom_attributes"}:
            old_map = old or {}
            for key in sorted(set(old_map) | set(new)):
                if old_map.get(key) != new.get(key):
                    changes[f"{field}.{key}"] = (old_map.get(key), new.get(key))
        elif old != new:
            changes[field] = (old, new)
    return changes


def record(
    session: AsyncSession,
    caller: Caller | None,
    contact_id: int,
    account_id: int,
    kind: str,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> models.ContactEvent:
    """Add one entry to the contact's activity trail (committed with the change it describes)."""
    event = models.ContactEvent(
        account_id=account_id,
        contact_id=contact_id,
        kind=kind,
        field=field,
        old_value=old,
        new_value=new,
        agent_id=caller.agent.id if caller else None,
        created_at=now(),
    )
    session.add(event)
    return event


async def publish_activity(
    runtime: ServerRuntime, caller: Caller, contact_id: int, recorded: list[models.ContactEvent], **extra: Any
) -> None:
    """Tell the account's agents what a change of labels or notes added to the contact's trail.

    `contact.activity` is an extension (Chatwoot sends no event for these); `extra` is what changed
    (`labels`, `note`, `deleted_note_id`), so open pages show it without reading it again.
    """
    if not runtime.extensions or not recorded:
        return
    data = {
        "id": contact_id,
        "account_id": caller.account_id,
        "type": "contact",
        "performer": UserPush.model_validate(caller.agent).model_dump(),
        "activity": [ContactEvent.of(event, caller.agent).model_dump() for event in recorded],
        **extra,
    }
    await runtime.bus.publish(caller.account_id, "contact.activity", data)


async def check_changes(session: AsyncSession, account_id: int, raw: dict[str, Any]) -> dict[str, Any]:
    """A create's or update's fields validated as the server does: Chatwoot's phone rule, the account's definitions."""
    return check_contact_changes(raw, await attribute_definitions(session, account_id), phone_rule=chatwoot_phone)


@dataclass(kw_only=True, slots=True, frozen=True)
class RecordedEvent:
    """A trail entry an update wrote, as the live event tells it."""

    id: int
    contact_id: int
    kind: str
    field: str | None
    old_value: Any
    new_value: Any
    created_at: int


async def update_contact(
    runtime: ServerRuntime,
    caller: Caller,
    contact_id: int,
    raw: dict[str, Any],
    if_match: str | None,
    *,
    avatar: AvatarChange | None = None,
    with_contact_inboxes: bool = True,
) -> tuple[Row[Any], Contact]:
    """Validate and apply a partial update atomically; returns the contact's row and its payload.

    The write is conditional on the version read, so a concurrent writer is never
    overwritten blindly: with `If-Match` the loser gets 409; without it the update
    is re-applied on the newer row (Chatwoot's last-write-wins, per field).
    `avatar` changes the contact's picture in the same write (its `thumbnail` is a field like the others).

    In SQLAlchemy Core on one connection: the ORM's unit of work cost more CPU than SQLite's own work. Reading
    and checking happen before the write turn (the version condition makes that safe), so the turn, which
    SQLite writers take one at a time, holds only the UPDATE ... RETURNING, the trail's INSERT and the commit.
    """
    check_version = bool(if_match) and runtime.extensions
    deadline = time.monotonic() + UPDATE_DEADLINE
    definitions: dict[str, dict[str, Any]] | None = None
    async with runtime.engine.connect() as connection:
        for attempt in itertools.count():
            if attempt:
                # Lost the race to another writer: back off a little (jittered), then apply on the newer row.
                await asyncio.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
            contact, links = await contact_row(connection, caller.account_id, contact_id, with_contact_inboxes=True)
            if check_version and not etag_matches(if_match or "", contact):
                raise conflict(contact, links)
            if definitions is None:
                # Only custom attributes are checked against the account's definitions.
                needed = isinstance(raw.get("custom_attributes"), dict) and raw["custom_attributes"]
                definitions = await attribute_definitions(connection, caller.account_id) if needed else {}
            clean = check_contact_changes(raw, definitions, phone_rule=chatwoot_phone)
            values = merged_values(contact, clean)
            if avatar is not None:
                values["thumbnail"] = avatar.thumbnail
            if any(field in values for field in ATTRIBUTE_FIELDS):
                stored = {field: getattr(contact, field) or {} for field in ATTRIBUTE_FIELDS}
                check_stored_attributes({**stored, **values}, stored)
            changes = changed_fields(contact, values)
            if not changes:
                return contact, Contact.of(contact, links if with_contact_inboxes else None)
            taken = await taken_fields(connection, caller.account_id, values, contact.id)
            if taken:
                raise ApiProblem.invalid(", ".join(p.message for p in taken), [p.field for p in taken])
            async with runtime.write_turn:
                written = await write_update(connection, caller, contact, values, changes, avatar)
            if written is None:
                if check_version:
                    contact, links = await contact_row(
                        connection, caller.account_id, contact_id, with_contact_inboxes=True
                    )
                    raise conflict(contact, links)
                if time.monotonic() > deadline:
                    break
                continue
            updated, recorded = written
            payload = Contact.of(updated, links if with_contact_inboxes else None)
            data = contact_event_data(updated, caller.agent)
            if runtime.extensions:
                data["activity"] = [ContactEvent.of(event, caller.agent).model_dump() for event in recorded]
            await runtime.bus.publish(caller.account_id, "contact.updated", data)
            return updated, payload
    raise ApiProblem(503, {"error": "The contact is being changed too often; try again"})


async def write_update(
    connection: AsyncConnection,
    caller: Caller,
    contact: Row[Any],
    values: dict[str, Any],
    changes: dict[str, tuple[Any, Any]],
    avatar: AvatarChange | None,
) -> tuple[Row[Any], list[RecordedEvent]] | None:
    """Write the update if the contact is still at the version read, with its trail, and commit.

    Returns the new row and the trail entries; None (rolled back) when another writer changed the contact first.
    On any failure the transaction is rolled back here, before the caller's write turn passes to the next writer.
    """
    moment = now()
    try:
        parameters = {
            **values,
            "version": contact.version + 1,
            "updated_at": moment,
            "contact_id": contact.id,
            "read_version": contact.version,
        }
        updated = (await connection.execute(_UPDATE, parameters)).first()
        if updated is None:
            await connection.rollback()
            return None
        if "thumbnail" in changes and avatar is not None:
            await keep_avatar(connection, contact.id, contact.account_id, avatar)
        recorded = await record_updates(connection, caller, updated, changes, moment)
        await connection.commit()
    except IntegrityError as error:  # another contact took the value since the check before the turn
        await connection.rollback()
        raise taken_problem(error) from error
    except BaseException:
        await connection.rollback()
        raise
    return updated, recorded


async def record_updates(
    connection: AsyncConnection,
    caller: Caller,
    contact: Row[Any],
    changes: dict[str, tuple[Any, Any]],
    moment: int,
) -> list[RecordedEvent]:
    """One `updated` trail entry per changed field, written in one statement (in the caller's transaction)."""
    rows = [
        {
            "account_id": contact.account_id,
            "contact_id": contact.id,
            "kind": "updated",
            "field": field,
            "old_value": old,
            "new_value": new,
            "agent_id": caller.agent.id,
            "created_at": moment,
        }
        for field, (old, new) in changes.items()
    ]
    parameters = {f"{column}_{index}": row[column] for index, row in enumerate(rows) for column in EVENT_COLUMNS}
    written = await connection.execute(_record(len(rows)), parameters)
    ids_by_field: dict[str, int] = {row.field: row.id for row in written}
    return [
        RecordedEvent(
            id=ids_by_field[row["field"]],
            contact_id=contact.id,
            kind="updated",
            field=row["field"],
            old_value=row["old_value"],
            new_value=row["new_value"],
            created_at=moment,
        )
        for row in rows
    ]


def conflict(contact: Row[Any], links: list[ContactInbox]) -> ApiProblem:
    """409 with the current contact, so the client can show what changed."""
    body = ConflictAnswer(
        error="CONFLICT", message="The contact was changed by someone else", payload=Contact.of(contact, links)
    )
    return ApiProblem(409, body.model_dump(mode="json"), headers={"ETag": etag(contact)})


def taken_problem(error: IntegrityError) -> ApiProblem:
    """422 for a uniqueness race the pre-check could not see (the constraint names the field)."""
    text = str(error.orig).lower()
    field = next((f for f in ("email", "phone", "identifier") if f in text), "identifier")
    problem = FieldProblem(field="phone_number" if field == "phone" else field, code=ErrorCode.TAKEN)
    return ApiProblem.invalid(problem.message, [problem.field])


def search_filter(query: str) -> Any:
    """Matches name, email, phone or identifier, case-insensitively."""
    pattern = f"%{without_forbidden_characters(query).strip().lower()}%"
    return or_(
        func.lower(models.Contact.name).like(pattern),
        models.Contact.email.like(pattern),
        models.Contact.phone_number.like(pattern),
        func.lower(models.Contact.identifier).like(pattern),
    )


def label_titles(labels: list[str]) -> set[str]:
    """The titles `labels[]` asks for, as stored (lower-cased); a blank one, or one with forbidden characters, which
    no label can have, is left out rather than sent to the database."""
    return {title.strip().lower() for title in labels if title.strip() and not has_forbidden_characters(title)}


async def contact_labels_by_id(session: AsyncSession, contact_ids: Sequence[int]) -> dict[int, list[str]]:
    """The labels of each contact, sorted, read in one query."""
    labels: dict[int, list[str]] = {contact_id: [] for contact_id in contact_ids}
    if contact_ids:
        rows = await session.execute(
            select(models.ContactLabel.contact_id, models.ContactLabel.title)
            .where(models.ContactLabel.contact_id.in_(contact_ids))
            .order_by(models.ContactLabel.title)
        )
        for contact_id, title in rows:
            labels[contact_id].append(title)
    return labels


async def add_labels(session: AsyncSession, contacts: Sequence[Contact]) -> None:
    """Give each contact its `labels` (an extension of the lists: `include_labels`)."""
    labels = await contact_labels_by_id(session, [contact.id for contact in contacts])
    for contact in contacts:
        contact.labels = labels[contact.id]
