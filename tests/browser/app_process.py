"""The app under test: `main.py` as a child process in embedded mode, on a free port and a fresh SQLite file."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx

from tests.servers import RunningServer


class AppProcess(RunningServer):
    """`python -m main` instead of `python -m server`: the whole app, UI and embedded API on one port."""

    def env(self) -> dict[str, str]:
        # NiceGUI treats a process with PYTEST_CURRENT_TEST as its own pytest run and ignores the port it
        # is given; NICEGUI_REDIS_URL would move this app's browser storage into a shared Redis.
        return {
            key: value
            for key, value in super().env().items()
            if not key.startswith("PYTEST_") and key != "NICEGUI_REDIS_URL"
        }


def _seeded(database: Path) -> bool:
    """True once the demo agents are committed (the seed writes everything in one transaction)."""
    if not database.exists():
        return False
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            return bool(connection.execute("SELECT count(*) FROM agents").fetchone()[0])
    except sqlite3.Error:
        return False


def _login_page_answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/login", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def start_app(workdir: Path, timeout: float = 60.0, module: str = "main") -> AppProcess:
    """Start `python -m main` with demo data and wait until it serves `/login` and the demo sign-ins work.

    NiceGUI runs startup handlers (here: migration and demo seed) as background tasks, so the
    port answers before the data exists; readiness is "the demo agents are in the database".
    `stop()` ends the process.
    """
    database = workdir / "db.sqlite"
    app = AppProcess(
        database_url=f"sqlite+aiosqlite:///{database}",
        module=module,
        log_path=workdir / "app.log",
        extra_env={
            "STORAGE_SECRET": "test",
            "ANALYTICS_SINK": str(workdir / "a.jsonl"),
            "NICEGUI_STORAGE_PATH": str(workdir / "nicegui"),
            "KIOSK_EMAIL": "",
            "KIOSK_PASSWORD": "",
        },
    )
    app.start(timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _seeded(database) and _login_page_answers(app.url):
            return app
        if app.process is not None and app.process.poll() is not None:
            break
        time.sleep(0.1)
    app.stop()
    raise RuntimeError(f"the app did not get ready within {timeout} s; see {app.log_path}")
