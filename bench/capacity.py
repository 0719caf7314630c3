"""Benchmark 6, capacity: memory per open contact page, and how many open pages one process keeps live.

The app runs embedded (one process: API, cable, UI; SQLite); all tabs are real headless Chromium
tabs of one signed-in agent. Two phases:

1. Memory: RSS of the app process with one contact page open, then with N more tabs each showing a
   different contact; (after - before) / N. Meanwhile, how fast a remote edit reaches one page
   while the N others stay open (idle load).
2. Fan-out ramp: 1, 2, 4, 8, ... tabs all showing the same contact; at each step Sam Agent PUTs the
   name several times and a sample of tabs records when it appears. The capacity is the most tabs
   with p95 under 200 ms. The ramp stops once p95 passes 200 ms (after at least three steps, so the
   trend is visible) or at the cap. The app's CPU time per PUT is recorded too: it shows the server's
   share of the work, apart from the browser's, which shares this machine's cores.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, async_playwright

from bench.browser import AGENT, expect_text, launch, new_context, now_ms, sign_in, watched
from bench.databases import prepare_database, scratch_directory, sqlite_url
from bench.live_update import sign_in_api
from bench.processes import ChildProcess, app_process, rss_kib
from bench.report import BenchResult, distribution, ms

NAME = "capacity"
TITLE = "Capacity"
ACCOUNT = "/api/v1/accounts/1"
NAME_SELECTOR = "[data-testid=contact-name]"
TARGET_P95_MS = 200.0
SAMPLE_PAGES = 10
OPENING_AT_ONCE = 4


def cpu_ms(pid: int) -> float:
    """User + system CPU time of a process so far, in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


async def open_pages(context: BrowserContext, urls: list[str]) -> list[Page]:
    """New tabs showing these contact pages, a few at a time; returns when every one shows its contact."""
    gate = asyncio.Semaphore(OPENING_AT_ONCE)

    async def open_one(url: str) -> Page:
        async with gate:
            page = await context.new_page()
            await page.goto(url)
            await page.wait_for_selector(NAME_SELECTOR, timeout=120_000)
            return page

    return list(await asyncio.gather(*(open_one(url) for url in urls)))


async def remote_edits(
    api: httpx.AsyncClient, headers: dict[str, str], contact: int, pages: list[Page], edits: int
) -> tuple[list[float], int]:
    """PUT the contact's name `edits` times; ms from each PUT until each page shows it, and how many never did."""
    delays: list[float] = []
    missed = 0
    tag = uuid.uuid4().hex[:6]
    for number in range(edits):
        text = f"Capacity {tag} {number}"
        await asyncio.gather(*(expect_text(page, "edit", NAME_SELECTOR, text) for page in pages))
        started = now_ms()
        (await api.put(f"{ACCOUNT}/contacts/{contact}", json={"name": text}, headers=headers)).raise_for_status()
        for hit in await asyncio.gather(*(watched(page, "edit", within=20) for page in pages)):
            if hit is None:
                missed += 1
            else:
                delays.append(hit["epoch"] - started)
        await asyncio.sleep(0.2)
    return delays, missed


def _sample(pages: list[Page]) -> list[Page]:
    if len(pages) <= SAMPLE_PAGES:
        return pages
    step = len(pages) / SAMPLE_PAGES
    return [pages[int(i * step)] for i in range(SAMPLE_PAGES)]


async def _memory_phase(
    app: ChildProcess,
    context: BrowserContext,
    api: httpx.AsyncClient,
    headers: dict[str, str],
    ids: list[int],
    edits: int,
) -> dict[str, Any]:
    first = await open_pages(context, [f"{app.url}/contacts/{ids[0]}"])
    await asyncio.sleep(3)
    before = rss_kib(app.pid)
    others = await open_pages(context, [f"{app.url}/contacts/{cid}" for cid in ids[1:]])
    await asyncio.sleep(5)
    after = rss_kib(app.pid)
    delays, missed = await remote_edits(api, headers, ids[0], first, edits)
    for page in [*first, *others]:
        await page.close()
    return {
        "pages": len(others),
        "rss_before_mib": round(before / 1024, 1),
        "rss_after_mib": round(after / 1024, 1),
        "per_page_kib": round((after - before) / len(others)),
        "edit_with_others_open_ms": distribution(delays),
        "missed": missed,
    }


async def _ramp(
    app: ChildProcess,
    context: BrowserContext,
    api: httpx.AsyncClient,
    headers: dict[str, str],
    contact: int,
    steps: list[int],
    edits: int,
    min_samples: int,
) -> list[dict[str, Any]]:
    pages: list[Page] = []
    results: list[dict[str, Any]] = []
    url = f"{app.url}/contacts/{contact}"
    for target in steps:
        pages += await open_pages(context, [url] * (target - len(pages)))
        await asyncio.sleep(2)
        sample = _sample(pages)
        count = max(edits, -(-min_samples // len(sample)))  # enough edits for a p95 worth the name
        spent = cpu_ms(app.pid)
        delays, missed = await remote_edits(api, headers, contact, sample, count)
        spent = cpu_ms(app.pid) - spent
        figures = distribution(delays)
        step = {
            "pages": len(pages),
            "sampled_pages": len(sample),
            "edits": count,
            "rss_mib": round(rss_kib(app.pid) / 1024, 1),
            "app_cpu_ms_per_edit": round(spent / count, 1),
            "missed": missed,
            "latency_ms": figures,
        }
        results.append(step)
        p95 = float("inf") if missed else float(figures.get("p95", float("inf")))
        print(
            f"  {len(pages):>4} pages: median {ms(figures.get('median'))}, p95 {ms(p95)}, "
            f"app CPU {step['app_cpu_ms_per_edit']:.0f} ms/edit, RSS {step['rss_mib']:.0f} MiB"
            + (f", {missed} missed" if missed else ""),
            flush=True,
        )
        if p95 > TARGET_P95_MS and len(results) >= 3:
            break
    return results


async def _measure(quick: bool) -> dict[str, Any]:
    memory_pages = 20 if quick else 40
    steps = [1, 2, 4, 8, 16] if quick else [1, 2, 4, 8, 16, 24, 32, 48, 64]
    edits = 5 if quick else 8
    min_samples = 20 if quick else 40
    with scratch_directory(NAME) as directory:
        url = sqlite_url(directory / "contacts.db")
        await prepare_database(url)
        app = app_process(f"{NAME}-app", database_url=url)
        try:
            app.start()
            async with httpx.AsyncClient(base_url=app.url, timeout=60) as api, async_playwright() as playwright:
                headers = await sign_in_api(api, AGENT)
                ids: list[int] = []
                for number in range(1, 5):
                    listed = await api.get(f"{ACCOUNT}/contacts", params={"page": number}, headers=headers)
                    ids += [contact["id"] for contact in listed.json()["payload"]]
                found = await api.get(f"{ACCOUNT}/contacts/search", params={"q": "ada@example.com"}, headers=headers)
                hot = found.json()["payload"][0]["id"]
                ids = [cid for cid in ids if cid != hot][: memory_pages + 1]
                browser = await launch(playwright)
                try:
                    context = await new_context(browser)
                    await sign_in(await context.new_page(), app.url)
                    memory = await _memory_phase(app, context, api, headers, ids, min_samples // 2)
                    print(
                        f"  memory: {memory['per_page_kib']:,} KiB per open contact page "
                        f"({memory['rss_before_mib']} -> {memory['rss_after_mib']} MiB with {memory['pages']} more)",
                        flush=True,
                    )
                    ramp = await _ramp(app, context, api, headers, hot, steps, edits, min_samples)
                finally:
                    await browser.close()
        finally:
            app.stop()
    passing = [step["pages"] for step in ramp if not step["missed"] and step["latency_ms"]["p95"] <= TARGET_P95_MS]
    return {
        "memory": memory,
        "ramp": ramp,
        "cap": steps[-1],
        "capacity_pages": max(passing, default=0),
        "stopped_at_pages": ramp[-1]["pages"],
    }


def run(quick: bool = False) -> BenchResult:
    result = BenchResult(
        name=NAME,
        title=TITLE,
        parameters={
            "mode": "embedded (API + cable + UI in one process), SQLite, one agent, real Chromium tabs",
            "target": f"p95 PUT -> visible under {TARGET_P95_MS:.0f} ms",
            "sample": f"up to {SAMPLE_PAGES} tabs per step record the time",
        },
    )
    result.figures = asyncio.run(_measure(quick))
    memory = result.figures["memory"]
    result.row(
        "memory per open contact page (app RSS)",
        f"{memory['per_page_kib'] / 1024:.2f} MiB",
        f"{memory['pages']} tabs: {memory['rss_before_mib']:.0f} -> {memory['rss_after_mib']:.0f} MiB",
    )
    idle = memory["edit_with_others_open_ms"]
    result.row(
        f"remote edit -> page, {memory['pages']} other contact pages open",
        f"median {ms(idle.get('median'))}, p95 {ms(idle.get('p95'))}",
    )
    ramp = result.figures["ramp"]
    capacity = result.figures["capacity_pages"]
    last = ramp[-1]
    result.row(
        f"most tabs on one contact with p95 update < {TARGET_P95_MS:.0f} ms",
        f"{capacity} pages",
        f"ramp stopped at {last['pages']} pages: p95 {ms(last['latency_ms'].get('p95'))}",
    )
    first = ramp[0]
    if last["pages"] > first["pages"]:
        per_page = (last["app_cpu_ms_per_edit"] - first["app_cpu_ms_per_edit"]) / (last["pages"] - first["pages"])
        result.figures["app_cpu_ms_per_edit_per_page"] = round(per_page, 1)
        result.row(
            "app CPU per remote edit, each extra page on that contact",
            f"{per_page:.0f} ms",
            f"1 page: {first['app_cpu_ms_per_edit']:.0f} ms per edit",
        )
    for step in ramp:
        result.figures.setdefault("ramp_table", []).append(
            f"{step['pages']} pages: median {ms(step['latency_ms'].get('median'))}, "
            f"p95 {ms(step['latency_ms'].get('p95'))}, app CPU {step['app_cpu_ms_per_edit']} ms per edit"
        )
    if capacity == 0:
        result.note(f"even one open page missed p95 < {TARGET_P95_MS:.0f} ms for a remote edit")
    if last["pages"] >= result.figures["cap"] and capacity == last["pages"]:
        result.note(f"the ramp reached its cap of {result.figures['cap']} tabs without passing the target")
    return result


if __name__ == "__main__":
    from bench.__main__ import main

    main([NAME, *sys.argv[1:]])
