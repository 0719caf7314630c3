"""The documentation screenshots, refreshed by the test run when UPDATE_SCREENSHOTS=1 (else written to a tmp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.browser.screenshots import PHONE_WIDTH, SHOTS_DIR, WIDTH, capture, png_size
from tests.support.processes import RunningServer

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="session")]


async def test_screenshots_of_the_contact_and_conversation_pages(
    browser: Browser, app_server: RunningServer, tmp_path: Path
) -> None:
    out_dir = SHOTS_DIR if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path

    shots = await capture(browser, app_server.url, out_dir)

    assert sorted(shots) == ["arabic", "contact-phone", "conversation", "conversation-phone", "dark", "light"]
    for name, path in shots.items():
        width, height = png_size(path)
        assert width == (PHONE_WIDTH if name.endswith("phone") else WIDTH), name
        assert height >= 800, name
