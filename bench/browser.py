"""In-page timing of what appears on screen, in the tests' Chromium (`tests.support.chromium`).

Times are taken inside the page by a MutationObserver, as epoch milliseconds (`Date.now()`,
the same clock as Python's `time.time()`), the moment the DOM shows the expected text:
no Playwright polling delay is part of a figure.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page

# Installed in every page before its own scripts. `window.__bench.when(name, predicate)` records in
# `at[name]` when the predicate first holds after a DOM change: `epoch` (Date.now(), comparable with
# Python's time.time()) and `page` (performance.now(), ms since this page's navigation started).
# `clicks[testid]` is the epoch ms of the last click on an element with that data-testid.
WATCH_SCRIPT = """
(() => {
  if (window.__bench) return;
  const bench = { watches: {}, at: {}, clicks: {} };
  bench.check = () => {
    for (const [name, predicate] of Object.entries(bench.watches)) {
      if (predicate()) {
        bench.at[name] = { epoch: Date.now(), page: performance.now() };
        delete bench.watches[name];
      }
    }
  };
  bench.when = (name, predicate) => { delete bench.at[name]; bench.watches[name] = predicate; bench.check(); };
  bench.expect = (name, selector, text) => bench.when(
    name, () => Array.from(document.querySelectorAll(selector)).some((e) => e.textContent.trim() === text));
  window.__bench = bench;
  new MutationObserver(bench.check).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('[data-testid]') : null;
    if (target) bench.clicks[target.getAttribute('data-testid')] = Date.now();
  }, true);
})();
"""


def field(testid: str) -> str:
    """The native input of a NiceGUI input: Quasar puts the data-testid on the <input> itself."""
    return f"input[data-testid={testid}], textarea[data-testid={testid}], [data-testid={testid}] input"


async def new_context(browser: Browser) -> BrowserContext:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    await context.add_init_script(WATCH_SCRIPT)
    return context


async def expect_text(page: Page, name: str, selector: str, text: str) -> None:
    """Arm the page's watch `name`: an element matching `selector` shows exactly `text`."""
    await page.evaluate("([n, s, t]) => window.__bench.expect(n, s, t)", [name, selector, text])


async def watched(page: Page, name: str, within: float = 10.0) -> dict[str, float] | None:
    """`{"epoch", "page"}` ms at which watch `name` held; None if it did not within `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        hit: Any = await page.evaluate("(n) => window.__bench.at[n] || null", name)
        if hit is not None:
            return {"epoch": float(hit["epoch"]), "page": float(hit["page"])}
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.01)


async def clicked_at(page: Page, testid: str) -> float | None:
    """Epoch ms of the last click on the element with this data-testid."""
    value: Any = await page.evaluate("(t) => window.__bench.clicks[t] || null", testid)
    return float(value) if value is not None else None


def now_ms() -> float:
    """Epoch milliseconds, comparable with the pages' `Date.now()`."""
    return time.time() * 1000
