"""On a phone (360 and 390 px wide) no page scrolls sideways and the header's controls are on screen (issue 11, bug 5).

Desktop Chromium with a narrow window, not mobile emulation: a mobile browser zooms out to fit a page that is
too wide, so `innerWidth` would grow with the page and hide the very overflow this test looks for.
"""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, Page, ViewportSize

from tests.browser.agents import OpenAgent
from tests.browser.app_pages import PAGE_NAMES, PAGES_BY_NAME, demo_ids, show
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

TIMEOUT_MS = 10_000
PHONES: dict[str, ViewportSize] = {"360": {"width": 360, "height": 740}, "390": {"width": 390, "height": 844}}
HEADER_CONTROLS = ("language", "theme-toggle", "sign-out")

# The elements that stick out past the right or left edge while their parent does not: where an overflow starts.
OVERFLOW_JS = """
() => {
    const width = window.innerWidth;
    const out = (box) => box.right > width + 0.5 || box.left < -0.5;
    const name = (el) => el.tagName.toLowerCase() + (el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : '')
        + [...el.classList].slice(0, 3).map((c) => '.' + c).join('');
    return [...document.querySelectorAll('body *')]
        .filter((el) => {
            const box = el.getBoundingClientRect();
            return box.width > 0 && out(box) && el.parentElement && !out(el.parentElement.getBoundingClientRect())
                && getComputedStyle(el).position !== 'fixed' && !el.closest('.q-loading-bar');
        })
        .slice(0, 5)
        .map((el) => `${name(el)} in ${name(el.parentElement)}: ${Math.round(el.getBoundingClientRect().width)} px`);
}
"""


async def assert_fits(page: Page, width: int) -> None:
    assert await page.evaluate("window.innerWidth") == width
    scroll_width = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide: {await page.evaluate(OVERFLOW_JS)}"


async def assert_header_controls_on_screen(page: Page, width: int, controls: tuple[str, ...]) -> None:
    for control in controls:
        box = await page.get_by_test_id(control).bounding_box()
        assert box is not None, f"{control} is not shown"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{control} is off screen: {box}"


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize("name", PAGE_NAMES)
async def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser,
    open_agent: OpenAgent,
    app_server: RunningServer,
    api: httpx.AsyncClient,
    name: str,
    phone: str,
    locale: str,
) -> None:
    app_page = PAGES_BY_NAME[name]
    viewport = PHONES[phone]
    if app_page.signed_in:
        page = (await open_agent(viewport=viewport, locale=locale)).page
    else:
        context = await browser.new_context(viewport=viewport, locale=locale)
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
    try:
        await show(page, app_server.url, app_page, await demo_ids(api))
        await assert_fits(page, viewport["width"])
        if app_page.header:
            controls = HEADER_CONTROLS if app_page.signed_in else HEADER_CONTROLS[:2]
            await assert_header_controls_on_screen(page, viewport["width"], controls)
    finally:
        if not app_page.signed_in:
            await page.context.close()
