"""Benchmark 2, optimistic edit: from Save to the new value on screen, with the API slowed to 2 s per write.

The API runs alone (`python -m server`, SQLite) behind a `TcpProxy` (tests/support), which holds every PUT/PATCH
for 2 s (and, for comparison, 0 s); the UI runs in connected mode against the proxy
(`CHATWOOT_URL`). In headless Chromium the agent opens the edit form, types a new name and clicks
Save; the page records the click, the moment the new name is in the DOM, and the moment the
success toast appears (the server confirmed). An optimistic UI shows the name in the same time
whatever the API's latency: the ratio slow/fast of Save -> on screen should be about 1.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import Any

import httpx
from playwright.async_api import Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from api.demo import ADMIN
from bench.browser import clicked_at, expect_text, new_context, watched
from bench.browser import field as input_of
from bench.databases import scratch_directory
from bench.processes import api_server, app_process
from bench.report import BenchResult, distribution, ms, ratio
from tests.support.chromium import launch_chromium
from tests.support.processes import RunningServer, sqlite_url
from tests.support.sign_in import sign_in_page
from tests.support.tcp_proxy import TcpProxy

NAME = "optimistic_edit"
TITLE = "Optimistic edit"
SLOW = 2.0
NAME_SELECTOR = "[data-testid=contact-name]"
# The success toast (`ui.notify(type="positive")`) that appears once the server answered. Quasar groups
# an identical toast still on screen into the old element and counts it in a badge, so a changed badge
# counts as a new toast.
ARM_CONFIRMATION = """
() => {
  const badge = (n) => (n.querySelector('.q-notification__badge') || {}).textContent || '';
  const before = new Map(Array.from(document.querySelectorAll('.q-notification')).map((n) => [n, badge(n)]));
  window.__bench.when('confirmed', () => Array.from(document.querySelectorAll('.q-notification.bg-positive'))
    .some((n) => !before.has(n) || before.get(n) !== badge(n)));
}
"""


async def _edit(page: Page, text: str, delay: float) -> dict[str, float]:
    """One edit through the form; ms from the Save click to on screen and to confirmed."""
    field = page.locator(input_of("field-name"))
    retries = 0
    for attempt in range(3):
        # Every re-render replaces the edit button; a click on the old one is dropped, so try again.
        await page.click("[data-testid=edit-contact]")
        try:
            await field.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            retries += 1
    await field.fill(text)
    await expect_text(page, "shown", NAME_SELECTOR, text)
    await page.evaluate(ARM_CONFIRMATION)
    await page.click("[data-testid=edit-save]")
    shown = await watched(page, "shown", within=delay + 15)
    confirmed = await watched(page, "confirmed", within=delay + 15)
    clicked = await clicked_at(page, "edit-save")
    if shown is None or confirmed is None or clicked is None:
        raise RuntimeError(f"edit {text!r} was not shown or confirmed (shown={shown}, confirmed={confirmed})")
    await page.wait_for_selector("[data-testid=saving]", state="hidden")  # built once, then hidden
    await page.wait_for_timeout(500)  # let the live event's re-render land before the next edit
    return {"shown": shown["epoch"] - clicked, "confirmed": confirmed["epoch"] - clicked, "retries": retries}


async def _measure(edits: int) -> dict[str, Any]:
    with scratch_directory(NAME) as directory:
        server = api_server(f"{NAME}-api", sqlite_url(directory / "contacts.db"))
        proxy = TcpProxy(0, delayed_methods=("PUT", "PATCH"))
        app: RunningServer | None = None
        try:
            await asyncio.to_thread(server.start)
            proxy.target_port = server.port
            await proxy.start()
            app = app_process(f"{NAME}-app", chatwoot_url=proxy.url)
            await asyncio.to_thread(app.start)
            headers = (await asyncio.to_thread(lambda: server.admin)).headers
            async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as api:
                found = await api.get("/api/v1/accounts/1/contacts/search", params={"q": "ada@example.com"})
            contact = found.json()["payload"][0]["id"]
            async with async_playwright() as playwright:
                browser = await launch_chromium(playwright)
                try:
                    page = await (await new_context(browser)).new_page()
                    await sign_in_page(page, app.url, ADMIN)
                    await page.goto(f"{app.url}/contacts/{contact}")
                    await page.wait_for_selector(NAME_SELECTOR, timeout=30_000)
                    tag = uuid.uuid4().hex[:4]
                    await _edit(page, f"Ada {tag} warm-up", 0.0)
                    samples: dict[float, list[dict[str, float]]] = {SLOW: [], 0.0: []}
                    for number in range(edits):
                        for delay in (SLOW, 0.0):  # interleaved, so drift hits both alike
                            proxy.delay = delay
                            samples[delay].append(await _edit(page, f"Ada {tag} {delay:.0f}s {number}", delay))
                finally:
                    await browser.close()
        finally:
            if app is not None:
                app.stop()
            await proxy.stop()
            server.stop()
    return {
        "delayed_writes": proxy.delayed,
        "dropped_edit_clicks": sum(int(s["retries"]) for values in samples.values() for s in values),
        **{
            f"api_{delay:.0f}s": {
                "save_to_screen_ms": distribution([s["shown"] for s in values]),
                "save_to_confirmed_ms": distribution([s["confirmed"] for s in values]),
            }
            for delay, values in samples.items()
        },
    }


def run(quick: bool = False) -> BenchResult:
    edits = 3 if quick else 8
    result = BenchResult(
        name=NAME,
        title=TITLE,
        parameters={
            "edits_per_latency": edits,
            "api_write_delay_s": SLOW,
            "mode": "connected: UI process -> delaying proxy -> `python -m server` (SQLite)",
            "on_screen": "new name in the DOM after the Save click (Date.now() in the page)",
            "confirmed": "the success toast, shown after the server answered",
        },
    )
    result.figures = asyncio.run(_measure(edits))
    slow, fast = result.figures[f"api_{SLOW:.0f}s"], result.figures["api_0s"]
    for delay, figures in ((SLOW, slow), (0.0, fast)):
        shown = figures["save_to_screen_ms"]
        result.row(
            f"Save -> new value on screen, API writes +{delay:.0f} s",
            f"median {ms(shown['median'])}, p95 {ms(shown['p95'])}",
            f"+0 s: median {ms(fast['save_to_screen_ms']['median'])}" if delay else "",
            ratio(shown["median"], fast["save_to_screen_ms"]["median"]) if delay else "",
        )
    for delay, figures in ((SLOW, slow), (0.0, fast)):
        confirmed = figures["save_to_confirmed_ms"]
        result.row(
            f"Save -> server confirmed (toast), API writes +{delay:.0f} s",
            f"median {ms(confirmed['median'])}, p95 {ms(confirmed['p95'])}",
        )
    return result


if __name__ == "__main__":
    from bench.__main__ import main

    main([NAME, *sys.argv[1:]])
