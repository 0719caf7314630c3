"""The compiled Tailwind CSS (assets/tailwind.css, `make css`) against NiceGUI's browser build of Tailwind, which
compiled the classes in each page's DOM until the app turned it off (issue 10: it cost every page load ~100 ms).

Every page and state is shown twice in the same tab: first as the app serves it, then with the compiled CSS
switched off and the browser build run as NiceGUI's page template ran it. The browser build's rules, made from
every class the tab has shown since it loaded, must all be in the compiled CSS, with the same values; and the
two full-page screenshots must not differ.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import nicegui
import pytest
from PIL import Image, ImageChops
from playwright.async_api import Browser, Page, StorageState, expect

from components.stylesheet import TAILWIND_OVERRIDES, address, tailwind_stylesheet
from tests.browser.agents import OpenAgent
from tests.browser.app_pages import PAGES_BY_NAME, demo_ids, show
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

NICEGUI = Path(nicegui.__file__).parent
BROWSER_BUILD = f"/_nicegui/{nicegui.__version__}/static/tailwindcss.min.js"
# The CSS NiceGUI's template gives the browser build (its dark variant), read from the template itself.
TEMPLATE_TAILWIND = re.search(
    r'<style type="text/tailwindcss">(.*?)</style>', (NICEGUI / "templates" / "index.html").read_text(), re.DOTALL
)
# A channel that differs by more than this is a different pixel (anti-aliasing differs by less).
CHANNEL_THRESHOLD = 30
TIMEOUT_MS = 10_000
# The panel's sections out of view are drawn only once they come near it (`content-visibility: auto`), which a
# full-page screenshot does not wait for: both pictures draw everything.
ALL_DRAWN = "* { content-visibility: visible !important; }"

# Every class any element of the tab has had since the document started, as the browser build collects them.
RECORD_CLASSES = """
(() => {
  const seen = (window.__classesSeen = new Set());
  const note = (element) => { for (const name of element.classList) seen.add(name); };
  const noteTree = (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    note(node);
    node.querySelectorAll('[class]').forEach(note);
  };
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') note(record.target);
      else record.addedNodes.forEach(noteTree);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
})();
"""

# Switches the compiled CSS off and runs the browser build as NiceGUI's template did: its CSS (the dark variant)
# in a `text/tailwindcss` style, NiceGUI's `overrides` for it, the script. An element in the head (never drawn)
# carries every class seen, so that the build compiles them all. Resolves once the build has put out its CSS.
RUN_BROWSER_BUILD = """
async ([compiledHref, script, templateCss, overrides]) => {
  const compiled = [...document.querySelectorAll('link[rel=stylesheet]')].find((link) => link.href === compiledHref);
  compiled.sheet.disabled = true;
  const add = (tag, properties) => document.head.append(Object.assign(document.createElement(tag), properties));
  add('style', { textContent: overrides });
  add('meta', { className: [...window.__classesSeen].join(' ') });
  add('style', { type: 'text/tailwindcss', textContent: templateCss });
  add('script', { src: script });
  const output = () => [...document.head.querySelectorAll('style:not([type])')]
    .find((style) => style.textContent.startsWith('/*! tailwindcss'));
  while (!output()) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}
"""

# Each declaration of a stylesheet, keyed by where it is (layers, conditions, selectors) and its property; at-rules
# without declarations by their text. Compared as the browser serializes them, so formatting does not matter
# (a rule's declarations as written: a shorthand with a `var()` has no values for its longhands). A custom
# property keeps its text, where the CLI's copy of Tailwind's theme quotes and breaks lines unlike the browser
# build's ('Noto Color Emoji' or "Noto Color Emoji": the same font), so quotes and white space are made alike.
DECLARATIONS = """
(sheet) => {
  const found = {};
  const normal = (value) => value.replaceAll("'", '"').replace(/\\s+/g, ' ').trim();
  const declarations = (text) => {
    const parts = [];
    let depth = 0, quote = '', start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quote) { if (c === '\\\\') i++; else if (c === quote) quote = ''; }
      else if (c === '"' || c === "'") quote = c;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ';' && depth === 0) { parts.push(text.slice(start, i)); start = i + 1; }
    }
    parts.push(text.slice(start));
    return parts.filter((part) => part.trim()).map((part) => part.split(/:(.*)/s).map(normal));
  };
  const walk = (rules, where) => {
    for (const rule of rules) {
      if (rule instanceof CSSLayerBlockRule) walk(rule.cssRules, `${where}@layer ${rule.name} { `);
      else if (rule instanceof CSSMediaRule) walk(rule.cssRules, `${where}@media ${rule.conditionText} { `);
      else if (rule instanceof CSSSupportsRule) walk(rule.cssRules, `${where}@supports ${rule.conditionText} { `);
      else if (rule instanceof CSSStyleRule || rule instanceof CSSNestedDeclarations) {
        const inside = rule.selectorText ? `${where}${rule.selectorText} { ` : where;
        for (const [property, value] of declarations(rule.style.cssText)) found[inside + property] = value;
        if (rule.cssRules) walk(rule.cssRules, inside);
      } else found[where + rule.cssText] = '';
    }
  };
  walk(sheet.cssRules, '');
  return found;
}
"""
COMPILED_DECLARATIONS = f"""(href) => ({DECLARATIONS})([...document.querySelectorAll('link[rel=stylesheet]')]
    .find((link) => link.href === href).sheet)"""
BROWSER_BUILD_DECLARATIONS = f"""() => ({DECLARATIONS})([...document.head.querySelectorAll('style:not([type])')]
    .find((style) => style.textContent.startsWith('/*! tailwindcss')).sheet)"""


@dataclass(frozen=True, kw_only=True, slots=True)
class Look:
    """A page (of app_pages.PAGES) as a person sees it: theme, language, width, and what is open on it."""

    name: str
    page: str
    dark: bool = False
    locale: str = "en"
    width: int = 1280
    opened: Callable[[Page, str], Awaitable[None]] | None = None
    # A menu is placed by its anchor when it opens: opened again under the browser build, since between the two
    # stylesheets (neither applying) it may have been placed against a header laid out without them.
    anchored: bool = False


async def edit_dialog(page: Page, base_url: str) -> None:
    view = ContactPage(page=page, base_url=base_url)
    await view.open_edit_form()
    # The dialog focuses its first field once shown: both pictures are taken after that.
    await expect(view.field("name")).to_be_focused()


async def language_menu(page: Page, base_url: str) -> None:
    """The header's language select, open (Quasar turns its arrow with a `rotate-180` class)."""
    await page.get_by_test_id("language").click()
    await expect(page.get_by_role("option").first).to_be_visible()
    await expect(page.locator("body .q-select__dropdown-icon.rotate-180")).to_have_count(1)


LOOKS = (
    Look(name="login", page="login"),
    Look(name="contacts", page="contacts"),
    Look(name="conversations", page="conversations"),
    Look(name="conversation", page="conversation"),
    Look(name="contact", page="contact"),
    Look(name="conversation-contact", page="conversation-contact"),
    Look(name="embed", page="embed"),
    Look(name="contact-dark", page="contact", dark=True),
    Look(name="contacts-dark", page="contacts", dark=True),
    Look(name="contact-arabic", page="contact", locale="ar"),
    Look(name="contact-phone", page="contact", width=390),
    Look(name="conversation-phone", page="conversation", width=390),
    Look(name="contact-edit-dialog", page="contact", opened=edit_dialog),
    Look(name="contact-language-menu", page="contact", opened=language_menu, anchored=True),
)


def differing_pixels(first: bytes, second: bytes) -> int:
    """How many pixels of two same-sized PNGs differ by more than CHANNEL_THRESHOLD in a channel."""
    with Image.open(BytesIO(first)) as one, Image.open(BytesIO(second)) as other:
        difference = ImageChops.difference(one.convert("RGB"), other.convert("RGB"))
    beyond = [band.point(lambda value: 255 if value > CHANNEL_THRESHOLD else 0) for band in difference.split()]
    return ImageChops.lighter(ImageChops.lighter(beyond[0], beyond[1]), beyond[2]).histogram()[255]


async def full_page(page: Page) -> bytes:
    await page.mouse.move(0, 0)  # no hover state in the picture
    await page.evaluate("document.fonts.ready")
    return await page.screenshot(full_page=True, animations="disabled")


async def opened_page(
    look: Look, browser: Browser, open_agent: OpenAgent, dark_sign_in: StorageState
) -> tuple[Page, Callable[[], Awaitable[None]]]:
    """A tab for the look that records classes from its next page on, and what closes it."""
    options: dict[str, Any] = {"viewport": {"width": look.width, "height": 900}, "locale": look.locale}
    if look.dark:
        options["storage_state"] = dark_sign_in
    if PAGES_BY_NAME[look.page].signed_in:
        page = (await open_agent(**options)).page
        close = _closed_by_open_agent
    else:
        context = await browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
        close = context.close
    await page.context.add_init_script(RECORD_CLASSES)
    return page, close


async def _closed_by_open_agent() -> None:
    """open_agent closes its agents' contexts itself."""


@pytest.mark.parametrize("look", LOOKS, ids=[look.name for look in LOOKS])
async def test_the_compiled_css_styles_every_page_as_the_browser_build_did(
    browser: Browser,
    open_agent: OpenAgent,
    app_server: RunningServer,
    api: httpx.AsyncClient,
    dark_sign_in: StorageState,
    look: Look,
    tmp_path: Path,
) -> None:
    assert TEMPLATE_TAILWIND is not None, "NiceGUI's template has no text/tailwindcss style any more"
    compiled = app_server.url + address(tailwind_stylesheet())
    page, close = await opened_page(look, browser, open_agent, dark_sign_in)
    try:
        await show(page, app_server.url, PAGES_BY_NAME[look.page], await demo_ids(api))
        await expect(page.locator("body")).to_have_class(re.compile(rf"\bbody--{'dark' if look.dark else 'light'}\b"))
        await expect(page.locator("html")).to_have_attribute("lang", look.locale)
        if look.opened is not None:
            await look.opened(page, app_server.url)
        await page.add_style_tag(content=ALL_DRAWN)
        assert await page.locator(f"script[src$='{BROWSER_BUILD}']").count() == 0, "the browser build is off"
        served = await full_page(page)

        await page.evaluate(
            RUN_BROWSER_BUILD, [compiled, BROWSER_BUILD, TEMPLATE_TAILWIND.group(1), TAILWIND_OVERRIDES]
        )
        if look.anchored and look.opened is not None:
            await page.keyboard.press("Escape")
            await expect(page.get_by_role("option")).to_have_count(0)
            await look.opened(page, app_server.url)
        built = await full_page(page)

        expected = await page.evaluate(BROWSER_BUILD_DECLARATIONS)
        present = await page.evaluate(COMPILED_DECLARATIONS, compiled)
    finally:
        await close()
    missing = {key: value for key, value in expected.items() if present.get(key) != value}
    assert not missing, "the browser build's rules missing from assets/tailwind.css (classes built at run time?):\n" + (
        "\n".join(f"{key}: {value!r} (compiled: {present.get(key)!r})" for key, value in sorted(missing.items()))
    )
    (tmp_path / "served.png").write_bytes(served)
    (tmp_path / "browser-build.png").write_bytes(built)
    with Image.open(BytesIO(served)) as one, Image.open(BytesIO(built)) as other:
        assert one.size == other.size, (
            f"page size {one.size} with the compiled CSS, {other.size} with the browser build"
        )
    different = differing_pixels(served, built)
    assert different == 0, f"{different} pixels differ with the browser build: {tmp_path}"
