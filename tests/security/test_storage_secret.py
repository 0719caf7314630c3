"""The public default STORAGE_SECRET would let anyone sign session cookies: only the demo runs with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from api.settings import DEFAULT_STORAGE_SECRET
from tests.support.processes import ROOT, RunningServer, free_port


def app_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CHATWOOT_", "STORAGE_SECRET"))}
    env.update(
        PORT=str(free_port()),
        HOST="127.0.0.1",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'contacts.db'}",
        ANALYTICS_SINK="",
        NICEGUI_STORAGE_PATH=str(tmp_path / "nicegui"),
    )
    env.update(overrides)
    return env


def test_outside_the_demo_the_default_secret_refuses_to_start(tmp_path: Path) -> None:
    for overrides in ({"DEMO_DATA": "false"}, {"DEMO_DATA": "false", "STORAGE_SECRET": DEFAULT_STORAGE_SECRET}):
        finished = subprocess.run(
            [sys.executable, "main.py"],
            cwd=ROOT,
            env=app_environment(tmp_path, **overrides),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert finished.returncode != 0
        assert "STORAGE_SECRET is the public default" in finished.stderr, finished.stderr[-2000:]
        assert "Traceback" not in finished.stderr


def test_connected_mode_needs_a_secret_of_its_own(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "main.py"],
        cwd=ROOT,
        env=app_environment(tmp_path, CHATWOOT_URL="http://127.0.0.1:9", DEMO_DATA="true"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode != 0
    assert "STORAGE_SECRET is the public default" in finished.stderr


def started_log(tmp_path: Path, **env: str) -> str:
    """What the app logged by the time it was ready."""
    with RunningServer.in_directory(tmp_path, module="main", **env).running() as app:
        return app.tail(lines=1000)


def test_the_demo_starts_with_the_default_secret_and_warns_loudly(tmp_path: Path) -> None:
    log = started_log(tmp_path, DEMO_DATA="true", STORAGE_SECRET=DEFAULT_STORAGE_SECRET)
    assert "DEMO MODE: STORAGE_SECRET is the public default" in log


def test_a_secret_of_its_own_starts_without_a_warning(tmp_path: Path) -> None:
    log = started_log(tmp_path, DEMO_DATA="false", STORAGE_SECRET="a-secret-of-this-deployment")
    assert "DEMO MODE" not in log
