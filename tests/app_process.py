"""The whole app (`main.py`) as a real process, and a headless Debian Chromium to look at it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, async_playwright

from tests.servers import ADMIN, free_port, launch, terminate, wait_until_answering

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass(kw_only=True)
class AppProcess:
    """`python main.py` on a free port with the given environment."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def in_directory(cls, directory: Path, **env: str) -> AppProcess:
        """The app on a fresh SQLite file and storage of its own under `directory`, logging to `app.log` there."""
        scratch = {
            "DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'contacts.db'}",
            "ANALYTICS_SINK": str(directory / "analytics.jsonl"),
            "NICEGUI_STORAGE_PATH": str(directory / "nicegui"),
            "KIOSK_EMAIL": "",
            "KIOSK_PASSWORD": "",
        }
        return cls(env={**scratch, **env}, log_path=directory / "app.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """The process's environment: this machine's, without test runner and shared-service settings."""
        # NiceGUI treats a process with PYTEST_* variables as a test run; this one is a real app.
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"CHATWOOT_URL", "REDIS_URL", "NICEGUI_REDIS_URL"} and not k.startswith("PYTEST_")
        }
        env.update(PORT=str(self.port), HOST="127.0.0.1", STORAGE_SECRET="test-secret", DEMO_DATA="true")
        env.update(self.env)
        return env

    def start(self, timeout: float = 60.0) -> AppProcess:
        self.process = launch([sys.executable, "main.py"], self.environment(), self.log_path)
        wait_until_answering(self.process, f"{self.url}/login", 200, timeout, self.log_path)
        return self

    def stop(self) -> None:
        terminate(self.process)

    def wait_for_demo_data(self, timeout: float = 60.0) -> AppProcess:
        """Wait until the demo sign-in works: the demo data is seeded in the background after the port answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.admin_headers()
                return self
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def admin_headers(self) -> dict[str, str]:
        """The demo administrator's API header, signed in through this app's embedded API."""
        answer = httpx.post(f"{self.url}/auth/sign_in", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=10)
        answer.raise_for_status()
        return {"api_access_token": answer.json()["data"]["access_token"]}

    def create_contact(self, **fields: Any) -> dict[str, Any]:
        """A new contact in account 1 through this app's embedded API."""
        answer = httpx.post(
            f"{self.url}/api/v1/accounts/1/contacts", json=fields, headers=self.admin_headers(), timeout=10
        )
        answer.raise_for_status()
        contact: dict[str, Any] = answer.json()["payload"]["contact"]
        return contact


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def signed_in_page(browser: Browser, base_url: str, email: str, password: str) -> Page:
    """A new browser context signed in as this agent."""
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    page = await context.new_page()
    await page.goto(f"{base_url}/login")
    await page.get_by_test_id("login-email").fill(email)
    await page.get_by_test_id("login-password").fill(password)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url("**/contacts*")
    return page
