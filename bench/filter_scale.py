"""Benchmark: the contact filter and the labels[] list at 1,000 to 1,000,000 contacts, SQLite and PostgreSQL.

The databases are the scale benchmark's (`bench.databases`: cached under bench/scratch/ and as
`bench_scale_<size>_<schema>` PostgreSQL databases), so only the first run pays for them. One client,
sequential requests against `python -m server`: latency, not load. Every filter has two conditions, one
standard and one custom attribute; the bulk contacts carry `plan` (four values) and `seats` (1 to 200) on
every other contact, and no labels.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx

from bench.databases import cached_postgres_scale_database, cached_scale_database
from bench.processes import api_server
from bench.report import BenchResult, distribution, ms, ratio
from tests.support.databases import postgres_available
from tests.support.processes import sqlite_url

NAME = "filter_scale"
TITLE = "Filter scale"
SIZES = (1_000, 10_000, 100_000, 1_000_000)  # the plots (bench/plots.py) draw every step
ACCOUNT = "/api/v1/accounts/1"


def _condition(key: str, operator: str, values: list[Any], joiner: str | None = None) -> dict[str, Any]:
    return {"attribute_key": key, "filter_operator": operator, "values": values, "query_operator": joiner}


FILTERS: dict[str, list[dict[str, Any]]] = {
    # About 1 contact in 1,600 at scale (Germany and one of 200 seat counts).
    "filter_narrow": [_condition("country_code", "equal_to", ["DE"], "AND"), _condition("seats", "equal_to", [42])],
    # About 1 in 50: past the count's cap at 1,000,000.
    "filter_broad": [_condition("country_code", "equal_to", ["US"], "AND"), _condition("plan", "equal_to", ["pro"])],
}
MEASURES = {
    "filter_narrow": "filter country_code = DE and seats = 42",
    "filter_broad": "filter country_code = US and plan = pro",
    "labels": "contacts list, labels[]=vip",
}
DATABASES = ("sqlite", "postgresql")


def _timed(send: Callable[[], httpx.Response], samples: int) -> dict[str, Any]:
    send().raise_for_status()  # warm-up: caches, prepared statements
    latencies = []
    answer: httpx.Response | None = None
    for _ in range(samples):
        started = time.perf_counter()
        answer = send()
        latencies.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    figures: dict[str, Any] = dict(distribution(latencies))
    meta = answer.json()["meta"] if answer is not None else {}
    figures["matches"] = meta.get("count")
    return figures


def _measure(database: str, size: int, quick: bool) -> dict[str, Any]:
    if database == "sqlite":
        path, generated = cached_scale_database(size)
        url = sqlite_url(path)
    else:
        url, generated = cached_postgres_scale_database(size)
    if generated is not None:
        print(f"  generated {size:,} contacts on {database} in {generated:.0f} s", flush=True)
    samples = 10 if quick else 30
    server = api_server(f"filter-scale-{database}-{size}", url)
    try:
        server.start()
        figures: dict[str, Any] = {"generation_s": generated}
        with httpx.Client(base_url=server.url, headers=server.admin.headers, timeout=120) as client:
            for key, conditions in FILTERS.items():
                send = partial(client.post, f"{ACCOUNT}/contacts/filter", json={"payload": conditions})
                figures[key] = _timed(send, samples)
            figures["labels"] = _timed(partial(client.get, f"{ACCOUNT}/contacts", params={"labels[]": "vip"}), samples)
        for key, measure in MEASURES.items():
            got = figures[key]
            print(
                f"  {database:>10} {size:>9,} contacts, {measure}: median {ms(got['median'])}, "
                f"p95 {ms(got['p95'])}, count {got['matches']:,}",
                flush=True,
            )
        return figures
    finally:
        server.stop()


def run(quick: bool = False) -> BenchResult:
    databases = DATABASES if postgres_available() else DATABASES[:1]
    result = BenchResult(
        name=NAME,
        title=TITLE,
        parameters={"sizes": list(SIZES), "databases": list(databases), "client": "one, sequential (httpx)"},
    )
    for database in databases:
        by_size = {size: _measure(database, size, quick) for size in SIZES}
        result.figures[database] = {str(size): figures for size, figures in by_size.items()}
        small, large = by_size[SIZES[0]], by_size[SIZES[-1]]
        for key, measure in MEASURES.items():
            a, b = small[key], large[key]
            result.row(
                f"{database}, {measure}: {SIZES[-1]:,} vs {SIZES[0]:,} contacts (p95)",
                f"p95 {ms(b['p95'])} (count {b['matches']:,})",
                f"p95 {ms(a['p95'])} (count {a['matches']:,})",
                ratio(b["p95"], a["p95"]),
            )
    if "postgresql" not in databases:
        result.note("PostgreSQL is not running on 127.0.0.1:5432: SQLite only")
    return result


if __name__ == "__main__":
    from bench.__main__ import main

    main([NAME, *sys.argv[1:]])
