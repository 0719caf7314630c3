"""One contact read for the API's hot paths in SQLAlchemy Core: a single statement, no ORM objects.

The ORM's identity map, joined loader and instance building cost several times SQLite's own work for a
contact and its inboxes; a Core row carries the same columns (`contract.Contact.of` reads either).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server import models
from server.contract import ContactInbox, InboxRef
from server.errors import ApiProblem

CONTACTS = models.Contact.__table__
LINKS = models.ContactInbox.__table__
INBOXES = models.Inbox.__table__

_CONTACT = select(CONTACTS).where(CONTACTS.c.id == bindparam("contact_id"))
# The contact once per inbox (once with NULLs when it has none), in the order the ORM's listing has them.
_CONTACT_WITH_INBOXES = (
    select(
        CONTACTS,
        LINKS.c.source_id.label("link_source_id"),
        INBOXES.c.id.label("inbox_id"),
        INBOXES.c.name.label("inbox_name"),
        INBOXES.c.channel_type.label("inbox_channel_type"),
    )
    .select_from(
        CONTACTS.outerjoin(LINKS, LINKS.c.contact_id == CONTACTS.c.id).outerjoin(
            INBOXES, INBOXES.c.id == LINKS.c.inbox_id
        )
    )
    .where(CONTACTS.c.id == bindparam("contact_id"))
    .order_by(LINKS.c.id)
)


async def contact_row(
    connection: AsyncConnection, account_id: int, contact_id: int, *, with_contact_inboxes: bool
) -> tuple[Row[Any], list[ContactInbox]]:
    """The account's contact as a row, with its inboxes unless left out; 404 when missing or another account's."""
    statement = _CONTACT_WITH_INBOXES if with_contact_inboxes else _CONTACT
    rows = (await connection.execute(statement, {"contact_id": contact_id})).all()
    if not rows or rows[0].account_id != account_id:
        raise ApiProblem.not_found()
    links = [
        ContactInbox(
            source_id=row.link_source_id,
            inbox=InboxRef(id=row.inbox_id, name=row.inbox_name, channel_type=row.inbox_channel_type),
        )
        for row in rows
        if with_contact_inboxes and row.inbox_id is not None
    ]
    return rows[0], links
