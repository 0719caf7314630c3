"""Screenshots of the contact page (Ada Lovelace, contact 1) in light, dark and Arabic, of her latest
conversation, and of both on a 390 px phone.

`.venv/bin/python -m tests.browser.screenshots` starts the app on a fresh database and writes
`docs/screenshots/contact-{light,dark,arabic,phone}.png` and `conversation-{light,phone}.png`;
`test_screenshots.py` runs the same capture.
"""

from __future__ import annotations

import asyncio
import re
import struct
import sys
import tempfile
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.browser.contact_page import ContactPage
from tests.support.chromium import chromium
from tests.support.processes import ROOT, RunningServer
from tests.support.sign_in import sign_in_page

SHOTS_DIR = ROOT / "docs" / "screenshots"
WIDTH = 1280
HEIGHT = 1600
CONTACT_ID = 1
ARABIC = "العربية"
ENGLISH = "English"
PHONE_WIDTH = 390
PHONE_HEIGHT = 844


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    width, height = struct.unpack(">II", header[16:24])
    return width, height


async def _shoot(view: ContactPage, path: Path) -> Path:
    page = view.page
    await view.wait_loaded()
    await page.mouse.move(0, 0)  # no hover state or tooltip in the picture
    await expect(page.locator(".q-tooltip, .q-notification")).to_have_count(0)
    await page.evaluate("document.fonts.ready")
    await page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


async def _reloaded(page: Page, click: str, condition: str, present: bool = True) -> None:
    """Click something that stores a preference and reloads the page; wait for the reloaded page."""
    await page.locator(click).click()
    await expect(page.locator(condition)).to_have_count(1 if present else 0)


async def capture(browser: Browser, base_url: str, out_dir: Path) -> dict[str, Path]:
    """Sign in as the demo admin in a fresh context and photograph contact 1 three ways (`out_dir` must exist)."""
    context = await browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="en-US")
    context.set_default_timeout(10_000)
    try:
        page = await context.new_page()
        await sign_in_page(page, base_url)
        view = ContactPage(page=page, base_url=base_url)
        await view.open(CONTACT_ID)
        await expect(page.locator("html[dir=ltr]")).to_have_count(1)
        await expect(page.locator("body.body--dark")).to_have_count(0)
        shots = {"light": await _shoot(view, out_dir / "contact-light.png")}

        await _reloaded(page, "[data-testid=theme-toggle]", "body.body--dark")
        shots["dark"] = await _shoot(view, out_dir / "contact-dark.png")
        await _reloaded(page, "[data-testid=theme-toggle]", "body.body--dark", present=False)

        await page.locator("[data-testid=language]").click()
        await page.get_by_role("option", name=ARABIC).click()
        await expect(page.locator("html[dir=rtl][lang=ar]")).to_have_count(1)
        shots["arabic"] = await _shoot(view, out_dir / "contact-arabic.png")
        await page.locator("[data-testid=language]").click()
        await page.get_by_role("option", name=ENGLISH).click()
        await expect(page.locator("html[dir=ltr][lang=en]")).to_have_count(1)

        # The conversation Ada's history shows first, reached as an agent does: a click on its row.
        await view.testid("conversation-history").locator('[data-testid^="conversation-"]').first.click()
        await expect(page).to_have_url(re.compile(r"/conversations/\d+$"))
        conversation_url = page.url
        shots["conversation"] = await _shoot_page(page, out_dir / "conversation-light.png")

        await page.set_viewport_size({"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
        await view.open(CONTACT_ID)
        shots["contact-phone"] = await _shoot(view, out_dir / "contact-phone.png")
        await page.goto(conversation_url)
        shots["conversation-phone"] = await _shoot_page(page, out_dir / "conversation-phone.png")
        return shots
    finally:
        await context.close()


async def _shoot_page(page: Page, path: Path) -> Path:
    """A page other than the contact page, once its messages and its contact panel are shown."""
    await expect(page.locator(".q-message").first).to_be_visible()
    await expect(page.locator('[data-testid="contact-name"]')).to_be_visible()
    await page.mouse.move(0, 0)
    await expect(page.locator(".q-tooltip, .q-notification")).to_have_count(0)
    await page.evaluate("document.fonts.ready")
    await page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


async def _capture_with_chromium(base_url: str, out_dir: Path) -> dict[str, Path]:
    expect.set_options(timeout=10_000)
    async with chromium() as browser:
        return await capture(browser, base_url, out_dir)


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else SHOTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="contact-screenshots-") as workdir,
        RunningServer.in_directory(Path(workdir), module="main").running() as app,
    ):
        shots = asyncio.run(_capture_with_chromium(app.url, out_dir))
    for name, path in shots.items():
        width, height = png_size(path)
        print(f"{name}: {path} ({width}x{height})")


if __name__ == "__main__":
    main()
