"""The conversation page as in Chatwoot: messages the main column, the contact a collapsible sidebar at the end
side, agents named on their messages, bubbles that follow dark mode (issue 11, product gap "The conversation page").
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, FloatRect, Locator, Page, StorageState, ViewportSize, expect

from tests.browser.app_pages import DEMO_CONVERSATION
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer
from tests.support.sign_in import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

DESKTOP: ViewportSize = {"width": 1440, "height": 900}
TIMEOUT_MS = 10_000
TOGGLE_NAME = {"en": "Show or hide the contact panel", "ar": "إظهار لوحة جهة الاتصال أو إخفاؤها"}
SIDEBAR_NAME = {"en": "Contact", "ar": "جهة الاتصال"}

# WCAG's contrast ratio of each bubble's text on its background, and the background's relative luminance.
BUBBLE_COLORS_JS = """
() => {
    const rgb = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const luminance = (value) => {
        const [r, g, b] = rgb(value).map((c) => {
            const s = c / 255;
            return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    return [...document.querySelectorAll('.q-message-text')].map((bubble) => {
        const text = bubble.querySelector('.q-message-text-content');
        const background = luminance(getComputedStyle(bubble).backgroundColor);
        const foreground = luminance(getComputedStyle(text).color);
        const ratio = (Math.max(background, foreground) + 0.05) / (Math.min(background, foreground) + 0.05);
        return { kind: bubble.className, text: text.innerText.slice(0, 40), ratio, background };
    });
}
"""


async def fresh_sign_in(browser: Browser, base_url: str, *, dark: bool = False) -> StorageState:
    """A browser that signed in on its own: choices it keeps per browser (dark theme, the panel) reach no other test."""
    context = await browser.new_context(viewport=DESKTOP)
    try:
        page = await context.new_page()
        if dark:
            await page.goto(f"{base_url}/login")
            await page.get_by_test_id("theme-toggle").click()
            await expect(page.locator("body.body--dark")).to_be_attached()
        await sign_in_page(page, base_url)
        return await context.storage_state()
    finally:
        await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def own_browser(browser: Browser, app_server: RunningServer) -> StorageState:
    return await fresh_sign_in(browser, app_server.url)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def dark_browser(browser: Browser, app_server: RunningServer) -> StorageState:
    return await fresh_sign_in(browser, app_server.url, dark=True)


async def open_conversation(
    browser: Browser, base_url: str, state: StorageState, *, locale: str = "en", conversation: int = DEMO_CONVERSATION
) -> Page:
    context = await browser.new_context(viewport=DESKTOP, locale=locale, storage_state=state)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(f"{base_url}/conversations/{conversation}")
    await expect(page.get_by_test_id("messages")).to_be_visible()
    await expect(page.locator(".q-message-text").first).to_be_visible()
    return page


async def box(locator: Locator) -> FloatRect:
    found = await locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def sidebar(page: Page, locale: str = "en") -> Locator:
    return page.get_by_role("complementary", name=SIDEBAR_NAME[locale], exact=True)


def toggle(page: Page, locale: str = "en") -> Locator:
    return page.get_by_role("button", name=TOGGLE_NAME[locale], exact=True)


@pytest.mark.parametrize("locale", ["en", "ar"])
async def test_messages_are_the_main_column_and_the_contact_a_sidebar_at_the_end_side(
    browser: Browser, app_server: RunningServer, own_browser: StorageState, locale: str
) -> None:
    page = await open_conversation(browser, app_server.url, own_browser, locale=locale)
    try:
        await ContactPage(page=page, base_url=app_server.url).wait_loaded()
        messages = await box(page.get_by_test_id("messages"))
        aside = await box(sidebar(page, locale))
        assert 340 <= aside["width"] <= 420, f"the sidebar is {aside['width']} px wide"
        assert messages["width"] > aside["width"], f"messages {messages['width']} px, sidebar {aside['width']} px"
        if locale == "ar":
            assert aside["x"] + aside["width"] <= messages["x"], f"not on the left: {aside} {messages}"
        else:
            assert aside["x"] >= messages["x"] + messages["width"], f"not on the right: {aside} {messages}"
        assert aside["y"] < messages["y"] + messages["height"], "the sidebar is below the messages, not beside"
    finally:
        await page.context.close()


async def test_the_contact_panel_collapses_by_keyboard_and_the_choice_is_kept(
    browser: Browser, app_server: RunningServer, own_browser: StorageState
) -> None:
    page = await open_conversation(browser, app_server.url, own_browser)
    try:
        await ContactPage(page=page, base_url=app_server.url).wait_loaded()
        button = toggle(page)
        await expect(button).to_have_attribute("aria-expanded", "true")
        wide_before = (await box(page.get_by_test_id("messages")))["width"]

        await button.focus()
        await page.keyboard.press("Enter")
        await expect(button).to_have_attribute("aria-expanded", "false")
        await expect(sidebar(page)).to_be_hidden()
        await expect(page.get_by_test_id("contact-name")).to_be_hidden()
        wide_after = (await box(page.get_by_test_id("messages")))["width"]
        assert wide_after > wide_before + 300, f"messages {wide_before} -> {wide_after} px"

        await page.reload()
        await expect(page.get_by_test_id("messages")).to_be_visible()
        await expect(toggle(page)).to_have_attribute("aria-expanded", "false")
        await expect(sidebar(page)).to_be_hidden()

        await toggle(page).focus()
        await page.keyboard.press("Enter")
        await expect(toggle(page)).to_have_attribute("aria-expanded", "true")
        await expect(sidebar(page)).to_be_visible()
        await expect(page.get_by_test_id("contact-name")).to_be_visible()
        await page.reload()
        await expect(sidebar(page)).to_be_visible()
        await expect(toggle(page)).to_have_attribute("aria-expanded", "true")
    finally:
        await page.context.close()


async def test_each_message_names_its_author(
    browser: Browser, app_server: RunningServer, own_browser: StorageState, api: httpx.AsyncClient
) -> None:
    found = (await api.get(f"/conversations/{DEMO_CONVERSATION}")).raise_for_status().json()
    messages = (await api.get(f"/conversations/{DEMO_CONVERSATION}/messages")).raise_for_status().json()["payload"]
    agent = found["meta"]["assignee"]
    contact = found["meta"]["sender"]
    assert agent is not None and agent["name"]
    from_agent = [m for m in messages if m["message_type"] == 1]
    from_contact = [m for m in messages if m["message_type"] == 0]
    assert from_agent and from_contact
    assert all(m["sender"]["type"] == "user" and m["sender"]["id"] == agent["id"] for m in from_agent)

    page = await open_conversation(browser, app_server.url, own_browser)
    try:
        sent = page.locator(".q-message-name--sent")
        received = page.locator(".q-message-name--received")
        await expect(sent).to_have_text([agent["name"]] * len(from_agent))
        await expect(received).to_have_text([contact["name"]] * len(from_contact))
    finally:
        await page.context.close()


async def test_an_english_message_keeps_its_direction_in_the_arabic_page(
    browser: Browser, app_server: RunningServer, own_browser: StorageState, api: httpx.AsyncClient
) -> None:
    messages = (await api.get(f"/conversations/{DEMO_CONVERSATION}/messages")).raise_for_status().json()["payload"]
    content = messages[0]["content"]
    assert re.match(r"[A-Za-z]", content) and content[-1] in ".?!", f"not an English sentence: {content!r}"
    page = await open_conversation(browser, app_server.url, own_browser, locale="ar")
    try:
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
        text = page.locator(".q-message-text-content").get_by_text(content, exact=True)
        await expect(text).to_have_attribute("dir", "auto")
        assert await text.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
        # The sentence's final full stop is drawn at its right end, after the words.
        ends = await text.evaluate(
            """(el) => {
                const node = [...el.childNodes].find((n) => n.nodeType === Node.TEXT_NODE);
                const range = document.createRange();
                range.setStart(node, node.length - 1);
                range.setEnd(node, node.length);
                const stop = range.getBoundingClientRect();
                range.setStart(node, 0);
                range.setEnd(node, 1);
                return [range.getBoundingClientRect().left, stop.left, node.textContent.slice(-1)];
            }"""
        )
        first_left, stop_left, last = ends
        assert last == content[-1]
        assert stop_left > first_left, "the full stop is drawn at the left"
    finally:
        await page.context.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
async def test_chat_bubbles_follow_dark_mode_and_stay_readable(
    browser: Browser, app_server: RunningServer, own_browser: StorageState, dark_browser: StorageState, dark: bool
) -> None:
    page = await open_conversation(browser, app_server.url, dark_browser if dark else own_browser)
    try:
        await expect(page.locator("body")).to_have_class(re.compile(r"\bbody--dark\b" if dark else r"\bbody--light\b"))
        bubbles: list[dict[str, Any]] = await page.evaluate(BUBBLE_COLORS_JS)
        assert any("--sent" in b["kind"] for b in bubbles) and any("--received" in b["kind"] for b in bubbles)
        for bubble in bubbles:
            assert bubble["ratio"] >= 4.5, f"{bubble['kind']} {bubble['text']!r}: {bubble['ratio']:.2f}:1"
            if dark:
                # A light bubble on the dark page glares: dark mode draws dark bubbles with light text.
                assert bubble["background"] <= 0.1, f"{bubble['kind']} is light in dark mode: {bubble}"
    finally:
        await page.context.close()
