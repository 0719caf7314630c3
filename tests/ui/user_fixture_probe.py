"""Two UI tests for `test_user_fixture.py` to run in a pytest of their own (the name keeps them out of the suite):
the first logs an ERROR, which must fail it; the second needs the app to start again after that."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from nicegui.testing import User

from tests.ui.interaction import wait_for


@pytest.fixture(autouse=True)
def embedded_demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The app in embedded demo mode on a SQLite file of this test's own (no server process to start)."""
    monkeypatch.setenv("DEMO_DATA", "true")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("STORAGE_SECRET", f"test-{uuid.uuid4().hex}")
    monkeypatch.setenv("ANALYTICS_SINK", str(tmp_path / "analytics.jsonl"))
    for name in ("CHATWOOT_URL", "KIOSK_EMAIL", "KIOSK_PASSWORD", "REDIS_URL", "SERVER_EXTENSIONS"):
        monkeypatch.delenv(name, raising=False)


async def test_logs_an_error(user: User) -> None:
    await user.open("/login")
    logging.getLogger("contacts").error("an error the user fixture fails this test for")


async def test_starts_the_app_again(user: User) -> None:
    await user.open("/login")
    await wait_for(user, "login-email")
