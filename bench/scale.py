"""Benchmark 5, scale: contact show, list, search and conversations latency at 1,000 to 1,000,000 contacts.

The databases come from the bulk generator (`bench/bulk_contacts.py`) and are cached (SQLite files under
bench/scratch/, PostgreSQL databases named `bench_scale_<size>_<schema>`) keyed by size and schema, so only
the first run pays for generating them. One client, sequential requests against `python -m server` on SQLite
and on PostgreSQL: latency, not load. Search is served by indexes (server/search.py), counts stop at a bound.
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

NAME = "scale"
TITLE = "Scale"
SIZES = (1_000, 10_000, 100_000, 1_000_000)  # the plots (bench/plots.py) draw every step
ACCOUNT = "/api/v1/accounts/1"
COMMON_TERM = "smith"
DEEP_PAGE = 500
PAGE_SIZE = 15  # the contacts list's page, as Chatwoot's (server/routes/contacts.py)
MEASURES = {
    "show": "contact show",
    "conversations": "contact conversations",
    "list": "contacts list, page 1",
    "list_deep": "contacts list, page 500 (the last page where there are fewer)",
    "search_rare": "search, rare term (1 match)",
    "search_common": f"search, common term ({COMMON_TERM!r})",
}


def _timed(client: httpx.Client, path: str, params: dict[str, Any] | None, samples: int) -> dict[str, Any]:
    client.get(path, params=params).raise_for_status()  # warm-up: caches, prepared statements
    latencies = []
    answer: httpx.Response | None = None
    for _ in range(samples):
        started = time.perf_counter()
        answer = client.get(path, params=params)
        latencies.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    figures = distribution(latencies)
    body = answer.json() if answer is not None else {}
    meta = body.get("meta") if isinstance(body, dict) else None
    if isinstance(meta, dict) and "count" in meta:
        figures["matches"] = meta["count"]
    return figures


def deep_page(first_page: dict[str, Any]) -> int:
    """Page 500, or the last page when there are fewer (80 at 1,000 contacts): at 1,000 contacts page 500 is
    empty, and an empty page is no baseline for a deep one. `first_page` holds page 1's `matches` (its count)."""
    count = first_page.get("matches")
    if not isinstance(count, int) or count > DEEP_PAGE * PAGE_SIZE:
        return DEEP_PAGE
    return max(1, -(-count // PAGE_SIZE))


def _database(size: int, database: str) -> tuple[str, float | None, float, int, int]:
    """The cached database of `size` contacts: its URL, generation seconds, MiB, highest contact id, Ada's id."""
    highest_sql = "SELECT max(id) FROM contacts"
    ada_sql = "SELECT id FROM contacts WHERE email = 'ada@example.com'"
    if database == "PostgreSQL":
        url, generated = cached_postgres_scale_database(size)
        mib = int(postgres_scalar(url, "SELECT pg_database_size(current_database())")) / 2**20
        return url, generated, mib, int(postgres_scalar(url, highest_sql)), int(postgres_scalar(url, ada_sql))
    path, generated = cached_scale_database(size)
    with sqlite3.connect(path) as connection:
        highest = connection.execute(highest_sql).fetchone()[0]
        ada = connection.execute(ada_sql).fetchone()[0]
    return sqlite_url(path), generated, path.stat().st_size / 2**20, highest, ada


def _measure_size(size: int, quick: bool, database: str) -> dict[str, Any]:
    url, generated, mib, highest, ada = _database(size, database)
    if generated is not None:
        print(f"  generated {size:,} contacts on {database} in {generated:.0f} s (cached)", flush=True)
    bulk_ids = range(highest - size + 1, highest + 1)
    rng = random.Random(size)
    rare = f"bulk-{rng.choice(bulk_ids)}@load.example"
    fast = 20 if quick else 60
    slow = 3 if quick else (5 if size > 100_000 else 15)
    server = api_server(f"scale-{database.lower()}-{size}", url)
    try:
        server.start()
        figures: dict[str, Any] = {"database_mib": round(mib, 1), "generation_s": generated}
        with httpx.Client(base_url=server.url, headers=server.admin.headers, timeout=120) as client:
            client.get(f"{ACCOUNT}/contacts/{bulk_ids[0]}").raise_for_status()
            latencies = []
            for contact_id in rng.sample(bulk_ids, fast):  # a different contact each time, as agents do
                started = time.perf_counter()
                client.get(f"{ACCOUNT}/contacts/{contact_id}").raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)
            figures["show"] = distribution(latencies)
            figures["conversations"] = _timed(client, f"{ACCOUNT}/contacts/{ada}/conversations", {"page": 1}, fast)
            figures["list"] = _timed(client, f"{ACCOUNT}/contacts", {"page": 1}, slow)
            figures["list_deep"] = _timed(client, f"{ACCOUNT}/contacts", {"page": deep_page(figures["list"])}, slow)
            figures["search_rare"] = _timed(client, f"{ACCOUNT}/contacts/search", {"q": rare}, slow)
            figures["search_common"] = _timed(client, f"{ACCOUNT}/contacts/search", {"q": COMMON_TERM}, slow)
        for key, measure in MEASURES.items():
            got = figures[key]
            extra = f", {got['matches']:,} matches" if "matches" in got and key.startswith("search") else ""
            at = f"{database}, {size:>9,} contacts"
            print(f"  {at}, {measure}: median {ms(got['median'])}, p95 {ms(got['p95'])}{extra}", flush=True)
        return figures
    finally:
        server.stop()


def run(quick: bool = False) -> BenchResult:
    databases = ["SQLite", *(["PostgreSQL"] if postgres_available() else [])]
    result = BenchResult(
        name=NAME,
        title=TITLE,
        parameters={"sizes": list(SIZES), "databases": databases, "client": "one, sequential (httpx)"},
    )
    for database in databases:
        by_size = {size: _measure_size(size, quick, database) for size in SIZES}
        result.figures[database] = {str(size): figures for size, figures in by_size.items()}
        small, large = by_size[SIZES[0]], by_size[SIZES[-1]]
        for key, measure in MEASURES.items():
            a, b = small[key], large[key]
            matches = f" ({b['matches']:,} matches)" if key == "search_common" and "matches" in b else ""
            result.row(
                f"{database}, {measure}: {SIZES[-1]:,} vs {SIZES[0]:,} contacts",
                f"median {ms(b['median'])}, p95 {ms(b['p95'])}{matches}",
                f"median {ms(a['median'])}, p95 {ms(a['p95'])}",
                ratio(b["p95"], a["p95"]),
            )
    if len(databases) == 1:
        result.note("PostgreSQL was not running: measured on SQLite only")
    return result


if __name__ == "__main__":
    from bench.__main__ import main

    main([NAME, *sys.argv[1:]])
