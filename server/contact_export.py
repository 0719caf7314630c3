"""Contacts as a CSV file, with the columns Chatwoot's `Account::ContactsExportJob` writes, streamed.

One read transaction from the count to the last row, so the file is one snapshot of the account (SQLite: a
deferred transaction whose first read fixes what it sees; PostgreSQL: REPEATABLE READ, read only), read in pages
of `PAGE_ROWS` by id: memory stays the same whatever the number of contacts.

Values: numbers and `true` / `false` as written, times as ISO 8601 in UTC, the attribute objects as JSON, an empty
cell for none. A text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or
a carriage return) gets an apostrophe in front, which the import takes off again; phone numbers, always `+` and
digits here, are left as they are.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from fastapi.responses import StreamingResponse
from sqlalchemy import ColumnElement, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from api.protocol import EXPORT_COLUMNS, EXPORT_ROWS_HEADER
from server import models
from server.contact_import import FORMULA_STARTS
from server.runtime import ServerRuntime

CONTACTS = cast(Table, models.Contact.__table__)
LABELS = cast(Table, models.ContactLabel.__table__)
PAGE_ROWS = 2_000
# Chatwoot's `default_columns`, and the columns of its contacts table that this server has.
DEFAULT_COLUMNS = ("id", "name", "email", "phone_number")
COLUMNS = (*EXPORT_COLUMNS, "updated_at", "account_id")
TIME_COLUMNS = frozenset({"created_at", "updated_at", "last_activity_at"})
TEXT_COLUMNS = frozenset({"name", "email", "identifier"})


def unknown_columns(names: Sequence[str]) -> list[str]:
    """The asked-for columns this export does not have."""
    return [name for name in names if name not in COLUMNS]


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in TIME_COLUMNS:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value)
    if column in TEXT_COLUMNS and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _lines(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def file_name(account_id: int) -> str:
    return f"contacts_{account_id}_{time.strftime('%Y%m%d', time.gmtime())}.csv"


class ContactExport:
    """One export: the columns, the account's contacts (those with `label`, when given) and the snapshot read."""

    def __init__(self, runtime: ServerRuntime, account_id: int, columns: Sequence[str], label: str | None) -> None:
        self.runtime = runtime
        self.account_id = account_id
        self.columns = list(columns)
        self.label = label
        self.connection: AsyncConnection | None = None

    def _where(self) -> list[ColumnElement[bool]]:
        # `+ 0`: no index on the account's column, so a page is a walk of the primary key from the last id read,
        # not a sort of the whole account (SQLite took the account's activity index, and sorted, for every page).
        conditions: list[ColumnElement[bool]] = [CONTACTS.c.account_id + 0 == self.account_id]
        if self.label is not None:
            conditions.append(CONTACTS.c.id.in_(select(LABELS.c.contact_id).where(LABELS.c.title == self.label)))
        return conditions

    async def open(self) -> int:
        """Begin the snapshot and count the rows it holds."""
        connection = await self.runtime.engine.connect()
        self.connection = connection
        try:
            if connection.dialect.name == "sqlite":
                await connection.exec_driver_sql("BEGIN")
            else:
                await connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            count = await connection.scalar(select(func.count()).select_from(CONTACTS).where(*self._where()))
        except BaseException:
            await self.close()
            raise
        return int(count or 0)

    async def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            await connection.close()

    async def chunks(self) -> AsyncIterator[bytes]:
        """The header, then the rows a page at a time, by id."""
        connection = self.connection
        assert connection is not None, "open() first"
        yield _lines([self.columns])
        selected = [CONTACTS.c.id, *(CONTACTS.c[name] for name in self.columns)]
        last = 0
        while True:
            page = (
                await connection.execute(
                    select(*selected)
                    .where(*self._where(), CONTACTS.c.id > last)
                    .order_by(CONTACTS.c.id)
                    .limit(PAGE_ROWS)
                )
            ).all()
            if not page:
                return
            cells = [[_cell(name, value) for name, value in zip(self.columns, row[1:], strict=True)] for row in page]
            yield _lines(cells)
            last = page[-1][0]

    async def response(self) -> StreamingResponse:
        """The CSV file as an answer; the snapshot ends when it is sent, or when the client goes."""
        count = await self.open()
        headers = {
            "Content-Disposition": f'attachment; filename="{file_name(self.account_id)}"',
            EXPORT_ROWS_HEADER: str(count),
            "Cache-Control": "no-store",
        }
        return SnapshotResponse(self, headers=headers)


class SnapshotResponse(StreamingResponse):
    """A streamed export that ends its snapshot however the answer ends: sent, cut, or never started."""

    def __init__(self, export: ContactExport, headers: dict[str, str]) -> None:
        super().__init__(export.chunks(), media_type="text/csv; charset=utf-8", headers=headers)
        self.export = export

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.export.close()
