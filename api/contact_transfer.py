"""Contacts in and out as CSV files through the contacts API: Chatwoot's `POST /contacts/import` and
`/contacts/export`, and the embedded server's answers beyond them.

Import: the file is sent as Chatwoot's multipart `import_file`, streamed, so what has been sent can be told; the
request asks for the embedded server's progress lines and report (`IMPORT_REPORT_EXTENSION`). Chatwoot answers an
empty 200 before it reads the file (a background job mails the administrators): then there is no report.

Export: the embedded server streams the CSV itself (`GET /contacts/export`, announced as `EXPORT_EXTENSION`),
counting its rows in a header; Chatwoot's `POST /contacts/export` only queues a job that mails a link.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

import httpx

from api.client import ChatwootClient
from api.error_codes import ErrorCode
from api.errors import ApiError, OutcomeUnknown, ValidationFailed
from api.models import ContractModel
from api.protocol import (
    EXPORT_COLUMNS,
    EXPORT_EXTENSION,
    EXPORT_ROWS_HEADER,
    EXTENSIONS_HEADER,
    IMPORT_MEDIA_TYPE,
    IMPORT_REPORT_EXTENSION,
)

IMPORT_READ_TIMEOUT = 120.0  # seconds without a progress line (the server reads the whole file before the first)
EXPORT_READ_TIMEOUT = 60.0


class RowError(ContractModel):
    """One reason a row was not imported: the field, a rule code (`ERRORS.<code>`), the server's words, the
    contact already having the value (TAKEN) or the line of the earlier row having it (DUPLICATE_IN_FILE)."""

    field: str = ""
    code: str = ""
    message: str = ""
    contact_id: int | None = None
    line: int | None = None


class RejectedRow(ContractModel):
    line: int
    errors: list[RowError] = []


class ImportReport(ContractModel):
    """What an import did: rows in the file, contacts added, rows rejected (the first ones listed, with why)."""

    total_rows: int
    imported: int
    rejected: int
    rejected_rows: list[RejectedRow] = []
    rejected_rows_truncated: bool = False


@dataclass(kw_only=True, slots=True)
class ImportProgress:
    """How far an import is: bytes of the file sent, rows the server has read (once it says how many there are)."""

    sent: int = 0
    size: int = 0
    rows: int = 0
    total_rows: int | None = None
    imported: int = 0
    rejected: int = 0


class ImportRefused(ApiError):
    """The file as a whole was refused (422, or 413 for its size); nothing was imported. `code` is the server's
    (`ERRORS.<code>`) when it said one, `line` where the file broke."""

    def __init__(self, message: str, status: int, code: ErrorCode | None, line: int | None = None) -> None:
        super().__init__(message, status)
        self.code = code
        self.line = line


class ImportBrokeOff(OutcomeUnknown):
    """The import stopped before its end: `report` counts what was written (None: the answer was cut, so
    whatever was read before it, some rows may have been written)."""

    def __init__(self, message: str, report: ImportReport | None) -> None:
        super().__init__(message)
        self.report = report


def _code(value: object) -> ErrorCode | None:
    try:
        return ErrorCode(str(value))
    except ValueError:
        return None


@dataclass(kw_only=True, slots=True)
class _Multipart:
    """A multipart body of one file part, `import_file`, streamed from `chunks`; `sent` bytes counted as they go."""

    chunks: AsyncIterable[bytes]
    size: int
    on_sent: Callable[[int], None]
    boundary: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def head(self) -> bytes:
        return (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="import_file"; filename="contacts.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()

    @property
    def tail(self) -> bytes:
        return f"\r\n--{self.boundary}--\r\n".encode()

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": f"multipart/form-data; boundary={self.boundary}",
            "Content-Length": str(len(self.head) + self.size + len(self.tail)),
        }

    async def body(self) -> AsyncIterator[bytes]:
        yield self.head
        sent = 0
        async for chunk in self.chunks:
            sent += len(chunk)
            yield chunk
            self.on_sent(sent)
        yield self.tail


def _refused(error: ApiError) -> ImportRefused:
    if isinstance(error, ValidationFailed):
        body = error.body
        line = body.get("line")
        return ImportRefused(error.message, 422, _code(body.get("code")), line if isinstance(line, int) else None)
    return ImportRefused(error.message, error.status or 413, ErrorCode.FILE_TOO_BIG)


async def import_contacts(
    client: ChatwootClient,
    chunks: AsyncIterable[bytes],
    size: int,
    on_progress: Callable[[ImportProgress], None],
) -> ImportReport | None:
    """Send a CSV file of `size` bytes for import; `on_progress` as it is sent and as the server writes its rows.

    Returns the server's report, or None when it took the file without one (Chatwoot imports in the background).
    Raises `ImportRefused` (nothing imported), `ImportBrokeOff` (stopped midway), `api.errors` otherwise.
    """
    progress = ImportProgress(size=size)

    def sent(count: int) -> None:
        progress.sent = count
        on_progress(progress)

    multipart = _Multipart(chunks=chunks, size=size, on_sent=sent)
    headers = {**multipart.headers, EXTENSIONS_HEADER: IMPORT_REPORT_EXTENSION}
    try:
        async with client.streaming(
            "POST", "/contacts/import", content=multipart.body(), headers=headers, read_timeout=IMPORT_READ_TIMEOUT
        ) as response:
            if not response.headers.get("content-type", "").startswith(IMPORT_MEDIA_TYPE):
                await response.aread()
                return None
            return await _read_report(response, progress, on_progress)
    except ValidationFailed as error:
        raise _refused(error) from error
    except ApiError as error:
        if error.status == 413:
            raise _refused(error) from error
        raise


async def _read_report(
    response: httpx.Response, progress: ImportProgress, on_progress: Callable[[ImportProgress], None]
) -> ImportReport:
    last: ImportReport | None = None
    try:
        async for line in response.aiter_lines():
            if not line.strip():
                continue
            message = json.loads(line)
            if "progress" in message:
                step = message["progress"]
                progress.rows, progress.total_rows = int(step["rows"]), int(step["total"])
                progress.imported, progress.rejected = int(step["imported"]), int(step["rejected"])
                on_progress(progress)
            elif "error" in message:
                raise ImportBrokeOff(str(message["error"]), ImportReport.model_validate(message.get("payload")))
            elif "payload" in message:
                last = ImportReport.model_validate(message["payload"])
    except httpx.HTTPError as error:
        raise ImportBrokeOff(f"{type(error).__name__}: {error}", None) from error
    if last is None:
        raise ImportBrokeOff("The answer ended before the report", None)
    return last


@dataclass(kw_only=True, slots=True)
class ExportStream:
    """An export as it arrives: the rows the server counted (None: not said), its file name, its bytes."""

    rows: int | None
    content_disposition: str | None
    chunks: AsyncIterator[bytes]


def exports_streamed(client: ChatwootClient) -> bool:
    """Whether the server streams the file itself (the embedded server), rather than mailing a link (Chatwoot)."""
    return EXPORT_EXTENSION in client.extensions


@contextlib.asynccontextmanager
async def export_contacts(
    client: ChatwootClient, columns: Sequence[str] = EXPORT_COLUMNS
) -> AsyncIterator[ExportStream]:
    """The account's contacts as a CSV file, read as the server sends it (`exports_streamed` servers only)."""
    params = {"column_names[]": list(columns)}
    headers = {"Accept-Encoding": "identity"}  # read as it comes; nothing to gain from compressing over loopback
    async with client.streaming(
        "GET", "/contacts/export", params=params, headers=headers, read_timeout=EXPORT_READ_TIMEOUT
    ) as response:
        counted = response.headers.get(EXPORT_ROWS_HEADER, "")
        yield ExportStream(
            rows=int(counted) if counted.isdigit() else None,
            content_disposition=response.headers.get("content-disposition"),
            chunks=response.aiter_bytes(),
        )


async def request_export(client: ChatwootClient, columns: Sequence[str] = EXPORT_COLUMNS) -> None:
    """Chatwoot's export: it prepares the file in the background and mails the agent a link to it."""
    async with client.streaming("POST", "/contacts/export", json={"column_names": list(columns)}):
        pass  # Chatwoot answers an empty 200; nothing to read
