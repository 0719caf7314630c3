"""Signing a demo agent in: over the API (`POST /auth/sign_in`), or through the sign-in page in a browser."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from playwright.async_api import Browser, Page

from api.demo import ADMIN

SIGN_IN_TIMEOUT_MS = 30_000


@dataclass(kw_only=True, frozen=True)
class SignedIn:
    """An agent's session: what `POST /auth/sign_in` returned."""

    email: str
    token: str
    pubsub_token: str
    user_id: int
    account_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"api_access_token": self.token}


def sign_in(
    base_url: str, credentials: tuple[str, str], timeout: float = 30.0, http: httpx.Client | None = None
) -> SignedIn:
    """Sign in over the API of the server (or app) at `base_url` (with `http`, or a client of its own)."""
    email, password = credentials
    body = {"email": email, "password": password}
    if http is None:
        answer = httpx.post(f"{base_url}/auth/sign_in", json=body, timeout=timeout)
    else:
        answer = http.post(f"{base_url}/auth/sign_in", json=body, timeout=timeout)
    answer.raise_for_status()
    data = answer.json()["data"]
    return SignedIn(
        email=email,
        token=data["access_token"],
        pubsub_token=data["pubsub_token"],
        user_id=data["id"],
        account_id=data["account_id"],
    )


async def submit_sign_in(page: Page, base_url: str, credentials: tuple[str, str]) -> None:
    """Open `/login`, type the email and password (over a demo's prefilled ones) and submit; nothing awaited after."""
    email, password = credentials
    await page.goto(f"{base_url}/login")
    # Quasar hands a QInput's attributes to its native <input>, so the test id is on the input itself.
    await page.locator("input[data-testid=login-email]").fill(email)
    await page.locator("input[data-testid=login-password]").fill(password)
    await page.locator("[data-testid=login-submit]").click()


async def sign_in_page(page: Page, base_url: str, credentials: tuple[str, str] = ADMIN) -> None:
    """Sign in through `/login` and land on the contacts list."""
    await submit_sign_in(page, base_url, credentials)
    await page.wait_for_url(f"{base_url}/contacts", timeout=SIGN_IN_TIMEOUT_MS)


async def signed_in_page(browser: Browser, base_url: str, credentials: tuple[str, str]) -> Page:
    """A page in a browser context of its own, signed in as this agent."""
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    page = await context.new_page()
    await sign_in_page(page, base_url, credentials)
    return page
