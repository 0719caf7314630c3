"""Debian's chromium driven by Playwright, and signing an agent in through the real sign-in page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from playwright.async_api import Browser, BrowserContext, Page, Playwright

from tests.app_process import CHROMIUM, CHROMIUM_ARGS
from tests.servers import ADMIN, AGENT

__all__ = ["ADMIN", "AGENT", "CHROMIUM", "CHROMIUM_ARGS"]


@dataclass(kw_only=True)
class Agent:
    """One agent's browser context and page, with the uncaught errors and dialogs the page produced."""

    context: BrowserContext
    page: Page
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


OpenAgent = Callable[..., Awaitable[Agent]]


async def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Debian chromium (never a browser downloaded by Playwright)."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


async def sign_in(page: Page, base_url: str, credentials: tuple[str, str] = ADMIN) -> None:
    """Sign in through `/login` (the demo sign-in is prefilled, but typed anyway) and land on the contacts list."""
    email, password = credentials
    await page.goto(f"{base_url}/login")
    # Quasar hands a QInput's attributes to its native <input>, so the test id is on the input itself.
    await page.locator("input[data-testid=login-email]").fill(email)
    await page.locator("input[data-testid=login-password]").fill(password)
    await page.locator("[data-testid=login-submit]").click()
    await page.wait_for_url(f"{base_url}/contacts")
