"""axe-core on every page, in light, dark and Arabic: no critical or serious violations (issue 11, accessibility).

axe-core is the npm package in tests/node (`make test` installs it with `npm ci`), injected into the page.
The app's Content-Security-Policy allows only its own scripts, so these browser contexts bypass it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, StorageState, ViewportSize, expect

from tests.browser.agents import OpenAgent
from tests.browser.app_pages import PAGE_NAMES, PAGES_BY_NAME, demo_ids, show, switch_to_dark
from tests.browser.contact_page import ContactPage
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]

AXE = Path(__file__).resolve().parent.parent / "node" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"critical", "serious"}
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
THEMES = {"light": ("en", False), "dark": ("en", True), "arabic": ("ar", False)}
TIMEOUT_MS = 10_000


def describe(violation: dict[str, Any]) -> str:
    nodes = violation["nodes"]
    where = "; ".join(
        f"{' '.join(node['target'])} ({node['failureSummary'].splitlines()[-1].strip()})" for node in nodes[:3]
    )
    more = f" and {len(nodes) - 3} more" if len(nodes) > 3 else ""
    return f"{violation['id']} [{violation['impact']}] {violation['help']}: {where}{more}"


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    await page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return list(results["violations"])


async def assert_no_blocking_violations(page: Page, theme: str) -> None:
    """No critical or serious violation.

    axe reads the page's stylesheets with XMLHttpRequest, which shows Quasar's loading bar for a moment: a second
    run in one page waits for the first run's bar to go, not to count it.
    """
    await expect(page.locator('.q-loading-bar[role="progressbar"]')).to_have_count(0)
    blocking = [violation for violation in await axe_violations(page) if violation["impact"] in BLOCKING]
    assert not blocking, f"{page.url} ({theme}):\n" + "\n".join(describe(v) for v in blocking)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("name", PAGE_NAMES)
async def test_no_critical_or_serious_accessibility_violations(
    browser: Browser,
    open_agent: OpenAgent,
    app_server: RunningServer,
    api: httpx.AsyncClient,
    dark_sign_in: StorageState,
    name: str,
    theme: str,
) -> None:
    app_page = PAGES_BY_NAME[name]
    locale, dark = THEMES[theme]
    options: dict[str, Any] = {"viewport": VIEWPORT, "locale": locale, "bypass_csp": True}
    if app_page.signed_in:
        if dark:
            options["storage_state"] = dark_sign_in
        page = (await open_agent(**options)).page
    else:
        context = await browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
    try:
        await show(page, app_server.url, app_page, await demo_ids(api))
        if dark and not app_page.signed_in:
            await switch_to_dark(page)
            await expect(page.locator(app_page.shown).first).to_be_visible()
        await expect(page.locator("body")).to_have_class(re.compile(r"\bbody--dark\b" if dark else r"\bbody--light\b"))
        await expect(page.locator("html")).to_have_attribute("lang", locale)

        await assert_no_blocking_violations(page, theme)
    finally:
        if not app_page.signed_in:
            await page.context.close()


def themed(theme: str, dark_sign_in: StorageState) -> dict[str, Any]:
    """A signed-in browser context's options for the theme: its language, and the dark sign-in's cookies."""
    locale, dark = THEMES[theme]
    options: dict[str, Any] = {"viewport": VIEWPORT, "locale": locale, "bypass_csp": True}
    if dark:
        options["storage_state"] = dark_sign_in
    return options


@pytest.mark.parametrize("theme", THEMES)
async def test_the_edit_dialog_has_no_critical_or_serious_accessibility_violations(
    open_agent: OpenAgent, app_server: RunningServer, dark_sign_in: StorageState, theme: str
) -> None:
    contact = app_server.create_contact(name="Axe Dialog")
    view = ContactPage(page=(await open_agent(**themed(theme, dark_sign_in))).page, base_url=app_server.url)
    await view.open(contact["id"])
    await view.open_edit_form()
    await expect(view.field("name")).to_be_visible()

    await assert_no_blocking_violations(view.page, theme)


@pytest.mark.parametrize("theme", THEMES)
async def test_the_contact_actions_have_no_critical_or_serious_accessibility_violations(
    open_agent: OpenAgent, app_server: RunningServer, api: httpx.AsyncClient, dark_sign_in: StorageState, theme: str
) -> None:
    """The picture's controls (a picture kept, so the menu offers its removal), the actions menu, the delete
    dialog, and the notice the contacts list shows after a deletion (issue 15)."""
    locale, dark = THEMES[theme]
    options: dict[str, Any] = {"viewport": VIEWPORT, "locale": locale, "bypass_csp": True}
    if dark:
        options["storage_state"] = dark_sign_in
    contact = app_server.create_contact(name="Axe Actions")
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), "navy").save(picture, "PNG")
    upload = await api.put(f"/contacts/{contact['id']}", files={"avatar": ("a.png", picture.getvalue(), "image/png")})
    upload.raise_for_status()
    view = ContactPage(page=(await open_agent(**options)).page, base_url=app_server.url)
    await view.open(contact["id"])
    await expect(view.testid("contact-avatar")).to_be_visible()
    await view.testid("contact-actions").click()
    await expect(view.testid("remove-avatar")).to_be_visible()
    await assert_no_blocking_violations(view.page, theme)

    await view.testid("delete-contact").click()
    await expect(view.testid("delete-confirm")).to_be_visible()
    await assert_no_blocking_violations(view.page, theme)

    await view.testid("delete-confirm").click()
    await expect(view.testid("page-notice")).to_be_visible()
    await assert_no_blocking_violations(view.page, theme)


@pytest.mark.parametrize("theme", THEMES)
async def test_the_list_dialogs_have_no_critical_or_serious_accessibility_violations(
    open_agent: OpenAgent, app_server: RunningServer, dark_sign_in: StorageState, theme: str, tmp_path: Path
) -> None:
    """New contact (with a taken email's link), Import (with its progress bar and report) and the export's progress."""
    existing = app_server.create_contact(name="Axe Holder")
    page = (await open_agent(**themed(theme, dark_sign_in))).page
    await page.goto(f"{app_server.url}/contacts")
    await page.get_by_test_id("new-contact").click()
    await page.get_by_test_id("new-contact-email").fill(existing["email"])
    await page.get_by_test_id("new-contact-save").click()
    await expect(page.get_by_test_id(f"existing-contact-{existing['id']}")).to_be_visible()
    await assert_no_blocking_violations(page, theme)
    await page.keyboard.press("Escape")

    path = tmp_path / "axe.csv"
    path.write_text(f"name,email\nAxe Row,not-an-email\nAxe Copy,{existing['email']}\n", encoding="utf-8")
    await page.get_by_test_id("import-contacts").click()
    async with page.expect_file_chooser() as chooser:
        await page.get_by_test_id("import-choose").click()
    await (await chooser.value).set_files(path)
    await expect(page.get_by_test_id("import-report").locator("tbody tr")).to_have_count(2)
    await assert_no_blocking_violations(page, theme)
    await page.get_by_test_id("import-close").click()

    async with page.expect_download():
        await page.get_by_test_id("export-contacts").click()
    await expect(page.get_by_test_id("export-bar")).to_have_attribute("aria-valuenow", "1")
    await assert_no_blocking_violations(page, theme)
