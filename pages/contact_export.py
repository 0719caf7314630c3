"""The export's download: the browser fetches `/contacts/export.csv?ticket=...` from the app, which reads the file
from the API as it streams and passes it on, counting its rows on the ticket the page follows (state.
contact_transfer). The credentials stay on the server; the ticket works once, for the browser signed in as the
agent session that made it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi import Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse
from nicegui import app

from api.client import Credentials
from api.contact_transfer import ExportStream, export_contacts
from api.error_codes import ErrorCode
from api.errors import ApiError
from pages.access import CREDENTIALS_KEY
from state.contact_transfer import EXPORT_DOWNLOAD_PATH, CsvRecords, ExportTicket, redeem
from state.problems import problem_of
from state.session import current_registry


class ClosingStream(StreamingResponse):
    """A streamed answer that runs `close` however it ends: sent, cut off, or never begun."""

    def __init__(self, chunks: AsyncIterator[bytes], close: Callable[[], Awaitable[Any]], **options: Any) -> None:
        super().__init__(chunks, **options)
        self.close = close

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.close()


async def _passed_on(export: ExportStream, ticket: ExportTicket) -> AsyncIterator[bytes]:
    """The file's chunks, its rows counted on the ticket; a cut (the API's side or the browser's) fails it."""
    records = CsvRecords()
    finished = False
    try:
        async for chunk in export.chunks:
            records.feed(chunk)
            ticket.count(max(0, records.lines - 1))  # the header is a line, not a contact
            yield chunk
        finished = True
    finally:
        if finished:
            ticket.update(phase="done")
        else:
            ticket.update(phase="failed", problem=ErrorCode.NETWORK)


def register() -> None:
    @app.get(EXPORT_DOWNLOAD_PATH, include_in_schema=False)
    async def download(request: Request, ticket: str = "") -> Response:
        """The export a page of this browser asked for, streamed through."""
        stored = Credentials.from_stored(app.storage.user.get(CREDENTIALS_KEY))
        session = await current_registry().resume(stored) if stored is not None else None
        taken = redeem(ticket, session) if session is not None else None
        if session is None or taken is None:
            return PlainTextResponse("This download has expired; export again", status_code=404)
        exits = contextlib.AsyncExitStack()
        try:
            export = await exits.enter_async_context(export_contacts(session.client))
        except ApiError as error:
            await exits.aclose()
            taken.update(phase="failed", problem=problem_of(error))
            return PlainTextResponse("The export failed", status_code=502)
        taken.update(phase="running", total=export.rows)
        headers = {"Cache-Control": "no-store"}
        if export.content_disposition:
            headers["Content-Disposition"] = export.content_disposition
        return ClosingStream(
            _passed_on(export, taken), exits.aclose, media_type="text/csv; charset=utf-8", headers=headers
        )
