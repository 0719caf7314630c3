"""Benchmark: duplicate suggestions (`GET /contacts/{id}/duplicates`) at 1,000 and 1,000,000 contacts, SQLite and
PostgreSQL.

The databases are the scale benchmark's (`bench.databases`, cached), so only the first run pays for them. One
client, sequential requests against `python -m server`: latency, not load, each for a different bulk contact, as
agents open different contacts. Every bulk contact has a company (16 of them: about 62,000 contacts each at a
million) and a name drawn from a few hundred, so every lookup reads its company's names around its own and finds
suggestions (the same name in the same company); its email and phone number are unique, so those two lookups
probe their indexes and find nothing. The plans are checked in tests/api/test_duplicate_indexes.py.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from typing import Any

import httpx

from bench.databases import cached_postgres_scale_database, cached_scale_database, postgres_scalar
from bench.processes import api_server
from bench.report import BenchResult, distribution, ms, ratio
from tests.support.databases import postgres_available
from tests.support.processes import sqlite_url

NAME = "duplicate_scale"
TITLE = "Duplicate scale"
SIZES = (1_000, 1_000_000)
ACCOUNT = "/api/v1/accounts/1"
DATABASES = ("SQLite", "PostgreSQL")
HIGHEST = "SELECT max(id) FROM contacts"


def _database(size: int, database: str) -> tuple[str, float | None, int]:
    """The cached database of `size` bulk contacts: its URL, generation seconds, highest contact id."""
    if database == "PostgreSQL":
        url, generated = cached_postgres_scale_database(size)
        return url, generated, int(postgres_scalar(url, HIGHEST))
    path, generated = cached_scale_database(size)
    with sqlite3.connect(path) as connection:
        highest = int(connection.execute(HIGHEST).fetchone()[0])
    return sqlite_url(path), generated, highest


def _measure(size: int, quick: bool, database: str) -> dict[str, Any]:
    url, generated, highest = _database(size, database)
    if generated is not None:
        print(f"  generated {size:,} contacts on {database} in {generated:.0f} s (cached)", flush=True)
    bulk_ids = range(highest - size + 1, highest + 1)
    samples = 30 if quick else 100
    rng = random.Random(size)
    server = api_server(f"duplicate-scale-{database.lower()}-{size}", url)
    try:
        server.start()
        with httpx.Client(base_url=server.url, headers=server.admin.headers, timeout=120) as client:
            client.get(f"{ACCOUNT}/contacts/{bulk_ids[0]}/duplicates").raise_for_status()  # warm-up
            latencies, found = [], []
            for contact_id in rng.sample(bulk_ids, min(samples, size)):
                started = time.perf_counter()
                answer = client.get(f"{ACCOUNT}/contacts/{contact_id}/duplicates")
                latencies.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
                found.append(len(answer.json()["payload"]))
        figures: dict[str, Any] = {"generation_s": generated, "lookup": distribution(latencies)}
        figures["suggestions_mean"] = round(sum(found) / len(found), 2)
        got = figures["lookup"]
        print(
            f"  {database}, {size:>9,} contacts, duplicate lookup: median {ms(got['median'])}, p95 {ms(got['p95'])},"
            f" {figures['suggestions_mean']} suggestions on average",
            flush=True,
        )
        return figures
    finally:
        server.stop()


def run(quick: bool = False) -> BenchResult:
    databases = [database for database in DATABASES if database == "SQLite" or postgres_available()]
    result = BenchResult(
        name=NAME,
        title=TITLE,
        parameters={"sizes": list(SIZES), "databases": databases, "client": "one, sequential (httpx)"},
    )
    for database in databases:
        by_size = {size: _measure(size, quick, database) for size in SIZES}
        result.figures[database] = {str(size): figures for size, figures in by_size.items()}
        small, large = by_size[SIZES[0]], by_size[SIZES[-1]]
        a, b = small["lookup"], large["lookup"]
        result.row(
            f"{database}, duplicate suggestions of a contact: {SIZES[-1]:,} vs {SIZES[0]:,} contacts",
            f"median {ms(b['median'])}, p95 {ms(b['p95'])} ({large['suggestions_mean']} found on average)",
            f"median {ms(a['median'])}, p95 {ms(a['p95'])} ({small['suggestions_mean']} found on average)",
            ratio(b["p95"], a["p95"]),
        )
    if len(databases) == 1:
        result.note("PostgreSQL was not running: measured on SQLite only")
    return result


if __name__ == "__main__":
    from bench.__main__ import main

    main([NAME, *sys.argv[1:]])
