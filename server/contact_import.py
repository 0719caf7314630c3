"""Contacts from a CSV file, as Chatwoot's `POST /contacts/import` takes them: its shape checked whole, then each row
checked on its own.

The file is read twice. First whole, for its shape (`read_layout`): a file that is not UTF-8, that the CSV reader
cannot read (an unclosed quote), without a header, with a column twice or too many rows or columns is refused
before anything is written (`ImportRefused`). Then row by row (`RowReader`): each row becomes a contact's fields or
a rejection with its reasons: the rules of `api.validation` (the server's, as for a create), nothing to tell the
contact by, more values than columns, or an email, phone number or identifier an earlier row of the file has.
Whether another contact of the account has one is asked when the row is written (server.import_writer).

Columns as Chatwoot's `DataImport::ContactManager` reads them: `name`, `email`, `phone_number`, `identifier`;
`company` or `company_name` and `city` into `additional_attributes`; a phone number without its `+` gets one.
Besides: `E-mail` and `Phone`, as spreadsheets name them; `blocked`; `additional_attributes` /
`custom_attributes` holding a JSON object (what an export writes), merged under the named columns. `id` and the
times (an export's) are not imported: a new contact gets its own. Every other column is a custom attribute of
that name, checked against the account's definition if it has one. A column without a name is left out. Named
columns match whatever their case or spacing ("Phone Number"); a custom attribute keeps its column's name.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import IO, Any

from api.error_codes import ErrorCode
from api.validation import (
    ATTRIBUTE_FIELDS,
    CHATWOOT_PHONE,
    ContactInvalid,
    FieldProblem,
    chatwoot_phone,
    check_contact_changes,
    check_stored_attributes,
    typed_phone,
)

MAX_ROWS = 1_000_000
MAX_COLUMNS = 120
UNIQUE_FIELDS = ("email", "phone_number", "identifier")
DELIMITERS = (",", ";", "\t")
# A cell an export starts with an apostrophe, so that a spreadsheet does not run it as a formula (server.
# contact_export): the apostrophe is taken off again here.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BARE_PHONE = re.compile(r"[0-9][0-9 ().\-]*")
_TRUE_WORDS = frozenset({"true", "yes", "1"})
_FALSE_WORDS = frozenset({"false", "no", "0"})


class ColumnKind(Enum):
    FIELD = "field"  # name, email, phone_number, identifier
    ADDITIONAL = "additional"  # a key of additional_attributes
    OBJECT = "object"  # additional_attributes or custom_attributes as a JSON object
    BLOCKED = "blocked"
    CUSTOM = "custom"  # a custom attribute named by the column
    IGNORED = "ignored"


NAMED_COLUMNS: dict[str, tuple[ColumnKind, str]] = {
    "name": (ColumnKind.FIELD, "name"),
    "email": (ColumnKind.FIELD, "email"),
    "e_mail": (ColumnKind.FIELD, "email"),
    "phone_number": (ColumnKind.FIELD, "phone_number"),
    "phone": (ColumnKind.FIELD, "phone_number"),
    "identifier": (ColumnKind.FIELD, "identifier"),
    "company": (ColumnKind.ADDITIONAL, "company_name"),
    "company_name": (ColumnKind.ADDITIONAL, "company_name"),
    "city": (ColumnKind.ADDITIONAL, "city"),
    "additional_attributes": (ColumnKind.OBJECT, "additional_attributes"),
    "custom_attributes": (ColumnKind.OBJECT, "custom_attributes"),
    "blocked": (ColumnKind.BLOCKED, "blocked"),
    **{name: (ColumnKind.IGNORED, name) for name in ("id", "account_id", "created_at", "updated_at")},
    "last_activity_at": (ColumnKind.IGNORED, "last_activity_at"),
}


class ImportRefused(Exception):
    """The file as a whole cannot be imported; nothing was written. `line` and `column` say where, when known."""

    def __init__(self, code: ErrorCode, message: str, *, line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column

    def body(self, *, extended: bool) -> dict[str, Any]:
        """The 422 answer: Chatwoot's `{"error": ...}`; `extended` (the client asked for the import report) adds the
        code and where."""
        body: dict[str, Any] = {"error": self.message}
        if not extended:
            return body
        body["code"] = self.code.value
        if self.line is not None:
            body["line"] = self.line
        if self.column is not None:
            body["column"] = self.column
        return body


@dataclass(frozen=True, kw_only=True, slots=True)
class Column:
    kind: ColumnKind
    key: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Layout:
    """What the file's header says, and how many rows follow it."""

    delimiter: str
    columns: tuple[Column, ...]
    rows: int


def column_of(header: str) -> Column:
    """What a header names: a named column whatever its case and spacing, else a custom attribute (or nothing)."""
    text = header.strip()
    if not text:
        return Column(kind=ColumnKind.IGNORED, key="")
    named = NAMED_COLUMNS.get(re.sub(r"[\s\-]+", "_", text.lower()))
    if named is not None:
        return Column(kind=named[0], key=named[1])
    return Column(kind=ColumnKind.CUSTOM, key=text)


def text_of(file: IO[bytes]) -> io.TextIOWrapper:
    """The file from its start as UTF-8 text (a byte-order mark left out), lines as the CSV reader wants them."""
    file.seek(0)
    return io.TextIOWrapper(file, encoding="utf-8-sig", errors="strict", newline="")


def _delimiter(first_line: str) -> str:
    """The delimiter the header uses most: spreadsheets in many languages write `;`, some tools tabs."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _header(reader: Any) -> tuple[Column, ...]:
    headers = next(reader, None)
    if not headers or all(not header.strip() for header in headers):
        raise ImportRefused(ErrorCode.FILE_NO_HEADER, "The file has no header row naming its columns", line=1)
    if len(headers) > MAX_COLUMNS:
        raise ImportRefused(ErrorCode.FILE_TOO_MANY_COLUMNS, f"The file has more than {MAX_COLUMNS} columns", line=1)
    columns = tuple(column_of(header) for header in headers)
    seen: set[tuple[ColumnKind, str]] = set()
    for header, column in zip(headers, columns, strict=True):
        # company and company_name are one column; so are a custom attribute and its key inside custom_attributes
        name = (column.kind, column.key)
        if column.key and name in seen:
            raise ImportRefused(
                ErrorCode.FILE_DUPLICATE_COLUMN, f"The column {header.strip()} appears twice", line=1, column=header
            )
        seen.add(name)
    return columns


def read_layout(file: IO[bytes]) -> Layout:
    """Read the whole file for its shape: its header, delimiter and number of (non-blank) rows.

    Raises `ImportRefused` for a file that cannot be imported at all.
    """
    text = text_of(file)
    try:
        first_line = text.readline()
        text.seek(0)
        delimiter = _delimiter(first_line)
        reader = csv.reader(text, delimiter=delimiter, strict=True)
        columns = _header(reader)
        rows = 0
        for values in reader:
            if any(value.strip() for value in values):
                rows += 1
                if rows > MAX_ROWS:
                    raise ImportRefused(
                        ErrorCode.FILE_TOO_MANY_ROWS, f"The file has more than {MAX_ROWS} rows", line=reader.line_num
                    )
    except UnicodeDecodeError as error:
        raise ImportRefused(ErrorCode.FILE_NOT_UTF8, "The file is not UTF-8 text; save it as CSV UTF-8") from error
    except csv.Error as error:
        raise ImportRefused(
            ErrorCode.FILE_UNREADABLE,
            f"The file is not readable as CSV near line {reader.line_num}: {error}",
            line=reader.line_num,
        ) from error
    finally:
        text.detach()
    return Layout(delimiter=delimiter, columns=columns, rows=rows)


@dataclass(frozen=True, kw_only=True, slots=True)
class RowProblem:
    """One reason a row was not imported: a rule code (`ERRORS.<code>`), Chatwoot's words for it, the field, and the
    contact that has the value (TAKEN) or the line of the earlier row that has it (DUPLICATE_IN_FILE)."""

    field: str
    code: ErrorCode
    message: str
    contact_id: int | None = None
    line: int | None = None

    @classmethod
    def of(cls, problem: FieldProblem) -> RowProblem:
        return cls(field=problem.field, code=problem.code, message=problem.message)

    def json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"field": self.field, "code": self.code.value, "message": self.message}
        if self.contact_id is not None:
            body["contact_id"] = self.contact_id
        if self.line is not None:
            body["line"] = self.line
        return body


@dataclass(kw_only=True, slots=True)
class ImportRow:
    """A row of the file: where it starts, and the contact's checked fields or why it was not imported."""

    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(self.problems)

    def unique_values(self) -> Iterator[tuple[str, str]]:
        for name in UNIQUE_FIELDS:
            value = self.fields.get(name)
            if value is not None:
                yield name, value

    def json(self) -> dict[str, Any]:
        return {"line": self.line, "errors": [problem.json() for problem in self.problems]}


def _cell(value: str) -> str:
    """A cell's text, without the apostrophe an export put before what a spreadsheet would run as a formula."""
    text = value.strip()
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def _phone(value: str) -> str:
    """As Chatwoot's import: digits without `+` get one; then what people type around digits is dropped. A number
    already in E.164's form is taken as the server's rule takes it (a create's), without asking libphonenumber."""
    if CHATWOOT_PHONE.fullmatch(value):
        return value
    international = value.startswith("00") or not _BARE_PHONE.fullmatch(value)  # 00 is read as + (typed_phone)
    return typed_phone(value if international else f"+{value}")


def _flag(value: str) -> bool | str:
    """A yes/no cell as a boolean; anything else stays text, for the rules to refuse."""
    word = value.lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return value


def _json_object(value: str) -> Any:
    """A JSON cell's object; anything else as it is, for the rules to refuse (they want an object)."""
    try:
        return json.loads(value)
    except ValueError:
        return value


class RowReader:
    """The rows of a file whose layout was read, each checked on its own (`next_rows`), in the file's order.

    Remembers the email, phone number and identifier of every row it let through, so a later row with one of
    them is rejected as a duplicate within the file.
    """

    def __init__(self, file: IO[bytes], layout: Layout, definitions: Mapping[str, Mapping[str, Any]]) -> None:
        self.layout = layout
        self.definitions = definitions
        self._text = text_of(file)
        self._reader = csv.reader(self._text, delimiter=layout.delimiter, strict=True)
        next(self._reader)  # the header, read by read_layout
        self._seen: dict[tuple[str, str], int] = {}

    def close(self) -> None:
        self._text.detach()

    def next_rows(self, limit: int) -> list[ImportRow]:
        """Up to `limit` more rows (blank ones skipped), checked; empty at the end of the file."""
        rows: list[ImportRow] = []
        line = self._reader.line_num + 1
        for values in self._reader:
            if any(value.strip() for value in values):
                rows.append(self._checked(line, values))
                if len(rows) == limit:
                    break
            line = self._reader.line_num + 1
        return rows

    def _checked(self, line: int, values: list[str]) -> ImportRow:
        row = ImportRow(line=line)
        columns = self.layout.columns
        if any(value.strip() for value in values[len(columns) :]):
            message = f"Has more values than the {len(columns)} columns"
            row.problems.append(RowProblem(field="", code=ErrorCode.EXTRA_VALUES, message=message))
            return row
        raw = self._raw(values)
        try:
            clean = check_contact_changes(raw, self.definitions, phone_rule=chatwoot_phone)
            check_stored_attributes({name: clean.get(name) or {} for name in ATTRIBUTE_FIELDS})
        except ContactInvalid as invalid:
            row.problems.extend(RowProblem.of(problem) for problem in invalid.problems)
            return row
        if not any(clean.get(name) for name in ("name", *UNIQUE_FIELDS)):
            message = "Has no name, email, phone number or identifier"
            row.problems.append(RowProblem(field="", code=ErrorCode.EMPTY_ROW, message=message))
            return row
        row.fields = clean
        self._check_repeats(row)
        return row

    def _raw(self, values: list[str]) -> dict[str, Any]:
        """The row as a create's body, before the rules: empty cells left out, named columns over JSON ones."""
        raw: dict[str, Any] = {}
        objects: dict[str, Any] = {}
        named: dict[str, dict[str, Any]] = {name: {} for name in ATTRIBUTE_FIELDS}
        for column, value in zip(self.layout.columns, values, strict=False):
            text = _cell(value)
            if not text or column.kind is ColumnKind.IGNORED:
                continue
            if column.kind is ColumnKind.FIELD:
                raw[column.key] = _phone(text) if column.key == "phone_number" else text
            elif column.kind is ColumnKind.BLOCKED:
                raw["blocked"] = _flag(text)
            elif column.kind is ColumnKind.OBJECT:
                objects[column.key] = _json_object(text)
            elif column.kind is ColumnKind.ADDITIONAL:
                named["additional_attributes"][column.key] = text
            else:
                checkbox = self.definitions.get(column.key, {}).get("attribute_display_type") == "checkbox"
                named["custom_attributes"][column.key] = _flag(text) if checkbox else text
        for name in ATTRIBUTE_FIELDS:
            found = objects.get(name, {})
            if not isinstance(found, dict):
                raw[name] = found  # not an object: the rules say so
            elif found or named[name]:
                raw[name] = {**found, **named[name]}
        return raw

    def _check_repeats(self, row: ImportRow) -> None:
        for name, value in row.unique_values():
            earlier = self._seen.get((name, value))
            if earlier is not None:
                label = name.replace("_", " ").capitalize()
                message = f"{label} is also in line {earlier} of the file"
                repeat = RowProblem(field=name, code=ErrorCode.DUPLICATE_IN_FILE, message=message, line=earlier)
                row.problems.append(repeat)
        if row.rejected:
            row.fields = {}
            return
        for name, value in row.unique_values():
            self._seen[(name, value)] = row.line
