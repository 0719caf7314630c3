"""An import file's rows as the server reads them, before any database: columns, cells, lines, rules."""

from __future__ import annotations

import csv
import io
import tempfile
from typing import Any

import pytest

from server.contact_import import ColumnKind, ImportRefused, RowReader, column_of, read_layout

DEFINITIONS: dict[str, dict[str, Any]] = {
    "vip": {"attribute_display_type": "checkbox", "attribute_values": [], "regex_pattern": None},
    "seats": {"attribute_display_type": "number", "attribute_values": [], "regex_pattern": None},
}


def rows_of(rows: list[list[str]] | bytes) -> list[Any]:
    if isinstance(rows, bytes):
        data = rows
    else:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        data = buffer.getvalue().encode()
    with tempfile.TemporaryFile() as file:
        file.write(data)
        reader = RowReader(file, read_layout(file), DEFINITIONS)
        try:
            return reader.next_rows(100)
        finally:
            reader.close()


def test_named_columns_match_whatever_their_case_and_spacing() -> None:
    assert column_of(" Phone Number ").key == "phone_number"
    assert column_of("E-mail").key == "email"
    assert (column_of("Company").kind, column_of("Company").key) == (ColumnKind.ADDITIONAL, "company_name")
    assert (column_of("Favourite Colour").kind, column_of("Favourite Colour").key) == (
        ColumnKind.CUSTOM,
        "Favourite Colour",
    )
    assert column_of("id").kind is column_of("  ").kind is ColumnKind.IGNORED


def test_a_quoted_line_break_stays_in_its_row_and_lines_are_where_rows_start() -> None:
    rows = rows_of([["name", "email"], ["Two\nLines", "two@example.com"], ["Bad", "nope"]])
    assert [row.line for row in rows] == [2, 4]
    assert rows[0].fields["name"] == "Two\nLines"
    assert [problem.code.value for problem in rows[1].problems] == ["INVALID_EMAIL"]


def test_cells_come_back_as_an_export_wrote_them() -> None:
    [row] = rows_of(
        [
            ["name", "phone_number", "additional_attributes", "city", "custom_attributes", "vip", "seats", ""],
            [
                "'=SUM(A1)",
                "0044 20 7946 0999",
                '{"city": "Paris", "country": "FR"}',
                "Lyon",
                '{"plan": "pro"}',
                "yes",
                "12",
                "x",
            ],
        ]
    )
    assert row.problems == []
    assert row.fields["name"] == "=SUM(A1)"  # the export's apostrophe taken off
    assert row.fields["phone_number"] == "+442079460999"
    assert row.fields["additional_attributes"] == {"city": "Lyon", "country": "FR"}  # the named column wins
    assert row.fields["custom_attributes"] == {"plan": "pro", "vip": True, "seats": 12}


def test_trailing_empty_values_are_fine_and_a_json_cell_must_hold_an_object() -> None:
    rows = rows_of(b'name,custom_attributes\nTrailing,,,\nList,"[1, 2]"\n')
    assert rows[0].problems == [] and rows[0].fields == {"name": "Trailing"}
    assert [(p.field, p.code.value) for p in rows[1].problems] == [("custom_attributes", "NOT_OBJECT")]


def test_a_checkbox_that_is_not_yes_or_no_is_refused() -> None:
    [row] = rows_of([["name", "vip"], ["Maybe", "perhaps"]])
    assert [(p.field, p.code.value) for p in row.problems] == [("custom_attributes.vip", "INVALID_CHECKBOX")]


def test_semicolons_are_read_when_the_header_has_more_of_them() -> None:
    [row] = rows_of(b"name;email\nSemi;semi@example.com\n")
    assert row.fields == {"name": "Semi", "email": "semi@example.com"}


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        (b"name,email\n\xff\xfe,x\n", "FILE_NOT_UTF8", None),
        (b'name\n"open\n', "FILE_UNREADABLE", 2),
        (b"name,Name\nA,B\n", "FILE_DUPLICATE_COLUMN", 1),
        (b"company,company_name\nA,B\n", "FILE_DUPLICATE_COLUMN", 1),
    ],
)
def test_a_file_that_cannot_be_read_says_why_and_where(data: bytes, code: str, line: int | None) -> None:
    with tempfile.TemporaryFile() as file:
        file.write(data)
        with pytest.raises(ImportRefused) as refused:
            read_layout(file)
    assert (refused.value.code.value, refused.value.line) == (code, line)
