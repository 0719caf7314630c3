"""Merging two contacts (Chatwoot's `POST /actions/contact_merge`) and, as extensions, the agent's choice of value per
field and an undo within MERGE_UNDO_SECONDS that puts both contacts back exactly.

Chatwoot's rule: the base's values win, the mergee's fill the base's blanks; the mergee's conversations, notes,
inbox links and labels move to the base, and the mergee is deleted. With the extensions on, `choices` overrides
that rule field by field, and the merge keeps a snapshot (a `contact_merges` row) of what it changed: both contact
rows with every column, both contacts' labels, which conversations, notes and inbox links were the mergee's, the
mergee's activity trail and picture. An undo writes that back, with the same ids, while nothing has changed the
base since (its version and labels are as the merge left them); later it is refused, and the snapshot (personal
data of a contact that is gone) is emptied.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import delete, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.protocol import MERGE_UNDO_SECONDS, MERGE_UNDONE_ALREADY
from api.validation import ATTRIBUTE_FIELDS, check_stored_attributes
from server import models
from server.auth import Caller
from server.contact_service import contact_payload, find_contact, record
from server.contract import Contact, contact_event_data
from server.errors import ApiProblem
from server.models import now
from server.routes.params import MAX_ID
from server.runtime import ServerRuntime

# The fields the agent may choose a value for; besides these, every custom attribute (`custom_attributes.<key>`).
CHOOSABLE_FIELDS = ("name", "email", "phone_number")
CUSTOM_PREFIX = "custom_attributes."
# Chatwoot fills these of the base from the mergee when the base has none (its `compact_blank` + `deep_merge`).
FILLED_FIELDS = ("name", "email", "phone_number", "identifier")
# Snapshots older than this are deleted; emptied ones stay until then, so a late undo is told why it is refused.
FORGET_AFTER = 24 * 3600
CONTACT_COLUMNS = tuple(column.key for column in inspect(models.Contact).columns)
EVENT_COLUMNS = tuple(column.key for column in inspect(models.ContactEvent).columns)
MOVED = (
    ("conversation_ids", models.Conversation),
    ("note_ids", models.Note),
    ("contact_inbox_ids", models.ContactInbox),
)
Side = Literal["base", "mergee"]


class MergeRequest(BaseModel):
    base_contact_id: int = Field(ge=1, le=MAX_ID)
    mergee_contact_id: int = Field(ge=1, le=MAX_ID)
    # Extension: field path -> whose value the merged contact keeps; fields not named follow Chatwoot's rule.
    choices: dict[str, Side] | None = Field(default=None, max_length=200)


@dataclass(kw_only=True, slots=True, frozen=True)
class MergeDone:
    """A merge's answer (the base as it is now) and, with the extensions on, the merge that may be undone."""

    contact: Contact
    merge_id: int | None
    undo_until: int | None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _columns(contact: models.Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in CONTACT_COLUMNS}


def check_choices(choices: dict[str, Side], base: models.Contact, mergee: models.Contact) -> None:
    """422 naming `choices` for a path that is not a choosable field or a custom attribute either contact has."""
    keys = set(base.custom_attributes or {}) | set(mergee.custom_attributes or {})
    unknown = [
        path
        for path in choices
        if path not in CHOOSABLE_FIELDS and not (path.startswith(CUSTOM_PREFIX) and path[len(CUSTOM_PREFIX) :] in keys)
    ]
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ApiProblem.invalid(f"Choices names fields that cannot be chosen: {names}", ["choices"])


def merged_values(base: models.Contact, mergee: models.Contact, choices: dict[str, Side]) -> dict[str, Any]:
    """The base's new column values: Chatwoot's rule, then each choice."""
    custom = {**(mergee.custom_attributes or {}), **(base.custom_attributes or {})}
    values: dict[str, Any] = {
        "additional_attributes": {**(mergee.additional_attributes or {}), **(base.additional_attributes or {})},
        "custom_attributes": custom,
        "last_activity_at": max(filter(None, [base.last_activity_at, mergee.last_activity_at]), default=None),
    }
    for field in FILLED_FIELDS:
        if _blank(getattr(base, field)) and not _blank(getattr(mergee, field)):
            values[field] = getattr(mergee, field)
    for path, side in choices.items():
        source = base if side == "base" else mergee
        if path in CHOOSABLE_FIELDS:
            chosen = getattr(source, path)
            values[path] = (chosen or "") if path == "name" else (None if _blank(chosen) else chosen)
            continue
        key = path[len(CUSTOM_PREFIX) :]
        own = source.custom_attributes or {}
        if key in own:
            custom[key] = own[key]
        else:
            custom.pop(key, None)
    return values


async def _titles(session: AsyncSession, contact_id: int) -> list[str]:
    rows = await session.execute(
        select(models.ContactLabel.title).where(models.ContactLabel.contact_id == contact_id).order_by("title")
    )
    return list(rows.scalars())


async def _ids(session: AsyncSession, table: Any, contact_id: int) -> list[int]:
    rows = await session.execute(select(table.id).where(table.contact_id == contact_id).order_by(table.id))
    return list(rows.scalars())


async def _snapshot(session: AsyncSession, base: models.Contact, mergee: models.Contact) -> dict[str, Any]:
    """What the merge is about to change, as plain JSON."""
    events = await session.execute(
        select(*(getattr(models.ContactEvent, name) for name in EVENT_COLUMNS))
        .where(models.ContactEvent.contact_id == mergee.id)
        .order_by(models.ContactEvent.id)
    )
    avatar = await session.get(models.ContactAvatar, mergee.id)
    return {
        "base": _columns(base),
        "mergee": _columns(mergee),
        "base_labels": await _titles(session, base.id),
        "mergee_labels": await _titles(session, mergee.id),
        **{key: await _ids(session, table, mergee.id) for key, table in MOVED},
        # A note's `updated_at` moves with it (the column's onupdate): put back as it was.
        "note_times": {
            str(note_id): updated_at
            for note_id, updated_at in await session.execute(
                select(models.Note.id, models.Note.updated_at).where(models.Note.contact_id == mergee.id)
            )
        },
        "mergee_events": [dict(row._mapping) for row in events],
        "mergee_avatar": None
        if avatar is None
        else {
            "account_id": avatar.account_id,
            "key": avatar.key,
            "content_type": avatar.content_type,
            "data": base64.b64encode(avatar.data).decode(),
            "created_at": avatar.created_at,
        },
    }


async def forget_expired(session: AsyncSession) -> None:
    """Empty the snapshots whose undo has expired, and delete old merges (runs inside a write)."""
    moment = now()
    merges = models.ContactMerge
    await session.execute(
        update(merges)
        .where(merges.snapshot.is_not(None), merges.created_at < moment - MERGE_UNDO_SECONDS)
        .values(snapshot=None)
    )
    await session.execute(delete(merges).where(merges.created_at < moment - FORGET_AFTER))


async def merge_contacts(runtime: ServerRuntime, caller: Caller, body: MergeRequest) -> MergeDone:
    """Merge the mergee into the base; with the extensions on, by the agent's choices and with a snapshot to undo."""
    if body.base_contact_id == body.mergee_contact_id:
        raise ApiProblem.invalid("Mergee contact must differ from the base contact", ["mergee_contact_id"])
    choices = (body.choices or {}) if runtime.extensions else {}
    async with runtime.writing() as session:
        base = await find_contact(session, caller.account_id, body.base_contact_id)
        mergee = await find_contact(session, caller.account_id, body.mergee_contact_id)
        check_choices(choices, base, mergee)
        snapshot = await _snapshot(session, base, mergee) if runtime.extensions else None
        mergee_data = contact_event_data(mergee, caller.agent)
        values = merged_values(base, mergee, choices)
        check_stored_attributes(
            {field: values[field] for field in ATTRIBUTE_FIELDS},
            {field: getattr(base, field) or {} for field in ATTRIBUTE_FIELDS},
        )
        for _key, table in MOVED:
            await session.execute(update(table).where(table.contact_id == mergee.id).values(contact_id=base.id))
        base_labels = set(await _titles(session, base.id))
        mergee_labels = await _titles(session, mergee.id)
        for title in mergee_labels:
            if title not in base_labels:
                session.add(models.ContactLabel(contact_id=base.id, title=title))
        await session.execute(delete(models.ContactLabel).where(models.ContactLabel.contact_id == mergee.id))
        mergee_id, version_after = mergee.id, base.version + 1
        await session.delete(mergee)
        await session.flush()
        await session.execute(
            update(models.Contact)
            .where(models.Contact.id == base.id)
            .values(**values, version=models.Contact.version + 1, updated_at=now())
        )
        merged = record(session, caller, base.id, caller.account_id, "merged", None, mergee_id, base.id)
        merge: models.ContactMerge | None = None
        if snapshot is not None:
            await session.flush()
            snapshot["merged_event_id"] = merged.id
            snapshot["base_labels_after"] = sorted(base_labels | set(mergee_labels))
            snapshot["base_version_after"] = version_after
            merge = models.ContactMerge(
                account_id=caller.account_id,
                agent_id=caller.agent.id,
                base_contact_id=base.id,
                mergee_contact_id=mergee_id,
                snapshot=snapshot,
                created_at=now(),
            )
            session.add(merge)
            await forget_expired(session)
        await session.commit()
        base = await find_contact(session, caller.account_id, base.id)
        payload = await contact_payload(session, base)
    if runtime.extensions:
        # Pages showing the merged-away contact say where it went (an extension of Chatwoot's event).
        mergee_data["merged_into"] = {"id": base.id, "name": base.name}
    await runtime.bus.publish(caller.account_id, "contact.deleted", mergee_data)
    await runtime.bus.publish(caller.account_id, "contact.merged", contact_event_data(base, caller.agent))
    if merge is None:
        return MergeDone(contact=payload, merge_id=None, undo_until=None)
    return MergeDone(contact=payload, merge_id=merge.id, undo_until=merge.created_at + MERGE_UNDO_SECONDS)


def _refused(status: int, message: str) -> ApiProblem:
    return ApiProblem(status, {"error": message})


async def undo_merge(runtime: ServerRuntime, caller: Caller, merge_id: int) -> tuple[Contact, Contact]:
    """Put both contacts of a merge back as they were; answers the base and the mergee as they are again.

    404: no such merge in the caller's account. 410: undone already, or its time is over. 409: the base changed
    since the merge, or a value of the restored contacts was given to another contact meanwhile.
    """
    if not runtime.extensions:
        raise ApiProblem.not_found()
    async with runtime.writing() as session:
        merge = await session.get(models.ContactMerge, merge_id, populate_existing=True)
        if merge is None or merge.account_id != caller.account_id:
            raise _refused(404, "No merge of this id in this account")
        if merge.undone_at is not None:
            raise _refused(410, MERGE_UNDONE_ALREADY)
        snapshot: dict[str, Any] | None = merge.snapshot
        if snapshot is None or now() > merge.created_at + MERGE_UNDO_SECONDS:
            raise _refused(410, f"A merge can be undone for {MERGE_UNDO_SECONDS} seconds only; that time is over")
        base = await find_contact(session, caller.account_id, merge.base_contact_id)
        labels_now = set(await _titles(session, base.id))
        if base.version != snapshot["base_version_after"] or labels_now != set(snapshot["base_labels_after"]):
            raise _refused(409, "The contact was changed after the merge, so the merge can no longer be undone")
        mergee_id = merge.mergee_contact_id
        try:
            await _restore(session, snapshot, base.id, mergee_id)
            merge.undone_at = now()
            merge.snapshot = None
            await session.commit()
        except IntegrityError as error:
            await session.rollback()
            raise _refused(
                409, "Another contact now has an email, phone number or identifier of these contacts"
            ) from error
        base = await find_contact(session, caller.account_id, base.id)
        mergee = await find_contact(session, caller.account_id, mergee_id)
        base_payload = await contact_payload(session, base)
        mergee_payload = await contact_payload(session, mergee)
        base_data = contact_event_data(base, caller.agent)
        mergee_data = contact_event_data(mergee, caller.agent)
    # The mergee is back (Chatwoot's event for a new contact, so lists show it again); the base lost what it took.
    await runtime.bus.publish(caller.account_id, "contact.created", {**mergee_data, "restored": True})
    await runtime.bus.publish(caller.account_id, "contact.updated", {**base_data, "unmerged_contact_id": mergee_id})
    return base_payload, mergee_payload


async def _restore(session: AsyncSession, snapshot: dict[str, Any], base_id: int, mergee_id: int) -> None:
    """Write the snapshot back: the base's row first (it may hold a value the mergee's row takes back)."""
    base_row = {name: value for name, value in snapshot["base"].items() if name != "id"}
    await session.execute(update(models.Contact).where(models.Contact.id == base_id).values(**base_row))
    await session.flush()
    await session.execute(insert(models.Contact).values(**snapshot["mergee"]))
    for key, table in MOVED:
        if snapshot[key] and table is not models.Note:
            await session.execute(
                update(table)
                .where(table.id.in_(snapshot[key]), table.contact_id == base_id)
                .values(contact_id=mergee_id)
            )
    for note_id, updated_at in snapshot["note_times"].items():
        await session.execute(
            update(models.Note)
            .where(models.Note.id == int(note_id), models.Note.contact_id == base_id)
            .values(contact_id=mergee_id, updated_at=updated_at)
        )
    await session.execute(delete(models.ContactLabel).where(models.ContactLabel.contact_id == base_id))
    labels = [{"contact_id": base_id, "title": title} for title in snapshot["base_labels"]]
    labels += [{"contact_id": mergee_id, "title": title} for title in snapshot["mergee_labels"]]
    if labels:
        await session.execute(insert(models.ContactLabel), labels)
    merged_event = snapshot.get("merged_event_id")
    if merged_event is not None:
        await session.execute(delete(models.ContactEvent).where(models.ContactEvent.id == merged_event))
    if snapshot["mergee_events"]:
        await session.execute(insert(models.ContactEvent), snapshot["mergee_events"])
    avatar = snapshot.get("mergee_avatar")
    if avatar is not None:
        session.add(
            models.ContactAvatar(
                contact_id=mergee_id,
                account_id=avatar["account_id"],
                key=avatar["key"],
                content_type=avatar["content_type"],
                data=base64.b64decode(avatar["data"]),
                created_at=avatar["created_at"],
            )
        )
    await session.flush()
