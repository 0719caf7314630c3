"""Benchmark 8, CSV import and export: 100,000 contacts imported and 1,000,000 exported through the embedded API
(`python -m server`), in rows per second, with the server's peak memory.

Import: a generated file of new contacts (names, unique emails and phones, company, city, a plan), posted as
Chatwoot's multipart `import_file` with the report asked for, read to its last line; on SQLite and PostgreSQL.
Baseline: the same rows through the seed's bulk loader in this process (server/seed/writer.py `load_contacts`:
no checks, no trail, SQLite's indexes rebuilt after), what loading them costs with nothing checked.

Export: the cached scale database of 1,000,000 contacts (bench/databases.py), `GET /contacts/export` with every
column, read to the end. Baseline: the same rows selected and written as CSV by sqlite3 in this process.

Memory: the server's peak resident memory (`VmHWM`), against what it held once started: an export streams, so
its peak should not grow with the rows. CPU: the server process's user + system time for the work (on PostgreSQL
without the database's own), which a shared machine's load changes less than the wall-clock time.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from api.protocol import EXPORT_COLUMNS, EXTENSIONS_HEADER, IMPORT_REPORT_EXTENSION
from bench.bulk_contacts import BULK_COLUMNS, bulk_phone
from bench.databases import cached_scale_database, prepare_database, scratch_directory
from bench.processes import api_server, cpu_ms, peak_kib
from bench.report import BenchResult, ratio
from server.db import create_engine, sessions
from server.seed.demo_data import COMPANIES, PLANS, REGIONS
from server.seed.writer import load_contacts
from tests.support.databases import create_postgres_database, drop_postgres_database, postgres_available
from tests.support.processes import RunningServer, sqlite_url

NAME = "contact_transfer"
TITLE = "Import/export"
ACCOUNT = "/api/v1/accounts/1"
IMPORT_ROWS = 100_000
EXPORT_ROWS = 1_000_000
SEED = 20_261_207


def import_rows(count: int) -> list[dict[str, Any]]:
    """`count` new contacts as an import file's rows (name, email, phone_number, company, city, plan)."""
    rng = random.Random(SEED)
    rows = []
    for number in range(1, count + 1):
        region = rng.choice(REGIONS)
        rows.append(
            {
                "name": region.full_name(rng.choice(region.first_names), rng.choice(region.last_names)),
                "email": f"import-{number}@import.example",
                "phone_number": bulk_phone(number) or "",
                "company": rng.choice(COMPANIES)[0],
                "city": rng.choice(region.cities),
                "plan": rng.choice(PLANS) if number % 2 else "",
            }
        )
    return rows


def import_file(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def _post_import(server: RunningServer, data: bytes) -> dict[str, Any]:
    """Post the file, read the progress lines to the report; seconds, the report, the server's memory."""
    started_kib, started_cpu = peak_kib(server.pid), cpu_ms(server.pid)
    headers = {**server.admin.headers, EXTENSIONS_HEADER: IMPORT_REPORT_EXTENSION}
    files = {"import_file": ("contacts.csv", data, "text/csv")}
    started = time.perf_counter()
    first_line: float | None = None
    last: dict[str, Any] = {}
    with (
        httpx.Client(base_url=server.url, timeout=600) as client,
        client.stream("POST", f"{ACCOUNT}/contacts/import", files=files, headers=headers) as answer,
    ):
        answer.raise_for_status()
        for line in answer.iter_lines():
            if first_line is None:
                first_line = time.perf_counter() - started
            last = json.loads(line)
    seconds = time.perf_counter() - started
    report = last.get("payload") or {}
    if report.get("imported") != report.get("total_rows"):
        raise RuntimeError(f"the import did not take every row: {last}")
    return {
        "seconds": seconds,
        "first_progress_s": first_line,
        "rows_per_s": report["imported"] / seconds,
        "imported": report["imported"],
        "server_kib_started": started_kib,
        "server_kib_peak": peak_kib(server.pid),
        "server_cpu_s": (cpu_ms(server.pid) - started_cpu) / 1000,
    }


async def _bulk_load(url: str, rows: list[dict[str, Any]]) -> float:
    """The rows through the seed's bulk loader; seconds."""
    now = int(time.time())

    def tuples(offset: int, size: int) -> list[tuple[Any, ...]]:
        return [
            (
                1,
                row["name"],
                row["email"],
                row["phone_number"] or None,
                None,
                "",
                False,
                json.dumps({"company_name": row["company"], "city": row["city"]}),
                json.dumps({"plan": row["plan"]} if row["plan"] else {}),
                None,
                now,
                now,
                1,
            )
            for row in rows[offset : offset + size]
        ]

    engine = create_engine(url)
    try:
        started = time.perf_counter()
        await load_contacts(sessions(engine), BULK_COLUMNS, tuples, len(rows))
        return time.perf_counter() - started
    finally:
        await engine.dispose()


def _measure_import(database: str, rows: list[dict[str, Any]], data: bytes) -> dict[str, Any]:
    with scratch_directory(f"{NAME}-{database.lower()}") as directory:
        urls = (
            [sqlite_url(directory / "import.db"), sqlite_url(directory / "baseline.db")]
            if database == "SQLite"
            else [create_postgres_database("bench"), create_postgres_database("bench")]
        )
        try:
            for url in urls:
                asyncio.run(prepare_database(url))
            server = api_server(f"{NAME}-import-{database.lower()}", urls[0])
            try:
                server.start()
                figures = _post_import(server, data)
            finally:
                server.stop()
            figures["baseline_s"] = asyncio.run(_bulk_load(urls[1], rows))
        finally:
            if database == "PostgreSQL":
                for url in urls:
                    drop_postgres_database(url)
    figures["baseline_rows_per_s"] = len(rows) / figures["baseline_s"]
    print(
        f"  {database}: imported {figures['imported']:,} rows in {figures['seconds']:.1f} s "
        f"({figures['rows_per_s']:,.0f} rows/s; bulk loader {figures['baseline_s']:.1f} s), "
        f"server CPU {figures['server_cpu_s']:.1f} s, peak {_mib(figures['server_kib_peak'])}",
        flush=True,
    )
    return figures


def _sqlite_baseline(path: Path, size: int) -> float:
    """Seconds to select the export's rows of account 1 and write them as CSV, by sqlite3 in this process."""
    sink = io.StringIO()
    started = time.perf_counter()
    with sqlite3.connect(path) as connection:
        cursor = connection.execute(
            f"SELECT {', '.join(EXPORT_COLUMNS)} FROM contacts WHERE account_id = 1 ORDER BY id"
        )
        writer = csv.writer(sink)
        while batch := cursor.fetchmany(2_000):
            writer.writerows(batch)
            sink.seek(0)
            sink.truncate()
    return time.perf_counter() - started


def _measure_export(size: int) -> dict[str, Any]:
    path, generated = cached_scale_database(size)
    if generated is not None:
        print(f"  generated {size:,} contacts in {generated:.0f} s (cached)", flush=True)
    server = api_server(f"{NAME}-export", sqlite_url(path))
    try:
        server.start()
        started_kib, started_cpu = peak_kib(server.pid), cpu_ms(server.pid)
        rows = 0
        size_bytes = 0
        started = time.perf_counter()
        with (
            httpx.Client(base_url=server.url, headers=server.admin.headers, timeout=600) as client,
            client.stream(
                "GET", f"{ACCOUNT}/contacts/export", params={"column_names[]": list(EXPORT_COLUMNS)}
            ) as answer,
        ):
            answer.raise_for_status()
            expected = int(answer.headers["X-Contacts-Export-Rows"])
            for chunk in answer.iter_bytes():
                size_bytes += len(chunk)
                rows += chunk.count(b"\n")  # the generated values hold no line breaks
        seconds = time.perf_counter() - started
        peak, spent_cpu = peak_kib(server.pid), (cpu_ms(server.pid) - started_cpu) / 1000
    finally:
        server.stop()
    rows -= 1  # the header
    if rows != expected:
        raise RuntimeError(f"the export sent {rows:,} rows of {expected:,}")
    baseline = _sqlite_baseline(path, size)
    figures = {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "mib": size_bytes / 2**20,
        "server_kib_started": started_kib,
        "server_kib_peak": peak,
        "server_cpu_s": spent_cpu,
        "baseline_s": baseline,
        "baseline_rows_per_s": rows / baseline,
    }
    print(
        f"  SQLite: exported {rows:,} rows ({figures['mib']:.0f} MiB) in {seconds:.1f} s ({figures['rows_per_s']:,.0f}"
        f" rows/s; sqlite3 alone {baseline:.1f} s), server peak {_mib(peak)} (started at {_mib(started_kib)})",
        flush=True,
    )
    return figures


def run(quick: bool = False) -> BenchResult:
    import_count = 10_000 if quick else IMPORT_ROWS
    export_count = 100_000 if quick else EXPORT_ROWS
    databases = ["SQLite", *(["PostgreSQL"] if postgres_available() else [])]
    result = BenchResult(
        name=NAME,
        title=TITLE,
        parameters={
            "import_rows": import_count,
            "export_contacts": export_count,
            "export_columns": list(EXPORT_COLUMNS),
            "databases": databases,
            "client": "one (httpx), the file posted whole, the answer read as it streams",
        },
    )
    rows = import_rows(import_count)
    data = import_file(rows)
    result.parameters["import_file_mib"] = round(len(data) / 2**20, 1)
    for database in databases:
        got = _measure_import(database, rows, data)
        result.figures[f"import_{database.lower()}"] = got
        result.row(
            f"{database}: import {import_count:,} contacts (CSV, report asked for)",
            f"{got['seconds']:.1f} s, {got['rows_per_s']:,.0f} rows/s, server CPU {got['server_cpu_s']:.1f} s, "
            f"server peak {_mib(got['server_kib_peak'])}",
            f"bulk loader (no checks): {got['baseline_s']:.1f} s",
            ratio(got["seconds"], got["baseline_s"]),
        )
    got = _measure_export(export_count)
    result.figures["export_sqlite"] = got
    result.row(
        f"SQLite: export {export_count:,} contacts ({len(EXPORT_COLUMNS)} columns, streamed)",
        f"{got['seconds']:.1f} s, {got['rows_per_s']:,.0f} rows/s, server CPU {got['server_cpu_s']:.1f} s, "
        f"server peak {_mib(got['server_kib_peak'])} (started {_mib(got['server_kib_started'])})",
        f"sqlite3 SELECT + csv in one process: {got['baseline_s']:.1f} s",
        ratio(got["seconds"], got["baseline_s"]),
    )
    if len(databases) == 1:
        result.note("PostgreSQL was not running: the import was measured on SQLite only")
    return result


if __name__ == "__main__":
    from bench.__main__ import main

    main([NAME, *sys.argv[1:]])
