"""Contacts in and out as CSV files: Chatwoot's `POST /contacts/import` and `/contacts/export`, administrators only.

Mounted before the contacts router, whose `/contacts/{contact_id}` would otherwise take `export` for an id.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from typing import IO, Any

from fastapi import Depends, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from api.error_codes import ErrorCode
from api.protocol import IMPORT_MEDIA_TYPE, IMPORT_REPORT_EXTENSION
from server.auth import Caller, account_caller
from server.contact_export import COLUMNS, DEFAULT_COLUMNS, ContactExport, unknown_columns
from server.contact_import import ImportRefused, read_layout
from server.contact_service import attribute_definitions, label_titles
from server.errors import ApiProblem, account_router
from server.import_run import ImportRun, progress_lines
from server.runtime import ServerRuntime, asked_for, runtime_of

router = account_router("contacts")
# The CSV an export answers, and the import's answers: nothing, or (the extension) progress lines and the report.
CSV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "The contacts as CSV, streamed", "content": {"text/csv": {"schema": {"type": "string"}}}}
}
# Chatwoot's empty 200 (no content type): the extension's progress lines are only for who asks with its header.
IMPORT_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": f"Imported; no body (with the {IMPORT_REPORT_EXTENSION} extension: {IMPORT_MEDIA_TYPE} lines)"}
}
NOT_ALLOWED = "You are not authorized to do this action"
IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"import_file": {"type": "string", "format": "binary"}},
                "required": ["import_file"],
            }
        }
    },
}


def administrator(caller: Caller = Depends(account_caller)) -> Caller:
    """The caller, if an administrator of the account (Chatwoot's policy for import and export)."""
    if not caller.is_administrator:
        raise ApiProblem.unauthorized(NOT_ALLOWED)
    return caller


async def uploaded_file(request: Request) -> IO[bytes]:
    """The form's `import_file`, copied to a file of this import's own (the form's goes with the request)."""
    try:
        async with request.form(max_files=1, max_fields=20) as form:
            upload = form.get("import_file")
            if not isinstance(upload, UploadFile) or not upload.size:
                blank = ImportRefused(ErrorCode.FILE_BLANK, "File is blank")
                raise ApiProblem(422, blank.body(extended=asked_for(request, IMPORT_REPORT_EXTENSION)))
            copy = tempfile.TemporaryFile()  # noqa: SIM115 - the import closes it when done
            try:
                await asyncio.to_thread(shutil.copyfileobj, upload.file, copy)
            except BaseException:
                copy.close()
                raise
    except ClientDisconnect as error:
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from error
    return copy


@router.post(
    "/contacts/import", openapi_extra={"requestBody": IMPORT_BODY}, response_class=Response, responses=IMPORT_ANSWER
)
async def import_contacts(request: Request, caller: Caller = Depends(administrator)) -> Response:
    """Import contacts from a CSV file (multipart `import_file`); Chatwoot answers an empty 200 before reading it.

    Here the answer comes when the rows are written. With `X-Contacts-Extensions: import-report` it is progress
    lines and the report (`application/x-ndjson`, server.import_run). A file that cannot be imported at all is
    422 `{"error", "code", "line"?}` and nothing is written.
    """
    runtime = runtime_of(request)
    file = await uploaded_file(request)
    try:
        layout = await asyncio.to_thread(read_layout, file)
        async with runtime.session() as session:
            definitions = await attribute_definitions(session, caller.account_id)
    except ImportRefused as refused:
        file.close()
        raise ApiProblem(422, refused.body(extended=asked_for(request, IMPORT_REPORT_EXTENSION))) from refused
    except BaseException:
        file.close()
        raise
    run = ImportRun(runtime, caller, file, layout, definitions)
    if asked_for(request, IMPORT_REPORT_EXTENSION):
        lines = progress_lines(run)
        return StreamingResponse(lines, media_type=IMPORT_MEDIA_TYPE, headers={"Cache-Control": "no-store"})
    await run.run()
    return Response(status_code=200)


class ExportRequest(BaseModel):
    """Chatwoot's export parameters: the columns (its defaults when none) and a label to narrow to."""

    model_config = ConfigDict(extra="ignore")

    column_names: list[str] | None = None
    label: str | None = None
    payload: list[Any] | None = None


async def _export(runtime: ServerRuntime, caller: Caller, asked: ExportRequest) -> StreamingResponse:
    if asked.payload:
        raise ApiProblem(422, {"error": "Exporting the contacts of a filter is not supported; export all or a label's"})
    columns = list(dict.fromkeys(asked.column_names or DEFAULT_COLUMNS))
    unknown = unknown_columns(columns)
    if unknown:
        known = ", ".join(COLUMNS)
        raise ApiProblem(422, {"error": f"Unknown columns: {', '.join(unknown)} (known: {known})"})
    titles = label_titles([asked.label]) if asked.label else set()
    if asked.label and not titles:
        raise ApiProblem(422, {"error": "Label is invalid"})
    label = next(iter(titles)) if titles else None
    return await ContactExport(runtime, caller.account_id, columns, label).response()


@router.get("/contacts/export", responses=CSV_ANSWER)
async def export_contacts(request: Request, caller: Caller = Depends(administrator)) -> StreamingResponse:
    """The account's contacts as a CSV file, streamed (extension: Chatwoot has only the POST, which mails a link).

    `column_names[]` (Chatwoot's defaults: id, name, email, phone_number) and `label`. The header
    `X-Contacts-Export-Rows` counts the rows.
    """
    params = request.query_params
    asked = ExportRequest(
        column_names=params.getlist("column_names[]") or params.getlist("column_names") or None,
        label=params.get("label"),
    )
    return await _export(runtime_of(request), caller, asked)


@router.post("/contacts/export", responses=CSV_ANSWER)
async def post_export(request: Request, caller: Caller = Depends(administrator)) -> StreamingResponse:
    """Chatwoot's export: it queues a job that mails a link to the file; here the answer is the file itself."""
    body: Any = {}
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError as error:
            raise ApiProblem(400, {"error": "Malformed JSON"}) from error
    try:
        asked = ExportRequest.model_validate(body if isinstance(body, dict) else {})
    except ValidationError as error:
        raise ApiProblem(422, {"error": "Column names must be a list of texts"}) from error
    return await _export(runtime_of(request), caller, asked)
