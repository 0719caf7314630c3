"""Benchmark 1, contact page: time until headless Chromium shows a contact with 20 and with 500 conversations.

The app runs embedded (API + UI in one process, SQLite) through `bench/app_with_empty_page.py`,
which adds an empty NiceGUI page to the same process as the baseline. "Shown" is measured in the
page: from navigation start (performance.now() = 0) to the first DOM state with the contact's name
and a history row (contact page) or the label (empty page). Each measured load opens a contact
nobody has opened yet, so the agent's store holds nothing of it.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from playwright.async_api import Page, async_playwright

from api.demo import ADMIN
from bench.browser import new_context, watched
from bench.databases import prepare_database, scratch_directory
from bench.processes import app_process
from bench.report import BenchResult, distribution, ms, ratio
from tests.support.chromium import launch_chromium
from tests.support.processes import sqlite_url
from tests.support.sign_in import sign_in_page

NAME = "contact_page"
TITLE = "Contact page"
SIZES = (20, 500)

READY_SCRIPT = """
(() => {
  const path = location.pathname;
  if (path === '/bench/empty') {
    window.__bench.when('ready', () => document.querySelector('[data-testid=bench-empty]') !== null);
  } else if (path.startsWith('/contacts/')) {
    window.__bench.when('name', () => document.querySelector('[data-testid=contact-name]') !== null);
    window.__bench.when('ready', () =>
      document.querySelector('[data-testid=contact-name]') !== null &&
      document.querySelector('[data-testid=conversation-history] tr[data-testid^="conversation-"]') !== null);
  }
})();
"""


async def _load(page: Page, url: str) -> dict[str, float]:
    """Navigate and return ms from navigation start to the HTML received and to the page shown."""
    await page.goto(url, wait_until="commit")
    shown = await watched(page, "ready", within=30)
    if shown is None:
        raise RuntimeError(f"{url} was not shown within 30 s")
    response_end: Any = await page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
    name = await watched(page, "name", within=0) if "/contacts/" in url else None
    times = {"shown": shown["page"], "html": float(response_end)}
    if name is not None:
        times["name"] = name["page"]
    return times


async def _measure(quick: bool) -> dict[str, Any]:
    loads = 4 if quick else 12
    with scratch_directory(NAME) as directory:
        url = sqlite_url(directory / "contacts.db")
        counts = [size for size in SIZES for _ in range(loads + 1)]
        ids = await prepare_database(url, bulk=len(counts), conversations=counts)
        contacts = {size: [cid for cid, count in zip(ids, counts, strict=True) if count == size] for size in SIZES}
        app = app_process(f"{NAME}-app", script="bench/app_with_empty_page.py", database_url=url)
        try:
            app.start()
            async with async_playwright() as playwright:
                browser = await launch_chromium(playwright)
                try:
                    context = await new_context(browser)
                    await context.add_init_script(READY_SCRIPT)
                    page = await context.new_page()
                    await sign_in_page(page, app.url, ADMIN)
                    # Warm-up (not measured): the account's labels and attribute definitions, imports, caches.
                    await _load(page, f"{app.url}/bench/empty")
                    for size in SIZES:
                        await _load(page, f"{app.url}/contacts/{contacts[size].pop()}")
                    samples: dict[str, list[dict[str, float]]] = {"empty": [], **{str(size): [] for size in SIZES}}
                    for round_ in range(loads):
                        samples["empty"].append(await _load(page, f"{app.url}/bench/empty"))
                        for size in SIZES:
                            samples[str(size)].append(await _load(page, f"{app.url}/contacts/{contacts[size][round_]}"))
                finally:
                    await browser.close()
        finally:
            app.stop()
    return {
        key: {
            f"{phase}_ms": distribution([s[phase] for s in values if phase in s])
            for phase in ("html", "name", "shown")
            if any(phase in s for s in values)
        }
        for key, values in samples.items()
    }


def run(quick: bool = False) -> BenchResult:
    result = BenchResult(
        name=NAME,
        title=TITLE,
        parameters={
            "mode": "embedded (API + UI in one process), SQLite",
            "browser": "headless Debian Chromium via Playwright",
            "shown": "name and a history row in the DOM, from navigation start",
            "phases": "html_ms: page HTML received; name_ms: contact name in the DOM; shown_ms: name and history",
            "history": "the page shows the newest 20 conversations; more load on demand",
        },
    )
    result.figures = asyncio.run(_measure(quick))
    empty = result.figures["empty"]["shown_ms"]
    result.row("empty NiceGUI page (baseline)", f"median {ms(empty['median'])}, p95 {ms(empty['p95'])}")
    for size in SIZES:
        shown = result.figures[str(size)]["shown_ms"]
        result.row(
            f"contact with {size} conversations shown",
            f"median {ms(shown['median'])}, p95 {ms(shown['p95'])}",
            f"empty page {ms(empty['median'])}",
            ratio(shown["median"], empty["median"]),
        )
    return result


if __name__ == "__main__":
    from bench.__main__ import main

    main([NAME, *sys.argv[1:]])
