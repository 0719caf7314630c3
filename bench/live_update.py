"""Benchmark 3, live update: from one agent's PUT to the change on another agent's open page.

The app runs embedded (API, ActionCable and UI in one process, SQLite). Sam Agent PUTs a new
name over HTTP; Alex Admin has the contact open in headless Chromium; the page records when the
name appears in its DOM. The path measured: PUT -> event bus -> /cable -> the UI's cable client ->
store -> page re-render -> NiceGUI websocket -> browser DOM. Baseline: a round trip on a bare
`websockets` echo server on the same machine.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from typing import Any

import httpx
from playwright.async_api import async_playwright
from websockets.asyncio.client import connect

from api.demo import ADMIN
from bench.browser import expect_text, new_context, now_ms, watched
from bench.databases import prepare_database, scratch_directory
from bench.processes import app_process, baseline
from bench.report import BenchResult, distribution, ms, ratio
from tests.support.chromium import launch_chromium
from tests.support.processes import sqlite_url
from tests.support.sign_in import sign_in_page

NAME = "live_update"
TITLE = "Live update"
ACCOUNT = "/api/v1/accounts/1"
NAME_SELECTOR = "[data-testid=contact-name]"


async def websocket_round_trips(count: int) -> list[float]:
    """Round trips of a 100-byte message to a bare websockets echo server in its own process, in ms."""
    echo = baseline(f"{NAME}-echo", ["-m", "bench.echo_server"], ready_status=426)
    try:
        echo.start()
        async with connect(f"ws://127.0.0.1:{echo.port}/") as websocket:
            message = "x" * 100
            samples = []
            for number in range(count + 20):
                started = time.perf_counter()
                await websocket.send(message)
                await websocket.recv()
                if number >= 20:
                    samples.append((time.perf_counter() - started) * 1000)
            return samples
    finally:
        echo.stop()


async def _measure(edits: int) -> dict[str, Any]:
    with scratch_directory(NAME) as directory:
        url = sqlite_url(directory / "contacts.db")
        await prepare_database(url)
        app = app_process(f"{NAME}-app", database_url=url)
        try:
            app.start()
            async with httpx.AsyncClient(base_url=app.url, timeout=30) as api, async_playwright() as playwright:
                headers = app.agent.headers
                found = await api.get(f"{ACCOUNT}/contacts/search", params={"q": "ada@example.com"}, headers=headers)
                contact = found.json()["payload"][0]["id"]
                browser = await launch_chromium(playwright)
                try:
                    page = await (await new_context(browser)).new_page()
                    await sign_in_page(page, app.url, ADMIN)
                    await page.goto(f"{app.url}/contacts/{contact}")
                    await page.wait_for_selector(NAME_SELECTOR, timeout=30_000)
                    tag = uuid.uuid4().hex[:6]
                    delays: list[float] = []
                    put_times: list[float] = []
                    missed = 0
                    for number in range(-5, edits):  # five warm-up edits; the first waits for the live connection
                        text = f"Live {tag} {number}"
                        await expect_text(page, "live", NAME_SELECTOR, text)
                        started = now_ms()
                        answer = await api.put(f"{ACCOUNT}/contacts/{contact}", json={"name": text}, headers=headers)
                        answered = now_ms()
                        answer.raise_for_status()
                        hit = await watched(page, "live", within=30 if number == -5 else 10)
                        if number < 0:
                            if hit is None:
                                raise RuntimeError("the open page never showed a remote change: is /cable working?")
                            continue
                        if hit is None:
                            missed += 1
                            continue
                        delays.append(hit["epoch"] - started)
                        put_times.append(answered - started)
                finally:
                    await browser.close()
        finally:
            app.stop()
    round_trips = await websocket_round_trips(edits)
    return {
        "edits": edits,
        "missed": missed,
        "put_to_page_ms": distribution(delays),
        "put_response_ms": distribution(put_times),
        "websocket_round_trip_ms": distribution(round_trips),
    }


def run(quick: bool = False) -> BenchResult:
    edits = 50 if quick else 200
    result = BenchResult(
        name=NAME,
        title=TITLE,
        parameters={
            "edits": edits,
            "mode": "embedded (API + cable + UI in one process), SQLite",
            "clock": "Date.now() in the page vs time.time() in the bench (same system clock, 1 ms resolution)",
        },
    )
    result.figures = asyncio.run(_measure(edits))
    page = result.figures["put_to_page_ms"]
    bare = result.figures["websocket_round_trip_ms"]
    result.row("bare websocket round trip (baseline)", f"median {ms(bare['median'])}, p95 {ms(bare['p95'])}")
    result.row(
        f"PUT by one agent -> shown on another's page ({edits} edits)",
        f"median {ms(page['median'])}, p95 {ms(page['p95'])}",
        f"websocket RTT {ms(bare['median'])}",
        f"median {ratio(page['median'], bare['median'])}, p95 {ratio(page['p95'], bare['p95'])}",
    )
    if result.figures["missed"]:
        result.note(f"{result.figures['missed']} of {edits} remote edits never reached the open page within 10 s")
    return result


if __name__ == "__main__":
    from bench.__main__ import main

    main([NAME, *sys.argv[1:]])
