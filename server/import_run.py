"""One import of a CSV file: its rows read and checked in a thread, written in batches, counted in a report.

Chatwoot imports in a background job and answers at once, before any row is read. Here the request answers when
the work is done, so what it answers can say what happened: asked for it (`IMPORT_REPORT_EXTENSION`), progress
lines while the rows are written and the report last (`progress_lines`); otherwise Chatwoot's empty 200, later.
Once begun, an import runs to its end even if the client goes away, as Chatwoot's job would.

With the extensions on, each written batch is announced to the account's agents as `contacts.imported`
(at most once a second, and once at the end), so open lists read their page again; Chatwoot's import sends no
event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from server.auth import Caller
from server.contact_import import ImportRow, Layout, RowReader
from server.contract import UserPush
from server.import_writer import write_batch
from server.models import now
from server.runtime import ServerRuntime

log = logging.getLogger(__name__)
BATCH_ROWS = 2_000  # rows per transaction: SQLite's write lock is held ~0.2 s a batch
REPORTED_ROWS = 1_000  # rejected rows the report lists (all are counted)
ANNOUNCE_EVERY = 1.0  # seconds between `contacts.imported` events
IMPORTED_EVENT = "contacts.imported"
_running: set[asyncio.Task[Any]] = set()  # imports whose client went away: kept until they end


@dataclass(kw_only=True, slots=True)
class ImportReport:
    """What an import did so far: rows read, contacts added, rows rejected (the first `REPORTED_ROWS` with why)."""

    total: int
    read: int = 0
    imported: int = 0
    rejected: int = 0
    rejected_rows: list[dict[str, Any]] = field(default_factory=list)

    def take(self, rows: list[ImportRow], added: int) -> None:
        self.read += len(rows)
        self.imported += added
        for row in rows:
            if row.rejected:
                self.rejected += 1
                if len(self.rejected_rows) < REPORTED_ROWS:
                    self.rejected_rows.append(row.json())

    def progress(self) -> dict[str, int]:
        return {"rows": self.read, "total": self.total, "imported": self.imported, "rejected": self.rejected}

    def json(self) -> dict[str, Any]:
        return {
            "total_rows": self.total,
            "imported": self.imported,
            "rejected": self.rejected,
            "rejected_rows": self.rejected_rows,
            "rejected_rows_truncated": self.rejected > len(self.rejected_rows),
        }


class ImportRun:
    """An import of one checked file into the caller's account."""

    def __init__(
        self,
        runtime: ServerRuntime,
        caller: Caller,
        file: IO[bytes],
        layout: Layout,
        definitions: Mapping[str, Mapping[str, Any]],
    ) -> None:
        self.runtime = runtime
        self.caller = caller
        self.file = file
        self.layout = layout
        self.definitions = definitions
        self.report = ImportReport(total=layout.rows)
        self._announced_at = 0.0
        self._unannounced = 0

    async def run(self, progress: Callable[[ImportReport], None] | None = None) -> ImportReport:
        """Import every row; `progress(report)` after each batch. The file is closed at the end.

        The next batch is read and checked (in a thread) while this one is written: checking is Python's work,
        writing mostly the database's, so on two cores they overlap.
        """
        reader = RowReader(self.file, self.layout, self.definitions)
        reading = asyncio.ensure_future(asyncio.to_thread(reader.next_rows, BATCH_ROWS))
        try:
            while rows := await reading:
                reading = asyncio.ensure_future(asyncio.to_thread(reader.next_rows, BATCH_ROWS))
                fresh = [row for row in rows if not row.rejected]
                added = (
                    await write_batch(self.runtime, self.caller.account_id, self.caller.agent.id, now(), fresh)
                    if fresh
                    else 0
                )
                self.report.take(rows, added)
                await self._announce(added, final=False)
                if progress is not None:
                    progress(self.report)
        finally:
            with contextlib.suppress(Exception):
                await reading  # the thread reading ahead is done with the file before it closes
            reader.close()
            self.file.close()
            await self._announce(0, final=True)
        return self.report

    async def _announce(self, added: int, *, final: bool) -> None:
        self._unannounced += added
        moment = time.monotonic()
        if not self.runtime.extensions or not self._unannounced:
            return
        if not final and moment - self._announced_at < ANNOUNCE_EVERY:
            return
        data = {
            "account_id": self.caller.account_id,
            "imported": self._unannounced,
            "performer": UserPush.model_validate(self.caller.agent).model_dump(),
        }
        self._announced_at, self._unannounced = moment, 0
        await self.runtime.bus.publish(self.caller.account_id, IMPORTED_EVENT, data)


def _line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


async def progress_lines(run: ImportRun) -> AsyncIterator[bytes]:
    """`{"progress": {...}}` lines as batches are written, then `{"payload": report}` (or, if the import broke off,
    `{"error": ..., "payload": what it did}`). The import goes on if the client stops reading."""
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    task = asyncio.create_task(run.run(lambda report: queue.put_nowait({"progress": report.progress()})))
    _running.add(task)

    def finished(done: asyncio.Task[ImportReport]) -> None:
        _running.discard(done)
        queue.put_nowait(None)
        if not done.cancelled() and done.exception() is not None:
            log.error(
                "An import broke off after %d of %d rows", run.report.read, run.report.total, exc_info=done.exception()
            )

    task.add_done_callback(finished)
    yield _line({"progress": run.report.progress()})
    while (message := await queue.get()) is not None:
        yield _line(message)
    if task.cancelled() or task.exception() is not None:
        yield _line({"error": "The import broke off; the rows reported were written", "payload": run.report.json()})
    else:
        yield _line({"payload": task.result().json()})
