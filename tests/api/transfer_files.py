"""CSV files for the import and export tests, and reading what the server answers to them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from api.protocol import EXTENSIONS_HEADER, IMPORT_REPORT_EXTENSION
from tests.api.account_api import AccountApi

REPORT = {EXTENSIONS_HEADER: IMPORT_REPORT_EXTENSION}


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def post_import(api: AccountApi, data: bytes, *, report: bool = True, name: str = "contacts.csv") -> Any:
    """POST the file as `import_file`; the httpx answer."""
    files = {"import_file": (name, data, "text/csv")}
    return api.post("/contacts/import", files=files, headers=REPORT if report else None)


def progress_lines(answer: Any) -> list[dict[str, Any]]:
    """The answer's JSON lines (progress, then the report)."""
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in answer.text.splitlines()]


def imported(api: AccountApi, data: bytes) -> dict[str, Any]:
    """Import the file with the report asked for; the report (asserts it is the last line, progress before it)."""
    lines = progress_lines(post_import(api, data))
    assert all(set(line) == {"progress"} for line in lines[:-1]), lines
    assert set(lines[-1]) == {"payload"}, lines[-1]
    report: dict[str, Any] = lines[-1]["payload"]
    return report


def rejected_by_line(report: dict[str, Any]) -> dict[int, list[tuple[str, str]]]:
    """line -> [(field, code), ...] of each rejected row."""
    return {
        row["line"]: [(error["field"], error["code"]) for error in row["errors"]] for row in report["rejected_rows"]
    }


def exported_rows(answer: Any) -> list[dict[str, str]]:
    """The CSV an export answered, as dicts by column."""
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.text)))


def find_by_email(api: AccountApi, email: str) -> list[dict[str, Any]]:
    """The account's contacts with exactly this email (through the search)."""
    answer = api.get("/contacts/search", params={"q": email})
    assert answer.status_code == 200, answer.text
    return [contact for contact in answer.json()["payload"] if contact["email"] == email]
