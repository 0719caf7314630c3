"""Benchmark 4, API: requests per second and p95 of contact show, update and conversations.

10 concurrent clients (and 50 for updates, whose slowest answer must stay under 2 s) in a separate
load-generator process, against `python -m server` on
SQLite and on a fresh PostgreSQL database, and against a minimal FastAPI endpoint served
by uvicorn in its own process in the same run (the ratio's baseline).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx

from bench.databases import scratch_directory
from bench.processes import api_server, baseline
from bench.report import ROOT, BenchResult, ratio
from tests.support.databases import create_postgres_database, drop_postgres_database, postgres_available
from tests.support.processes import ChildProcess, sqlite_url

NAME = "api"
TITLE = "API"
CONCURRENCY = 10
CROWD = 50  # agents saving at once: no answer may take over 2 s on SQLite
ACCOUNT = "/api/v1/accounts/1"


def load(
    base_url: str,
    method: str,
    paths: list[str],
    *,
    seconds: float,
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    concurrency: int = CONCURRENCY,
) -> dict[str, Any]:
    """Run the load generator in its own process; its JSON answer."""
    plan = {
        "base_url": base_url,
        "headers": headers or {},
        "method": method,
        "paths": paths,
        "body": body,
        "concurrency": concurrency,
        "duration": seconds,
        "warmup": 1.0,
    }
    answer = subprocess.run(
        [sys.executable, "-m", "bench.load_generator", json.dumps(plan)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    )
    figures: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return figures


def _describe(figures: dict[str, Any]) -> str:
    latency = figures["latency_ms"]
    return f"{figures['rps']:,.0f} req/s, p95 {latency.get('p95', 0):.1f} ms"


def _measure_backend(result: BenchResult, label: str, database_url: str, minimal: ChildProcess, seconds: float) -> None:
    server = api_server(f"api-{label.lower()}", database_url)
    try:
        server.start()
        headers = server.admin.headers
        ids = [
            contact["id"]
            for page in range(1, 5)
            for contact in httpx.get(
                f"{server.url}{ACCOUNT}/contacts", params={"page": page}, headers=headers, timeout=30
            ).json()["payload"]
        ]
        found = httpx.get(
            f"{server.url}{ACCOUNT}/contacts/search", params={"q": "ada@example.com"}, headers=headers, timeout=30
        ).json()["payload"]
        ada = found[0]["id"]
        figures: dict[str, Any] = {"baseline": load(minimal.url, "GET", ["/ping"], seconds=seconds)}
        print(f"  {label} baseline: {_describe(figures['baseline'])}", flush=True)
        update = {"name": "Bench {client} {n}", "custom_attributes": {"bench_round": "{n}"}}
        plans = {
            "show": ("GET", [f"{ACCOUNT}/contacts/{cid}" for cid in ids[:CONCURRENCY]], None, CONCURRENCY),
            "conversations": ("GET", [f"{ACCOUNT}/contacts/{ada}/conversations?page=1"], None, CONCURRENCY),
            "update": ("PUT", [f"{ACCOUNT}/contacts/{cid}" for cid in ids[:CONCURRENCY]], update, CONCURRENCY),
            "update_crowd": ("PUT", [f"{ACCOUNT}/contacts/{cid}" for cid in ids[:CROWD]], update, CROWD),
        }
        for key, (method, paths, body, clients) in plans.items():
            figures[key] = load(
                server.url, method, paths, seconds=seconds, headers=headers, body=body, concurrency=clients
            )
            print(f"  {label} {key}: {_describe(figures[key])}", flush=True)
        result.figures[label.lower()] = figures
        base = figures["baseline"]
        result.row(f"{label}: minimal FastAPI endpoint (baseline)", _describe(base))
        for key, measure in (
            ("show", "contact show"),
            ("update", "contact update (PUT)"),
            ("update_crowd", f"contact update (PUT), {CROWD} clients"),
            ("conversations", "contact conversations"),
        ):
            got = figures[key]
            errors = sum(got["errors"].values())
            slowest = f", max {got['latency_ms'].get('max', 0):,.0f} ms" if key == "update_crowd" else ""
            result.row(
                f"{label}: {measure}",
                _describe(got) + slowest + (f" ({errors} errors)" if errors else ""),
                _describe(base),
                f"rps {ratio(got['rps'], base['rps'])}, "
                f"p95 {ratio(got['latency_ms'].get('p95'), base['latency_ms'].get('p95'))}",
            )
    finally:
        server.stop()


def run(quick: bool = False) -> BenchResult:
    seconds = 2.0 if quick else 5.0
    result = BenchResult(
        name=NAME,
        title=TITLE,
        parameters={
            "concurrency": CONCURRENCY,
            "crowd_concurrency": CROWD,
            "seconds_per_endpoint": seconds,
            "client": "aiohttp in a separate process, closed loop",
        },
    )
    minimal = baseline("api-minimal", ["-m", "bench.minimal_api"], ready_path="/ping")
    try:
        minimal.start()
        with scratch_directory("api") as directory:
            _measure_backend(result, "SQLite", sqlite_url(directory / "contacts.db"), minimal, seconds)
        if postgres_available():
            url = create_postgres_database("bench")
            try:
                _measure_backend(result, "PostgreSQL", url, minimal, seconds)
            finally:
                drop_postgres_database(url)
        else:
            result.note("PostgreSQL not measured: nothing answers on 127.0.0.1:5432 (`make services` starts it)")
    finally:
        minimal.stop()
    return result


if __name__ == "__main__":
    from bench.__main__ import main

    main([NAME, *sys.argv[1:]])
